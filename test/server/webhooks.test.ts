// Webhooks for CRMs (issue 10, acceptance 5) on a real Janus and PostgreSQL:
// the receiver goes down for 30 s (the broker's backoff is capped at 4 s for
// the test instead of 5 min, so retries happen during the outage), the broker
// is restarted meanwhile, and
// once the receiver is back every event arrives, in order per conversation,
// signed, duplicates only under the same Idempotency-Key.
//   node --import tsx --test test/server/webhooks.test.ts
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { freePort, startJanus, type RunningJanus } from '../../scripts/janus.mjs';
import { signAgentToken } from '../../server/agent-auth.js';
import { startBroker, type Broker, type BrokerOptions } from '../../server/broker.js';
import { openDb, type Db } from '../../server/db.js';
import { signWebhook, verifyWebhookSignature } from '../../server/webhooks.js';
import { brokerOptions } from './broker-options.js';
import { Peer, waitUntil } from './record-peers.js';

const AGENT_SECRET = 'webhook-test-agent-token-secret-0123456789';
const SECRET = 'whsec-for-the-webhook-test-0123456789abcdef';
const OUTAGE_MS = 30_000;
const agentBearer = (id: string) => signAgentToken({ sub: id, name: id, exp: Math.floor(Date.now() / 1000) + 3600 }, AGENT_SECRET);

interface Receipt {
  key: string;
  eventId: string;
  type: string;
  conversationId: string;
  signed: boolean;
  body: string;
  attempt: number;
}

/** A CRM's receiver on a fixed port, which can go away and come back. */
class Receiver {
  readonly receipts: Receipt[] = [];
  private server?: Server;
  constructor(readonly port: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  async up(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const event = JSON.parse(body) as { id: string; type: string; conversationId: string };
        this.receipts.push({
          key: String(req.headers['idempotency-key']),
          eventId: String(req.headers['vc-event-id']),
          type: event.type,
          conversationId: event.conversationId,
          signed: verifyWebhookSignature(req.headers['vc-signature'] as string, body, SECRET) && event.id === req.headers['vc-event-id'],
          body,
          attempt: Number(req.headers['vc-delivery-attempt']),
        });
        res.writeHead(204);
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.server = server;
  }

  async down(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    const closed = new Promise<void>((r) => s.close(() => r()));
    s.closeAllConnections();
    await closed;
  }
}

let janus: RunningJanus;
let receiver: Receiver;
const cleanup: Array<() => Promise<unknown>> = [];

before(async () => {
  janus = await startJanus({ reclaimTimeoutS: 1 });
  receiver = new Receiver(await freePort());
});
after(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => {});
  await receiver?.down();
  await janus?.stop();
});

async function broker(databaseUrl?: string): Promise<{ broker: Broker; databaseUrl: string }> {
  const extra: Partial<BrokerOptions> = {
    agentTokenSecret: AGENT_SECRET,
    webhooks: { url: receiver.url, secret: SECRET, initialBackoffMs: 200, maxBackoffMs: 4000, pollMs: 200, concurrency: 2 },
  };
  const opts = await brokerOptions(janus, extra);
  if (databaseUrl) opts.database = { url: databaseUrl };
  const b = await startBroker(opts);
  cleanup.push(() => b.close());
  return { broker: b, databaseUrl: (opts.database as { url: string }).url };
}

async function post(base: string, path: string, bearer: string, body: unknown): Promise<void> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` }, body: JSON.stringify(body) });
  assert.equal(res.status, 200, `${path}: ${await res.text()}`);
}

describe('webhooks', () => {
  test('signature: the README snippet and verifyWebhookSignature accept what the broker signs and refuse the rest', () => {
    // The snippet exactly as the README prints it, run against a stand-in for Express's req and res.
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const snippet = /```js\n(\/\/ express\.raw[\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(snippet, 'README has the verification snippet');
    const receive = new Function('req', 'res', 'crypto', 'process', `${snippet}\nreturn event;`) as (req: unknown, res: unknown, c: unknown, p: unknown) => unknown;
    const check = (header: string | undefined, body: string) =>
      receive({ get: () => header, body: Buffer.from(body) }, { sendStatus: (n: number) => `refused ${n}` }, crypto, { env: { WEBHOOK_SECRET: SECRET } });

    const body = '{"id":"e1","type":"message"}';
    const now = Math.floor(Date.now() / 1000);
    const cases: Array<[string, string | undefined, string, boolean]> = [
      ['signed now', signWebhook(SECRET, body, now), body, true],
      ['another body', signWebhook(SECRET, body, now), body.replace('e1', 'e2'), false],
      ['another secret', signWebhook('another-secret-of-at-least-32-bytes!!', body, now), body, false],
      ['older than 5 min', signWebhook(SECRET, body, now - 301), body, false],
      ['no header', undefined, body, false],
      ['not hex', `t=${now},v1=${'z'.repeat(64)}`, body, false],
    ];
    for (const [what, header, payload, good] of cases) {
      assert.equal(verifyWebhookSignature(header, payload, SECRET), good, `verifyWebhookSignature: ${what}`);
      assert.deepEqual(check(header, payload), good ? JSON.parse(payload) : 'refused 401', `README snippet: ${what}`);
    }
    assert.match(signWebhook(SECRET, body, 1700000000), /^t=1700000000,v1=[0-9a-f]{64}$/);
  });

  test('receiver down, broker restarted meanwhile: every event arrives once it is back, in order per conversation, signed', async () => {
    await receiver.up();
    const first = await broker();
    const db: Db = await openDb({ url: first.databaseUrl });
    cleanup.push(() => db.close());
    const base1 = first.broker.url;
    const ann = agentBearer('agent-ann');

    // Conversation 1, fully delivered while the receiver is up.
    const c1 = await Peer.customer(base1, { display: 'Casey', topic: 'Order 1001' });
    const a1 = await Peer.agent(base1, c1.conversationId, ann);
    cleanup.push(() => c1.close(), () => a1.close());
    await c1.connect();
    await a1.connect();
    await c1.say('hello');
    await a1.say('hi, how can I help?');
    await waitUntil(async () => receiver.receipts.length, (n) => n >= 4, 10_000, 'the first four events');

    // The receiver goes away.
    await receiver.down();
    const outageStart = Date.now();
    await c1.say('still there?');
    await post(base1, `/api/conversations/${c1.conversationId}/link`, ann, { customerId: 'acme-1001', name: 'Casey Jones' });
    const c2 = await Peer.customer(base1, { display: 'Rita' });
    const a2 = await Peer.agent(base1, c2.conversationId, ann);
    cleanup.push(() => c2.close(), () => a2.close());
    await c2.connect();
    await a2.connect();
    await c2.say('question about returns');
    await waitUntil(
      () => db.query<{ n: number }>('select count(*)::int as n from webhook_outbox where delivered_at is null'),
      (r) => r[0].n >= 5,
      10_000,
      'events waiting in the outbox',
    );

    // The broker restarts during the outage (another port, the same record).
    await first.broker.close();
    const second = await broker(first.databaseUrl);
    const base2 = second.broker.url;
    await a2.say('returns are free within 30 days');
    await post(base2, `/api/conversations/${c1.conversationId}/close`, ann, {});
    const c3 = await Peer.customer(base2, { display: 'Sam' });
    cleanup.push(() => c3.close());
    await c3.connect();
    await c3.say('anyone?');

    const outbox = await waitUntil(
      () => db.query<{ id: number; conversation_id: string; event: string; idempotency_key: string; delivered_at: number | null }>('select id, conversation_id, event, idempotency_key, delivered_at from webhook_outbox order by id'),
      (rows) => rows.length >= 13,
      10_000,
      'all events written',
    );
    assert.equal(receiver.receipts.length, 4, 'nothing arrived while the receiver was down');
    const wait = OUTAGE_MS - (Date.now() - outageStart);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    assert.ok(outbox.some((r) => r.delivered_at === null), 'events still waiting when the receiver comes back');
    await receiver.up();

    const rows = await waitUntil(
      () => db.query<{ id: number; conversation_id: string; event: string; idempotency_key: string; delivered_at: number | null }>('select id, conversation_id, event, idempotency_key, delivered_at from webhook_outbox order by id'),
      (all) => all.every((r) => r.delivered_at !== null),
      15_000,
      'every event delivered',
    );
    const keys = new Set(receiver.receipts.map((r) => r.key));
    assert.deepEqual([...keys].sort(), rows.map((r) => r.idempotency_key).sort(), 'every event arrived');

    // Each conversation's story, in order.
    const types = (cid: string) => rows.filter((r) => r.conversation_id === cid).map((r) => r.event);
    assert.deepEqual(types(c1.conversationId), ['conversation.created', 'conversation.claimed', 'message', 'message', 'message', 'conversation.linked', 'conversation.closed']);
    assert.deepEqual(types(c2.conversationId), ['conversation.created', 'conversation.claimed', 'message', 'message']);
    assert.deepEqual(types(c3.conversationId), ['conversation.created', 'message']);

    const position = new Map(rows.map((r) => [r.idempotency_key, r.id]));
    for (const cid of [c1.conversationId, c2.conversationId, c3.conversationId]) {
      const arrivals = receiver.receipts.filter((r) => r.conversationId === cid).map((r) => position.get(r.key)!);
      for (let i = 1; i < arrivals.length; i++) {
        assert.ok(arrivals[i] >= arrivals[i - 1], `conversation ${cid}: event ${arrivals[i]} arrived after ${arrivals[i - 1]}`);
      }
    }
    // Signed; a duplicate is the same event under the same key.
    assert.ok(receiver.receipts.every((r) => r.signed), 'every signature verifies');
    const byKey = new Map<string, Receipt>();
    for (const r of receiver.receipts) {
      const seen = byKey.get(r.key);
      if (seen) {
        assert.equal(r.eventId, seen.eventId);
        assert.equal(r.body, seen.body);
      } else byKey.set(r.key, r);
    }
    assert.equal(new Set(receiver.receipts.map((r) => r.eventId)).size, keys.size, 'one event id per idempotency key');

    // What a message event says.
    const said = receiver.receipts.find((r) => r.type === 'message' && r.body.includes('returns are free'));
    assert.ok(said);
    const event = JSON.parse(said.body) as { data: { message: Record<string, unknown> } };
    assert.deepEqual({ ...event.data.message, ts: 0, receivedAt: 0, id: '' }, {
      id: '',
      conversationId: c2.conversationId,
      type: 'chat.message',
      from: { role: 'agent', id: 'agent-ann' },
      ts: 0,
      receivedAt: 0,
      body: { text: 'returns are free within 30 days', seq: 0 },
    });
    const linked = receiver.receipts.find((r) => r.type === 'conversation.linked');
    assert.deepEqual((JSON.parse(linked!.body) as { data: { conversation: { link: { customerId: string } } } }).data.conversation.link.customerId, 'acme-1001');
    assert.ok(receiver.receipts.some((r) => r.attempt > 1), 'some events needed more than one attempt');
  });
});
