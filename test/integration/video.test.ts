import { expect } from '@open-wc/testing';
import { Conversation } from '../../src/session/index.js';
import { janusHandles, connectedPair, newConversation, waitFor } from '../helpers/env.js';
import { counters, growth, render } from '../helpers/media-stats.js';
import type { VideoMode } from '../../src/protocol/index.js';

describe('video over a real Janus VideoRoom with fake camera and microphone', () => {
  const open: Conversation[] = [];
  const players: Array<() => void> = [];
  afterEach(() => {
    for (const c of open.splice(0)) c.dispose();
    for (const p of players.splice(0)) p();
  });
  const play = (...xs: Conversation[]) => { for (const x of xs) players.push(render(x.state.video.remoteStream)); };

  const pair = () => connectedPair(open);

  const pcs = (x: Conversation) => () => x.videoPeerConnections();

  /** Janus detaches asynchronously: wait, then count, a few times at most, until back at `baseline`. */
  async function settledHandles(baseline: number): Promise<number> {
    let h = Infinity;
    for (let t = 0; t < 6 && h > baseline; t++) {
      await new Promise((r) => setTimeout(r, 500));
      h = (await janusHandles()).handles;
    }
    return h;
  }

  it('two-way: invitation, accept, decoded frames and audio both ways', async () => {
    const { c, a } = await pair();
    a.startVideo('two-way');
    await waitFor(() => c.state.video.phase === 'invited', 'customer invited');
    expect(a.state.video.phase).to.equal('inviting');
    c.answerInvite('two-way');
    await waitFor(() => a.state.video.phase === 'active' && c.state.video.phase === 'active', 'both active', 20000);
    await waitFor(() => (a.state.video.remoteStream?.getVideoTracks().length ?? 0) > 0 && (c.state.video.remoteStream?.getVideoTracks().length ?? 0) > 0, 'remote video tracks', 20000);
    const ga = await growth(pcs(a), 2000);
    const gc = await growth(pcs(c), 2000);
    expect(ga.framesDecoded, 'agent decodes customer video').to.be.greaterThan(10);
    expect(gc.framesDecoded, 'customer decodes agent video').to.be.greaterThan(10);
    expect(ga.audioBytesReceived).to.be.greaterThan(1000);
    expect(gc.audioBytesReceived).to.be.greaterThan(1000);
    expect(a.state.video.local).to.include({ audio: true, video: true });
  });

  it('an ICE restart keeps the call: new ICE credentials on both PeerConnections, frames keep flowing both ways', async () => {
    const { c, a } = await pair();
    await startAccepted(a, c, 'two-way', 'two-way');
    await waitFor(() => c.videoPeerConnections().length === 2, 'publisher and subscriber');
    const ufrags = (x: Conversation) => x.videoPeerConnections().map((pc) => /a=ice-ufrag:(\S+)/.exec(pc.localDescription?.sdp ?? '')?.[1]);
    const before = ufrags(c);
    await c.video.restartIce();
    await waitFor(() => ufrags(c).every((u, i) => u !== before[i]), 'new ICE credentials on both', 10000);
    await waitFor(() => c.videoPeerConnections().every((pc) => pc.connectionState === 'connected'), 'connected again', 10000);
    const [ga, gc] = await Promise.all([growth(pcs(a), 2000), growth(pcs(c), 2000)]);
    expect(ga.framesDecoded, 'agent still decodes the customer').to.be.greaterThan(10);
    expect(gc.framesDecoded, 'customer still decodes the agent').to.be.greaterThan(10);
    expect(c.state.video.phase).to.equal('active');
  });

  async function startAccepted(a: Conversation, c: Conversation, offer: VideoMode, accept: VideoMode) {
    a.startVideo(offer);
    await waitFor(() => c.state.video.phase === 'invited', 'customer invited');
    c.answerInvite(accept);
    await waitFor(() => a.state.video.phase === 'active' && c.state.video.phase === 'active', 'both active', 20000);
    // Give the subscriptions time to bring remote tracks in.
    await waitFor(() => (a.state.video.remoteStream?.getAudioTracks().length ?? 0) > 0 && (c.state.video.remoteStream?.getAudioTracks().length ?? 0) > 0, 'remote audio tracks', 20000);
    play(a, c);
    await new Promise((r) => setTimeout(r, 500));
  }

  const cases: Array<{ offer: VideoMode; accept: VideoMode; agentSeesVideo: boolean; customerSeesVideo: boolean }> = [
    { offer: 'two-way', accept: 'one-way-agent', agentSeesVideo: false, customerSeesVideo: true },
    { offer: 'one-way-customer', accept: 'one-way-customer', agentSeesVideo: true, customerSeesVideo: false },
    { offer: 'voice', accept: 'voice', agentSeesVideo: false, customerSeesVideo: false },
  ];
  for (const k of cases) {
    it(`${k.offer} accepted as ${k.accept}: video only where the mode says, audio both ways`, async () => {
      const { c, a } = await pair();
      await startAccepted(a, c, k.offer, k.accept);
      const [ga, gc] = await Promise.all([growth(pcs(a), 2000), growth(pcs(c), 2000)]);
      if (k.agentSeesVideo) expect(ga.framesDecoded, 'agent decodes video').to.be.greaterThan(10);
      else expect(ga.framesDecoded + ga.videoBytesReceived, 'no video reaches the agent').to.equal(0);
      if (k.customerSeesVideo) expect(gc.framesDecoded, 'customer decodes video').to.be.greaterThan(10);
      else expect(gc.framesDecoded + gc.videoBytesReceived, 'no video reaches the customer').to.equal(0);
      expect(ga.videoBytesSent > 0, 'agent sends video').to.equal(k.customerSeesVideo);
      expect(gc.videoBytesSent > 0, 'customer sends video').to.equal(k.agentSeesVideo);
      expect(ga.audioBytesReceived, 'agent hears').to.be.greaterThan(1000);
      expect(gc.audioBytesReceived, 'customer hears').to.be.greaterThan(1000);
      expect(a.state.video.local.video).to.equal(k.customerSeesVideo);
      expect(c.state.video.local.video).to.equal(k.agentSeesVideo);
    });
  }

  it('decline: no media, the agent sees the answer, chat keeps working', async () => {
    const { c, a } = await pair();
    const answers: Array<string | false> = [];
    a.addEventListener('invite-answer', (e) => answers.push((e as CustomEvent<{ accept: string | false }>).detail.accept));
    a.startVideo('two-way');
    await waitFor(() => c.state.video.phase === 'invited', 'invited');
    c.answerInvite(false);
    await waitFor(() => a.state.video.answer?.accept === false, 'agent sees decline');
    expect(answers).to.deep.equal([false]);
    expect(a.state.video.phase).to.equal('idle');
    expect(c.state.video.phase).to.equal('idle');
    expect(a.videoPeerConnections()).to.have.length(0);
    expect(c.videoPeerConnections()).to.have.length(0);
    c.send('text is fine');
    await waitFor(() => a.state.transcript.some((e) => e.kind === 'message' && e.text === 'text is fine'), 'chat after decline');
    expect(a.state.transcript.some((e) => e.kind === 'system' && /declined video/.test(e.text))).to.equal(true);
  });

  it('customer-initiated one-way: agent video flows, agent mic starts muted until unmuted', async () => {
    const { c, a } = await pair();
    c.startVideo('one-way-agent');
    await waitFor(() => a.state.video.phase === 'active' && c.state.video.phase === 'active', 'both active', 20000);
    await waitFor(() => (c.state.video.remoteStream?.getAudioTracks().length ?? 0) > 0 && (a.state.video.remoteStream?.getAudioTracks().length ?? 0) > 0, 'audio both ways', 20000);
    play(a, c);
    expect(a.state.video.unmutePrompt).to.equal(true);
    expect(a.state.video.local).to.include({ muted: true, audio: false, video: true });
    await new Promise((r) => setTimeout(r, 1500));
    const muted = await growth(pcs(c), 1500);
    expect(muted.framesDecoded, 'customer sees the agent').to.be.greaterThan(10);
    expect(muted.audioBytesReceived, 'packets still arrive (silence)').to.be.greaterThan(0);
    expect(muted.totalAudioEnergy, 'agent is silent while muted').to.be.below(0.0001);
    const agentHears = await growth(pcs(a), 1500);
    expect(agentHears.audioBytesReceived, 'agent hears the customer').to.be.greaterThan(1000);
    expect(agentHears.framesDecoded, 'agent does not see the customer').to.equal(0);
    a.setMuted(false);
    expect(a.state.video.unmutePrompt).to.equal(false);
    await waitFor(() => c.state.video.remote.audio === true, 'customer told agent unmuted');
    await new Promise((r) => setTimeout(r, 1000));
    const unmuted = await growth(pcs(c), 2000);
    expect(unmuted.totalAudioEnergy, 'agent audio reaches the customer after unmute').to.be.greaterThan(0.0001);
    const agentHearsCustomer = await growth(pcs(a), 2000);
    expect(agentHearsCustomer.totalAudioEnergy, 'the customer is audible (the measure works)').to.be.greaterThan(0.0001);
  });

  it('pause stops video bytes and the camera; resume brings frames back; mute silences audio', async () => {
    const { c, a } = await pair();
    await startAccepted(a, c, 'two-way', 'two-way');
    await a.setVideoPaused(true);
    expect(a.state.video.local).to.include({ video: false, paused: true });
    expect(a.state.video.localStream?.getVideoTracks()).to.have.length(0);
    await waitFor(() => c.state.video.remote.video === false, 'customer told video paused');
    await new Promise((r) => setTimeout(r, 1000));
    const paused = await growth(pcs(a), 1500);
    expect(paused.videoBytesSent, 'no video bytes leave while paused').to.equal(0);
    await a.setVideoPaused(false);
    expect(a.state.video.local.video).to.equal(true);
    await new Promise((r) => setTimeout(r, 1000));
    const resumed = await growth(pcs(c), 1500);
    expect(resumed.framesDecoded, 'frames flow again').to.be.greaterThan(5);

    c.setMuted(true);
    await new Promise((r) => setTimeout(r, 1000));
    const mutedAtAgent = await growth(pcs(a), 1500);
    expect(mutedAtAgent.totalAudioEnergy, 'no audio from the muted customer').to.be.below(0.0001);
    c.setMuted(false);
    await new Promise((r) => setTimeout(r, 1000));
    const unmuted = await growth(pcs(a), 1500);
    expect(unmuted.totalAudioEnergy, 'audio back after unmute').to.be.greaterThan(0.0001);
  });

  it('end releases every track and keeps the plumbing warm with nothing flowing; Video Chat again starts on it without an invitation; 20 cycles leak nothing', async () => {
    const { c, a } = await pair();
    await startAccepted(a, c, 'two-way', 'two-way');
    const tracks = [...(a.state.video.localStream?.getTracks() ?? []), ...(c.state.video.localStream?.getTracks() ?? [])];
    const pcsBefore = [...a.videoPeerConnections(), ...c.videoPeerConnections()];
    expect(pcsBefore).to.have.length(4);
    a.endVideo();
    await waitFor(() => a.state.video.phase === 'idle' && c.state.video.phase === 'idle', 'both ended');
    expect(tracks.length).to.be.greaterThan(0);
    expect(tracks.every((t) => t.readyState === 'ended'), 'all local tracks ended').to.equal(true);
    expect(a.videoPeerConnections(), 'no call running').to.have.length(0);
    expect(c.state.video.localStream).to.equal(undefined);
    // Parked for the next video: the same PeerConnections stay up, and nothing flows on them either way.
    expect(pcsBefore.every((pc) => pc.connectionState === 'connected'), 'still connected').to.equal(true);
    await new Promise((r) => setTimeout(r, 500));
    const parked = await growth(() => pcsBefore, 1500);
    expect(parked.videoBytesSent + parked.audioBytesSent, 'nothing sent after End').to.equal(0);
    expect(parked.videoBytesReceived + parked.audioBytesReceived, 'nothing received after End').to.equal(0);
    c.send('still chatting');
    await waitFor(() => a.state.transcript.some((e) => e.kind === 'message' && e.text === 'still chatting'), 'chat after end');

    let invites = 0;
    c.addEventListener('video-invite', () => invites++);
    // Handles Janus holds with video off: the broker's, each side's TextRoom, and each side's parked call.
    const baseline = (await janusHandles()).handles;
    const perCycle: number[] = [];
    for (let i = 0; i < 20; i++) {
      a.startVideo(i % 2 ? 'voice' : 'two-way');
      await waitFor(() => a.state.video.phase === 'active' && c.state.video.phase === 'active', `cycle ${i} active`, 20000);
      await waitFor(() => (c.state.video.remoteStream?.getAudioTracks().length ?? 0) > 0, `cycle ${i} media`, 20000);
      // Every video after the first runs on the calls parked at the first End (a voice call on the two-way ones).
      expect([...a.videoPeerConnections(), ...c.videoPeerConnections()].every((pc) => pcsBefore.includes(pc)), `cycle ${i} on the parked calls`).to.equal(true);
      (i % 3 ? a : c).endVideo();
      await waitFor(() => a.state.video.phase === 'idle' && c.state.video.phase === 'idle' && a.videoPeerConnections().length === 0 && c.videoPeerConnections().length === 0, `cycle ${i} ended`, 20000);
      // Counted every fifth cycle only: the Admin API is not polled while Janus tears handles down.
      if (i % 5 === 4) perCycle.push(await settledHandles(baseline));
    }
    expect(perCycle.every((h) => h <= baseline), `Janus handles after cycles 5,10,15,20: ${perCycle.join(',')} vs ${baseline}`).to.equal(true);
    expect(invites, 'no second invitation').to.equal(0);
    const after = await counters([...a.videoPeerConnections(), ...c.videoPeerConnections()]);
    expect(after.framesDecoded).to.equal(0);
  });
});

describe('video when the camera is missing', () => {
  it('says so, falls back to voice, and never shows a black frame as video', async () => {
    const md = navigator.mediaDevices;
    const original = md.getUserMedia.bind(md);
    const { customer, agent } = await newConversation();
    const c = new Conversation();
    const a = new Conversation();
    // Only the customer's page has no camera (its getUserMedia refuses video).
    md.getUserMedia = (k?: MediaStreamConstraints) => (k?.video ? Promise.reject(new DOMException('no camera', 'NotFoundError')) : original(k));
    try {
      await Promise.all([c.connect(customer.descriptor), a.connect(agent)]);
      await waitFor(() => c.state.peer?.online === true && a.state.peer?.online === true, 'both online');
      // Agent's camera is also refused here (same page); the point is the customer's view of it.
      a.startVideo('two-way');
      await waitFor(() => c.state.video.phase === 'invited', 'invited');
      c.answerInvite('two-way');
      await waitFor(() => c.state.video.problems.length > 0, 'problem reported');
      expect(c.state.video.problems[0]).to.match(/No camera was found/);
      await waitFor(() => c.state.video.local.audio === true, 'voice still goes out');
      expect(c.state.video.local.video).to.equal(false);
      expect(c.state.video.localStream?.getVideoTracks()).to.have.length(0);
    } finally {
      md.getUserMedia = original;
      c.dispose();
      a.dispose();
    }
  });
});
