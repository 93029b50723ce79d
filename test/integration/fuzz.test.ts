// Issue 9, acceptance 2: 10,000 mutated envelopes thrown at a live
// conversation (real Janus, both real clients in this Chromium page) from
// connections holding the participants' own tokens and keys: wrong types,
// wrong senders, wrong roles, wrong connections, replayed ids, bad signatures,
// other conversations, unknown keys, forged certificates, oversized and
// malformed text. Nothing may start a capture or a recording or change state
// that only the other side may change; each envelope is reported exactly once
// on each side; chat keeps working.
import { expect } from '@open-wc/testing';
import {
  createEnvelope,
  EnvelopeSigner,
  exportPublicKey,
  generateSigningKeyPair,
  issueCertificate,
  type BodyOf,
  type WireType,
} from '../../src/protocol/index.js';
import { Conversation, sessionConsentStore, type TranscriptEntry } from '../../src/session/index.js';
import { newConversation, waitFor } from '../helpers/env.js';
import { rogueClient, spyOnCapture, type Rogue } from '../helpers/rogue.js';

const TOTAL = 10_000;
const texts = (c: Conversation) => c.state.transcript.filter((e): e is Extract<TranscriptEntry, { kind: 'message' }> => e.kind === 'message').map((m) => m.text);

const CUSTOMER_ONLY: Array<[WireType, unknown]> = [
  ['video.answer', { inviteId: 'i-1', accept: 'two-way' }],
  ['video.start', { mode: 'two-way', session: 's-fuzz' }],
  ['cobrowse.answer', { offerId: 'o-1', accept: true }],
  ['cobrowse.control-grant', { requestId: 'r-1', granted: true }],
  ['cobrowse.chunk', { stream: 's', seq: 0, part: 0, parts: 1, data: 'AAAA' }],
  ['page.opened', { pushId: 'p-1' }],
];
const AGENT_ONLY: Array<[WireType, unknown]> = [
  ['video.invite', { mode: 'two-way' }],
  ['page.push', { url: 'https://evil.example/' }],
  ['customer.linked', { name: 'Fake Record' }],
  ['cobrowse.offer', {}],
  ['cobrowse.control-request', {}],
  ['cobrowse.action', { stream: 's', kind: 'click', node: 1 }],
  ['cobrowse.pointer', { x: 0.5, y: 0.5 }],
];

describe('fuzz: 10,000 bad envelopes at a live conversation', () => {
  let spy: ReturnType<typeof spyOnCapture> | undefined;
  const rogues: Rogue[] = [];
  const open: Conversation[] = [];
  after(() => {
    spy?.restore();
    for (const r of rogues) r.dispose();
    for (const c of open) c.dispose();
  });

  it('nothing starts, nothing changes, each is reported once, chat goes on', async function () {
    this.timeout(120_000);
    const { customer: grant, agent } = await newConversation('Fuzzy');
    const customerId = grant.descriptor.self.id;
    const agentId = agent.self.id;
    const c = new Conversation({ consent: sessionConsentStore() });
    const a = new Conversation();
    open.push(c, a);
    const errors = { c: 0, a: 0 };
    c.addEventListener('protocol-error', () => errors.c++);
    a.addEventListener('protocol-error', () => errors.a++);
    await Promise.all([c.connect(grant.descriptor), a.connect(agent)]);
    await waitFor(() => c.state.peer?.online === true && a.state.peer?.online === true, 'both online');
    // Some real traffic first: its ids are what the replays reuse.
    const seenIds = [c.send('before one').id, a.send('before two').id, c.send('before three').id];
    await waitFor(() => texts(a).includes('before three') && texts(c).includes('before two'), 'warm-up delivered');
    await new Promise((r) => setTimeout(r, 300));
    spy = spyOnCapture();
    const stateBefore = JSON.stringify({ v: c.state.video.phase, cb: c.state.cobrowse?.phase, av: a.state.video.phase, acb: a.state.cobrowse?.phase });

    // Three connections with real credentials: the agent's (named right, and named like the customer), the customer's.
    const ra = await rogueClient(agent, `${agentId}~fuzz-a`);
    const rx = await rogueClient(agent, `${customerId}~fuzz-x`);
    const rc = await rogueClient(grant.descriptor, `${customerId}~fuzz-c`);
    rogues.push(ra, rx, rc);
    // Forged certificates: a key certified by some other authority.
    const otherAuthority = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    const strangerKey = await generateSigningKeyPair();
    const now = Math.floor(Date.now() / 1000);
    const stranger = await issueCertificate({ cid: grant.descriptor.id, role: 'agent', sub: agentId, publicKey: await exportPublicKey(strangerKey.publicKey), iat: now, exp: now + 600 }, otherAuthority.privateKey);
    const strangerSigner = new EnvelopeSigner(grant.descriptor.id, stranger.kid, strangerKey.privateKey);
    const elsewhere = new EnvelopeSigner('another-conversation', ra.signer.kid, ra.identity.keyPair.privateKey);

    const pick = <T>(xs: readonly T[], i: number) => xs[i % xs.length];
    let n = 0;
    const msg = (i: number) => ({ text: `fuzz ${i}`, seq: 100_000 + i });
    type Shot = { via: Rogue; text: string | Promise<string> };
    const kinds: Array<(i: number) => Shot> = [
      (i) => ({ via: ra, text: ra.signer.seal({ ...createEnvelope('chat.message', agentId, msg(i)), type: 'chat.evil' as WireType }) }),
      (i) => { const [t, b] = pick(CUSTOMER_ONLY, i); return { via: ra, text: ra.seal(t, b as BodyOf<typeof t>) }; },
      (i) => { const [t, b] = pick(AGENT_ONLY, i); return { via: rc, text: rc.seal(t, b as BodyOf<typeof t>) }; },
      (i) => ({ via: ra, text: ra.seal('chat.message', msg(i), { from: i % 2 ? customerId : `x-${i}` }) }),
      (i) => ({ via: rx, text: rx.seal('chat.message', msg(i)) }),
      (i) => ({ via: ra, text: ra.seal('chat.message', msg(i), { id: pick(seenIds, i) }) }),
      (i) => ({ via: rc, text: rc.seal('chat.message', msg(i)).then((w) => w.replace(/"sig":"(.{40})(.)/, (_m, head: string, ch: string) => `"sig":"${head}${ch === 'A' ? 'B' : 'A'}`)) }),
      (i) => ({ via: ra, text: elsewhere.seal(createEnvelope('chat.message', agentId, msg(i))) }),
      (i) => ({ via: rc, text: JSON.stringify({ ...createEnvelope('chat.message', customerId, msg(i)), kid: rc.signer.kid }) }),
      (i) => ({ via: ra, text: ra.seal('chat.message', msg(i)).then((w) => w.slice(0, Math.floor(w.length / 2))) }),
      (i) => ({ via: rc, text: JSON.stringify({ ...createEnvelope('chat.message', customerId, msg(i)), v: 1 }) }),
      (i) => ({ via: ra, text: pick(['[]', 'null', '42', '"text"', '{}'], i) }),
      () => ({ via: ra, text: strangerSigner.seal(createEnvelope('key.cert', agentId, { cert: stranger.cert })) }),
      (i) => ({ via: rc, text: rc.seal('key.cert', { cert: `garbage.${i}` }) }),
      (i) => ({ via: ra, text: ra.seal('video.end', { session: `s-${i}` }).then((w) => w.replace(/"kid":"[^"]+"/, '"kid":"unknownunknownunknown0"')) }),
    ];
    const shots: Shot[] = [];
    for (let i = 0; i < TOTAL; i++) {
      // Oversized ones are rare: 1 in 200 is plenty to cover them, and cheap on the wire.
      if (i % 200 === 199) shots.push({ via: pick([ra, rc], i), text: JSON.stringify({ ...createEnvelope('chat.message', agentId, { text: 'x'.repeat(3000), seq: i }), pad: 'y'.repeat(40_000) }) });
      else shots.push(kinds[n++ % kinds.length](i));
    }
    const wires = await Promise.all(shots.map((s) => s.text));

    // Paced under each connection's rate limit (300/s), the three connections in parallel.
    const started = performance.now();
    await Promise.all([ra, rx, rc].map(async (via) => {
      const mine = wires.filter((_, i) => shots[i].via === via);
      for (let i = 0; i < mine.length; i += 25) {
        const t0 = performance.now();
        await Promise.all(mine.slice(i, i + 25).map((w) => via.send(w)));
        const wait = 100 - (performance.now() - t0);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    }));
    const sentMs = performance.now() - started;
    // Envelopes signed with an unknown key wait 10 s for a certificate before they are reported.
    await waitFor(() => errors.c >= TOTAL && errors.a >= TOTAL, `every envelope reported (c ${errors.c}, a ${errors.a} of ${TOTAL})`, 40_000);
    await new Promise((r) => setTimeout(r, 1000));
    console.log(`fuzz: ${TOTAL} envelopes sent in ${Math.round(sentMs)} ms; reported c=${errors.c} a=${errors.a}`);

    expect(errors.c, 'customer: each bad envelope reported once').to.equal(TOTAL);
    expect(errors.a, 'agent: each bad envelope reported once').to.equal(TOTAL);
    expect(spy.calls, 'no getUserMedia call').to.have.length(0);
    expect(c.cobrowseRecording, 'no recorder').to.equal(false);
    expect(JSON.stringify({ v: c.state.video.phase, cb: c.state.cobrowse?.phase, av: a.state.video.phase, acb: a.state.cobrowse?.phase })).to.equal(stateBefore);
    expect(c.state.link).to.equal(undefined);
    expect(a.state.link).to.equal(undefined);
    expect(c.state.transcript.some((e) => e.kind === 'page')).to.equal(false);
    expect(texts(c).filter((t) => t.startsWith('fuzz'))).to.deep.equal([]);
    expect(texts(a).filter((t) => t.startsWith('fuzz'))).to.deep.equal([]);

    c.send('after the storm');
    a.send('all fine here');
    await waitFor(() => texts(a).includes('after the storm') && texts(c).includes('all fine here'), 'chat still works');
  });
});
