import * as v from './schema.js';
import { RoleSchema, type Role } from './role.js';
import {
  KeyIdSchema,
  MAX_CERTIFICATE_LENGTH,
  MAX_ENVELOPE_BYTES,
  PROTOCOL_VERSION,
  parseEnvelope,
  type UnsignedEnvelope,
  type WireMessage,
} from './envelope.js';
import { maySend } from './senders.js';

/**
 * Message authentication. Room usernames and feed ids are chosen by the
 * clients, so the wire alone proves nothing about who said what. Instead:
 *
 * - Each participant makes an ECDSA P-256 key pair in its browser (private
 *   half non-extractable) and registers the public half with the broker over
 *   its authenticated channel (customer: create or resume key; agent: its
 *   bearer token at claim).
 * - The broker answers with a **certificate**: it signs, with its own
 *   authority key, "in conversation `cid`, key `kid` (x, y) speaks for
 *   participant `sub` in role `role` until `exp`":
 *
 *       base64url(JSON{v:1, cid, role, sub, kid, x, y, iat, exp}) + "." + base64url(ECDSA-P256-SHA256(authority, <first part>))
 *
 * - Every envelope carries `kid` and `sig`: an ECDSA P-256 SHA-256 signature
 *   over `cid + "\n" + JSON(envelope without sig)`. The conversation id is
 *   signed but not sent, so nothing signed in one conversation verifies in
 *   another.
 * - Receivers know the authority's public key from their descriptor, verify
 *   certificates with it, verify each envelope against the certificate its
 *   `kid` names, then check `from` against the certificate and the type
 *   against the role (senders.ts). Everything else is dropped.
 *
 * Only WebCrypto is used, so the same code runs in browsers and in Node (the
 * broker issues certificates with it; the archive verifies with it).
 */

const B64U = /^[A-Za-z0-9_-]*$/;
const COORD = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{43}$/, 'a P-256 coordinate is 43 base64url characters'));

/** A P-256 public key as JWK. Extra members (ext, key_ops, …) are accepted and dropped. */
export const PublicKeyJwkSchema = v.pipe(
  v.object({ kty: v.literal('EC'), crv: v.literal('P-256'), x: COORD, y: COORD }),
  v.transform(({ x, y }) => ({ kty: 'EC' as const, crv: 'P-256' as const, x, y })),
);
export type PublicKeyJwk = v.InferOutput<typeof PublicKeyJwkSchema>;

/** Broker certificate: what the authority signs about one participant's key. */
export const CertificatePayloadSchema = v.strictObject({
  v: v.literal(1),
  cid: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
  role: RoleSchema,
  sub: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
  kid: KeyIdSchema,
  x: COORD,
  y: COORD,
  /** Issued at / expires, seconds since the epoch. */
  iat: v.pipe(v.number(), v.integer(), v.minValue(0)),
  exp: v.pipe(v.number(), v.integer(), v.minValue(0)),
});
export type CertificatePayload = v.InferOutput<typeof CertificatePayloadSchema>;

/** What the descriptor tells a participant about authentication in its conversation. */
export const ConversationAuthSchema = v.object({
  /** The broker's public key: verifies every certificate. */
  authority: PublicKeyJwkSchema,
  /** Certificates issued in this conversation so far (both sides; more arrive in-band). */
  certs: v.pipe(v.array(v.pipe(v.string(), v.maxLength(MAX_CERTIFICATE_LENGTH))), v.maxLength(32)),
});
export type ConversationAuth = v.InferOutput<typeof ConversationAuthSchema>;

export interface VerifiedCertificate {
  cid: string;
  role: Role;
  sub: string;
  kid: string;
  /** Seconds since the epoch. */
  exp: number;
  key: CryptoKey;
  text: string;
}

const ECDSA_KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const ECDSA_SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const utf8 = new TextEncoder();

// ---- base64url ----------------------------------------------------------------------------

export function base64urlEncode(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Decodes base64url and accepts only the canonical spelling (the one
 * base64urlEncode produces): unused trailing bits must be zero, so no text
 * has two spellings that decode the same.
 */
export function base64urlDecode(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!B64U.test(text) || text.length % 4 === 1) return undefined;
  let bin: string;
  try {
    bin = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4));
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return base64urlEncode(bytes) === text ? bytes : undefined;
}

// ---- keys ---------------------------------------------------------------------------------

/** A key's id: the first 128 bits of SHA-256 over its coordinates, base64url. */
export async function keyIdOf(jwk: { x: string; y: string }): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', utf8.encode(`P-256:${jwk.x}:${jwk.y}`));
  return base64urlEncode(new Uint8Array(digest).subarray(0, 16));
}

/** A fresh signing key pair; the private half cannot be exported (it can still be kept in IndexedDB). */
export function generateSigningKeyPair(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(ECDSA_KEY, false, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

export async function exportPublicKey(key: CryptoKey): Promise<PublicKeyJwk> {
  return v.parse(PublicKeyJwkSchema, await crypto.subtle.exportKey('jwk', key));
}

export function importPublicKey(jwk: PublicKeyJwk): Promise<CryptoKey> {
  return crypto.subtle.importKey('jwk', { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, ext: true }, ECDSA_KEY, true, ['verify']);
}

async function verifyBytes(key: CryptoKey, sig: string, data: Uint8Array<ArrayBuffer>): Promise<boolean> {
  const bytes = base64urlDecode(sig);
  if (!bytes || bytes.length !== 64) return false;
  try {
    return await crypto.subtle.verify(ECDSA_SIGN, key, bytes, data);
  } catch {
    return false;
  }
}

async function signBytes(key: CryptoKey, data: Uint8Array<ArrayBuffer>): Promise<string> {
  return base64urlEncode(new Uint8Array(await crypto.subtle.sign(ECDSA_SIGN, key, data)));
}

// ---- certificates -------------------------------------------------------------------------

/** Broker side: certifies `publicKey` for one participant of one conversation. */
export async function issueCertificate(
  claim: { cid: string; role: Role; sub: string; publicKey: PublicKeyJwk; iat: number; exp: number },
  authorityPrivateKey: CryptoKey,
): Promise<{ cert: string; kid: string }> {
  const kid = await keyIdOf(claim.publicKey);
  const payload: CertificatePayload = { v: 1, cid: claim.cid, role: claim.role, sub: claim.sub, kid, x: claim.publicKey.x, y: claim.publicKey.y, iat: claim.iat, exp: claim.exp };
  const body = base64urlEncode(utf8.encode(JSON.stringify(payload)));
  return { cert: `${body}.${await signBytes(authorityPrivateKey, utf8.encode(body))}`, kid };
}

export type CertificateCheck = { ok: true; cert: VerifiedCertificate } | { ok: false; reason: string };

/**
 * Verifies a certificate against the authority key, for conversation `cid`,
 * at `nowMs`. The payload is parsed only once the signature holds.
 */
export async function verifyCertificate(text: string, authority: CryptoKey, cid: string, nowMs = Date.now()): Promise<CertificateCheck> {
  if (text.length > MAX_CERTIFICATE_LENGTH) return { ok: false, reason: 'certificate too long' };
  const parts = text.split('.');
  if (parts.length !== 2) return { ok: false, reason: 'certificate malformed' };
  const [body, sig] = parts;
  if (!B64U.test(body)) return { ok: false, reason: 'certificate malformed' };
  if (!(await verifyBytes(authority, sig, utf8.encode(body)))) return { ok: false, reason: 'certificate not signed by this conversation’s broker' };
  const bytes = base64urlDecode(body);
  if (!bytes) return { ok: false, reason: 'certificate malformed' };
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return { ok: false, reason: 'certificate malformed' };
  }
  const parsed = v.safeParse(CertificatePayloadSchema, data);
  if (!parsed.success) return { ok: false, reason: `certificate malformed: ${parsed.issues[0].message}` };
  const p = parsed.output;
  if (p.cid !== cid) return { ok: false, reason: 'certificate is for another conversation' };
  if (p.exp * 1000 <= nowMs) return { ok: false, reason: 'certificate expired' };
  if ((await keyIdOf(p)) !== p.kid) return { ok: false, reason: 'certificate key id does not match its key' };
  const key = await importPublicKey({ kty: 'EC', crv: 'P-256', x: p.x, y: p.y });
  return { ok: true, cert: { cid: p.cid, role: p.role, sub: p.sub, kid: p.kid, exp: p.exp, key, text } };
}

// ---- envelopes ----------------------------------------------------------------------------

function signedInput(cid: string, json: string): Uint8Array<ArrayBuffer> {
  return utf8.encode(`${cid}\n${json}`);
}

/** Signs envelopes of one participant in one conversation. Signatures come out in call order. */
export class EnvelopeSigner {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly conversationId: string,
    readonly kid: string,
    private readonly privateKey: CryptoKey,
  ) {}

  /** The wire text of `env`, signed: JSON with `kid` and, last, `sig`. */
  seal(env: UnsignedEnvelope): Promise<string> {
    const json = JSON.stringify({ ...env, kid: this.kid });
    const next = this.chain.then(async () => {
      const sig = await signBytes(this.privateKey, signedInput(this.conversationId, json));
      // Same text as JSON.stringify({...env, kid, sig}), without serializing twice.
      return `${json.slice(0, -1)},"sig":"${sig}"}`;
    });
    this.chain = next.catch(() => {});
    return next;
  }
}

export type OpenResult =
  | { kind: 'ok'; message: WireMessage; sender: VerifiedCertificate }
  /** Signed with a key we have no certificate for (yet): hold it until `key.cert` arrives, or drop it. */
  | { kind: 'unknown-key'; kid: string }
  | { kind: 'invalid'; reason: string };

const SIG = /^[A-Za-z0-9_-]{86}$/;

/**
 * Opens envelopes of one conversation: verifies certificates against the
 * authority, signatures against certificates, `from` against the signer, and
 * the message type against the signer's role. The one gate every received
 * envelope passes, in the browser and in the broker's archive alike.
 */
export class EnvelopeVerifier {
  private authority?: CryptoKey;
  private readonly certs = new Map<string, VerifiedCertificate>();

  constructor(
    readonly conversationId: string,
    private readonly authorityJwk: PublicKeyJwk,
    /** Most certificates kept; past this, new ones are refused (a conversation has a handful). */
    private readonly maxCertificates = 64,
  ) {}

  private async authorityKey(): Promise<CryptoKey> {
    this.authority ??= await importPublicKey(this.authorityJwk);
    return this.authority;
  }

  /** Verifies and keeps a certificate. Known ones are not verified again. */
  async addCertificate(text: string, nowMs = Date.now()): Promise<CertificateCheck> {
    for (const c of this.certs.values()) if (c.text === text) return { ok: true, cert: c };
    const r = await verifyCertificate(text, await this.authorityKey(), this.conversationId, nowMs);
    if (!r.ok) return r;
    const known = this.certs.get(r.cert.kid);
    if (known && (known.role !== r.cert.role || known.sub !== r.cert.sub)) return { ok: false, reason: 'key certified twice for different participants' };
    if (!known && this.certs.size >= this.maxCertificates) return { ok: false, reason: 'too many certificates' };
    this.certs.set(r.cert.kid, r.cert);
    return r;
  }

  certificate(kid: string): VerifiedCertificate | undefined {
    return this.certs.get(kid);
  }

  /** Every certificate known, e.g. to tell which keys are our own. */
  certificates(): VerifiedCertificate[] {
    return [...this.certs.values()];
  }

  async open(raw: string, nowMs = Date.now()): Promise<OpenResult> {
    if (raw.length > MAX_ENVELOPE_BYTES) return { kind: 'invalid', reason: `envelope larger than ${MAX_ENVELOPE_BYTES} bytes` };
    let data: unknown;
    try {
      data = JSON.parse(raw);
    } catch {
      return { kind: 'invalid', reason: 'not JSON' };
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return { kind: 'invalid', reason: 'envelope is not an object' };
    const obj = data as Record<string, unknown>;
    if (obj.v !== PROTOCOL_VERSION) return { kind: 'invalid', reason: `unsupported protocol version ${String(obj.v)}` };
    const { sig, ...unsigned } = obj;
    if (typeof sig !== 'string' || !SIG.test(sig)) return { kind: 'invalid', reason: 'unsigned or malformed signature' };
    const parsed = parseEnvelope(unsigned);
    if (!parsed.ok) return { kind: 'invalid', reason: parsed.reason };
    const message = parsed.message;
    let cert = this.certs.get(message.kid);
    if (!cert && message.type === 'key.cert') {
      // A certificate introduces itself: verified against the authority, then it must have signed this very envelope.
      const added = await this.addCertificate(message.body.cert, nowMs);
      if (!added.ok) return { kind: 'invalid', reason: added.reason };
      cert = this.certs.get(message.kid);
    }
    if (!cert) return { kind: 'unknown-key', kid: message.kid };
    if (cert.exp * 1000 <= nowMs) return { kind: 'invalid', reason: 'signer’s certificate expired' };
    if (!(await verifyBytes(cert.key, sig, signedInput(this.conversationId, JSON.stringify(unsigned))))) {
      return { kind: 'invalid', reason: 'bad signature' };
    }
    if (message.from !== cert.sub) return { kind: 'invalid', reason: `sender mismatch: envelope says ${message.from}, its key belongs to ${cert.sub}` };
    if (!maySend(message.type, cert.role)) return { kind: 'invalid', reason: `a ${cert.role} may not send ${message.type}` };
    if (message.type === 'key.cert' && message.body.cert !== cert.text) {
      const other = await this.addCertificate(message.body.cert, nowMs);
      if (!other.ok || other.cert.sub !== cert.sub || other.cert.role !== cert.role) return { kind: 'invalid', reason: 'key.cert for someone else' };
    }
    return { kind: 'ok', message, sender: cert };
  }
}
