import { ChatSession, chatText, type ChatAuth, type IncomingChatMessage } from '../chat/index.js';
import { GatewayConnection } from '../janus/index.js';
import {
  checkPageUrl,
  EnvelopeSigner,
  EnvelopeVerifier,
  newMessageId,
  parseDescriptor,
  type ConversationDescriptor,
  type PagePushPolicy,
  type Participant,
  type PublicKeyJwk,
  type RegisterKeyResponse,
  type VideoMode,
} from '../protocol/index.js';
import { TypedEventTarget } from '../util/typed-event-target.js';
import {
  canSend,
  type ConnectionStatus,
  type ConversationController,
  type ConversationEventDetails,
  type ConversationState,
  type TranscriptEntry,
  type TranscriptMessage,
} from './conversation-state.js';
import { insertMessage, type TranscriptStore } from './transcript.js';
import { initialVideoState, VideoSession } from './video-session.js';
import { memoryConsentStore, type ConsentStore } from './consent.js';
import { browserSigningKeys, signingIdentityFor, type SigningIdentity, type SigningKeyStore } from './signing-keys.js';
import { CobrowseSession, initialCobrowseState, type CobrowseSessionOptions } from './cobrowse-session.js';
import type { ReplayTargetHandle } from './conversation-state.js';

const MODE_TEXT: Record<VideoMode, string> = {
  'two-way': 'two-way video',
  'one-way-agent': 'one-way video (agent’s camera)',
  'one-way-customer': 'one-way video (customer’s camera)',
  voice: 'a voice call',
};

export interface ConversationOptions {
  /** Where the transcript is kept between page loads (e.g. sessionTranscriptStore()). */
  store?: TranscriptStore;
  /** Which pushed pages are acceptable (https only by default). */
  pagePolicy?: PagePushPolicy;
  /** Cobrowse tuning (batch window, control idle timeout, extra blocked elements). */
  cobrowse?: CobrowseSessionOptions;
  /**
   * What this browser's person consented to (camera, microphone, cobrowse).
   * Default: this page only. The widget keeps it in sessionStorage so a reload
   * keeps it; it is cleared when the conversation ends.
   */
  consent?: ConsentStore;
  /** This participant's signing key. Default: the one this browser keeps for the conversation (made on first use). */
  signingKey?: SigningIdentity;
  /** Where this browser keeps signing keys. Default: IndexedDB (memory where that is unavailable). */
  signingKeys?: SigningKeyStore;
  /**
   * Certifies this browser's key when the descriptor has no certificate for it
   * (this browser lost its key, or the descriptor came from elsewhere):
   * BrokerClient.registerKey does it with the resume key or the agent token.
   */
  registerKey?: (descriptor: ConversationDescriptor, publicKey: PublicKeyJwk) => Promise<RegisterKeyResponse>;
  /**
   * How long the other side may be away before this side says it left (its
   * presence turns 'gone' and "… left the conversation" is written). A network
   * drop, a reload and a closed tab look the same in the room, so until then
   * it is only 'away'. Default PEER_GONE_MS (2 minutes).
   */
  peerGoneMs?: number;
  /**
   * The conversation's record from elsewhere, as signed wire texts, oldest
   * first: BrokerClient.transcript gives it with the resume key or the agent
   * token. Asked on connect and again after the gateway session was rebuilt
   * (a restarted Janus has lost its rooms' history); the room keeps only its
   * last 200 messages. Every text passes the same verification as a room
   * message, duplicates of the room's history are dropped by id. Best effort:
   * a rejection leaves the room's own history.
   */
  history?: (descriptor: ConversationDescriptor, signal: AbortSignal) => Promise<readonly string[]>;
}

/** Default of ConversationOptions.peerGoneMs: after 2 minutes away the other side counts as having left. */
export const PEER_GONE_MS = 120_000;

/** Most transcript entries kept in memory; older ones remain in the room's history and the broker's record. */
const MAX_TRANSCRIPT = 5000;

/** A page push refused by the URL rules; `message` says why in plain words. */
export class PageRefusedError extends Error {
  constructor(readonly url: string, reason: string) {
    super(reason);
    this.name = 'PageRefusedError';
  }
}

/**
 * One conversation: gateway connection + chat (later video and cobrowse),
 * exposed as state and actions for the elements. Framework-free.
 */
export class Conversation extends TypedEventTarget<ConversationEventDetails> implements ConversationController {
  private _state: ConversationState = { status: 'idle', transcript: [], protocolErrors: 0, video: initialVideoState(), cobrowse: initialCobrowseState() };
  private video?: VideoSession;
  private cobrowse?: CobrowseSession;
  private gateway?: GatewayConnection;
  private chat?: ChatSession;
  private disposed = false;
  private goneTimer?: ReturnType<typeof setTimeout>;
  /** peerGoneMs passed while our own connection was down: decided once we see the room again. */
  private goneDue = false;
  /** "… left the conversation" was written for the current absence: say so when they come back. */
  private saidLeft = false;
  /** Our messages written before the chat existed (still authenticating): their own order. */
  private earlySeq = 0;
  private peerEverOnline = false;
  private saveTimer?: ReturnType<typeof setTimeout>;
  private readonly onPageHide = () => this.flushSave();

  constructor(private readonly options: ConversationOptions = {}) {
    super();
  }

  get state(): ConversationState {
    return this._state;
  }

  async connect(descriptor: ConversationDescriptor, signal?: AbortSignal): Promise<void> {
    if (this.disposed) throw new Error('Conversation was disposed');
    if (this.gateway) throw new Error('Conversation already connected; create a new one for another descriptor');
    const checked = parseDescriptor(descriptor);
    if (!checked.ok) {
      this.update({ status: 'failed', error: checked.reason });
      throw new TypeError(checked.reason);
    }
    const d = checked.descriptor;
    const stored = this.options.store?.load(d.id) ?? [];
    this.update({
      status: 'connecting',
      descriptor: d,
      transcript: stored,
      error: undefined,
      peer: d.peer ? { participant: d.peer, online: false, presence: 'waiting', typing: false } : undefined,
    });
    let auth: ChatAuth;
    try {
      auth = await this.authenticate(d);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      if (!this.disposed) this.update({ status: 'failed', error: reason });
      throw e;
    }
    if (this.disposed || signal?.aborted) throw signal?.reason instanceof Error ? signal.reason : new DOMException('Aborted', 'AbortError');
    globalThis.addEventListener?.('pagehide', this.onPageHide);
    const gateway = new GatewayConnection({ server: d.gateway, token: d.token, iceServers: d.iceServers });
    this.gateway = gateway;
    const history = this.options.history;
    const chat = new ChatSession(gateway, d, auth, history ? { history: (s) => history(d, s) } : {});
    this.chat = chat;
    const consent = this.options.consent ?? memoryConsentStore();
    gateway.on('status', ({ status, reason }) => {
      if (status === 'reconnecting') this.update({ status: 'reconnecting', error: reason });
    });
    chat.on('status', ({ status, reason }) => {
      const map: Record<string, ConnectionStatus | undefined> = { ready: 'connected', rejoining: 'reconnecting', closed: 'closed' };
      const next = map[status];
      if (next && this._state.status !== 'failed') this.update({ status: next, error: status === 'ready' ? undefined : reason });
      if (status === 'closed' && !this.disposed) {
        // The room is gone: the conversation really ended, so the other side is gone too (no "left" line: "ended" says it).
        this.clearGoneTimer();
        const peer = this._state.peer;
        if (peer) this.update({ peer: { ...peer, online: false, presence: 'gone', typing: false, awaySince: peer.awaySince ?? Date.now() } });
        // The conversation ended (its room is gone): what this browser agreed to and its key end with it.
        consent.clear(d.id);
        void (this.options.signingKeys ?? browserSigningKeys()).forget(d.id, d.self.role).catch(() => {});
      }
    });
    gateway.on('reclaimed', () => {
      if (chat.status === 'ready') this.update({ status: 'connected', error: undefined });
    });
    // Ours not yet acknowledged: left by an earlier page (stored), or written while this one was still authenticating.
    for (const e of this._state.transcript) {
      if (e.kind === 'message' && e.mine && e.delivery !== 'delivered') chat.requeue({ id: e.id, from: e.from.id, text: e.text, ts: e.ts, seq: e.seq });
    }
    chat.on('message', ({ message, mine }) => this.onMessage(message, mine));
    chat.on('delivery', ({ id, delivery }) => this.setDelivery(id, delivery));
    chat.on('presence', ({ present }) => this.onPresence(present));
    chat.on('typing', ({ from, active }) => {
      const peer = this._state.peer;
      if (peer && peer.participant.id === from) this.update({ peer: { ...peer, typing: active } });
    });
    chat.on('protocol-error', (detail) => {
      this.update({ protocolErrors: this._state.protocolErrors + 1 });
      this.emit('protocol-error', detail);
    });
    const video = new VideoSession(gateway, chat, d, consent);
    this.video = video;
    video.on('change', ({ video: v }) => this.update({ video: v }));
    video.on('video-invite', (detail) => {
      this.emit('video-invite', detail);
      const who = detail.from === d.self.role ? 'You' : this.peerName();
      this.systemLine(`${who} offered ${MODE_TEXT[detail.mode]}`, `sys-invite-${detail.inviteId}`);
    });
    video.on('invite-answer', (detail) => {
      this.emit('invite-answer', detail);
      const who = d.self.role === 'customer' ? 'You' : this.peerName();
      const text = detail.accept === false ? `${who} declined video and stayed in text chat` : `${who} accepted ${MODE_TEXT[detail.accept]}`;
      this.systemLine(text, `sys-answer-${detail.inviteId}`);
    });
    video.on('video-start', (detail) => {
      this.emit('video-start', detail);
      this.systemLine(`Video started: ${MODE_TEXT[detail.mode]}`, `sys-start-${detail.session}`);
    });
    video.on('video-end', (detail) => {
      this.emit('video-end', detail);
      this.systemLine('Video ended', `sys-end-${detail.session}`);
    });
    video.on('media-state', (detail) => this.emit('media-state', detail));
    this.wireCobrowse(chat, d, consent);
    chat.on('signal', ({ message, mine }) => {
      if (message.type === 'page.push') this.onPagePush(message.id, message.body.url, message.body.title, message.ts, mine);
      else if (message.type === 'page.opened') this.onPageOpened(message.body.pushId);
      else if (message.type === 'customer.linked') this.onLinked(message.id, message.body.name, mine);
    });
    try {
      await gateway.connect(signal);
      await chat.join(signal);
    } catch (e) {
      if (!this.disposed) this.update({ status: 'failed', error: e instanceof Error ? e.message : String(e) });
      this.teardown();
      throw e;
    }
  }

  send(text: string): TranscriptMessage {
    const d = this._state.descriptor;
    if (!d || this.disposed || !canSend(this._state)) {
      throw new Error(this._state.status === 'closed' ? 'This conversation has ended' : 'Not connected to the conversation');
    }
    let sent: IncomingChatMessage;
    if (this.chat) sent = this.chat.send(text);
    else {
      // Still authenticating, so the chat does not exist yet: the message waits in the transcript and is queued when it does.
      sent = { id: newMessageId(), from: d.self.id, text: chatText(text), ts: Date.now(), seq: this.earlySeq++ };
    }
    const message: TranscriptMessage = { kind: 'message', id: sent.id, from: d.self, text: sent.text, ts: sent.ts, seq: sent.seq, mine: true, delivery: 'sending' };
    this.update({ transcript: insertMessage(this._state.transcript, message) });
    this.emit('message-sent', { message });
    return message;
  }

  setTyping(active: boolean): void {
    this.chat?.setTyping(active);
  }

  startVideo(mode: VideoMode): void {
    this.requireVideo().startVideo(mode);
  }

  answerInvite(accept: VideoMode | false): void {
    this.requireVideo().answerInvite(accept);
  }

  endVideo(): void {
    this.video?.endVideo();
  }

  setMuted(muted: boolean): void {
    this.video?.setMuted(muted);
  }

  async setVideoPaused(paused: boolean): Promise<void> {
    await this.video?.setVideoPaused(paused);
  }

  async switchDevice(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    await this.video?.switchDevice(kind, deviceId);
  }

  listDevices() {
    return this.requireVideo().listDevices();
  }

  /** Open PeerConnections of the running video (diagnostics and tests). */
  videoPeerConnections(): RTCPeerConnection[] {
    return this.video?.peerConnections() ?? [];
  }

  /** The other side's VideoRoom feed this side subscribes to: the one it announced in a signed message (diagnostics and tests). */
  videoSubscribedFeed(): string | undefined {
    return this.video?.subscribedFeed;
  }

  /** Customer: whether this page is being recorded for cobrowse right now (diagnostics and tests). */
  get cobrowseRecording(): boolean {
    return this.cobrowse?.recording !== undefined;
  }

  linkCustomer(record: { customerId: string; name: string }): void {
    const chat = this.chat;
    if (!chat) throw new Error('not connected');
    if (this._state.descriptor?.self.role !== 'agent') throw new Error('only the agent links a chat to a customer record');
    const name = record.name.trim().slice(0, 120);
    if (!name || !record.customerId) throw new RangeError('a customer record needs an id and a name');
    this.pendingLinkId = record.customerId;
    chat.sendSignal('customer.linked', { name });
  }

  private pendingLinkId?: string;

  private onLinked(id: string, name: string, mine: boolean): void {
    const customerId = mine ? this.pendingLinkId ?? this._state.link?.customerId : undefined;
    this.update({ link: { name, ...(customerId ? { customerId } : {}) } });
    const text = mine ? `Chat linked to customer record: ${name}` : `${this.peerName()} linked this chat to your customer account (${name})`;
    this.systemLine(text, `sys-link-${id}`);
    this.emit('customer-linked', { name, ...(customerId ? { customerId } : {}) });
  }

  pushPage(url: string, title?: string): void {
    const chat = this.chat;
    if (!chat) throw new Error('not connected');
    if (this._state.descriptor?.self.role !== 'agent') throw new Error('only the agent sends pages');
    const check = checkPageUrl(url, this.options.pagePolicy);
    if (!check.ok) {
      this.emit('page-refused', { url, reason: check.reason });
      throw new PageRefusedError(url, check.reason);
    }
    const cleanTitle = title?.trim().slice(0, 200) || undefined;
    chat.sendSignal('page.push', { url: check.url.href, ...(cleanTitle ? { title: cleanTitle } : {}) });
  }

  openPage(pushId: string): { url: string; sameOrigin: boolean } {
    const card = this._state.transcript.find((e) => e.kind === 'page' && e.id === pushId);
    if (!card || card.kind !== 'page') throw new Error('no such page');
    // Checked again at the click: the URL rules are the customer's, not the sender's.
    const check = checkPageUrl(card.url, this.options.pagePolicy);
    if (!check.ok) throw new PageRefusedError(card.url, check.reason);
    if (!card.opened) this.chat?.sendSignal('page.opened', { pushId });
    this.onPageOpened(pushId);
    return { url: check.url.href, sameOrigin: check.url.origin === globalThis.location?.origin };
  }

  private onPagePush(id: string, url: string, title: string | undefined, ts: number, mine: boolean): void {
    if (this._state.transcript.some((e) => e.id === id)) return;
    const check = checkPageUrl(url, this.options.pagePolicy);
    if (!check.ok) {
      // The customer's rules win: the card never appears, the refusal is reported.
      this.emit('page-refused', { url, reason: check.reason });
      this.emit('protocol-error', { reason: `pushed page refused: ${check.reason}` });
      return;
    }
    const card = { kind: 'page' as const, id, url: check.url.href, title, host: check.url.host, ts, mine, opened: false };
    this.update({ transcript: [...this._state.transcript, card] });
    this.emit('page-push', { pushId: id, url: card.url, title });
  }

  private onPageOpened(pushId: string): void {
    let url: string | undefined;
    const transcript = this._state.transcript.map((e): TranscriptEntry => {
      if (e.kind !== 'page' || e.id !== pushId || e.opened) return e;
      url = e.url;
      return { ...e, opened: true };
    });
    if (url === undefined) return;
    this.update({ transcript });
    this.emit('page-opened', { pushId, url });
  }

  offerCobrowse(): void {
    this.requireCobrowse().offer();
  }

  answerCobrowse(accept: boolean): void {
    this.requireCobrowse().answer(accept);
  }

  requestControl(): void {
    this.requireCobrowse().requestControl();
  }

  answerControl(granted: boolean): void {
    this.requireCobrowse().answerControl(granted);
  }

  stopCobrowse(reason?: string): void {
    this.cobrowse?.stop(reason);
  }

  attachReplayTarget(el: HTMLElement): ReplayTargetHandle {
    return this.requireCobrowse().attachReplayTarget(el);
  }

  /** Customer: sends what the cobrowse recorder holds now (bench and tests). */
  flushCobrowse(): Promise<void> {
    return this.cobrowse?.flush() ?? Promise.resolve();
  }

  private requireCobrowse(): CobrowseSession {
    if (!this.cobrowse) throw new Error('not connected');
    return this.cobrowse;
  }

  private wireCobrowse(chat: ChatSession, d: ConversationDescriptor, consent: ConsentStore): void {
    const cobrowse = new CobrowseSession(chat, d, consent, this.options.cobrowse, () => this._state.peer?.participant.display ?? d.peer?.display);
    this.cobrowse = cobrowse;
    const agentIsMe = d.self.role === 'agent';
    const agent = () => (agentIsMe ? 'You' : this.peerName());
    const customer = () => (agentIsMe ? this.peerName() : 'You');
    cobrowse.on('change', ({ cobrowse: c }) => {
      this.update({ cobrowse: c });
      this.emit('cobrowse-state', { cobrowse: c });
    });
    cobrowse.on('cobrowse-offer', (detail) => {
      this.emit('cobrowse-offer', detail);
      this.systemLine(`${agent()} offered to view ${agentIsMe ? 'the customer’s' : 'your'} page (cobrowse)`, `sys-cb-offer-${detail.offerId}`);
    });
    cobrowse.on('cobrowse-answer', (detail) => {
      this.emit('cobrowse-answer', detail);
      this.systemLine(detail.accept ? `${customer()} shared ${agentIsMe ? 'their' : 'your'} page` : `${customer()} declined cobrowse`, `sys-cb-answer-${detail.offerId}`);
    });
    cobrowse.on('cobrowse-control', (detail) => {
      this.emit('cobrowse-control', detail);
      const text = {
        requested: `${agent()} asked to control the page`,
        granted: `${customer()} gave control of the page`,
        denied: `${customer()} kept control of the page`,
        revoked: 'Remote control ended',
      }[detail.control];
      this.systemLine(text, `sys-cb-control-${detail.control}-${detail.requestId}`);
    });
    cobrowse.on('cobrowse-stop', (detail) => {
      this.emit('cobrowse-stop', detail);
      this.systemLine(`${detail.by === d.self.role ? 'You' : this.peerName()} ended cobrowse`, `sys-cb-stop-${detail.stopId}`);
    });
    cobrowse.on('cobrowse-action', (detail) => this.emit('cobrowse-action', detail));
  }

  /**
   * This browser's key and certificate for the conversation, and a verifier
   * holding every certificate the descriptor lists. A key without a
   * certificate is registered (registerKey) or the connection fails: nothing
   * unsigned or unverifiable is ever sent or accepted.
   */
  private async authenticate(d: ConversationDescriptor): Promise<ChatAuth> {
    const identity = this.options.signingKey ?? (await signingIdentityFor(d.id, d.self.role, this.options.signingKeys));
    const verifier = new EnvelopeVerifier(d.id, d.auth.authority);
    const add = async (certs: readonly string[]) => {
      for (const c of certs) {
        const r = await verifier.addCertificate(c);
        if (!r.ok) this.emit('protocol-error', { reason: `descriptor certificate refused: ${r.reason}` });
      }
    };
    await add(d.auth.certs);
    const own = () => verifier.certificates().find((c) => c.kid === identity.kid && c.sub === d.self.id && c.role === d.self.role);
    if (!own() && this.options.registerKey) {
      const registered = await this.options.registerKey(d, identity.publicKey);
      await add([registered.cert, ...registered.auth.certs]);
    }
    const cert = own();
    if (!cert) throw new Error('This browser’s signing key is not certified for this conversation; reload to get a new descriptor');
    return { signer: new EnvelopeSigner(d.id, identity.kid, identity.keyPair.privateKey), verifier, cert: cert.text };
  }

  private requireVideo(): VideoSession {
    if (!this.video) throw new Error('not connected');
    return this.video;
  }

  private peerName(): string {
    return this._state.peer?.participant.display ?? (this._state.descriptor?.self.role === 'agent' ? 'The customer' : 'The agent');
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.flushSave();
    this.teardown();
    if (this._state.status !== 'failed') this.update({ status: 'closed' });
  }

  private teardown(): void {
    this.clearGoneTimer();
    this.video?.dispose();
    this.cobrowse?.dispose();
    globalThis.removeEventListener?.('pagehide', this.onPageHide);
    this.chat?.dispose();
    this.gateway?.dispose();
  }

  private onMessage(m: { id: string; from: string; text: string; ts: number; seq: number }, mine: boolean): void {
    if (this._state.transcript.some((e) => e.id === m.id)) return;
    const d = this._state.descriptor;
    if (!d) return;
    const from: Participant = mine ? d.self : this.participantFor(m.from);
    // History replays our own earlier messages: they reached the room, so at least 'sent'.
    const message: TranscriptMessage = { kind: 'message', id: m.id, from, text: m.text, ts: m.ts, seq: m.seq, mine, delivery: mine ? 'sent' : 'delivered' };
    const typingPeer = this._state.peer && !mine && this._state.peer.participant.id === m.from ? { ...this._state.peer, typing: false } : this._state.peer;
    this.update({ transcript: insertMessage(this._state.transcript, message), peer: typingPeer });
    if (!mine) this.emit('message-received', { message });
  }

  private participantFor(id: string): Participant {
    const d = this._state.descriptor!;
    if (d.peer?.id === id) return d.peer;
    if (this._state.peer?.participant.id === id) return this._state.peer.participant;
    const role = d.self.role === 'agent' ? 'customer' : 'agent';
    return { id, role, display: this.chat?.displayOf(id) ?? (role === 'agent' ? 'Agent' : 'Customer') };
  }

  private onPresence(present: ReadonlyMap<string, string>): void {
    const d = this._state.descriptor;
    if (!d) return;
    const expected = d.peer?.id ?? this._state.peer?.participant.id;
    const peerId = expected && present.has(expected) ? expected : present.keys().next().value;
    if (!peerId) {
      const peer = this._state.peer;
      // Only someone we saw can drop out; 'waiting' stays waiting, and an absence keeps its start.
      if (peer?.presence === 'online') {
        this.update({ peer: { ...peer, online: false, presence: 'away', awaySince: Date.now(), typing: false } });
        this.armGoneTimer();
      }
      return;
    }
    this.clearGoneTimer();
    const base = this.participantFor(peerId);
    const display = present.get(peerId) ?? base.display;
    const participant: Participant = { ...base, display: display === peerId ? base.display : display };
    const wasOnline = this._state.peer?.online === true;
    this.update({ peer: { participant, online: true, presence: 'online', typing: this._state.peer?.typing ?? false } });
    if (this.saidLeft) {
      this.saidLeft = false;
      this.systemLine(`${participant.display} is back in the conversation`);
    }
    if (!wasOnline && !this.peerEverOnline) {
      this.peerEverOnline = true;
      const already = this._state.transcript.some((e) => e.kind === 'system' && e.id === `joined-${peerId}`);
      if (!already) this.systemLine(`${participant.display} joined the conversation`, `joined-${peerId}`);
    }
  }

  private armGoneTimer(): void {
    this.clearGoneTimer();
    const since = this._state.peer?.awaySince ?? Date.now();
    const wait = Math.max(0, since + (this.options.peerGoneMs ?? PEER_GONE_MS) - Date.now());
    this.goneTimer = setTimeout(() => {
      this.goneTimer = undefined;
      this.declareGone();
    }, wait);
  }

  private clearGoneTimer(): void {
    clearTimeout(this.goneTimer);
    this.goneTimer = undefined;
    this.goneDue = false;
  }

  /** The other side has been away for peerGoneMs: now it counts as having left, and the transcript says so. */
  private declareGone(): void {
    const peer = this._state.peer;
    if (peer?.presence !== 'away') return;
    // While our own connection is being rebuilt we cannot see whether they are back: decide once we can (see update()).
    if (this._state.status !== 'connected') {
      this.goneDue = true;
      return;
    }
    this.goneDue = false;
    this.saidLeft = true;
    this.update({ peer: { ...peer, presence: 'gone' } });
    this.systemLine(`${peer.participant.display} left the conversation`);
  }

  private systemLine(text: string, id = `sys-${globalThis.crypto.randomUUID()}`): void {
    if (this._state.transcript.some((e) => e.id === id)) return;
    this.update({ transcript: [...this._state.transcript, { kind: 'system', id, text, ts: Date.now() }] });
  }

  private setDelivery(id: string, delivery: 'sent' | 'delivered'): void {
    const rank = { sending: 0, sent: 1, delivered: 2 } as const;
    let changed = false;
    const transcript = this._state.transcript.map((e): TranscriptEntry => {
      if (e.kind !== 'message' || e.id !== id || rank[e.delivery] >= rank[delivery]) return e;
      changed = true;
      return { ...e, delivery };
    });
    if (changed) this.update({ transcript });
  }

  private update(patch: Partial<ConversationState>): void {
    if (patch.transcript && patch.transcript.length > MAX_TRANSCRIPT) patch = { ...patch, transcript: patch.transcript.slice(-MAX_TRANSCRIPT) };
    this._state = { ...this._state, ...patch };
    if (patch.transcript) this.scheduleSave();
    this.emit('change', { state: this._state });
    // Back in the room (its presence already updated): an absence that outlasted peerGoneMs meanwhile is decided now.
    if (this.goneDue && patch.status === 'connected') this.declareGone();
  }

  private scheduleSave(): void {
    if (!this.options.store || this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.flushSave(), 250);
  }

  private flushSave(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    const d = this._state.descriptor;
    if (d && this.options.store) this.options.store.save(d.id, this._state.transcript);
  }
}
