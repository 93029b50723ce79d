// Issue 6 over HTTP against a real Janus: agents must log in (acceptance 5),
// signed visitor identities (acceptance 2), customer lookup and link, and rate
// limits that stop one client without touching another (acceptance 4).
//   node --import tsx --test test/server/api-security.test.ts
import { startJanus, type RunningJanus } from '../../scripts/janus.mjs';
import assert from 'node:assert/strict';
import { Agent, request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import * as v from '../../src/protocol/schema.js';
import {
  AgentLoginResponse,
  ApiError,
  ClaimResponse,
  ConversationGrant,
  CustomerLink,
  CustomerSearchResponse,
  QueueEntry,
  QueueStreamTicket,
} from '../../src/protocol/index.js';
import { signAgentToken } from '../../server/agent-auth.js';
import { startBroker, type Broker, type BrokerOptions } from '../../server/broker.js';
import { signToken } from '../../server/signed-token.js';
import { signVisitorIdentity } from '../../server/visitor-identity.js';
import { keyed, newPublicKey } from './keys.js';
import { otherSpellings } from './spellings.js';
import { spawn } from 'node:child_process';
import { importPublicKey, keyIdOf, RegisterKeyResponse, verifyCertificate } from '../../src/protocol/index.js';
import { generateAuthorityKey } from '../../server/authority.js';
import { brokerOptions } from './broker-options.js';

/** One customer key for the flood tests (keys only need to be unique within a conversation). */
const CUSTOMER_KEY = await newPublicKey();


const SITE_SECRET = 'shop-site-secret-for-the-tests-0123456789';
const AGENT_SECRET = 'agent-token-secret-for-the-tests';
const ACCOUNT = { username: 'ann', password: 'open sesame 42', display: 'Ann' };
const QueueSnapshot = v.object({ conversations: v.array(QueueEntry) });

let janus: RunningJanus;
let broker: Broker;

function options(extra: Partial<BrokerOptions> = {}): Promise<BrokerOptions> {
  return brokerOptions(janus, { agentAccounts: [ACCOUNT], agentTokenSecret: AGENT_SECRET, identitySecret: SITE_SECRET, ...extra });
}

interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
}

async function call(base: string, path: string, init: { method?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...init.headers };
  const body = init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(base + path, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text };
}

function apiError(r: Reply, status: number, code?: string): ApiError {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
  const e = v.parse(ApiError, r.body);
  if (code) assert.equal(e.error.code, code);
  return e;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function login(base = broker.url): Promise<AgentLoginResponse> {
  const r = await call(base, '/api/agent/login', { body: { username: ACCOUNT.username, password: ACCOUNT.password } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return v.parse(AgentLoginResponse, r.body);
}

async function create(body: Record<string, unknown> = {}, base = broker.url): Promise<ConversationGrant> {
  const r = await call(base, '/api/conversations', { body: await keyed(body) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return v.parse(ConversationGrant, r.body);
}

before(async () => {
  janus = await startJanus({ reclaimTimeoutS: 1 });
  broker = await startBroker(await options());
});

after(async () => {
  await broker?.close();
  await janus?.stop();
});

describe('agents must be logged in (acceptance 5)', () => {
  test('without a token nothing of the queue is visible and nothing can be claimed', async () => {
    const grant = await create({ display: 'Quinn' });
    const id = grant.descriptor.id;
    for (const [method, path] of [
      ['GET', '/api/queue'],
      ['GET', '/api/queue/stream'],
      ['POST', '/api/queue/ticket'],
      ['POST', `/api/conversations/${id}/claim`],
      ['POST', `/api/conversations/${id}/link`],
      ['GET', '/api/customers?q=casey'],
      ['GET', '/api/agent/me'],
      ['POST', '/api/agent/logout'],
    ] as const) {
      const r = await call(broker.url, path, { method, ...(method === 'POST' ? { body: {} } : {}) });
      apiError(r, 401, 'unauthorized');
      assert.equal(r.headers.get('www-authenticate'), 'Bearer', path);
      assert.doesNotMatch(JSON.stringify(r.body), /Quinn/, `${path} leaked the queue`);
    }
    const me = await login();
    const queue = v.parse(QueueSnapshot, (await call(broker.url, '/api/queue', { headers: bearer(me.token) })).body);
    assert.equal(queue.conversations.find((c) => c.id === id)?.state, 'waiting', 'the refused claim changed nothing');
  });

  test('made-up, tampered, foreign, expired and wrong-kind tokens are refused', async () => {
    const grant = await create({ display: 'Rex' });
    const id = grant.descriptor.id;
    const me = await login();
    const [body, sig] = me.token.split('.');
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${Buffer.from(JSON.stringify({ ...payload, sub: 'boss', name: 'Boss' })).toString('base64url')}.${sig}`;
    const ticket = v.parse(QueueStreamTicket, (await call(broker.url, '/api/queue/ticket', { body: {}, headers: bearer(me.token) })).body).ticket;
    const bad = {
      'made up': 'not-a-token',
      tampered,
      'signed with another secret': signAgentToken({ sub: 'ann', name: 'Ann', exp: Math.floor(Date.now() / 1000) + 60 }, 'guessed-secret'),
      expired: signAgentToken({ sub: 'ann', name: 'Ann', exp: Math.floor(Date.now() / 1000) - 5 }, AGENT_SECRET),
      "the customer's resume key": grant.resumeKey,
      "the customer's Janus token": grant.descriptor.token!,
      'a queue stream ticket': ticket,
      'a visitor identity': signVisitorIdentity({ userId: 'ann', name: 'Ann', exp: Math.floor(Date.now() / 1000) + 60 }, AGENT_SECRET),
    };
    for (const [what, token] of Object.entries(bad)) {
      apiError(await call(broker.url, '/api/queue', { headers: bearer(token) }), 401, 'invalid_token');
      apiError(await call(broker.url, `/api/conversations/${id}/claim`, { body: await keyed({}), headers: bearer(token) }), 401, 'invalid_token');
      assert.ok(true, what);
    }
  });

  test('login: wrong password and unknown user get the same 401; a good login claims as the account', async () => {
    const wrong = apiError(await call(broker.url, '/api/agent/login', { body: { username: 'ann', password: 'nope' } }), 401, 'invalid_credentials');
    const unknown = apiError(await call(broker.url, '/api/agent/login', { body: { username: 'zed', password: 'nope' } }), 401, 'invalid_credentials');
    assert.equal(wrong.error.message, unknown.error.message);
    const me = await login();
    assert.deepEqual(me.agent, { id: 'ann', display: 'Ann' });
    assert.deepEqual((await call(broker.url, '/api/agent/me', { headers: bearer(me.token) })).body, { agent: me.agent });
    const grant = await create({ display: 'Sid' });
    // The body cannot pick who claims: the token does.
    const r = await call(broker.url, `/api/conversations/${grant.descriptor.id}/claim`, { body: await keyed({ agentId: 'someone', display: 'Someone' }), headers: bearer(me.token) });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(v.parse(ClaimResponse, r.body).descriptor.self, { role: 'agent', id: 'ann', display: 'Ann' });
  });

  test('the queue stream takes a one-minute ticket in the URL (EventSource cannot send headers)', async () => {
    const me = await login();
    const { ticket } = v.parse(QueueStreamTicket, (await call(broker.url, '/api/queue/ticket', { body: {}, headers: bearer(me.token) })).body);
    const ac = new AbortController();
    const res = await fetch(`${broker.url}/api/queue/stream?ticket=${encodeURIComponent(ticket)}`, { signal: ac.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    ac.abort();
    apiError(await call(broker.url, `/api/queue/stream?ticket=${encodeURIComponent(ticket.slice(0, -2))}xx`), 401, 'invalid_ticket');
    apiError(await call(broker.url, `/api/queue/stream?ticket=${encodeURIComponent(me.token)}`), 401, 'invalid_ticket');
  });

  test('logout revokes the token', async () => {
    const me = await login();
    assert.equal((await call(broker.url, '/api/agent/logout', { body: {}, headers: bearer(me.token) })).status, 200);
    apiError(await call(broker.url, '/api/queue', { headers: bearer(me.token) }), 401, 'invalid_token');
  });

  test("an integrator's verifyAgent decides for its own tokens; a broker without accounts has no login", async () => {
    const b = await startBroker(
      await options({
        agentAccounts: undefined,
        verifyAgent: async (t) => (t === 'crm-session-7' ? { id: 'crm-7', display: 'Carla' } : t === 'weird' ? ({ id: 'has space', display: 'X' } as never) : null),
      }),
    );
    try {
      apiError(await call(b.url, '/api/agent/login', { body: { username: 'ann', password: ACCOUNT.password } }), 403, 'login_disabled');
      const grant = await create({ display: 'Tia' }, b.url);
      apiError(await call(b.url, `/api/conversations/${grant.descriptor.id}/claim`, { body: await keyed({}), headers: bearer('weird') }), 401, 'invalid_token');
      const r = await call(b.url, `/api/conversations/${grant.descriptor.id}/claim`, { body: await keyed({}), headers: bearer('crm-session-7') });
      assert.deepEqual(v.parse(ClaimResponse, r.body).descriptor.self, { role: 'agent', id: 'crm-7', display: 'Carla' });
    } finally {
      await b.close();
    }
  });
});

describe('signed visitor identity (acceptance 2)', () => {
  const exp = () => Math.floor(Date.now() / 1000) + 300;

  test('a valid identity marks the chat as that customer, for the customer and the agent', async () => {
    const identity = signVisitorIdentity({ userId: 'shop-user-981', name: 'Dana Scully', exp: exp() }, SITE_SECRET);
    const grant = await create({ display: 'whatever I type', identity });
    assert.equal(grant.descriptor.self.display, 'Dana Scully');
    assert.deepEqual(grant.descriptor.self.verified, { userId: 'shop-user-981' });
    const me = await login();
    const queue = v.parse(QueueSnapshot, (await call(broker.url, '/api/queue', { headers: bearer(me.token) })).body);
    const entry = queue.conversations.find((c) => c.id === grant.descriptor.id);
    assert.deepEqual({ display: entry?.display, verified: entry?.verified }, { display: 'Dana Scully', verified: { userId: 'shop-user-981' } });
    const claim = v.parse(ClaimResponse, (await call(broker.url, `/api/conversations/${grant.descriptor.id}/claim`, { body: await keyed({}), headers: bearer(me.token) })).body);
    assert.deepEqual(claim.descriptor.peer?.verified, { userId: 'shop-user-981' });
    assert.equal(claim.descriptor.peer?.display, 'Dana Scully');
    // Anonymous chats carry no `verified`.
    const anon = await create({ display: 'Anon' });
    assert.equal(anon.descriptor.self.verified, undefined);
  });

  test('tampered, expired, foreign and malformed identities get 4xx JSON with a clear message', async () => {
    const good = signVisitorIdentity({ userId: 'u-1', name: 'Eve', exp: exp() }, SITE_SECRET);
    const [, sig] = good.split('.');
    const forged = `${Buffer.from(JSON.stringify({ userId: 'u-2', name: 'Eve', exp: exp() })).toString('base64url')}.${sig}`;
    const tampered = apiError(await call(broker.url, '/api/conversations', { body: await keyed({ identity: forged }) }), 401, 'identity_invalid');
    assert.match(tampered.error.message, /signature/);
    apiError(await call(broker.url, '/api/conversations', { body: await keyed({ identity: signVisitorIdentity({ userId: 'u-1', exp: exp() }, 'another-site') }) }), 401, 'identity_invalid');
    const expired = apiError(
      await call(broker.url, '/api/conversations', { body: await keyed({ identity: signVisitorIdentity({ userId: 'u-1', exp: Math.floor(Date.now() / 1000) - 3600 }, SITE_SECRET) }) }),
      401,
      'identity_expired',
    );
    assert.match(expired.error.message, /expired/);
    for (const identity of ['garbage', 'a.b', good.replace('.', ''), `${good}.extra`]) {
      const e = apiError(await call(broker.url, '/api/conversations', { body: await keyed({ identity }) }), 400, 'identity_malformed');
      assert.match(e.error.message, /base64url/);
    }
    apiError(await call(broker.url, '/api/conversations', { body: await keyed({ identity: signToken({ userId: ['x'], exp: exp() }, SITE_SECRET) }) }), 400, 'identity_malformed');
    apiError(await call(broker.url, '/api/conversations', { body: await keyed({ identity: 42 }) }), 400, 'invalid_request');
    apiError(await call(broker.url, '/api/conversations', { body: await keyed({ identity: 'x'.repeat(5000) }) }), 400, 'invalid_request');
  });

  test('a site that requires identity refuses anonymous visitors; a broker without a site secret refuses identities', async () => {
    const strict = await startBroker(await options({ requireIdentity: true }));
    const open = await startBroker(await options({ identitySecret: undefined }));
    try {
      const missing = apiError(await call(strict.url, '/api/conversations', { body: await keyed({ display: 'Anon' }) }), 401, 'identity_required');
      assert.match(missing.error.message, /signed identity/);
      await create({ identity: signVisitorIdentity({ userId: 'u-5', exp: exp() }, SITE_SECRET) }, strict.url);
      apiError(await call(open.url, '/api/conversations', { body: await keyed({ identity: signVisitorIdentity({ userId: 'u-5', exp: exp() }, SITE_SECRET) }) }), 400, 'identity_not_supported');
    } finally {
      await strict.close();
      await open.close();
    }
  });
});

describe('customer lookup and link', () => {
  test("the built-in lookup needs an agent and finds the demo customers", async () => {
    const me = await login();
    const r = v.parse(CustomerSearchResponse, (await call(broker.url, '/api/customers?q=casey', { headers: bearer(me.token) })).body);
    assert.deepEqual(r.customers.map((c) => c.id), ['cus-1001']);
    const byEmail = v.parse(CustomerSearchResponse, (await call(broker.url, '/api/customers?q=GARCIA%20example', { headers: bearer(me.token) })).body);
    assert.deepEqual(byEmail.customers.map((c) => c.name), ['Mateo García']);
    const none = v.parse(CustomerSearchResponse, (await call(broker.url, '/api/customers?q=%3Cscript%3E', { headers: bearer(me.token) })).body);
    assert.deepEqual(none.customers, []);
  });

  test('only the claiming agent links; the link shows in the queue, the claim and the customer grant', async () => {
    const me = await login();
    const other = signAgentToken({ sub: 'bob', name: 'Bob', exp: Math.floor(Date.now() / 1000) + 60 }, AGENT_SECRET);
    const grant = await create({ display: 'Casey' });
    const id = grant.descriptor.id;
    const body = { customerId: 'cus-1001', name: 'Casey Morgan' };
    apiError(await call(broker.url, `/api/conversations/${id}/link`, { body, headers: bearer(me.token) }), 403, 'forbidden');
    await call(broker.url, `/api/conversations/${id}/claim`, { body: await keyed({}), headers: bearer(me.token) });
    apiError(await call(broker.url, `/api/conversations/${id}/link`, { body, headers: bearer(other) }), 403, 'forbidden');
    apiError(await call(broker.url, `/api/conversations/${id}/link`, { body: { customerId: 'cus-1001' }, headers: bearer(me.token) }), 400, 'invalid_request');
    const r = await call(broker.url, `/api/conversations/${id}/link`, { body, headers: bearer(me.token) });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const link = v.parse(CustomerLink, r.body);
    assert.deepEqual({ ...link, linkedAt: 0 }, { customerId: 'cus-1001', name: 'Casey Morgan', linkedAt: 0, linkedBy: { id: 'ann', display: 'Ann' } });
    const queue = v.parse(QueueSnapshot, (await call(broker.url, '/api/queue', { headers: bearer(me.token) })).body);
    assert.deepEqual(queue.conversations.find((c) => c.id === id)?.link, link);
    const claim = v.parse(ClaimResponse, (await call(broker.url, `/api/conversations/${id}/claim`, { body: await keyed({}), headers: bearer(me.token) })).body);
    assert.deepEqual(claim.link, link);
    const resumed = v.parse(ConversationGrant, (await call(broker.url, `/api/conversations/${id}`, { headers: bearer(grant.resumeKey) })).body);
    assert.deepEqual(resumed.link, { name: 'Casey Morgan', linkedAt: link.linkedAt });
    assert.doesNotMatch(JSON.stringify(resumed), /cus-1001/, "the CRM's record id stays with the agents");
  });
});

/** One POST /api/conversations from a given loopback source address (a different client to the broker). */
function createFrom(base: string, localAddress: string, agent: Agent, body = JSON.stringify({ publicKey: CUSTOMER_KEY })): Promise<{ status: number; retryAfter?: string; body: unknown }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: hostname, port, path: '/api/conversations', method: 'POST', localAddress, agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // asserted by the caller
          }
          resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('rate limits (acceptance 4)', () => {
  let limited: Broker;
  before(async () => {
    // The defaults: create 10/min burst 5, other POSTs 120/min burst 30, login 10/min burst 5.
    limited = await startBroker(await options({ rateLimits: undefined }));
  });
  after(() => limited.close());

  test('1,000 creates from one client: a handful succeed, the rest get 429 JSON with Retry-After; another client is unaffected', async () => {
    const flood = new Agent({ keepAlive: true, maxSockets: 64 });
    const calm = new Agent({ keepAlive: true, maxSockets: 2 });
    try {
      const started = Date.now();
      const burst = Promise.all(Array.from({ length: 1000 }, () => createFrom(limited.url, '127.0.0.2', flood)));
      // The other client starts while the flood is on.
      const others = await Promise.all(Array.from({ length: 3 }, () => createFrom(limited.url, '127.0.0.3', calm)));
      const results = await burst;
      const took = Date.now() - started;
      const count = (s: number) => results.filter((r) => r.status === s).length;
      console.log(`  1,000 creates from 127.0.0.2 in ${took} ms: ${count(201)} created, ${count(429)} rate-limited`);
      assert.ok(count(201) >= 5 && count(201) <= 7, `created ${count(201)}`);
      assert.equal(count(201) + count(429), 1000);
      for (const r of results.filter((x) => x.status === 429)) {
        assert.equal(v.parse(ApiError, r.body).error.code, 'rate_limited');
        assert.ok(Number(r.retryAfter) >= 1, `Retry-After ${r.retryAfter}`);
      }
      assert.deepEqual(others.map((r) => r.status), [201, 201, 201], 'the other client was not limited');
      // The flooding client stays limited; the other one still gets through; the broker is fine.
      assert.equal((await createFrom(limited.url, '127.0.0.2', flood)).status, 429);
      assert.equal((await createFrom(limited.url, '127.0.0.3', calm)).status, 201);
      assert.equal((await call(limited.url, '/api/health')).status, 200);
    } finally {
      flood.destroy();
      calm.destroy();
    }
  });

  test('malformed requests get 4xx JSON (and count against the sender), the broker stays up', async () => {
    const agent = new Agent({ keepAlive: true });
    try {
      const statuses: number[] = [];
      for (const body of ['{', '[]', '{"display":42}', '{"identity":"x"}', '{"admin":true}', '{"display":"ok"}', '{"display":"ok"}']) {
        const r = await createFrom(limited.url, '127.0.0.4', agent, body);
        assert.ok(r.status >= 400 && r.status < 500, `${body} -> ${r.status}`);
        v.parse(ApiError, r.body);
        statuses.push(r.status);
      }
      assert.deepEqual(statuses.slice(0, 5), [400, 400, 400, 400, 400]);
      assert.deepEqual(statuses.slice(5), [429, 429], 'five tries used the burst up');
      assert.equal((await call(limited.url, '/api/health')).status, 200);
    } finally {
      agent.destroy();
    }
  });

  test('agent logins are limited too (password guessing)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      statuses.push((await call(limited.url, '/api/agent/login', { body: { username: 'ann', password: `guess-${i}` } })).status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429]);
  });
});

/** Reads an SSE response until it ends; resolves with how long that took (ms). */
async function untilEnd(res: Response, timeoutMs: number): Promise<number> {
  const started = Date.now();
  const reader = res.body!.getReader();
  const timer = setTimeout(() => void reader.cancel(), timeoutMs);
  try {
    for (;;) if ((await reader.read()).done) break;
  } finally {
    clearTimeout(timer);
  }
  return Date.now() - started;
}

describe('logout cannot be undone (issue 9, finding 4)', () => {
  test('the logged-out token in all its other spellings, its ticket and its open streams are refused or ended', async () => {
    const me = await login();
    const other = await login();
    const { ticket } = v.parse(QueueStreamTicket, (await call(broker.url, '/api/queue/ticket', { body: {}, headers: bearer(me.token) })).body);
    const byTicket = await fetch(`${broker.url}/api/queue/stream?ticket=${encodeURIComponent(ticket)}`);
    const byHeader = await fetch(`${broker.url}/api/queue/stream`, { headers: bearer(me.token) });
    const othersStream = await fetch(`${broker.url}/api/queue/stream`, { headers: bearer(other.token) });
    assert.deepEqual([byTicket.status, byHeader.status, othersStream.status], [200, 200, 200]);

    assert.equal((await call(broker.url, '/api/agent/logout', { body: {}, headers: bearer(me.token) })).status, 200);
    // Both of its streams end at once (the token itself had 12 h left), the other agent's does not.
    const [t1, t2] = await Promise.all([untilEnd(byTicket, 3000), untilEnd(byHeader, 3000)]);
    assert.ok(t1 < 2000 && t2 < 2000, `streams ended after ${t1} and ${t2} ms`);
    const stillOpen = await Promise.race([untilEnd(othersStream, 500).then(() => 'ended'), new Promise((r) => setTimeout(() => r('open'), 300))]);
    assert.equal(stillOpen, 'open', "another login's stream is untouched");

    const spellings = otherSpellings(me.token);
    assert.equal(spellings.length, 3);
    for (const token of [me.token, ...spellings]) {
      apiError(await call(broker.url, '/api/agent/me', { headers: bearer(token) }), 401, 'invalid_token');
      apiError(await call(broker.url, '/api/queue', { headers: bearer(token) }), 401, 'invalid_token');
      apiError(await call(broker.url, '/api/queue/ticket', { body: {}, headers: bearer(token) }), 401, 'invalid_token');
    }
    apiError(await call(broker.url, `/api/queue/stream?ticket=${encodeURIComponent(ticket)}`), 401, 'invalid_ticket');
    // The other login is still fine.
    assert.equal((await call(broker.url, '/api/agent/me', { headers: bearer(other.token) })).status, 200);
  });

  test('tokens and identities that expire in the year 3000 are refused', async () => {
    const year3000 = Math.floor(Date.UTC(3000, 0, 1) / 1000);
    const agent = signAgentToken({ sub: 'ann', name: 'Ann', exp: year3000 }, AGENT_SECRET);
    apiError(await call(broker.url, '/api/agent/me', { headers: bearer(agent) }), 401, 'invalid_token');
    apiError(await call(broker.url, '/api/queue', { headers: bearer(agent) }), 401, 'invalid_token');
    const identity = signVisitorIdentity({ userId: 'u-3000', exp: year3000 }, SITE_SECRET);
    const e = apiError(await call(broker.url, '/api/conversations', { body: await keyed({ identity }) }), 401, 'identity_lifetime');
    assert.match(e.error.message, /at most 3600 s/);
    // Within the limits: fine.
    assert.equal((await call(broker.url, '/api/agent/me', { headers: bearer(signAgentToken({ sub: 'ann', name: 'Ann', exp: Math.floor(Date.now() / 1000) + 3600 }, AGENT_SECRET)) })).status, 200);
  });

  test('startup refuses short secrets and passwords with a message that names them', async () => {
    const base = { janusUrl: 'ws://127.0.0.1:1', janusAdminKey: 'x', port: 0, janusConnectTimeoutMs: 300, log: () => {} };
    await assert.rejects(startBroker({ ...base, agentTokenSecret: 'x'.repeat(12) }), { message: 'agentTokenSecret must be at least 32 bytes (got 12)' });
    await assert.rejects(startBroker({ ...base, identitySecret: 'x'.repeat(31) }), { message: 'identitySecret must be at least 32 bytes (got 31)' });
    await assert.rejects(startBroker({ ...base, agentAccounts: [{ username: 'ann', password: 'hunter2' }] }), {
      message: 'agent account "ann": password must be at least 12 characters (got 7)',
    });
    // The CLI says it with the environment variable's name.
    const env = { JANUS_URL: 'ws://127.0.0.1:1', JANUS_ADMIN_KEY: 'x', PORT: '0' };
    const cases: Array<[Record<string, string>, string]> = [
      [{ AGENT_TOKEN_SECRET: 'x'.repeat(12) }, 'vc-broker: invalid configuration:\n  AGENT_TOKEN_SECRET: must be at least 32 bytes (got 12)'],
      [{ IDENTITY_SECRET: 'short' }, 'vc-broker: invalid configuration:\n  IDENTITY_SECRET: must be at least 32 bytes (got 5)'],
      [{ AGENT_PASSWORD: 'password1' }, 'vc-broker: invalid configuration:\n  AGENT_PASSWORD: must be at least 12 characters (got 9)'],
    ];
    await Promise.all(
      cases.map(async ([extra, message]) => {
        const { code, stderr } = await runMain({ ...env, ...extra });
        assert.equal(code, 2, stderr);
        assert.equal(stderr.trim(), message);
      }),
    );
  });
});

function runMain(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: new URL('../../', import.meta.url).pathname,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('signing key certificates (issue 9)', () => {
  test("the grant certifies the customer's key; the claim the agent's; each side's descriptor carries the other's", async () => {
    const customerKey = await newPublicKey();
    const grant = await create({ display: 'Cert', publicKey: customerKey });
    const id = grant.descriptor.id;
    const authority = await importPublicKey(grant.descriptor.auth.authority);
    const [customerCert] = grant.descriptor.auth.certs;
    const c = await verifyCertificate(customerCert, authority, id);
    assert.ok(c.ok, JSON.stringify(c));
    assert.deepEqual([c.cert.role, c.cert.sub, c.cert.kid], ['customer', grant.descriptor.self.id, await keyIdOf(customerKey)]);

    const me = await login();
    const agentKey = await newPublicKey();
    const claim = v.parse(ClaimResponse, (await call(broker.url, `/api/conversations/${id}/claim`, { body: { publicKey: agentKey }, headers: bearer(me.token) })).body);
    assert.ok(claim.descriptor.auth.certs.includes(customerCert), "the agent gets the customer's certificate");
    const agentCerts = await Promise.all(claim.descriptor.auth.certs.filter((x) => x !== customerCert).map((x) => verifyCertificate(x, authority, id)));
    assert.equal(agentCerts.length, 1);
    assert.ok(agentCerts[0].ok);
    assert.deepEqual([agentCerts[0].cert.role, agentCerts[0].cert.sub, agentCerts[0].cert.kid], ['agent', 'ann', await keyIdOf(agentKey)]);
    const resumed = v.parse(ConversationGrant, (await call(broker.url, `/api/conversations/${id}`, { headers: bearer(grant.resumeKey) })).body);
    assert.deepEqual(resumed.descriptor.auth.certs, claim.descriptor.auth.certs, "the customer's resumed descriptor gets the agent's");
  });

  test('POST /keys: a key the customer registers reaches the agent with its next claim; wrong bearers are refused', async () => {
    const grant = await create({ display: 'Keys' });
    const id = grant.descriptor.id;
    const path = `/api/conversations/${id}/keys`;
    const me = await login();
    const first = v.parse(ClaimResponse, (await call(broker.url, `/api/conversations/${id}/claim`, { body: await keyed({}), headers: bearer(me.token) })).body);

    const added = await call(broker.url, path, { body: await keyed({}), headers: bearer(grant.resumeKey) });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    const { cert, auth } = v.parse(RegisterKeyResponse, added.body);
    const checked = await verifyCertificate(cert, await importPublicKey(auth.authority), id);
    assert.ok(checked.ok && checked.cert.role === 'customer' && checked.cert.sub === grant.descriptor.self.id);
    assert.ok(!first.descriptor.auth.certs.includes(cert));
    const again = v.parse(ClaimResponse, (await call(broker.url, `/api/conversations/${id}/claim`, { body: await keyed({}), headers: bearer(me.token) })).body);
    assert.ok(again.descriptor.auth.certs.includes(cert), "the customer's new key is in the agent's next descriptor");

    const agentAdded = await call(broker.url, path, { body: await keyed({}), headers: bearer(me.token) });
    assert.equal(agentAdded.status, 200, JSON.stringify(agentAdded.body));

    const bob = signAgentToken({ sub: 'bob', name: 'Bob', exp: Math.floor(Date.now() / 1000) + 600 }, AGENT_SECRET);
    const otherGrant = await create({ display: 'Elsewhere' });
    const missing = await call(broker.url, path, { body: await keyed({}) });
    apiError(missing, 401, 'unauthorized');
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer');
    for (const token of [bob, otherGrant.resumeKey, 'made-up-key-made-up-key', grant.descriptor.token!]) {
      apiError(await call(broker.url, path, { body: await keyed({}), headers: bearer(token) }), 403, 'forbidden');
    }
    apiError(await call(broker.url, path, { body: {}, headers: bearer(grant.resumeKey) }), 400, 'invalid_request');
    apiError(await call(broker.url, path, { body: { publicKey: { kty: 'EC', crv: 'P-384', x: 'a', y: 'b' } }, headers: bearer(grant.resumeKey) }), 400, 'invalid_request');
    apiError(await call(broker.url, '/api/conversations/nope/keys', { body: await keyed({}), headers: bearer(grant.resumeKey) }), 404, 'not_found');
  });

  test('authorityKey: an operator-provided key signs the certificates', async () => {
    const jwk = await generateAuthorityKey();
    const b = await startBroker(await options({ authorityKey: jwk }));
    try {
      const grant = await create({}, b.url);
      assert.deepEqual(grant.descriptor.auth.authority, { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y });
    } finally {
      await b.close();
    }
    await assert.rejects(startBroker(await options({ authorityKey: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y } })), /authorityKey must be a P-256 private key as JWK/);
  });
});
