import Janode, { type JanodeConnection } from 'janode';
import { GatewayRequestError, GatewayUnavailableError, withTimeout } from './janus-rooms.js';
import type { Logger } from './log.js';

/**
 * Janus core tokens (`token_auth = true`) through the Admin API: only holders
 * of a token added here may open a Janus session, and only attach the plugins
 * it lists. The broker adds one per participant and removes it when the
 * conversation ends, plus one for its own session.
 */

/** The plugins a conversation needs; nothing else may be attached with our tokens. */
export const CONVERSATION_PLUGINS = ['janus.plugin.videoroom', 'janus.plugin.textroom'] as const;

/** What the conversation service needs for tokens (JanusAdmin; a fake in unit tests; a no-op without token_auth). */
export interface TokenGateway {
  /** Adds a token (idempotent: adding one that exists succeeds). */
  addToken(token: string): Promise<void>;
  /** Removes a token (one that is already gone counts as removed). */
  removeToken(token: string): Promise<void>;
}

/** For a Janus without token_auth: the participant tokens still work as the rooms' allowed-list tokens. */
export const noTokens: TokenGateway = {
  addToken: async () => {},
  removeToken: async () => {},
};

export interface JanusAdminOptions {
  /** Admin WebSocket, e.g. ws://127.0.0.1:7188 (keep it on loopback). */
  url: string;
  /** Janus `admin_secret`. */
  secret: string;
  log: Logger;
  plugins?: readonly string[];
  requestTimeoutMs?: number;
}

interface AdminReply {
  janus: string;
  data?: Record<string, unknown>;
}

/**
 * One admin connection, opened on first use and again after it drops: token
 * changes are rare, so there is no keepalive loop to maintain.
 */
export class JanusAdmin implements TokenGateway {
  private connection: Promise<JanodeConnection> | null = null;
  private closed = false;
  private readonly timeoutMs: number;
  private readonly plugins: string[];

  constructor(private readonly opts: JanusAdminOptions) {
    this.timeoutMs = opts.requestTimeoutMs ?? 10_000;
    this.plugins = [...(opts.plugins ?? CONVERSATION_PLUGINS)];
  }

  async addToken(token: string): Promise<void> {
    await this.request({ janus: 'add_token', token, plugins: this.plugins });
  }

  async removeToken(token: string): Promise<void> {
    try {
      await this.request({ janus: 'remove_token', token });
    } catch (e) {
      // Janus answers 490 "Error removing token" for a token it does not have.
      if (e instanceof GatewayRequestError && /removing token/i.test(e.message)) return;
      throw e;
    }
  }

  async listTokens(): Promise<Array<{ token: string; allowed_plugins?: string[] }>> {
    const res = await this.request({ janus: 'list_tokens' });
    return (res.data?.tokens as Array<{ token: string; allowed_plugins?: string[] }> | undefined) ?? [];
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = this.connection;
    this.connection = null;
    if (c) await c.then((conn) => conn.close()).catch(() => {});
  }

  private async request(body: Record<string, unknown>, retried = false): Promise<AdminReply> {
    if (this.closed) throw new GatewayUnavailableError('broker is shutting down');
    let conn: JanodeConnection;
    try {
      conn = await this.connect();
    } catch (e) {
      throw new GatewayUnavailableError(`Janus admin API at ${this.opts.url}: ${describeError(e)}`);
    }
    try {
      const what = String(body.janus);
      return (await withTimeout(conn.sendRequest({ ...body }), this.timeoutMs, () => new GatewayUnavailableError(`${what}: no answer from the Janus admin API`))) as AdminReply;
    } catch (e) {
      if (e instanceof GatewayUnavailableError) throw e;
      const msg = describeError(e);
      // A dropped socket fails pending transactions: one more try on a fresh connection.
      if (/closed|not open|transport/i.test(msg) && !retried) {
        this.connection = null;
        return this.request(body, true);
      }
      throw new GatewayRequestError(`admin ${String(body.janus)}: ${msg}`);
    }
  }

  private connect(): Promise<JanodeConnection> {
    if (this.connection) return this.connection;
    const attempt = withTimeout(
      Janode.connect({ is_admin: true, address: { url: this.opts.url, apisecret: this.opts.secret }, retry_time_secs: 1, max_retries: 0 }),
      this.timeoutMs,
      () => new Error('WebSocket connect timed out'),
    );
    this.connection = attempt;
    attempt.then(
      (conn) => {
        const forget = () => {
          if (this.connection === attempt) this.connection = null;
        };
        conn.once(Janode.EVENT.CONNECTION_CLOSED, forget);
        conn.once(Janode.EVENT.CONNECTION_ERROR, forget);
        if (this.closed) void conn.close().catch(() => {});
      },
      () => {
        if (this.connection === attempt) this.connection = null;
      },
    );
    return attempt;
  }
}

/**
 * janode rejects a failed WebSocket connect with the socket's error event (an
 * object, not an Error): say what it carries instead of "[object Object]".
 */
function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'object' && e !== null) {
    const o = e as { message?: unknown; error?: unknown; type?: unknown };
    if (o.error instanceof Error) return o.error.message;
    if (typeof o.message === 'string' && o.message) return o.message;
    if (typeof o.type === 'string') return `WebSocket ${o.type}`;
  }
  return String(e);
}
