import { createHash } from 'node:crypto';
import type { ConversationGateway, ConversationService } from './conversations.js';
import type { Db } from './db.js';
import type { Logger } from './log.js';
import type { Conversation, ConversationStore } from './store.js';

/**
 * What brokers on one record do about each other (README "Scale: many
 * brokers, many Janus servers"). They share nothing but the database:
 *
 * - Every broker has a row in `broker` (its id, where Janus reaches its
 *   archive, a heartbeat every `heartbeatMs`, and the Janus servers it has
 *   not reached for longer than the grace period). A broker whose heartbeat is
 *   older than `staleMs` is gone; one that stops cleanly deletes its row.
 *
 * - Archive: each conversation's TextRoom posts to one broker's archive
 *   (`conversation.archive_broker`), so its messages are stored in order by
 *   one process. When that broker is gone, another takes its conversations
 *   over in one conditional UPDATE (each goes to exactly one broker), points
 *   their rooms at its own archive and reads their history (the back-fill),
 *   so what was posted to the dead broker is not lost.
 *
 * - Janus failover: a Janus is dead when every live broker has been unable to
 *   reach it for longer than the grace period. One broker at a time (the
 *   holder of the `janus-failover` lease) then moves its open conversations
 *   to the least-loaded healthy Janus: same room ids, pins, secrets and
 *   tokens, TextRoom posting to the mover's archive, `conversation.gateway`
 *   updated (so descriptors, and the queue entry that consoles get as an
 *   `updated` event, name the new gateway).
 */

export interface ClusterOptions {
  db: Db;
  store: ConversationStore;
  conversations: ConversationService;
  /** Every Janus of the pool. */
  gateways: () => readonly (ConversationGateway & { downSince: number | undefined })[];
  brokerId: string;
  /** Where Janus reaches this broker's archive. */
  archiveUrl: string;
  /**
   * Makes these conversations' rooms post to this broker's archive and reads
   * their history, holding their live POSTs meanwhile (the back-fill, with
   * `point` as its first step).
   */
  takeOver: (list: Conversation[], point: () => Promise<void>) => Promise<unknown>;
  /** Heartbeat and checks. Default 1 s. */
  heartbeatMs?: number;
  /** A broker whose heartbeat is older is gone. Default 10 s. */
  staleMs?: number;
  /** A Janus unreachable this long (by every live broker) has its conversations moved. Default 10 s; 0 turns failover off. */
  failoverGraceMs?: number;
  /** Conversations moved at once. Default 8. */
  moveConcurrency?: number;
  log: Logger;
}

/** A stable broker id for an archive URL: a broker restarted on the same address is the same broker to the record. */
export function brokerIdFor(archiveUrl: string): string {
  return `b-${createHash('sha256').update(archiveUrl).digest('base64url').slice(0, 16)}`;
}

const LEASE = 'janus-failover';

/** Holds `name` for `ms` (or renews it) if it is free, expired or ours; true when we hold it. */
export async function takeLease(db: Db, name: string, holder: string, ms: number): Promise<boolean> {
  const rows = await db.query(
    `insert into cluster_lease (name, holder, expires_at) values ($1, $2, vc_now_ms() + $3)
     on conflict (name) do update set holder = excluded.holder, expires_at = excluded.expires_at
       where cluster_lease.expires_at < vc_now_ms() or cluster_lease.holder = excluded.holder
     returning holder`,
    [name, holder, ms],
  );
  return rows.length > 0;
}

export async function releaseLease(db: Db, name: string, holder: string): Promise<void> {
  await db.query('delete from cluster_lease where name = $1 and holder = $2', [name, holder]);
}

export interface FailoverReport {
  from: string;
  moved: number;
  failed: number;
  ms: number;
}

export class Cluster {
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  private takingOver?: Promise<void>;
  private lastGoneCheck = 0;
  private closed = false;
  private readonly heartbeatMs: number;
  private readonly staleMs: number;
  private readonly graceMs: number;
  private readonly listeners = new Set<(r: FailoverReport) => void>();

  constructor(private readonly opts: ClusterOptions) {
    this.heartbeatMs = opts.heartbeatMs ?? 1000;
    this.staleMs = opts.staleMs ?? 10_000;
    this.graceMs = opts.failoverGraceMs ?? 10_000;
  }

  /**
   * Registers this broker and takes the conversations whose archive broker is
   * gone (their rooms are pointed here and read by the startup's reconcile
   * and back-fill, which follow); then checks every heartbeat.
   */
  async start(): Promise<void> {
    await this.opts.db.query(
      `insert into broker (id, archive_url, started_at, seen_at) values ($1, $2, vc_now_ms(), vc_now_ms())
       on conflict (id) do update set archive_url = excluded.archive_url, started_at = excluded.started_at, seen_at = excluded.seen_at`,
      [this.opts.brokerId, this.opts.archiveUrl],
    );
    await this.claimOrphans();
    const loop = () => {
      if (this.closed) return;
      this.ticking = this.tick().finally(() => {
        this.ticking = undefined;
        if (!this.closed) {
          this.timer = setTimeout(loop, this.heartbeatMs);
          this.timer.unref();
        }
      });
    };
    this.timer = setTimeout(loop, this.heartbeatMs);
    this.timer.unref();
  }

  /** Called after every failover run (tests, logs). */
  onFailover(listener: (r: FailoverReport) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.ticking;
    await this.takingOver;
    // Gone at once for the others: they take over this broker's archive now, not when its heartbeat goes stale.
    await this.opts.db.query('delete from broker where id = $1', [this.opts.brokerId]).catch(() => {});
    await releaseLease(this.opts.db, LEASE, this.opts.brokerId).catch(() => {});
  }

  /** One heartbeat: say we are alive (and which Janus we cannot reach), take over orphaned archives, move conversations off dead Janus servers. */
  async tick(): Promise<void> {
    try {
      const now = Date.now();
      const unreachable = this.graceMs > 0 ? this.opts.gateways().filter((g) => g.downSince !== undefined && now - g.downSince >= this.graceMs).map((g) => g.gateway) : [];
      await this.opts.db.query('update broker set seen_at = vc_now_ms(), unreachable = $2 where id = $1', [this.opts.brokerId, JSON.stringify(unreachable)]);
      if (this.graceMs > 0) await this.failover(unreachable);
    } catch (e) {
      if (!this.closed) this.opts.log('warn', `cluster: ${e instanceof Error ? e.message : String(e)}`);
    }
    // A take-over reads rooms (seconds, up to a room's timeout each): it runs beside the heartbeats, never in their way.
    if (!this.takingOver && !this.closed) {
      this.takingOver = this.takeOverArchives()
        .catch((e: unknown) => {
          if (!this.closed) this.opts.log('warn', `cluster: archive take-over: ${e instanceof Error ? e.message : String(e)}`);
        })
        .finally(() => (this.takingOver = undefined));
    }
  }

  /** Makes the open conversations whose archive broker is gone ours (one conditional UPDATE: each goes to one broker). */
  private async claimOrphans(): Promise<string[]> {
    const rows = await this.opts.db.query<{ id: string }>(
      `update conversation c set archive_broker = $1
        where c.ready and c.state <> 'closed' and c.archive_broker is distinct from $1
          and not exists (select 1 from broker b where b.id = c.archive_broker and b.seen_at > vc_now_ms() - $2)
        returning c.id`,
      [this.opts.brokerId, this.staleMs],
    );
    return rows.map((r) => r.id);
  }

  /** Conversations whose archive broker is gone become ours: their rooms post here, and their history is read. */
  private async takeOverArchives(): Promise<void> {
    const ids = await this.claimOrphans();
    if (ids.length === 0) return;
    const reachable = new Set(this.opts.gateways().filter((g) => g.connected).map((g) => g.gateway));
    const list: Conversation[] = [];
    for (const id of ids) {
      const c = await this.opts.store.get(id);
      // Rooms on a Janus we cannot reach are pointed here when it comes back (reconcile) or when they are moved.
      if (c && c.state !== 'closed' && reachable.has(c.gateway)) list.push(c);
    }
    this.opts.log('info', `cluster: took over the archive of ${ids.length} conversation(s) from a broker that is gone`);
    if (list.length === 0) return;
    await this.opts.takeOver(list, async () => {
      for (const c of list) {
        try {
          await this.opts.conversations.pointAtArchive(c);
        } catch (e) {
          this.opts.log('warn', `cluster: conversation ${c.id}: could not point its room at this archive (${e instanceof Error ? e.message : String(e)})`);
        }
      }
    });
  }

  /**
   * Moves the open conversations of every Janus that all live brokers have
   * been unable to reach for the grace period (or that is no longer
   * configured) to healthy ones, under the failover lease.
   */
  private async failover(mine: string[]): Promise<void> {
    const pool = this.opts.gateways();
    // Counting open conversations per Janus every heartbeat is wasted while every Janus answers: then only
    // every 30 s, for conversations on a Janus taken out of the configuration.
    if (mine.length === 0 && Date.now() - this.lastGoneCheck < 30_000) return;
    this.lastGoneCheck = Date.now();
    const configured = new Set(pool.map((g) => g.gateway));
    const load = await this.opts.store.openPerGateway();
    const gone = [...load.keys()].filter((g) => !configured.has(g));
    if (mine.length === 0 && gone.length === 0) return;
    const healthy = pool.filter((g) => g.connected);
    if (healthy.length === 0) return;
    // Dead only if no live broker reaches it: a broker cut off from one Janus alone must not move its conversations.
    const views = await this.opts.db.query<{ unreachable: string[] | null }>('select unreachable from broker where seen_at > vc_now_ms() - $1', [this.staleMs]);
    const dead = mine.filter((g) => (load.get(g) ?? 0) > 0 && views.every((v) => (v.unreachable ?? []).includes(g)));
    const victims = [...dead, ...gone.filter((g) => (load.get(g) ?? 0) > 0)];
    if (victims.length === 0) return;
    if (!(await takeLease(this.opts.db, LEASE, this.opts.brokerId, 60_000))) return;
    try {
      for (const from of victims) await this.evacuate(from, healthy, load);
    } finally {
      await releaseLease(this.opts.db, LEASE, this.opts.brokerId).catch(() => {});
    }
  }

  private async evacuate(from: string, healthy: ConversationGateway[], load: Map<string, number>): Promise<void> {
    const started = Date.now();
    const list = await this.opts.store.openOn(from);
    if (list.length === 0) return;
    this.opts.log('warn', `failover: Janus ${from} is unreachable from every broker (or no longer configured): moving its ${list.length} open conversation(s)`);
    let moved = 0;
    let failed = 0;
    let next = 0;
    let renewedAt = Date.now();
    const worker = async () => {
      while (next < list.length && !this.closed) {
        const c = list[next++];
        const up = healthy.filter((g) => g.connected);
        if (up.length === 0) return;
        const target = up.reduce((best, g) => ((load.get(g.gateway) ?? 0) < (load.get(best.gateway) ?? 0) ? g : best));
        load.set(target.gateway, (load.get(target.gateway) ?? 0) + 1);
        try {
          if (await this.opts.conversations.moveTo(c, target)) moved++;
        } catch (e) {
          failed++;
          load.set(target.gateway, (load.get(target.gateway) ?? 1) - 1);
          this.opts.log('warn', `failover: conversation ${c.id}: moving it to ${target.gateway} failed (${e instanceof Error ? e.message : String(e)}); trying again on the next check`);
        }
        if (Date.now() - renewedAt > 20_000) {
          renewedAt = Date.now();
          await takeLease(this.opts.db, LEASE, this.opts.brokerId, 60_000);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.moveConcurrency ?? 8, list.length) }, worker));
    const report = { from, moved, failed, ms: Date.now() - started };
    this.opts.log(failed ? 'warn' : 'info', `failover: moved ${moved} conversation(s) off ${from} in ${report.ms} ms${failed ? `, ${failed} failed` : ''}`);
    for (const l of this.listeners) l(report);
  }
}
