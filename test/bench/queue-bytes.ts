// What one queue change costs a console: the SSE bytes of one more change with
// N conversations waiting (issue 15: the payload per change must not grow with
// the queue). Also the tests' agent console: an SSE client that speaks like
// EventSource (Last-Event-ID on reconnect) and applies the queue's deltas.
//
//   measureQueueBytes({ databaseUrl, janus, counts: [100, 2000] })
//   node --import tsx test/bench/queue-bytes.ts        (its own PostgreSQL and Janus; prints the figures)
import { randomBytes } from 'node:crypto';
import * as v from '../../src/protocol/schema.js';
import { QueueEntry } from '../../src/protocol/index.js';
import { signAgentToken } from '../../server/agent-auth.js';
import { startBroker, type Broker } from '../../server/broker.js';
import { keyed } from '../server/keys.js';

const Snapshot = v.object({ conversations: v.array(QueueEntry) });
const Delta = v.object({ entry: QueueEntry });
const Removed = v.object({ id: v.string() });

export interface ReceivedEvent {
  type: string;
  id: string;
  /** Bytes of this event on the wire (its SSE block). */
  bytes: number;
  /** When it arrived (Date.now()). */
  at: number;
  data: unknown;
}

/**
 * An agent console's queue stream, as EventSource reads it: `id:` lines set
 * the last event id, which a reconnect sends back as Last-Event-ID. The queue
 * is rebuilt from the snapshot and the deltas.
 */
export class QueueConsole {
  readonly entries = new Map<string, QueueEntry>();
  readonly events: ReceivedEvent[] = [];
  /** The id of the last event with an `id:` line. */
  lastEventId: string | undefined;
  /** Bytes received on this connection (SSE text, as sent). */
  bytes = 0;
  /** The broker's `vc-queue-start` header: `snapshot; reason=…` or `replay; events=…`. */
  start = '';
  private readonly ac = new AbortController();
  private waiters: Array<() => void> = [];
  private ended = false;
  private done?: Promise<void>;

  private constructor() {}

  /** Opens the stream with a bearer (or a ticket); `lastEventId` resumes (header, or `?lastEventId=` with `viaQuery`). */
  static async open(base: string, auth: { bearer?: string; ticket?: string }, o: { lastEventId?: string; viaQuery?: boolean; previous?: QueueConsole } = {}): Promise<QueueConsole> {
    const c = new QueueConsole();
    if (o.previous) {
      for (const [k, e] of o.previous.entries) c.entries.set(k, e);
      c.lastEventId = o.previous.lastEventId;
    }
    const last = o.lastEventId ?? (o.previous ? o.previous.lastEventId : undefined);
    const params = new URLSearchParams();
    if (auth.ticket) params.set('ticket', auth.ticket);
    if (last !== undefined && o.viaQuery) params.set('lastEventId', last);
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (auth.bearer) headers.authorization = `Bearer ${auth.bearer}`;
    if (last !== undefined && !o.viaQuery) headers['last-event-id'] = last;
    const q = params.toString();
    const res = await fetch(`${base}/api/queue/stream${q ? `?${q}` : ''}`, { headers, signal: c.ac.signal });
    if (res.status !== 200 || !res.body) throw new Error(`queue stream: HTTP ${res.status} ${await res.text()}`);
    c.start = res.headers.get('vc-queue-start') ?? '';
    c.done = c.read(res.body).catch(() => {});
    return c;
  }

  /** The queue as this console holds it, in creation order. */
  list(): QueueEntry[] {
    return [...this.entries.values()].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  /** Events of one type. */
  of(type: string): ReceivedEvent[] {
    return this.events.filter((e) => e.type === type);
  }

  /** Resolves once `pred` holds (checked after every event); returns how long that took. */
  async waitFor(pred: (c: QueueConsole) => boolean, timeoutMs = 5000, what = 'a queue event'): Promise<number> {
    const started = Date.now();
    const deadline = started + timeoutMs;
    while (!pred(this)) {
      if (this.ended) throw new Error(`queue stream ended while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return Date.now() - started;
  }

  async close(): Promise<void> {
    this.ac.abort();
    await this.done;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        this.bytes += value.byteLength;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          this.apply(block, Buffer.byteLength(block) + 2);
        }
      }
    } finally {
      this.ended = true;
      this.wake();
    }
  }

  private apply(block: string, bytes: number): void {
    let type = 'message';
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
      if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') id = value;
    }
    if (id !== undefined) this.lastEventId = id;
    if (data.length === 0) return;
    const parsed = JSON.parse(data.join('\n')) as unknown;
    if (type === 'snapshot') {
      this.entries.clear();
      for (const e of v.parse(Snapshot, parsed).conversations) this.entries.set(e.id, e);
    } else if (type === 'removed') {
      this.entries.delete(v.parse(Removed, parsed).id);
    } else if (type === 'added' || type === 'claimed' || type === 'closed' || type === 'updated') {
      const { entry } = v.parse(Delta, parsed);
      this.entries.set(entry.id, entry);
    }
    this.events.push({ type, id: id ?? '', bytes, at: Date.now(), data: parsed });
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

export interface JanusForBench {
  url: string;
  adminKey: string;
  adminUrl: string;
  adminSecret: string;
}

export interface QueueBytesRow {
  /** Conversations waiting when the change happened. */
  waiting: number;
  /** Bytes of the snapshot a console gets on connect (grows with the queue, once). */
  snapshotBytes: number;
  /** Bytes of the `added` event for one more conversation. */
  addedBytes: number;
  /** Bytes of the `claimed` event when it is claimed. */
  claimedBytes: number;
}

const AGENT_SECRET = 'queue-bytes-agent-token-secret-0123456789';
const GENEROUS = { perMinute: 1_000_000, burst: 100_000 };

async function createMany(base: string, n: number, concurrency = 16): Promise<string[]> {
  const ids: string[] = [];
  let left = n;
  const worker = async () => {
    while (left > 0) {
      left--;
      const res = await fetch(`${base}/api/conversations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(await keyed({ display: `Visitor ${randomBytes(3).toString('hex')}`, topic: 'Orders' })),
      });
      if (res.status !== 201) throw new Error(`create: HTTP ${res.status} ${await res.text()}`);
      ids.push(((await res.json()) as { descriptor: { id: string } }).descriptor.id);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return ids;
}

/**
 * Starts a broker on `databaseUrl` (a PostgreSQL URL) and `janus`; for each
 * count (ascending) fills the queue up to that many waiting conversations,
 * connects a console, creates and claims one more, and measures the SSE
 * bytes of those two changes. Leaves the conversations in the database.
 */
export async function measureQueueBytes(o: { databaseUrl: string; janus: JanusForBench; counts: number[]; log?: (line: string) => void }): Promise<QueueBytesRow[]> {
  const broker: Broker = await startBroker({
    janusUrl: o.janus.url,
    janusAdminKey: o.janus.adminKey,
    janusAdmin: { url: o.janus.adminUrl, secret: o.janus.adminSecret },
    database: { url: o.databaseUrl },
    port: 0,
    agentTokenSecret: AGENT_SECRET,
    rateLimits: { create: GENEROUS, login: GENEROUS, post: GENEROUS },
    maxOpenConversations: 100_000,
    openCaps: { perClient: 100_000, perNetwork: 50_000, perUser: 100_000 },
    backfillConcurrency: 0,
    log: () => {},
  });
  const bearer = signAgentToken({ sub: 'bench-agent', name: 'Bench', exp: Math.floor(Date.now() / 1000) + 3600 }, AGENT_SECRET);
  const rows: QueueBytesRow[] = [];
  let waiting = 0;
  try {
    for (const n of [...o.counts].sort((a, b) => a - b)) {
      if (n > waiting) {
        await createMany(broker.url, n - waiting);
        waiting = n;
      }
      const console_ = await QueueConsole.open(broker.url, { bearer });
      try {
        await console_.waitFor((c) => c.of('snapshot').length > 0, 30_000, 'the snapshot');
        const snapshotBytes = console_.of('snapshot')[0].bytes;
        const [id] = await createMany(broker.url, 1, 1);
        await console_.waitFor((c) => c.entries.get(id)?.state === 'waiting', 5000, 'the added event');
        const added = console_.events.find((e) => e.type === 'added' && (e.data as { entry: QueueEntry }).entry.id === id)!;
        const claim = await fetch(`${broker.url}/api/conversations/${id}/claim`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
          body: JSON.stringify(await keyed({})),
        });
        if (claim.status !== 200) throw new Error(`claim: HTTP ${claim.status}`);
        await claim.text();
        await console_.waitFor((c) => c.entries.get(id)?.state === 'claimed', 5000, 'the claimed event');
        const claimed = console_.events.find((e) => e.type === 'claimed' && (e.data as { entry: QueueEntry }).entry.id === id)!;
        const row = { waiting: n, snapshotBytes, addedBytes: added.bytes, claimedBytes: claimed.bytes };
        rows.push(row);
        o.log?.(`  queue stream at ${n} waiting: snapshot ${row.snapshotBytes} B once, then ${row.addedBytes} B per added, ${row.claimedBytes} B per claimed`);
      } finally {
        await console_.close();
      }
    }
  } finally {
    await broker.close();
  }
  return rows;
}

// node --import tsx test/bench/queue-bytes.ts [counts…]: its own PostgreSQL and Janus.
if (import.meta.url === `file://${process.argv[1]}`) {
  const { startPostgres } = await import('../helpers/postgres.mjs');
  const { startJanus } = await import('../../scripts/janus.mjs');
  const counts = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const pg = await startPostgres();
  const janus = await startJanus();
  try {
    console.log('Queue stream: bytes per change (one console, PostgreSQL 15, one Janus)');
    await measureQueueBytes({ databaseUrl: pg.url, janus, counts: counts.length ? counts : [100, 2000], log: (l) => console.log(l) });
  } finally {
    await janus.stop();
    await pg.stop();
  }
}
