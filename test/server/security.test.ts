// Issue 6, acceptance 1: what a customer's token can and cannot do on a real
// Janus (token_auth on, rooms with pin, secret and allowed lists). Every attempt
// goes over the raw Janus WebSocket API, exactly as an attacker would send it.
// (Joining another conversation's TextRoom needs a data channel, i.e. a
// browser: test/integration/security.test.ts.)
//   node --import tsx --test test/server/security.test.ts
import { startJanus, type RunningJanus } from '../../scripts/janus.mjs';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as v from '../../src/protocol/schema.js';
import { ClaimResponse, ConversationGrant, type ConversationDescriptor } from '../../src/protocol/index.js';
import { signAgentToken } from '../../server/agent-auth.js';
import { startBroker, type Broker, type BrokerOptions } from '../../server/broker.js';
import { JanusAdmin } from '../../server/janus-admin.js';
import { RawJanus, RawSession } from './janus-raw.js';
import { keyed } from './keys.js';
import { brokerOptions } from './broker-options.js';


const AGENT_SECRET = 'security-test-agent-secret-0123456789';
const VIDEOROOM = 'janus.plugin.videoroom';
const TEXTROOM = 'janus.plugin.textroom';
/** How Janus says no: core 403, VideoRoom/TextRoom "Unauthorized", a missing element or pvtid, no such feed/room. */
const REFUSED = /unauthori[sz]ed|not allowed|missing mandatory|private_id|no such|permission|403|42\d|43\d|45\d|46\d/i;

let janus: RunningJanus;
let broker: Broker;
let admin: JanusAdmin;

function agentAuth(id: string): Record<string, string> {
  return { authorization: `Bearer ${signAgentToken({ sub: id, name: id, exp: Math.floor(Date.now() / 1000) + 600 }, AGENT_SECRET)}` };
}

function options(extra: Partial<BrokerOptions> = {}): Promise<BrokerOptions> {
  return brokerOptions(janus, { agentTokenSecret: AGENT_SECRET, ...extra });
}

async function post<T>(base: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const data = (await res.json()) as T;
  assert.ok(res.ok, `${path}: ${res.status} ${JSON.stringify(data)}`);
  return data;
}

interface Pair {
  customer: ConversationGrant;
  agent: ConversationDescriptor;
}

async function conversation(base: string, name: string): Promise<Pair> {
  const customer = v.parse(ConversationGrant, await post(base, '/api/conversations', await keyed({ display: name })));
  const claim = v.parse(ClaimResponse, await post(base, `/api/conversations/${customer.descriptor.id}/claim`, await keyed({}), agentAuth(`agent-of-${name}`)));
  return { customer, agent: claim.descriptor };
}

/** Joins `d`'s VideoRoom as a publisher (no media needed to be in the room) and returns the feed id and private id. */
async function joinAsPublisher(s: RawSession, d: ConversationDescriptor, display: string): Promise<{ handle: number; feed: string; privateId: number }> {
  const handle = await s.attach(VIDEOROOM);
  const r = await s.message(handle, { request: 'join', ptype: 'publisher', room: d.videoRoom.room, pin: d.videoRoom.pin, token: d.token, display });
  assert.equal(r.videoroom, 'joined', JSON.stringify(r));
  return { handle, feed: String(r.id), privateId: Number(r.private_id) };
}

async function refused(p: Promise<unknown>, what: string): Promise<string> {
  let reason = '';
  await assert.rejects(p, (e: unknown) => {
    reason = e instanceof Error ? e.message : String(e);
    assert.match(reason, REFUSED, `${what}: unexpected failure "${reason}"`);
    if (process.env.SHOW_REFUSALS) console.log(`  refused: ${what}: ${reason}`);
    return true;
  }, `${what} was allowed`);
  return reason;
}

async function listParticipants(s: RawSession, handle: number, room: string | number): Promise<string[]> {
  const r = await s.message(handle, { request: 'listparticipants', room });
  return ((r.participants as Array<{ id: string }> | undefined) ?? []).map((p) => String(p.id));
}

before(async () => {
  janus = await startJanus({ reclaimTimeoutS: 1 });
  broker = await startBroker(await options());
  admin = new JanusAdmin({ url: janus.adminUrl, secret: janus.adminSecret, log: () => {} });
});

after(async () => {
  await broker?.close();
  await admin?.close();
  await janus?.stop();
});

describe("a customer's token opens its own conversation and nothing else", () => {
  let mine: Pair;
  let theirs: Pair;
  /** The other conversation's legitimate participants, in their VideoRoom the whole time. */
  let victimCustomer: RawSession;
  let victimAgent: RawSession;
  let victimFeed: string;
  let victimHandle: number;
  /** The attacker: a session opened with its own (valid) customer token. */
  let attacker: RawSession;
  let attackerVideo: number;
  let attackerText: number;

  before(async () => {
    mine = await conversation(broker.url, 'Mallory');
    theirs = await conversation(broker.url, 'Victoria');
    victimCustomer = await RawSession.create(janus.url, theirs.customer.descriptor.token);
    victimAgent = await RawSession.create(janus.url, theirs.agent.token);
    const pub = await joinAsPublisher(victimCustomer, theirs.customer.descriptor, 'Victoria');
    victimFeed = pub.feed;
    victimHandle = pub.handle;
    await joinAsPublisher(victimAgent, theirs.agent, 'Agent');
    attacker = await RawSession.create(janus.url, mine.customer.descriptor.token);
    attackerVideo = await attach(attacker, VIDEOROOM);
    attackerText = await attach(attacker, TEXTROOM);
  });

  async function attach(s: RawSession, plugin: string): Promise<number> {
    return s.attach(plugin);
  }

  after(() => {
    for (const s of [victimCustomer, victimAgent, attacker]) s?.close();
  });

  test('no token, a made-up token or a room pin does not open a Janus session', async () => {
    await refused(RawSession.create(janus.url, undefined), 'session without a token');
    await refused(RawSession.create(janus.url, 'made-up-token-made-up-token'), 'session with a made-up token');
    await refused(RawSession.create(janus.url, theirs.customer.descriptor.videoRoom.pin), 'session with a pin as token');
    await refused(RawSession.create(janus.url, theirs.customer.resumeKey), 'session with a resume key as token');
  });

  test("joining the other conversation's VideoRoom is refused, even knowing its room id and pin", async () => {
    const room = theirs.customer.descriptor.videoRoom.room;
    const pin = theirs.customer.descriptor.videoRoom.pin;
    const own = mine.customer.descriptor.token;
    await refused(attacker.message(attackerVideo, { request: 'join', ptype: 'publisher', room, pin, token: own, display: 'x' }), 'publisher join with own token');
    await refused(attacker.message(attackerVideo, { request: 'join', ptype: 'publisher', room, pin, display: 'x' }), 'publisher join without token');
    await refused(attacker.message(attackerVideo, { request: 'join', ptype: 'publisher', room, token: own, display: 'x' }), 'publisher join without pin');
    // The agent's token of my own conversation does not help either.
    await refused(attacker.message(attackerVideo, { request: 'join', ptype: 'publisher', room, pin, token: mine.agent.token, display: 'x' }), 'publisher join with my agent token');
  });

  test("subscribing to the other conversation's publisher is refused (pin, feed id and a private id from my own room are not enough)", async () => {
    const room = theirs.customer.descriptor.videoRoom.room;
    const pin = theirs.customer.descriptor.videoRoom.pin;
    const streams = [{ feed: victimFeed }];
    await refused(attacker.message(attackerVideo, { request: 'join', ptype: 'subscriber', room, pin, streams }), 'subscriber join without private_id');
    await refused(attacker.message(attackerVideo, { request: 'join', ptype: 'subscriber', room, pin, streams, private_id: 12345 }), 'subscriber join with a guessed private_id');
    // A real private id, from joining my own room, belongs to my room only.
    const ownSession = await RawSession.create(janus.url, mine.customer.descriptor.token);
    try {
      const me = await joinAsPublisher(ownSession, mine.customer.descriptor, 'Mallory');
      const sub = await ownSession.attach(VIDEOROOM);
      await refused(ownSession.message(sub, { request: 'join', ptype: 'subscriber', room, pin, streams, private_id: me.privateId }), 'subscriber join with my own private_id');
    } finally {
      ownSession.close();
    }
  });

  test('creating, editing or destroying rooms, or changing their allowed lists, is refused', async () => {
    const v = theirs.customer.descriptor.videoRoom;
    const t = theirs.customer.descriptor.textRoom;
    const own = mine.customer.descriptor.token;
    await refused(attacker.message(attackerVideo, { request: 'create', room: 'attacker-room' }), 'videoroom create without admin_key');
    await refused(attacker.message(attackerVideo, { request: 'create', room: 'attacker-room', admin_key: own }), 'videoroom create with a wrong admin_key');
    await refused(attacker.message(attackerText, { request: 'create', room: 'attacker-room' }), 'textroom create without admin_key');
    await refused(attacker.message(attackerText, { request: 'create', room: 'attacker-room', admin_key: 'guess' }), 'textroom create with a wrong admin_key');
    await refused(attacker.message(attackerVideo, { request: 'destroy', room: v.room }), 'videoroom destroy without secret');
    await refused(attacker.message(attackerVideo, { request: 'destroy', room: v.room, secret: v.pin }), 'videoroom destroy with the pin as secret');
    await refused(attacker.message(attackerText, { request: 'destroy', room: t.room, secret: 'guess' }), 'textroom destroy with a wrong secret');
    await refused(attacker.message(attackerVideo, { request: 'allowed', room: v.room, action: 'add', allowed: [own] }), 'videoroom allowed add');
    await refused(attacker.message(attackerVideo, { request: 'allowed', room: v.room, action: 'disable' }), 'videoroom allowed disable');
    await refused(attacker.message(attackerText, { request: 'allowed', room: t.room, action: 'add', allowed: [own] }), 'textroom allowed add');
    await refused(attacker.message(attackerVideo, { request: 'edit', room: v.room, new_pin: 'mine' }), 'videoroom edit');
    await refused(attacker.message(attackerText, { request: 'edit', room: t.room, new_pin: 'mine' }), 'textroom edit');
    await refused(attacker.message(attackerVideo, { request: 'kick', room: v.room, id: victimFeed }), 'videoroom kick');
    await refused(attacker.message(attackerText, { request: 'announcement', room: t.room, text: 'phishing' }), 'textroom announcement');
    await refused(
      attacker.message(attackerVideo, { request: 'rtp_forward', room: v.room, publisher_id: victimFeed, host: '127.0.0.1', streams: [] }),
      'videoroom rtp_forward',
    );
    // Even my own rooms: the customer never holds a room secret.
    const mv = mine.customer.descriptor.videoRoom;
    await refused(attacker.message(attackerVideo, { request: 'destroy', room: mv.room }), 'destroying my own room');
    // No room was created on the way.
    assert.deepEqual(await attacker.message(attackerVideo, { request: 'exists', room: 'attacker-room' }).then((r) => r.exists), false);
  });

  test('the Admin API refuses a wrong or missing admin_secret, and the Janus API has no admin requests', async () => {
    const conn = await RawJanus.open(janus.adminUrl, 'janus-admin-protocol');
    try {
      for (const secret of [undefined, mine.customer.descriptor.token, janus.adminKey, 'admin']) {
        const extra = secret === undefined ? {} : { admin_secret: secret };
        for (const req of [{ janus: 'list_sessions' }, { janus: 'list_tokens' }, { janus: 'add_token', token: 'stolen', plugins: [VIDEOROOM] }]) {
          const r = await conn.request({ ...req, ...extra });
          assert.equal(r.janus, 'error', `admin ${req.janus} with ${String(secret)} answered ${JSON.stringify(r)}`);
          assert.equal(r.error?.code, 403);
        }
      }
    } finally {
      conn.close();
    }
    const api = await RawJanus.open(janus.url);
    try {
      const r = await api.request({ janus: 'add_token', token: 'stolen', admin_secret: janus.adminSecret });
      assert.equal(r.janus, 'error');
    } finally {
      api.close();
    }
    assert.ok(!(await admin.listTokens()).some((t) => t.token === 'stolen'));
  });

  test('the legitimate participants kept working all along', async () => {
    const room = theirs.customer.descriptor.videoRoom.room;
    const inRoom = await listParticipants(victimCustomer, victimHandle, room);
    assert.equal(inRoom.length, 2, `both participants are still in their room: ${inRoom.join(',')}`);
    assert.ok(inRoom.includes(victimFeed));
    for (const s of [victimCustomer, victimAgent]) assert.equal((await s.keepalive()).janus, 'ack');
    // And they can still do what participants do: the agent subscribes to the customer.
    const sub = await victimAgent.attach(VIDEOROOM);
    const agentPub = await listParticipants(victimAgent, sub, room);
    assert.equal(agentPub.length, 2);
    const exists = await victimCustomer.message(victimHandle, { request: 'exists', room });
    assert.equal(exists.exists, true);
  });

  test("once a conversation closes its tokens are dead: no new session, and the open one's requests are refused", async () => {
    const pair = await conversation(broker.url, 'Leaving');
    const live = await RawSession.create(janus.url, pair.customer.descriptor.token);
    try {
      await post(broker.url, `/api/conversations/${pair.customer.descriptor.id}/close`, {}, { authorization: `Bearer ${pair.customer.resumeKey}` });
      await refused(RawSession.create(janus.url, pair.customer.descriptor.token), 'new session with a closed conversation token');
      await refused(RawSession.create(janus.url, pair.agent.token), "new session with a closed conversation's agent token");
      await refused(live.attach(VIDEOROOM), 'attach on a session whose token was removed');
      const tokens = new Set((await admin.listTokens()).map((t) => t.token));
      assert.ok(!tokens.has(pair.customer.descriptor.token!) && !tokens.has(pair.agent.token!));
    } finally {
      live.close();
    }
  });

  test('participant tokens may attach only the two plugins a conversation uses', async () => {
    const t = (await admin.listTokens()).find((x) => x.token === mine.customer.descriptor.token);
    assert.deepEqual(new Set(t?.allowed_plugins), new Set([VIDEOROOM, TEXTROOM]));
  });
});

describe('token expiry', () => {
  test('a conversation past its maximum lifetime is closed: tokens removed, rooms destroyed', async () => {
    const short = await startBroker(await options({ maxConversationMs: 1500, sweepIntervalMs: 200 }));
    try {
      const pair = await conversation(short.url, 'Brief');
      const s = await RawSession.create(janus.url, pair.customer.descriptor.token);
      s.close();
      const deadline = Date.now() + 10_000;
      for (;;) {
        const tokens = new Set((await admin.listTokens()).map((t) => t.token));
        if (!tokens.has(pair.customer.descriptor.token!) && !tokens.has(pair.agent.token!)) break;
        assert.ok(Date.now() < deadline, 'tokens were not removed at the maximum lifetime');
        await new Promise((r) => setTimeout(r, 200));
      }
      await refused(RawSession.create(janus.url, pair.customer.descriptor.token), 'session with an expired token');
      const probe = await RawSession.create(janus.url, mine());
      try {
        const h = await probe.attach(VIDEOROOM);
        assert.equal((await probe.message(h, { request: 'exists', room: pair.customer.descriptor.videoRoom.room })).exists, false);
      } finally {
        probe.close();
      }
    } finally {
      await short.close();
    }
  });

  /** A token that stays valid: a fresh conversation on the main broker. */
  let spare: string | undefined;
  function mine(): string {
    assert.ok(spare);
    return spare;
  }
  before(async () => {
    spare = (await conversation(broker.url, 'Probe')).customer.descriptor.token;
  });
});
