// vc-broker's configuration (server/config.ts): environment and --config file,
// the environment winning key by key, paths relative to the file, every problem
// reported at once with the variable's or the file key's name, and the client
// key behind trusted reverse proxies.
//   node --import tsx --test test/server/config.test.ts
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError, forwardedClientKey, loadConfig } from '../../server/config.js';

const dir = mkdtempSync(join(tmpdir(), 'vc-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const MIN = { JANUS_URL: 'ws://127.0.0.1:8188', JANUS_ADMIN_KEY: 'key' };

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  assert.fail('expected a ConfigError');
}

describe('vc-broker configuration', () => {
  test('from the environment alone: defaults, numbers, lists, rate rules', () => {
    const { options, sources } = loadConfig({
      env: { ...MIN, PORT: '9000', ALLOWED_ORIGINS: 'https://a.example, https://b.example', MAX_OPEN_CONVERSATIONS: '800', OPEN_CAPS_PER_NETWORK: '100', RATE_LIMIT_CREATE: '30,10', RATE_LIMIT_POST: 'off' },
      cwd: dir,
      packageRoot: '/pkg',
    });
    assert.equal(sources, 'environment');
    assert.equal(options.port, 9000);
    assert.deepEqual(options.allowedOrigins, ['https://a.example', 'https://b.example']);
    assert.equal(options.maxOpenConversations, 800);
    assert.deepEqual(options.openCaps, { perNetwork: 100 });
    assert.deepEqual(options.rateLimits, { create: { perMinute: 30, burst: 10 }, post: false });
    assert.deepEqual(options.database, { dataDir: join(dir, 'data') });
    assert.equal(options.staticRoot, '/pkg');
    assert.equal(options.janusAdmin, undefined);
    assert.equal(options.clientKey, undefined);
  });

  test('a file, with the environment winning key by key and paths relative to the file', () => {
    const file = join(dir, 'broker.json');
    writeFileSync(file, JSON.stringify({ janusUrl: 'ws://10.0.0.1:8188', janusAdminKey: 'k', port: 8081, dataDir: 'state', openCaps: { perClient: 20 }, rateLimits: { login: false }, iceServers: [{ urls: ['stun:stun.example.com'] }] }));
    const { options, sources } = loadConfig({ env: { PORT: '8082', OPEN_CAPS_PER_USER: '5' }, file, cwd: '/' });
    assert.equal(sources, `file ${file} + environment`);
    assert.equal(options.janusUrl, 'ws://10.0.0.1:8188');
    assert.equal(options.port, 8082);
    assert.deepEqual(options.database, { dataDir: join(dir, 'state') });
    assert.deepEqual(options.openCaps, { perClient: 20, perUser: 5 });
    assert.deepEqual(options.rateLimits, { login: false });
    assert.deepEqual(options.iceServers, [{ urls: ['stun:stun.example.com'] }]);
    assert.equal(loadConfig({ env: { VC_CONFIG: file }, cwd: '/' }).options.port, 8081);
  });

  test('every problem at once, each named by where it came from', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ janusurl: 'ws://x', janusAdminUrl: 'ws://127.0.0.1:7188', rateLimits: { create: { perMinute: 10, burst: 0 } }, iceServers: [{ urls: 'turn:turn.example.com' }], openCaps: { perNetwork: 500 } }));
    assert.deepEqual(
      problems(() => loadConfig({ env: { PORT: 'eighty', WEBHOOK_URL: 'https://crm.example/hook', IDENTITY_SECRET: 'x'.repeat(31) }, file, cwd: dir })),
      [
        `${file}: janusurl: unknown key (did you mean janusUrl?)`,
        `${file}: rateLimits.create.burst: must be an integer from 1 up (got 0)`,
        `${file}: iceServers[0]: a turn: or turns: server needs username and credential (browsers refuse it without them)`,
        'PORT: must be a number (got "eighty")',
        'IDENTITY_SECRET: must be at least 32 bytes (got 31)',
        `JANUS_URL (or janusUrl in ${file}): is required (or JANUS_SERVERS, for several Janus servers)`,
        `JANUS_ADMIN_KEY (or janusAdminKey in ${file}): is required (or JANUS_SERVERS, for several Janus servers)`,
        `JANUS_ADMIN_SECRET (or janusAdminSecret in ${file}): must be set together with ${file}: janusAdminUrl (or neither: then Janus must run without token_auth)`,
        'WEBHOOK_SECRET (or webhookSecret in ' + file + '): must be set together with WEBHOOK_URL (receivers verify the signatures with the secret)',
        `${file}: openCaps.perNetwork: must be smaller than maxOpenConversations (default 500) (500 >= 500), or one network could take every conversation`,
      ],
    );
    assert.deepEqual(problems(() => loadConfig({ file: join(dir, 'missing.json'), env: {} })), [`${join(dir, 'missing.json')}: cannot read the configuration file: no such file`]);
    assert.deepEqual(problems(() => loadConfig({ env: { ...MIN, MAX_OPEN_CONVERSATIONS: '40' } })), [
      'MAX_OPEN_CONVERSATIONS: must be larger than openCaps.perNetwork (default 50; 40 <= 50), or one network could take every conversation',
    ]);
  });

  test('behind trusted proxies the client is the first address from the right that is not a proxy', () => {
    const key = forwardedClientKey(['127.0.0.1', '10.0.0.2']);
    const req = (peer: string, xff?: string) => ({ socket: { remoteAddress: peer }, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } }) as unknown as IncomingMessage;
    assert.equal(key(req('127.0.0.1', '6.6.6.6, 203.0.113.7')), '203.0.113.7');
    assert.equal(key(req('::ffff:127.0.0.1', '203.0.113.7, 10.0.0.2')), '203.0.113.7');
    assert.equal(key(req('127.0.0.1', '2001:db8:1:2:3:4:5:6')), '2001:db8:1:2::/64');
    // Not from a proxy: its own address, whatever it claims.
    assert.equal(key(req('198.51.100.9', '203.0.113.7')), '198.51.100.9');
    // From a proxy without the header (or with garbage): the proxy itself.
    assert.equal(key(req('127.0.0.1')), '127.0.0.1');
    assert.equal(key(req('127.0.0.1', 'unknown')), '127.0.0.1');
    assert.equal(loadConfig({ env: { ...MIN, TRUSTED_PROXIES: '127.0.0.1,::1' } }).options.clientKey !== undefined, true);
    assert.deepEqual(problems(() => loadConfig({ env: { ...MIN, TRUSTED_PROXIES: '127.0.0.1,proxy.local' } })), ['TRUSTED_PROXIES[1]: must be an IP address (got "proxy.local")']);
  });
});
