import { MAX_CHAT_TEXT, type ConversationDescriptor, type Participant } from '../../../src/protocol/index.js';
import { canSend } from '../../../src/session/index.js';
import type {
  ConversationController,
  ConversationEventDetails,
  ConversationState,
  Delivery,
  PeerPresence,
  TranscriptMessage,
  TranscriptPageCard,
  TranscriptSystemLine,
  VideoMode,
  VideoState,
} from '../../../src/session/index.js';

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

let seq = 0;

/** One recorded call of a ConversationController method other than connect/send/setTyping/dispose. */
export type FakeCall =
  | { method: 'startVideo'; mode: VideoMode }
  | { method: 'answerInvite'; accept: VideoMode | false }
  | { method: 'endVideo' }
  | { method: 'setMuted'; muted: boolean }
  | { method: 'setVideoPaused'; paused: boolean }
  | { method: 'switchDevice'; kind: 'audio' | 'video'; deviceId: string }
  | { method: 'pushPage'; url: string; title?: string }
  | { method: 'linkCustomer'; customerId: string; name: string }
  | { method: 'openPage'; pushId: string };

/**
 * ConversationController driven by tests: set state with `setState`/`receive`/…,
 * read what the UI did from `sent`, `typing`, `connectCalls`, `calls`, `disposeCount`.
 */
export class FakeConversation extends EventTarget implements ConversationController {
  state: ConversationState = { status: 'idle', transcript: [], protocolErrors: 0, video: idleVideoState() };
  /** Our own participant (defaults to the agent). */
  self: Participant;
  readonly sent: string[] = [];
  readonly typing: boolean[] = [];
  readonly connectCalls: { descriptor: ConversationDescriptor; signal?: AbortSignal }[] = [];
  /** Calls of the video and page actions, in order. */
  readonly calls: FakeCall[] = [];
  /** Devices listDevices() answers with. */
  devices = { cameras: [{ deviceId: 'cam-1', label: 'Fake camera' }], microphones: [{ deviceId: 'mic-1', label: 'Fake microphone' }] };
  disposeCount = 0;
  /** What connect() does: 'connect' (→ connected), 'hang' (stays connecting until aborted), or an Error to reject with. */
  connectBehavior: 'connect' | 'hang' | Error = 'connect';
  /** When set, send() throws this. */
  sendError?: Error;

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

  startVideo(mode: VideoMode): void {
    this.calls.push({ method: 'startVideo', mode });
  }

  answerInvite(accept: VideoMode | false): void {
    this.calls.push({ method: 'answerInvite', accept });
  }

  endVideo(): void {
    this.calls.push({ method: 'endVideo' });
  }

  setMuted(muted: boolean): void {
    this.calls.push({ method: 'setMuted', muted });
  }

  setVideoPaused(paused: boolean): Promise<void> {
    this.calls.push({ method: 'setVideoPaused', paused });
    return Promise.resolve();
  }

  switchDevice(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    this.calls.push({ method: 'switchDevice', kind, deviceId });
    return Promise.resolve();
  }

  listDevices(): Promise<{ cameras: { deviceId: string; label: string }[]; microphones: { deviceId: string; label: string }[] }> {
    return Promise.resolve(this.devices);
  }

  linkCustomer(record: { customerId: string; name: string }): void {
    this.calls.push({ method: 'linkCustomer', customerId: record.customerId, name: record.name });
  }

  pushPage(url: string, title?: string): void {
    this.calls.push(title === undefined ? { method: 'pushPage', url } : { method: 'pushPage', url, title });
  }

  /** Marks the card opened and answers like the real one (same origin = this page's origin). */
  openPage(pushId: string): { url: string; sameOrigin: boolean } {
    this.calls.push({ method: 'openPage', pushId });
    const card = this.state.transcript.find((e): e is TranscriptPageCard => e.kind === 'page' && e.id === pushId);
    if (!card) throw new Error('no such page');
    this.setState({ transcript: this.state.transcript.map((e) => (e === card ? { ...card, opened: true } : e)) });
    return { url: card.url, sameOrigin: new URL(card.url).origin === location.origin };
  }

  dispose(): void {
    this.disposeCount++;
  }

  // ---- test drivers ----

  setState(patch: Partial<ConversationState>): void {
    this.state = { ...this.state, ...patch };
    this.emit('change', { state: this.state });
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

  private emit<K extends keyof ConversationEventDetails>(type: K, detail: ConversationEventDetails[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
