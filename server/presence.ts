import type { AgentIdentity, AgentPresenceResponse, AgentPresenceStatus, AvailabilityResponse } from '../src/protocol/index.js';
import type { Db } from './db.js';
import type { Logger } from './log.js';

/**
 * Agent presence (migration 004): whether each agent can take chats, in the
 * record so that every broker agrees.
 *
 * - An agent sets it from the console (`POST /api/agent/presence`).
 * - `available` lasts `ttlMs` unless refreshed: every broker refreshes, each
 *   `refreshMs`, the agents that have a queue stream open on it. A closed
 *   console (or a lost network) stops the refreshes, so the agent counts as
 *   away `ttlMs` later at most; readers compare `expires_at` with the clock,
 *   and `expire()` writes `away` into such rows so consoles are told.
 * - Every change is announced with NOTIFY vc_presence (a trigger); each broker
 *   re-reads the available agents and streams them to its consoles
 *   (`event: presence`, QueueStream.setStateEvent).
 * - `GET /api/availability` says only whether anyone is available and how
 *   many, never who, cached for `availabilityCacheMs`.
 */

export interface AgentPresenceOptions {
  db: Db;
  /** An available agent not refreshed for this long counts as away. Default 60 s. */
  ttlMs?: number;
  /** GET /api/availability answers from a read at most this old. Default 1 s. */
  availabilityCacheMs?: number;
  log: Logger;
}

export const DEFAULT_PRESENCE_TTL_MS = 60_000;

export class AgentPresence {
  readonly ttlMs: number;
  private readonly cacheMs: number;
  private cached?: { at: number; value: Promise<AvailabilityResponse> };
  private readonly listeners = new Set<(available: AgentIdentity[]) => void>();
  private stop?: () => Promise<void>;
  private reading?: Promise<void>;
  private again = false;
  private closed = false;

  constructor(private readonly opts: AgentPresenceOptions) {
    this.ttlMs = opts.ttlMs ?? DEFAULT_PRESENCE_TTL_MS;
    this.cacheMs = opts.availabilityCacheMs ?? 1000;
  }

  /** LISTENs for changes made by any broker; listeners get the available agents now and after each change. */
  async start(): Promise<void> {
    this.stop = await this.opts.db.listen('vc_presence', () => this.poke(), () => this.poke());
    this.poke();
  }

  /** Calls `listener` with the available agents after every change (and once after start). */
  onChange(listener: (available: AgentIdentity[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sets the agent's status; `available` lasts ttlMs from now unless refreshed. */
  async set(agent: AgentIdentity, status: AgentPresenceStatus): Promise<AgentPresenceResponse> {
    const [row] = await this.opts.db.query<{ status: AgentPresenceStatus; expires_at: number }>(
      `insert into agent_presence (agent_id, display, status, changed_at, expires_at)
       values ($1, $2, $3, vc_now_ms(), vc_now_ms() + $4)
       on conflict (agent_id) do update set
         display = excluded.display,
         status = excluded.status,
         changed_at = case when agent_presence.status = excluded.status then agent_presence.changed_at else excluded.changed_at end,
         expires_at = excluded.expires_at
       returning status, expires_at`,
      [agent.id, agent.display, status, this.ttlMs],
    );
    this.cached = undefined;
    return { status: row.status, expiresAt: row.expires_at };
  }

  /** The agent's status as it counts now (an expired `available` is `away`). */
  async get(agentId: string): Promise<AgentPresenceResponse> {
    const [row] = await this.opts.db.query<{ status: AgentPresenceStatus; expires_at: number; live: boolean }>(
      'select status, expires_at, expires_at > vc_now_ms() as live from agent_presence where agent_id = $1',
      [agentId],
    );
    if (!row || row.status === 'away' || !row.live) return { status: 'away', expiresAt: row?.expires_at ?? 0 };
    return { status: 'available', expiresAt: row.expires_at };
  }

  /** Keeps these agents available for another ttlMs (their consoles' queue streams are open here). */
  async refresh(agentIds: readonly string[]): Promise<void> {
    if (agentIds.length === 0) return;
    await this.opts.db.query(
      `update agent_presence set expires_at = vc_now_ms() + $2
        where agent_id = any($1::text[]) and status = 'available' and expires_at > vc_now_ms()`,
      [agentIds, this.ttlMs],
    );
  }

  /** Writes `away` into every available row that ran out (its consoles were told by the trigger's NOTIFY). Returns how many. */
  async expire(): Promise<number> {
    const rows = await this.opts.db.query(
      `update agent_presence set status = 'away', changed_at = vc_now_ms()
        where status = 'available' and expires_at <= vc_now_ms() returning agent_id`,
    );
    if (rows.length) this.cached = undefined;
    return rows.length;
  }

  /** The agents available now (for consoles: ids and names of colleagues), by name. */
  async available(): Promise<AgentIdentity[]> {
    return this.opts.db.query<AgentIdentity>(
      `select agent_id as id, display from agent_presence
        where status = 'available' and expires_at > vc_now_ms() order by display, agent_id`,
    );
  }

  /** For the customer widget: is anyone available, and how many (no identities). */
  availability(): Promise<AvailabilityResponse> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at >= this.cacheMs) {
      const value = this.opts.db
        .query<{ n: number }>(`select count(*)::int as n from agent_presence where status = 'available' and expires_at > vc_now_ms()`)
        .then(([r]) => ({ available: r.n > 0, agents: r.n }));
      // A failed read is not kept.
      value.catch(() => {
        if (this.cached?.value === value) this.cached = undefined;
      });
      this.cached = { at: now, value };
    }
    return this.cached.value;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.stop?.().catch(() => {});
    await this.reading?.catch(() => {});
  }

  /** Reads the available agents once per burst of notifications and hands them to the listeners. */
  private poke(): void {
    if (this.closed) return;
    this.cached = undefined;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.available()
      .then((list) => {
        for (const l of this.listeners) {
          try {
            l(list);
          } catch (e) {
            this.opts.log('error', `presence listener: ${e instanceof Error ? e.message : String(e)}`);
          }
        }
      })
      .catch((e: unknown) => {
        if (this.closed) return;
        this.opts.log('warn', `presence: reading the available agents failed (${e instanceof Error ? e.message : String(e)}); retrying`);
        setTimeout(() => this.poke(), 1000).unref();
      })
      .finally(() => {
        this.reading = undefined;
        if (this.again) {
          this.again = false;
          this.poke();
        }
      });
  }
}
