import {
  createEnvelope,
  type BodyOf,
  parseEnvelope,
  MAX_CHAT_TEXT,
  type ConversationDescriptor,
  type WireMessage,
} from '../protocol/index.js';
import type { GatewayConnection } from '../media/index.js';
import { TextRoomChannel } from '../media/index.js';
import { TypedEventTarget, sleep } from '../util/typed-event-target.js';
import { Outbox } from './outbox.js';
import { connectionUsername, participantIdOf } from './participant-id.js';

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
  /** A control message (video.*, media.state) from either side, once per id, in room order (history included). */
  signal: { message: SignalMessage; mine: boolean };
  'protocol-error': { reason: string; from?: string };
}

export interface ChatSessionOptions {
  /** Resend unacked messages this long after the last try. */
  resendAfterMs?: number;
}

/**
 * Whispered to the peer's current connections only: no outbox, no ack, no
 * room history, no dedupe. For high-volume or moment-bound cobrowse traffic.
 */
export type EphemeralType = 'cobrowse.chunk' | 'cobrowse.resync' | 'cobrowse.pointer' | 'cobrowse.highlight' | 'cobrowse.action';
export type SignalType =
  | 'video.invite' | 'video.answer' | 'video.start' | 'video.end' | 'media.state' | 'page.push' | 'page.opened' | 'customer.linked'
  | 'cobrowse.offer' | 'cobrowse.answer' | 'cobrowse.control-request' | 'cobrowse.control-grant' | 'cobrowse.stop'
  | EphemeralType;
export type SignalMessage = Extract<WireMessage, { type: SignalType }>;

const TYPING_TTL_MS = 6000;
const TYPING_REFRESH_MS = 3000;

/**
 * The chat of one conversation over its TextRoom: envelopes, an outbox that
 * resends until the other side acks, dedupe by id, typing, presence, history
 * on (re)join. Survives gateway reconnects and session loss by rejoining.
 */
export class ChatSession extends TypedEventTarget<ChatEvents> {
  private channel?: TextRoomChannel;
  private readonly outbox = new Outbox();
  private readonly seen = new Set<string>();
  private readonly present = new Map<string, Set<string>>(); // participantId -> usernames
  private readonly displays = new Map<string, string>();
  private readonly pendingAcks = new Map<string, string[]>(); // username -> ids
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

  readonly selfId: string;

  constructor(private readonly gateway: GatewayConnection, private readonly descriptor: ConversationDescriptor, private readonly options: ChatSessionOptions = {}) {
    super();
    this.selfId = descriptor.self.id;
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
      this.gateway.on('session-replaced', () => void this.rejoin('gateway session replaced')),
    );
    await this.openChannel(signal);
    this.resendTimer = setInterval(() => this.resendDue(), 1000);
  }

  /** Queues a chat message; it is sent now if joined, else on (re)join, until acked. */
  send(text: string): IncomingChatMessage {
    const trimmed = text.trim();
    if (!trimmed) throw new RangeError('message is empty');
    if (trimmed.length > MAX_CHAT_TEXT) throw new RangeError(`message longer than ${MAX_CHAT_TEXT} characters`);
    const env = createEnvelope('chat.message', this.selfId, { text: trimmed, seq: this.seq++ });
    this.seen.add(env.id);
    const entry = this.outbox.add(env.id, JSON.stringify(env));
    if (this.channel?.isReady) this.transmit(entry.id);
    return { id: env.id, from: this.selfId, text: trimmed, ts: env.ts, seq: env.body.seq };
  }

  /**
   * Sends a control message with the same guarantees as chat (outbox until
   * acked, in the room's history for rejoiners). Returns its envelope.
   */
  sendSignal<T extends SignalType>(type: T, body: BodyOf<T>): SignalMessage {
    const env: SignalMessage = createEnvelope(type, this.selfId, body);
    this.seen.add(env.id);
    const entry = this.outbox.add(env.id, JSON.stringify(env));
    if (this.channel?.isReady) this.transmit(entry.id);
    // Our own signal takes effect here at once, in the order we sent it; the room's echo is deduped.
    queueMicrotask(() => this.emit('signal', { message: env, mine: true }));
    return env;
  }

  /**
   * Whispers a message to the other side's current connections: not queued,
   * not acked, not kept in the room's history. Returns false when it could
   * not go out (not joined, or nobody else in the room); the caller decides
   * whether that matters.
   */
  sendEphemeral<T extends EphemeralType>(type: T, body: BodyOf<T>): boolean {
    const peers = this.peerUsernames();
    const channel = this.channel;
    if (!channel?.isReady || peers.length === 0) return false;
    const env = createEnvelope(type, this.selfId, body);
    channel.send(JSON.stringify(env), { to: peers }).catch(() => { /* ephemeral: the receiver notices gaps itself */ });
    return true;
  }

  /**
   * Puts a message written by an earlier page of ours (not yet acknowledged
   * when that page went away) back in the outbox, same id, so it is delivered
   * once.
   */
  requeue(message: IncomingChatMessage): void {
    if (this.seen.has(message.id)) return;
    this.seen.add(message.id);
    const env = { v: 1 as const, id: message.id, type: 'chat.message' as const, from: this.selfId, ts: message.ts, body: { text: message.text, seq: message.seq } };
    this.outbox.add(env.id, JSON.stringify(env));
    if (this.channel?.isReady) this.transmit(env.id);
  }

  setTyping(active: boolean): void {
    const now = Date.now();
    if (active === this.typingActive && (!active || now - this.typingSentAt < TYPING_REFRESH_MS)) return;
    this.typingActive = active;
    this.typingSentAt = now;
    const peers = this.peerUsernames();
    if (!this.channel?.isReady || peers.length === 0) return;
    const env = createEnvelope('chat.typing', this.selfId, { active });
    this.channel.send(JSON.stringify(env), { to: peers }).catch(() => { /* typing is best effort */ });
  }

  dispose(): void {
    if (this._status === 'closed') return;
    this.lifetime.abort();
    clearInterval(this.resendTimer);
    clearTimeout(this.ackTimer);
    for (const t of this.typingTimers.values()) clearTimeout(t);
    for (const u of this.unsubscribe) u();
    this.channel?.dispose();
    this.channel = undefined;
    this.setStatus('closed');
  }

  private async openChannel(signal?: AbortSignal): Promise<void> {
    this.channel?.dispose();
    this.present.clear();
    const channel = new TextRoomChannel(this.gateway, {
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
      this.setStatus('ready');
      this.flush();
    });
    channel.on('message', (m) => this.onRoomMessage(m.from, m.text));
    channel.on('join', (p) => {
      this.addPresent(p.username, p.display);
      this.emitPresence();
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
        if (this.gateway.status === 'connected') {
          try {
            await this.openChannel(this.lifetime.signal);
            return;
          } catch {
            // fall through to back off
          }
        }
        await sleep(delay, this.lifetime.signal).catch(() => {});
        delay = Math.min(delay * 2, 4000);
      }
    } finally {
      this.rejoining = false;
    }
  }

  private onRoomMessage(username: string, text: string): void {
    const parsed = parseEnvelope(text);
    if (!parsed.ok) {
      this.emit('protocol-error', { reason: parsed.reason, from: participantIdOf(username) });
      return;
    }
    const msg = parsed.message;
    const senderId = participantIdOf(username);
    // Janus sets `from`; the envelope's claim must agree or it is a forgery.
    if (msg.from !== senderId) {
      this.emit('protocol-error', { reason: `sender mismatch: envelope says ${msg.from}, room says ${senderId}`, from: senderId });
      return;
    }
    this.handle(msg, username);
  }

  private handle(msg: WireMessage, username: string): void {
    const mine = msg.from === this.selfId;
    switch (msg.type) {
      case 'chat.message': {
        if (!mine) this.queueAck(username, msg.id);
        if (this.seen.has(msg.id)) return;
        this.seen.add(msg.id);
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
        break;
      case 'video.invite':
      case 'video.answer':
      case 'video.start':
      case 'video.end':
      case 'media.state':
      case 'page.push':
      case 'page.opened':
      case 'customer.linked':
      case 'cobrowse.offer':
      case 'cobrowse.answer':
      case 'cobrowse.control-request':
      case 'cobrowse.control-grant':
      case 'cobrowse.stop': {
        if (!mine) this.queueAck(username, msg.id);
        if (this.seen.has(msg.id)) return;
        this.seen.add(msg.id);
        this.emit('signal', { message: msg, mine });
        break;
      }
      case 'cobrowse.chunk':
      case 'cobrowse.resync':
      case 'cobrowse.pointer':
      case 'cobrowse.highlight':
      case 'cobrowse.action': {
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

  private queueAck(username: string, id: string): void {
    const list = this.pendingAcks.get(username) ?? [];
    list.push(id);
    this.pendingAcks.set(username, list);
    // Batch acks: one whisper per burst instead of one per message.
    this.ackTimer ??= setTimeout(() => this.sendAcks(), 20);
  }

  private sendAcks(): void {
    this.ackTimer = undefined;
    const channel = this.channel;
    if (!channel?.isReady) return;
    for (const [username, ids] of this.pendingAcks) {
      // The sender's old connection may be gone (history replay): ack its current ones.
      const targets = this.present.get(participantIdOf(username));
      if (!targets || targets.size === 0) continue;
      for (let i = 0; i < ids.length; i += 500) {
        const env = createEnvelope('ack', this.selfId, { ids: ids.slice(i, i + 500) });
        channel.send(JSON.stringify(env), { to: [...targets] }).catch(() => { /* sender resends; we ack again */ });
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
    const entry = this.outbox.pending().find((e) => e.id === id);
    const channel = this.channel;
    if (!entry || !channel?.isReady) return;
    entry.sentAt = Date.now();
    channel.send(entry.wire).then(
      () => {
        if (!entry.relayed) {
          entry.relayed = true;
          if (this.outbox.pending().includes(entry)) this.emit('delivery', { id, delivery: 'sent' });
        }
      },
      () => { entry.sentAt = 0; /* retried by the resend timer or on rejoin */ },
    );
  }

  private addPresent(username: string, display?: string): void {
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
