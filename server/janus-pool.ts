import { JanusAdmin, noTokens, type TokenGateway } from './janus-admin.js';
import { GatewayUnavailableError, JanusRooms, withTimeout } from './janus-rooms.js';
import type { Logger } from './log.js';

/**
 * A pool of Janus servers. Each is an independent gateway: a conversation's
 * rooms live on exactly one, named in `conversation.gateway` by its URL as
 * browsers reach it (the descriptor's `gateway`). The broker keeps one
 * session on every server; a server it has no session on is unhealthy: no new
 * conversation goes there, and one down longer than the grace period has its
 * conversations moved (failover.ts).
 */

export interface JanusServerOptions {
  /** Janus WebSocket API the broker itself talks to, e.g. ws://10.0.0.7:8188. */
  url: string;
  /** The same Janus as browsers reach it (goes into descriptors; names the server in the record). Default: url. */
  publicUrl?: string;
  /** admin_key of its TextRoom and VideoRoom plugins. */
  adminKey: string;
  /** Its Admin API and admin_secret (token_auth). Without it, tokens are not managed on this server. */
  admin?: { url: string; secret: string };
}

/** One Janus of the pool, as the conversation service uses it. */
export interface PooledGateway {
  /** URL as browsers reach it: the value of conversation.gateway and of descriptors' `gateway`. */
  readonly gateway: string;
  readonly rooms: JanusRooms;
  readonly tokens: TokenGateway;
  readonly connected: boolean;
  /** Since when the broker has had no session on it (undefined while connected). */
  readonly downSince: number | undefined;
}

export interface JanusPoolOptions {
  servers: readonly JanusServerOptions[];
  /** The broker's own Janus token: added on every server before every (re)connection. */
  token?: string;
  log: Logger;
}

class Member implements PooledGateway {
  readonly gateway: string;
  readonly rooms: JanusRooms;
  readonly admin?: JanusAdmin;
  readonly tokens: TokenGateway;

  constructor(o: JanusServerOptions, token: string | undefined, log: Logger) {
    this.gateway = o.publicUrl ?? o.url;
    this.admin = o.admin ? new JanusAdmin({ url: o.admin.url, secret: o.admin.secret, log }) : undefined;
    this.tokens = this.admin ?? noTokens;
    const brokerToken = this.admin ? token : undefined;
    const admin = this.admin;
    this.rooms = new JanusRooms({
      url: o.url,
      adminKey: o.adminKey,
      token: brokerToken,
      beforeConnect: admin && brokerToken ? () => admin.addToken(brokerToken) : undefined,
      log,
    });
  }

  get connected(): boolean {
    return this.rooms.connected;
  }

  get downSince(): number | undefined {
    return this.rooms.downSince;
  }
}

export class JanusPool {
  readonly members: readonly PooledGateway[];
  private readonly byGateway = new Map<string, Member>();
  private readonly reconnectListeners = new Set<(g: PooledGateway) => void>();

  constructor(private readonly opts: JanusPoolOptions) {
    if (opts.servers.length === 0) throw new Error('no Janus server configured');
    const members: Member[] = [];
    for (const s of opts.servers) {
      const m = new Member(s, opts.token, opts.log);
      if (this.byGateway.has(m.gateway)) throw new Error(`Janus server ${m.gateway} is configured twice`);
      this.byGateway.set(m.gateway, m);
      members.push(m);
      m.rooms.onReconnected(() => {
        for (const l of this.reconnectListeners) l(m);
      });
    }
    this.members = members;
  }

  /** The server a conversation lives on, by its `gateway`; undefined for one no longer configured. */
  get(gateway: string): PooledGateway | undefined {
    return this.byGateway.get(gateway);
  }

  all(): readonly PooledGateway[] {
    return this.members;
  }

  get anyConnected(): boolean {
    return this.members.some((m) => m.connected);
  }

  /**
   * Connects to every server; resolves once one has a session (the others keep
   * trying in the background), rejects when none has within `timeoutMs`.
   */
  async start(timeoutMs: number): Promise<void> {
    const attempts = this.members.map((m) => m.rooms.start(timeoutMs));
    for (const a of attempts) a.catch(() => {});
    try {
      await Promise.any(attempts);
    } catch (e) {
      if (this.members.length === 1) throw (e as AggregateError).errors[0];
      const where = this.members.map((m) => m.rooms.url).join(', ');
      throw new GatewayUnavailableError(`none of the Janus servers (${where}) did answer within ${timeoutMs} ms`);
    }
    // Give the others a moment, so that the first conversations are not all placed on the fastest one.
    await withTimeout(Promise.allSettled(attempts), 1000, () => new Error('later')).catch(() => {});
  }

  /** Called after a server's connection came back (it may have restarted and lost its rooms). */
  onReconnected(listener: (g: PooledGateway) => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  async close(): Promise<void> {
    await Promise.allSettled(
      [...this.byGateway.values()].map(async (m) => {
        await m.rooms.close();
        await m.admin?.close();
      }),
    );
  }
}
