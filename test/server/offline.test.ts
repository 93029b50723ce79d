// Nobody waits forever: opening hours, GET /api/availability, offline
// messages (stored, in the agents' queue stream and snapshot, listed, handled)
// and the customer's place in the queue, against a real Janus and PostgreSQL.
//   node --import tsx --test test/server/offline.test.ts
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as v from '../../src/protocol/schema.js';
import { startJanus, type RunningJanus } from '../../scripts/janus.mjs';
import {
  ApiError,
  ConversationGrant,
  CustomerAvailability,
  OfflineMessage,
  OfflineMessageList,
  OfflineMessageReceipt,
  QueueEntry,
  QueuePosition,
} from '../../src/protocol/index.js';
import { signAgentToken } from '../../server/agent-auth.js';
import { Availability } from '../../server/availability.js';
import { startBroker, type Broker } from '../../server/broker.js';
import { loadConfig, ConfigError } from '../../server/config.js';
import { parseOpeningHours, parseSchedule } from '../../server/opening-hours.js';
import { brokerOptions } from './broker-options.js';
import { keyed } from './keys.js';

const AGENT_SECRET = 'test-agent-token-secret-0123456789';
const asAgent = (id: string, display = id) => ({
  authorization: `Bearer ${signAgentToken({ sub: id, name: display, exp: Math.floor(Date.now() / 1000) + 3600 }, AGENT_SECRET)}`,
});

async function call(base: string, path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method: init.method ?? (init.body === undefined ? 'GET' : 'POST'), headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as unknown) : undefined };
}

const at = (iso: string) => Date.parse(iso);

describe('opening hours', () => {
  test('a weekly schedule in a time zone: open, closes at, opens at (daylight saving included)', () => {
    const h = parseOpeningHours('Mo-Fr 09:00-17:30; Sa 10:00-14:00', 'Europe/Berlin');
    // Wednesday 2026-07-01 12:00 in Berlin (CEST, UTC+2).
    assert.deepEqual(h.at(at('2026-07-01T10:00:00Z')), { open: true, closesAt: at('2026-07-01T15:30:00Z') });
    // Wednesday 18:00 Berlin: closed until Thursday 09:00.
    assert.deepEqual(h.at(at('2026-07-01T16:00:00Z')), { open: false, opensAt: at('2026-07-02T07:00:00Z') });
    // Saturday 15:00: closed until Monday 09:00.
    assert.deepEqual(h.at(at('2026-07-04T13:00:00Z')), { open: false, opensAt: at('2026-07-06T07:00:00Z') });
    // Across the change to winter time (Sunday 2026-10-25): Saturday evening (CEST) → Monday 09:00 CET = 08:00 UTC.
    assert.deepEqual(h.at(at('2026-10-24T18:00:00Z')), { open: false, opensAt: at('2026-10-26T08:00:00Z') });
  });

  test('ranges past midnight, lists, 24/7, and what is refused', () => {
    const night = parseOpeningHours('Fr 22:00-02:00', 'UTC');
    assert.equal(night.at(at('2026-07-04T01:00:00Z')).open, true, 'Saturday 01:00 is still Friday night');
    assert.deepEqual(night.at(at('2026-07-03T23:00:00Z')), { open: true, closesAt: at('2026-07-04T02:00:00Z') });
    const split = parseOpeningHours('Mo,We 08:00-12:00,13:00-18:00', 'UTC');
    assert.deepEqual(split.at(at('2026-07-01T12:30:00Z')), { open: false, opensAt: at('2026-07-01T13:00:00Z') });
    assert.deepEqual(parseOpeningHours('24/7', 'UTC').at(Date.now()), { open: true });
    // A day that runs into the next is one opening: it closes when the second one ends.
    assert.deepEqual(parseOpeningHours('Mo 20:00-24:00; Tu 00:00-06:00', 'UTC').at(at('2026-06-29T23:00:00Z')), { open: true, closesAt: at('2026-06-30T06:00:00Z') });
    for (const [bad, why] of [
      ['Mo-Fr', /days and times/],
      ['Xx 09:00-10:00', /not a day/],
      ['Mo 9-17', /not a time/],
      ['Mo 25:00-26:00', /not a time/],
      ['Mo 10:00-10:00', /empty/],
      ['', /no opening hours/],
    ] as const) {
      assert.throws(() => parseSchedule(bad), why, bad);
    }
    assert.throws(() => parseOpeningHours('24/7', 'Mars/Olympus'), /not a time zone/);
  });

  test('OPENING_HOURS and OPENING_HOURS_TZ are validated with the rest of the configuration', () => {
    const env = { JANUS_URL: 'ws://127.0.0.1:8188', JANUS_ADMIN_KEY: 'k' };
    const ok = loadConfig({ env: { ...env, OPENING_HOURS: 'Mo-Fr 09:00-17:00', OPENING_HOURS_TZ: 'Europe/Berlin' } });
    assert.deepEqual(ok.options.openingHours, { schedule: 'Mo-Fr 09:00-17:00', timeZone: 'Europe/Berlin' });
    assert.throws(
      () => loadConfig({ env: { ...env, OPENING_HOURS: 'Mo-Fr 9-5', OPENING_HOURS_TZ: 'Nowhere/Land' } }),
      (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.startsWith('OPENING_HOURS: "9" is not a time')) && e.problems.some((p) => p.startsWith('OPENING_HOURS_TZ: must be a time zone')),
    );
    assert.throws(() => loadConfig({ env: { ...env, OPENING_HOURS_TZ: 'UTC' } }), /OPENING_HOURS_TZ: needs OPENING_HOURS/);
  });

  test('availability: closed hours win, then the agents; without either the broker says available', async () => {
    const closed = parseOpeningHours('Mo 09:00-10:00', 'UTC');
    const wed = at('2026-07-01T12:00:00Z');
    assert.deepEqual(await new Availability().now(), { available: true });
    assert.deepEqual(await new Availability({ hours: closed, now: () => wed }).now(), { available: false, reason: 'closed', opensAt: at('2026-07-06T09:00:00Z') });
    const nobody = async () => ({ available: false, agents: 0 });
    const two = async () => ({ available: true, agents: 2 });
    assert.deepEqual(await new Availability({ agents: nobody }).now(), { available: false, agents: 0, reason: 'no-agents' });
    assert.deepEqual(await new Availability({ agents: two, hours: parseOpeningHours('24/7', 'UTC') }).now(), { available: true, agents: 2 });
    assert.deepEqual(await new Availability({ agents: two, hours: closed, now: () => wed }).now(), { available: false, agents: 2, reason: 'closed', opensAt: at('2026-07-06T09:00:00Z') });
  });
});

describe('broker: availability, offline messages, queue position', () => {
  let janus: RunningJanus;
  let broker: Broker;
  let closedBroker: Broker;
  const base = () => broker.url;

  before(async () => {
    janus = await startJanus();
    // Only the opening hours decide here (agents' presence: presence.test.ts, and the last test below).
    broker = await startBroker(await brokerOptions(janus, { agentTokenSecret: AGENT_SECRET, offlineWithoutAgents: false }));
    // Open one minute a week, never now (unless the test runs in that minute: then it is open for the next test run).
    closedBroker = await startBroker(await brokerOptions(janus, { agentTokenSecret: AGENT_SECRET, openingHours: { schedule: 'Su 03:00-03:01', timeZone: 'UTC' }, offlineWithoutAgents: false }));
  });
  after(async () => {
    await broker?.close();
    await closedBroker?.close();
    await janus?.stop();
  });

  test('GET /api/availability: anyone, not cached, and the opening hours say closed', async () => {
    const open = await call(base(), '/api/availability');
    assert.equal(open.status, 200);
    assert.equal(open.headers.get('cache-control'), 'no-store');
    assert.deepEqual(v.parse(CustomerAvailability, open.body), { available: true });
    const closed = v.parse(CustomerAvailability, (await call(closedBroker.url, '/api/availability')).body);
    assert.equal(closed.available, false);
    assert.equal(closed.reason, 'closed');
    assert.equal(new Date(closed.opensAt!).toISOString().slice(10), 'T03:00:00.000Z');
    assert.equal(new Date(closed.opensAt!).getUTCDay(), 0);
  });

  test('a visitor leaves a message: validated, stored, in the queue stream and snapshot, listed and handled by an agent', async () => {
    // The console is open before the message arrives: it gets it as a delta.
    const ac = new AbortController();
    const stream = await fetch(`${base()}/api/queue/stream`, { headers: asAgent('ann', 'Ann'), signal: ac.signal });
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    let seen = '';
    const until = async (re: RegExp) => {
      const deadline = Date.now() + 5000;
      while (!re.test(seen)) {
        if (Date.now() > deadline) throw new Error(`queue stream never showed ${re}: ${seen}`);
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        seen += value;
      }
    };
    await until(/event: snapshot/);

    for (const [body, field] of [
      [{ email: 'not-an-address', text: 'Hello' }, /email/],
      [{ email: 'kim@example.com', text: '   ' }, /text/],
      [{ email: 'kim@example.com', text: 'x'.repeat(4001) }, /text/],
      [{ email: 'kim@example.com', text: 'Hi', extra: 1 }, /extra|key/i],
    ] as const) {
      const r = await call(base(), '/api/offline-messages', { body });
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.match(v.parse(ApiError, r.body).error.message, field);
    }
    const left = await call(base(), '/api/offline-messages', { body: { name: 'Kim', email: ' kim@example.com ', text: 'Do you ship to Norway?', page: 'http://shop.test/p' } });
    assert.equal(left.status, 201, JSON.stringify(left.body));
    const receipt = v.parse(OfflineMessageReceipt, left.body);
    assert.match(receipt.id, /^offline-[0-9a-f-]{36}$/);
    assert.deepEqual(Object.keys(left.body as object).sort(), ['createdAt', 'id'], 'the visitor learns nothing else of the record');

    await until(new RegExp(`event: added\\ndata: \\{"entry":\\{[^\\n]*"id":"${receipt.id}"`));
    const added = /event: added\ndata: (.*)\n/.exec(seen.slice(seen.lastIndexOf('event: added')))![1];
    const entry = v.parse(v.object({ entry: QueueEntry }), JSON.parse(added)).entry;
    assert.deepEqual(entry, {
      id: receipt.id,
      display: 'Kim',
      createdAt: receipt.createdAt,
      state: 'offline',
      topic: 'Do you ship to Norway?',
      offline: { email: 'kim@example.com', text: 'Do you ship to Norway?', page: 'http://shop.test/p' },
    });

    // Agents only; newest first.
    assert.equal((await call(base(), '/api/offline-messages')).status, 401);
    const list = v.parse(OfflineMessageList, (await call(base(), '/api/offline-messages', { headers: asAgent('ann', 'Ann') })).body);
    assert.equal(list.messages[0].id, receipt.id);
    assert.equal(list.messages[0].state, 'open');
    // GET /api/queue and a fresh snapshot show it too.
    const queue = v.parse(v.object({ conversations: v.array(QueueEntry) }), (await call(base(), '/api/queue', { headers: asAgent('ann') })).body);
    assert.ok(queue.conversations.some((c) => c.id === receipt.id && c.state === 'offline'));
    const snap = await fetch(`${base()}/api/queue/stream`, { headers: asAgent('bob') });
    const first = await snap.body!.pipeThrough(new TextDecoderStream()).getReader().read();
    assert.match(first.value ?? '', new RegExp(`"id":"${receipt.id}","state":"offline"|"state":"offline"[^}]*"id":"${receipt.id}"|"id":"${receipt.id}"`));
    void snap.body?.cancel().catch(() => {});

    // Handled: closed in every console, once.
    const handled = await call(base(), `/api/offline-messages/${receipt.id}/handled`, { body: {}, headers: asAgent('ann', 'Ann') });
    assert.equal(handled.status, 200);
    const m = v.parse(OfflineMessage, handled.body);
    assert.equal(m.state, 'handled');
    assert.deepEqual(m.handledBy, { id: 'ann', display: 'Ann' });
    await until(new RegExp(`event: closed\\ndata: \\{"entry":\\{[^\\n]*"id":"${receipt.id}"`));
    const again = v.parse(OfflineMessage, (await call(base(), `/api/offline-messages/${receipt.id}/handled`, { body: {}, headers: asAgent('bob') })).body);
    assert.deepEqual(again.handledBy, { id: 'ann', display: 'Ann' }, 'the first agent who handled it stays');
    assert.equal((await call(base(), '/api/offline-messages/offline-nope/handled', { body: {}, headers: asAgent('ann') })).status, 404);
    const open = v.parse(OfflineMessageList, (await call(base(), '/api/offline-messages?state=open', { headers: asAgent('ann') })).body);
    assert.ok(!open.messages.some((x) => x.id === receipt.id));
    assert.equal((await call(base(), '/api/offline-messages?state=bogus', { headers: asAgent('ann') })).status, 400);
    ac.abort();
  });

  test('leaving messages draws from the same bucket as starting a chat', async () => {
    const b = await startBroker(await brokerOptions(janus, { rateLimits: { create: { perMinute: 60, burst: 3 }, login: false, post: false } }));
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await call(b.url, '/api/offline-messages', { body: { email: 'r@example.com', text: `n${i}` } })).status);
      assert.deepEqual(statuses, [201, 201, 201, 429, 429]);
      // The same bucket: no chat either now.
      assert.equal((await call(b.url, '/api/conversations', { body: await keyed({}) })).status, 429);
    } finally {
      await b.close();
    }
  });

  test('the customer sees their place in the queue with the resume key; it moves up as others are claimed', async () => {
    // Its own broker with no rate limit in the way.
    const b = await startBroker(await brokerOptions(janus, { agentTokenSecret: AGENT_SECRET }));
    try {
      const grants: ConversationGrant[] = [];
      for (const display of ['One', 'Two', 'Three']) {
        grants.push(v.parse(ConversationGrant, (await call(b.url, '/api/conversations', { body: await keyed({ display }) })).body));
      }
      const position = async (i: number, key = grants[i].resumeKey) => {
        const r = await call(b.url, `/api/conversations/${grants[i].descriptor.id}/queue`, { headers: { authorization: `Bearer ${key}` } });
        return { status: r.status, body: r.status === 200 ? v.parse(QueuePosition, r.body) : undefined };
      };
      // No agent has set themselves available (claims go through the API here): a waiting customer is told so.
      const nobody = { availability: { available: false, agents: 0, reason: 'no-agents' } };
      assert.deepEqual((await position(2)).body, { state: 'waiting', position: 3, waiting: 3, ...nobody });
      assert.equal((await position(2, grants[0].resumeKey)).status, 403, "another conversation's key");
      assert.equal((await call(b.url, `/api/conversations/${grants[2].descriptor.id}/queue`)).status, 401);
      const claim = await call(b.url, `/api/conversations/${grants[0].descriptor.id}/claim`, { body: await keyed({}), headers: asAgent('ann', 'Ann') });
      assert.equal(claim.status, 200);
      assert.deepEqual((await position(2)).body, { state: 'waiting', position: 2, waiting: 2, ...nobody });
      assert.deepEqual((await position(0)).body, { state: 'claimed' });
      await call(b.url, `/api/conversations/${grants[1].descriptor.id}/close`, { body: {}, headers: { authorization: `Bearer ${grants[1].resumeKey}` } });
      assert.deepEqual((await position(2)).body, { state: 'waiting', position: 1, waiting: 1, ...nobody });
    } finally {
      await b.close();
    }
  });

  test('while waiting outside the opening hours, the position says so too', async () => {
    const grant = v.parse(ConversationGrant, (await call(closedBroker.url, '/api/conversations', { body: await keyed({ display: 'Late' }) })).body);
    const r = v.parse(QueuePosition, (await call(closedBroker.url, `/api/conversations/${grant.descriptor.id}/queue`, { headers: { authorization: `Bearer ${grant.resumeKey}` } })).body);
    assert.equal(r.position, 1);
    assert.equal(r.availability?.available, false);
    assert.equal(r.availability?.reason, 'closed');
  });
});
