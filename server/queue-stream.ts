import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { QueueEntry } from '../src/protocol/index.js';
import type { Db } from './db.js';
import type { Logger } from './log.js';

/**
 * The agents' queue as Server-Sent Events, the same on every broker of a
 * record: a snapshot once, then only what changed.
 *
 * Every change of a conversation that consoles see is written by the database
 * itself into `queue_event` (migration 003), in the same transaction as the
 * change, with an id that grows in commit order, and announced with NOTIFY.
 * Each broker LISTENs (QueueFeed), reads the new events once and hands them to
 * its streams, so a change made on any broker reaches every console on every
 * broker, and a change costs the same bytes whatever the queue's length.
 *
 * On the wire (`id:` is the event id, EventSource's Last-Event-ID):
 *
 *   id: 41                 event: snapshot   data: {"conversations":[QueueEntry…]}
 *   id: 42                 event: added      data: {"entry":QueueEntry}
 *   id: 43                 event: claimed    data: {"entry":QueueEntry}
 *   id: 44                 event: closed     data: {"entry":QueueEntry}
 *   id: 45                 event: updated    data: {"entry":QueueEntry}  (released claim, link, moved to another Janus)
 *   id: 46                 event: removed    data: {"id":"<conversation id>"}  (purged or erased)
 *
 * A console that reconnects with `Last-Event-ID` (the header EventSource sends
 * by itself, or `?lastEventId=` next to a new ticket) gets the events after it,
 * replayed from the table, and no snapshot; one whose id is older than the
 * table keeps (`queueEventRetentionMs`), or from a future it cannot have seen,
 * or more than `maxReplay` events behind, gets a fresh snapshot. Consoles
 * ignore event names they do not know.
 *
 * Besides the log, a stream carries state events without an `id:` (they are
 * not part of the log, and leave EventSource's last event id alone): the
 * latest of each name (setStateEvent) follows the snapshot or replay, and
 * every change is sent to every open stream. Agent presence is one:
 *
 *   event: presence        data: {"available":[{"id":"ann","display":"Ann"}]}
 */

export type QueueDeltaType = 'added' | 'claimed' | 'closed' | 'updated' | 'removed';

export interface QueueEvent {
  id: number;
  type: QueueDeltaType;
  /** {entry} for added/claimed/closed/updated, {id} for removed. */
  data: { entry: QueueEntry } | { id: string };
}

export interface QueueSnapshot {
  /** The id of the last event the snapshot includes. */
  at: number;
  conversations: QueueEntry[];
}

/** Why a stream started with a snapshot, or that it replayed. */
export type QueueStart = { kind: 'snapshot'; reason: 'new' | 'too-old' | 'unknown-id' | 'too-far-behind' } | { kind: 'replay'; events: number };

interface Client {
  res: ServerResponse;
  tokenId?: string;
  /** The agent whose console this is (its presence is refreshed while the stream is open). */
  agentId?: string;
  /** Last event id written to it. */
  cursor: number;
  /** Live events that arrived while its snapshot or replay was being read. */
  buffer?: QueueEvent[];
}

/** Events replayed at most; a console further behind gets a snapshot. */
const DEFAULT_MAX_REPLAY = 10_000;
/** A console that does not read what it is sent (this many bytes waiting) is cut off; it comes back with Last-Event-ID. */
const MAX_BUFFERED_BYTES = 4 << 20;

/**
 * Follows `queue_event` for one broker: LISTEN vc_queue, then read the events
 * after the last one seen, in order, once per burst of notifications (and
 * after the listening connection came back, since notifications sent while it
 * was away are lost). Also hears logouts on any broker (vc_revoked).
 */
export class QueueFeed {
  private lastId = 0;
  private reading?: Promise<void>;
  private again = false;
  private readonly stops: Array<() => Promise<void>> = [];
  private readonly listeners = new Set<(events: QueueEvent[]) => void>();
  private readonly revokeListeners = new Set<(tokenId: string) => void>();
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
  ) {}

  /** The last event id this broker has handed to its streams. */
  get last(): number {
    return this.lastId;
  }

  async start(): Promise<void> {
    this.stops.push(await this.db.listen('vc_queue', () => this.poke(), () => this.poke()));
    this.stops.push(await this.db.listen('vc_revoked', (tokenId) => {
      for (const l of this.revokeListeners) l(tokenId);
    }));
    const [{ max }] = await this.db.query<{ max: number | null }>('select max(id) as max from queue_event');
    this.lastId = Math.max(this.lastId, max ?? 0);
    this.poke();
  }

  onEvents(listener: (events: QueueEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onRevoked(listener: (tokenId: string) => void): () => void {
    this.revokeListeners.add(listener);
    return () => this.revokeListeners.delete(listener);
  }

  /** Reads what is new now (a notification came, or the caller knows something changed). */
  poke(): void {
    if (this.closed) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.read()
      .catch((e: unknown) => {
        this.log('warn', `queue feed: reading events failed (${e instanceof Error ? e.message : String(e)}); retrying`);
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

  /** A consistent snapshot: the queue as of event `at`. */
  async snapshot(closedSince: number): Promise<QueueSnapshot> {
    // One statement, one MVCC snapshot: the entries and the last event id agree (events commit in id order).
    // The entries: conversations and offline messages (vc_queue_entries, migration 004_offline_messages).
    const [row] = await this.db.query<{ at: number | null; conversations: QueueEntry[] | null }>(
      `select (select max(id) from queue_event) as at,
              (select json_agg(e order by (e ->> 'createdAt')::bigint) from vc_queue_entries($1) e) as conversations`,
      [closedSince],
    );
    return { at: row.at ?? 0, conversations: row.conversations ?? [] };
  }

  /**
   * The events after `after`, or why they cannot be replayed (the table no
   * longer has them all, the id is from a future this record has not had,
   * or there are more than `max`).
   */
  async replay(after: number, max: number): Promise<{ ok: true; events: QueueEvent[] } | { ok: false; reason: 'too-old' | 'unknown-id' | 'too-far-behind' }> {
    // The horizon and the events in one statement: a purge in between cannot cut the replay short unseen.
    const rows = await this.db.query<{ horizon: number; top: number | null; id: number | null; type: QueueDeltaType | null; data: QueueEvent['data'] | null }>(
      `select h.purged_through as horizon, (select max(id) from queue_event) as top, e.id, e.type, e.data
         from queue_event_horizon h
         left join lateral (select id, type, data from queue_event where id > $1 order by id limit $2) e on true`,
      [after, max + 1],
    );
    const { horizon, top } = rows[0];
    if (after < horizon) return { ok: false, reason: 'too-old' };
    if (after > Math.max(top ?? 0, horizon)) return { ok: false, reason: 'unknown-id' };
    const events = rows.filter((r) => r.id !== null).map((r) => ({ id: r.id!, type: r.type!, data: r.data! }));
    if (events.length > max) return { ok: false, reason: 'too-far-behind' };
    return { ok: true, events };
  }

  /** Drops events older than `before` (epoch ms) and moves the horizon past them. */
  async purge(before: number): Promise<number> {
    const [row] = await this.db.query<{ n: number }>(
      `with cut as (select max(id) as id from queue_event where at < $1),
            gone as (delete from queue_event where id <= (select id from cut) returning id),
            moved as (update queue_event_horizon set purged_through = greatest(purged_through, (select id from cut))
                       where (select id from cut) is not null returning 1)
       select (select count(*) from gone)::int as n`,
      [before],
    );
    return row.n;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled(this.stops.map((s) => s()));
    await this.reading?.catch(() => {});
  }

  private async read(): Promise<void> {
    for (;;) {
      const rows = await this.db.query<{ id: number; type: QueueDeltaType; data: QueueEvent['data'] }>(
        'select id, type, data from queue_event where id > $1 order by id limit 1000',
        [this.lastId],
      );
      if (rows.length === 0) return;
      this.lastId = rows[rows.length - 1].id;
      for (const l of this.listeners) {
        try {
          l(rows);
        } catch (e) {
          this.log('error', `queue feed listener: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      if (rows.length < 1000) return;
    }
  }
}

export interface QueueStreamOptions {
  heartbeatMs?: number;
  maxClients?: number;
  /** Events a resuming console is replayed at most; beyond that it gets a snapshot. Default 10,000. */
  maxReplay?: number;
  /** Closed conversations stay in snapshots this long after they closed. */
  closedRetentionMs: number;
  log: Logger;
}

/** The SSE endpoint's side: one broker's open streams, fed by its QueueFeed. */
export class QueueStream {
  private readonly clients = new Set<Client>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly stopFeed: () => void;
  private readonly stopRevoked: () => void;
  private readonly maxClients: number;
  private readonly maxReplay: number;
  /** The latest state event of each name, as SSE text (setStateEvent). */
  private readonly stateEvents = new Map<string, string>();
  /** How consoles started, since this broker started (tests and logs). */
  readonly stats = { snapshots: 0, replays: 0, replayedEvents: 0, eventsSent: 0 };

  constructor(
    private readonly feed: QueueFeed,
    private readonly opts: QueueStreamOptions,
  ) {
    this.maxClients = opts.maxClients ?? 1000;
    this.maxReplay = opts.maxReplay ?? DEFAULT_MAX_REPLAY;
    // A comment line keeps proxies and idle timeouts from cutting a quiet stream.
    this.heartbeat = setInterval(() => this.broadcastRaw(': heartbeat\n\n'), opts.heartbeatMs ?? 15_000);
    this.heartbeat.unref();
    this.stopFeed = feed.onEvents((events) => this.deliver(events));
    this.stopRevoked = feed.onRevoked((tokenId) => this.endFor(tokenId));
  }

  get size(): number {
    return this.clients.size;
  }

  /**
   * Returns false when the stream is full (the caller answers 503). `endAtMs`
   * ends the stream then (the listener's credentials run out; EventSource comes
   * back and has to authenticate again). `tokenId` lets endFor() end it when
   * that token is logged out (on any broker). `lastEventId`: where a
   * reconnecting console left off (Last-Event-ID). `agentId`: whose console
   * it is (agentIds()).
   */
  attach(req: IncomingMessage, res: ServerResponse, o: { headers?: OutgoingHttpHeaders; endAtMs?: number; tokenId?: string; agentId?: string; lastEventId?: number } = {}): boolean {
    if (this.clients.size >= this.maxClients) return false;
    const client: Client = { res, tokenId: o.tokenId, agentId: o.agentId, cursor: 0, buffer: [] };
    this.clients.add(client);
    let timer: NodeJS.Timeout | undefined;
    if (o.endAtMs !== undefined && Number.isFinite(o.endAtMs)) {
      timer = setTimeout(() => res.end(), Math.max(0, o.endAtMs - Date.now()));
      timer.unref();
    }
    const drop = () => {
      clearTimeout(timer);
      this.clients.delete(client);
    };
    req.on('close', drop);
    res.on('close', drop);
    res.on('error', drop);
    this.start(client, o.headers ?? {}, o.lastEventId).catch((e: unknown) => {
      this.opts.log('warn', `queue stream: could not start (${e instanceof Error ? e.message : String(e)})`);
      drop();
      if (!res.headersSent) res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '2' });
      res.end();
    });
    return true;
  }

  /** Ends every stream opened with this token (its agent logged out); returns how many. */
  endFor(tokenId: string): number {
    let n = 0;
    for (const c of this.clients) {
      if (c.tokenId !== tokenId) continue;
      this.clients.delete(c);
      c.res.end();
      n++;
    }
    return n;
  }

  /** The agents with a stream open on this broker. */
  agentIds(): string[] {
    const ids = new Set<string>();
    for (const c of this.clients) if (c.agentId !== undefined) ids.add(c.agentId);
    return [...ids];
  }

  /**
   * Sets the state event `name` (no `id:`): sent now to every open stream,
   * and to every stream that opens later, after its snapshot or replay. The
   * same data again sends nothing.
   */
  setStateEvent(name: string, data: unknown): void {
    const chunk = `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
    if (this.stateEvents.get(name) === chunk) return;
    this.stateEvents.set(name, chunk);
    this.broadcastRaw(chunk);
  }

  close(): void {
    clearInterval(this.heartbeat);
    this.stopFeed();
    this.stopRevoked();
    for (const c of this.clients) c.res.end();
    this.clients.clear();
  }

  /** Snapshot or replay, then whatever arrived meanwhile, then live. */
  private async start(client: Client, headers: OutgoingHttpHeaders, lastEventId: number | undefined): Promise<void> {
    let first: string;
    let how: QueueStart;
    const replay = lastEventId === undefined ? undefined : await this.feed.replay(lastEventId, this.maxReplay);
    if (replay?.ok) {
      how = { kind: 'replay', events: replay.events.length };
      client.cursor = lastEventId!;
      first = replay.events.map(wire).join('');
      if (replay.events.length) client.cursor = replay.events[replay.events.length - 1].id;
      this.stats.replays++;
      this.stats.replayedEvents += replay.events.length;
    } else {
      how = { kind: 'snapshot', reason: replay ? replay.reason : 'new' };
      const snap = await this.feed.snapshot(Date.now() - this.opts.closedRetentionMs);
      client.cursor = snap.at;
      first = `id: ${snap.at}\nevent: snapshot\ndata: ${JSON.stringify({ conversations: snap.conversations })}\n\n`;
      this.stats.snapshots++;
    }
    const { res } = client;
    if (!this.clients.has(client) || res.writableEnded || res.destroyed) return;
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      // Which way this stream started (for tests and whoever debugs a console).
      'vc-queue-start': how.kind === 'replay' ? `replay; events=${how.events}` : `snapshot; reason=${how.reason}`,
    });
    res.socket?.setNoDelay(true);
    const pending = client.buffer ?? [];
    client.buffer = undefined;
    const later = pending.filter((e) => e.id > client.cursor);
    if (later.length) client.cursor = later[later.length - 1].id;
    // The state events as they are now: one that changed while this stream was starting is its latest here.
    this.write(client, `retry: 2000\n\n${first}${later.map(wire).join('')}${[...this.stateEvents.values()].join('')}`);
  }

  private deliver(events: QueueEvent[]): void {
    for (const c of this.clients) {
      if (c.buffer) {
        c.buffer.push(...events);
        continue;
      }
      const fresh = events.filter((e) => e.id > c.cursor);
      if (!fresh.length) continue;
      c.cursor = fresh[fresh.length - 1].id;
      this.stats.eventsSent += fresh.length;
      this.write(c, fresh.map(wire).join(''));
    }
  }

  private write(c: Client, chunk: string): void {
    const { res } = c;
    if (res.writableEnded || res.destroyed) {
      this.clients.delete(c);
      return;
    }
    res.write(chunk);
    // A console that stopped reading: cut it off rather than hold its backlog (it resumes from its Last-Event-ID).
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      this.clients.delete(c);
      res.destroy();
    }
  }

  private broadcastRaw(chunk: string): void {
    for (const c of this.clients) if (!c.buffer) this.write(c, chunk);
  }
}

/** One event as SSE. */
export function wire(e: QueueEvent): string {
  return `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`;
}

/** Last-Event-ID as sent (a decimal event id), or undefined when absent or not one of ours. */
export function parseLastEventId(raw: string | null | undefined): number | undefined {
  if (raw === null || raw === undefined) return undefined;
  const s = raw.trim();
  if (!/^\d{1,15}$/.test(s)) return undefined;
  return Number(s);
}
