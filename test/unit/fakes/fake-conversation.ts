import { MAX_CHAT_TEXT, type ConversationDescriptor, type Participant } from '../../../src/protocol/index.js';
import { canSend } from '../../../src/session/index.js';
import type {
  CobrowseController,
  CobrowseEventDetails,
  CobrowseState,
  ConversationController,
  ConversationEventDetails,
  ConversationState,
  Delivery,
  DeviceLists,
  LinkController,
  LinkEventDetails,
  LinkState,
  PagesController,
  PagesEventDetails,
  PagesState,
  PeerPresence,
  ReplayTargetHandle,
  TranscriptMessage,
  TranscriptPageCard,
  TranscriptSystemLine,
  VideoController,
  VideoEventDetails,
  VideoMode,
  VideoState,
} from '../../../src/session/index.js';
import { TypedEventTarget } from '../../../src/util/typed-event-target.js';

export const AGENT: Participant = { role: 'agent', id: 'agent-1', display: 'Ann' };
export const CUSTOMER: Participant = { role: 'customer', id: 'cust-1', display: 'Carl' };

export function makeDescriptor(overrides: Partial<ConversationDescriptor> = {}): ConversationDescriptor {
  return {
    id: 'conv-1',
    gateway: 'ws://127.0.0.1:8188',
    textRoom: { room: 'text-1', pin: 'p' },
    videoRoom: { room: 'video-1', pin: 'p' },
    self: AGENT,
    peer: CUSTOMER,
    // A fake never verifies anything: any well-formed key will do.
    auth: { authority: { kty: 'EC', crv: 'P-256', x: 'A'.repeat(43), y: 'A'.repeat(43) }, certs: [] },
    ...overrides,
  };
}

/** Video state of a conversation where video never started. */
export function idleVideoState(): VideoState {
  return {
    phase: 'idle',
    consented: false,
    local: { audio: false, video: false, muted: false, paused: false, videoAllowed: false },
    remote: { audio: false, video: false },
    unmutePrompt: false,
    problems: [],
  };
}

/** Cobrowse state of a conversation where cobrowse never started. */
export function idleCobrowseState(): CobrowseState {
  return { phase: 'idle', control: 'none', live: false };
}

let seq = 0;

/** One recorded call of a sub-controller's action, named as the conversation's methods were (startVideo, pushPage, …). */
export type FakeCall =
  | { method: 'startVideo'; mode: VideoMode }
  | { method: 'answerInvite'; accept: VideoMode | false }
  | { method: 'endVideo' }
  | { method: 'setMuted'; muted: boolean }
  | { method: 'setVideoPaused'; paused: boolean }
  | { method: 'switchDevice'; kind: 'audio' | 'video'; deviceId: string }
  | { method: 'restartIce' }
  | { method: 'pushPage'; url: string; title?: string }
  | { method: 'linkCustomer'; customerId: string; name: string }
  | { method: 'openPage'; pushId: string }
  | { method: 'offerCobrowse' }
  | { method: 'answerCobrowse'; accept: boolean }
  | { method: 'requestControl' }
  | { method: 'answerControl'; granted: boolean }
  | { method: 'stopCobrowse' };

/** A sub-controller of the fake: its state is a slice of the conversation's, its actions are recorded in `calls`. */
class FakePart<M extends { change: unknown }, S> extends TypedEventTarget<M> {
  constructor(protected readonly conv: FakeConversation, private readonly slice: (state: ConversationState) => S) {
    super();
  }

  get state(): S {
    return this.slice(this.conv.state);
  }
}

class FakeVideo extends FakePart<VideoEventDetails, VideoState> implements VideoController {
  start(mode: VideoMode): void {
    this.conv.calls.push({ method: 'startVideo', mode });
  }
  answer(accept: VideoMode | false): void {
    this.conv.calls.push({ method: 'answerInvite', accept });
  }
  end(): void {
    this.conv.calls.push({ method: 'endVideo' });
  }
  setMuted(muted: boolean): void {
    this.conv.calls.push({ method: 'setMuted', muted });
  }
  setPaused(paused: boolean): Promise<void> {
    this.conv.calls.push({ method: 'setVideoPaused', paused });
    return Promise.resolve();
  }
  switchDevice(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    this.conv.calls.push({ method: 'switchDevice', kind, deviceId });
    return Promise.resolve();
  }
  listDevices(): Promise<DeviceLists> {
    return Promise.resolve(this.conv.devices);
  }
  restartIce(): Promise<void> {
    this.conv.calls.push({ method: 'restartIce' });
    return Promise.resolve();
  }
}

class FakeCobrowse extends FakePart<CobrowseEventDetails, CobrowseState> implements CobrowseController {
  offer(): void {
    this.conv.calls.push({ method: 'offerCobrowse' });
  }
  answer(accept: boolean): void {
    this.conv.calls.push({ method: 'answerCobrowse', accept });
  }
  requestControl(): void {
    this.conv.calls.push({ method: 'requestControl' });
  }
  answerControl(granted: boolean): void {
    this.conv.calls.push({ method: 'answerControl', granted });
  }
  stop(): void {
    this.conv.calls.push({ method: 'stopCobrowse' });
  }
  attachReplayTarget(): ReplayTargetHandle {
    return { setHighlightMode: () => {}, iframe: undefined, detach: () => {} };
  }
}

class FakePages extends FakePart<PagesEventDetails, PagesState> implements PagesController {
  push(url: string, title?: string): void {
    this.conv.calls.push(title === undefined ? { method: 'pushPage', url } : { method: 'pushPage', url, title });
  }

  /** Marks the card opened and answers like the real one (same origin = this page's origin). */
  open(pushId: string): { url: string; sameOrigin: boolean } {
    const conv = this.conv;
    conv.calls.push({ method: 'openPage', pushId });
    const card = conv.state.transcript.find((e): e is TranscriptPageCard => e.kind === 'page' && e.id === pushId);
    if (!card) throw new Error('no such page');
    conv.setState({ transcript: conv.state.transcript.map((e) => (e === card ? { ...card, opened: true } : e)) });
    return { url: card.url, sameOrigin: new URL(card.url).origin === location.origin };
  }
}

class FakeLink extends FakePart<LinkEventDetails, LinkState> implements LinkController {
  linkTo(record: { customerId: string; name: string }): void {
    this.conv.calls.push({ method: 'linkCustomer', customerId: record.customerId, name: record.name });
  }
}

/**
 * ConversationController driven by tests: set state with `setState`/`receive`/…,
 * read what the UI did from `sent`, `typing`, `connectCalls`, `calls`, `disposeCount`.
 */
export class FakeConversation extends TypedEventTarget<ConversationEventDetails> implements ConversationController {
  state: ConversationState = { status: 'idle', transcript: [], protocolErrors: 0, video: idleVideoState(), cobrowse: idleCobrowseState() };
  /** Our own participant (defaults to the agent). */
  self: Participant;
  readonly sent: string[] = [];
  readonly typing: boolean[] = [];
  readonly connectCalls: { descriptor: ConversationDescriptor; signal?: AbortSignal }[] = [];
  /** Calls of the video, cobrowse, page and link actions, in order (named as the conversation's methods were). */
  readonly calls: FakeCall[] = [];
  /** Devices listDevices() answers with. */
  devices: DeviceLists = { cameras: [{ deviceId: 'cam-1', label: 'Fake camera' }], microphones: [{ deviceId: 'mic-1', label: 'Fake microphone' }] };
  disposeCount = 0;
  /** What connect() does: 'connect' (→ connected), 'hang' (stays connecting until aborted), or an Error to reject with. */
  connectBehavior: 'connect' | 'hang' | Error = 'connect';
  /** When set, send() throws this. */
  sendError?: Error;
  readonly video = new FakeVideo(this, (s) => s.video);
  readonly cobrowse = new FakeCobrowse(this, (s) => s.cobrowse);
  private pagesCache?: { transcript: ConversationState['transcript']; state: PagesState };
  readonly pages = new FakePages(this, (s) => {
    if (this.pagesCache?.transcript !== s.transcript) {
      this.pagesCache = { transcript: s.transcript, state: { pages: s.transcript.filter((e): e is TranscriptPageCard => e.kind === 'page') } };
    }
    return this.pagesCache.state;
  });
  readonly link = new FakeLink(this, (s) => (s.link ? { link: s.link } : {}));

  constructor(init: Partial<ConversationState> = {}, self: Participant = AGENT) {
    super();
    this.self = self;
    this.state = { ...this.state, ...init };
  }

  connect(descriptor: ConversationDescriptor, signal?: AbortSignal): Promise<void> {
    this.connectCalls.push({ descriptor, signal });
    this.setState({ status: 'connecting', descriptor });
    const behavior = this.connectBehavior;
    if (behavior instanceof Error) {
      this.setState({ status: 'failed', error: behavior.message });
      return Promise.reject(behavior);
    }
    if (behavior === 'hang') {
      return new Promise((_, reject) => {
        signal?.addEventListener('abort', () => reject(new DOMException('Aborted', 'AbortError')), { once: true });
      });
    }
    this.setState({ status: 'connected' });
    return Promise.resolve();
  }

  send(text: string): TranscriptMessage {
    if (this.sendError) throw this.sendError;
    if (!canSend(this.state)) throw new Error('Not connected to the conversation');
    const trimmed = text.trim();
    if (!trimmed || trimmed.length > MAX_CHAT_TEXT) throw new RangeError('bad text');
    this.sent.push(trimmed);
    const message = this.message(trimmed, true);
    this.state = { ...this.state, transcript: [...this.state.transcript, message] };
    this.emit('message-sent', { message });
    this.emit('change', { state: this.state });
    return message;
  }

  setTyping(active: boolean): void {
    this.typing.push(active);
  }

  dispose(): void {
    this.disposeCount++;
  }

  // ---- test drivers ----

  setState(patch: Partial<ConversationState>): void {
    const before = this.state;
    this.state = { ...this.state, ...patch };
    this.emit('change', { state: this.state });
    if (before.video !== this.state.video) this.video.emit('change', { video: this.state.video });
    if (before.cobrowse !== this.state.cobrowse) this.cobrowse.emit('change', { cobrowse: this.state.cobrowse });
    if (before.link !== this.state.link) this.link.emit('change', { link: this.link.state });
    if (before.transcript !== this.state.transcript) this.pages.emit('change', { pages: this.pages.state });
  }

  /**
   * The other side joins (online) or its connection drops (presence 'away';
   * pass 'gone' or 'waiting' for the others).
   */
  setPeer(participant: Participant | undefined, online = true, typing = false, presence: PeerPresence = online ? 'online' : 'away'): void {
    const awaySince = presence === 'away' || presence === 'gone' ? Date.now() : undefined;
    this.setState({ peer: participant ? { participant, online, presence, typing, ...(awaySince ? { awaySince } : {}) } : undefined });
  }

  /** A message from the other side arrives. */
  receive(text: string, from: Participant = this.state.peer?.participant ?? CUSTOMER): TranscriptMessage {
    const message = { ...this.message(text, false), from };
    this.state = { ...this.state, transcript: [...this.state.transcript, message] };
    this.emit('message-received', { message });
    this.emit('change', { state: this.state });
    return message;
  }

  addSystem(text: string): TranscriptSystemLine {
    const line: TranscriptSystemLine = { kind: 'system', id: `sys-${++seq}`, text, ts: Date.now() };
    this.setState({ transcript: [...this.state.transcript, line] });
    return line;
  }

  /** A page card arrives (mine = this side sent it). */
  addPage(url: string, title?: string, mine = false): TranscriptPageCard {
    const card: TranscriptPageCard = { kind: 'page', id: `page-${++seq}`, url, host: new URL(url).host, ts: Date.now(), mine, opened: false };
    if (title !== undefined) card.title = title;
    this.setState({ transcript: [...this.state.transcript, card] });
    return card;
  }

  setVideo(patch: Partial<VideoState>): void {
    this.setState({ video: { ...this.state.video, ...patch } });
  }

  setDelivery(id: string, delivery: Delivery): void {
    this.setState({
      transcript: this.state.transcript.map((e) => (e.kind === 'message' && e.id === id ? { ...e, delivery } : e)),
    });
  }

  protocolError(reason: string, from?: string): void {
    this.setState({ protocolErrors: this.state.protocolErrors + 1 });
    this.emit('protocol-error', from === undefined ? { reason } : { reason, from });
  }

  private message(text: string, mine: boolean): TranscriptMessage {
    const n = ++seq;
    return { kind: 'message', id: `m-${n}`, from: mine ? this.self : CUSTOMER, text, ts: Date.now(), mine, delivery: mine ? 'sending' : 'delivered', seq: n };
  }
}
