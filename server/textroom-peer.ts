import type { TextRoomHandle } from 'janode/plugins/textroom';
import type { RTCDataChannel, RTCPeerConnection } from 'werift';
import type { IceServer } from './conversations.js';
import { randomToken } from './secrets.js';

/**
 * A TextRoom participant from Node: Janus 1.1 takes `join`, `message` and
 * `leave` only over the data channel (the plain Janus API answers 415), so
 * this opens one with werift (WebRTC in TypeScript, no native code): the
 * handle's `setup` gives Janus's offer, werift answers, `ack` sends the
 * answer, and requests then travel over the channel like a browser's.
 *
 * The broker uses it for the archive's back-fill; the tests use it as a real
 * participant. werift is loaded on first use only.
 */

/** A `{"textroom":"message",…}` as the room relays or replays it. */
export interface RoomMessage {
  room: string;
  /** The sender's room username. */
  from: string;
  date?: string;
  text: string;
  whisper?: boolean;
}

export interface JoinResult {
  /** Who else is in the room. */
  participants: Array<{ username: string; display?: string }>;
  /** The room's history (`history: true`), oldest first: what Janus replayed before answering the join. */
  history: RoomMessage[];
}

export interface TextRoomPeerOptions {
  iceServers?: IceServer[];
  /** How long the data channel may take to open. Default 10 s. */
  openTimeoutMs?: number;
  /** How long a request over the channel may wait for its answer. Default 10 s. */
  requestTimeoutMs?: number;
}

interface Pending {
  resolve(reply: Record<string, unknown>): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export class TextRoomError extends Error {
  override name = 'TextRoomError';
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
  }
}

export class TextRoomPeer {
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Set<(m: RoomMessage) => void>();
  /** While a join waits for its answer, the room's history lands here. */
  private collecting?: RoomMessage[];
  private closed = false;

  private constructor(
    private readonly handle: TextRoomHandle,
    private readonly pc: RTCPeerConnection,
    private readonly channel: RTCDataChannel,
    private readonly requestTimeoutMs: number,
  ) {
    channel.onMessage.subscribe((data) => this.onData(typeof data === 'string' ? data : data.toString('utf8')));
    channel.stateChanged.subscribe((state) => {
      if (state === 'closed') this.failAll(new TextRoomError('data channel closed'));
    });
  }

  /** Sets up a data channel on `handle` (a TextRoom handle of a session that may use the room). */
  static async open(handle: TextRoomHandle, opts: TextRoomPeerOptions = {}): Promise<TextRoomPeer> {
    const { RTCPeerConnection } = await import('werift');
    const setup = await handle.setup();
    if (!setup.jsep || setup.jsep.type !== 'offer') throw new TextRoomError('Janus sent no offer for the data channel');
    const iceServers = (opts.iceServers ?? []).map((s) => ({ urls: s.urls, username: s.username, credential: s.credential }));
    const pc = new RTCPeerConnection({ iceServers });
    try {
      const channel = pc.createDataChannel('JanusDataChannel');
      const opened = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new TextRoomError(`data channel did not open within ${opts.openTimeoutMs ?? 10_000} ms`)), opts.openTimeoutMs ?? 10_000);
        timer.unref();
        channel.stateChanged.subscribe((state) => {
          if (state === 'open') {
            clearTimeout(timer);
            resolve();
          } else if (state === 'closed') {
            clearTimeout(timer);
            reject(new TextRoomError('data channel closed before it opened'));
          }
        });
      });
      opened.catch(() => {});
      await pc.setRemoteDescription({ type: 'offer', sdp: setup.jsep.sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      const local = pc.localDescription;
      if (!local) throw new TextRoomError('werift made no answer');
      await handle.ack({ type: 'answer', sdp: local.sdp });
      await opened;
      return new TextRoomPeer(handle, pc, channel, opts.requestTimeoutMs ?? 10_000);
    } catch (e) {
      await pc.close().catch(() => {});
      throw e;
    }
  }

  /** Messages the room relays to us (broadcasts and whispers), after the join. */
  onMessage(listener: (m: RoomMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async join(params: { room: string; username: string; pin?: string; token?: string; display?: string; history?: boolean }): Promise<JoinResult> {
    const history: RoomMessage[] = [];
    this.collecting = history;
    try {
      const reply = await this.request({ textroom: 'join', ...params, history: params.history ?? false });
      const participants = Array.isArray(reply.participants) ? (reply.participants as JoinResult['participants']) : [];
      return { participants, history };
    } finally {
      this.collecting = undefined;
    }
  }

  /** Broadcasts `text` to the room (or whispers it to `to`). */
  async send(room: string, text: string, to?: string): Promise<void> {
    await this.request({ textroom: 'message', room, text, ...(to !== undefined ? { to } : {}) });
  }

  async leave(room: string): Promise<void> {
    await this.request({ textroom: 'leave', room });
  }

  /** Closes the peer connection and detaches the handle (Janus then drops us from any room). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.failAll(new TextRoomError('closed'));
    await this.pc.close().catch(() => {});
    await this.handle.detach().catch(() => {});
  }

  private request(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (this.closed) return Promise.reject(new TextRoomError('closed'));
    const transaction = randomToken(9);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(transaction);
        reject(new TextRoomError(`no answer to ${String(body.textroom)} within ${this.requestTimeoutMs} ms`));
      }, this.requestTimeoutMs);
      timer.unref();
      this.pending.set(transaction, { resolve, reject, timer });
      try {
        this.channel.send(JSON.stringify({ ...body, transaction }));
      } catch (e) {
        clearTimeout(timer);
        this.pending.delete(transaction);
        reject(e instanceof Error ? e : new TextRoomError(String(e)));
      }
    });
  }

  private onData(text: string): void {
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    const transaction = typeof m.transaction === 'string' ? m.transaction : undefined;
    if (transaction !== undefined && (m.textroom === 'success' || m.textroom === 'error')) {
      const p = this.pending.get(transaction);
      if (!p) return;
      this.pending.delete(transaction);
      clearTimeout(p.timer);
      if (m.textroom === 'success') p.resolve(m);
      else p.reject(new TextRoomError(String(m.error ?? 'TextRoom error'), typeof m.error_code === 'number' ? m.error_code : undefined));
      return;
    }
    if (m.textroom !== 'message' || typeof m.text !== 'string' || typeof m.from !== 'string') return;
    const msg: RoomMessage = { room: String(m.room), from: m.from, text: m.text, ...(typeof m.date === 'string' ? { date: m.date } : {}), ...(m.whisper === true ? { whisper: true } : {}) };
    if (this.collecting) {
      this.collecting.push(msg);
      return;
    }
    for (const l of this.listeners) l(msg);
  }

  private failAll(e: Error): void {
    for (const [t, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(e);
      this.pending.delete(t);
    }
  }
}
