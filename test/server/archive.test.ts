// The record's archive on a real Janus and a real PostgreSQL: messages sent over
// the TextRoom by real participants (werift data channels, signed like the
// browsers sign) land in `transcript` exactly once each with the sender the
// signature proves; forged ones do not; what was sent while the broker was down
// is back-filled from the rooms' history; the transcript API's rules.
//   node --import tsx --test test/server/archive.test.ts
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as v from '../../src/protocol/schema.js';
import { startJanus, type RunningJanus } from '../../scripts/janus.mjs';
import { ApiError, EnvelopeVerifier, TranscriptResponse } from '../../src/protocol/index.js';
import { signAgentToken } from '../../server/agent-auth.js';
import { startBroker, type Broker, type BrokerOptions } from '../../server/broker.js';
import { openDb, type Db } from '../../server/db.js';
import { brokerOptions } from './broker-options.js';
import { archiveEndpoint, janusPost, Peer, transcriptRows, waitUntil } from './record-peers.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const AGENT_SECRET = 'archive-test-agent-token-secret-0123456789';
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

/** A broker on `databaseUrl` (a new database unless given) and a connection of the test's own to that database. */
async function brokerOn(databaseUrl?: string, extra: Partial<BrokerOptions> = {}): Promise<{ broker: Broker; db: Db; databaseUrl: string; logs: string[] }> {
  const logs: string[] = [];
  const opts = await brokerOptions(janus, { agentTokenSecret: AGENT_SECRET, log: (level, m) => logs.push(`${level}: ${m}`), ...extra });
  if (databaseUrl) opts.database = { url: databaseUrl };
  const url = (opts.database as { url: string }).url;
  const broker = await startBroker(opts);
  const db = await openDb({ url });
  cleanup.push(() => db.close(), () => broker.close());
  return { broker, db, databaseUrl: url, logs };
}

async function getTranscript(base: string, id: string, bearer?: string, query = ''): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${base}/api/conversations/${id}/transcript${query}`, bearer === undefined ? {} : { headers: { authorization: `Bearer ${bearer}` } });
  return { status: res.status, body: await res.json() };
}

describe('archive: written server-side from the rooms', () => {
  let broker: Broker;
  let db: Db;
  let logs: string[];
  let customer: Peer;
  let agent: Peer;
  const expected: Array<{ id: string; role: string; sender: string; type: string }> = [];
  const forged: string[] = [];

  before(async () => {
    ({ broker, db, logs } = await brokerOn());
    customer = await Peer.customer(broker.url, { display: 'Casey' });
    agent = await Peer.agent(broker.url, customer.conversationId, agentBearer('agent-ann'));
    await customer.connect();
    await agent.connect();
    cleanup.push(() => customer.close(), () => agent.close());
  });

  test('each message of real participants is stored once, with the sender its signature proves; forged ones are not', async () => {
    const cid = customer.conversationId;
    for (const text of ['Hello "there" \\ {ü}', 'My order is late']) expected.push({ id: await customer.say(text), role: 'customer', sender: customer.id, type: 'chat.message' });
    expected.push({ id: await agent.say('Let me check'), role: 'agent', sender: agent.id, type: 'chat.message' });
    const push = await agent.seal('page.push', { url: 'https://shop.example/orders/1', title: 'Your order' });
    await agent.send(push);
    expected.push({ id: JSON.parse(push).id as string, role: 'agent', sender: agent.id, type: 'page.push' });

    // Resends (the outbox does that until acked): the same wire text, and the same id signed again.
    const again = await customer.seal('chat.message', { text: 'Are you there?', seq: 99 }, 'm-resent-1');
    await customer.send(again);
    await customer.send(again);
    await customer.send(await customer.seal('chat.message', { text: 'Are you there?', seq: 99 }, 'm-resent-1'));
    expected.push({ id: 'm-resent-1', role: 'customer', sender: customer.id, type: 'chat.message' });

    // Not archived: typing is not a reliable type (valid, ignored).
    await customer.send(await customer.seal('chat.typing', { active: true }, 'm-typing-1'));
    forged.push('m-typing-1');
    // Forged: text changed after signing.
    const tampered = (await customer.seal('chat.message', { text: 'Refund 10 EUR', seq: 5 }, 'm-tampered')).replace('10 EUR', '1000 EUR');
    await customer.send(tampered);
    forged.push('m-tampered');
    // Forged: a customer may not push pages (the role comes from the certificate, not the envelope).
    await customer.send(await customer.seal('page.push', { url: 'https://evil.example/' }, 'm-role'));
    forged.push('m-role');
    // Forged: the customer's key, the agent's name in `from`.
    const asAgent = await customer.signer.seal({ v: 2, id: 'm-impostor', type: 'chat.message', from: agent.id, ts: Date.now(), body: { text: 'I am the agent', seq: 1 } });
    await customer.send(asAgent);
    forged.push('m-impostor');
    // Forged: unsigned, and not even JSON.
    await customer.send(JSON.stringify({ v: 2, id: 'm-unsigned', type: 'chat.message', from: customer.id, ts: Date.now(), body: { text: 'x', seq: 2 } }));
    forged.push('m-unsigned');
    await customer.send('not json at all');

    // A key registered after the broker loaded the conversation's certificates: read from the record on first sight.
    await customer.newKey(broker.url);
    expected.push({ id: await customer.say('From my other tab'), role: 'customer', sender: customer.id, type: 'chat.message' });

    const rows = await waitUntil(() => transcriptRows(db, cid), (r) => r.length >= expected.length, 10_000, 'every message archived');
    // Everything sent before the last good message has been processed by now (one queue per conversation, in order).
    await new Promise((r) => setTimeout(r, 300));
    const final = await transcriptRows(db, cid);
    assert.deepEqual(
      final.map((r) => ({ id: r.message_id, role: r.sender_role, sender: r.sender_id, type: r.type })),
      expected,
      'exactly the good messages, once each, in the order sent, with the proven sender',
    );
    assert.equal(rows.length, final.length);
    for (const id of forged) assert.ok(!final.some((r) => r.message_id === id), `${id} must not be archived`);
    assert.ok(logs.some((l) => l.includes('bad signature')), 'the tampered message is logged');
    assert.ok(logs.some((l) => l.includes('may not send page.push')), 'the role violation is logged');

    // The stored wire text verifies again, with the conversation's auth data from the descriptor.
    const verifier = new EnvelopeVerifier(cid, agent.descriptor.auth!.authority);
    const certs = await db.query<{ cert: string }>('select cert from certificate where conversation_id = $1', [cid]);
    for (const { cert } of certs) assert.ok((await verifier.addCertificate(cert)).ok);
    for (const r of final) assert.equal((await verifier.open(r.wire)).kind, 'ok');
  });

  test('transcript API: who may read it, paging, order', async () => {
    const cid = customer.conversationId;
    const base = broker.url;
    // 404, 401, 403 like the rest of the API.
    assert.equal((await getTranscript(base, 'no-such-conversation', customer.resumeKey)).status, 404);
    const none = await getTranscript(base, cid);
    assert.equal(none.status, 401);
    assert.equal(v.parse(ApiError, none.body).error.code, 'unauthorized');
    assert.equal((await getTranscript(base, cid, 'not-a-key-of-anything')).status, 403);
    assert.equal((await getTranscript(base, cid, agentBearer('agent-bob'))).status, 403, 'another agent, while it is open');

    const full = v.parse(TranscriptResponse, (await getTranscript(base, cid, customer.resumeKey)).body);
    assert.equal(full.conversationId, cid);
    assert.equal(full.more, false);
    assert.deepEqual(full.messages.map((m) => m.id), expected.map((e) => e.id), 'the archive order');
    assert.deepEqual(full.messages[0].from, { role: 'customer', id: customer.id });
    assert.deepEqual(full.messages[0].body, { text: 'Hello "there" \\ {ü}', seq: 0 });
    assert.ok(full.messages.every((m) => m.receivedAt > 0 && m.ts > 0 && m.wire.includes('"sig"')));
    const asAgent = v.parse(TranscriptResponse, (await getTranscript(base, cid, agent.bearer)).body);
    assert.deepEqual(asAgent, full, 'the claiming agent reads the same');

    // Pages of 2, continued with `after`.
    const paged: string[] = [];
    let afterId: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = v.parse(TranscriptResponse, (await getTranscript(base, cid, customer.resumeKey, `?limit=2${afterId ? `&after=${afterId}` : ''}`)).body);
      paged.push(...page.messages.map((m) => m.id));
      assert.ok(page.messages.length <= 2);
      if (!page.more) break;
      afterId = page.messages.at(-1)!.id;
    }
    assert.deepEqual(paged, expected.map((e) => e.id));
    assert.equal((await getTranscript(base, cid, customer.resumeKey, '?limit=0')).status, 400);
    assert.equal((await getTranscript(base, cid, customer.resumeKey, '?limit=abc')).status, 400);
    assert.equal((await getTranscript(base, cid, customer.resumeKey, '?after=unknown-id')).status, 400);
    assert.equal((await getTranscript(base, cid, customer.resumeKey, '?limit=5000')).status, 200, 'a larger limit is capped at 1000');

    // Closed: any agent may read it (the one who picks the customer up tomorrow).
    const closed = await fetch(`${base}/api/conversations/${cid}/close`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${customer.resumeKey}` }, body: '{}' });
    assert.equal(closed.status, 200);
    const later = await getTranscript(base, cid, agentBearer('agent-bob'));
    assert.equal(later.status, 200);
    assert.deepEqual(v.parse(TranscriptResponse, later.body).messages.map((m) => m.id), expected.map((e) => e.id));
  });
});

describe('back-fill: nothing lost while the broker was down', () => {
  test('messages sent while the broker is stopped are archived once by the next broker, from the room history', async () => {
    const first = await brokerOn();
    const customer = await Peer.customer(first.broker.url, { display: 'Rita' });
    const agent = await Peer.agent(first.broker.url, customer.conversationId, agentBearer('agent-cy'));
    cleanup.push(() => customer.close(), () => agent.close());
    await customer.connect();
    await agent.connect();
    const cid = customer.conversationId;
    const before = [await customer.say('before 1'), await agent.say('before 2')];
    await waitUntil(() => transcriptRows(first.db, cid), (r) => r.length === 2, 10_000, 'the first two archived');

    // A second conversation, whose customer is alone in its room (the back-fill reads rooms several at a time).
    const alone = await Peer.customer(first.broker.url, { display: 'Sam' });
    cleanup.push(() => alone.close());
    await alone.connect();

    await first.broker.close();
    // The chat goes on through Janus; its POSTs to the stopped broker fail and are lost.
    const during = [await customer.say('during 1'), await agent.say('during 2'), await customer.say('during 3'), await customer.say('during 4')];
    const aloneDuring = [await alone.say('anyone there?'), await alone.say('hello?')];
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await transcriptRows(first.db, cid)).length, 2, 'nothing reached the archive meanwhile');

    // A new broker on the same record (and another port: reconcile points the room's post at it).
    const second = await brokerOn(first.databaseUrl);
    const rows = await waitUntil(() => transcriptRows(second.db, cid), (r) => r.length >= 6, 20_000, 'the back-fill');
    assert.deepEqual(rows.map((r) => r.message_id), [...before, ...during], 'each once, in the room’s order');
    const aloneRows = await waitUntil(() => transcriptRows(second.db, alone.conversationId), (r) => r.length >= 2, 10_000, 'the other room');
    assert.deepEqual(aloneRows.map((r) => r.message_id), aloneDuring);
    assert.ok(second.logs.some((l) => /back-fill \(startup\) done .* 2 room\(s\), 8 message\(s\) replayed, 6 new/.test(l)), second.logs.join('\n'));

    // Live again: the room posts to the new broker.
    const afterId = await customer.say('after');
    const all = await waitUntil(() => transcriptRows(second.db, cid), (r) => r.length >= 7, 10_000, 'the live message');
    assert.deepEqual(all.map((r) => r.message_id), [...before, ...during, afterId]);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await transcriptRows(second.db, cid)).length, 7, 'no duplicates');
  });
});

describe('on embedded PostgreSQL (PGlite), as npm start runs it', () => {
  test('the archive stores, the transcript API pages, the triggers write webhook events and they are delivered', async () => {
    const received: string[] = [];
    const receiver = createServer((req, res) => {
      received.push(String(req.headers['idempotency-key']));
      req.resume();
      res.writeHead(200).end();
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => receiver.close(r)));
    const db = await openDb({ memory: true });
    cleanup.push(() => db.close());
    const opts = await brokerOptions(janus, {
      agentTokenSecret: AGENT_SECRET,
      database: db,
      webhooks: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`, secret: 'whsec-pglite-test-0123456789abcdefghijkl', pollMs: 100 },
      log: () => {},
    });
    const broker = await startBroker(opts);
    cleanup.push(() => broker.close());
    const customer = await Peer.customer(broker.url);
    const endpoint = await archiveEndpoint(db, broker.url, customer.conversationId);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const wire = await customer.seal('chat.message', { text: `line "${i}" \\ ü`, seq: i });
      ids.push(JSON.parse(wire).id as string);
      const res = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: janusPost(String(customer.descriptor.textRoom.room), `${customer.id}~x`, wire) });
      assert.equal(res.status, 204);
    }
    const rows = await waitUntil(() => transcriptRows(db, customer.conversationId), (r) => r.length === 5, 10_000, 'archived on PGlite');
    assert.deepEqual(rows.map((r) => r.message_id), ids);
    const page = v.parse(TranscriptResponse, (await getTranscript(broker.url, customer.conversationId, customer.resumeKey, `?after=${ids[1]}&limit=2`)).body);
    assert.deepEqual(page.messages.map((m) => m.id), ids.slice(2, 4));
    assert.equal(page.more, true);
    assert.deepEqual(page.messages[0].body, { text: 'line "2" \\ ü', seq: 2 });
    await waitUntil(async () => received.length, (n) => n >= 6, 10_000, 'created + 5 messages delivered');
    assert.deepEqual(received.slice(0, 6), [`conversation.created:${customer.conversationId}`, ...ids.map((id) => `message:${customer.conversationId}:${id}`)]);
  });
});
