// The broker's token formats, agent auth and rate limiter on their own (no Janus).
//   node --import tsx --test test/server/auth.test.ts
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { AgentAuth, hmacAgentVerifier, signAgentToken, STREAM_TICKET_TTL_S } from '../../server/agent-auth.js';
import { RateLimiter, remoteAddressKey } from '../../server/rate-limit.js';
import { signToken, verifySignedToken } from '../../server/signed-token.js';
import { signVisitorIdentity, verifyVisitorIdentity } from '../../server/visitor-identity.js';
import type { IncomingMessage } from 'node:http';

const now = Date.now();
const inSeconds = (s: number) => Math.floor(now / 1000) + s;

describe('signed tokens', () => {
  test('the documented recipe (any language) produces what the broker accepts', () => {
    // What a website's PHP/Python/Java backend does: base64url the JSON, HMAC-SHA256 the *encoded* part.
    const payload = Buffer.from(JSON.stringify({ userId: 'u-1', name: 'Ann', exp: inSeconds(60) })).toString('base64url');
    const sig = createHmac('sha256', 'site-secret').update(payload).digest('base64url');
    const r = verifyVisitorIdentity(`${payload}.${sig}`, 'site-secret', now);
    assert.deepEqual(r, { userId: 'u-1', name: 'Ann', exp: inSeconds(60) });
    assert.equal(signVisitorIdentity({ userId: 'u-1', name: 'Ann', exp: inSeconds(60) }, 'site-secret'), `${payload}.${sig}`);
  });

  test('format, signature and expiry are checked in that order', () => {
    const t = signToken({ sub: 'a', exp: inSeconds(10) }, 's');
    assert.deepEqual(verifySignedToken(t, 's', now), { ok: true, payload: { sub: 'a', exp: inSeconds(10) } });
    assert.deepEqual(verifySignedToken(t, 'other', now), { ok: false, reason: 'bad_signature' });
    assert.deepEqual(verifySignedToken(t, 's', now + 11_000), { ok: false, reason: 'expired' });
    assert.deepEqual(verifySignedToken(t, 's', now + 11_000, 30), { ok: true, payload: { sub: 'a', exp: inSeconds(10) } });
    for (const bad of ['', '.', 'abc', `${t}.x`, t.replace('.', '..'), `${t.split('.')[0]}.short`, `${t} `]) {
      assert.deepEqual(verifySignedToken(bad, 's', now), { ok: false, reason: 'malformed' }, bad);
    }
    // Signed but not usable: no exp, or not an object.
    assert.equal(verifySignedToken(signToken({ sub: 'a' }, 's'), 's', now).ok, false);
    const arr = Buffer.from('[1]').toString('base64url');
    assert.deepEqual(verifySignedToken(`${arr}.${createHmac('sha256', 's').update(arr).digest('base64url')}`, 's', now), { ok: false, reason: 'malformed' });
  });
});

describe('agent auth', () => {
  const log = () => {};

  test('login: right password only; the same answer for an unknown user', () => {
    const auth = new AgentAuth({ accounts: [{ username: 'Ann', password: 'correct horse', display: 'Ann Agent' }], log });
    assert.equal(auth.login('ann', 'wrong'), null);
    assert.equal(auth.login('nobody', 'correct horse'), null);
    const s = auth.login('ann', 'correct horse', now);
    assert.ok(s);
    assert.deepEqual(s.agent, { id: 'Ann', display: 'Ann Agent' });
    assert.equal(s.expiresAt, now + 12 * 3600_000);
  });

  test('accounts with ids that could not be agent ids are refused at startup', () => {
    assert.throws(() => new AgentAuth({ accounts: [{ username: 'a b', password: 'x' }], log }), /agent account/);
    assert.throws(() => new AgentAuth({ accounts: [{ username: 'a', password: '' }], log }), /no password/);
  });

  test("verify: the broker's own tokens, integrator tokens with the shared secret, then verifyAgent", async () => {
    const auth = new AgentAuth({
      accounts: [{ username: 'ann', password: 'pw' }],
      tokenSecret: 'shared',
      verifyAgent: (t) => (t === 'crm-session' ? { id: 'crm-1', display: 'Carla' } : null),
      log,
    });
    const login = auth.login('ann', 'pw')!;
    assert.deepEqual(await auth.verify(login.token), { id: 'ann', display: 'ann' });
    const minted = signAgentToken({ sub: 'int-9', name: 'Ingrid', exp: inSeconds(60) }, 'shared');
    assert.deepEqual(await auth.verify(minted), { id: 'int-9', display: 'Ingrid' });
    assert.deepEqual(await auth.verify('crm-session'), { id: 'crm-1', display: 'Carla' });
    assert.equal(await auth.verify('anything-else'), null);
    assert.equal(await auth.verify(signAgentToken({ sub: 'int-9', name: 'Ingrid', exp: inSeconds(-1) }, 'shared')), null, 'expired');
    assert.equal(await auth.verify(signAgentToken({ sub: 'x y', name: 'Bad id', exp: inSeconds(60) }, 'shared')), null, 'bad id');
    assert.equal(await auth.verify(signAgentToken({ sub: 'int-9', name: 'Ingrid', exp: inSeconds(60) }, 'other')), null, 'foreign secret');
  });

  test('a verifier that throws or answers nonsense refuses', async () => {
    const throwing = new AgentAuth({ verifyAgent: () => { throw new Error('CRM down'); }, log });
    assert.equal(await throwing.verify('x'), null);
    const nonsense = new AgentAuth({ verifyAgent: () => ({ id: '', display: 'x' }), log });
    assert.equal(await nonsense.verify('x'), null);
  });

  test('logout revokes that token only', async () => {
    const auth = new AgentAuth({ accounts: [{ username: 'ann', password: 'pw' }], log });
    const a = auth.login('ann', 'pw', now)!;
    const b = auth.login('ann', 'pw', now + 1000)!;
    auth.logout(a.token);
    assert.equal(await auth.verify(a.token), null);
    assert.ok(await auth.verify(b.token));
  });

  test('stream tickets: one minute, stream only, never a bearer', async () => {
    const auth = new AgentAuth({ accounts: [{ username: 'ann', password: 'pw' }], log });
    const login = auth.login('ann', 'pw', now)!;
    const { ticket, expiresAt } = auth.streamTicket(login.agent, login.token, now);
    assert.equal(expiresAt, (Math.floor(now / 1000) + STREAM_TICKET_TTL_S) * 1000);
    const ok = auth.verifyStreamTicket(ticket, now);
    assert.deepEqual(ok?.agent, login.agent);
    assert.ok(ok && ok.untilMs <= login.expiresAt && ok.untilMs <= now + 30 * 60_000);
    assert.equal(auth.verifyStreamTicket(ticket, now + (STREAM_TICKET_TTL_S + 1) * 1000), null, 'expired ticket');
    assert.equal(await auth.verify(ticket), null, 'a ticket is not a bearer');
    assert.equal(auth.verifyStreamTicket(login.token, now), null, 'a bearer is not a ticket');
    assert.equal(hmacAgentVerifier('x')(ticket), null);
  });
});

describe('rate limiter', () => {
  test('burst, then refill at the rate, with a Retry-After that says when', () => {
    const rl = new RateLimiter({ perMinute: 10, burst: 5 });
    for (let i = 0; i < 5; i++) assert.deepEqual(rl.take('a', now), { ok: true });
    assert.deepEqual(rl.take('a', now), { ok: false, retryAfterS: 6 });
    assert.deepEqual(rl.take('b', now), { ok: true }, 'another client is unaffected');
    assert.deepEqual(rl.take('a', now + 6000), { ok: true });
    assert.equal(rl.take('a', now + 6000).ok, false);
  });

  test('the key map stays bounded', () => {
    const rl = new RateLimiter({ perMinute: 1, burst: 1 }, 100);
    for (let i = 0; i < 1000; i++) rl.take(`k${i}`, now);
    assert.equal(rl.size, 100);
  });

  test('client keys: IPv4, IPv4-mapped IPv6, IPv6 by /64', () => {
    const key = (remoteAddress: string) => remoteAddressKey({ socket: { remoteAddress } } as unknown as IncomingMessage);
    assert.equal(key('127.0.0.2'), '127.0.0.2');
    assert.equal(key('::ffff:10.1.2.3'), '10.1.2.3');
    assert.equal(key('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
    assert.equal(key('2001:db8:1:2::9'), '2001:db8:1:2::/64');
    assert.equal(key('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(key('::1'), '0:0:0:0::/64');
  });
});
