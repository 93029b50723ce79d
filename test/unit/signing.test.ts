// Message authentication (src/protocol/signing.ts) and the who-may-send-what
// table (src/protocol/senders.ts), with real WebCrypto keys.
import { expect } from '@open-wc/testing';
import {
  base64urlDecode,
  base64urlEncode,
  createEnvelope,
  EnvelopeSigner,
  EnvelopeVerifier,
  exportPublicKey,
  generateSigningKeyPair,
  issueCertificate,
  SENDERS,
  verifyCertificate,
  type BodyOf,
  type PublicKeyJwk,
  type Role,
  type WireType,
} from '../../src/protocol/index.js';

const CID = 'conv-signing';

interface Party {
  role: Role;
  id: string;
  signer: EnvelopeSigner;
  cert: string;
}

async function authority(): Promise<{ keys: CryptoKeyPair; jwk: PublicKeyJwk }> {
  const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  return { keys, jwk: await exportPublicKey(keys.publicKey) };
}

async function party(auth: CryptoKeyPair, role: Role, id: string, cid = CID, expS = 3600): Promise<Party> {
  const pair = await generateSigningKeyPair();
  const publicKey = await exportPublicKey(pair.publicKey);
  const now = Math.floor(Date.now() / 1000);
  const { cert, kid } = await issueCertificate({ cid, role, sub: id, publicKey, iat: now, exp: now + expS }, auth.privateKey);
  return { role, id, signer: new EnvelopeSigner(cid, kid, pair.privateKey), cert };
}

/** A valid body for every wire type: the table walk below sends each type from each role. */
const SAMPLE: { [T in WireType]: BodyOf<T> } = {
  'chat.message': { text: 'hello', seq: 0 },
  'chat.typing': { active: true },
  'chat.read': { upTo: 'm-1' },
  ack: { ids: ['m-1'] },
  'key.cert': { cert: 'replaced-per-sender' },
  'video.invite': { mode: 'two-way' },
  'video.answer': { inviteId: 'i-1', accept: 'two-way' },
  'video.start': { mode: 'two-way', session: 's-1' },
  'video.end': { session: 's-1' },
  'video.publish': { session: 's-1', feed: 'feed-1' },
  'media.state': { audio: true, video: true },
  'media.network': { session: 'v1', step: 'video-off' },
  'page.push': { url: 'https://example.com/' },
  'page.opened': { pushId: 'p-1' },
  'customer.linked': { name: 'Casey' },
  'cobrowse.offer': {},
  'cobrowse.answer': { offerId: 'o-1', accept: true },
  'cobrowse.chunk': { stream: 's', seq: 0, part: 0, parts: 1, data: 'AAAA' },
  'cobrowse.resync': {},
  'cobrowse.pointer': { x: 0.5, y: 0.5 },
  'cobrowse.highlight': { stream: 's', node: 1 },
  'cobrowse.control-request': {},
  'cobrowse.control-grant': { requestId: 'r-1', granted: true },
  'cobrowse.action': { stream: 's', kind: 'click', node: 1 },
  'cobrowse.action-result': { stream: 's', kind: 'input', node: 1, ok: false, code: 'secret' },
  'cobrowse.stop': {},
};

describe('base64url', () => {
  it('accepts only the canonical spelling', () => {
    const bytes = new Uint8Array(32).map((_, i) => i * 7 + 1);
    const text = base64urlEncode(bytes);
    expect(base64urlDecode(text)).to.deep.equal(bytes);
    // 32 bytes leave 2 unused bits in the last character: three other spellings decode to the same bytes.
    const last = text.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const base = alphabet.indexOf(last) & ~3;
    for (let i = 0; i < 4; i++) {
      const variant = text.slice(0, -1) + alphabet[base + i];
      if (variant !== text) expect(base64urlDecode(variant), variant).to.equal(undefined);
    }
    expect(base64urlDecode('a+b/')).to.equal(undefined);
  });
});

describe('broker certificates', () => {
  it('verify against the authority, for their conversation only, until they expire', async () => {
    const auth = await authority();
    const key = await crypto.subtle.importKey('jwk', { ...auth.jwk, ext: true }, { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']);
    const p = await party(auth.keys, 'customer', 'c-1');
    const ok = await verifyCertificate(p.cert, key, CID);
    expect(ok.ok).to.equal(true);
    if (ok.ok) expect(ok.cert).to.include({ role: 'customer', sub: 'c-1', cid: CID });
    expect((await verifyCertificate(p.cert, key, 'other-conversation')).ok, 'other conversation').to.equal(false);
    expect((await verifyCertificate(p.cert, key, CID, Date.now() + 2 * 3600_000)).ok, 'expired').to.equal(false);
    const other = await authority();
    const forged = await party(other.keys, 'agent', 'c-1');
    expect((await verifyCertificate(forged.cert, key, CID)).ok, 'another authority').to.equal(false);
    // Re-labelled payload with the original signature.
    const [body, sig] = p.cert.split('.');
    const payload = JSON.parse(atob(body.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
    const relabelled = base64urlEncode(new TextEncoder().encode(JSON.stringify({ ...payload, role: 'agent' })));
    expect((await verifyCertificate(`${relabelled}.${sig}`, key, CID)).ok, 're-labelled').to.equal(false);
  });
});

describe('signed envelopes', () => {
  let auth: Awaited<ReturnType<typeof authority>>;
  let agent: Party;
  let customer: Party;
  let verifier: EnvelopeVerifier;

  beforeEach(async () => {
    auth = await authority();
    agent = await party(auth.keys, 'agent', 'ann');
    customer = await party(auth.keys, 'customer', 'c-1');
    verifier = new EnvelopeVerifier(CID, auth.jwk);
    for (const p of [agent, customer]) expect((await verifier.addCertificate(p.cert)).ok).to.equal(true);
  });

  const seal = <T extends WireType>(p: Party, type: T, body: BodyOf<T>, from = p.id) => p.signer.seal(createEnvelope(type, from, body));

  it('open what the certified key signed, and say who signed it', async () => {
    const r = await verifier.open(await seal(customer, 'chat.message', { text: 'hi "there"', seq: 0 }));
    expect(r.kind).to.equal('ok');
    if (r.kind === 'ok') expect(r.sender).to.include({ role: 'customer', sub: 'c-1' });
  });

  it('refuse tampering, another conversation, a claimed sender that is not the signer, and unsigned text', async () => {
    const wire = await seal(customer, 'chat.message', { text: 'pay 10', seq: 0 });
    const tampered = await verifier.open(wire.replace('pay 10', 'pay 99'));
    expect(tampered).to.deep.equal({ kind: 'invalid', reason: 'bad signature' });
    const elsewhere = new EnvelopeVerifier('other', auth.jwk);
    await elsewhere.addCertificate(customer.cert);
    expect((await elsewhere.open(wire)).kind, 'certificate is for another conversation').to.equal('unknown-key');
    const posing = await verifier.open(await seal(agent, 'chat.message', { text: 'I am the customer', seq: 0 }, 'c-1'));
    expect(posing.kind).to.equal('invalid');
    if (posing.kind === 'invalid') expect(posing.reason).to.match(/sender mismatch/);
    const unsigned = JSON.stringify({ ...createEnvelope('chat.message', 'c-1', { text: 'x', seq: 0 }), kid: customer.signer.kid });
    expect((await verifier.open(unsigned)).kind).to.equal('invalid');
    expect((await verifier.open('x'.repeat(70_000))).kind).to.equal('invalid');
  });

  it('hold a key it has no certificate for, and learn it from the key’s own key.cert', async () => {
    const late = await party(auth.keys, 'agent', 'bob');
    const wire = await seal(late, 'chat.message', { text: 'hello', seq: 0 });
    expect(await verifier.open(wire)).to.deep.equal({ kind: 'unknown-key', kid: late.signer.kid });
    const intro = await verifier.open(await seal(late, 'key.cert', { cert: late.cert }));
    expect(intro.kind).to.equal('ok');
    expect((await verifier.open(wire)).kind).to.equal('ok');
    // A certificate from another authority introduces nobody.
    const other = await authority();
    const stranger = await party(other.keys, 'agent', 'eve');
    expect((await verifier.open(await seal(stranger, 'key.cert', { cert: stranger.cert }))).kind).to.equal('invalid');
  });

  // Acceptance 3 of issue 9: every type from every wrong role is refused; from the right role it passes.
  for (const type of Object.keys(SENDERS) as WireType[]) {
    it(`${type}: accepted only from ${SENDERS[type].join(' and ')}`, async () => {
      for (const p of [agent, customer]) {
        const body = type === 'key.cert' ? { cert: p.cert } : SAMPLE[type];
        const r = await verifier.open(await seal(p, type, body as BodyOf<typeof type>));
        if (SENDERS[type].includes(p.role)) expect(r.kind, `${type} from ${p.role}`).to.equal('ok');
        else expect(r, `${type} from ${p.role}`).to.deep.equal({ kind: 'invalid', reason: `a ${p.role} may not send ${type}` });
      }
    });
  }
});
