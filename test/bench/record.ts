// The record's figures (issue 10, acceptance 6): archive write throughput
// through the real endpoint path (POST /internal/archive/… as Janus posts it:
// answer, queue, verify the signature against the certificates, insert, with
// the webhook triggers), and transcript API latency for a conversation of
// 10,000 archived messages. Real Janus (the broker needs one), the broker in
// this process, PostgreSQL 15 started for the run and embedded PGlite.
//   node --import tsx test/bench/record.ts          (also part of npm run bench)
//   RECORD_BENCH_DB=postgres|pglite|both (default both), RECORD_BENCH_MESSAGES (10000)
import { Agent, request } from 'node:http';
import { pathToFileURL } from 'node:url';
import { startJanus } from '../../scripts/janus.mjs';
import { startBroker } from '../../server/broker.js';
import { openDb, type Db } from '../../server/db.js';
import { startPostgres } from '../helpers/postgres.mjs';
import { archiveEndpoint, janusPost, Peer } from '../server/record-peers.js';

const MESSAGES = Number(process.env.RECORD_BENCH_MESSAGES ?? 10_000);
const SPREAD = 20;
const LATENCY_RUNS = 200;

function quantile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
}

/** A keep-alive POST, the way Janus (libcurl) posts: one at a time per room. */
function post(agent: Agent, url: URL, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function get(agent: Agent, url: string, bearer: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request({ agent, host: u.hostname, port: u.port, path: u.pathname + u.search, headers: { authorization: `Bearer ${bearer}` } }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function stored(db: Db, ids: string[]): Promise<number> {
  const [{ n }] = await db.query<{ n: number }>('select count(*)::int as n from transcript where conversation_id = any($1::text[])', [ids]);
  return n;
}

interface Prepared {
  peer: Peer;
  url: URL;
  bodies: string[];
}

/** Conversations and their signed envelopes, made before the clock starts (signing is the browsers' cost, not the archive's). */
async function prepare(base: string, db: Db, conversations: number, perConversation: number): Promise<Prepared[]> {
  const out: Prepared[] = [];
  for (let c = 0; c < conversations; c++) {
    const peer = await Peer.customer(base);
    const url = new URL(await archiveEndpoint(db, base, peer.conversationId));
    const room = String(peer.descriptor.textRoom.room);
    const bodies: string[] = [];
    for (let i = 0; i < perConversation; i++) {
      bodies.push(janusPost(room, `${peer.id}~bench`, await peer.seal('chat.message', { text: `Message ${i}: the parcel left the warehouse this morning and should arrive tomorrow.`, seq: i })));
    }
    out.push({ peer, url, bodies });
  }
  return out;
}

/** Posts every body (one poster per conversation, like Janus per room) and waits until all are stored. Messages per second. */
async function writeThroughput(db: Db, work: Prepared[]): Promise<{ perSecond: number; ms: number; postMs: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: work.length });
  const ids = work.map((w) => w.peer.conversationId);
  const total = work.reduce((n, w) => n + w.bodies.length, 0);
  const t0 = performance.now();
  await Promise.all(
    work.map(async (w) => {
      for (const body of w.bodies) {
        const status = await post(agent, w.url, body);
        if (status !== 204) throw new Error(`archive endpoint answered ${status}`);
      }
    }),
  );
  const postMs = performance.now() - t0;
  for (;;) {
    const n = await stored(db, ids);
    if (n >= total) break;
    if (performance.now() - t0 > 300_000) throw new Error(`only ${n} of ${total} stored after 5 min`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const ms = performance.now() - t0;
  agent.destroy();
  return { perSecond: (total / ms) * 1000, ms, postMs };
}

async function latency(base: string, peer: Peer, ids: string[], limit: number): Promise<{ p50: number; p99: number; bytes: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < LATENCY_RUNS + 10; i++) {
    // Random pages all over the conversation, the first one included.
    const k = Math.floor(Math.random() * (ids.length - limit));
    const q = k === 0 || i % 10 === 0 ? `?limit=${limit}` : `?limit=${limit}&after=${encodeURIComponent(ids[k])}`;
    const t = performance.now();
    const r = await get(agent, `${base}/api/conversations/${peer.conversationId}/transcript${q}`, peer.resumeKey!);
    const dt = performance.now() - t;
    if (r.status !== 200) throw new Error(`transcript answered ${r.status}`);
    if (i >= 10) {
      times.push(dt);
      bytes = Math.max(bytes, r.bytes);
    }
  }
  agent.destroy();
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99), bytes };
}

async function benchOne(kind: 'postgres' | 'pglite', janusUrl: { url: string; adminKey: string; adminUrl: string; adminSecret: string }): Promise<string[]> {
  const pg = kind === 'postgres' ? await startPostgres() : undefined;
  const db = pg ? await openDb({ url: pg.createDatabase('bench') }) : await openDb({ memory: true });
  const broker = await startBroker({
    janusUrl: janusUrl.url,
    janusAdminKey: janusUrl.adminKey,
    janusAdmin: { url: janusUrl.adminUrl, secret: janusUrl.adminSecret },
    database: db,
    port: 0,
    rateLimits: { create: false, post: false, login: false },
    openCaps: { perClient: 100, perNetwork: 100 },
    maxOpenConversations: 200,
    backfillConcurrency: 0,
    log: () => {},
  });
  const lines: string[] = [];
  const label = kind === 'postgres' ? 'PostgreSQL 15 (local server)' : 'embedded PGlite (in the broker process)';
  try {
    const one = await prepare(broker.url, db, 1, MESSAGES);
    const single = await writeThroughput(db, one);
    const spread = await writeThroughput(db, await prepare(broker.url, db, SPREAD, Math.ceil(MESSAGES / SPREAD)));
    const ids = (await db.query<{ message_id: string }>('select message_id from transcript where conversation_id = $1 order by position', [one[0].peer.conversationId])).map((r) => r.message_id);
    const full = await latency(broker.url, one[0].peer, ids, 1000);
    const small = await latency(broker.url, one[0].peer, ids, 50);
    const ms = (n: number) => `${n.toFixed(1)} ms`;
    lines.push(`\nThe record on ${label}`);
    lines.push(`  archive write, 1 conversation, ${MESSAGES} messages posted as Janus posts them: ${single.perSecond.toFixed(0)} msg/s (all stored after ${(single.ms / 1000).toFixed(2)} s; the posts themselves took ${(single.postMs / 1000).toFixed(2)} s)`);
    lines.push(`  archive write, ${SPREAD} conversations at once, ${MESSAGES} messages: ${spread.perSecond.toFixed(0)} msg/s`);
    lines.push(`  transcript API, conversation of ${ids.length} messages, ${LATENCY_RUNS} random pages: limit=1000 p50 ${ms(full.p50)}, p99 ${ms(full.p99)} (${(full.bytes / 1024).toFixed(0)} KiB a page); limit=50 p50 ${ms(small.p50)}, p99 ${ms(small.p99)}`);
  } finally {
    await broker.close();
    await db.close();
    await pg?.stop();
  }
  return lines;
}

/** Printable lines; `which` picks the backends. */
export async function recordBench(which = process.env.RECORD_BENCH_DB ?? 'both'): Promise<string[]> {
  const janus = await startJanus();
  try {
    const lines: string[] = [];
    if (which === 'postgres' || which === 'both') lines.push(...(await benchOne('postgres', janus)));
    if (which === 'pglite' || which === 'both') lines.push(...(await benchOne('pglite', janus)));
    return lines;
  } finally {
    await janus.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const line of await recordBench()) console.log(line);
  process.exit(0);
}
