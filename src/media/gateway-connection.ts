import { TypedEventTarget, abortReason, sleep, withAbort } from '../util/typed-event-target.js';
import { loadJanus, type JanusClass, type JanusJS } from './janus-runtime.js';

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

/**
 * One Janus session over WebSocket with keepalive and reconnect: after a
 * dropped socket it claims the same session (handles and PeerConnections
 * survive); if Janus no longer has it, it creates a new one and tells its
 * users through 'session-replaced' so they rejoin.
 */
export class GatewayConnection extends TypedEventTarget<GatewayEvents> {
  private janus?: JanusJS.Janus;
  private Janus?: JanusClass;
  private _status: GatewayStatus = 'idle';
  private readonly lifetime = new AbortController();
  private reconnecting = false;

  constructor(private readonly options: GatewayOptions) {
    super();
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
    try {
      this.janus = await withAbort(this.createSession(), signal);
    } catch (e) {
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
    janus?.destroy({ cleanupHandles: true, notifyDestroyed: false });
  }

  private createSession(): Promise<JanusJS.Janus> {
    const Janus = this.Janus;
    if (!Janus) return Promise.reject(new Error('Janus not loaded'));
    return new Promise((resolve, reject) => {
      let settled = false;
      const janus: JanusJS.Janus = new Janus({
        server: this.options.server,
        token: this.options.token,
        iceServers: this.options.iceServers ?? [],
        keepAlivePeriod: this.options.keepAliveMs ?? 25000,
        success: () => {
          settled = true;
          resolve(janus);
        },
        error: (err: unknown) => {
          const reason = typeof err === 'string' ? err : String(err);
          if (!settled) {
            settled = true;
            reject(new Error(`Cannot connect to the gateway: ${reason}`));
            return;
          }
          // Janus.js reports a dropped socket through the same callback.
          if (janus === this.janus) void this.recover(reason);
        },
        destroyed: () => {},
      });
    });
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
        const outcome = await new Promise<'claimed' | 'gone' | 'unreachable'>((resolve) => {
          janus.reconnect({
            success: () => resolve('claimed'),
            error: (err: string) => resolve(/no such session|session.*not found|458/i.test(err) ? 'gone' : 'unreachable'),
          });
        });
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
              fresh.destroy({});
              return;
            }
            this.janus = fresh;
            this.setStatus('connected');
            this.emit('session-replaced', { sessionId: fresh.getSessionId() });
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
