import { abortReason, sleep, withAbort } from '../util/abort.js';
import { TypedEventTarget } from '../util/typed-event-target.js';
import { isSessionGone, JanusHandle, JanusSocket, type HandleHost, type Json } from './janus-client.js';

export type GatewayStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface GatewayEvents {
  status: { status: GatewayStatus; reason?: string };
  /**
   * Janus lost our session (it was gone when we came back): every plugin handle
   * is dead and its owner must attach and join again on the new session.
   */
  'session-replaced': { sessionId: number };
  /** Our session survived a dropped WebSocket and was claimed on a new one; handles live on. */
  reclaimed: { sessionId: number };
}

export interface GatewayOptions {
  server: string;
  token?: string;
  iceServers?: RTCIceServer[];
  /** Keepalive period; Janus drops sessions silent for session_timeout (60 s here). */
  keepAliveMs?: number;
  /** Upper bound of the reconnect back-off. */
  maxBackoffMs?: number;
}

/** How long one connect or claim attempt may take before its socket is given up. */
const ATTEMPT_TIMEOUT_MS = 10_000;
/** How long a keepalive sent because the browser came back online may wait for its answer. */
const PROBE_TIMEOUT_MS = 5000;
/** How long dispose waits for Janus to confirm 'destroy' before closing the socket anyway. */
const DESTROY_GRACE_MS = 1500;

interface Attempt {
  sock: JanusSocket;
  session: number;
  claimed: boolean;
}

/**
 * One Janus session over one WebSocket, with keepalive and recovery: after a
 * dropped socket it claims the same session from a new socket (handles and
 * PeerConnections survive, 'reclaimed'); if Janus no longer has it, it builds
 * a new one on that same socket and tells its users through
 * 'session-replaced' so they rejoin. Every attempt's socket is closed unless
 * it became the session's, so the page holds one gateway socket afterwards.
 */
export class GatewayConnection extends TypedEventTarget<GatewayEvents> implements HandleHost {
  private sock?: JanusSocket;
  private session?: number;
  private _status: GatewayStatus = 'idle';
  private readonly lifetime = new AbortController();
  private reconnecting = false;
  /** Set by moveTo(), or when Janus said our session is gone: the next attempt builds a new session. */
  private fresh = false;
  private readonly handles = new Map<number, JanusHandle>();
  /** Sockets of attempts under way (dispose closes them). */
  private readonly attempts = new Set<JanusSocket>();
  private keepalive?: ReturnType<typeof setInterval>;
  /** Aborted when the browser comes back online: the reconnect loop stops waiting and tries at once. */
  private nudge?: AbortController;
  private readonly onOnline = () => {
    if (this._status === 'reconnecting') this.nudge?.abort();
    // The path may have changed or been down: a socket that cannot answer now is replaced now, not a keepalive later.
    else this.probe();
  };

  private readonly options: GatewayOptions;

  constructor(options: GatewayOptions) {
    super();
    this.options = { ...options };
    globalThis.addEventListener?.('online', this.onOnline);
  }

  /** The Janus this connection talks to (it changes with moveTo). */
  get server(): string {
    return this.options.server;
  }

  get iceServers(): RTCIceServer[] {
    return this.options.iceServers ?? [];
  }

  /**
   * The conversation now lives on another Janus (the broker moved it after
   * this one died): reconnect there. Our session cannot be claimed on another
   * server, so the next attempt builds a new one and users rejoin
   * ('session-replaced'); rooms, pins and tokens are the same there.
   */
  moveTo(server: string): void {
    if (server === this.options.server || this._status === 'closed') return;
    this.options.server = server;
    this.fresh = true;
    if (this._status === 'connected' && this.sock) void this.recover('the conversation moved to another gateway');
  }

  get status(): GatewayStatus {
    return this._status;
  }

  get sessionId(): number | undefined {
    return this.session;
  }

  async connect(signal?: AbortSignal): Promise<void> {
    if (this._status === 'closed') throw new Error('GatewayConnection was disposed');
    if (this.session !== undefined) return;
    this.setStatus('connecting');
    const attempt = this.attempt();
    try {
      this.adopt(await withAbort(attempt, signal));
    } catch (e) {
      // Given up (aborted): a session that still comes about must not live on unowned.
      attempt.then((late) => this.discard(late), () => {});
      if (!this.lifetime.signal.aborted) this.setStatus('idle', e instanceof Error ? e.message : String(e));
      if (signal?.aborted) throw e;
      throw new Error(`Cannot connect to the gateway: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    this.setStatus('connected');
  }

  /** A session nobody wants: ended on Janus, its socket closed. */
  private discard(a: Attempt): void {
    void a.sock.send({ janus: 'destroy', session_id: a.session }, false, DESTROY_GRACE_MS).catch(() => {}).finally(() => a.sock.close());
  }

  /**
   * Checks now that the socket still answers (a keepalive that may wait 5 s),
   * and replaces it if not ('reclaimed' once our session is claimed on the
   * new one): for a user that got no answer to a request, or a path that changed.
   */
  probe(): void {
    if (this._status === 'connected' && this.sock) this.keepAlive(this.sock, PROBE_TIMEOUT_MS);
  }

  /** Attaches a plugin handle on the current session. */
  async attach(plugin: string, signal?: AbortSignal): Promise<JanusHandle> {
    const sock = this.sock;
    const session = this.session;
    if (!sock || session === undefined || this._status === 'closed') throw new Error('gateway not connected');
    if (signal?.aborted) throw abortReason(signal);
    const attaching = sock.send({ janus: 'attach', plugin, session_id: session }).then((r) => {
      const handle = new JanusHandle(this, Number((r.data as Json).id), plugin);
      // Attached for a session that has been replaced meanwhile, or for nobody: let it go.
      if (this.session !== session || signal?.aborted || this._status === 'closed') {
        void sock.send({ janus: 'detach', session_id: session, handle_id: handle.id }).catch(() => {});
        throw signal?.aborted ? abortReason(signal) : new Error('gateway session changed');
      }
      this.handles.set(handle.id, handle);
      return handle;
    }, (e: unknown) => {
      throw new Error(`attach ${plugin} failed: ${e instanceof Error ? e.message : String(e)}`);
    });
    return withAbort(attaching, signal);
  }

  /** HandleHost: a request for one of our handles, on whatever socket holds the session now. */
  request(handle: JanusHandle, body: Json, async = false, timeoutMs?: number): Promise<Json> {
    if (!handle.alive || this.handles.get(handle.id) !== handle || !this.sock || this.session === undefined) {
      return Promise.reject(new Error('the plugin handle is gone'));
    }
    return this.sock.send({ ...body, session_id: this.session, handle_id: handle.id }, async, timeoutMs);
  }

  forget(handle: JanusHandle): void {
    if (this.handles.get(handle.id) === handle) this.handles.delete(handle.id);
  }

  /** Ends the session on Janus and stops reconnecting. Safe to call twice. */
  dispose(): void {
    if (this._status === 'closed') return;
    this.lifetime.abort();
    this.nudge?.abort();
    globalThis.removeEventListener?.('online', this.onOnline);
    clearInterval(this.keepalive);
    const sock = this.sock;
    const session = this.session;
    this.sock = undefined;
    this.session = undefined;
    this.dropHandles();
    this.setStatus('closed');
    for (const s of this.attempts) s.close();
    this.attempts.clear();
    if (!sock) return;
    sock.onClose = () => {};
    if (!sock.open || session === undefined) {
      sock.close();
      return;
    }
    // Janus destroys the session (and its handles) at once; the socket goes when it confirms, or after a grace.
    void sock.send({ janus: 'destroy', session_id: session }, false, DESTROY_GRACE_MS).catch(() => {}).finally(() => sock.close());
  }

  /**
   * One try: a new socket, then a claim of `claim` (our session) on it, or a
   * new session when there is none to claim or Janus says it is gone. The
   * socket is closed unless the try succeeds.
   */
  private async attempt(claim?: number, cancel?: AbortSignal): Promise<Attempt> {
    const sock = new JanusSocket(this.options.server, this.options.token);
    this.attempts.add(sock);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ATTEMPT_TIMEOUT_MS / 1000} s`)), ATTEMPT_TIMEOUT_MS);
    });
    try {
      const result = await Promise.race([timeout, (async (): Promise<Attempt> => {
        // Given up when told (back online) while the socket is still connecting: its SYNs may be backing off.
        await (cancel ? withAbort(sock.opened, cancel) : sock.opened);
        if (claim !== undefined) {
          try {
            await sock.send({ janus: 'claim', session_id: claim });
            return { sock, session: claim, claimed: true };
          } catch (e) {
            if (!isSessionGone(e)) throw e;
          }
        }
        const created = await sock.send({ janus: 'create' });
        return { sock, session: Number((created.data as Json).id), claimed: false };
      })()]);
      if (this.lifetime.signal.aborted) throw abortReason(this.lifetime.signal);
      return result;
    } catch (e) {
      sock.close();
      throw e;
    } finally {
      clearTimeout(timer);
      this.attempts.delete(sock);
    }
  }

  /** The attempt's socket holds our session from now on; any other socket we held goes. */
  private adopt(a: Attempt): void {
    const old = this.sock;
    if (old && old !== a.sock) {
      old.onClose = () => {};
      old.close();
    }
    if (!a.claimed) {
      this.dropHandles();
      this.session = a.session;
    }
    this.sock = a.sock;
    a.sock.onEvent = (m) => this.onEvent(a.sock, m);
    a.sock.onClose = () => {
      if (this.sock === a.sock) void this.recover('the gateway connection was lost');
    };
    clearInterval(this.keepalive);
    this.keepalive = setInterval(() => this.keepAlive(a.sock), this.options.keepAliveMs ?? 25_000);
    if (!a.sock.open) void this.recover('the gateway connection was lost');
  }

  private keepAlive(sock: JanusSocket, timeoutMs?: number): void {
    if (this.sock !== sock || this.session === undefined) return;
    // Janus answers a keepalive with an 'ack' (not an event): sent as an async request it timed out every time.
    sock.send({ janus: 'keepalive', session_id: this.session }, false, timeoutMs).catch((e: unknown) => {
      if (this.sock !== sock) return;
      // No answer means a dead path the socket has not noticed; "no such session" means Janus timed us out.
      if (isSessionGone(e)) this.fresh = true;
      // Recover now, not on the socket's close event: on a dead path the browser fires that only once
      // the closing handshake is answered or times out (Chromium: 60 s; seen 28 s after a 60 s cut ended).
      void this.recover('the gateway connection was lost');
    });
  }

  private onEvent(sock: JanusSocket, m: Json): void {
    if (this.sock !== sock) return;
    if (m.janus === 'timeout' && m.session_id === this.session) {
      // Janus dropped the session for silence: build a new one.
      this.fresh = true;
      void this.recover('the gateway session timed out');
      return;
    }
    const sender = typeof m.sender === 'number' ? m.sender : undefined;
    if (sender !== undefined) this.handles.get(sender)?.dispatch(m);
  }

  /** Every handle of the old session is dead: silently (their owners rebuild on 'session-replaced'). */
  private dropHandles(): void {
    const handles = [...this.handles.values()];
    this.handles.clear();
    for (const h of handles) h.kill();
  }

  private async recover(reason: string): Promise<void> {
    if (this.reconnecting || this._status === 'closed') return;
    this.reconnecting = true;
    this.setStatus('reconnecting', reason);
    clearInterval(this.keepalive);
    const signal = this.lifetime.signal;
    const old = this.sock;
    if (old) {
      old.onClose = () => {};
      // Moving away from a live gateway: the session there is ours to end.
      if (this.fresh && old.open && this.session !== undefined) {
        void old.send({ janus: 'destroy', session_id: this.session }, false, DESTROY_GRACE_MS).catch(() => {}).finally(() => old.close());
      } else old.close();
    }
    let delay = 250;
    try {
      while (!signal.aborted) {
        const nudge = (this.nudge = new AbortController());
        try {
          const a = await this.attempt(this.fresh ? undefined : this.session, nudge.signal);
          this.fresh = false;
          this.adopt(a);
          this.setStatus('connected');
          if (a.claimed) this.emit('reclaimed', { sessionId: a.session });
          else this.emit('session-replaced', { sessionId: a.session });
          return;
        } catch {
          // Unreachable (or the attempt was abandoned): back off and try again.
        }
        // Back online meanwhile: try again at once, from the shortest back-off.
        if (nudge.signal.aborted) delay = 250;
        else {
          await sleep(delay, nudge.signal).catch(() => {});
          delay = nudge.signal.aborted ? 250 : Math.min(delay * 2, this.options.maxBackoffMs ?? 5000);
        }
      }
    } finally {
      this.reconnecting = false;
      this.nudge = undefined;
    }
  }

  private setStatus(status: GatewayStatus, reason?: string): void {
    if (this._status === status && !reason) return;
    this._status = status;
    this.emit('status', { status, reason });
  }
}
