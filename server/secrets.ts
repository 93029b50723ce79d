import { createHash, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';

/** Unguessable token, URL-safe (fits in headers, Janus JSON, localStorage). */
export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

export function randomId(): string {
  return randomUUID();
}

/** Short anonymous name shown to agents until the visitor gives one. */
export function visitorName(): string {
  return `Visitor ${randomInt(1000, 10000)}`;
}

/**
 * Constant-time comparison of two secrets. Hashing first makes both sides the
 * same length, so the length of the stored secret does not leak either.
 */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
