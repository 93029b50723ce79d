// Issue 9: consent and identity nobody can forge. A participant who holds a
// valid token, the room ids, the pins and its own certified key writes its own
// client (test/helpers/rogue.ts) and tries what was found to work before:
// answering its own invitation, speaking as the other side from a second
// connection named like them, publishing a feed named like them, and widening
// a watch-only consent. Real Janus, real Chromium WebRTC, fake devices.
import { expect } from '@open-wc/testing';
import { GatewayConnection, JanusPeer } from '../../src/janus/index.js';
import type { ConversationDescriptor, ConversationGrant } from '../../src/protocol/index.js';
import { Conversation, sessionConsentStore, type TranscriptEntry } from '../../src/session/index.js';
import { newConversation, testEnv, waitFor } from '../helpers/env.js';
import { growth } from '../helpers/media-stats.js';
import { rogueClient, spyOnCapture, type Rogue } from '../helpers/rogue.js';

const texts = (c: Conversation) => c.state.transcript.filter((e): e is Extract<TranscriptEntry, { kind: 'message' }> => e.kind === 'message').map((m) => m.text);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Live {
  c: Conversation;
  a: Conversation;
  grant: ConversationGrant;
  agent: ConversationDescriptor;
  errors: { c: string[]; a: string[] };
}

describe('consent and identity that nobody can forge', () => {
  const open: Conversation[] = [];
  const rogues: Rogue[] = [];
  let spy: ReturnType<typeof spyOnCapture> | undefined;
  afterEach(() => {
    spy?.restore();
    spy = undefined;
    for (const r of rogues.splice(0)) r.dispose();
    for (const c of open.splice(0)) c.dispose();
  });

  async function live(): Promise<Live> {
    const { customer: grant, agent } = await newConversation('Carla');
    const c = new Conversation({ consent: sessionConsentStore() });
    const a = new Conversation();
    open.push(c, a);
    const errors = { c: [] as string[], a: [] as string[] };
    c.addEventListener('protocol-error', (e) => errors.c.push((e as CustomEvent<{ reason: string }>).detail.reason));
    a.addEventListener('protocol-error', (e) => errors.a.push((e as CustomEvent<{ reason: string }>).detail.reason));
    await Promise.all([c.connect(grant.descriptor), a.connect(agent)]);
    await waitFor(() => c.state.peer?.online === true && a.state.peer?.online === true, 'both online');
    return { c, a, grant, agent, errors };
  }

  async function rogue(d: ConversationDescriptor, username: string): Promise<Rogue> {
    const r = await rogueClient(d, username);
    rogues.push(r);
    return r;
  }

  it('finding 1: an agent answering its own invitation turns on no camera or microphone', async () => {
    const { c, a, agent, errors } = await live();
    spy = spyOnCapture();
    const r = await rogue(agent, `${agent.self.id}~own-client`);
    a.startVideo('two-way');
    await waitFor(() => c.state.video.phase === 'invited', 'customer invited');
    const inviteId = c.state.video.invite!.id;
    await r.send(await r.seal('video.answer', { inviteId, accept: 'two-way' }));
    // And an invitation of its own, answered by itself.
    const invite = await r.seal('video.invite', { mode: 'two-way' }, { id: 'rogue-invite-1' });
    await r.send(invite);
    await r.send(await r.seal('video.answer', { inviteId: 'rogue-invite-1', accept: 'two-way' }));
    await waitFor(() => errors.c.filter((e) => /agent may not send video\.answer/.test(e)).length === 2, 'both forged answers refused by the customer');
    await sleep(500);
    expect(spy.calls, 'getUserMedia calls').to.have.length(0);
    expect(c.state.video.phase).to.equal('invited');
    expect(c.videoPeerConnections()).to.have.length(0);
    expect(a.state.video.phase, 'the agent’s own client is not fooled either').to.equal('inviting');
    expect(errors.a.filter((e) => /agent may not send video\.answer/.test(e))).to.have.length(2);
  });

  it('finding 2: a second connection named like the customer speaks for nobody (agent → customer)', async () => {
    const { c, a, grant, agent, errors } = await live();
    spy = spyOnCapture();
    const customerId = grant.descriptor.self.id;
    const r = await rogue(agent, `${customerId}~second-tab`);
    const forged = [
      await r.seal('chat.message', { text: 'I am the customer', seq: 0 }, { from: customerId }),
      await r.seal('chat.message', { text: 'from a connection named like the customer', seq: 1 }),
      await r.seal('video.start', { mode: 'two-way', session: 'forged-start' }, { from: customerId }),
      await r.seal('cobrowse.answer', { offerId: 'no-offer', accept: true }, { from: customerId }),
    ];
    for (const wire of forged) await r.send(wire);
    await waitFor(() => errors.c.length >= 4 && errors.a.length >= 4, 'every forgery reported');
    await sleep(500);
    expect(errors.c, 'each reported once').to.have.length(4);
    expect(errors.a).to.have.length(4);
    expect(errors.c.every((e) => /sender mismatch/.test(e))).to.equal(true);
    expect(texts(c)).to.deep.equal([]);
    expect(texts(a)).to.deep.equal([]);
    expect(spy.calls, 'no capture').to.have.length(0);
    expect(c.state.video.phase).to.equal('idle');
    expect(c.state.cobrowse?.phase).to.equal('idle');
    expect(c.cobrowseRecording, 'no recorder').to.equal(false);
    // The real participants are unaffected.
    c.send('hello from the real customer');
    await waitFor(() => texts(a).includes('hello from the real customer'), 'real message arrives');
  });

  it('finding 2: a second connection named like the agent speaks for nobody (customer → agent)', async () => {
    const { c, a, grant, agent, errors } = await live();
    const r = await rogue(grant.descriptor, `${agent.self.id}~second-tab`);
    const forged = [
      await r.seal('chat.message', { text: 'I am the agent', seq: 0 }, { from: agent.self.id }),
      await r.seal('customer.linked', { name: 'Fake Record' }),
      await r.seal('page.push', { url: 'https://evil.example/' }),
      await r.seal('video.invite', { mode: 'two-way' }, { from: agent.self.id }),
    ];
    for (const wire of forged) await r.send(wire);
    await waitFor(() => errors.c.length >= 4 && errors.a.length >= 4, 'every forgery reported');
    await sleep(500);
    expect(errors.a).to.have.length(4);
    expect(errors.a.some((e) => /customer may not send customer\.linked/.test(e))).to.equal(true);
    expect(errors.a.some((e) => /customer may not send page\.push/.test(e))).to.equal(true);
    expect(a.state.link).to.equal(undefined);
    expect(c.state.link).to.equal(undefined);
    expect(texts(a)).to.deep.equal([]);
    expect(c.state.transcript.some((e) => e.kind === 'page')).to.equal(false);
    expect(c.state.video.phase).to.equal('idle');
  });

  it('finding 2: a VideoRoom feed named like the agent is never taken for the agent’s', async () => {
    const { c, a, grant, agent } = await live();
    // The customer's own client publishes a canvas stream under the agent's name, first.
    const env = await testEnv();
    const gw = new GatewayConnection({ server: env.gateway, token: grant.descriptor.token });
    await gw.connect();
    const canvas = document.createElement('canvas');
    canvas.width = 160;
    canvas.height = 120;
    const ctx = canvas.getContext('2d')!;
    const paint = setInterval(() => { ctx.fillStyle = `hsl(${Date.now() % 360} 80% 50%)`; ctx.fillRect(0, 0, 160, 120); }, 50);
    const fakeFeed = `${agent.self.id}~fake`;
    const handle = await gw.attach('janus.plugin.videoroom');
    const peer = new JanusPeer(handle, gw.iceServers);
    try {
      await handle.message({ request: 'join', ptype: 'publisher', room: grant.descriptor.videoRoom.room, pin: grant.descriptor.videoRoom.pin, token: grant.descriptor.token, id: fakeFeed, display: 'Ann' });
      const track = canvas.captureStream(10).getVideoTracks()[0];
      peer.pc.addTransceiver(track, { direction: 'sendonly' });
      await peer.offer((jsep) => handle.message({ request: 'publish' }, jsep));
      await sleep(1000);
      a.startVideo('two-way');
      await waitFor(() => c.state.video.phase === 'invited', 'invited');
      c.answerInvite('two-way');
      await waitFor(() => c.videoSubscribedFeed() !== undefined && a.videoSubscribedFeed() !== undefined, 'both subscribed', 20000);
      expect(c.videoSubscribedFeed(), 'the customer watches the feed the agent announced').to.not.equal(fakeFeed);
      expect(a.videoSubscribedFeed()).to.not.equal(fakeFeed);
      const gc = await growth(() => c.videoPeerConnections(), 1500);
      expect(gc.framesDecoded, 'the real agent’s video').to.be.greaterThan(5);
    } finally {
      clearInterval(paint);
      peer.close();
      void handle.detach();
      gw.dispose();
    }
  });

  it('finding 3: watch-only, then two-way again, asks again and captures no camera until Accept', async () => {
    const { c, a } = await live();
    spy = spyOnCapture();
    const videoCalls = () => spy!.calls.filter((k) => k.video).length;
    a.startVideo('two-way');
    await waitFor(() => c.state.video.phase === 'invited', 'first invitation');
    c.answerInvite('one-way-agent');
    await waitFor(() => a.state.video.phase === 'active' && c.state.video.phase === 'active', 'watch-only running', 20000);
    await waitFor(() => c.state.video.local.audio, 'customer microphone live');
    expect(videoCalls(), 'only the agent’s camera').to.equal(1);
    expect(c.state.video.local.video).to.equal(false);
    a.endVideo();
    await waitFor(() => a.state.video.phase === 'idle' && c.state.video.phase === 'idle', 'ended');

    // Voice needs no more than the microphone already given: it starts without asking.
    let invitations = 0;
    c.addEventListener('video-invite', () => invitations++);
    a.startVideo('voice');
    await waitFor(() => a.state.video.phase === 'active' && c.state.video.phase === 'active', 'voice started by the customer’s own consent', 20000);
    expect(invitations, 'no invitation for voice').to.equal(0);
    a.endVideo();
    await waitFor(() => a.state.video.phase === 'idle' && c.state.video.phase === 'idle', 'voice ended');

    const before = spy.calls.length;
    a.startVideo('two-way');
    await waitFor(() => c.state.video.phase === 'invited', 'the invitation is shown again');
    expect(invitations).to.equal(1);
    await sleep(800);
    expect(spy.calls.length, 'nothing captured while the invitation waits').to.equal(before);
    expect(c.videoPeerConnections()).to.have.length(0);
    c.answerInvite('two-way');
    await waitFor(() => c.state.video.local.video, 'camera after Accept', 20000);
    expect(videoCalls(), 'agent twice and, now, the customer').to.equal(3);
  });
});
