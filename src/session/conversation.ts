import { ChatSession, chatText, textRoomTransport, type ChatAuth, type IncomingChatMessage } from '../chat/index.js';
import { GatewayConnection } from '../janus/gateway-connection.js';
import { sleep } from '../util/abort.js';
import {
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
import { CodedError, english, type MessageKey, type Params } from '../i18n/index.js';
import {
  canSend,
  type ConnectionStatus,
  type ConversationController,
  type ConversationEventDetails,
  type ConversationState,
  type ReplayTargetHandle,
  type TranscriptEntry,
  type TranscriptMessage,
} from './conversation-state.js';
import { insertMessage, type TranscriptStore } from './transcript.js';
import { LazyVideoSession } from './lazy-video.js';
import type { VideoSessionOptions } from './video-state.js';
import { memoryConsentStore, type ConsentStore } from './consent.js';
import { browserSigningKeys, signingIdentityFor, type SigningIdentity, type SigningKeyStore } from './signing-keys.js';
import { LazyCobrowseSession, type CobrowseSessionOptions } from './lazy-cobrowse.js';
import { LazyCustomerLink, LazyPagePush } from './lazy-pages-link.js';
import type { TranscriptHost } from './feature-host.js';


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
  /**
   * The descriptor as the broker has it now. Asked while the gateway cannot
   * be reached (every few seconds): when the broker moved the conversation to
   * another Janus (the old one died), the conversation follows it there —
   * the outbox keeps what was written meanwhile, video restarts.
   */
  refreshDescriptor?: (descriptor: ConversationDescriptor, signal: AbortSignal) => Promise<ConversationDescriptor>;
  /** Video tuning: warm start (on by default) and how long an invitation waits for an answer. */
  video?: VideoSessionOptions;
}

/**
 * A new conversation with `options`: what the elements use when they make
 * their own (they never build a Conversation themselves).
 */
export function createConversation(options: ConversationOptions = {}): ConversationController {
  return new Conversation(options);
}

/** Default of ConversationOptions.peerGoneMs: after 2 minutes away the other side counts as having left. */
export const PEER_GONE_MS = 120_000;

/** After the gateway went away, the broker is first asked where the conversation lives after this long, then this often. */
const FOLLOW_FIRST_MS = 3000;
const FOLLOW_EVERY_MS = 4000;

/** Most transcript entries kept in memory; older ones remain in the room's history and the broker's record. */
const MAX_TRANSCRIPT = 5000;

/**
 * One conversation: gateway connection, chat, presence and transcript, with
 * one sub-controller per feature (`video`, `cobrowse`, `pages`, `link`), each
 * with its own state and actions. Every event of the sub-controllers is also
 * fired by the conversation, and `state` is a snapshot of all of it.
 * Framework-free.
 */
export class Conversation extends TypedEventTarget<ConversationEventDetails> implements ConversationController {
  readonly video: LazyVideoSession;
  readonly cobrowse: LazyCobrowseSession;
  readonly pages: LazyPagePush;
  readonly link: LazyCustomerLink;
  private _state: ConversationState;
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
    const host: TranscriptHost = {
      transcript: () => this._state.transcript,
      setTranscript: (transcript) => this.update({ transcript }),
      systemLine: (code, params, id) => this.systemLine(code, params, id),
      peerName: () => this.peerName(),
      protocolError: (reason) => this.emit('protocol-error', { reason }),
    };
    this.video = new LazyVideoSession(options.video);
    this.cobrowse = new LazyCobrowseSession(options.cobrowse, () => this._state.peer?.participant.display ?? this._state.descriptor?.peer?.display);
    this.pages = new LazyPagePush(host, options.pagePolicy);
    this.link = new LazyCustomerLink(host);
    this._state = { status: 'idle', transcript: [], protocolErrors: 0, video: this.video.state, cobrowse: this.cobrowse.state };
    this.followVideo();
    this.followCobrowse();
    for (const type of ['page-push', 'page-refused', 'page-opened'] as const) this.pages.on(type, (detail) => this.emit(type, detail));
    this.link.on('change', ({ link }) => this.update({ link: link.link }));
    this.link.on('customer-linked', (detail) => this.emit('customer-linked', detail));
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
    const chat = new ChatSession(textRoomTransport(gateway), d, auth, history ? { history: (s) => history(d, s) } : {});
    this.chat = chat;
    const consent = this.options.consent ?? memoryConsentStore();
    gateway.on('status', ({ status, reason }) => {
      if (status === 'reconnecting') this.update({ status: 'reconnecting', error: reason });
      if (status === 'reconnecting') this.followWhileAway(gateway);
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
        // The conversation ended (its room is gone): a call still running stops (devices released); what this browser
        // agreed to and its key end with it.
        this.video.conversationEnded();
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
    this.video.bind({ signals: chat, gateway, descriptor: d, consent });
    this.cobrowse.bind({ signals: chat, descriptor: d, consent });
    this.pages.bind(chat, d);
    this.link.bind(chat, d);
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
      throw new CodedError(this._state.status === 'closed' ? 'error.conversation-ended' : 'error.not-connected');
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

  // ---- the facade of earlier versions: kept so existing callers work, to be removed in 1.0 ----

  /** @deprecated Use `video.start(mode)`. */
  startVideo(mode: VideoMode): void { this.video.start(mode); }
  /** @deprecated Use `video.answer(accept)`. */
  answerInvite(accept: VideoMode | false): void { this.video.answer(accept); }
  /** @deprecated Use `video.end()`. */
  endVideo(): void { this.video.end(); }
  /** @deprecated Use `video.setMuted(muted)`. */
  setMuted(muted: boolean): void { this.video.setMuted(muted); }
  /** @deprecated Use `video.setPaused(paused)`. */
  setVideoPaused(paused: boolean): Promise<void> { return this.video.setPaused(paused); }
  /** @deprecated Use `video.switchDevice(kind, deviceId)`. */
  switchDevice(kind: 'audio' | 'video', deviceId: string): Promise<void> { return this.video.switchDevice(kind, deviceId); }
  /** @deprecated Use `video.listDevices()`. */
  listDevices() { return this.video.listDevices(); }
  /** @deprecated Use `video.peerConnections()`. */
  videoPeerConnections(): RTCPeerConnection[] { return this.video.peerConnections(); }
  /** @deprecated Use `video.subscribedFeed`. */
  videoSubscribedFeed(): string | undefined { return this.video.subscribedFeed; }
  /** @deprecated Use `pages.push(url, title)`. */
  pushPage(url: string, title?: string): void { this.pages.push(url, title); }
  /** @deprecated Use `pages.open(pushId)`. */
  openPage(pushId: string): { url: string; sameOrigin: boolean } { return this.pages.open(pushId); }
  /** @deprecated Use `link.linkTo(record)`. */
  linkCustomer(record: { customerId: string; name: string }): void { this.link.linkTo(record); }
  /** @deprecated Use `cobrowse.offer()`. */
  offerCobrowse(): void { this.cobrowse.offer(); }
  /** @deprecated Use `cobrowse.answer(accept)`. */
  answerCobrowse(accept: boolean): void { this.cobrowse.answer(accept); }
  /** @deprecated Use `cobrowse.requestControl()`. */
  requestControl(): void { this.cobrowse.requestControl(); }
  /** @deprecated Use `cobrowse.answerControl(granted)`. */
  answerControl(granted: boolean): void { this.cobrowse.answerControl(granted); }
  /** @deprecated Use `cobrowse.stop(reason)`. */
  stopCobrowse(reason?: string): void { this.cobrowse.stop(reason); }
  /** @deprecated Use `cobrowse.attachReplayTarget(el)`. */
  attachReplayTarget(el: HTMLElement): ReplayTargetHandle { return this.cobrowse.attachReplayTarget(el); }
  /** @deprecated Use `cobrowse.flush()`. */
  flushCobrowse(): Promise<void> { return this.cobrowse.flush(); }
  /** @deprecated Use `cobrowse.recording`. */
  get cobrowseRecording(): boolean { return this.cobrowse.recording !== undefined; }

  // ---- what the features write in the transcript ----

  private followVideo(): void {
    const video = this.video;
    const selfRole = () => this._state.descriptor?.self.role;
    video.on('change', ({ video: v }) => this.update({ video: v }));
    video.on('video-invite', (detail) => {
      this.emit('video-invite', detail);
      const id = `sys-invite-${detail.inviteId}`;
      if (detail.from === selfRole()) this.systemLine('sys.video-invite.self', { mode: detail.mode }, id);
      else this.systemLine('sys.video-invite.peer', { name: this.peerName(), mode: detail.mode }, id);
    });
    video.on('invite-answer', (detail) => {
      this.emit('invite-answer', detail);
      const id = `sys-answer-${detail.inviteId}`;
      const me = selfRole() === 'customer';
      const name = this.peerName();
      if (detail.accept === false) this.systemLine(me ? 'sys.video-decline.self' : 'sys.video-decline.peer', me ? {} : { name }, id);
      else this.systemLine(me ? 'sys.video-accept.self' : 'sys.video-accept.peer', me ? { mode: detail.accept } : { name, mode: detail.accept }, id);
    });
    video.on('video-start', (detail) => {
      this.emit('video-start', detail);
      this.systemLine('sys.video-start', { mode: detail.mode }, `sys-start-${detail.session}`);
    });
    video.on('video-end', (detail) => {
      this.emit('video-end', detail);
      this.systemLine(detail.network ? 'sys.video-end-network' : 'sys.video-end', {}, `sys-end-${detail.session}`);
    });
    video.on('media-state', (detail) => this.emit('media-state', detail));
    video.on('call-quality', (detail) => this.emit('call-quality', detail));
    video.on('network-step', (detail) => {
      this.emit('network-step', detail);
      const { step, mine, id } = detail;
      // Video off/back is said of whose video it is; the others of the call.
      if (step === 'video-off' || step === 'video-back') this.systemLine(`sys.net-${step}.${mine ? 'self' : 'peer'}`, mine ? {} : { name: this.peerName() }, `sys-net-${id}`);
      else this.systemLine(`sys.net-${step}`, {}, `sys-net-${id}`);
    });
  }

  private followCobrowse(): void {
    const cobrowse = this.cobrowse;
    const agentIsMe = () => this._state.descriptor?.self.role === 'agent';
    /** A line said by whoever `byMe` says: `<base>.self`, or `<base>.peer` with the other side's name. */
    const line = (base: string, byMe: boolean, id: string) =>
      this.systemLine(`${base}.${byMe ? 'self' : 'peer'}` as MessageKey, byMe ? {} : { name: this.peerName() }, id);
    cobrowse.on('change', ({ cobrowse: c }) => {
      this.update({ cobrowse: c });
      this.emit('cobrowse-state', { cobrowse: c });
    });
    cobrowse.on('cobrowse-offer', (detail) => {
      this.emit('cobrowse-offer', detail);
      line('sys.cobrowse-offer', agentIsMe(), `sys-cb-offer-${detail.offerId}`);
    });
    cobrowse.on('cobrowse-answer', (detail) => {
      this.emit('cobrowse-answer', detail);
      line(detail.accept ? 'sys.cobrowse-share' : 'sys.cobrowse-decline', !agentIsMe(), `sys-cb-answer-${detail.offerId}`);
    });
    cobrowse.on('cobrowse-control', (detail) => {
      this.emit('cobrowse-control', detail);
      const id = `sys-cb-control-${detail.control}-${detail.requestId}`;
      if (detail.control === 'revoked') this.systemLine('sys.control-end', {}, id);
      else if (detail.control === 'requested') line('sys.control-request', agentIsMe(), id);
      else line(detail.control === 'granted' ? 'sys.control-grant' : 'sys.control-deny', !agentIsMe(), id);
    });
    cobrowse.on('cobrowse-stop', (detail) => {
      this.emit('cobrowse-stop', detail);
      line('sys.cobrowse-stop', detail.by === this._state.descriptor?.self.role, `sys-cb-stop-${detail.stopId}`);
    });
    cobrowse.on('cobrowse-action', (detail) => this.emit('cobrowse-action', detail));
  }

  /**
   * While the gateway cannot be reached, asks the broker (refreshDescriptor)
   * every few seconds where the conversation lives now, and follows it to
   * another Janus. The first ask waits a moment: most outages are a dropped
   * socket that the reconnect loop mends by itself.
   */
  private followWhileAway(gateway: GatewayConnection): void {
    const refresh = this.options.refreshDescriptor;
    if (!refresh || this.following) return;
    const abort = new AbortController();
    this.following = abort;
    const stop = gateway.on('status', ({ status }) => {
      if (status === 'connected' || status === 'closed') {
        abort.abort();
        stop();
      }
    });
    void (async () => {
      try {
        for (let wait = FOLLOW_FIRST_MS; !abort.signal.aborted; wait = FOLLOW_EVERY_MS) {
          await sleep(wait, abort.signal);
          const current = this._state.descriptor;
          if (!current) return;
          let fresh: ConversationDescriptor;
          try {
            fresh = await refresh(current, abort.signal);
          } catch {
            continue; // the broker may be away too: ask again later
          }
          if (abort.signal.aborted || fresh.id !== current.id || fresh.gateway === current.gateway) continue;
          this.update({ descriptor: { ...current, gateway: fresh.gateway } });
          gateway.moveTo(fresh.gateway);
        }
      } catch {
        // aborted: the gateway is back (or gone for good)
      } finally {
        if (this.following === abort) this.following = undefined;
        stop();
      }
    })();
  }

  private following?: AbortController;

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
    this.video.dispose();
    this.cobrowse.dispose();
    this.pages.dispose();
    this.link.dispose();
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
      this.systemLine('sys.peer-back', { name: participant.display });
    }
    if (!wasOnline && !this.peerEverOnline) {
      this.peerEverOnline = true;
      const already = this._state.transcript.some((e) => e.kind === 'system' && e.id === `joined-${peerId}`);
      if (!already) this.systemLine('sys.peer-joined', { name: participant.display }, `joined-${peerId}`);
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
    this.systemLine('sys.peer-left', { name: peer.participant.display });
  }

  /** Writes a system line as a code with parameters (rendered in each viewer's locale) and its English text. */
  private systemLine(code: MessageKey, params: Params, id = `sys-${globalThis.crypto.randomUUID()}`): void {
    if (this._state.transcript.some((e) => e.id === id)) return;
    const text = english(code, params as never);
    this.update({ transcript: [...this._state.transcript, { kind: 'system', id, text, ts: Date.now(), code, params }] });
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
