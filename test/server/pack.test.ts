// Issue 15, acceptance 4: the broker ships like server software. The project is
// packed (`npm pack`), the tarball installed with production dependencies only
// into an empty folder, and the broker started from its `bin` (vc-broker) against
// a test Janus and a test PostgreSQL, with its settings half in a --config file
// and half in the environment. One conversation runs through it: created with a
// public key, claimed, a signed chat message each way through TextRoom data
// channels (werift, like the archive tests), each verified by the other side,
// both in the transcript API. A bad setting stops the bin with the key's name.
//   node --import tsx --test test/server/pack.test.ts
// Needs the npm registry (npm install); npm's own cache makes a second run faster.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import * as v from '../../src/protocol/schema.js';
import { startJanus, type RunningJanus } from '../../scripts/janus.mjs';
import { AgentLoginResponse, ConversationGrant, EnvelopeVerifier, TranscriptResponse } from '../../src/protocol/index.js';
import type { RoomMessage } from '../../server/textroom-peer.js';
import { startPostgres, type RunningPostgres } from '../helpers/postgres.mjs';
import { Peer, waitUntil } from './record-peers.js';
import { loadMigrations } from '../../server/migrate.js';

const run = promisify(execFile);
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const npm = (args: string[], cwd: string) => run('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, maxBuffer: 16 << 20, env: { ...process.env, npm_config_update_notifier: 'false' } });

let work: string;
let app: string;
let janus: RunningJanus;
let pg: RunningPostgres;
let broker: ChildProcess | undefined;
const timings: string[] = [];

async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const t = performance.now();
  try {
    return await fn();
  } finally {
    timings.push(`${what} ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
}

/** Runs the installed bin; resolves with its URL once it says it is ready. */
function startBin(env: Record<string, string>, args: string[]): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const bin = join(app, 'node_modules', '.bin', 'vc-broker');
  // Only what a service would have: PATH and HOME, none of this test process's environment (no NODE_OPTIONS with tsx).
  const child = spawn(bin, args, { cwd: app, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: app, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  child.once('exit', () => process.off('exit', reap));
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += String(b)));
  child.stderr!.on('data', (b: Buffer) => (out += String(b)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vc-broker did not get ready within 30 s:\n${out}`)), 30_000);
    child.stdout!.on('data', () => {
      const m = /Broker ready: (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], child, output: () => out });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`vc-broker exited (${code ?? signal}) before it was ready:\n${out}`));
    });
  });
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'vc-pack-'));
  app = join(work, 'app');
  mkdirSync(app);
  // The tarball as `npm pack` makes it after the build. Only the broker's build is run here
  // (prepack also builds the elements, which the broker does not need to run).
  await timed('build:server', () => run(process.execPath, [join(repo, 'scripts', 'build-server.mjs')], { cwd: repo }));
  const packed = await timed('npm pack', () => npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], repo));
  const [{ filename }] = JSON.parse(packed.stdout) as Array<{ filename: string }>;
  await timed('npm install --omit=dev', () => npm(['install', '--omit=dev', join(work, filename)], app));
  [janus, pg] = await timed('Janus + PostgreSQL', () => Promise.all([startJanus(), startPostgres()]));
});

after(async () => {
  if (broker && broker.exitCode === null && broker.signalCode === null) {
    const exited = new Promise((r) => broker!.once('exit', r));
    broker.kill('SIGTERM');
    await exited;
  }
  await janus?.stop();
  await pg?.stop();
  rmSync(work, { recursive: true, force: true });
  console.log(`# pack test: ${timings.join(', ')}`);
});

describe('the npm package runs the broker with production dependencies only', () => {
  test('the installed tree: the bin, the compiled broker and its migrations, no dev dependency', () => {
    const pkg = join(app, 'node_modules', '@vc', 'video-chat-elements');
    assert.ok(existsSync(join(app, 'node_modules', '.bin', 'vc-broker')));
    assert.ok(existsSync(join(pkg, 'dist-server', 'server', 'main.js')));
    assert.ok(existsSync(join(pkg, 'dist-server', 'src', 'protocol', 'index.js')));
    assert.deepEqual(readdirSync(join(pkg, 'dist-server', 'server', 'migrations')).sort(), readdirSync(join(repo, 'server', 'migrations')).sort());
    assert.ok(!existsSync(join(pkg, 'server')), 'the TypeScript sources stay out of the package');
    for (const dev of ['tsx', 'typescript', 'esbuild', 'playwright-core']) assert.ok(!existsSync(join(app, 'node_modules', dev)), `${dev} is a dev dependency`);
  });

  test('a bad setting stops the bin before anything starts, naming the key', async () => {
    writeFileSync(join(app, 'bad.json'), JSON.stringify({ janusUrl: 'http://127.0.0.1:8188', janusAdminKey: 'k', port: 99999 }));
    const bin = join(app, 'node_modules', '.bin', 'vc-broker');
    const r = await run(bin, ['--config', 'bad.json'], { cwd: app, env: { PATH: process.env.PATH, OPERATOR_TOKEN: 'short' } }).then(
      () => assert.fail('vc-broker accepted a bad configuration'),
      (e: { code: number; stderr: string }) => e,
    );
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      [
        'vc-broker: invalid configuration:',
        '  bad.json: janusUrl: must be a ws or wss URL like ws://127.0.0.1:8188',
        '  bad.json: port: must be an integer from 0 to 65535 (got 99999)',
        '  OPERATOR_TOKEN: must be at least 32 bytes (got 5)',
        '',
      ].join('\n'),
    );
  });

  test('one conversation through the installed broker: create, claim, a signed message each way, the transcript', async () => {
    const password = randomBytes(12).toString('base64url');
    // Janus in the file, the record and the secrets in the environment, as a systemd unit would have them.
    writeFileSync(
      join(app, 'broker.json'),
      JSON.stringify({ janusUrl: janus.url, janusAdminUrl: janus.adminUrl, janusAdminKey: janus.adminKey, host: '127.0.0.1', port: 0, staticRoot: 'none' }, null, 2),
    );
    const started = await timed('broker start', () =>
      startBin({ DATABASE_URL: pg.createDatabase('pack'), JANUS_ADMIN_SECRET: janus.adminSecret, AGENT_PASSWORD: password }, ['--config', 'broker.json']),
    );
    broker = started.child;
    const base = started.url;
    assert.match(started.output(), /configuration: file broker\.json \+ environment/);
    assert.match(started.output(), new RegExp(`record: PostgreSQL at 127\\.0\\.0\\.1:\\d+/pack, schema version ${loadMigrations().length} \\(migrated from 0\\)`));

    await timed('conversation', async () => {
      const customer = await Peer.customer(base, { display: 'Pat' });
      const login = await fetch(`${base}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'agent', password }) });
      assert.equal(login.status, 200);
      const { token } = v.parse(AgentLoginResponse, await login.json());
      const agent = await Peer.agent(base, customer.conversationId, token);
      try {
        await customer.connect();
        await agent.connect();
        // The customer's grant, read again after the claim, carries the agent's certificate too.
        const grantRes = await fetch(`${base}/api/conversations/${customer.conversationId}`, { headers: { authorization: `Bearer ${customer.resumeKey}` } });
        const grant = v.parse(ConversationGrant, await grantRes.json());
        const verifierFor = async (auth: NonNullable<ConversationGrant['descriptor']['auth']>) => {
          const verifier = new EnvelopeVerifier(customer.conversationId, auth.authority);
          for (const cert of auth.certs) assert.ok((await verifier.addCertificate(cert)).ok);
          return verifier;
        };
        const sides = [
          { from: customer, to: agent, verifier: await verifierFor(agent.descriptor.auth!), text: 'Hello, my parcel is late' },
          { from: agent, to: customer, verifier: await verifierFor(grant.descriptor.auth!), text: 'Let me look that up for you' },
        ];
        for (const side of sides) {
          const got = new Promise<RoomMessage>((resolve) => {
            const off = side.to.onMessage((m) => {
              if (m.from.startsWith(`${side.from.id}~`)) {
                off();
                resolve(m);
              }
            });
          });
          const id = await side.from.say(side.text);
          const opened = await side.verifier.open((await got).text);
          assert.equal(opened.kind, 'ok');
          assert.ok(opened.kind === 'ok');
          assert.equal(opened.message.id, id);
          assert.equal(opened.message.from, side.from.id);
          assert.equal(opened.sender.role, side.from.descriptor.self.role);
          assert.deepEqual(opened.message.body, { text: side.text, seq: 0 });
        }
        // Janus posted both to the installed broker's archive, which verified and stored them.
        const transcript = await waitUntil(
          async () => v.parse(TranscriptResponse, await (await fetch(`${base}/api/conversations/${customer.conversationId}/transcript`, { headers: { authorization: `Bearer ${customer.resumeKey}` } })).json()),
          (t) => t.messages.length >= 2,
          10_000,
          'both messages in the transcript',
        );
        assert.deepEqual(
          transcript.messages.map((m) => [m.type, m.from.role, m.from.id, (m.body as { text: string }).text]),
          [
            ['chat.message', 'customer', customer.id, sides[0].text],
            ['chat.message', 'agent', agent.id, sides[1].text],
          ],
        );
      } finally {
        await customer.close();
        await agent.close();
      }
    });

    const exited = new Promise<number | null>((r) => broker!.once('exit', (code) => r(code)));
    broker.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});
