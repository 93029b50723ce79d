// Signing keys for the broker tests: every create, claim and /keys request carries the
// public half of a participant's P-256 key, made the way the browser makes it.
import { exportPublicKey, generateSigningKeyPair, type PublicKeyJwk } from '../../src/protocol/index.js';

/** A fresh participant public key (JWK). */
export async function newPublicKey(): Promise<PublicKeyJwk> {
  return exportPublicKey((await generateSigningKeyPair()).publicKey);
}

/** `body` with a fresh `publicKey` (unless it has one), for POST /api/conversations and /claim. */
export async function keyed<T extends object>(body: T): Promise<T & { publicKey: PublicKeyJwk }> {
  return { publicKey: await newPublicKey(), ...body };
}
