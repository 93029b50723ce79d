// Issue 9, finding 6: one address (or one /24) cannot take every conversation, and
// a conversation whose customer never joins its chat room does not hold a place for
// hours. Real Janus; clients are told apart by their loopback source address (all
// of 127.0.0.0/8 is local on Linux).
//   node --import tsx --test test/server/capacity.test.ts
import { startJanus, type RunningJanus } from '../../scripts/janus.mjs';
import assert from 'node:assert/strict';
import { Agent, request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import * as v from '../../src/protocol/schema.js';
import { ApiError, ConversationGrant } from '../../src/protocol/index.js';
import { startBroker, type Broker, type BrokerOptions } from '../../server/broker.js';
import { JanusAdmin } from '../../server/janus-admin.js';
import { newPublicKey } from './keys.js';
import { RawSession } from './janus-raw.js';
import { brokerOptions } from './broker-options.js';

let janus: RunningJanus;
let admin: JanusAdmin;

function options(extra: Partial<BrokerOptions> = {}): Promise<BrokerOptions> {
  return brokerOptions(janus, extra);
}

interface Created {
  status: number;
  retryAfter?: string;
  body: unknown;
}

const agents = new Map<string, Agent>();

/** POST /api/conversations from `localAddress`. */
async function createFrom(base: string, localAddress: string): Promise<Created> {
  const body = JSON.stringify({ publicKey: await newPublicKey() });
  let agent = agents.get(localAddress);
  if (!agent) agents.set(localAddress, (agent = new Agent({ keepAlive: true, maxSockets: 4 })));
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: hostname, port, path: '/api/conversations', method: 'POST', localAddress, agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined, body: JSON.parse(text) as unknown }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function refusedForCapacity(r: Created, what: RegExp): void {
  assert.equal(r.status, 429, JSON.stringify(r.body));
  const e = v.parse(ApiError, r.body);
  assert.equal(e.error.code, 'too_many_open_conversations');
  assert.match(e.error.message, what);
  assert.ok(Number(r.retryAfter) >= 1, `Retry-After ${r.retryAfter}`);
}

before(async () => {
  janus = await startJanus({ reclaimTimeoutS: 1 });
  admin = new JanusAdmin({ url: janus.adminUrl, secret: janus.adminSecret, log: () => {} });
});

after(async () => {
  for (const a of agents.values()) a.destroy();
  await admin?.close();
  await janus?.stop();
});

describe('open conversations per client (finding 6)', () => {
  let broker: Broker;
  before(async () => {
    // A global cap small enough that the test shows it cannot be reached from one /24.
    broker = await startBroker(await options({ maxOpenConversations: 70 }));
  });
  after(() => broker.close());

  test('one address gets 10, one /24 gets 50, and another address still gets a conversation', async () => {
    const one: Created[] = [];
    for (let i = 0; i < 12; i++) one.push(await createFrom(broker.url, '127.0.0.5'));
    assert.deepEqual(one.map((r) => r.status), [...Array(10).fill(201), 429, 429]);
    refusedForCapacity(one[10], /This address already has 10 open conversations/);

    // 127.0.9.0/24, many addresses, each below its own cap.
    const net: Created[] = [];
    for (let i = 0; i < 60; i++) net.push(await createFrom(broker.url, `127.0.9.${1 + (i % 30)}`));
    assert.equal(net.filter((r) => r.status === 201).length, 50);
    assert.deepEqual(net.slice(50).map((r) => r.status), Array(10).fill(429));
    refusedForCapacity(net[50], /This network \(127\.0\.9\.0\/24\) already has 50 open conversations/);

    // 127.0.0.0/24 holds 10 and 127.0.9.0/24 holds 50 of the 70: a stranger still gets in.
    const stranger = await createFrom(broker.url, '127.0.20.1');
    assert.equal(stranger.status, 201, JSON.stringify(stranger.body));
    v.parse(ConversationGrant, stranger.body);
  });

  test('a broker whose per-network cap could take every conversation does not start', async () => {
    await assert.rejects(startBroker(await options({ maxOpenConversations: 40 })), {
      message: 'openCaps.perNetwork (50) must be smaller than maxOpenConversations (40), or one network could take every conversation',
    });
  });
});

describe('a conversation whose customer never joins (finding 6)', () => {
  test('is closed after the unjoined TTL: its rooms and tokens are gone', async () => {
    const broker = await startBroker(await options({ unjoinedTtlMs: 1200, sweepIntervalMs: 200 }));
    try {
      const created = await createFrom(broker.url, '127.0.30.1');
      assert.equal(created.status, 201);
      const grant = v.parse(ConversationGrant, created.body);
      const token = grant.descriptor.token!;
      const resume = () => fetch(`${broker.url}/api/conversations/${grant.descriptor.id}`, { headers: { authorization: `Bearer ${grant.resumeKey}` } });
      assert.equal((await resume()).status, 200);
      const deadline = Date.now() + 10_000;
      while ((await resume()).status !== 410) {
        assert.ok(Date.now() < deadline, 'not closed in time');
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(!(await admin.listTokens()).some((t) => t.token === token), 'its Janus token was removed');
      await assert.rejects(RawSession.create(janus.url, token), /403|unauthori[sz]ed/i);
      // And the place it held is free again.
      assert.equal((await createFrom(broker.url, '127.0.30.1')).status, 201);
    } finally {
      await broker.close();
    }
  });
  // The other half (a customer who joined keeps the conversation) needs a TextRoom
  // data channel, i.e. a WebRTC peer: test/server/janus-lockdown.test.ts joins one
  // from Chromium, and conversations.test.ts covers the rule with a fake gateway.
});
