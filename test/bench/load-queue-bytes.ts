// Queue-stream bytes per change, measured from outside through the SSE stream an
// agent console opens (POST /api/queue/ticket, GET /api/queue/stream). The load
// bench calls only `queueBytesPerChange`; a broker-side measurement (e.g. the
// cluster work's test/bench/queue-bytes.ts) can replace it as long as it answers
// the same QueueBytes.
import { randomUUID } from 'node:crypto';
import { exportPublicKey, generateSigningKeyPair, type PublicKeyJwk } from '../../src/protocol/index.js';

export interface QueueBytes {
  waiting: number;
  /** Changes made while listening (each: one conversation added, then claimed). */
  changes: number;
  /** Stream bytes after the first snapshot, heartbeats left out, per change. */
  bytesPerChange: number;
  /** The first event (what a console gets on connect). */
  snapshotBytes: number;
  events: number;
}

async function post(url: string, body: unknown, bearer?: string): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) }, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${new URL(url).pathname}: ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text) as unknown;
}

/** An agent console's queue stream: counts the bytes of each event as it arrives. */
export class QueueListener {
  readonly events: number[] = [];
  /** Every byte the stream brought, heartbeats included. */
  bytes = 0;
  private readonly waiters: Array<() => void> = [];
  private readonly abort = new AbortController();
  private done?: Promise<void>;

  async start(broker: string, agentToken: string): Promise<void> {
    const { ticket } = (await post(`${broker}/api/queue/ticket`, {}, agentToken)) as { ticket: string };
    const res = await fetch(`${broker}/api/queue/stream?ticket=${encodeURIComponent(ticket)}`, { signal: this.abort.signal });
    if (res.status !== 200 || !res.body) throw new Error(`queue stream: ${res.status}`);
    const reader = res.body.getReader();
    let buf = Buffer.alloc(0);
    this.done = (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          this.bytes += value.length;
          buf = Buffer.concat([buf, value]);
          // Events end with a blank line; comment lines (": heartbeat") and "retry:" are not events.
          for (let end = buf.indexOf('\n\n'); end >= 0; end = buf.indexOf('\n\n')) {
            const block = buf.subarray(0, end + 2);
            buf = buf.subarray(end + 2);
            const text = block.toString('utf8');
            if (!/^(event|data|id):/m.test(text)) continue;
            this.events.push(block.length);
            this.waiters.splice(0).forEach((w) => w());
          }
        }
      } catch {
        // aborted
      }
    })();
  }

  /** Resolves once `count` events in all have arrived. */
  async until(count: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length < count) {
      if (Date.now() > deadline) throw new Error(`queue stream: ${this.events.length} of ${count} events after ${timeoutMs} ms`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}

async function createWaiting(broker: string, publicKey: PublicKeyJwk, count: number, concurrency = 16): Promise<string[]> {
  const ids: string[] = [];
  let left = count;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (left > 0) {
        left--;
        const grant = (await post(`${broker}/api/conversations`, { publicKey, display: `Waiting ${randomUUID().slice(0, 4)}` })) as { descriptor: { id: string } };
        ids.push(grant.descriptor.id);
      }
    }),
  );
  return ids;
}

/**
 * On a broker whose queue holds `alreadyWaiting` conversations, tops it up to
 * `waiting`, then listens like a console while `changes` conversations are
 * added and claimed one by one (each change waits for its event, so none are
 * coalesced). The new ones stay open: the queue grows by `changes`.
 */
export async function queueBytesPerChange(opts: { broker: string; agentToken: string; claimToken: string; waiting: number; alreadyWaiting: number; changes?: number }): Promise<QueueBytes> {
  const changes = opts.changes ?? 10;
  const pair = await generateSigningKeyPair();
  const publicKey = await exportPublicKey(pair.publicKey);
  await createWaiting(opts.broker, publicKey, Math.max(0, opts.waiting - opts.alreadyWaiting));
  const listener = new QueueListener();
  await listener.start(opts.broker, opts.agentToken);
  try {
    await listener.until(1);
    // Let anything still in flight from the top-up arrive before counting.
    await new Promise((r) => setTimeout(r, 500));
    const before = listener.events.length;
    for (let i = 0; i < changes; i++) {
      const n = listener.events.length;
      const [id] = await createWaiting(opts.broker, publicKey, 1, 1);
      await listener.until(n + 1);
      const m = listener.events.length;
      const agentKey = await exportPublicKey((await generateSigningKeyPair()).publicKey);
      await post(`${opts.broker}/api/conversations/${id}/claim`, { publicKey: agentKey }, opts.claimToken);
      await listener.until(m + 1);
    }
    await new Promise((r) => setTimeout(r, 300));
    const after = listener.events.slice(before);
    return { waiting: opts.waiting, changes: changes * 2, bytesPerChange: after.reduce((a, b) => a + b, 0) / (changes * 2), snapshotBytes: listener.events[0], events: after.length };
  } finally {
    await listener.stop();
  }
}
