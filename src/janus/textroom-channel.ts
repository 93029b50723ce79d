import { abortReason, withAbort } from '../util/abort.js';
import { TypedEventTarget } from '../util/typed-event-target.js';
import type { GatewayConnection } from './gateway-connection.js';
import { JanusPeer, type JanusHandle } from './janus-client.js';

export interface TextRoomJoin {
  room: string | number;
  pin?: string;
  token?: string;
  /** Unique per connection (Janus refuses a username that is still in the room). */
  username: string;
  display: string;
}

export interface TextRoomParticipant {
  username: string;
  display?: string;
}

export interface TextRoomEvents {
  /** A message relayed by the room; `from` is the sender's username as Janus saw it. */
  message: { from: string; text: string; date?: string; whisper: boolean };
  join: TextRoomParticipant;
  leave: { username: string };
  /** The data channel is usable (after every (re)join). `participants` excludes us. */
  ready: { participants: TextRoomParticipant[] };
  /** The PeerConnection or data channel went away; call open() again to rejoin. */
  down: { reason: string };
  /** The room was destroyed or we were kicked: do not rejoin. */
  closed: { reason: string };
}

interface Pending {
  resolve: (value: Record<string, unknown>) => void;
  reject: (err: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

const REQUEST_TIMEOUT_MS = 10000;

/**
 * A TextRoom participant over the Janus data channel: setup, join, send with
 * Janus's own ack, participant and message events. It knows nothing about the
 * chat protocol carried in the texts.
 */
export class TextRoomChannel extends TypedEventTarget<TextRoomEvents> {
  private handle?: JanusHandle;
  private peer?: JanusPeer;
  private channel?: RTCDataChannel;
  private readonly pending = new Map<string, Pending>();
  private joined = false;
  private disposed = false;
  private opening?: Promise<void>;
  private generation = 0;

  constructor(private readonly gateway: GatewayConnection, private readonly join: TextRoomJoin) {
    super();
  }

  get isReady(): boolean {
    return this.joined;
  }

  /** The data channel's PeerConnection (stats, diagnostics). */
  get peerConnection(): RTCPeerConnection | undefined {
    return this.peer?.pc;
  }

  /** Attaches, negotiates the data channel and joins. Reuse it to rejoin after 'down'. */
  open(signal?: AbortSignal): Promise<void> {
    this.opening ??= this.doOpen(signal).finally(() => { this.opening = undefined; });
    return this.opening;
  }

  private async doOpen(signal?: AbortSignal): Promise<void> {
    if (this.disposed) throw new Error('TextRoomChannel was disposed');
    this.teardownHandle();
    const generation = ++this.generation;
    const current = () => generation === this.generation;
    let dataOpen!: () => void;
    const dataOpened = new Promise<void>((r) => { dataOpen = r; });
    const handle = await this.gateway.attach('janus.plugin.textroom', signal);
    if (!current() || this.disposed) {
      void handle.detach();
      throw new Error('TextRoomChannel was closed while opening');
    }
    this.handle = handle;
    const peer = (this.peer = new JanusPeer(handle, this.gateway.iceServers));
    const pc = peer.pc;
    const wire = (ch: RTCDataChannel) => {
      ch.onmessage = (ev) => { if (current()) this.onData(ev.data); };
      ch.onopen = () => { if (current() && ch === this.channel) dataOpen(); };
    };
    // Channels Janus opens itself carry room traffic too.
    pc.ondatachannel = (ev) => wire(ev.channel);
    pc.oniceconnectionstatechange = () => {
      const state = pc.iceConnectionState;
      if (state === 'failed' || state === 'closed') this.fail(generation, `ICE ${state}`);
    };
    // Chromium reports a path that stopped answering as connectionState 'failed' (about 16 s into a cut)
    // while iceConnectionState stays 'disconnected': the data channel stays "open" and carries nothing.
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'failed') this.fail(generation, 'connection failed');
    });
    handle.on('event', ({ data, jsep }) => {
      if (!current()) return;
      if (data.error) this.fail(generation, String(data.error));
      // An offer Janus sends by itself (a postponed ICE restart).
      else if (jsep?.type === 'offer') void this.answer(handle, peer, jsep).catch((e: unknown) => this.fail(generation, `data channel negotiation failed: ${String(e)}`));
    });
    handle.on('hangup', () => this.fail(generation, 'PeerConnection closed'));
    handle.on('detached', () => this.fail(generation, 'handle detached'));
    const setup = await withAbort(handle.message({ request: 'setup' }), signal);
    if (!setup.jsep) throw new Error('TextRoom setup sent no offer');
    try {
      await withAbort(this.answer(handle, peer, setup.jsep, () => {
        // The answerer opens the channel (Janus waits for one).
        const ch = (this.channel = pc.createDataChannel('JanusDataChannel', { ordered: true }));
        wire(ch);
      }), signal);
    } catch (e) {
      if (!(e instanceof Error && e.name === 'AbortError')) this.fail(generation, `data channel negotiation failed: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
    await withAbort(withTimeout(dataOpened, 15000, 'data channel did not open'), signal);
    const res = await this.request({
      textroom: 'join',
      room: this.join.room,
      username: this.join.username,
      display: this.join.display,
      ...(this.join.pin ? { pin: this.join.pin } : {}),
      ...(this.join.token ? { token: this.join.token } : {}),
      history: true,
    }, signal);
    const participants = Array.isArray(res.participants) ? (res.participants as TextRoomParticipant[]) : [];
    this.joined = true;
    this.emit('ready', { participants: participants.filter((p) => typeof p.username === 'string') });
  }

  private answer(handle: JanusHandle, peer: JanusPeer, offer: RTCSessionDescriptionInit, before?: () => void): Promise<unknown> {
    return peer.answer(offer, (jsep) => handle.message({ request: 'ack' }, jsep), before);
  }

  /**
   * ICE restart (the network path changed or failed): Janus offers new ICE
   * credentials, we answer; the data channel and the room membership stay.
   */
  async restartIce(): Promise<void> {
    const handle = this.handle;
    const peer = this.peer;
    if (!handle || !peer) throw new Error('not attached');
    const { jsep } = await handle.message({ request: 'restart' });
    if (jsep) await this.answer(handle, peer, jsep);
  }

  /** Sends one text to the room (or whispers it to `to`); resolves when Janus has relayed it. */
  async send(text: string, opts: { to?: string[]; signal?: AbortSignal } = {}): Promise<void> {
    if (!this.joined) throw new Error('not joined');
    await this.request({
      textroom: 'message',
      room: this.join.room,
      text,
      ack: true,
      ...(opts.to ? { tos: opts.to } : {}),
    }, opts.signal);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.joined && this.channel?.readyState === 'open') {
      // Best effort: tell the room we left so the other side sees it at once.
      try {
        this.channel.send(JSON.stringify({ textroom: 'leave', room: this.join.room, transaction: randomTx() }));
      } catch { /* channel already gone */ }
    }
    this.teardownHandle();
  }

  private teardownHandle(): void {
    this.generation++;
    this.joined = false;
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error('channel closed'));
    }
    this.pending.clear();
    const h = this.handle;
    const peer = this.peer;
    this.handle = undefined;
    this.peer = undefined;
    this.channel = undefined;
    peer?.close();
    // Detaching hangs up Janus's side too; on a replaced session it is a local no-op.
    void h?.detach();
  }

  private request(body: Record<string, unknown>, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const channel = this.channel;
    if (!channel) return Promise.reject(new Error('not attached'));
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const transaction = randomTx();
    return withAbort(new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(transaction);
        reject(new Error(`TextRoom ${String(body.textroom)} timed out`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(transaction, { resolve, reject, timer });
      try {
        channel.send(JSON.stringify({ ...body, transaction }));
      } catch (err) {
        clearTimeout(timer);
        this.pending.delete(transaction);
        reject(new Error(`data channel send failed: ${err instanceof Error ? err.message : String(err)}`));
      }
    }), signal);
  }

  private onData(data: unknown): void {
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(String(data)) as Record<string, unknown>;
    } catch {
      return;
    }
    const tx = typeof json.transaction === 'string' ? json.transaction : undefined;
    if (tx && this.pending.has(tx)) {
      const p = this.pending.get(tx)!;
      this.pending.delete(tx);
      clearTimeout(p.timer);
      if (json.textroom === 'error') p.reject(new Error(`TextRoom error ${String(json.error_code)}: ${String(json.error)}`));
      else p.resolve(json);
      return;
    }
    switch (json.textroom) {
      case 'message':
        if (typeof json.from === 'string' && typeof json.text === 'string') {
          this.emit('message', { from: json.from, text: json.text, date: typeof json.date === 'string' ? json.date : undefined, whisper: json.whisper === true });
        }
        break;
      case 'join':
        if (typeof json.username === 'string') this.emit('join', { username: json.username, display: typeof json.display === 'string' ? json.display : undefined });
        break;
      case 'leave':
        if (typeof json.username === 'string') this.emit('leave', { username: json.username });
        break;
      case 'kicked':
        if (json.username === this.join.username) this.close('removed from the conversation');
        else if (typeof json.username === 'string') this.emit('leave', { username: json.username });
        break;
      case 'destroyed':
        this.close('conversation closed');
        break;
      default:
        break;
    }
  }

  private close(reason: string): void {
    this.disposed = true;
    this.teardownHandle();
    this.emit('closed', { reason });
  }

  private fail(generation: number, reason: string): void {
    if (generation !== this.generation || this.disposed) return;
    this.teardownHandle();
    this.emit('down', { reason });
  }
}

function randomTx(): string {
  return globalThis.crypto.randomUUID();
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(message)), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e: unknown) => { clearTimeout(t); reject(e); });
  });
}
