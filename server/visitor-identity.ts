import { HttpError } from './http-util.js';
import { signToken, verifySignedToken } from './signed-token.js';

/**
 * Visitor identity: a website that knows its logged-in user vouches for them.
 * Its server signs, the browser carries it to the broker, the broker checks:
 *
 *     identity = base64url(JSON{userId, name?, exp}) + "." + base64url(HMAC-SHA256(siteSecret, <first part>))
 *
 * `userId`: the site's user id (1–128 characters). `name`: shown to the agent
 * (1–80 characters, optional). `exp`: seconds since the epoch; keep it short
 * (minutes): whoever holds the string can start chats as that user until then.
 */

export interface VisitorIdentity {
  userId: string;
  name?: string;
  exp: number;
}

/** Clock skew tolerated between the website's server and the broker. */
export const IDENTITY_LEEWAY_S = 30;
/** Identities whose `exp` is further ahead than this are refused: whoever holds one can start chats as that user until then. */
export const DEFAULT_MAX_IDENTITY_TTL_MS = 60 * 60_000;

/** For tests and the README: what a website's server does (any language with HMAC-SHA256 works). */
export function signVisitorIdentity(identity: VisitorIdentity, siteSecret: string): string {
  return signToken({ ...identity }, siteSecret);
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Verifies a visitor identity, or throws an HttpError that says exactly what is
 * wrong (the integrator reads these while wiring it up; none reveals the secret).
 */
export function verifyVisitorIdentity(token: string, siteSecret: string, nowMs = Date.now(), maxTtlMs = DEFAULT_MAX_IDENTITY_TTL_MS): VisitorIdentity {
  const r = verifySignedToken(token, siteSecret, nowMs, IDENTITY_LEEWAY_S);
  if (!r.ok) {
    switch (r.reason) {
      case 'malformed':
        throw new HttpError(400, 'identity_malformed', 'identity is not of the form base64url(JSON{userId, name?, exp}).base64url(HMAC-SHA256)');
      case 'bad_signature':
        throw new HttpError(401, 'identity_invalid', 'identity signature does not match: it was altered or signed with another secret');
      case 'expired':
        throw new HttpError(401, 'identity_expired', 'identity has expired; the website must sign a fresh one');
    }
  }
  const { userId, name, exp } = r.payload;
  if ((exp as number) * 1000 - nowMs > maxTtlMs + IDENTITY_LEEWAY_S * 1000) {
    throw new HttpError(
      401,
      'identity_lifetime',
      `identity expires too far ahead: exp may be at most ${Math.floor(maxTtlMs / 1000)} s from now; sign identities for minutes`,
    );
  }
  if (typeof userId !== 'string' || userId.length < 1 || userId.length > 128 || CONTROL.test(userId)) {
    throw new HttpError(400, 'identity_malformed', 'identity.userId must be a string of 1 to 128 characters');
  }
  let display: string | undefined;
  if (name !== undefined) {
    display = typeof name === 'string' ? name.trim() : '';
    if (display.length < 1 || display.length > 80 || CONTROL.test(display)) {
      throw new HttpError(400, 'identity_malformed', 'identity.name must be a string of 1 to 80 characters');
    }
  }
  return { userId, ...(display ? { name: display } : {}), exp: exp as number };
}
