// The broker's record (server/db.ts, migrate.ts, store.ts, broker-secrets.ts,
// the revocation list): one suite, run unchanged on both backends — the
// embedded PostgreSQL (PGlite) npm start uses, and a real PostgreSQL 15
// server the tests start themselves (test/server/test-db.ts). Assertions are
// on rows and on what a fresh connection reads back.
//   node --import tsx --test test/server/store.test.ts
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Participant } from '../../src/protocol/index.js';
import { databaseRevocations } from '../../server/agent-auth.js';
import { brokerSecret } from '../../server/broker-secrets.js';
import { openDb, type Db, type DatabaseOptions } from '../../server/db.js';
import { loadMigrations, migrate, SchemaTooNewError } from '../../server/migrate.js';
import { ConversationStore, type CapacityLimits, type NewConversation } from '../../server/store.js';
import { testDatabaseUrl } from './test-db.js';

interface Backend {
  name: string;
  /** A new, empty database, and how to open it again (a restart). */
  fresh(): Promise<{ options: DatabaseOptions; cleanup(): void }>;
}

const folders: string[] = [];
after(() => {
  for (const f of folders) rmSync(f, { recursive: true, force: true });
});

const BACKENDS: Backend[] = [
  {
    name: 'embedded PostgreSQL (PGlite)',
    async fresh() {
      const dir = mkdtempSync(join(tmpdir(), 'vc-store-'));
      folders.push(dir);
      return { options: { dataDir: dir }, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'PostgreSQL server',
    async fresh() {
      return { options: { url: await testDatabaseUrl() }, cleanup: () => {} };
    },
  },
];

const CAPS: CapacityLimits = { perClient: 2, perNetwork: 3, perUser: 1, maxOpen: 5 };
let n = 0;

function conversation(client: Partial<NewConversation['client']> = {}): NewConversation {
  const id = `conv-${++n}-${Math.random().toString(36).slice(2, 8)}`;
  return {
    id,
    createdAt: Date.now() + n,
    customer: { role: 'customer', id: `c-${n}`, display: `Visitor ${n}` },
    customerToken: `token-${n}`,
    resumeKey: `resume-${n}`,
    textRoom: { room: `${id}-t`, secret: 's', pin: 'p' },
    videoRoom: { room: `${id}-v`, secret: 's', pin: 'p' },
    client: { key: client.key ?? '10.0.0.1', network: client.network ?? '10.0.0.0/24', ...(client.userId ? { userId: client.userId } : {}) },
    gateway: 'ws://janus.test:8188',
  };
}

async function ready(store: ConversationStore, c: NewConversation): Promise<void> {
  const v = await store.reserve(c, [{ role: 'customer', sub: c.customer.id, kid: `k${c.id}`.slice(0, 22).padEnd(22, 'x'), cert: `cert-of-${c.id}` }], CAPS);
  assert.deepEqual(v, { ok: true, gateway: 'ws://janus.test:8188' });
  await store.markReady(c.id);
}

const agent = (id: string): Participant => ({ role: 'agent', id, display: id.toUpperCase() });

for (const backend of BACKENDS) {
  describe(`the record on ${backend.name}`, () => {
    const open: Db[] = [];
    after(async () => {
      for (const db of open) await db.close().catch(() => {});
    });
    async function fresh(): Promise<{ db: Db; options: DatabaseOptions }> {
      const { options } = await backend.fresh();
      const db = await openDb(options);
      open.push(db);
      await migrate(db);
      return { db, options };
    }

    test('migrations: applied once, recorded, and a newer schema is refused with a clear message', async () => {
      const { db } = await fresh();
      const latest = loadMigrations().length;
      assert.deepEqual(await migrate(db), { from: latest, to: latest }, 'nothing left to apply');
      const rows = await db.query<{ version: number }>('select version from schema_migration order by version');
      assert.deepEqual(rows.map((r) => r.version), loadMigrations().map((m) => m.version));
      await db.query('insert into schema_migration (version, name, applied_at) values ($1, $2, $3)', [latest + 1, 'from_the_future', Date.now()]);
      await assert.rejects(migrate(db), (e: unknown) => {
        assert.ok(e instanceof SchemaTooNewError);
        assert.equal(e.message, `the database schema is version ${latest + 1}, newer than this broker knows (${latest}): a newer broker has used it; run that version, or restore a backup`);
        return true;
      });
    });

    test('what was written is there after the database is closed and opened again (a restart)', async () => {
      const { db, options } = await fresh();
      const store = new ConversationStore(db);
      const c = conversation();
      await ready(store, c);
      await store.claim(c.id, agent('ann'), 'agent-token');
      await store.setLink(c.id, { customerId: 'crm-1', name: 'Casey', linkedAt: 1, linkedBy: { id: 'ann', display: 'ANN' } });
      const secret = await brokerSecret(db, 'agent_token_secret', () => 'first');
      await databaseRevocations(db).revoke('jti:abc', Date.now() + 60_000);
      await db.close();
      open.splice(open.indexOf(db), 1);

      const again = await openDb(options);
      open.push(again);
      assert.deepEqual(await migrate(again), { from: loadMigrations().length, to: loadMigrations().length });
      const back = await new ConversationStore(again).get(c.id);
      assert.equal(back?.state, 'claimed');
      assert.equal(back?.claim?.agent.id, 'ann');
      assert.equal(back?.claim?.token, 'agent-token');
      assert.equal(back?.link?.customerId, 'crm-1');
      assert.deepEqual(back?.certs.map((x) => x.cert), [`cert-of-${c.id}`]);
      assert.equal(await brokerSecret(again, 'agent_token_secret', () => 'second'), secret, 'the broker finds its secret again');
      assert.equal(await databaseRevocations(again).isRevoked('jti:abc', Date.now()), true, 'a logout outlives the restart');
    });

    test('claims: among 50 concurrent claims exactly one wins; the same agent gets its claim back; closed stays closed', async () => {
      const { db } = await fresh();
      const store = new ConversationStore(db);
      const c = conversation();
      await ready(store, c);
      const decisions = await Promise.all(Array.from({ length: 50 }, (_, i) => store.claim(c.id, agent(`a${i}`), `t${i}`)));
      const winners = decisions.filter((d) => d?.kind === 'new');
      assert.equal(winners.length, 1);
      assert.equal(decisions.filter((d) => d?.kind === 'taken').length, 49);
      const winner = winners[0]!.kind === 'new' ? winners[0]!.claim.agent.id : '';
      const again = await store.claim(c.id, agent(winner), 'other');
      assert.equal(again?.kind, 'same');
      assert.equal(await store.markClosed(c.id), true);
      assert.equal(await store.markClosed(c.id), false, 'closing twice: only one closer tears down');
      assert.equal((await store.claim(c.id, agent('late'), 'x'))?.kind, 'closed');
    });

    test('caps: per client, per network, per user and overall, counted and taken in one step even when asked at once', async () => {
      const { db } = await fresh();
      const store = new ConversationStore(db);
      const results = await Promise.all(Array.from({ length: 6 }, () => store.reserve(conversation({ key: '10.0.0.7', network: '10.0.0.0/24' }), [], CAPS)));
      assert.equal(results.filter((r) => r.ok).length, 2, 'two per client');
      assert.deepEqual(await store.reserve(conversation({ key: '10.0.0.8', network: '10.0.0.0/24' }), [], CAPS), { ok: true, gateway: 'ws://janus.test:8188' });
      assert.deepEqual(await store.reserve(conversation({ key: '10.0.0.9', network: '10.0.0.0/24' }), [], CAPS), { ok: false, over: 'network' });
      assert.deepEqual(await store.reserve(conversation({ key: '10.9.0.1', network: '10.9.0.0/24', userId: 'u1' }), [], CAPS), { ok: true, gateway: 'ws://janus.test:8188' });
      assert.deepEqual(await store.reserve(conversation({ key: '10.8.0.1', network: '10.8.0.0/24', userId: 'u1' }), [], CAPS), { ok: false, over: 'user' });
      assert.deepEqual(await store.reserve(conversation({ key: '10.7.0.1', network: '10.7.0.0/24' }), [], CAPS), { ok: true, gateway: 'ws://janus.test:8188' });
      assert.deepEqual(await store.reserve(conversation({ key: '10.6.0.1', network: '10.6.0.0/24' }), [], CAPS), { ok: false, over: 'all' });
      const [{ rows }] = await db.query<{ rows: number }>('select count(*)::int as rows from conversation');
      assert.equal(rows, 5);
    });

    test('a reserved conversation is invisible and unclaimable until ready; unreserve gives its place back', async () => {
      const { db } = await fresh();
      const store = new ConversationStore(db);
      const c = conversation();
      assert.deepEqual(await store.reserve(c, [], CAPS), { ok: true, gateway: 'ws://janus.test:8188' });
      assert.equal(await store.get(c.id), undefined);
      assert.deepEqual(await store.queue(0), []);
      assert.equal(await store.claim(c.id, agent('ann'), 't'), undefined);
      await store.unreserve(c.id);
      assert.equal(await store.openCount(), 0);
      const d = conversation();
      await ready(store, d);
      assert.equal((await store.queue(0)).length, 1);
    });

    test('certificates: kept in issue order; the same key id is recorded once', async () => {
      const { db } = await fresh();
      const store = new ConversationStore(db);
      const c = conversation();
      await ready(store, c);
      const first = await store.addCertificate(c.id, { role: 'agent', sub: 'ann', kid: 'A'.repeat(22), cert: 'agent-cert-1' });
      const raced = await store.addCertificate(c.id, { role: 'customer', sub: 'c-x', kid: 'A'.repeat(22), cert: 'someone-else' });
      assert.deepEqual(raced, first, 'the first one stays');
      await store.addCertificate(c.id, { role: 'agent', sub: 'ann', kid: 'B'.repeat(22), cert: 'agent-cert-2' });
      assert.deepEqual((await store.get(c.id))?.certs.map((x) => x.cert), [`cert-of-${c.id}`, 'agent-cert-1', 'agent-cert-2']);
    });

    test('retention: a closed, torn-down conversation is purged with its transcript', async () => {
      const { db } = await fresh();
      const store = new ConversationStore(db);
      const c = conversation();
      await ready(store, c);
      await db.query(
        `insert into transcript (conversation_id, message_id, type, sender_role, sender_id, ts, received_at, body, wire)
         values ($1, 'm1', 'chat.message', 'customer', 'c-1', 1, 1, '{}', '{}')`,
        [c.id],
      );
      await store.markClosed(c.id, 1000);
      assert.deepEqual(await store.closedBefore(5000), [], 'not before its rooms and tokens are gone');
      await store.setTornDown(c.id, { roomsDestroyed: true, tokensRevoked: true });
      assert.deepEqual(await store.closedBefore(500), [], 'still within retention');
      assert.deepEqual(await store.closedBefore(5000), [c.id]);
      await store.remove(c.id);
      const [{ t }] = await db.query<{ t: number }>('select count(*)::int as t from transcript where conversation_id = $1', [c.id]);
      assert.equal(t, 0, 'its transcript went with it');
    });

    test('broker secrets: made once, the same for every caller, even at once', async () => {
      const { db } = await fresh();
      let made = 0;
      const values = await Promise.all(Array.from({ length: 10 }, () => brokerSecret(db, 'authority_key', () => `v${++made}`)));
      assert.equal(new Set(values).size, 1);
    });

    test('revocations: refused until the token would have expired, then forgotten', async () => {
      const { db } = await fresh();
      const list = databaseRevocations(db);
      const now = Date.now();
      await list.revoke('jti:one', now + 1000);
      assert.equal(await list.isRevoked('jti:one', now), true);
      assert.equal(await list.isRevoked('jti:one', now + 1500), false);
      assert.equal(await list.isRevoked('jti:other', now), false);
    });
  });
}
