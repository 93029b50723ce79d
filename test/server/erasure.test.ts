// Erasure and retention remove rows from the record (asserted on the
// database): a customer's conversations, transcripts, certificates and webhook
// events, by the CRM record an agent linked or by the website's signed
// identity; and closed conversations once their retention is over.
//   node --import tsx --test test/server/erasure.test.ts
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startJanus, type RunningJanus } from '../../scripts/janus.mjs';
import { signAgentToken } from '../../server/agent-auth.js';
import { startBroker, type Broker, type BrokerOptions } from '../../server/broker.js';
import { openDb, type Db } from '../../server/db.js';
import { JanusAdmin } from '../../server/janus-admin.js';
import { RawSession } from './janus-raw.js';
import { signVisitorIdentity } from '../../server/visitor-identity.js';
import { brokerOptions } from './broker-options.js';
import { archiveEndpoint, janusPost, Peer, waitUntil } from './record-peers.js';

const AGENT_SECRET = 'erasure-test-agent-token-secret-0123456789';
const SITE_SECRET = 'erasure-test-site-secret-0123456789abcdef';
const OPERATOR = 'operator-token-for-the-erasure-test-0123456789';
const agentBearer = (id: string) => signAgentToken({ sub: id, name: id, exp: Math.floor(Date.now() / 1000) + 3600 }, AGENT_SECRET);

let janus: RunningJanus;
const cleanup: Array<() => Promise<unknown>> = [];
before(async () => {
  janus = await startJanus({ reclaimTimeoutS: 1 });
});
after(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => {});
  await janus?.stop();
});

async function brokerWith(extra: Partial<BrokerOptions>): Promise<{ broker: Broker; db: Db }> {
  const opts = await brokerOptions(janus, {
    agentTokenSecret: AGENT_SECRET,
    identitySecret: SITE_SECRET,
    // A receiver that is never there: every event stays pending in the outbox.
    webhooks: { url: 'http://127.0.0.1:9/hooks', secret: 'whsec-erasure-test-0123456789abcdefghij', initialBackoffMs: 60_000 },
    log: () => {},
    ...extra,
  });
  const broker = await startBroker(opts);
  const db = await openDb({ url: (opts.database as { url: string }).url });
  cleanup.push(() => db.close(), () => broker.close());
  return { broker, db };
}

/** A claimed conversation with `n` archived messages of each side, sent through the archive endpoint as Janus posts them. */
async function conversationWithRecord(base: string, db: Db, agentId: string, extra: Record<string, unknown> = {}, n = 3): Promise<Peer> {
  const customer = await Peer.customer(base, extra);
  const agent = await Peer.agent(base, customer.conversationId, agentBearer(agentId));
  const endpoint = await archiveEndpoint(db, base, customer.conversationId);
  const room = String(customer.descriptor.textRoom.room);
  for (let i = 0; i < n; i++) {
    for (const p of [customer, agent]) {
      const res = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: janusPost(room, `${p.id}~tab1`, await p.seal('chat.message', { text: `line ${i}`, seq: i })) });
      assert.equal(res.status, 204);
    }
  }
  await waitUntil(() => count(db, 'transcript', customer.conversationId), (c) => c === 2 * n, 10_000, 'the messages archived');
  return customer;
}

/** Asks Janus itself, with a token of the test's own. */
async function textRoomExists(room: string): Promise<boolean> {
  const admin = new JanusAdmin({ url: janus.adminUrl, secret: janus.adminSecret, log: () => {} });
  const token = `probe-${Date.now()}-${Math.random()}`;
  try {
    await admin.addToken(token);
    const s = await RawSession.create(janus.url, token);
    try {
      const h = await s.attach('janus.plugin.textroom');
      return (await s.message(h, { request: 'exists', room })).exists === true;
    } finally {
      s.close();
      await admin.removeToken(token).catch(() => {});
    }
  } finally {
    await admin.close();
  }
}

async function count(db: Db, table: 'conversation' | 'transcript' | 'certificate' | 'webhook_outbox', conversationId: string): Promise<number> {
  const column = table === 'conversation' ? 'id' : 'conversation_id';
  const [{ n }] = await db.query<{ n: number }>(`select count(*)::int as n from ${table} where ${column} = $1`, [conversationId]);
  return n;
}

async function rowsOf(db: Db, conversationId: string): Promise<Record<string, number>> {
  return {
    conversation: await count(db, 'conversation', conversationId),
    transcript: await count(db, 'transcript', conversationId),
    certificate: await count(db, 'certificate', conversationId),
    webhook_outbox: await count(db, 'webhook_outbox', conversationId),
  };
}

async function erase(base: string, body: unknown, token: string | null = OPERATOR): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}/api/erasure`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token !== null ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const NONE = { conversation: 0, transcript: 0, certificate: 0, webhook_outbox: 0 };

describe('erasure', () => {
  test('an operator removes one customer’s conversations, transcripts and pending events; others stay', async () => {
    const { broker, db } = await brokerWith({ operatorToken: OPERATOR });
    const base = broker.url;
    // Linked by an agent to CRM record acme-42 (two conversations, one of them still open).
    const linkedOpen = await conversationWithRecord(base, db, 'agent-ann');
    const linkedClosed = await conversationWithRecord(base, db, 'agent-ann');
    for (const c of [linkedOpen, linkedClosed]) {
      const res = await fetch(`${base}/api/conversations/${c.conversationId}/link`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${agentBearer('agent-ann')}` }, body: JSON.stringify({ customerId: 'acme-42', name: 'Ada' }) });
      assert.equal(res.status, 200);
    }
    await fetch(`${base}/api/conversations/${linkedClosed.conversationId}/close`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${linkedClosed.resumeKey}` }, body: '{}' });
    // Signed in on the website as user u-7.
    const identity = signVisitorIdentity({ userId: 'u-7', name: 'Ada', exp: Math.floor(Date.now() / 1000) + 300 }, SITE_SECRET);
    const signedIn = await conversationWithRecord(base, db, 'agent-bob', { identity });
    // Someone else.
    const other = await conversationWithRecord(base, db, 'agent-bob');
    const before = await rowsOf(db, linkedOpen.conversationId);
    assert.ok(before.conversation === 1 && before.transcript === 6 && before.certificate === 2 && before.webhook_outbox > 6, JSON.stringify(before));

    // Authentication first.
    assert.equal((await erase(base, { customerId: 'acme-42' }, null)).status, 401);
    const wrong = await erase(base, { customerId: 'acme-42' }, 'not-the-operator-token-0123456789abcdef');
    assert.equal(wrong.status, 403);
    assert.equal((await erase(base, {})).status, 400, 'nothing to erase named');
    assert.equal((await erase(base, { customerId: 'acme-42', extra: 1 })).status, 400);

    const byRecord = await erase(base, { customerId: 'acme-42' });
    assert.equal(byRecord.status, 200, JSON.stringify(byRecord.body));
    assert.equal(byRecord.body.conversations, 2);
    assert.equal(byRecord.body.messages, 12);
    assert.ok((byRecord.body.pendingEvents as number) >= 14, JSON.stringify(byRecord.body));
    assert.equal(byRecord.body.deferred, 0);
    assert.deepEqual(await rowsOf(db, linkedOpen.conversationId), NONE);
    assert.deepEqual(await rowsOf(db, linkedClosed.conversationId), NONE);
    // The open one's rooms went with it (their history too).
    assert.equal(await textRoomExists(String(linkedOpen.descriptor.textRoom.room)), false);
    assert.equal(await textRoomExists(String(other.descriptor.textRoom.room)), true);
    const gone = await fetch(`${base}/api/conversations/${linkedOpen.conversationId}`, { headers: { authorization: `Bearer ${linkedOpen.resumeKey}` } });
    assert.equal(gone.status, 404);

    const byUser = await erase(base, { userId: 'u-7' });
    assert.equal(byUser.status, 200);
    assert.equal(byUser.body.conversations, 1);
    assert.deepEqual(await rowsOf(db, signedIn.conversationId), NONE);

    const untouched = await rowsOf(db, other.conversationId);
    assert.equal(untouched.conversation, 1);
    assert.equal(untouched.transcript, 6);
    assert.equal(untouched.certificate, 2);
    assert.ok(untouched.webhook_outbox > 0);

    assert.deepEqual((await erase(base, { customerId: 'acme-42' })).body, { conversations: 0, messages: 0, pendingEvents: 0, deferred: 0 }, 'again: nothing left');
  });

  test('without OPERATOR_TOKEN erasure is refused with a clear code', async () => {
    const { broker } = await brokerWith({});
    const r = await erase(broker.url, { customerId: 'acme-42' });
    assert.equal(r.status, 403);
    assert.equal((r.body.error as { code: string }).code, 'erasure_disabled');
  });
});

describe('retention', () => {
  test('closed conversations are purged after retentionMs with their transcripts, certificates and webhook events', async () => {
    const { broker, db } = await brokerWith({ retentionMs: 500, closedRetentionMs: 0, sweepIntervalMs: 200 });
    const base = broker.url;
    const closed = await conversationWithRecord(base, db, 'agent-ann');
    const open = await conversationWithRecord(base, db, 'agent-ann');
    assert.ok((await count(db, 'webhook_outbox', closed.conversationId)) > 0);
    const res = await fetch(`${base}/api/conversations/${closed.conversationId}/close`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${closed.resumeKey}` }, body: '{}' });
    assert.equal(res.status, 200);
    await waitUntil(() => rowsOf(db, closed.conversationId), (r) => r.conversation === 0, 10_000, 'the purge');
    assert.deepEqual(await rowsOf(db, closed.conversationId), NONE);
    const kept = await rowsOf(db, open.conversationId);
    assert.equal(kept.conversation, 1);
    assert.equal(kept.transcript, 6);
    assert.ok(kept.webhook_outbox > 0);
  });
});
