// Issue 9 on a real Janus with a real WebRTC peer (Chromium): a participant cannot
// make Janus record (finding 5), the local Janus offers loopback only, and a customer
// who joined its chat room keeps its conversation while an unjoined one expires.
//   node --import tsx --test test/server/janus-lockdown.test.ts
import { startJanus, type RunningJanus } from '../../scripts/janus.mjs';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as v from '../../src/protocol/schema.js';
import { ConversationGrant } from '../../src/protocol/index.js';
import { startBroker, type Broker, type BrokerOptions } from '../../server/broker.js';
import { JanusAdmin } from '../../server/janus-admin.js';
import { JanusBrowser, type PublishRequest } from './janus-browser.js';
import { RawSession } from './janus-raw.js';
import { keyed } from './keys.js';
import { brokerOptions } from './broker-options.js';

const VIDEOROOM = 'janus.plugin.videoroom';
const TEXTROOM = 'janus.plugin.textroom';

let janus: RunningJanus;
let broker: Broker;
let admin: JanusAdmin;
let browser: JanusBrowser;
const run = randomBytes(6).toString('hex');
/** Every recording path the test asks for starts with this. */
const prefix = join(tmpdir(), `vc-rec-${run}`);

function options(extra: Partial<BrokerOptions> = {}): Promise<BrokerOptions> {
  return brokerOptions(janus, extra);
}

async function create(base = broker.url): Promise<ConversationGrant> {
  const res = await fetch(`${base}/api/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(await keyed({})) });
  assert.equal(res.status, 201);
  return v.parse(ConversationGrant, await res.json());
}

/** Files and folders in the temp folder that this run's recording paths would have made. */
function recordings(): string[] {
  const base = `vc-rec-${run}`;
  return readdirSync(tmpdir()).filter((f) => f.startsWith(base));
}

before(async () => {
  janus = await startJanus({ reclaimTimeoutS: 1 });
  broker = await startBroker(await options());
  admin = new JanusAdmin({ url: janus.adminUrl, secret: janus.adminSecret, log: () => {} });
  browser = await JanusBrowser.launch();
});

after(async () => {
  await browser?.close();
  await broker?.close();
  await admin?.close();
  await janus?.stop();
  for (const f of recordings()) rmSync(join(tmpdir(), f), { recursive: true, force: true });
});

describe('a participant cannot make Janus record (finding 5)', () => {
  test("record:true with a filename of the participant's choosing, by joinandconfigure, configure or publish: nothing is written", async () => {
    // Controls, so that "no file" means something: rooms the test makes itself, without
    // the broker's locks. Plain configure records where told (the old broker's rooms),
    // and so does joinandconfigure even with lock_record (Janus 1.1 does not check it there).
    const controlToken = `control-${run}`;
    await admin.addToken(controlToken);
    const s = await RawSession.create(janus.url, controlToken);
    try {
      const h = await s.attach(VIDEOROOM);
      const controls: Array<[string, Record<string, unknown>, PublishRequest['via']]> = [
        ['old-rooms', {}, 'configure'],
        ['lock-record-only', { lock_record: true }, 'joinandconfigure'],
      ];
      const controlRooms = await Promise.all(
        controls.map(async ([name, extra]) => {
          const room = `control-${name}-${run}`;
          await s.message(h, { request: 'create', room, admin_key: janus.adminKey, pin: 'control-pin', secret: 'control-secret', allowed: [controlToken], is_private: true, publishers: 2, ...extra });
          return room;
        }),
      );

      const attempts: Array<[PublishRequest['via'], string]> = [
        ['joinandconfigure', `${prefix}-joinandconfigure`],
        ['configure', `${prefix}-configure`],
        ['publish', `${prefix}-publish`],
        // A path in a folder that does not exist yet: not even the folder may appear.
        ['joinandconfigure', `${prefix}-dir/deeper/file`],
      ];
      const grants = await Promise.all(attempts.map(() => create()));
      const results = await Promise.all([
        ...attempts.map(([via, filename], i) =>
          browser.publish({ gateway: janus.url, token: grants[i].descriptor.token!, room: String(grants[i].descriptor.videoRoom.room), pin: grants[i].descriptor.videoRoom.pin!, via, extra: { record: true, filename } }),
        ),
        ...controls.map(([name, , via], i) =>
          browser.publish({ gateway: janus.url, token: controlToken, room: controlRooms[i], pin: 'control-pin', via, extra: { record: true, filename: `${prefix}-control-${name}` } }),
        ),
      ]);
      for (const [i, r] of results.entries()) {
        assert.equal(r.state, 'connected', `publisher ${i}: ${JSON.stringify(r)}`);
        assert.ok(r.packetsSent > 20, `publisher ${i} sent ${r.packetsSent} packets`);
      }
      const found = recordings();
      for (const [name] of controls) {
        assert.ok(found.some((f) => f.startsWith(`vc-rec-${run}-control-${name}-`) && f.endsWith('.mjr')), `control ${name} recorded nothing (${found.join(', ')}): the test could not see a recording`);
      }
      const written = found.filter((f) => !f.includes('-control-'));
      assert.deepEqual(written, [], `a participant made Janus write ${written.join(', ')}`);
      assert.equal(existsSync(`${prefix}-dir`), false);
    } finally {
      s.close();
      await browser.hangUpAll();
    }
  });

  test("the broker's VideoRooms are created with recording locked", async () => {
    const grant = await create();
    const probe = await RawSession.create(janus.url, grant.descriptor.token);
    try {
      const h = await probe.attach(VIDEOROOM);
      const listed = await probe.message(h, { request: 'list', admin_key: janus.adminKey });
      const room = (listed.list as Array<Record<string, unknown>>).find((r) => r.room === grant.descriptor.videoRoom.room);
      assert.ok(room, 'the room is listed for the admin key');
      assert.deepEqual({ record: room.record, lock_record: room.lock_record, rec_dir: room.rec_dir }, { record: false, lock_record: true, rec_dir: '/dev/null' });
    } finally {
      probe.close();
    }
  });
});

describe('the local Janus offers what its config says', () => {
  // janus.jcfg used to say "loopback only" while Janus 1.1 skips loopback interfaces and
  // libnice then gathered on every other one, IPv6 and link-local included. Loopback-only
  // ICE is not possible with Janus 1.1 (see the nat section there); what the config says
  // now is "IPv4 only, on this machine's own interfaces", and that is what is offered.
  test("a TextRoom offer has only IPv4 host candidates on this machine's own addresses, no IPv6, no link-local", async () => {
    const own = new Set(
      Object.values(networkInterfaces())
        .flat()
        .filter((i) => i && i.family === 'IPv4' && !i.internal)
        .map((i) => i!.address),
    );
    const grant = await create();
    const s = await RawSession.create(janus.url, grant.descriptor.token);
    try {
      const h = await s.attach(TEXTROOM);
      const reply = await s.conn.request({ janus: 'message', session_id: s.id, handle_id: h, token: grant.descriptor.token, body: { request: 'setup' } }, 10_000);
      const sdp = (reply as { jsep?: { sdp: string } }).jsep?.sdp ?? '';
      const candidates = sdp.split('\r\n').filter((l) => l.startsWith('a=candidate:'));
      assert.ok(candidates.length > 0, `no candidates in ${sdp}`);
      for (const c of candidates) {
        const [, , , , address, , , type] = c.split(' ');
        assert.equal(type, 'host', c);
        assert.ok(isIPv4(address) && own.has(address), `${c}: not one of ${[...own].join(', ')}`);
      }
    } finally {
      s.close();
    }
  });
});

describe('a customer who joined keeps the conversation; one who never did loses it (finding 6)', () => {
  test('joined over the data channel: still waiting after the unjoined TTL, while the unjoined one closed', async () => {
    const b = await startBroker(await options({ unjoinedTtlMs: 1500, sweepIntervalMs: 200 }));
    try {
      const [joined, never] = await Promise.all([create(b.url), create(b.url)]);
      const answer = await browser.joinTextRoom({
        gateway: janus.url,
        token: joined.descriptor.token!,
        room: String(joined.descriptor.textRoom.room),
        pin: joined.descriptor.textRoom.pin!,
        username: joined.descriptor.self.id,
      });
      assert.equal(answer.textroom, 'success', JSON.stringify(answer));
      const status = async (g: ConversationGrant) =>
        (await fetch(`${b.url}/api/conversations/${g.descriptor.id}`, { headers: { authorization: `Bearer ${g.resumeKey}` } })).status;
      const deadline = Date.now() + 10_000;
      while ((await status(never)) !== 410) {
        assert.ok(Date.now() < deadline, 'the unjoined conversation was not closed');
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(await status(joined), 200, 'the joined conversation was closed');
    } finally {
      await browser.hangUpAll();
      await b.close();
    }
  });
});
