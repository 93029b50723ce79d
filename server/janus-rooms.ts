import Janode, { type JanodeConnection, type JanodeSession, type JanusMessage } from 'janode';
import TextRoomPlugin, { type TextRoomHandle } from 'janode/plugins/textroom';
import VideoRoomPlugin, { type VideoRoomHandle } from 'janode/plugins/videoroom';
import type { Logger } from './log.js';

/**
 * Room management on Janus over one long-lived janode session with one handle per
 * plugin. Rooms live in the plugins, not in our session, so a dropped socket loses
 * no room; we just reconnect. A Janus restart does lose them: `onReconnected`
 * lets the broker put them back.
 */

export type RoomKind = 'text' | 'video';

export interface RoomSpec {
  room: string;
  secret: string;
  pin: string;
  /** Tokens allowed to join. Passed on create so the room is never open without its ACL. */
  allowed: string[];
  description?: string;
  /** TextRoom only: HTTP backend Janus POSTs every broadcast message to (the archive). */
  post?: string;
}

/** Janus cannot be reached right now (never connected, reconnecting, or timed out). */
export class GatewayUnavailableError extends Error {
  override name = 'GatewayUnavailableError';
}

/** Janus answered, with an error. */
export class GatewayRequestError extends Error {
  override name = 'GatewayRequestError';
}

export interface JanusRoomsOptions {
  url: string;
  adminKey: string;
  /** Janus core token of the broker's own session (token_auth). */
  token?: string;
  /**
   * Runs before every (re)connection. The broker uses it to (re-)add its own
   * token: after a Janus restart the old one is gone and the session would be refused.
   */
  beforeConnect?: () => Promise<void>;
  log: Logger;
  /** How long a request waits for a (re)connection before failing. */
  connectWaitMs?: number;
  /** janode transactions have no timeout of their own. */
  requestTimeoutMs?: number;
}

interface Live {
  connection: JanodeConnection;
  session: JanodeSession;
  text: TextRoomHandle;
  video: VideoRoomHandle;
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

export function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Messages a TextRoom keeps and replays to a (re)joiner: what the clients and the archive's back-fill can read back. */
export const TEXTROOM_HISTORY = 200;

/**
 * Participants cannot record (README, "Janus requests a participant can send"):
 * `lock_record` makes Janus ignore `record`/`filename` in configure and publish
 * without the room secret. Janus 1.1 does not apply it to `joinandconfigure`,
 * which still sets both, so the recordings folder is one that cannot hold a
 * file: every recorder in these rooms fails to open before it creates a folder
 * or a file, wherever `filename` points. Recording, when it comes, is the
 * operator's decision (a real rec_dir, enable_recording with the secret).
 */
export const RECORDING_LOCKED = { record: false, lock_record: true, rec_dir: '/dev/null' } as const;

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
const isNoSuchRoom = (e: unknown) => /no such room/i.test(message(e));

/** What the conversation service needs from Janus (JanusRooms; a fake in unit tests). */
export interface RoomGateway {
  createTextRoom(spec: RoomSpec): Promise<void>;
  createVideoRoom(spec: RoomSpec): Promise<void>;
  allow(kind: RoomKind, room: string, secret: string, tokens: string[]): Promise<void>;
  destroy(kind: RoomKind, room: string, secret: string): Promise<void>;
  exists(kind: RoomKind, room: string): Promise<boolean>;
  /** Usernames of who is in a TextRoom now. */
  textParticipants(room: string): Promise<string[]>;
  /** Points an existing TextRoom's `post` at `url` (the archive moved, or the room predates it). */
  setTextRoomPost?(room: string, secret: string, url: string): Promise<void>;
}

export class JanusRooms implements RoomGateway {
  private live: Live | null = null;
  private ready = deferred();
  private closed = false;
  private loop: Promise<void> | null = null;
  private everConnected = false;
  private readonly reconnectListeners = new Set<() => void>();
  /** When the connection was lost (or, before the first connection, when this object was made). */
  private downAt = Date.now();
  private readonly connectWaitMs: number;
  private readonly requestTimeoutMs: number;

  constructor(private readonly opts: JanusRoomsOptions) {
    this.connectWaitMs = opts.connectWaitMs ?? 5000;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 10_000;
  }

  get connected(): boolean {
    return this.live !== null;
  }

  /** Since when the broker has had no session on this Janus (epoch ms; undefined while connected). */
  get downSince(): number | undefined {
    return this.live ? undefined : this.downAt;
  }

  /** The Janus WebSocket URL the broker uses. */
  get url(): string {
    return this.opts.url;
  }

  /** Connects and resolves once the first session is up; keeps reconnecting in the background after that. */
  async start(timeoutMs = 10_000): Promise<void> {
    this.ensureLoop();
    await withTimeout(this.ready.promise, timeoutMs, () => new GatewayUnavailableError(`Janus at ${this.opts.url} did not answer within ${timeoutMs} ms`));
  }

  /** Called after every reconnection (not the first connection). */
  onReconnected(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  // Both creates go through handle.message() with the plugin's own request body:
  // janode 1.8's create() wrappers drop `allowed`, and adding the ACL afterwards
  // (allowed add + enable) would leave the room briefly open to any token.

  /** What both plugins' private, pinned, token-listed rooms have in common. */
  private createBody(spec: RoomSpec) {
    return {
      request: 'create',
      room: spec.room,
      admin_key: this.opts.adminKey,
      description: spec.description ?? spec.room,
      secret: spec.secret,
      pin: spec.pin,
      is_private: true,
      allowed: spec.allowed,
      permanent: false,
    };
  }

  async createTextRoom(spec: RoomSpec): Promise<void> {
    const res = await this.call('textroom create', (l) =>
      l.text.message({ ...this.createBody(spec), history: TEXTROOM_HISTORY, ...(spec.post ? { post: spec.post } : {}) }),
    );
    expectPluginAnswer(res, 'textroom', 'created');
  }

  async createVideoRoom(spec: RoomSpec): Promise<void> {
    const res = await this.call('videoroom create', (l) =>
      l.video.message({ ...this.createBody(spec), publishers: 6, require_pvtid: true, audiolevel_event: true, ...RECORDING_LOCKED }),
    );
    expectPluginAnswer(res, 'videoroom', 'created');
  }

  async setTextRoomPost(room: string, secret: string, url: string): Promise<void> {
    const res = await this.call('textroom edit', (l) => l.text.message({ request: 'edit', room, secret, new_post: url }));
    const data = res.plugindata?.data;
    if (!data || data.textroom !== 'edited') throw new GatewayRequestError(`textroom edit: unexpected answer ${JSON.stringify(data ?? res.janus)}`);
  }

  /**
   * A new TextRoom handle on the broker's own session, for a data channel
   * (textroom-peer.ts). The caller detaches it; a lost connection takes it along.
   */
  async attachTextRoom(): Promise<TextRoomHandle> {
    return this.call('textroom attach', (l) => l.session.attach(TextRoomPlugin));
  }

  /** Adds tokens to a room's allowed list (the check itself was enabled on create). */
  async allow(kind: RoomKind, room: string, secret: string, tokens: string[]): Promise<void> {
    // Through message() rather than janode's allow(), which turns a TextRoom error ("No such room") into "unexpected response".
    const res = await this.call(`${kind}room allowed`, (l) => this.handle(l, kind).message({ request: 'allowed', room, secret, action: 'add', allowed: tokens }));
    const data = res.plugindata?.data;
    if (!data || data.error !== undefined || data[`${kind}room`] !== 'success') {
      throw new GatewayRequestError(`${kind}room allowed: ${data?.error !== undefined ? `${String(data.error_code)} ${String(data.error)}` : `unexpected answer ${JSON.stringify(data ?? res.janus)}`}`);
    }
  }

  /** Destroys a room; a room that is already gone counts as destroyed. */
  async destroy(kind: RoomKind, room: string, secret: string): Promise<void> {
    try {
      await this.call(`${kind}room destroy`, (l) => this.handle(l, kind).destroy({ room, secret }));
    } catch (e) {
      if (!isNoSuchRoom(e)) throw e;
    }
  }

  async exists(kind: RoomKind, room: string): Promise<boolean> {
    const res = await this.call(`${kind}room exists`, (l) => this.handle(l, kind).exists({ room }));
    return res.exists === true;
  }

  async textParticipants(room: string): Promise<string[]> {
    const res = await this.call('textroom listparticipants', (l) => l.text.message({ request: 'listparticipants', room }));
    const data = res.plugindata?.data;
    if (!data || !Array.isArray(data.participants)) throw new GatewayRequestError(`textroom listparticipants: unexpected answer ${JSON.stringify(data ?? res.janus)}`);
    return (data.participants as Array<{ username?: unknown }>).map((p) => String(p.username));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const live = this.live;
    this.live = null;
    this.ready.resolve(); // wake waiters so they fail fast instead of hanging
    if (!live) return;
    // Destroying the session frees it on Janus now instead of after reclaim_session_timeout.
    await withTimeout(live.session.destroy(), 2000, () => new Error('session destroy timed out')).catch(() => {});
    await closeQuietly(live);
  }

  private handle(l: Live, kind: RoomKind): TextRoomHandle | VideoRoomHandle {
    return kind === 'text' ? l.text : l.video;
  }

  private async call<T>(what: string, fn: (live: Live) => Promise<T>, retried = false): Promise<T> {
    const live = await this.whenLive();
    try {
      return await withTimeout(fn(live), this.requestTimeoutMs, () => new GatewayUnavailableError(`${what}: no answer from Janus within ${this.requestTimeoutMs} ms`));
    } catch (e) {
      if (e instanceof GatewayUnavailableError) throw e;
      // janode fails pending transactions with "connection closed"/"session destroyed" on a drop.
      if (this.live !== live) {
        // Once more on the next session: every request here is safe to repeat (a repeated
        // create that had already succeeded fails with "already exists" and is cleaned up).
        if (!retried) return this.call(what, fn, true);
        throw new GatewayUnavailableError(`${what}: connection to Janus lost`);
      }
      throw new GatewayRequestError(`${what}: ${message(e)}`);
    }
  }

  private async whenLive(): Promise<Live> {
    if (this.closed) throw new GatewayUnavailableError('broker is shutting down');
    if (this.live) return this.live;
    this.ensureLoop();
    await withTimeout(this.ready.promise, this.connectWaitMs, () => new GatewayUnavailableError('Janus is not reachable'));
    if (!this.live) throw new GatewayUnavailableError('Janus is not reachable');
    return this.live;
  }

  private ensureLoop(): void {
    if (this.loop || this.closed) return;
    this.loop = this.connectLoop().finally(() => (this.loop = null));
  }

  private async connectLoop(): Promise<void> {
    let delay = 250;
    while (!this.closed) {
      try {
        const live = await this.connectOnce();
        if (this.closed) {
          await closeQuietly(live);
          return;
        }
        this.live = live;
        this.ready.resolve();
        const reconnected = this.everConnected;
        this.everConnected = true;
        this.opts.log('info', `janus: connected to ${this.opts.url} (session ${live.session.id})`);
        if (reconnected) for (const l of this.reconnectListeners) l();
        return;
      } catch (e) {
        this.opts.log(this.everConnected ? 'warn' : 'info', `janus: connect to ${this.opts.url} failed (${message(e)}), retrying in ${delay} ms`);
        await sleep(delay);
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  private async connectOnce(): Promise<Live> {
    await this.opts.beforeConnect?.();
    // max_retries 0: our own loop does the backing off, janode's would block for minutes.
    const address = this.opts.token ? { url: this.opts.url, token: this.opts.token } : { url: this.opts.url };
    const connection = await withTimeout(
      Janode.connect({ is_admin: false, address, retry_time_secs: 1, max_retries: 0 }),
      this.requestTimeoutMs,
      () => new Error('WebSocket connect timed out'),
    );
    try {
      const session = await withTimeout(connection.create(15), this.requestTimeoutMs, () => new Error('session create timed out'));
      const text = await withTimeout(session.attach(TextRoomPlugin), this.requestTimeoutMs, () => new Error('textroom attach timed out'));
      const video = await withTimeout(session.attach(VideoRoomPlugin), this.requestTimeoutMs, () => new Error('videoroom attach timed out'));
      const live: Live = { connection, session, text, video };
      const lost = (why: string) => () => this.lost(live, why);
      connection.once(Janode.EVENT.CONNECTION_ERROR, lost('connection error'));
      connection.once(Janode.EVENT.CONNECTION_CLOSED, lost('connection closed'));
      session.once(Janode.EVENT.SESSION_DESTROYED, lost('session destroyed'));
      text.once(Janode.EVENT.HANDLE_DETACHED, lost('textroom handle detached'));
      video.once(Janode.EVENT.HANDLE_DETACHED, lost('videoroom handle detached'));
      return live;
    } catch (e) {
      await connection.close().catch(() => {});
      throw e;
    }
  }

  private lost(live: Live, why: string): void {
    if (this.live !== live) return;
    this.live = null;
    this.downAt = Date.now();
    if (this.closed) return;
    this.opts.log('warn', `janus: ${why}; reconnecting`);
    this.ready = deferred();
    void closeQuietly(live);
    this.ensureLoop();
  }
}

async function closeQuietly(live: Live): Promise<void> {
  try {
    await live.connection.close();
  } catch {
    // Already closed: nothing left to release.
  }
}

function expectPluginAnswer(res: JanusMessage, plugin: 'textroom' | 'videoroom', answer: string): void {
  const data = res.plugindata?.data;
  if (!data || data[plugin] !== answer) {
    throw new GatewayRequestError(`${plugin}: unexpected answer ${JSON.stringify(data ?? res.janus)}`);
  }
}
