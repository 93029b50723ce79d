import * as v from '../src/protocol/schema.js';
import { exportPublicKey, issueCertificate, PublicKeyJwkSchema, type PublicKeyJwk, type Role } from '../src/protocol/index.js';

/**
 * The broker's certificate authority: one ECDSA P-256 key that vouches for
 * every participant's signing key ("in conversation cid, key kid speaks for
 * sub in role"). Receivers only trust envelopes whose key carries such a
 * certificate (src/protocol/signing.ts).
 *
 * Everything about where the key comes from lives here, so that keeping it in
 * the database later only changes `loadAuthority`.
 */

export interface CertificateClaim {
  cid: string;
  role: Role;
  sub: string;
  publicKey: PublicKeyJwk;
  /** Seconds since the epoch. */
  iat: number;
  /** Seconds since the epoch. */
  exp: number;
}

export interface CertificateAuthority {
  /** Goes into every descriptor (`auth.authority`): verifies every certificate. */
  readonly publicJwk: PublicKeyJwk;
  certify(claim: CertificateClaim): Promise<{ cert: string; kid: string }>;
}

const ECDSA_KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const ECDSA_SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

const PrivateKeyJwkSchema = v.object({
  kty: v.literal('EC'),
  crv: v.literal('P-256'),
  x: v.string(),
  y: v.string(),
  d: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{43}$/)),
});

export const AUTHORITY_KEY_FORMAT = 'a P-256 private key as JWK: {"kty":"EC","crv":"P-256","x":…,"y":…,"d":…}';

/**
 * The authority from `privateJwk` (BrokerOptions.authorityKey or
 * BROKER_AUTHORITY_KEY), or a fresh one for this process. A fresh key means
 * certificates die with the process, which is what an in-memory broker wants:
 * its conversations die with it too.
 */
export async function loadAuthority(privateJwk?: JsonWebKey, name = 'authorityKey'): Promise<CertificateAuthority> {
  if (privateJwk === undefined) {
    const pair = (await crypto.subtle.generateKey(ECDSA_KEY, false, ['sign', 'verify'])) as CryptoKeyPair;
    return authority(pair.privateKey, await exportPublicKey(pair.publicKey));
  }
  const parsed = v.safeParse(PrivateKeyJwkSchema, privateJwk);
  const pub = v.safeParse(PublicKeyJwkSchema, privateJwk);
  if (!parsed.success || !pub.success) throw new Error(`${name} must be ${AUTHORITY_KEY_FORMAT}`);
  const { kty, crv, x, y, d } = parsed.output;
  let privateKey: CryptoKey;
  let publicKey: CryptoKey;
  try {
    privateKey = await crypto.subtle.importKey('jwk', { kty, crv, x, y, d }, ECDSA_KEY, false, ['sign']);
    publicKey = await crypto.subtle.importKey('jwk', { kty, crv, x, y }, ECDSA_KEY, false, ['verify']);
  } catch (e) {
    throw new Error(`${name} is not a usable P-256 key (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  // WebCrypto does not promise to check that d belongs to (x, y); a mismatch would
  // only show up as certificates nobody can verify. Sign once and see.
  const probe = new TextEncoder().encode('authority key check');
  const sig = await crypto.subtle.sign(ECDSA_SIGN, privateKey, probe);
  if (!(await crypto.subtle.verify(ECDSA_SIGN, publicKey, sig, probe))) {
    throw new Error(`${name}: its private part (d) does not belong to its public part (x, y)`);
  }
  return authority(privateKey, pub.output);
}

function authority(privateKey: CryptoKey, publicJwk: PublicKeyJwk): CertificateAuthority {
  return {
    publicJwk,
    certify: (claim) => issueCertificate(claim, privateKey),
  };
}

/** A new authority key as a private JWK, for operators who want one key across restarts (BROKER_AUTHORITY_KEY). */
export async function generateAuthorityKey(): Promise<JsonWebKey> {
  const pair = (await crypto.subtle.generateKey(ECDSA_KEY, true, ['sign', 'verify'])) as CryptoKeyPair;
  const { kty, crv, x, y, d } = await crypto.subtle.exportKey('jwk', pair.privateKey);
  return { kty, crv, x, y, d };
}
