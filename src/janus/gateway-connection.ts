import { abortReason, sleep, withAbort } from '../util/abort.js';
import { TypedEventTarget } from '../util/typed-event-target.js';
import { collectingSockets, loadJanus, type JanusClass, type JanusJS } from './janus-runtime.js';

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
/** How long dispose waits for Janus to confirm 'destroy' before closing the socket anyway. */
const DESTROY_GRACE_MS = 1500;

/**
 * One Janus session over WebSocket with keepalive and reconnect: after a
 * dropped socket it claims the same session (handles and PeerConnections
 * survive); if Janus no longer has it, it creates a new one and tells its
 * users through 'session-replaced' so they rejoin.
 *
 * It owns every WebSocket janus-gateway opens for it. janus-gateway opens a
 * new socket for each `reconnect()` and keeps a socket whose claim Janus
 * refused open for good; a session rebuilt after that would leave the page
 * with two gateway sockets. So each attempt's sockets are closed unless the
 * attempt became the session, and a session that became current closes all
 * the others: one socket per connection, nothing left retrying.
 */
export class GatewayConnection extends TypedEventTarget<GatewayEvents> {
  private janus?: JanusJS.Janus;
  private Janus?: JanusClass;
  private _status: GatewayStatus = 'idle';
  private readonly lifetime = new AbortController();
  private reconnecting = false;
  /** Set by moveTo(): the next attempt builds a session there instead of claiming the old one. */
  private moved = false;
  /** Sockets janus-gateway opened for us that may still be open. */
  private readonly sockets = new Set<WebSocket>();

  private readonly options: GatewayOptions;

  constructor(options: GatewayOptions) {
    super();
    this.options = { ...options };
  }

  /** The Janus this connection talks to (it changes with moveTo). */
  get server(): string {
    return this.options.server;
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
    this.moved = true;
    if (this._status === 'connected' && this.janus) void this.recover('the conversation moved to another gateway');
  }

  get status(): GatewayStatus {
    return this._status;
  }

  get sessionId(): number | undefined {
    return this.janus?.getSessionId();
  }

  async connect(signal?: AbortSignal): Promise<void> {
    if (this._status === 'closed') throw new Error('GatewayConnection was disposed');
    if (this.janus) return;
    this.setStatus('connecting');
    this.Janus = await withAbort(loadJanus(), signal);
    const creating = this.createSession();
    try {
      this.janus = await withAbort(creating, signal);
    } catch (e) {
      // Given up (aborted): a session that still comes about must not live on unowned.
      creating.then((late) => this.discard(late), () => {});
      if (!this.lifetime.signal.aborted) this.setStatus('idle', e instanceof Error ? e.message : String(e));
      throw e;
    }
    this.setStatus('connected');
  }

  /** Attaches a plugin handle on the current session. */
  attach(options: Omit<JanusJS.PluginOptions, 'success' | 'error'>, signal?: AbortSignal): Promise<JanusJS.PluginHandle> {
    const janus = this.janus;
    if (!janus || this._status === 'closed') return Promise.reject(new Error('gateway not connected'));
    return withAbort(new Promise<JanusJS.PluginHandle>((resolve, reject) => {
      janus.attach({
        ...options,
        token: this.options.token,
        success: (handle) => {
          if (signal?.aborted) {
            handle.detach();
            reject(abortReason(signal));
          } else resolve(handle);
        },
        error: (err) => reject(new Error(`attach ${options.plugin} failed: ${err}`)),
      });
    }), signal);
  }

  /** Ends the session on Janus and stops reconnecting. Safe to call twice. */
  dispose(): void {
    if (this._status === 'closed') return;
    this.lifetime.abort();
    const janus = this.janus;
    this.janus = undefined;
    this.setStatus('closed');
    const sockets = [...this.sockets];
    if (!janus) {
      this.closeSockets(sockets);
      return;
    }
    // janus-gateway closes the session's socket once Janus confirms 'destroy'; whatever else is open
    // (an attempt under way, or no confirmation because the socket is dead) is closed here.
    const closeAll = () => {
      clearTimeout(timer);
      this.closeSockets(sockets);
    };
    const timer = setTimeout(closeAll, DESTROY_GRACE_MS);
    janus.destroy({ cleanupHandles: true, notifyDestroyed: false, success: closeAll, error: closeAll });
  }

  private createSession(): Promise<JanusJS.Janus> {
    const Janus = this.Janus;
    if (!Janus) return Promise.reject(new Error('Janus not loaded'));
    const opened: WebSocket[] = [];
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (message: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.closeSockets(opened);
        reject(new Error(message));
      };
      const timer = setTimeout(() => fail(`Cannot connect to the gateway: no answer within ${ATTEMPT_TIMEOUT_MS / 1000} s`), ATTEMPT_TIMEOUT_MS);
      const janus: JanusJS.Janus = collectingSockets((ws) => this.track(ws, opened), () => new Janus({
        server: this.options.server,
        token: this.options.token,
        iceServers: this.options.iceServers ?? [],
        keepAlivePeriod: this.options.keepAliveMs ?? 25000,
        success: () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          // This socket is the session's now; any other one we still hold belongs to an older session or attempt.
          if (!this.lifetime.signal.aborted) this.closeSockets([...this.sockets].filter((ws) => !opened.includes(ws)));
          resolve(janus);
        },
        error: (err: unknown) => {
          const reason = typeof err === 'string' ? err : String(err);
          if (!settled) {
            fail(`Cannot connect to the gateway: ${reason}`);
            return;
          }
          // Janus.js reports a dropped socket through the same callback.
          if (janus === this.janus) void this.recover(reason);
        },
        destroyed: () => {},
      }));
    });
  }

  /**
   * One claim of our session from a new socket. The attempt's socket is kept
   * only if the claim succeeded: janus-gateway leaves a refused or stalled
   * one open (and the next attempt opens another).
   */
  private claim(janus: JanusJS.Janus): Promise<'claimed' | 'gone' | 'unreachable'> {
    const opened: WebSocket[] = [];
    return new Promise((resolve) => {
      let done = false;
      const finish = (outcome: 'claimed' | 'gone' | 'unreachable') => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        const others = outcome === 'claimed' ? [...this.sockets].filter((ws) => !opened.includes(ws)) : opened;
        this.closeSockets(others);
        resolve(outcome);
      };
      const timer = setTimeout(() => finish('unreachable'), ATTEMPT_TIMEOUT_MS);
      collectingSockets((ws) => this.track(ws, opened), () => janus.reconnect({
        success: () => finish('claimed'),
        error: (err: string) => finish(/no such session|session.*not found|458/i.test(err) ? 'gone' : 'unreachable'),
      }));
    });
  }

  /** A session nobody uses any more: its handles are cleaned up here, its sockets closed. */
  private discard(janus: JanusJS.Janus): void {
    // Not connected (its socket is gone or its claim was refused): this only releases its handles locally.
    // Connected (an abandoned connect): Janus destroys the session and janus-gateway closes the socket.
    janus.destroy({ cleanupHandles: true, notifyDestroyed: false });
  }

  private track(ws: WebSocket, into: WebSocket[]): void {
    into.push(ws);
    this.sockets.add(ws);
    ws.addEventListener('close', () => this.sockets.delete(ws), { once: true });
  }

  private closeSockets(sockets: Iterable<WebSocket>): void {
    for (const ws of [...sockets]) {
      this.sockets.delete(ws);
      if (ws.readyState === WebSocket.CLOSING || ws.readyState === WebSocket.CLOSED) continue;
      try {
        ws.close();
      } catch {
        /* already closing */
      }
    }
  }

  private async recover(reason: string): Promise<void> {
    if (this.reconnecting || this._status === 'closed') return;
    this.reconnecting = true;
    this.setStatus('reconnecting', reason);
    const signal = this.lifetime.signal;
    let delay = 250;
    try {
      while (!signal.aborted) {
        const janus = this.janus;
        if (!janus) return;
        const outcome = this.moved ? 'gone' : await this.claim(janus);
        if (signal.aborted) return;
        if (outcome === 'claimed') {
          this.setStatus('connected');
          this.emit('reclaimed', { sessionId: janus.getSessionId() });
          return;
        }
        if (outcome === 'gone') {
          try {
            const fresh = await this.createSession();
            if (signal.aborted) {
              this.discard(fresh);
              return;
            }
            this.janus = fresh;
            this.moved = false;
            this.setStatus('connected');
            this.emit('session-replaced', { sessionId: fresh.getSessionId() });
            // After its users moved on (their old handles are torn down by then): release what is left of the old session.
            this.discard(janus);
            return;
          } catch {
            // Server still unreachable; fall through to back off.
          }
        }
        await sleep(delay, signal).catch(() => {});
        delay = Math.min(delay * 2, this.options.maxBackoffMs ?? 5000);
      }
    } finally {
      this.reconnecting = false;
    }
  }

  private setStatus(status: GatewayStatus, reason?: string): void {
    if (this._status === status && !reason) return;
    this._status = status;
    this.emit('status', { status, reason });
  }
}
