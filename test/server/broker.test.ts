// Reference broker against a real Janus (scripts/janus.mjs).
//   node --import tsx --test test/server/broker.test.ts
import { startJanus as startJanusScript, type RunningJanus } from '../../scripts/janus.mjs';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect as netConnect, createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import Janode, { type JanodeConnection, type JanodeSession } from 'janode';
import TextRoomPlugin, { type TextRoomHandle } from 'janode/plugins/textroom';
import VideoRoomPlugin, { type VideoRoomHandle } from 'janode/plugins/videoroom';
import * as v from '../../src/protocol/schema.js';
import { ApiError, ClaimResponse, ConversationDescriptorSchema, ConversationGrant, QueueEntry } from '../../src/protocol/index.js';
import { signAgentToken } from '../../server/agent-auth.js';
import { startBroker, type Broker, type BrokerOptions } from '../../server/broker.js';
import { JanusAdmin } from '../../server/janus-admin.js';
import { keyed } from './keys.js';
import { brokerOptions as sharedBrokerOptions } from './broker-options.js';

/** Counts "Timeout expired for session" lines (debug level 4) so a test can wait for a dropped session to die. */
let expiredSessions = 0;
/** A Janus that forgets a dropped session after 1 s, so the reconnect test sees the old session die. */
async function startJanus(): Promise<RunningJanus> {
  return startJanusScript({
    reclaimTimeoutS: 1,
    debugLevel: 4,
    log: (line) => {
      if (line.includes('Timeout expired for session')) expiredSessions++;
    },
  });
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const repoRoot = new URL('../../', import.meta.url).pathname;

/** Agent tokens in these tests are minted the way an integrator's system would, with the shared secret. */
const AGENT_SECRET = 'test-agent-token-secret-0123456789';
const GENEROUS = { perMinute: 100_000, burst: 10_000 };

function agentBearer(id: string, display = id): string {
  return signAgentToken({ sub: id, name: display, exp: Math.floor(Date.now() / 1000) + 3600 }, AGENT_SECRET);
}
function asAgent(id: string, display = id): Record<string, string> {
  return { authorization: `Bearer ${agentBearer(id, display)}` };
}

/** Broker options for this Janus: token_auth via the admin API, integrator-signed agent tokens, no rate limits in the way. */
function brokerOptions(extra: Partial<BrokerOptions> = {}): Promise<BrokerOptions> {
  return sharedBrokerOptions(janus, { agentTokenSecret: AGENT_SECRET, rateLimits: { create: GENEROUS, login: GENEROUS, post: GENEROUS }, ...extra });
}
const QueueSnapshot = v.object({ conversations: v.array(QueueEntry) });
type QueueSnapshot = v.InferOutput<typeof QueueSnapshot>;

interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
}

async function call(base: string, path: string, init: { method?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | undefined;
  if (init.raw !== undefined) body = init.raw;
  else if (init.body !== undefined) body = JSON.stringify(init.body);
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed };
}

function assertApiError(r: Reply, status: number, code?: string): ApiError {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
  const err = v.parse(ApiError, r.body);
  if (code) assert.equal(err.error.code, code);
  return err;
}

/** A plain GET that sends the path exactly as written (fetch would normalize `..`). */
function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Sends several POSTs so that they reach the broker in the same instant: all
 * sockets are connected first, then every request is written in one
 * synchronous loop. (fetch would spread them over time and hide races.)
 */
async function postAllAtOnce(base: string, path: string, bodies: unknown[], headers: (i: number) => Record<string, string> = () => ({})): Promise<Array<{ status: number; body: unknown }>> {
  const { hostname, port } = new URL(base);
  const sockets = await Promise.all(
    bodies.map(
      () =>
        new Promise<Socket>((resolve, reject) => {
          const s = netConnect(Number(port), hostname, () => resolve(s));
          s.on('error', reject);
        }),
    ),
  );
  const replies = sockets.map(
    (s) =>
      new Promise<{ status: number; body: unknown }>((resolve, reject) => {
        let raw = '';
        s.setEncoding('utf8');
        s.on('data', (c: string) => (raw += c));
        s.on('error', reject);
        s.on('end', () => {
          const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);
          const text = raw.slice(raw.indexOf('\r\n\r\n') + 4);
          resolve({ status, body: JSON.parse(text) as unknown });
        });
      }),
  );
  bodies.forEach((body, i) => {
    const json = JSON.stringify(body);
    const extra = Object.entries(headers(i))
      .map(([k, val]) => `${k}: ${val}\r\n`)
      .join('');
    sockets[i].write(
      `POST ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\n${extra}Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
    );
  });
  return Promise.all(replies);
}

/** Follows /api/queue/stream (a snapshot, then deltas) and gives the queue as it stands after each event. */
async function openQueueStream(base: string, headers: Record<string, string> = asAgent('agent-sse', 'Sam'), query = '') {
  const ac = new AbortController();
  const res = await fetch(`${base}/api/queue/stream${query}`, { signal: ac.signal, headers });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  assert.ok(res.body);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  async function nextEvent(): Promise<{ event: string; data: string }> {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
        }
        if (data.length) return { event, data: data.join('\n') };
        continue; // comment or retry-only block
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('queue stream ended');
      buffer += value;
    }
  }
  const entries = new Map<string, QueueEntry>();
  return {
    async next(pred: (s: QueueSnapshot) => boolean, timeoutMs = 5000): Promise<QueueSnapshot> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error('no matching queue event in time');
        let timer: NodeJS.Timeout | undefined;
        const ev = await Promise.race([
          nextEvent(),
          new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no matching queue event in time')), left))),
        ]).finally(() => clearTimeout(timer));
        if (ev.event === 'snapshot') {
          entries.clear();
          for (const c of v.parse(QueueSnapshot, JSON.parse(ev.data)).conversations) entries.set(c.id, c);
        } else if (ev.event === 'removed') {
          entries.delete(v.parse(v.object({ id: v.string() }), JSON.parse(ev.data)).id);
        } else if (['added', 'claimed', 'closed', 'updated'].includes(ev.event)) {
          const { entry } = v.parse(v.object({ entry: QueueEntry }), JSON.parse(ev.data));
          entries.set(entry.id, entry);
        } else continue;
        const snapshot = { conversations: [...entries.values()] };
        if (pred(snapshot)) return snapshot;
      }
    },
    close: () => ac.abort(),
  };
}

/**
 * A TCP proxy in front of Janus: the test can cut its connections, and
 * `answerDelayMs` slows Janus's answers down (equal timeouts keep their order).
 */
async function startJanusProxy(targetPort: number, { answerDelayMs = 0 } = {}): Promise<{ url: string; cut(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: NetServer = createNetServer((client) => {
    const upstream = netConnect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream);
    if (answerDelayMs > 0) {
      upstream.on('data', (chunk: Buffer) => setTimeout(() => client.destroyed || client.write(chunk), answerDelayMs));
      upstream.on('end', () => setTimeout(() => client.end(), answerDelayMs));
    } else {
      upstream.pipe(client);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  const cut = () => {
    for (const s of sockets) s.destroy();
  };
  return {
    url: `ws://127.0.0.1:${port}`,
    cut,
    close: () => {
      cut();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

let janus: RunningJanus;
let broker: Broker;
let base: string;
let probe: { connection: JanodeConnection; session: JanodeSession; text: TextRoomHandle; video: VideoRoomHandle };
/** The tests' own view of Janus's token list. */
let admin: JanusAdmin;

async function createConversation(body: Record<string, unknown> = {}): Promise<ConversationGrant> {
  const r = await call(base, '/api/conversations', { body: await keyed(body) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return v.parse(ConversationGrant, r.body);
}

function roomId(room: string | number): string {
  assert.equal(typeof room, 'string');
  return String(room);
}

async function roomsExist(grant: ConversationGrant): Promise<{ text: boolean; video: boolean }> {
  const [t, vr] = await Promise.all([
    probe.text.exists({ room: roomId(grant.descriptor.textRoom.room) }),
    probe.video.exists({ room: roomId(grant.descriptor.videoRoom.room) }),
  ]);
  return { text: t.exists, video: vr.exists };
}

/** Joins the conversation's VideoRoom as a publisher (no media needed) with the given token and pin. */
async function joinVideo(d: { videoRoom: { room: string | number; pin?: string } }, token: string | undefined, pin = d.videoRoom.pin): Promise<void> {
  const handle = await probe.session.attach(VideoRoomPlugin);
  try {
    await handle.joinPublisher({ room: roomId(d.videoRoom.room), display: 'probe', token, pin });
  } finally {
    await handle.detach().catch(() => {});
  }
}

async function janusTokens(): Promise<Set<string>> {
  return new Set((await admin.listTokens()).map((t) => t.token));
}

before(async () => {
  janus = await startJanus();
  broker = await startBroker(await brokerOptions({ staticRoot: repoRoot }));
  base = broker.url;
  Janode.Logger.setLevel('none');
  // token_auth: the probe needs a token of its own, like anybody else.
  admin = new JanusAdmin({ url: janus.adminUrl, secret: janus.adminSecret, log: () => {} });
  const probeToken = 'probe-token-for-the-tests';
  await admin.addToken(probeToken);
  const connection = await Janode.connect({ is_admin: false, address: { url: janus.url, token: probeToken } });
  const session = await connection.create();
  probe = {
    connection,
    session,
    text: await session.attach(TextRoomPlugin),
    video: await session.attach(VideoRoomPlugin),
  };
});

after(async () => {
  await broker?.close();
  await probe?.connection.close().catch(() => {});
  await admin?.close();
  await janus?.stop();
});

describe('create and resume', () => {
  test('POST /api/conversations creates both rooms on Janus and returns a valid grant', async () => {
    const r = await call(base, '/api/conversations', { body: await keyed({ display: 'Ann', topic: 'Returns', page: 'https://shop.example/p/1' }) });
    assert.equal(r.status, 201);
    const grant = v.parse(ConversationGrant, r.body);
    const d = grant.descriptor;
    assert.equal(d.gateway, janus.url);
    assert.deepEqual(d.self.role, 'customer');
    assert.match(d.self.id, /^c-/);
    assert.equal(d.self.display, 'Ann');
    assert.equal(d.peer, undefined);
    assert.ok(d.token && d.token.length >= 16);
    assert.ok(d.textRoom.pin && d.videoRoom.pin);
    assert.notEqual(d.textRoom.room, d.videoRoom.room);
    assert.ok(Buffer.from(grant.resumeKey, 'base64url').length === 32);
    // Room secrets stay in the broker.
    assert.doesNotMatch(JSON.stringify(r.body), /secret/i);
    assert.deepEqual(await roomsExist(grant), { text: true, video: true });
  });

  test('a visitor without a name gets "Visitor NNNN"', async () => {
    const grant = await createConversation();
    assert.match(grant.descriptor.self.display, /^Visitor \d{4}$/);
  });

  test('rooms are private and only the listed token with the pin may join the VideoRoom', async () => {
    const { descriptor: d } = await createConversation({ display: 'Bo' });
    const listed = await probe.video.list();
    assert.ok(!listed.list.some((room) => room.room === d.videoRoom.room), 'private room shows in the public list');
    await assert.rejects(joinVideo(d, undefined), /Unauthorized|allowed/i);
    await assert.rejects(joinVideo(d, 'not-a-token'), /Unauthorized|allowed/i);
    await assert.rejects(joinVideo(d, d.token, 'wrong-pin'), /Unauthorized|pin/i);
    await joinVideo(d, d.token);
  });

  test('GET /api/conversations/:id resumes with the right key only', async () => {
    const grant = await createConversation({ display: 'Cy' });
    const path = `/api/conversations/${grant.descriptor.id}`;
    const ok = await call(base, path, { headers: { authorization: `Bearer ${grant.resumeKey}` } });
    assert.equal(ok.status, 200);
    assert.deepEqual(v.parse(ConversationGrant, ok.body), grant);
    assertApiError(await call(base, path, { headers: { authorization: 'Bearer wrong-key-wrong-key-wrong' } }), 403, 'forbidden');
    const missing = await call(base, path);
    assertApiError(missing, 401, 'unauthorized');
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer');
    assertApiError(await call(base, '/api/conversations/no-such-id', { headers: { authorization: `Bearer ${grant.resumeKey}` } }), 404, 'not_found');
  });
});

describe('claim', () => {
  test('first claim wins; another agent gets 409; the same agent gets the same descriptor', async () => {
    const grant = await createConversation({ display: 'Dee' });
    const path = `/api/conversations/${grant.descriptor.id}/claim`;
    const aliceKey = await keyed({});
    const first = await call(base, path, { body: aliceKey, headers: asAgent('agent-1', 'Alice') });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const { descriptor } = v.parse(v.object({ descriptor: ConversationDescriptorSchema }), first.body);
    assert.deepEqual(descriptor.self, { role: 'agent', id: 'agent-1', display: 'Alice' });
    assert.deepEqual(descriptor.peer, grant.descriptor.self);
    assert.deepEqual(descriptor.textRoom, grant.descriptor.textRoom);
    assert.deepEqual(descriptor.videoRoom, grant.descriptor.videoRoom);
    assert.ok(descriptor.token && descriptor.token !== grant.descriptor.token);

    const second = await call(base, path, { body: await keyed({}), headers: asAgent('agent-2', 'Bob') });
    const err = assertApiError(second, 409, 'already_claimed');
    assert.match(err.error.message, /Alice/);

    // A claim body naming someone else changes nothing: the bearer decides who claims.
    const again = await call(base, path, { body: { ...aliceKey, agentId: 'agent-2', display: 'Bob' }, headers: asAgent('agent-1', 'Alice') });
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, first.body);

    // The agent's token is now on the VideoRoom's allowed list and in Janus's token list.
    await joinVideo(descriptor, descriptor.token);
    assert.ok((await janusTokens()).has(descriptor.token!));

    // The customer's resumed grant now names the agent as peer.
    const resumed = await call(base, `/api/conversations/${grant.descriptor.id}`, { headers: { authorization: `Bearer ${grant.resumeKey}` } });
    assert.deepEqual(v.parse(ConversationGrant, resumed.body).descriptor.peer, { role: 'agent', id: 'agent-1', display: 'Alice' });
  });

  test('20 concurrent claims by different agents: exactly one wins', async () => {
    // Janus answering slowly widens the window in which a check-then-await claim would let several through.
    const proxy = await startJanusProxy(janus.port, { answerDelayMs: 40 });
    const slow = await startBroker(await brokerOptions({ janusUrl: proxy.url }));
    try {
      const created = await call(slow.url, '/api/conversations', { body: await keyed({ display: 'Eve' }) });
      const grant = v.parse(ConversationGrant, created.body);
      const path = `/api/conversations/${grant.descriptor.id}/claim`;
      const replies = await postAllAtOnce(
        slow.url,
        path,
        await Promise.all(Array.from({ length: 20 }, () => keyed({}))),
        (i) => asAgent(`racer-${i}`, `Racer ${i}`),
      );
      const statuses = replies.map((r) => r.status);
      assert.equal(statuses.filter((s) => s === 200).length, 1, `statuses: ${statuses.join(',')}`);
      assert.equal(statuses.filter((s) => s === 409).length, 19);
      const queue = v.parse(QueueSnapshot, (await call(slow.url, '/api/queue', { headers: asAgent('observer') })).body);
      const entry = queue.conversations.find((c) => c.id === grant.descriptor.id);
      const winner = v.parse(v.object({ descriptor: ConversationDescriptorSchema }), replies[statuses.indexOf(200)].body).descriptor;
      assert.equal(entry?.state, 'claimed');
      assert.equal(entry?.claimedBy?.id, winner.self.id);
      await joinVideo(winner, winner.token);
    } finally {
      await slow.close();
      await proxy.close();
    }
  });

  test('claiming an unknown conversation is 404', async () => {
    assertApiError(await call(base, '/api/conversations/nope/claim', { body: await keyed({}), headers: asAgent('a') }), 404, 'not_found');
  });
});

describe('bad input never breaks the broker', () => {
  test('malformed requests get 4xx JSON errors', async () => {
    assertApiError(await call(base, '/api/conversations', { raw: '{"display": ' }), 400, 'invalid_json');
    const schema = assertApiError(await call(base, '/api/conversations', { body: { display: 42 } }), 400, 'invalid_request');
    assert.match(schema.error.message, /display/);
    assertApiError(await call(base, '/api/conversations', { body: { display: 'x', admin: true } }), 400, 'invalid_request');
    assertApiError(await call(base, '/api/conversations', { body: { display: 'x'.repeat(81) } }), 400, 'invalid_request');
    assertApiError(await call(base, '/api/conversations', { raw: '[1,2]' }), 400, 'invalid_request');
    assertApiError(await call(base, '/api/conversations', { raw: 'null' }), 400, 'invalid_request');
    const grant = await createConversation();
    const claim = `/api/conversations/${grant.descriptor.id}/claim`;
    const agent = asAgent('agent-malformed');
    assertApiError(await call(base, claim, { body: { agentId: 'bad id!', display: 'A' }, headers: agent }), 400, 'invalid_request');
    assertApiError(await call(base, claim, { body: { display: 42 }, headers: agent }), 400, 'invalid_request');
    assertApiError(await call(base, claim, { body: { role: 'admin' }, headers: agent }), 400, 'invalid_request');
    assertApiError(await call(base, claim, { raw: '{', headers: agent }), 400, 'invalid_json');
    assertApiError(await call(base, `/api/conversations/${grant.descriptor.id}/link`, { body: { customerId: '<script>', name: 'x' }, headers: agent }), 400);
    assertApiError(await call(base, '/api/agent/login', { body: { username: 'x' } }), 400, 'invalid_request');
    assertApiError(await call(base, `/api/customers?q=${'x'.repeat(101)}`, { headers: agent }), 400, 'invalid_request');
    assertApiError(await call(base, '/api/queue', { headers: { authorization: 'Basic Zm9vOmJhcg==' } }), 401, 'unauthorized');
    assertApiError(await call(base, '/api/conversations', { raw: '{}', headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_media_type');
    assertApiError(await call(base, '/api/conversations', { raw: 'display=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415);
    assertApiError(await call(base, '/api/conversations', { raw: JSON.stringify({ display: 'x'.repeat(40_000) }) }), 413, 'body_too_large');
    assertApiError(await call(base, '/api/conversations', { raw: ' '.repeat(2_000_000) }), 413, 'body_too_large');
    assertApiError(await call(base, '/api/nothing-here'), 404, 'not_found');
    assertApiError(await call(base, '/api'), 404, 'not_found');
    assertApiError(await call(base, '/api/conversations/%E0%A4%A'), 404, 'not_found');
    const wrongMethod = await call(base, '/api/queue', { method: 'DELETE' });
    assertApiError(wrongMethod, 405, 'method_not_allowed');
    assert.match(wrongMethod.headers.get('allow') ?? '', /GET/);
    assertApiError(await call(base, '/api/conversations', { method: 'GET' }), 405);
    assertApiError(await call(base, `/api/conversations/${grant.descriptor.id}`, { method: 'PUT', raw: '{}' }), 405);

    // Still healthy afterwards.
    assert.equal((await call(base, '/api/queue', { headers: agent })).status, 200);
    await createConversation({ display: 'Still here' });
  });
});

describe('queue', () => {
  test('GET /api/queue lists conversations as QueueEntry', async () => {
    const grant = await createConversation({ display: 'Fay', topic: 'Billing' });
    const r = await call(base, '/api/queue', { headers: asAgent('agent-q') });
    assert.equal(r.status, 200);
    const snapshot = v.parse(QueueSnapshot, r.body);
    const entry = snapshot.conversations.find((c) => c.id === grant.descriptor.id);
    assert.deepEqual({ ...entry, createdAt: 0 }, { id: grant.descriptor.id, display: 'Fay', topic: 'Billing', state: 'waiting', createdAt: 0, gateway: janus.url });
  });

  test('SSE stream sends a snapshot on connect and an update after create and claim', async () => {
    const stream = await openQueueStream(base);
    try {
      await stream.next(() => true);
      const grant = await createConversation({ display: 'Gus' });
      const id = grant.descriptor.id;
      await stream.next((s) => s.conversations.some((c) => c.id === id && c.state === 'waiting'));
      await call(base, `/api/conversations/${id}/claim`, { body: await keyed({}), headers: asAgent('agent-sse', 'Sam') });
      await stream.next((s) => s.conversations.some((c) => c.id === id && c.state === 'claimed' && c.claimedBy?.display === 'Sam'));
    } finally {
      stream.close();
    }
  });
});

describe('close', () => {
  test('the customer closes with its resume key: rooms are destroyed on Janus', async () => {
    const grant = await createConversation({ display: 'Hal' });
    const id = grant.descriptor.id;
    assertApiError(await call(base, `/api/conversations/${id}/close`, { body: {} }), 401, 'unauthorized');
    assertApiError(await call(base, `/api/conversations/${id}/close`, { body: {}, headers: { authorization: 'Bearer nope-nope-nope-nope' } }), 403);
    const r = await call(base, `/api/conversations/${id}/close`, { body: {}, headers: { authorization: `Bearer ${grant.resumeKey}` } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(v.parse(QueueEntry, r.body).state, 'closed');
    assert.deepEqual(await roomsExist(grant), { text: false, video: false });
    // Closed: no more grants or claims; closing again is harmless.
    assertApiError(await call(base, `/api/conversations/${id}`, { headers: { authorization: `Bearer ${grant.resumeKey}` } }), 410, 'conversation_closed');
    assertApiError(await call(base, `/api/conversations/${id}/claim`, { body: await keyed({}), headers: asAgent('late') }), 410);
    assert.equal((await call(base, `/api/conversations/${id}/close`, { body: {}, headers: { authorization: `Bearer ${grant.resumeKey}` } })).status, 200);
  });

  test('only the claiming agent (by its agent token) may close; an agentId in the body proves nothing', async () => {
    const a = await createConversation({ display: 'Ida' });
    const claimed = await call(base, `/api/conversations/${a.descriptor.id}/claim`, { body: await keyed({}), headers: asAgent('agent-close', 'Cleo') });
    const agentDescriptor = v.parse(ClaimResponse, claimed.body).descriptor;
    const close = `/api/conversations/${a.descriptor.id}/close`;
    assertApiError(await call(base, close, { body: { agentId: 'agent-close' } }), 401, 'unauthorized');
    assertApiError(await call(base, close, { body: { agentId: 'agent-close' }, headers: asAgent('someone-else') }), 403, 'forbidden');
    // The agent's Janus token is a Janus credential, not a broker one.
    assertApiError(await call(base, close, { body: {}, headers: { authorization: `Bearer ${agentDescriptor.token}` } }), 403, 'forbidden');
    assert.ok((await janusTokens()).has(a.descriptor.token!));
    assert.equal((await call(base, close, { body: {}, headers: asAgent('agent-close', 'Cleo') })).status, 200);
    assert.deepEqual(await roomsExist(a), { text: false, video: false });
    // Both participants' Janus tokens are gone with the conversation.
    const tokens = await janusTokens();
    assert.ok(!tokens.has(a.descriptor.token!) && !tokens.has(agentDescriptor.token!));
  });
});

describe('static files', () => {
  test('serves the demo with content types and no-cache', async () => {
    const index = await fetch(`${base}/`);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    await index.text();
    const js = await fetch(`${base}/demo/crm/crm.js`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
    await js.text();
    const css = await fetch(`${base}/demo/shop/shop.css`);
    assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
    await css.text();
    const dir = await fetch(`${base}/demo/agent`, { redirect: 'manual' });
    assert.equal(dir.status, 301);
    assert.equal(dir.headers.get('location'), '/demo/agent/');
    const missing = await fetch(`${base}/demo/nope.html`);
    assert.equal(missing.status, 404);
    assert.match(missing.headers.get('content-type') ?? '', /^text\/plain/);
    await missing.text();
  });

  test('pages carry a CSP without inline script, frame-ancestors and Referrer-Policy; API answers deny everything (issue 9)', async () => {
    const pageCsp = (h: Headers) => new Map((h.get('content-security-policy') ?? '').split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...rest]) => [k, rest.join(' ')]));
    for (const path of ['/', '/demo/agent/', '/demo/shop/', '/demo/shop/checkout.html', '/demo/shop/product.html', '/demo/crm/', '/demo/crm/crm.js', '/demo/nope.html', '/nowhere']) {
      const r = await fetch(base + path);
      await r.text();
      const csp = pageCsp(r.headers);
      assert.equal(csp.get('script-src'), "'self'", `${path}: ${r.headers.get('content-security-policy')}`);
      assert.equal(csp.get('default-src'), "'self'", path);
      assert.equal(csp.get('connect-src'), "'self' ws: wss:", path);
      assert.equal(csp.get('img-src'), "'self' data: blob: https: http:", path);
      assert.equal(csp.get('style-src'), "'self' 'unsafe-inline'", path);
      assert.equal(csp.get('font-src'), "'self' data: https: http:", path);
      assert.equal(csp.get('media-src'), "'self' blob: mediastream:", path);
      assert.equal(csp.get('object-src'), "'none'", path);
      assert.equal(csp.get('base-uri'), "'self'", path);
      assert.equal(csp.get('form-action'), "'self'", path);
      assert.equal(csp.get('frame-ancestors'), "'self'", path);
      assert.equal(r.headers.get('referrer-policy'), 'same-origin', path);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', path);
    }
    const redirect = await fetch(`${base}/demo/agent`, { redirect: 'manual' });
    assert.match(redirect.headers.get('content-security-policy') ?? '', /frame-ancestors 'self'/);
    // No page the broker serves has an inline script left (the CSP would stop it).
    for (const page of ['index.html', 'agent/index.html', 'crm/index.html', 'shop/index.html', 'shop/checkout.html', 'shop/product.html']) {
      const html = await (await fetch(`${base}/demo/${page}`)).text();
      for (const tag of html.match(/<script\b[^>]*>/g) ?? []) assert.match(tag, /\bsrc=/, `${page}: inline ${tag}`);
      assert.doesNotMatch(html, /\son[a-z]+\s*=/i, `${page}: inline event handler`);
    }
    for (const [path, init] of [
      ['/api/health', {}],
      ['/api/queue', {}],
      ['/api/nothing', {}],
      ['/api/conversations', { method: 'OPTIONS' }],
      ['/api/conversations', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' }],
    ] as const) {
      const r = await fetch(base + path, init);
      await r.text();
      assert.equal(r.headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'", `${path} ${r.status}`);
      assert.equal(r.headers.get('referrer-policy'), 'no-referrer', path);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', path);
    }
    const ac = new AbortController();
    const sse = await fetch(`${base}/api/queue/stream`, { signal: ac.signal, headers: asAgent('agent-headers') });
    assert.equal(sse.headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'");
    ac.abort();
  });

  test('path traversal is refused', async () => {
    for (const path of [
      '/dist/../package.json',
      '/demo/../package.json',
      '/dist/%2e%2e/package.json',
      '/dist/..%2fpackage.json',
      '/dist/..%5cpackage.json',
      '/demo/%2e%2e%2f%2e%2e%2fetc/passwd',
      '/demo/../../../../etc/passwd',
      '/package.json',
      '/server/broker.ts',
      '/demo/%00',
    ]) {
      const r = await rawGet(base, path);
      assert.ok(r.status >= 400 && r.status < 500, `${path} answered ${r.status}`);
      assert.doesNotMatch(r.body, /"name"|root:|startBroker/, `${path} leaked a file`);
    }
  });
});

describe('CORS', () => {
  let corsBroker: Broker;
  before(async () => {
    corsBroker = await startBroker(await brokerOptions({ allowedOrigins: ['https://shop.example'] }));
  });
  after(() => corsBroker.close());

  test('allowed origins get CORS headers and preflights; others get none', async () => {
    const pre = await fetch(`${corsBroker.url}/api/conversations`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), 'https://shop.example');
    assert.match(pre.headers.get('access-control-allow-methods') ?? '', /POST/);
    assert.match(pre.headers.get('access-control-allow-headers') ?? '', /content-type/);
    assert.match(pre.headers.get('access-control-allow-headers') ?? '', /authorization/);

    const created = await call(corsBroker.url, '/api/conversations', { body: await keyed({}), headers: { origin: 'https://shop.example' } });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get('access-control-allow-origin'), 'https://shop.example');

    const evilPre = await fetch(`${corsBroker.url}/api/conversations`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    assert.equal(evilPre.status, 403);
    assert.equal(evilPre.headers.get('access-control-allow-origin'), null);
    await evilPre.text();
    const evil = await call(corsBroker.url, '/api/queue', { headers: { origin: 'https://evil.example' } });
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
  });

  test('the default broker sends no CORS headers', async () => {
    const r = await call(base, '/api/health', { headers: { origin: 'https://shop.example' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), null);
  });
});

describe('Janus connection', () => {
  test('the broker reconnects after its WebSocket to Janus drops', async () => {
    const proxy = await startJanusProxy(janus.port);
    const b = await startBroker(await brokerOptions({ janusUrl: proxy.url, publicGatewayUrl: janus.url }));
    try {
      const before = await call(b.url, '/api/conversations', { body: await keyed({ display: 'Kim' }) });
      assert.equal(before.status, 201);
      assert.equal(v.parse(ConversationGrant, before.body).descriptor.gateway, janus.url);
      const expiredBefore = expiredSessions;
      proxy.cut();
      // Requests made while it reconnects wait for the new session instead of failing.
      const afterDrop = await call(b.url, '/api/conversations', { body: await keyed({ display: 'Lou' }) });
      assert.equal(afterDrop.status, 201, JSON.stringify(afterDrop.body));
      const grant = v.parse(ConversationGrant, before.body);
      // Rooms belong to the plugins, not to the broker's session: they outlive its
      // old session even after Janus gives up waiting for it to be reclaimed.
      await waitFor(() => expiredSessions > expiredBefore, 10_000, 'Janus to expire the dropped session');
      assert.deepEqual(await roomsExist(grant), { text: true, video: true });
      const claim = await call(b.url, `/api/conversations/${grant.descriptor.id}/claim`, { body: await keyed({}), headers: asAgent('agent-rc', 'Rae') });
      assert.equal(claim.status, 200, JSON.stringify(claim.body));
      assert.equal((await call(b.url, '/api/health')).status, 200);
    } finally {
      await b.close();
      await proxy.close();
    }
  });

  test('a graceful stop ends nothing: rooms and tokens stay on Janus, and the next start on the same record carries on (issue 10)', async () => {
    const options = await brokerOptions();
    const b = await startBroker(options);
    const r = await call(b.url, '/api/conversations', { body: await keyed({}) });
    const grant = v.parse(ConversationGrant, r.body);
    assert.deepEqual(await roomsExist(grant), { text: true, video: true });
    await b.close();
    assert.deepEqual(await roomsExist(grant), { text: true, video: true }, 'the rooms outlive the broker');
    assert.ok((await janusTokens()).has(grant.descriptor.token!), "the customer's token too");
    const again = await startBroker(options);
    try {
      const resumed = await fetch(`${again.url}/api/conversations/${grant.descriptor.id}`, { headers: { authorization: `Bearer ${grant.resumeKey}` } });
      assert.equal(resumed.status, 200, 'the customer resumes on the restarted broker');
      const g2 = v.parse(ConversationGrant, await resumed.json());
      assert.deepEqual(g2.descriptor, grant.descriptor, 'the same rooms, token and certificates');
    } finally {
      await again.close();
    }
  });

  test('startBroker fails clearly when Janus is not there', async () => {
    await assert.rejects(
      startBroker({ janusUrl: 'ws://127.0.0.1:1', janusAdminKey: 'x', port: 0, janusConnectTimeoutMs: 800, log: () => {} }),
      /did not answer/,
    );
  });
});
