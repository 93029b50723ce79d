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

/** Shared secrets (HMAC keys) shorter than this are refused at startup: 32 bytes is the HMAC-SHA256 key size. */
export const MIN_SECRET_BYTES = 32;

/** Throws `<name> must be at least 32 bytes (got N)` for a secret that is set but too short. */
export function checkSecretLength(name: string, value: string | undefined): void {
  if (value === undefined) return;
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes < MIN_SECRET_BYTES) throw new Error(`${name} must be at least ${MIN_SECRET_BYTES} bytes (got ${bytes})`);
}
