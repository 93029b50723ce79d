import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The broker's one signed-token format, shared by visitor identities and agent
 * tokens:
 *
 *     base64url(JSON payload) + "." + base64url(HMAC-SHA256(secret, <first part as ASCII>))
 *
 * The MAC covers the encoded first part exactly as sent (as JWT does), so
 * signer and verifier never have to agree on how JSON is serialized. `exp` in
 * the payload is in seconds since the epoch (JWT style).
 */

export type SignedTokenFailure = 'malformed' | 'bad_signature' | 'expired';

export type SignedTokenResult = { ok: true; payload: Record<string, unknown> } | { ok: false; reason: SignedTokenFailure };

const SEGMENT = /^[A-Za-z0-9_-]+$/;
/** HMAC-SHA256 is 32 bytes: 43 base64url characters without padding. */
const MAC_LENGTH = 43;

function mac(secret: string | Buffer, data: string): Buffer {
  return createHmac('sha256', secret).update(data, 'ascii').digest();
}

export function signToken(payload: Record<string, unknown>, secret: string | Buffer): string {
  const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return `${body}.${mac(secret, body).toString('base64url')}`;
}

/**
 * Checks format, then signature, then expiry (with `leewayS` for clock skew
 * between the signer and us). The payload is parsed only once the signature
 * holds: nothing an attacker makes up reaches JSON.parse.
 *
 * The MAC is compared as text with its one canonical base64url spelling. 43
 * base64url characters carry 258 bits for a 256-bit MAC, so decoding leniently
 * would accept four spellings of every signature (the last character k, l, m
 * or n all decode alike): a logged-out token would come back with another
 * last letter. With one spelling per token, a token is its own id.
 */
export function verifySignedToken(token: string, secret: string | Buffer, nowMs = Date.now(), leewayS = 0): SignedTokenResult {
  const parts = token.split('.');
  if (parts.length !== 2) return { ok: false, reason: 'malformed' };
  const [body, sig] = parts;
  if (!SEGMENT.test(body) || !SEGMENT.test(sig) || sig.length !== MAC_LENGTH) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(mac(secret, body).toString('base64url'), 'ascii');
  if (!timingSafeEqual(Buffer.from(sig, 'ascii'), expected)) return { ok: false, reason: 'bad_signature' };
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return { ok: false, reason: 'malformed' };
  const exp = (payload as { exp?: unknown }).exp;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return { ok: false, reason: 'malformed' };
  if (exp * 1000 + leewayS * 1000 <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, payload: payload as Record<string, unknown> };
}
