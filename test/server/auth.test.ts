// The broker's token formats, agent auth and rate limiter on their own (no Janus).
//   node --import tsx --test test/server/auth.test.ts
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { AgentAuth, hmacAgentVerifier, signAgentToken, STREAM_TICKET_TTL_S } from '../../server/agent-auth.js';
import { RateLimiter, remoteAddressKey } from '../../server/rate-limit.js';
import { signToken, verifySignedToken } from '../../server/signed-token.js';
import { signVisitorIdentity, verifyVisitorIdentity } from '../../server/visitor-identity.js';
import { checkSecretLength } from '../../server/secrets.js';
import { HttpError } from '../../server/http-util.js';
import { otherSpellings } from './spellings.js';
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
    assert.throws(() => new AgentAuth({ accounts: [{ username: 'a b', password: 'x'.repeat(12) }], log }), /agent account/);
    assert.throws(() => new AgentAuth({ accounts: [{ username: 'a', password: '' }], log }), /no password/);
  });

  test("verify: the broker's own tokens, integrator tokens with the shared secret, then verifyAgent", async () => {
    const auth = new AgentAuth({
      accounts: [{ username: 'ann', password: 'pw-long-enough' }],
      tokenSecret: 'shared',
      verifyAgent: (t) => (t === 'crm-session' ? { id: 'crm-1', display: 'Carla' } : null),
      log,
    });
    const login = auth.login('ann', 'pw-long-enough')!;
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
    const auth = new AgentAuth({ accounts: [{ username: 'ann', password: 'pw-long-enough' }], log });
    const a = auth.login('ann', 'pw-long-enough', now)!;
    const b = auth.login('ann', 'pw-long-enough', now + 1000)!;
    await auth.logout(a.token);
    assert.equal(await auth.verify(a.token), null);
    assert.ok(await auth.verify(b.token));
  });

  test('stream tickets: one minute, stream only, never a bearer', async () => {
    const auth = new AgentAuth({ accounts: [{ username: 'ann', password: 'pw-long-enough' }], log });
    const login = auth.login('ann', 'pw-long-enough', now)!;
    const who = (await auth.verifyWithId(login.token, now))!;
    const { ticket, expiresAt } = auth.streamTicket(who, login.token, now);
    assert.equal(expiresAt, (Math.floor(now / 1000) + STREAM_TICKET_TTL_S) * 1000);
    const ok = await auth.verifyStreamTicket(ticket, now);
    assert.deepEqual(ok?.agent, login.agent);
    assert.ok(ok && ok.untilMs <= login.expiresAt && ok.untilMs <= now + 30 * 60_000);
    assert.equal(await auth.verifyStreamTicket(ticket, now + (STREAM_TICKET_TTL_S + 1) * 1000), null, 'expired ticket');
    assert.equal(await auth.verify(ticket), null, 'a ticket is not a bearer');
    assert.equal(await auth.verifyStreamTicket(login.token, now), null, 'a bearer is not a ticket');
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

describe('tokens after issue 9 (finding 4)', () => {
  const log = () => {};
  const account = { username: 'ann', password: 'pw-long-enough' };

  test('a signature has one spelling: the three other last characters that decode alike are refused', () => {
    const t = signToken({ sub: 'a', exp: inSeconds(60) }, 'secret');
    const spellings = otherSpellings(t);
    assert.equal(spellings.length, 3);
    for (const other of spellings) {
      // They really are the same bytes; only the text differs.
      assert.deepEqual(Buffer.from(other.split('.')[1], 'base64url'), Buffer.from(t.split('.')[1], 'base64url'));
      assert.deepEqual(verifySignedToken(other, 'secret', now), { ok: false, reason: 'bad_signature' }, other);
    }
  });

  test('logout revokes by token id: no other spelling, no ticket of it, and minted tokens without a jti by their hash', async () => {
    const auth = new AgentAuth({ accounts: [account], tokenSecret: 'x'.repeat(32), log });
    const login = auth.login('ann', account.password, now)!;
    const who = (await auth.verifyWithId(login.token, now))!;
    assert.match(who.tokenId, /^jti:/);
    const { ticket } = auth.streamTicket(who, login.token, now);
    assert.equal(await auth.logout(login.token, now), who.tokenId);
    assert.equal(await auth.verify(login.token, now), null);
    for (const other of otherSpellings(login.token)) assert.equal(await auth.verify(other, now), null, other);
    assert.equal(await auth.verifyStreamTicket(ticket, now), null, 'its ticket died with it');
    const minted = signAgentToken({ sub: 'int-9', name: 'Ingrid', exp: inSeconds(600) }, 'x'.repeat(32));
    const mintedId = (await auth.verifyWithId(minted, now))!.tokenId;
    assert.match(mintedId, /^sha256:/);
    await auth.logout(minted, now);
    assert.equal(await auth.verify(minted, now), null);
  });

  test('agent tokens more than 24 h ahead are refused (configurable); year 3000 is', async () => {
    const secret = 'x'.repeat(32);
    const auth = new AgentAuth({ tokenSecret: secret, log });
    const year3000 = Math.floor(Date.UTC(3000, 0, 1) / 1000);
    assert.equal(await auth.verify(signAgentToken({ sub: 'a', name: 'A', exp: year3000 }, secret)), null);
    assert.equal(await auth.verify(signAgentToken({ sub: 'a', name: 'A', exp: inSeconds(25 * 3600) }, secret), now), null);
    assert.ok(await auth.verify(signAgentToken({ sub: 'a', name: 'A', exp: inSeconds(23 * 3600) }, secret), now));
    assert.equal(hmacAgentVerifier(secret)(signAgentToken({ sub: 'a', name: 'A', exp: year3000 }, secret)), null);
    const short = new AgentAuth({ tokenSecret: secret, tokenTtlMs: 60_000, maxTokenTtlMs: 120_000, log });
    assert.equal(await short.verify(signAgentToken({ sub: 'a', name: 'A', exp: inSeconds(3600) }, secret), now), null);
    assert.throws(() => new AgentAuth({ tokenTtlMs: 48 * 3600_000, log }), /agentTokenTtlMs \(172800000\) must not exceed maxAgentTokenTtlMs \(86400000\)/);
  });

  test('identities more than 1 h ahead are refused with identity_lifetime (configurable)', () => {
    const secret = 'site-secret';
    const far = signVisitorIdentity({ userId: 'u', exp: Math.floor(Date.UTC(3000, 0, 1) / 1000) }, secret);
    assert.throws(() => verifyVisitorIdentity(far, secret, now), (e: unknown) => e instanceof HttpError && e.status === 401 && e.code === 'identity_lifetime' && /at most 3600 s/.test(e.message));
    assert.throws(() => verifyVisitorIdentity(signVisitorIdentity({ userId: 'u', exp: inSeconds(2 * 3600) }, secret), secret, now), /too far ahead/);
    assert.equal(verifyVisitorIdentity(signVisitorIdentity({ userId: 'u', exp: inSeconds(3000) }, secret), secret, now).userId, 'u');
    assert.throws(() => verifyVisitorIdentity(signVisitorIdentity({ userId: 'u', exp: inSeconds(300) }, secret), secret, now, 60_000), /at most 60 s/);
  });

  test('short secrets and passwords are refused with a message that names them and the minimum', () => {
    assert.throws(() => checkSecretLength('AGENT_TOKEN_SECRET', 'x'.repeat(12)), { message: 'AGENT_TOKEN_SECRET must be at least 32 bytes (got 12)' });
    assert.throws(() => checkSecretLength('IDENTITY_SECRET', 'é'.repeat(10)), { message: 'IDENTITY_SECRET must be at least 32 bytes (got 20)' });
    checkSecretLength('IDENTITY_SECRET', 'x'.repeat(32));
    checkSecretLength('IDENTITY_SECRET', undefined);
    assert.throws(() => new AgentAuth({ accounts: [{ username: 'ann', password: 'short-pass' }], log }), {
      message: 'agent account "ann": password must be at least 12 characters (got 10)',
    });
  });
});
