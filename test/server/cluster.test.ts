// Issue 15: two brokers on one PostgreSQL server, two Janus servers. Brokers
// share the database and nothing else; any broker serves any request.
//   node --import tsx --test test/server/cluster.test.ts
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { connect as netConnect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import Janode, { type JanodeConnection } from 'janode';
import VideoRoomPlugin from 'janode/plugins/videoroom';
import pg from 'pg';
import * as v from '../../src/protocol/schema.js';
import { startJanus, type RunningJanus } from '../../scripts/janus.mjs';
import { ClaimResponse, ConversationGrant, QueueEntry, type ConversationDescriptor } from '../../src/protocol/index.js';
import { signAgentToken } from '../../server/agent-auth.js';
import { startBroker, type Broker, type BrokerOptions } from '../../server/broker.js';
import { remoteAddressKey } from '../../server/rate-limit.js';
import { measureQueueBytes, QueueConsole } from '../bench/queue-bytes.js';
import { keyed } from './keys.js';
import { Peer, waitUntil } from './record-peers.js';
import { testDatabaseUrl } from './test-db.js';

Janode.Logger.setLevel('none');

const AGENT_SECRET = 'cluster-test-agent-token-secret-0123456789';
const GENEROUS = { perMinute: 1_000_000, burst: 100_000 };
const PASSWORD = 'cluster-test-password-0123';
const GRACE_MS = 3000;

function bearerOf(id: string, display = id): string {
  return signAgentToken({ sub: id, name: display, exp: Math.floor(Date.now() / 1000) + 3600 }, AGENT_SECRET);
}

/** Each test draws from its own rate-limit buckets: the client key is the x-test-client header when there is one. */
const clientKey = (req: IncomingMessage) => (typeof req.headers['x-test-client'] === 'string' ? req.headers['x-test-client'] : remoteAddressKey(req));

let janus1: RunningJanus;
let janus2: RunningJanus;
let databaseUrl: string;
let brokerA: Broker;
let brokerB: Broker;
let sql: pg.Pool;
const logs: string[] = [];

function options(name: string): BrokerOptions {
  return {
    janusServers: [janus1, janus2].map((j) => ({ url: j.url, adminKey: j.adminKey, admin: { url: j.adminUrl, secret: j.adminSecret } })),
    janusFailoverGraceMs: GRACE_MS,
    clusterHeartbeatMs: 500,
    database: { url: databaseUrl },
    port: 0,
    agentTokenSecret: AGENT_SECRET,
    agentAccounts: [{ username: 'ann', password: PASSWORD, display: 'Ann' }],
    // Creation and other POSTs unthrottled (the tests create hundreds); the login keeps its default rule (10/min, burst 5).
    rateLimits: { create: GENEROUS, post: GENEROUS },
    clientKey,
    maxOpenConversations: 100_000,
    openCaps: { perClient: 100_000, perNetwork: 50_000, perUser: 100_000 },
    log: (level, line) => {
      logs.push(`[${name}] ${level}: ${line}`);
      if (process.env.VC_TEST_LOG) console.log(`  ${new Date().toISOString().slice(17, 23)} [${name}] ${level}: ${line}`);
    },
  };
}

async function api(base: string, path: string, init: { body?: unknown; bearer?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.bearer) headers.authorization = `Bearer ${init.bearer}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method: init.body === undefined ? 'GET' : 'POST', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

async function create(base: string, display: string): Promise<ConversationGrant> {
  const r = await api(base, '/api/conversations', { body: await keyed({ display }) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return v.parse(ConversationGrant, r.body);
}

async function claim(base: string, id: string, bearer: string): Promise<ClaimResponse> {
  const r = await api(base, `/api/conversations/${id}/claim`, { body: await keyed({}), bearer });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return v.parse(ClaimResponse, r.body);
}

/** Raw POSTs written to their sockets in one synchronous loop, so they reach the brokers in the same instant. */
async function postAllAtOnce(targets: Array<{ base: string; path: string; body: unknown; headers: Record<string, string> }>): Promise<number[]> {
  const sockets = await Promise.all(
    targets.map(({ base }) => {
      const { hostname, port } = new URL(base);
      return new Promise<Socket>((resolve, reject) => {
        const s = netConnect(Number(port), hostname, () => resolve(s));
        s.on('error', reject);
      });
    }),
  );
  const replies = sockets.map(
    (s) =>
      new Promise<number>((resolve, reject) => {
        let raw = '';
        s.setEncoding('utf8');
        s.on('data', (c: string) => (raw += c));
        s.on('error', reject);
        s.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0)));
      }),
  );
  targets.forEach((t, i) => {
    const json = JSON.stringify(t.body);
    const { host } = new URL(t.base);
    const extra = Object.entries(t.headers).map(([k, val]) => `${k}: ${val}\r\n`).join('');
    sockets[i].write(`POST ${t.path} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\n${extra}Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`);
  });
  return Promise.all(replies);
}

/** Open entries (waiting, claimed) by id: what a console must show exactly. */
function openEntries(list: QueueEntry[]): Map<string, QueueEntry> {
  return new Map(list.filter((e) => e.state !== 'closed').map((e) => [e.id, e]));
}

async function queueOf(base: string): Promise<QueueEntry[]> {
  const r = await api(base, '/api/queue', { bearer: bearerOf('queue-reader') });
  assert.equal(r.status, 200);
  return v.parse(v.object({ conversations: v.array(QueueEntry) }), r.body).conversations;
}

before(async () => {
  [janus1, janus2] = await Promise.all([startJanus({ reclaimTimeoutS: 3 }), startJanus({ reclaimTimeoutS: 3 })]);
  databaseUrl = await testDatabaseUrl();
  // Both brokers on one record: the first migrates it, the second finds it migrated.
  brokerA = await startBroker(options('A'));
  brokerB = await startBroker(options('B'));
  sql = new pg.Pool({ connectionString: databaseUrl, max: 2, allowExitOnIdle: true });
});

after(async () => {
  await brokerA?.close();
  await brokerB?.close();
  await sql?.end();
  await janus1?.stop();
  await janus2?.stop();
});

describe('two brokers, one record (acceptance 1)', () => {
  test('a customer created through A is claimed by an agent signed in on B; both consoles see each change within 1 s', async () => {
    const onA = await QueueConsole.open(brokerA.url, { bearer: bearerOf('console-a') });
    const onB = await QueueConsole.open(brokerB.url, { bearer: bearerOf('console-b') });
    try {
      await onA.waitFor((c) => c.of('snapshot').length === 1, 5000, 'the snapshot on A');
      await onB.waitFor((c) => c.of('snapshot').length === 1, 5000, 'the snapshot on B');

      const created = Date.now();
      const grant = await create(brokerA.url, 'Cleo');
      const id = grant.descriptor.id;
      const [addedA, addedB] = await Promise.all([
        onA.waitFor((c) => c.entries.get(id)?.state === 'waiting', 3000, 'added on A'),
        onB.waitFor((c) => c.entries.get(id)?.state === 'waiting', 3000, 'added on B'),
      ]);
      const seenAdded = [onA, onB].map((c) => c.events.find((e) => e.type === 'added' && (e.data as { entry: QueueEntry }).entry.id === id)!.at - created);

      const login = await api(brokerB.url, '/api/agent/login', { body: { username: 'ann', password: PASSWORD }, headers: { 'x-test-client': 'login-for-claim' } });
      assert.equal(login.status, 200, JSON.stringify(login.body));
      const { token } = login.body as { token: string };
      const claimedAt = Date.now();
      const claimed = await claim(brokerB.url, id, token);
      assert.equal(claimed.descriptor.self.id, 'ann');
      await Promise.all([
        onA.waitFor((c) => c.entries.get(id)?.state === 'claimed', 3000, 'claimed on A'),
        onB.waitFor((c) => c.entries.get(id)?.state === 'claimed', 3000, 'claimed on B'),
      ]);
      const seenClaimed = [onA, onB].map((c) => c.events.find((e) => e.type === 'claimed' && (e.data as { entry: QueueEntry }).entry.id === id)!.at - claimedAt);
      console.log(`  create on A → added on consoles A/B: ${seenAdded.join(' / ')} ms (from the request); claim on B → claimed on A/B: ${seenClaimed.join(' / ')} ms`);
      for (const ms of [...seenAdded, ...seenClaimed, addedA, addedB]) assert.ok(ms < 1000, `a console saw the change after ${ms} ms`);
      assert.deepEqual(onA.entries.get(id), onB.entries.get(id));
      assert.equal(onA.entries.get(id)?.claimedBy?.display, 'Ann');
      // The same event ids on both brokers: they come from the record, not from either process.
      assert.deepEqual(onA.events.filter((e) => e.type !== 'snapshot').map((e) => e.id), onB.events.filter((e) => e.type !== 'snapshot').map((e) => e.id));
    } finally {
      await onA.close();
      await onB.close();
    }
  });

  test('50 concurrent claims spread over both brokers: exactly one wins', async () => {
    const grant = await create(brokerB.url, 'Dora');
    const id = grant.descriptor.id;
    const targets = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => ({
        base: i % 2 === 0 ? brokerA.url : brokerB.url,
        path: `/api/conversations/${id}/claim`,
        body: await keyed({}),
        headers: { authorization: `Bearer ${bearerOf(`racer-${i}`)}` },
      })),
    );
    const statuses = await postAllAtOnce(targets);
    assert.equal(statuses.filter((s) => s === 200).length, 1, `statuses: ${statuses.join(',')}`);
    assert.equal(statuses.filter((s) => s === 409).length, 49, `statuses: ${statuses.join(',')}`);
    const [row] = (await sql.query<{ claim_agent: { id: string } }>('select claim_agent from conversation where id = $1', [id])).rows;
    const winner = statuses.indexOf(200);
    assert.equal(row.claim_agent.id, `racer-${winner}`);
    // The winner's grant holds on Janus: the same agent claiming again (on the other broker) gets its descriptor back.
    const again = await claim(winner % 2 === 0 ? brokerB.url : brokerA.url, id, bearerOf(`racer-${winner}`));
    assert.equal(again.descriptor.self.id, `racer-${winner}`);
  });

  test('creation caps are one transaction under one lock across brokers', async () => {
    // Two more brokers on the record, both with 10 open conversations per client: 30 creates at once from one client,
    // split over them, and exactly 10 get in.
    const capped = { openCaps: { perClient: 10, perNetwork: 50, perUser: 3 } };
    const [c, d] = await Promise.all([startBroker({ ...options('C'), ...capped }), startBroker({ ...options('D'), ...capped })]);
    try {
      const targets = await Promise.all(
        Array.from({ length: 30 }, async (_, i) => ({
          base: i % 2 === 0 ? c.url : d.url,
          path: '/api/conversations',
          body: await keyed({ display: `Capped ${i}` }),
          headers: { 'x-test-client': 'capped-client' },
        })),
      );
      const statuses = await postAllAtOnce(targets);
      assert.equal(statuses.filter((x) => x === 201).length, 10, statuses.join(','));
      assert.equal(statuses.filter((x) => x === 429).length, 20, statuses.join(','));
      const [{ n }] = (await sql.query<{ n: number }>(`select count(*)::int as n from conversation where client_key = 'capped-client' and state <> 'closed'`)).rows;
      assert.equal(n, 10);
    } finally {
      await Promise.all([c.close(), d.close()]);
    }
  });

  test('a login throttled on A is throttled on B (token buckets in the record)', async () => {
    const headers = { 'x-test-client': 'throttled-client' };
    const wrong = { username: 'ann', password: 'not-the-password' };
    // The login rule: burst 5. Five attempts on A use the bucket up.
    for (let i = 0; i < 5; i++) assert.equal((await api(brokerA.url, '/api/agent/login', { body: wrong, headers })).status, 401);
    const onB = await fetch(`${brokerB.url}/api/agent/login`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ann', password: PASSWORD }) });
    assert.equal(onB.status, 429, 'even the right password waits');
    assert.ok(Number(onB.headers.get('retry-after')) >= 1);
    await onB.text();
    assert.equal((await api(brokerA.url, '/api/agent/login', { body: wrong, headers })).status, 429);
    // Another client is not affected.
    assert.equal((await api(brokerB.url, '/api/agent/login', { body: { username: 'ann', password: PASSWORD }, headers: { 'x-test-client': 'someone-else' } })).status, 200);
  });

  test('a logout on A ends that token’s queue streams on B', async () => {
    const login = await api(brokerA.url, '/api/agent/login', { body: { username: 'ann', password: PASSWORD }, headers: { 'x-test-client': 'logout-client' } });
    const { token } = login.body as { token: string };
    const onB = await QueueConsole.open(brokerB.url, { bearer: token });
    await onB.waitFor((c) => c.of('snapshot').length === 1);
    assert.equal((await api(brokerA.url, '/api/agent/logout', { body: {}, bearer: token })).status, 200);
    const started = Date.now();
    await assert.rejects(onB.waitFor(() => false, 3000), /ended/);
    assert.ok(Date.now() - started < 2000);
    await onB.close();
  });
});

describe('a console that loses its stream (acceptance 5)', () => {
  test('offline for 30 s while 200 conversations are created and claimed: it resumes from Last-Event-ID, on the other broker, with exactly the right queue', async () => {
    const agent = bearerOf('resumer', 'Resumer');
    const first = await QueueConsole.open(brokerA.url, { bearer: agent });
    await first.waitFor((c) => c.of('snapshot').length === 1, 5000, 'the snapshot');
    assert.match(first.start, /^snapshot; reason=new/);
    const lastSeen = first.lastEventId!;
    await first.close();
    const offlineFrom = Date.now();

    // While it is away: 200 customers arrive over both brokers and agents on both brokers claim them; a few end.
    const ids: string[] = [];
    let n = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (n < 200) {
          const i = n++;
          ids.push((await create(i % 2 === 0 ? brokerA.url : brokerB.url, `Away ${i}`)).descriptor.id);
        }
      }),
    );
    let m = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (m < ids.length) {
          const i = m++;
          await claim(i % 2 === 0 ? brokerB.url : brokerA.url, ids[i], bearerOf(`agent-${i % 7}`, `Agent ${i % 7}`));
        }
      }),
    );
    for (const id of ids.slice(0, 5)) {
      const r = await api(brokerA.url, `/api/conversations/${id}/close`, { body: {}, bearer: bearerOf(`agent-${ids.indexOf(id) % 7}`) });
      assert.equal(r.status, 200);
    }
    const busyMs = Date.now() - offlineFrom;
    await new Promise((r) => setTimeout(r, Math.max(0, 30_000 - busyMs)));

    // Back, on the other broker, with the id it last saw (what EventSource sends as Last-Event-ID).
    const [{ top }] = (await sql.query<{ top: number }>('select max(id)::int as top from queue_event')).rows;
    const back = await QueueConsole.open(brokerB.url, { bearer: agent }, { previous: first });
    await back.waitFor((c) => Number(c.lastEventId) >= top, 10_000, `event ${top}`);
    console.log(`  offline ${Math.round((Date.now() - offlineFrom) / 1000)} s (the work took ${busyMs} ms); resumed after event ${lastSeen}: ${back.start}, ${back.events.length} events, ${back.bytes} bytes`);
    assert.match(back.start, /^replay; events=\d+/, 'resumed from the replayed deltas');
    assert.equal(back.of('snapshot').length, 0, 'no snapshot after the reconnect');
    assert.ok(back.of('added').length >= 200 && back.of('claimed').length >= 200 && back.of('closed').length >= 5);

    const truth = await queueOf(brokerA.url);
    const mine = openEntries(back.list());
    assert.deepEqual(mine, openEntries(truth), 'exactly the queue the record has');
    for (const e of truth.filter((x) => x.state === 'closed')) assert.equal(back.entries.get(e.id)?.state, 'closed', e.id);

    // EventSource's own reconnect and a console that had to fetch a new ticket (?lastEventId=) resume the same way.
    const latest = back.lastEventId!;
    await back.close();
    const { ticket } = (await api(brokerA.url, '/api/queue/ticket', { body: {}, bearer: agent })).body as { ticket: string };
    const viaTicket = await QueueConsole.open(brokerA.url, { ticket }, { previous: back, viaQuery: true });
    await create(brokerB.url, 'After');
    await viaTicket.waitFor((c) => c.of('added').length === 1, 3000, 'the next change');
    assert.match(viaTicket.start, /^replay; events=0/);
    assert.equal(viaTicket.of('snapshot').length, 0);
    assert.ok(Number(viaTicket.lastEventId) > Number(latest));
    await viaTicket.close();

    // An id this record never gave out, or one older than the retained events, gets a fresh snapshot instead.
    const future = await QueueConsole.open(brokerA.url, { bearer: agent }, { lastEventId: String(top + 1_000_000) });
    await future.waitFor((c) => c.of('snapshot').length === 1);
    assert.match(future.start, /^snapshot; reason=unknown-id/);
    await future.close();
    await sql.query('update queue_event_horizon set purged_through = $1', [top]);
    const old = await QueueConsole.open(brokerB.url, { bearer: agent }, { lastEventId: lastSeen });
    await old.waitFor((c) => c.of('snapshot').length === 1);
    assert.match(old.start, /^snapshot; reason=too-old/);
    assert.deepEqual(openEntries(old.list()), openEntries(await queueOf(brokerB.url)));
    await old.close();
  });
});

describe('queue stream bytes per change', () => {
  test('independent of the queue length (100 and 2,000 waiting)', async () => {
    const rows = await measureQueueBytes({ databaseUrl: await testDatabaseUrl(), janus: janus1, counts: [100, 2000], log: (l) => console.log(l) });
    assert.equal(rows.length, 2);
    const [small, big] = rows;
    assert.ok(big.snapshotBytes > 10 * small.snapshotBytes, 'the snapshot grows with the queue');
    assert.ok(Math.abs(big.addedBytes - small.addedBytes) <= 8, `added: ${small.addedBytes} vs ${big.addedBytes} bytes`);
    assert.ok(Math.abs(big.claimedBytes - small.claimedBytes) <= 8, `claimed: ${small.claimedBytes} vs ${big.claimedBytes} bytes`);
    assert.ok(big.addedBytes < 1024);
  });
});

/** Joins a VideoRoom as a publisher with `token` and `pin` on `url` (no media): proves the room, its pin and the token's place on its allowed list. */
async function joinVideo(url: string, d: ConversationDescriptor): Promise<void> {
  let connection: JanodeConnection | undefined;
  try {
    connection = await Janode.connect({ is_admin: false, address: { url, token: d.token }, retry_time_secs: 1, max_retries: 0 });
    const session = await connection.create(15);
    const handle = await session.attach(VideoRoomPlugin);
    await handle.joinPublisher({ room: String(d.videoRoom.room), display: 'probe', token: d.token, pin: d.videoRoom.pin });
    await handle.detach().catch(() => {});
  } finally {
    await connection?.close().catch(() => {});
  }
}

describe('Janus failover', () => {
  test('SIGKILL the Janus of an open, claimed conversation: it moves to the other Janus with the same rooms, pins and tokens', async () => {
    const customer = await Peer.customer(brokerA.url, { display: 'Moving Mo' });
    const id = customer.conversationId;
    const agentBearer = bearerOf('mover', 'Mover');
    const agent = await Peer.agent(brokerB.url, id, agentBearer);
    await customer.connect();
    await agent.connect();
    await customer.say('before the crash');
    await waitUntil(async () => (await api(brokerA.url, `/api/conversations/${id}/transcript`, { bearer: customer.resumeKey })).body as { messages: unknown[] }, (t) => t.messages.length === 1, 5000, 'the first message archived');
    await customer.close();
    await agent.close();

    const dying = customer.descriptor.gateway === janus1.url ? janus1 : janus2;
    const survivor = dying === janus1 ? janus2 : janus1;
    const [{ n: onDying }] = (await sql.query<{ n: number }>(`select count(*)::int as n from conversation where state <> 'closed' and gateway = $1`, [dying.url])).rows;
    const console_ = await QueueConsole.open(brokerA.url, { bearer: bearerOf('watcher') });
    await console_.waitFor((c) => c.of('snapshot').length === 1);

    const killedAt = Date.now();
    if (process.env.VC_TEST_LOG) console.log(`  ${new Date().toISOString().slice(17, 23)} SIGKILL ${dying.url}`);
    process.kill(dying.pid!, 'SIGKILL');
    const moved = await waitUntil(
      async () => (await sql.query<{ gateway: string }>('select gateway from conversation where id = $1', [id])).rows[0].gateway,
      (g) => g === survivor.url,
      GRACE_MS + 15_000,
      'the conversation to move',
    );
    const recoveryMs = Date.now() - killedAt;
    assert.equal(moved, survivor.url);
    // Every open conversation of the dead Janus moved with it.
    await waitUntil(async () => (await sql.query<{ n: number }>(`select count(*)::int as n from conversation where state <> 'closed' and gateway = $1`, [dying.url])).rows[0].n, (n) => n === 0, 15_000, 'all conversations moved');
    const movedAllMs = Date.now() - killedAt;
    console.log(`  Janus SIGKILLed: its conversation on the other Janus after ${recoveryMs} ms (grace ${GRACE_MS} ms); all ${onDying} open conversation(s) of that Janus moved after ${movedAllMs} ms`);
    assert.ok(recoveryMs < GRACE_MS + 6000, `recovery took ${recoveryMs} ms`);

    // Consoles are told: the entry's gateway changed (an `updated` event).
    await console_.waitFor((c) => c.entries.get(id)?.gateway === survivor.url, 3000, 'the updated event');
    await console_.close();

    // The customer's resume and the agent's re-claim, on either broker, name the new gateway; nothing else changed.
    for (const base of [brokerA.url, brokerB.url]) {
      const resumed = v.parse(ConversationGrant, (await api(base, `/api/conversations/${id}`, { bearer: customer.resumeKey })).body);
      const same = (d: ConversationDescriptor) => ({ id: d.id, token: d.token, textRoom: d.textRoom, videoRoom: d.videoRoom, self: d.self });
      assert.deepEqual(same(resumed.descriptor), same(customer.descriptor));
      assert.equal(resumed.descriptor.gateway, survivor.url);
    }
    const reclaimed = await Peer.agent(brokerA.url, id, agentBearer);
    assert.equal(reclaimed.descriptor.gateway, survivor.url);
    assert.deepEqual({ ...reclaimed.descriptor, gateway: 'x', auth: null }, { ...agent.descriptor, gateway: 'x', auth: null });

    // Rooms with the same ids and pins exist there, and both tokens are allowed in both rooms.
    await joinVideo(survivor.url, customer.descriptor);
    await joinVideo(survivor.url, agent.descriptor);
    const customerThere = customer.follow(v.parse(ConversationGrant, (await api(brokerB.url, `/api/conversations/${id}`, { bearer: customer.resumeKey })).body).descriptor);
    const agentThere = agent.follow(reclaimed.descriptor);
    await customerThere.connect();
    await agentThere.connect();
    try {
      // The archive's post works there: a message sent on the new Janus is archived.
      await customerThere.say('after the move');
      await agentThere.say('still here');
      const t = await waitUntil(
        async () => (await api(brokerB.url, `/api/conversations/${id}/transcript`, { bearer: customer.resumeKey })).body as { messages: Array<{ body: { text: string } }> },
        (x) => x.messages.length === 3,
        // Generous: on a loaded 2-core machine the moved rooms' archive take-over can take a few seconds.
        15_000,
        'the messages sent on the new Janus archived',
      );
      assert.deepEqual(t.messages.map((x) => x.body.text), ['before the crash', 'after the move', 'still here']);
    } finally {
      await customerThere.close();
      await agentThere.close();
    }
    // New conversations go to the healthy Janus only.
    const fresh = await create(brokerB.url, 'After the crash');
    assert.equal(fresh.descriptor.gateway, survivor.url);
    assert.ok(logs.some((l) => /failover: moved \d+ conversation/.test(l)), 'the move is logged');
  });
});
