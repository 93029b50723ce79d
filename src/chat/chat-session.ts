import {
  createEnvelope,
  type BodyOf,
  MAX_CHAT_TEXT,
  type ConversationDescriptor,
  type EnvelopeSigner,
  type EnvelopeVerifier,
  type UnsignedEnvelope,
  type WireMessage,
  type WireType,
} from '../protocol/index.js';
import { sleep } from '../util/abort.js';
import { TypedEventTarget } from '../util/typed-event-target.js';
import { fingerprint, SeenIds, TokenBucket } from './limits.js';
import { Outbox, type OutboxEntry } from './outbox.js';
import { connectionUsername, isServiceUsername, participantIdOf } from './participant-id.js';
import type { EphemeralType, ReliableSignalType, RoomChannel, RoomTransport, SignalChannel, SignalMessage } from './room.js';

export type ChatStatus = 'idle' | 'joining' | 'ready' | 'rejoining' | 'closed';

export interface IncomingChatMessage {
  id: string;
  from: string;
  text: string;
  ts: number;
  seq: number;
}

export interface ChatEvents {
  status: { status: ChatStatus; reason?: string };
  /** A chat message from anyone (including our own earlier connections, via history); once per id. */
  message: { message: IncomingChatMessage; mine: boolean };
  /** Our message was relayed by Janus ('sent') or acknowledged by the other side ('delivered'). */
  delivery: { id: string; delivery: 'sent' | 'delivered' };
  /** Participant ids present in the room besides us. */
  presence: { present: ReadonlyMap<string, string> };
  typing: { from: string; active: boolean };
  /** A control message (video.*, page.*, cobrowse.*, …) from either side, once per id, in room order (history included). */
  signal: { message: SignalMessage; mine: boolean };
  'protocol-error': { reason: string; from?: string };
}

export interface ChatSessionOptions {
  /** Resend unacked messages this long after the last try. */
  resendAfterMs?: number;
  /** Envelopes accepted per second from one connection, and the burst (history on join arrives at once). */
  perConnectionRate?: { perSecond: number; burst: number };
  /** After each (re)join, how long envelopes signed by a key we have no certificate for may wait for it (default 3 s). */
  unknownKeyWaitMs?: number;
  /**
   * The conversation's record from elsewhere (the broker's archive): signed
   * wire texts, oldest first. Asked on the first join and after a session was
   * rebuilt; each text passes the same gate as a room message. Best effort: a
   * failure leaves the room's own history.
   */
  history?: (signal: AbortSignal) => Promise<readonly string[]>;
}

/** How this participant signs and how it checks what it receives (see src/protocol/signing.ts). */
export interface ChatAuth {
  signer: EnvelopeSigner;
  verifier: EnvelopeVerifier;
  /** Our own broker certificate: whispered to the other side whenever either of us joins. */
  cert: string;
}

const TYPING_TTL_MS = 6000;
const TYPING_REFRESH_MS = 3000;
/** Envelopes held behind one whose certificate has not arrived yet, in all. */
const MAX_HELD = 512;
const DEFAULT_RATE = { perSecond: 300, burst: 600 };
/** How long the room's messages wait behind the archive's (so older messages come first); a later answer still counts. */
const HISTORY_WAIT_MS = 4000;
/** Types delivered once per id (reliable, acked, in history); the ephemeral ones are not deduped. */
const RELIABLE: ReadonlySet<WireType> = new Set<WireType>([
  'chat.message', 'video.invite', 'video.answer', 'video.start', 'video.end', 'video.publish', 'media.state', 'media.network', 'page.push', 'page.opened',
  'customer.linked', 'cobrowse.offer', 'cobrowse.answer', 'cobrowse.control-request', 'cobrowse.control-grant', 'cobrowse.stop',
]);

/**
 * The chat of one conversation over its TextRoom: signed envelopes, an outbox
 * that resends until the other side acks, dedupe by id, typing, presence,
 * history on (re)join. Survives gateway reconnects and session loss by
 * rejoining.
 *
 * Every envelope received passes one gate (EnvelopeVerifier.open): signature,
 * certificate, sender and role. What fails it is dropped and reported once
 * ('protocol-error'); nothing a participant chooses itself (room username,
 * `from`) decides who said something.
 */
export class ChatSession extends TypedEventTarget<ChatEvents> implements SignalChannel {
  private channel?: RoomChannel;
  private readonly outbox = new Outbox();
  private readonly seen = new SeenIds();
  private readonly buckets = new Map<string, TokenBucket>();
  /**
   * Room order is kept: once an envelope waits for its signer's certificate,
   * everything after it waits too (a customer's answer must not overtake
   * the offer it answers). The head waits at most unknownKeyWaitMs.
   */
  private readonly held: Array<{ username?: string; text: string }> = [];
  private heldTimer?: ReturnType<typeof setTimeout>;
  /**
   * Until when an unknown key may still be waited for: a few seconds after
   * each (re)join, while the room's history arrives and the other side
   * whispers its certificate. Afterwards every live envelope's key is known
   * (each side sends its certificate before anything else), so an unknown one
   * is refused at once: nobody can stall the chat by inventing keys.
   */
  private holdUntil = 0;
  private inbox: Promise<void> = Promise.resolve();
  private readonly present = new Map<string, Set<string>>(); // participantId -> usernames
  private readonly displays = new Map<string, string>();
  private readonly pendingAcks = new Map<string, string[]>(); // participantId -> ids
  private ackTimer?: ReturnType<typeof setTimeout>;
  private resendTimer?: ReturnType<typeof setInterval>;
  private readonly typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private typingActive = false;
  private typingSentAt = 0;
  private seq = 0;
  private _status: ChatStatus = 'idle';
  private readonly lifetime = new AbortController();
  private readonly unsubscribe: Array<() => void> = [];
  private rejoining = false;
  /** Aborted when the transport is connected again: the rejoin loop stops waiting. */
  private rejoinWake?: AbortController;
  /** The next (re)join asks `options.history` first: on the first join and after the gateway session was rebuilt. */
  private historyDue = true;

  readonly selfId: string;
  private readonly selfRole: ConversationDescriptor['self']['role'];

  constructor(
    /** Where the room is joined: the Janus TextRoom (textRoomTransport), or an in-memory room in tests. */
    private readonly transport: RoomTransport,
    private readonly descriptor: ConversationDescriptor,
    private readonly auth: ChatAuth,
    private readonly options: ChatSessionOptions = {},
  ) {
    super();
    this.selfId = descriptor.self.id;
    this.selfRole = descriptor.self.role;
  }

  get status(): ChatStatus {
    return this._status;
  }

  get unacked(): number {
    return this.outbox.size;
  }

  /** Display names of participants seen in the room, by participant id. */
  displayOf(participantId: string): string | undefined {
    return this.displays.get(participantId);
  }

  async join(signal?: AbortSignal): Promise<void> {
    this.setStatus('joining');
    this.unsubscribe.push(
      this.transport.onSessionReplaced(() => {
        // A new session may mean a restarted Janus whose rooms lost their history: ask the record again.
        this.historyDue = true;
        void this.rejoin('gateway session replaced');
        this.rejoinWake?.abort();
      }),
    );
    if (this.transport.onConnected) this.unsubscribe.push(this.transport.onConnected(() => this.rejoinWake?.abort()));
    await this.openChannel(signal);
    this.resendTimer = setInterval(() => this.resendDue(), 1000);
  }

  /** Queues a chat message; it is sent now if joined, else on (re)join, until acked. */
  send(text: string): IncomingChatMessage {
    const trimmed = chatText(text);
    const env = createEnvelope('chat.message', this.selfId, { text: trimmed, seq: this.seq++ });
    this.queue(env);
    return { id: env.id, from: this.selfId, text: trimmed, ts: env.ts, seq: env.body.seq };
  }

  /**
   * Sends a control message with the same guarantees as chat (outbox until
   * acked, in the room's history for rejoiners). Returns its envelope.
   */
  sendSignal<T extends ReliableSignalType>(type: T, body: BodyOf<T>): SignalMessage {
    const env = { ...createEnvelope(type, this.selfId, body), kid: this.auth.signer.kid } as SignalMessage;
    this.queue(env);
    // Our own signal takes effect here at once, in the order we sent it; the room's echo is deduped.
    queueMicrotask(() => this.emit('signal', { message: env, mine: true }));
    return env;
  }

  /** Puts an envelope in the outbox; it goes out once signed (signatures complete in call order). */
  private queue(env: UnsignedEnvelope): OutboxEntry {
    this.seen.add(env.id, env.ts, contentPrint(env));
    const entry = this.outbox.add(env.id);
    this.auth.signer.seal(env).then(
      (wire) => {
        entry.wire = wire;
        if (this.channel?.isReady) this.transmit(entry.id);
      },
      (e: unknown) => this.emit('protocol-error', { reason: `could not sign a message: ${e instanceof Error ? e.message : String(e)}` }),
    );
    return entry;
  }

  /** Signs and whispers to `to` (usernames), best effort. */
  private whisper(env: UnsignedEnvelope, to: () => string[]): void {
    this.auth.signer.seal(env).then((wire) => {
      const channel = this.channel;
      const targets = to();
      if (!channel?.isReady || targets.length === 0) return;
      return channel.send(wire, { to: targets });
    }).catch(() => { /* best effort: the receiver notices gaps itself, typing and acks are repeated */ });
  }

  /**
   * Whispers a message to the other side's current connections: not queued,
   * not acked, not kept in the room's history. Returns false when it could
   * not go out (not joined, or nobody else in the room); the caller decides
   * whether that matters.
   */
  sendEphemeral<T extends EphemeralType>(type: T, body: BodyOf<T>): boolean {
    if (!this.channel?.isReady || this.peerUsernames().length === 0) return false;
    this.whisper(createEnvelope(type, this.selfId, body), () => this.peerUsernames());
    return true;
  }

  /**
   * Puts a message written by an earlier page of ours (not yet acknowledged
   * when that page went away) back in the outbox, same id, so it is delivered
   * once.
   */
  requeue(message: IncomingChatMessage): void {
    if (this.seen.has(message.id)) return;
    // What we write next must come after it in our own order.
    this.seq = Math.max(this.seq, message.seq + 1);
    // Same id, text, time and sequence number: the other side dedupes it if the first copy did arrive.
    this.queue(createEnvelope('chat.message', this.selfId, { text: message.text, seq: message.seq }, message.id, message.ts));
  }

  setTyping(active: boolean): void {
    const now = Date.now();
    if (active === this.typingActive && (!active || now - this.typingSentAt < TYPING_REFRESH_MS)) return;
    this.typingActive = active;
    this.typingSentAt = now;
    if (!this.channel?.isReady || this.peerUsernames().length === 0) return;
    this.whisper(createEnvelope('chat.typing', this.selfId, { active }), () => this.peerUsernames());
  }

  dispose(): void {
    if (this._status === 'closed') return;
    this.lifetime.abort();
    this.rejoinWake?.abort();
    clearInterval(this.resendTimer);
    clearTimeout(this.ackTimer);
    for (const t of this.typingTimers.values()) clearTimeout(t);
    clearTimeout(this.heldTimer);
    this.held.length = 0;
    for (const u of this.unsubscribe) u();
    this.channel?.dispose();
    this.channel = undefined;
    this.setStatus('closed');
  }

  private async openChannel(signal?: AbortSignal): Promise<void> {
    this.channel?.dispose();
    this.present.clear();
    // History may arrive with the join itself; the window is set again once joined.
    this.holdUntil = Date.now() + 15_000;
    if (this.historyDue) {
      this.historyDue = false;
      this.loadHistory();
    }
    const channel = this.transport.channel({
      room: this.descriptor.textRoom.room,
      pin: this.descriptor.textRoom.pin,
      token: this.descriptor.token,
      username: connectionUsername(this.selfId),
      display: this.descriptor.self.display,
    });
    this.channel = channel;
    channel.on('ready', ({ participants }) => {
      for (const p of participants) this.addPresent(p.username, p.display);
      this.emitPresence();
      this.holdUntil = Date.now() + (this.options.unknownKeyWaitMs ?? 3000);
      this.setStatus('ready');
      // Our certificate first: the other side verifies everything after it with the key it certifies.
      this.sendCertificate(() => this.peerUsernames());
      this.flush();
    });
    channel.on('message', (m) => this.onRoomMessage(m.from, m.text));
    channel.on('join', (p) => {
      this.addPresent(p.username, p.display);
      this.emitPresence();
      if (participantIdOf(p.username) !== this.selfId && !isServiceUsername(p.username)) this.sendCertificate(() => [p.username]);
      // Someone (re)joined: whatever they have not acked goes out again now.
      this.flush();
    });
    channel.on('leave', ({ username }) => {
      const id = participantIdOf(username);
      const set = this.present.get(id);
      set?.delete(username);
      if (set && set.size === 0) {
        this.present.delete(id);
        this.clearTyping(id);
      }
      this.emitPresence();
    });
    channel.on('down', ({ reason }) => void this.rejoin(reason));
    channel.on('closed', ({ reason }) => {
      this.setStatus('closed', reason);
      this.dispose();
    });
    await channel.open(signal);
  }

  private async rejoin(reason: string): Promise<void> {
    if (this.rejoining || this.lifetime.signal.aborted) return;
    this.rejoining = true;
    this.setStatus('rejoining', reason);
    let delay = 250;
    try {
      while (!this.lifetime.signal.aborted) {
        const wake = (this.rejoinWake = new AbortController());
        if (this.transport.connected) {
          try {
            await this.openChannel(this.lifetime.signal);
            return;
          } catch {
            // fall through to back off
          }
        }
        // The gateway back (a new session, or ours reclaimed) ends the wait: the link is back, so is the chat.
        if (!wake.signal.aborted) await sleep(delay, wake.signal).catch(() => {});
        delay = wake.signal.aborted ? 250 : Math.min(delay * 2, 4000);
      }
    } finally {
      this.rejoining = false;
      this.rejoinWake = undefined;
    }
  }

  private sendCertificate(to: () => string[]): void {
    this.whisper(createEnvelope('key.cert', this.selfId, { cert: this.auth.cert }), to);
  }

  private report(reason: string, from?: string): void {
    this.emit('protocol-error', from ? { reason, from } : { reason });
  }

  private onRoomMessage(username: string, text: string): void {
    // Cheap checks first, before any signature is verified: one connection cannot make us spend unbounded CPU.
    let bucket = this.buckets.get(username);
    if (!bucket) {
      const rate = this.options.perConnectionRate ?? DEFAULT_RATE;
      bucket = new TokenBucket(rate.perSecond, rate.burst);
      if (this.buckets.size >= 256) this.buckets.delete(this.buckets.keys().next().value as string);
      this.buckets.set(username, bucket);
    }
    if (!bucket.take()) {
      this.report('too many messages from one connection: dropped', participantIdOf(username));
      return;
    }
    // In arrival order: verification is asynchronous, the order of the room is not.
    this.inbox = this.inbox.then(() => this.receive(username, text)).catch(() => {});
  }

  /**
   * Asks for the record and puts it at the head of the inbox: the room's
   * messages (history and live) queue up behind it, so the record's older
   * messages come first and the overlap is deduped by id. If the record takes
   * longer than HISTORY_WAIT_MS the room goes on and the record is handled
   * when it comes.
   */
  private loadHistory(): void {
    const source = this.options.history;
    if (!source) return;
    // Best effort: no record (404 while the broker has none, 401, offline) leaves the room's own history.
    const fetched = source(this.lifetime.signal).catch((): readonly string[] => []);
    const inTime = new Promise<readonly string[] | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), HISTORY_WAIT_MS);
      void fetched.then((wires) => {
        clearTimeout(timer);
        resolve(wires);
      });
    });
    this.inbox = this.inbox.then(async () => {
      const wires = await inTime;
      if (wires) {
        await this.receiveArchived(wires);
        return;
      }
      void fetched.then((late) => {
        this.inbox = this.inbox.then(() => this.receiveArchived(late)).catch(() => {});
      });
    }).catch(() => {});
  }

  private async receiveArchived(wires: readonly string[]): Promise<void> {
    for (const text of wires) {
      if (this.lifetime.signal.aborted) return;
      if (typeof text === 'string') await this.receive(undefined, text);
    }
  }

  /** `username`: the room connection it came from; undefined for the record (the broker's archive). */
  private async receive(username: string | undefined, text: string): Promise<void> {
    if (this.lifetime.signal.aborted) return;
    if (this.held.length > 0) {
      // A certificate is what the held ones wait for: queued behind them it would only arrive once they were given up.
      // It shows nothing and changes no order, so it goes first.
      if (looksLikeKeyCert(text)) await this.process(username, text, false);
      else this.hold(username, text);
      return;
    }
    if (!(await this.process(username, text, Date.now() < this.holdUntil))) {
      this.hold(username, text);
      this.armHeldTimer();
    }
  }

  /**
   * Opens and handles one envelope; false when it waits (`mayWait`) for its
   * signer's certificate. `username` undefined: it comes from the record, not
   * from a room connection, so there is no connection name to check against
   * and only what the room would have replayed counts.
   */
  private async process(username: string | undefined, text: string, mayWait: boolean): Promise<boolean> {
    const r = await this.auth.verifier.open(text);
    if (this.lifetime.signal.aborted) return true;
    const claimed = username === undefined ? undefined : participantIdOf(username);
    const source = username === undefined ? 'message from the record refused: ' : '';
    if (r.kind === 'invalid') {
      this.report(`${source}${r.reason}`, claimed);
      return true;
    }
    if (r.kind === 'unknown-key') {
      if (!mayWait) this.report(`${source}signed with a key nobody certified`, claimed);
      return !mayWait;
    }
    const msg = r.message;
    // The key decides who wrote it; a connection named after someone else is not to be trusted with anything.
    if (claimed !== undefined && msg.from !== claimed) {
      this.report(`sender mismatch: signed by ${msg.from}, sent from a connection named for ${claimed}`, claimed);
      return true;
    }
    // From the record only what a room replays: never acks, typing or cobrowse whispers (a replayed action would be a second click).
    if (claimed === undefined && !RELIABLE.has(msg.type) && msg.type !== 'key.cert') return true;
    if (msg.type === 'key.cert') {
      // A new certificate: what waited for it can go on, in order, after this envelope.
      if (this.held.length > 0) queueMicrotask(() => { this.inbox = this.inbox.then(() => this.drain()).catch(() => {}); });
      return true;
    }
    const mine = r.sender.sub === this.selfId && r.sender.role === this.selfRole;
    if (RELIABLE.has(msg.type)) {
      const print = contentPrint(msg);
      const known = this.seen.fingerprint(msg.id);
      if (known !== undefined) {
        // Same id again: an honest resend (ack it again) or another message wearing a used id.
        if (known !== print) {
          this.report(`message id ${msg.id} reused for different content`, msg.from);
          return true;
        }
        if (!mine) this.queueAck(msg.from, msg.id);
        return true;
      }
      if (this.seen.forgotten(msg.ts)) {
        this.report('message older than what this page still remembers: dropped as a possible replay', msg.from);
        return true;
      }
      this.seen.add(msg.id, msg.ts, print);
    }
    this.handle(msg, mine);
    return true;
  }

  private hold(username: string | undefined, text: string): void {
    if (this.held.length >= MAX_HELD) {
      this.report('too many messages waiting for a certificate: dropped', username === undefined ? undefined : participantIdOf(username));
      return;
    }
    this.held.push({ username, text });
  }

  /**
   * Handles held envelopes in order until one still lacks its certificate;
   * once the window for certificates is over, whatever still lacks one is
   * reported and the rest go on.
   */
  private async drain(): Promise<void> {
    clearTimeout(this.heldTimer);
    this.heldTimer = undefined;
    while (this.held.length > 0 && !this.lifetime.signal.aborted) {
      const head = this.held[0];
      if (!(await this.process(head.username, head.text, Date.now() < this.holdUntil))) break;
      this.held.shift();
    }
    this.armHeldTimer();
  }

  private armHeldTimer(): void {
    if (this.held.length === 0 || this.heldTimer) return;
    this.heldTimer = setTimeout(() => {
      this.heldTimer = undefined;
      this.inbox = this.inbox.then(() => this.drain()).catch(() => {});
    }, Math.max(0, this.holdUntil - Date.now()));
  }

  /** A verified, first-seen envelope (acks go to its sender's current connections). */
  private handle(msg: WireMessage, mine: boolean): void {
    switch (msg.type) {
      case 'chat.message': {
        if (!mine) this.queueAck(msg.from, msg.id);
        if (!mine) this.clearTyping(msg.from);
        this.emit('message', { message: { id: msg.id, from: msg.from, text: msg.body.text, ts: msg.ts, seq: msg.body.seq }, mine });
        break;
      }
      case 'ack': {
        if (mine) return;
        for (const id of this.outbox.ack(msg.body.ids)) this.emit('delivery', { id, delivery: 'delivered' });
        break;
      }
      case 'chat.typing': {
        if (mine) return;
        this.clearTyping(msg.from);
        if (msg.body.active) {
          this.typingTimers.set(msg.from, setTimeout(() => this.clearTyping(msg.from), TYPING_TTL_MS));
          this.emit('typing', { from: msg.from, active: true });
        }
        break;
      }
      case 'chat.read':
      case 'key.cert':
        break;
      case 'video.invite':
      case 'video.answer':
      case 'video.start':
      case 'video.end':
      case 'video.publish':
      case 'media.state':
      case 'media.network':
      case 'page.push':
      case 'page.opened':
      case 'customer.linked':
      case 'cobrowse.offer':
      case 'cobrowse.answer':
      case 'cobrowse.control-request':
      case 'cobrowse.control-grant':
      case 'cobrowse.stop': {
        if (!mine) this.queueAck(msg.from, msg.id);
        this.emit('signal', { message: msg, mine });
        break;
      }
      case 'cobrowse.chunk':
      case 'cobrowse.resync':
      case 'cobrowse.pointer':
      case 'cobrowse.highlight':
      case 'cobrowse.action':
      case 'cobrowse.action-result': {
        // Ephemeral: whispered live, never in history; nothing to ack or dedupe.
        if (mine) return;
        this.emit('signal', { message: msg, mine: false });
        break;
      }
    }
  }

  private clearTyping(from: string): void {
    const t = this.typingTimers.get(from);
    if (t === undefined) return;
    clearTimeout(t);
    this.typingTimers.delete(from);
    this.emit('typing', { from, active: false });
  }

  /** `participantId`: the (verified) sender; the ack goes to whichever connections it has now. */
  private queueAck(participantId: string, id: string): void {
    const list = this.pendingAcks.get(participantId) ?? [];
    list.push(id);
    this.pendingAcks.set(participantId, list);
    // Batch acks: one whisper per burst instead of one per message.
    this.ackTimer ??= setTimeout(() => this.sendAcks(), 20);
  }

  private sendAcks(): void {
    this.ackTimer = undefined;
    const channel = this.channel;
    if (!channel?.isReady) return;
    for (const [participantId, ids] of this.pendingAcks) {
      // The sender's old connection may be gone (history replay): ack its current ones.
      const targets = this.present.get(participantId);
      if (!targets || targets.size === 0) continue;
      const to = [...targets];
      for (let i = 0; i < ids.length; i += 500) {
        // Lost acks are harmless: the sender resends and we ack again.
        this.whisper(createEnvelope('ack', this.selfId, { ids: ids.slice(i, i + 500) }), () => to);
      }
    }
    this.pendingAcks.clear();
  }

  private flush(): void {
    for (const e of this.outbox.pending()) this.transmit(e.id);
  }

  private resendDue(): void {
    if (!this.channel?.isReady || this.peerUsernames().length === 0) return;
    for (const e of this.outbox.due(Date.now(), this.options.resendAfterMs ?? 4000)) this.transmit(e.id);
  }

  private transmit(id: string): void {
    const entry = this.outbox.get(id);
    const channel = this.channel;
    if (!entry?.wire || !channel?.isReady) return;
    entry.sentAt = Date.now();
    channel.send(entry.wire).then(
      () => {
        if (!entry.relayed) {
          entry.relayed = true;
          if (this.outbox.get(id) === entry) this.emit('delivery', { id, delivery: 'sent' });
        }
      },
      () => { entry.sentAt = 0; /* retried by the resend timer or on rejoin */ },
    );
  }

  private addPresent(username: string, display?: string): void {
    // Presence is what the room says (names are the clients' own): it shows who is connected, never who said what.
    if (isServiceUsername(username)) return;
    const id = participantIdOf(username);
    if (id === this.selfId) return;
    const set = this.present.get(id) ?? new Set<string>();
    set.add(username);
    this.present.set(id, set);
    if (display) this.displays.set(id, display);
  }

  private peerUsernames(): string[] {
    return [...this.present.values()].flatMap((s) => [...s]);
  }

  private emitPresence(): void {
    const map = new Map<string, string>();
    for (const id of this.present.keys()) map.set(id, this.displays.get(id) ?? id);
    this.emit('presence', { present: map });
  }

  private setStatus(status: ChatStatus, reason?: string): void {
    if (this._status === status) return;
    this._status = status;
    this.emit('status', { status, reason });
  }
}

/** Cheap look at an envelope's type before it is verified (verification still decides what it is). */
function looksLikeKeyCert(text: string): boolean {
  try {
    const data: unknown = JSON.parse(text);
    return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'key.cert';
  } catch {
    return false;
  }
}

/** The text of a chat message as it is sent: trimmed; RangeError when empty or too long. */
export function chatText(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) throw new RangeError('message is empty');
  if (trimmed.length > MAX_CHAT_TEXT) throw new RangeError(`message longer than ${MAX_CHAT_TEXT} characters`);
  return trimmed;
}

/** What an id must keep meaning: its type, time and body (not the signature, which differs on every resigning). */
function contentPrint(env: Pick<WireMessage, 'type' | 'ts' | 'body'>): number {
  return fingerprint(`${env.type}\n${env.ts}\n${JSON.stringify(env.body)}`);
}
