// Agent presence (issue 12): available/away from the console, kept alive by its
// open queue stream, streamed to consoles as `event: presence`, and a bare
// "is anyone there" for the customer widget. On the test PostgreSQL server.
//   node --import tsx --test test/server/presence.test.ts
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as v from '../../src/protocol/schema.js';
import { startJanus, type RunningJanus } from '../../scripts/janus.mjs';
import { AgentPresenceResponse, ApiError, AvailabilityResponse, QueuePresenceEvent, type AgentIdentity } from '../../src/protocol/index.js';
import { signAgentToken } from '../../server/agent-auth.js';
import { startBroker, type Broker } from '../../server/broker.js';
import { AgentPresence } from '../../server/presence.js';
import { QueueConsole } from '../bench/queue-bytes.js';
import { brokerOptions } from './broker-options.js';
import { testDatabaseUrl, testDb } from './test-db.js';

const AGENT_SECRET = 'presence-test-agent-token-secret-0123456789';
/** Short enough that expiry is seen in a test, long enough for a refresh (every third of it) to keep an open console alive. */
const TTL_MS = 1500;

const bearerOf = (id: string, display = id) => signAgentToken({ sub: id, name: display, exp: Math.floor(Date.now() / 1000) + 3600 }, AGENT_SECRET);

async function api(base: string, path: string, init: { body?: unknown; bearer?: string } = {}): Promise<{ status: number; body: unknown; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (init.bearer) headers.authorization = `Bearer ${init.bearer}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method: init.body === undefined ? 'GET' : 'POST', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as unknown) : undefined };
}

async function setPresence(base: string, bearer: string, status: 'available' | 'away'): Promise<AgentPresenceResponse> {
  const r = await api(base, '/api/agent/presence', { body: { status }, bearer });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return v.parse(AgentPresenceResponse, r.body);
}

async function availability(base: string): Promise<AvailabilityResponse> {
  const r = await api(base, '/api/availability');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return v.parse(AvailabilityResponse, r.body);
}

/** Waits until the broker's (1 s cached) availability says `pred`. */
async function availabilityUntil(base: string, pred: (a: AvailabilityResponse) => boolean, timeoutMs = 8000): Promise<AvailabilityResponse> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const a = await availability(base);
    if (pred(a)) return a;
    if (Date.now() > deadline) throw new Error(`availability stayed ${JSON.stringify(a)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The last `event: presence` a console got, as ids. */
function lastPresence(c: QueueConsole): string[] | undefined {
  const ev = c.of('presence').at(-1);
  return ev ? v.parse(QueuePresenceEvent, ev.data).available.map((a) => a.id) : undefined;
}

const same = (ids: string[]) => (c: QueueConsole) => JSON.stringify(lastPresence(c)) === JSON.stringify(ids);

describe('AgentPresence on the record', () => {
  test('set, get, refresh, expiry and the NOTIFY that tells every broker', async () => {
    const db = await testDb();
    const presence = new AgentPresence({ db, ttlMs: 400, availabilityCacheMs: 0, log: () => {} });
    const seen: AgentIdentity[][] = [];
    presence.onChange((list) => seen.push(list));
    await presence.start();
    try {
      const ann = { id: 'ann', display: 'Ann' };
      const bob = { id: 'bob', display: 'Bob' };
      assert.deepEqual(await presence.availability(), { available: false, agents: 0 });
      assert.equal((await presence.get('ann')).status, 'away', 'an agent never seen is away');

      const set = await presence.set(ann, 'available');
      assert.equal(set.status, 'available');
      assert.ok(set.expiresAt > Date.now() && set.expiresAt <= Date.now() + 400 + 50);
      await presence.set(bob, 'available');
      assert.deepEqual(await presence.available(), [ann, bob]);
      assert.deepEqual(await presence.availability(), { available: true, agents: 2 });

      // Ann's console is open (refreshed), Bob's is not: Bob counts as away once his time ran out, before any sweep.
      for (let i = 0; i < 4; i++) {
        await new Promise((r) => setTimeout(r, 150));
        await presence.refresh(['ann']);
      }
      assert.deepEqual(await presence.available(), [ann]);
      assert.equal((await presence.get('bob')).status, 'away');
      assert.deepEqual(await presence.availability(), { available: true, agents: 1 });

      // The sweep writes it down, which is what tells the consoles.
      const before = seen.length;
      assert.equal(await presence.expire(), 1);
      assert.equal(await presence.expire(), 0, 'once');
      const deadline = Date.now() + 3000;
      while (seen.length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(seen.at(-1), [ann]);

      // A refresh does not bring back an agent whose time ran out, and a refresh alone is not news.
      await presence.refresh(['bob']);
      assert.equal((await presence.get('bob')).status, 'away');

      await presence.set(ann, 'away');
      assert.deepEqual(await presence.availability(), { available: false, agents: 0 });
      await presence.refresh(['ann']);
      assert.equal((await presence.get('ann')).status, 'away', 'a refresh never makes an away agent available');
    } finally {
      await presence.close();
      await db.close();
    }
  });
});

describe('presence through the broker', () => {
  let janus: RunningJanus;
  let databaseUrl: string;
  let a: Broker;
  let b: Broker;
  const consoles: QueueConsole[] = [];
  const open = async (base: string, bearer: string, o: { previous?: QueueConsole } = {}) => {
    const c = await QueueConsole.open(base, { bearer }, o);
    consoles.push(c);
    return c;
  };

  before(async () => {
    janus = await startJanus({ reclaimTimeoutS: 1 });
    databaseUrl = await testDatabaseUrl();
    // Two brokers on one record: presence set on one reaches the consoles of the other.
    a = await startBroker(await brokerOptions(janus, { agentTokenSecret: AGENT_SECRET, agentPresenceTtlMs: TTL_MS, database: { url: databaseUrl } }));
    b = await startBroker(await brokerOptions(janus, { agentTokenSecret: AGENT_SECRET, agentPresenceTtlMs: TTL_MS, database: { url: databaseUrl } }));
  });

  after(async () => {
    for (const c of consoles) await c.close();
    await a?.close();
    await b?.close();
    await janus?.stop();
  });

  test('agents only: no token, a wrong status or extra fields are refused', async () => {
    const noToken = await api(a.url, '/api/agent/presence', { body: { status: 'available' } });
    assert.equal(noToken.status, 401);
    assert.equal((await api(a.url, '/api/agent/presence')).status, 401);
    const wrong = await api(a.url, '/api/agent/presence', { body: { status: 'busy' }, bearer: bearerOf('ann', 'Ann') });
    assert.equal(wrong.status, 400, JSON.stringify(wrong.body));
    v.parse(ApiError, wrong.body);
    const extra = await api(a.url, '/api/agent/presence', { body: { status: 'away', agentId: 'bob' }, bearer: bearerOf('ann', 'Ann') });
    assert.equal(extra.status, 400, 'the agent is the token, never the body');
  });

  test('the widget asks anyone-available: a boolean and a count, never who', async () => {
    const r = await api(b.url, '/api/availability');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { available: false, agents: 0, reason: 'no-agents' });
    await setPresence(a.url, bearerOf('zed', 'Zed Secretname'), 'available');
    const after = await availabilityUntil(b.url, (x) => x.available);
    assert.deepEqual(after, { available: true, agents: 1 });
    const raw = JSON.stringify((await api(b.url, '/api/availability')).body);
    assert.doesNotMatch(raw, /zed|Secretname/i, 'no identity of an agent');
    await setPresence(a.url, bearerOf('zed', 'Zed Secretname'), 'away');
    assert.deepEqual(await availabilityUntil(b.url, (x) => !x.available), { available: false, agents: 0 });
  });

  test('consoles on either broker get `event: presence` after the snapshot and on every change; no id, so Last-Event-ID is untouched', async () => {
    const ann = bearerOf('ann', 'Ann');
    const bob = bearerOf('bob', 'Bob');
    const onA = await open(a.url, ann);
    const onB = await open(b.url, bob);
    await onA.waitFor((c) => lastPresence(c) !== undefined, 5000, 'the first presence event');
    assert.equal(onA.events[0].type, 'snapshot', 'the snapshot comes first');
    assert.deepEqual(lastPresence(onA), []);
    const snapshotId = onA.lastEventId;
    assert.equal(onA.of('presence')[0].id, '', 'a presence event has no id');

    const mine = await setPresence(a.url, ann, 'available');
    assert.equal(mine.status, 'available');
    await onB.waitFor(same(['ann']), 5000, 'Ann available, seen on the other broker');
    await onA.waitFor(same(['ann']), 5000, 'Ann available, seen by Ann');
    assert.equal(onA.lastEventId, snapshotId, 'presence events leave the last event id alone');
    const me = await api(b.url, '/api/agent/presence', { bearer: ann });
    assert.equal(v.parse(AgentPresenceResponse, me.body).status, 'available');

    await setPresence(b.url, bob, 'available');
    await onA.waitFor(same(['ann', 'bob']), 5000, 'both available');

    // Setting the same status again is no news.
    const count = onA.of('presence').length;
    await setPresence(a.url, ann, 'available');
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(onA.of('presence').length, count);

    await setPresence(a.url, bob, 'away');
    await onA.waitFor(same(['ann']), 5000, 'Bob away');

    // A console that resumes from its last event id gets the replay (here: nothing) and the presence as it is now.
    await onA.close();
    const again = await open(b.url, ann, { previous: onA });
    await again.waitFor((c) => lastPresence(c) !== undefined, 5000, 'presence after a resume');
    assert.match(again.start, /^replay/);
    assert.deepEqual(lastPresence(again), ['ann']);
    await setPresence(a.url, ann, 'away');
    await again.waitFor(same([]), 5000, 'Ann away');
    await again.close();
    await onB.close();
  });

  test('an open queue stream keeps its agent available past the expiry; closing the console makes the agent away after a while', async () => {
    const cleo = bearerOf('cleo', 'Cleo');
    const dan = bearerOf('dan', 'Dan');
    const watcher = await open(a.url, bearerOf('watcher', 'Watcher'));
    const cleoConsole = await open(b.url, cleo);
    await setPresence(a.url, cleo, 'available');
    // Dan is available but has no console open anywhere.
    await setPresence(b.url, dan, 'available');
    await watcher.waitFor(same(['cleo', 'dan']), 5000, 'Cleo and Dan available');

    const t0 = Date.now();
    await watcher.waitFor(same(['cleo']), TTL_MS * 4, 'Dan away once his presence ran out');
    const danAway = Date.now() - t0;
    assert.ok(danAway <= TTL_MS * 2 + 500, `Dan counted as away after ${danAway} ms (TTL ${TTL_MS} ms, swept every third)`);

    // Well past the TTL, Cleo's console keeps her available.
    await new Promise((r) => setTimeout(r, TTL_MS * 2));
    assert.deepEqual(lastPresence(watcher), ['cleo']);
    assert.deepEqual(await availabilityUntil(a.url, (x) => x.agents === 1), { available: true, agents: 1 });

    await cleoConsole.close();
    const t1 = Date.now();
    await watcher.waitFor(same([]), TTL_MS * 4, 'Cleo away after her console closed');
    console.log(`  presence: console closed → away after ${Date.now() - t1} ms (TTL ${TTL_MS} ms); no console → away after ${danAway} ms`);
    assert.deepEqual(await availabilityUntil(b.url, (x) => !x.available), { available: false, agents: 0 });
    await watcher.close();
  });
});
