// Conversation lifecycle paths that a healthy Janus never takes (failures,
// restarts, expiry), driven through a fake room gateway.
//   node --import tsx --test test/server/conversations.test.ts
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadAuthority } from '../../server/authority.js';
import { ConversationService, type OpenConversationCaps } from '../../server/conversations.js';
import { HttpError } from '../../server/http-util.js';
import type { TokenGateway } from '../../server/janus-admin.js';
import { GatewayRequestError, GatewayUnavailableError, type RoomGateway, type RoomKind, type RoomSpec } from '../../server/janus-rooms.js';
import { ConversationStore } from '../../server/store.js';
import type { Db } from '../../server/db.js';
import { testDb } from './test-db.js';
import { signVisitorIdentity } from '../../server/visitor-identity.js';
import { keyed, newPublicKey } from './keys.js';
import { importPublicKey, verifyCertificate } from '../../src/protocol/index.js';

type Op = 'createText' | 'createVideo' | 'allow' | 'destroy' | 'addToken' | 'removeToken' | 'list';

/** Janus's core token list (token_auth). */
class FakeTokens implements TokenGateway {
  readonly tokens = new Set<string>();
  constructor(private readonly failures: Map<Op, Error>) {}
  async addToken(token: string): Promise<void> {
    const e = this.failures.get('addToken');
    if (e) throw e;
    this.tokens.add(token);
  }
  async removeToken(token: string): Promise<void> {
    const e = this.failures.get('removeToken');
    if (e) throw e;
    this.tokens.delete(token);
  }
}

class FakeGateway implements RoomGateway {
  /** Rooms "on Janus", by kind:room, with their current allowed list. */
  readonly rooms = new Map<string, RoomSpec>();
  readonly failures = new Map<Op, Error>();

  async createTextRoom(spec: RoomSpec): Promise<void> {
    this.create('text', spec, 'createText');
  }
  async createVideoRoom(spec: RoomSpec): Promise<void> {
    this.create('video', spec, 'createVideo');
  }
  async allow(kind: RoomKind, room: string, secret: string, tokens: string[]): Promise<void> {
    this.maybeFail('allow');
    const r = this.owned(kind, room, secret);
    r.allowed = [...new Set([...r.allowed, ...tokens])];
  }
  async destroy(kind: RoomKind, room: string, secret: string): Promise<void> {
    this.maybeFail('destroy');
    if (!this.rooms.has(`${kind}:${room}`)) return;
    this.owned(kind, room, secret);
    this.rooms.delete(`${kind}:${room}`);
  }
  async exists(kind: RoomKind, room: string): Promise<boolean> {
    return this.rooms.has(`${kind}:${room}`);
  }
  /** Who is in each TextRoom (a customer "joins" by a test putting its name here). */
  readonly inTextRoom = new Map<string, string[]>();
  async textParticipants(room: string): Promise<string[]> {
    this.maybeFail('list');
    if (!this.rooms.has(`text:${room}`)) throw new GatewayRequestError('No such room');
    return this.inTextRoom.get(room) ?? [];
  }
  get(kind: RoomKind, room: string | number): RoomSpec | undefined {
    return this.rooms.get(`${kind}:${room}`);
  }

  private create(kind: RoomKind, spec: RoomSpec, op: Op): void {
    this.maybeFail(op);
    if (this.rooms.has(`${kind}:${spec.room}`)) throw new GatewayRequestError('room already exists');
    this.rooms.set(`${kind}:${spec.room}`, { ...spec, allowed: [...spec.allowed] });
  }
  private owned(kind: RoomKind, room: string, secret: string): RoomSpec {
    const r = this.rooms.get(`${kind}:${room}`);
    if (!r) throw new GatewayRequestError('No such room');
    if (r.secret !== secret) throw new GatewayRequestError('Unauthorized (wrong secret)');
    return r;
  }
  private maybeFail(op: Op): void {
    const e = this.failures.get(op);
    if (e) throw e;
  }
}

const SITE_SECRET = 'site-secret-for-the-tests-0123456789';

/** One authority for every service here (making one is async). */
const authority = await loadAuthority();

async function setup(
  overrides: {
    maxOpen?: number;
    waitingTtlMs?: number;
    unjoinedTtlMs?: number;
    closedRetentionMs?: number;
    retentionMs?: number;
    maxLifetimeMs?: number;
    requireIdentity?: boolean;
    identitySecret?: string | null;
    caps?: Partial<OpenConversationCaps>;
  } = {},
) {
  const gateway = new FakeGateway();
  const tokens = new FakeTokens(gateway.failures);
  const db = await testDb();
  const store = new ConversationStore(db);
  const service = new ConversationService(store, gateway, {
    gateway: 'ws://janus.test:8188',
    authority,
    maxOpen: overrides.maxOpen ?? 100,
    caps: overrides.caps,
    waitingTtlMs: overrides.waitingTtlMs ?? 60_000,
    unjoinedTtlMs: overrides.unjoinedTtlMs,
    closedRetentionMs: overrides.closedRetentionMs ?? 10_000,
    retentionMs: overrides.retentionMs,
    maxLifetimeMs: overrides.maxLifetimeMs,
    tokens,
    identitySecret: overrides.identitySecret === null ? undefined : (overrides.identitySecret ?? SITE_SECRET),
    requireIdentity: overrides.requireIdentity,
    log: () => {},
  });
  return { gateway, tokens, store, service, db };
}

/** Conversations still in the record (purged ones are gone with their transcripts). */
async function rowCount(db: Db): Promise<number> {
  const [{ n }] = await db.query<{ n: number }>('select count(*)::int as n from conversation');
  return n;
}

async function rejectsWith(p: Promise<unknown>, status: number, code?: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof HttpError, `not an HttpError: ${String(e)}`);
    assert.equal(e.status, status);
    if (code) assert.equal(e.code, code);
    return true;
  });
}

describe('ConversationService', () => {
  test('create passes pin, secret and the customer token to both rooms; secrets stay out of the grant', async () => {
    const { gateway, service } = await setup();
    const grant = await service.create(await keyed({ display: 'Ann' }));
    const text = gateway.get('text', grant.descriptor.textRoom.room);
    const video = gateway.get('video', grant.descriptor.videoRoom.room);
    assert.ok(text && video);
    assert.equal(text.pin, grant.descriptor.textRoom.pin);
    assert.equal(video.pin, grant.descriptor.videoRoom.pin);
    assert.deepEqual(text.allowed, [grant.descriptor.token]);
    assert.deepEqual(video.allowed, [grant.descriptor.token]);
    assert.notEqual(text.secret, video.secret);
    const json = JSON.stringify(grant);
    assert.ok(!json.includes(text.secret) && !json.includes(video.secret));
  });

  test('a failed create leaves nothing behind', async () => {
    const { gateway, db, service } = await setup();
    gateway.failures.set('createVideo', new GatewayRequestError('boom'));
    await rejectsWith(service.create(await keyed({})), 502, 'gateway_error');
    assert.equal(gateway.rooms.size, 0);
    assert.equal((await rowCount(db)), 0);
    gateway.failures.set('createVideo', new GatewayUnavailableError('down'));
    await rejectsWith(service.create(await keyed({})), 503, 'gateway_unavailable');
  });

  test('a claim that Janus refuses is released, so the next agent can take it', async () => {
    const { gateway, service } = await setup();
    const grant = await service.create(await keyed({}));
    gateway.failures.set('allow', new GatewayUnavailableError('down'));
    await rejectsWith(service.claim(grant.descriptor.id, { id: 'a1', display: 'A' }, await newPublicKey()), 503);
    assert.equal((await service.queue())[0].state, 'waiting');
    gateway.failures.delete('allow');
    const { descriptor } = await service.claim(grant.descriptor.id, { id: 'a2', display: 'B' }, await newPublicKey());
    assert.equal(descriptor.self.id, 'a2');
    assert.ok(gateway.get('video', grant.descriptor.videoRoom.room)?.allowed.includes(descriptor.token ?? ''));
  });

  test('concurrent claims while Janus is still granting share one outcome', async () => {
    const { service } = await setup();
    const grant = await service.create(await keyed({}));
    const id = grant.descriptor.id;
    // The same agent's reload sends the same key again and gets the same certificate.
    const [a1Key, a2Key] = await Promise.all([newPublicKey(), newPublicKey()]);
    const results = await Promise.allSettled([
      service.claim(id, { id: 'a1', display: 'A' }, a1Key),
      service.claim(id, { id: 'a1', display: 'A' }, a1Key),
      service.claim(id, { id: 'a2', display: 'B' }, a2Key),
    ]);
    assert.equal(results[0].status, 'fulfilled');
    assert.equal(results[1].status, 'fulfilled');
    assert.equal(results[2].status, 'rejected');
    if (results[0].status === 'fulfilled' && results[1].status === 'fulfilled') {
      assert.deepEqual(results[0].value, results[1].value);
    }
  });

  test('capacity is enforced', async () => {
    const { service } = await setup({ maxOpen: 2 });
    await service.create(await keyed({}));
    await service.create(await keyed({}));
    await rejectsWith(service.create(await keyed({})), 503, 'capacity');
    // The widget shows the message to the visitor as it is: it must read as "all agents busy", not as a server fault.
    await assert.rejects(service.create(await keyed({})), { message: 'All our agents are busy right now. Please try again in a few minutes.', headers: { 'retry-after': '30' } });
  });

  test('reconcile recreates rooms Janus lost, with the same credentials and both tokens', async () => {
    const { gateway, service } = await setup();
    const grant = await service.create(await keyed({}));
    const { descriptor: agent } = await service.claim(grant.descriptor.id, { id: 'a1', display: 'A' }, await newPublicKey());
    const before = gateway.get('text', grant.descriptor.textRoom.room);
    gateway.rooms.clear(); // Janus restarted
    await service.reconcile();
    const text = gateway.get('text', grant.descriptor.textRoom.room);
    const video = gateway.get('video', grant.descriptor.videoRoom.room);
    assert.ok(text && video);
    assert.equal(text.secret, before?.secret);
    assert.equal(text.pin, grant.descriptor.textRoom.pin);
    assert.deepEqual(new Set(video.allowed), new Set([grant.descriptor.token, agent.token]));
  });

  test('a failed teardown is retried by reconcile; closed conversations are purged from the record after retention', async () => {
    const { gateway, db, service } = await setup({ closedRetentionMs: 1000, retentionMs: 1000 });
    const grant = await service.create(await keyed({}));
    gateway.failures.set('destroy', new GatewayUnavailableError('down'));
    const entry = await service.close(grant.descriptor.id, { resumeKey: grant.resumeKey });
    assert.equal(entry.state, 'closed');
    assert.equal(gateway.rooms.size, 2);
    gateway.failures.delete('destroy');
    await service.reconcile();
    assert.equal(gateway.rooms.size, 0);
    await service.sweep(Date.now() + 500);
    assert.equal((await rowCount(db)), 1, 'still within retention');
    await service.sweep(Date.now() + 2000);
    assert.equal((await rowCount(db)), 0);
  });

  test('unclaimed conversations expire and their rooms are destroyed', async () => {
    const { gateway, service } = await setup({ waitingTtlMs: 1000 });
    const waiting = await service.create(await keyed({}));
    const claimed = await service.create(await keyed({}));
    await service.claim(claimed.descriptor.id, { id: 'a1', display: 'A' }, await newPublicKey());
    await service.sweep(Date.now() + 5000);
    const states = Object.fromEntries((await service.queue()).map((q) => [q.id, q.state]));
    assert.equal(states[waiting.descriptor.id], 'closed');
    assert.equal(states[claimed.descriptor.id], 'claimed');
    assert.equal(gateway.get('text', waiting.descriptor.textRoom.room), undefined);
  });

  test('participant tokens: added on create and claim, removed on close; a failed removal is retried', async () => {
    const { gateway, tokens, service } = await setup();
    const grant = await service.create(await keyed({}));
    assert.deepEqual([...tokens.tokens], [grant.descriptor.token]);
    const { descriptor: agent } = await service.claim(grant.descriptor.id, { id: 'a1', display: 'A' }, await newPublicKey());
    assert.ok(tokens.tokens.has(agent.token!));
    gateway.failures.set('removeToken', new GatewayUnavailableError('down'));
    await service.close(grant.descriptor.id, { agent: { id: 'a1', display: 'A' } });
    assert.equal(gateway.rooms.size, 0, 'rooms go even when token removal fails');
    assert.equal(tokens.tokens.size, 2);
    gateway.failures.delete('removeToken');
    await service.sweep(Date.now() + 20_000);
    assert.equal(tokens.tokens.size, 0);
  });

  test('a token Janus refuses fails the create and leaves no room behind', async () => {
    const { gateway, tokens, db, service } = await setup();
    gateway.failures.set('addToken', new GatewayRequestError('admin: 403 Unauthorized'));
    await rejectsWith(service.create(await keyed({})), 502, 'gateway_error');
    assert.equal(gateway.rooms.size, 0);
    assert.equal(tokens.tokens.size, 0);
    assert.equal((await rowCount(db)), 0);
  });

  test('reconcile puts back the tokens a restarted Janus forgot', async () => {
    const { tokens, service } = await setup();
    const grant = await service.create(await keyed({}));
    const { descriptor: agent } = await service.claim(grant.descriptor.id, { id: 'a1', display: 'A' }, await newPublicKey());
    tokens.tokens.clear();
    await service.reconcile();
    assert.deepEqual(new Set(tokens.tokens), new Set([grant.descriptor.token, agent.token]));
  });

  test('every conversation ends at its maximum lifetime, claimed or not, and its tokens with it', async () => {
    const { gateway, tokens, service } = await setup({ maxLifetimeMs: 1000 });
    const grant = await service.create(await keyed({}));
    await service.claim(grant.descriptor.id, { id: 'a1', display: 'A' }, await newPublicKey());
    await service.sweep(Date.now() + 500);
    assert.equal((await service.queue())[0].state, 'claimed');
    await service.sweep(Date.now() + 1500);
    assert.equal((await service.queue())[0].state, 'closed');
    assert.equal(tokens.tokens.size, 0);
    assert.equal(gateway.rooms.size, 0);
  });

  test('close: the customer by resume key, the agent only if it claimed', async () => {
    const { service } = await setup();
    const grant = await service.create(await keyed({}));
    await rejectsWith(service.close(grant.descriptor.id, { agent: { id: 'a1', display: 'A' } }), 403, 'forbidden');
    await service.claim(grant.descriptor.id, { id: 'a1', display: 'A' }, await newPublicKey());
    await rejectsWith(service.close(grant.descriptor.id, { agent: { id: 'a2', display: 'B' } }), 403, 'forbidden');
    await rejectsWith(service.close(grant.descriptor.id, { resumeKey: 'wrong' }), 403, 'forbidden');
    assert.equal((await service.close(grant.descriptor.id, { resumeKey: grant.resumeKey })).state, 'closed');
  });

  test('a valid signed identity names the customer and marks it verified everywhere', async () => {
    const { service } = await setup();
    const identity = signVisitorIdentity({ userId: 'u-42', name: 'Dana Scully', exp: Math.floor(Date.now() / 1000) + 300 }, SITE_SECRET);
    const grant = await service.create(await keyed({ display: 'typed by the visitor', identity }));
    assert.deepEqual(grant.descriptor.self.verified, { userId: 'u-42' });
    assert.equal(grant.descriptor.self.display, 'Dana Scully');
    assert.deepEqual((await service.queue())[0].verified, { userId: 'u-42' });
    const { descriptor } = await service.claim(grant.descriptor.id, { id: 'a1', display: 'A' }, await newPublicKey());
    assert.deepEqual(descriptor.peer, { role: 'customer', id: grant.descriptor.self.id, display: 'Dana Scully', verified: { userId: 'u-42' } });
    // Without a name the visitor's own display stays, still verified.
    const g2 = await service.create(await keyed({ display: 'Fox', identity: signVisitorIdentity({ userId: 'u-7', exp: Math.floor(Date.now() / 1000) + 300 }, SITE_SECRET) }));
    assert.equal(g2.descriptor.self.display, 'Fox');
    assert.deepEqual(g2.descriptor.self.verified, { userId: 'u-7' });
  });

  test('identity: tampered, expired, malformed, foreign or missing-when-required are refused with a clear code', async () => {
    const { service } = await setup();
    const exp = Math.floor(Date.now() / 1000) + 300;
    const good = signVisitorIdentity({ userId: 'u-1', name: 'Eve', exp }, SITE_SECRET);
    const [body, sig] = good.split('.');
    const forged = Buffer.from(JSON.stringify({ userId: 'admin', name: 'Eve', exp })).toString('base64url');
    await rejectsWith(service.create(await keyed({ identity: `${forged}.${sig}` })), 401, 'identity_invalid');
    const flipped = sig.slice(0, 10) + (sig[10] === 'A' ? 'B' : 'A') + sig.slice(11);
    await rejectsWith(service.create(await keyed({ identity: `${body}.${flipped}` })), 401, 'identity_invalid');
    await rejectsWith(service.create(await keyed({ identity: signVisitorIdentity({ userId: 'u-1', exp }, 'another-site-secret') })), 401, 'identity_invalid');
    const expired = signVisitorIdentity({ userId: 'u-1', exp: Math.floor(Date.now() / 1000) - 120 }, SITE_SECRET);
    await rejectsWith(service.create(await keyed({ identity: expired })), 401, 'identity_expired');
    for (const bad of ['', 'x', 'a.b.c', `${body}.`, `${body}.${sig}=`, `${body}!.${sig}`, 'e30.' + 'A'.repeat(43)]) {
      await rejectsWith(service.create(await keyed({ identity: bad })), bad === 'e30.' + 'A'.repeat(43) ? 401 : 400);
    }
    // Well signed but not an identity.
    const { signToken } = await import('../../server/signed-token.js');
    await rejectsWith(service.create(await keyed({ identity: signToken({ userId: 42, exp }, SITE_SECRET) })), 400, 'identity_malformed');
    await rejectsWith(service.create(await keyed({ identity: signToken({ userId: 'u' }, SITE_SECRET) })), 400, 'identity_malformed');
    await rejectsWith(service.create(await keyed({ identity: signToken({ userId: 'u', name: '', exp }, SITE_SECRET) })), 400, 'identity_malformed');
    const strict = await setup({ requireIdentity: true });
    await rejectsWith(strict.service.create(await keyed({ display: 'Anon' })), 401, 'identity_required');
    assert.ok((await strict.service.create(await keyed({ identity: good }))).descriptor.self.verified);
    const noSecret = await setup({ identitySecret: null });
    await rejectsWith(noSecret.service.create(await keyed({ identity: good })), 400, 'identity_not_supported');
    assert.equal((await service.queue()).length, 0, 'nothing was created by a refused identity');
  });

  test('link: only the claiming agent, shown in the queue, the claim and (name only) the customer grant', async () => {
    const { store, service } = await setup();
    const grant = await service.create(await keyed({}));
    const id = grant.descriptor.id;
    await rejectsWith(service.link(id, { id: 'a1', display: 'A' }, { customerId: 'cus-1', name: 'Casey' }), 403);
    await service.claim(id, { id: 'a1', display: 'A' }, await newPublicKey());
    await rejectsWith(service.link(id, { id: 'a2', display: 'B' }, { customerId: 'cus-1', name: 'Casey' }), 403);
    let changes = 0;
    store.onChange(() => changes++);
    const link = await service.link(id, { id: 'a1', display: 'A' }, { customerId: 'cus-1', name: 'Casey' });
    assert.equal(changes, 1, 'the queue stream hears about it');
    assert.deepEqual({ ...link, linkedAt: 0 }, { customerId: 'cus-1', name: 'Casey', linkedAt: 0, linkedBy: { id: 'a1', display: 'A' } });
    assert.deepEqual((await service.queue())[0].link, link);
    assert.deepEqual((await service.claim(id, { id: 'a1', display: 'A' }, await newPublicKey())).link, link);
    assert.deepEqual((await service.resume(id, grant.resumeKey)).link, { name: 'Casey', linkedAt: link.linkedAt });
    await service.close(id, { resumeKey: grant.resumeKey });
    await rejectsWith(service.link(id, { id: 'a1', display: 'A' }, { customerId: 'cus-2', name: 'X' }), 410);
  });
});

describe('certificates (issue 9)', () => {
  test("create certifies the customer's key and claim the agent's, until the conversation's maximum lifetime; both sides get both", async () => {
    const { service } = await setup({ maxLifetimeMs: 3_600_000 });
    const grant = await service.create(await keyed({}));
    const id = grant.descriptor.id;
    const authorityKey = await importPublicKey(grant.descriptor.auth.authority);
    assert.equal(grant.descriptor.auth.certs.length, 1);
    const customerCert = await verifyCertificate(grant.descriptor.auth.certs[0], authorityKey, id);
    assert.ok(customerCert.ok);
    assert.equal(customerCert.cert.role, 'customer');
    assert.equal(customerCert.cert.sub, grant.descriptor.self.id);
    const createdAt = (await service.queue())[0].createdAt;
    assert.equal(customerCert.cert.exp, Math.floor((createdAt + 3_600_000) / 1000));
    // Another conversation's certificate is not valid here.
    const other = await service.create(await keyed({}));
    assert.equal((await verifyCertificate(other.descriptor.auth.certs[0], authorityKey, id)).ok, false);

    const agentKey = await newPublicKey();
    const { descriptor: agent } = await service.claim(id, { id: 'a1', display: 'A' }, agentKey);
    assert.deepEqual(agent.auth.authority, grant.descriptor.auth.authority);
    assert.equal(agent.auth.certs.length, 2);
    assert.equal(agent.auth.certs[0], grant.descriptor.auth.certs[0], "the agent's descriptor carries the customer's certificate");
    const agentCert = await verifyCertificate(agent.auth.certs[1], authorityKey, id);
    assert.ok(agentCert.ok);
    assert.deepEqual([agentCert.cert.role, agentCert.cert.sub], ['agent', 'a1']);
    assert.deepEqual((await service.resume(id, grant.resumeKey)).descriptor.auth.certs, agent.auth.certs, "the customer's resumed descriptor carries the agent's");
    // The same agent with the same key (a reload): the same certificate, no new one.
    assert.deepEqual((await service.claim(id, { id: 'a1', display: 'A' }, agentKey)).descriptor.auth.certs, agent.auth.certs);
  });

  test('registerKey: the customer by resume key, the claiming agent only; the same key twice is one certificate; at most 8 per participant', async () => {
    const { service } = await setup();
    const grant = await service.create(await keyed({}));
    const id = grant.descriptor.id;
    await rejectsWith(service.registerKey(id, { resumeKey: 'wrong' }, await newPublicKey()), 403, 'forbidden');
    await rejectsWith(service.registerKey(id, { agent: { id: 'a1', display: 'A' } }, await newPublicKey()), 403, 'forbidden');
    const k2 = await newPublicKey();
    const r = await service.registerKey(id, { resumeKey: grant.resumeKey }, k2);
    assert.deepEqual(r.auth.certs, [grant.descriptor.auth.certs[0], r.cert]);
    assert.equal((await service.registerKey(id, { resumeKey: grant.resumeKey }, k2)).cert, r.cert);
    const { descriptor: agent } = await service.claim(id, { id: 'a1', display: 'A' }, await newPublicKey());
    assert.ok(agent.auth.certs.includes(r.cert), "the customer's new key reaches the agent's next descriptor");
    await rejectsWith(service.registerKey(id, { agent: { id: 'a2', display: 'B' } }, await newPublicKey()), 403, 'forbidden');
    // A key that speaks for the customer cannot also speak for the agent.
    await rejectsWith(service.registerKey(id, { agent: { id: 'a1', display: 'A' } }, k2), 409, 'key_in_use');
    for (let i = 2; i < 8; i++) await service.registerKey(id, { resumeKey: grant.resumeKey }, await newPublicKey());
    await rejectsWith(service.registerKey(id, { resumeKey: grant.resumeKey }, await newPublicKey()), 429, 'too_many_keys');
    // The agent's own allowance is separate.
    await service.registerKey(id, { agent: { id: 'a1', display: 'A' } }, await newPublicKey());
    await service.close(id, { resumeKey: grant.resumeKey });
    await rejectsWith(service.registerKey(id, { resumeKey: grant.resumeKey }, await newPublicKey()), 410, 'conversation_closed');
  });

  test("a claim with the customer's key is refused before it takes the conversation", async () => {
    const { service } = await setup();
    const customerKey = await newPublicKey();
    const grant = await service.create({ publicKey: customerKey });
    await rejectsWith(service.claim(grant.descriptor.id, { id: 'a1', display: 'A' }, customerKey), 409, 'key_in_use');
    assert.equal((await service.queue())[0].state, 'waiting');
  });
});

describe('open conversations per client (issue 9, finding 6)', () => {
  test('per address, per /24 and per signed-in user; another address is unaffected', async () => {
    const { service } = await setup({ caps: { perClient: 2, perNetwork: 3, perUser: 1 } });
    await service.create(await keyed({}), '10.0.0.1');
    await service.create(await keyed({}), '10.0.0.1');
    await rejectsWith(service.create(await keyed({}), '10.0.0.1'), 429, 'too_many_open_conversations');
    await service.create(await keyed({}), '10.0.0.2');
    await rejectsWith(service.create(await keyed({}), '10.0.0.3'), 429, 'too_many_open_conversations');
    await service.create(await keyed({}), '10.0.1.1');
    const identity = () => signVisitorIdentity({ userId: 'u-9', exp: Math.floor(Date.now() / 1000) + 300 }, SITE_SECRET);
    await service.create(await keyed({ identity: identity() }), '10.0.2.1');
    await rejectsWith(service.create(await keyed({ identity: identity() }), '10.0.3.1'), 429, 'too_many_open_conversations');
  });

  test('closing one frees its place', async () => {
    const { service } = await setup({ caps: { perClient: 1 } });
    const g = await service.create(await keyed({}), '10.0.0.1');
    await rejectsWith(service.create(await keyed({}), '10.0.0.1'), 429);
    await service.close(g.descriptor.id, { resumeKey: g.resumeKey });
    await service.create(await keyed({}), '10.0.0.1');
  });

  test('concurrent creates cannot slip under a cap while Janus is still creating rooms', async () => {
    const { service } = await setup({ caps: { perClient: 3 } });
    const bodies = await Promise.all(Array.from({ length: 10 }, () => keyed({})));
    const results = await Promise.allSettled(bodies.map((b) => service.create(b, '10.0.0.7')));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 3);
  });

  test('IPv6 clients count by /64 and their networks by /48', async () => {
    const { service } = await setup({ caps: { perClient: 1, perNetwork: 2 } });
    await service.create(await keyed({}), '2001:db8:1:1::/64');
    await rejectsWith(service.create(await keyed({}), '2001:db8:1:1::/64'), 429);
    await service.create(await keyed({}), '2001:db8:1:2::/64');
    await rejectsWith(service.create(await keyed({}), '2001:db8:1:3::/64'), 429);
    await service.create(await keyed({}), '2001:db8:2:1::/64');
  });
});

describe('conversations whose customer never joined (issue 9, finding 6)', () => {
  test('closed after the unjoined TTL; one seen in its TextRoom stays (and is remembered); unknown is not closed', async () => {
    const { gateway, service } = await setup({ unjoinedTtlMs: 1000, waitingTtlMs: 60_000 });
    const never = await service.create(await keyed({}));
    const joined = await service.create(await keyed({}));
    const unknowable = await service.create(await keyed({}));
    gateway.inTextRoom.set(String(joined.descriptor.textRoom.room), ['c-someone']);
    const t0 = Date.now();
    await service.sweep(t0 + 600); // half way: Janus is asked, the joined one is remembered
    gateway.inTextRoom.clear(); // and it may leave for a moment (navigation) without losing its place
    gateway.failures.set('list', new GatewayUnavailableError('down'));
    const state = async () => Object.fromEntries((await service.queue()).map((q) => [q.id, q.state]));
    // Janus cannot tell: nothing is closed on a guess.
    await service.sweep(t0 + 1500);
    assert.deepEqual(Object.values(await state()), ['waiting', 'waiting', 'waiting']);
    gateway.failures.delete('list');
    await service.sweep(t0 + 1500);
    assert.equal((await state())[never.descriptor.id], 'closed');
    assert.equal((await state())[unknowable.descriptor.id], 'closed');
    assert.equal((await state())[joined.descriptor.id], 'waiting');
    assert.equal(gateway.get('text', never.descriptor.textRoom.room), undefined, 'its rooms are destroyed');
    // The joined one still ends at the (longer) waiting TTL if nobody claims it.
    await service.sweep(t0 + 61_000);
    assert.equal((await state())[joined.descriptor.id], 'closed');
  });

  test('a claimed conversation is not closed for want of a customer join', async () => {
    const { service } = await setup({ unjoinedTtlMs: 1000 });
    const g = await service.create(await keyed({}));
    await service.claim(g.descriptor.id, { id: 'a1', display: 'A' }, await newPublicKey());
    await service.sweep(Date.now() + 5000);
    assert.equal((await service.queue())[0].state, 'claimed');
  });
});
