// Conversation lifecycle paths that a healthy Janus never takes (failures,
// restarts, expiry), driven through a fake room gateway.
//   node --import tsx --test test/server/conversations.test.ts
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConversationService } from '../../server/conversations.js';
import { HttpError } from '../../server/http-util.js';
import { GatewayRequestError, GatewayUnavailableError, type RoomGateway, type RoomKind, type RoomSpec } from '../../server/janus-rooms.js';
import { ConversationStore } from '../../server/store.js';

type Op = 'createText' | 'createVideo' | 'allow' | 'destroy';

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

function setup(overrides: { maxOpen?: number; waitingTtlMs?: number; closedRetentionMs?: number } = {}) {
  const gateway = new FakeGateway();
  const store = new ConversationStore();
  const service = new ConversationService(store, gateway, {
    gateway: 'ws://janus.test:8188',
    maxOpen: overrides.maxOpen ?? 100,
    waitingTtlMs: overrides.waitingTtlMs ?? 60_000,
    closedRetentionMs: overrides.closedRetentionMs ?? 10_000,
    log: () => {},
  });
  return { gateway, store, service };
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
    const { gateway, service } = setup();
    const grant = await service.create({ display: 'Ann' });
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
    const { gateway, store, service } = setup();
    gateway.failures.set('createVideo', new GatewayRequestError('boom'));
    await rejectsWith(service.create({}), 502, 'gateway_error');
    assert.equal(gateway.rooms.size, 0);
    assert.equal(store.all().length, 0);
    gateway.failures.set('createVideo', new GatewayUnavailableError('down'));
    await rejectsWith(service.create({}), 503, 'gateway_unavailable');
  });

  test('a claim that Janus refuses is released, so the next agent can take it', async () => {
    const { gateway, service } = setup();
    const grant = await service.create({});
    gateway.failures.set('allow', new GatewayUnavailableError('down'));
    await rejectsWith(service.claim(grant.descriptor.id, { agentId: 'a1', display: 'A' }), 503);
    assert.equal(service.queue()[0].state, 'waiting');
    gateway.failures.delete('allow');
    const { descriptor } = await service.claim(grant.descriptor.id, { agentId: 'a2', display: 'B' });
    assert.equal(descriptor.self.id, 'a2');
    assert.ok(gateway.get('video', grant.descriptor.videoRoom.room)?.allowed.includes(descriptor.token ?? ''));
  });

  test('concurrent claims while Janus is still granting share one outcome', async () => {
    const { service } = setup();
    const grant = await service.create({});
    const id = grant.descriptor.id;
    const results = await Promise.allSettled([
      service.claim(id, { agentId: 'a1', display: 'A' }),
      service.claim(id, { agentId: 'a1', display: 'A' }),
      service.claim(id, { agentId: 'a2', display: 'B' }),
    ]);
    assert.equal(results[0].status, 'fulfilled');
    assert.equal(results[1].status, 'fulfilled');
    assert.equal(results[2].status, 'rejected');
    if (results[0].status === 'fulfilled' && results[1].status === 'fulfilled') {
      assert.deepEqual(results[0].value, results[1].value);
    }
  });

  test('capacity is enforced', async () => {
    const { service } = setup({ maxOpen: 2 });
    await service.create({});
    await service.create({});
    await rejectsWith(service.create({}), 503, 'capacity');
  });

  test('reconcile recreates rooms Janus lost, with the same credentials and both tokens', async () => {
    const { gateway, service } = setup();
    const grant = await service.create({});
    const { descriptor: agent } = await service.claim(grant.descriptor.id, { agentId: 'a1', display: 'A' });
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

  test('a failed teardown is retried by reconcile; closed conversations are forgotten after retention', async () => {
    const { gateway, store, service } = setup({ closedRetentionMs: 1000 });
    const grant = await service.create({});
    gateway.failures.set('destroy', new GatewayUnavailableError('down'));
    const entry = await service.close(grant.descriptor.id, { bearer: grant.resumeKey });
    assert.equal(entry.state, 'closed');
    assert.equal(gateway.rooms.size, 2);
    gateway.failures.delete('destroy');
    await service.reconcile();
    assert.equal(gateway.rooms.size, 0);
    await service.sweep(Date.now() + 500);
    assert.equal(store.all().length, 1, 'still within retention');
    await service.sweep(Date.now() + 2000);
    assert.equal(store.all().length, 0);
  });

  test('unclaimed conversations expire and their rooms are destroyed', async () => {
    const { gateway, service } = setup({ waitingTtlMs: 1000 });
    const waiting = await service.create({});
    const claimed = await service.create({});
    await service.claim(claimed.descriptor.id, { agentId: 'a1', display: 'A' });
    await service.sweep(Date.now() + 5000);
    const states = Object.fromEntries(service.queue().map((q) => [q.id, q.state]));
    assert.equal(states[waiting.descriptor.id], 'closed');
    assert.equal(states[claimed.descriptor.id], 'claimed');
    assert.equal(gateway.get('text', waiting.descriptor.textRoom.room), undefined);
  });
});
