// VideoSession's network watch with fake calls whose getStats is scripted:
// the ladder's decisions reach the call (encoding, video off and back, ICE
// restart), the other side (signed media.network steps, media.state net/rx),
// the state (quality) and the events — and recovery never goes past what the
// person chose (a pause by hand, watch-only).
import { expect } from '@open-wc/testing';
import type { CallReports } from '../../../src/janus/index.js';
import { memoryConsentStore, VideoSession, type CallQuality, type VideoSessionOptions } from '../../../src/session/index.js';
import type { VideoMode } from '../../../src/protocol/index.js';
import { AGENT, CUSTOMER, makeDescriptor } from '../fakes/fake-conversation.js';
import { FakeVideoBackend, type FakeCall } from '../fakes/fake-video-backend.js';
import { signalPair, type FakeSignals } from '../fakes/signal-pair.js';
import { waitFor } from '../fakes/chat-pair.js';

/** A network as getStats would see it from one side: rates turned into growing counters. */
interface Net {
  outKbps: number;
  upLoss: number;
  fps: number;
  audioLoss: number;
  state: RTCPeerConnectionState;
  /** Nothing of the other side's arrives (the path carries nothing), the connection still says `state`. */
  silent?: boolean;
}
const GOOD: Net = { outKbps: 2000, upLoss: 0, fps: 30, audioLoss: 0, state: 'connected' };
const STARVED: Net = { outKbps: 50, upLoss: 0.3, fps: 30, audioLoss: 0, state: 'connected' };
const CUT: Net = { ...GOOD, state: 'disconnected' };

function scripted(call: FakeCall, net: () => Net): void {
  let frames = 0;
  let audio = 0;
  let lost = 0;
  call.reports = (): CallReports => {
    const n = net();
    // Each reading counts as a second of media, whatever the (shortened) interval: the rates the ladder reads stay those of a real second.
    const dt = 1;
    frames += n.silent ? 0 : n.fps * dt;
    const packets = n.silent ? 0 : 50 * dt;
    audio += packets * (1 - n.audioLoss);
    lost += packets * n.audioLoss;
    const map = (stats: Array<Record<string, unknown>>) => new Map(stats.map((s) => [s.id as string, s])) as unknown as RTCStatsReport;
    return {
      publisher: map([
        { id: 'T', type: 'transport', selectedCandidatePairId: 'CP' },
        { id: 'CP', type: 'candidate-pair', currentRoundTripTime: 0.03, availableOutgoingBitrate: n.outKbps * 1000 },
        { id: 'RV', type: 'remote-inbound-rtp', kind: 'video', fractionLost: n.upLoss },
        { id: 'RA', type: 'remote-inbound-rtp', kind: 'audio', fractionLost: 0 },
      ]),
      subscriber: map([
        { id: 'IV', type: 'inbound-rtp', kind: 'video', framesDecoded: Math.floor(frames), packetsReceived: Math.floor(frames * 3), packetsLost: 0, frameHeight: 480, freezeCount: 0 },
        { id: 'IA', type: 'inbound-rtp', kind: 'audio', packetsReceived: Math.floor(audio), packetsLost: Math.floor(lost), concealedSamples: 0, totalSamplesReceived: Math.floor(audio) * 960 },
      ]),
      publisherState: n.state,
      subscriberState: n.state,
    };
  };
}

const agentDescriptor = makeDescriptor({ self: AGENT, peer: CUSTOMER });
const customerDescriptor = makeDescriptor({ self: CUSTOMER, peer: AGENT });
/** Readings every 20 ms; the ladder counts readings, the link timings are scaled down with them. */
const FAST: VideoSessionOptions = {
  network: { intervalMs: 20, reportEveryMs: 100_000, timings: { restartAfterMs: 40, restartEveryMs: 120, restartRetryMs: 20, pathCheckAfterMs: 60, giveUpAfterMs: 600 } },
};

interface Side {
  video: VideoSession;
  backend: FakeVideoBackend;
  signals: FakeSignals;
  quality: CallQuality[];
  net: Net;
}

async function call(mode: VideoMode, accept: VideoMode = mode): Promise<{ agent: Side; customer: Side; dispose(): void }> {
  const signals = signalPair(AGENT.id, CUSTOMER.id);
  const make = (s: FakeSignals, descriptor: typeof agentDescriptor): Side => {
    const video = new VideoSession(FAST);
    const backend = new FakeVideoBackend();
    const side: Side = { video, backend, signals: s, quality: [], net: GOOD };
    video.on('call-quality', ({ quality }) => side.quality.push(quality));
    video.bind({ signals: s, backend, descriptor, consent: memoryConsentStore() });
    return side;
  };
  const agent = make(signals.agent, agentDescriptor);
  const customer = make(signals.customer, customerDescriptor);
  agent.video.start(mode);
  await waitFor(() => customer.video.state.phase === 'invited', 'asked');
  customer.video.answer(accept);
  await waitFor(() => agent.backend.live.length === 1 && customer.backend.live.length === 1, 'both calls');
  for (const side of [agent, customer]) scripted(side.backend.live[0], () => side.net);
  await waitFor(() => agent.video.state.phase === 'active' && customer.video.state.phase === 'active', 'both active');
  await waitFor(() => !!agent.video.state.remote.reported && !!customer.video.state.remote.reported, 'both reported');
  return { agent, customer, dispose: () => { agent.video.dispose(); customer.video.dispose(); } };
}

const steps = (s: Side) => s.signals.sent.filter((m) => m.type === 'media.network').map((m) => (m.body as { step: string }).step);

describe('VideoSession network watch (scripted getStats)', () => {
  const open: Array<{ dispose(): void }> = [];
  afterEach(() => {
    for (const c of open.splice(0)) c.dispose();
  });

  it('measures the call: quality in the state and in call-quality events', async () => {
    const c = await call('two-way');
    open.push(c);
    await waitFor(() => c.customer.video.state.quality !== undefined, 'quality measured');
    const q = c.customer.video.state.quality!;
    expect(q).to.include({ level: 'good', tier: 0, videoOff: false, rttMs: 30, availableOutKbps: 2000 });
    expect(q.recvFps).to.be.greaterThan(10);
    expect(c.customer.quality.length, 'the first reading is reported at once').to.be.greaterThan(0);
  });

  it('a starved uplink: steps down, then video off for the network (said to both sides); restored: video back at the lowest tier, no click', async () => {
    const c = await call('two-way');
    open.push(c);
    const cust = c.customer;
    const fake = cust.backend.live[0];
    cust.net = STARVED;
    await waitFor(() => fake.netOff, 'video off for the network');
    // Nothing gets through at all: straight to the lowest tier, then off.
    expect(fake.encodings.map((e) => e.scaleResolutionDownBy)).to.deep.equal([4]);
    expect(steps(cust)).to.deep.equal(['video-off']);
    expect(cust.video.state.local).to.include({ video: false, netOff: true, paused: false });
    // The agent's side is told: net video-off in its view of the customer, a line on both sides (mine / not mine).
    await waitFor(() => c.agent.video.state.remote.netOff === true, 'the agent sees "poor connection"');
    expect(c.agent.video.state.remote.video).to.equal(false);
    cust.net = GOOD;
    await waitFor(() => !fake.netOff, 'video back by itself');
    expect(steps(cust)).to.deep.equal(['video-off', 'video-back']);
    expect(fake.encodings.at(-1)?.scaleResolutionDownBy, 'back at the lowest tier first').to.equal(4);
    await waitFor(() => fake.encodings.at(-1)?.scaleResolutionDownBy === 1, 'climbs back to full quality');
    await waitFor(() => c.agent.video.state.remote.video && !c.agent.video.state.remote.netOff, 'the agent sees video again');
  });

  it('the other side\'s video stops arriving while it says it sends: stalled here at once (no wait for its word), cleared when frames come', async () => {
    const c = await call('two-way');
    open.push(c);
    const cust = c.customer;
    await waitFor(() => (cust.video.state.quality?.recvFps ?? 0) > 0, 'frames arriving');
    expect(cust.video.state.quality?.videoStalled).to.equal(undefined);
    // The customer's downlink carries nothing more (the agent's side still says it sends video).
    cust.net = { ...GOOD, fps: 0 };
    await waitFor(() => cust.video.state.quality?.videoStalled === true, 'stalled');
    expect(cust.video.state.remote).to.include({ video: true });
    expect(cust.video.state.remote.netOff).to.equal(undefined);
    cust.net = GOOD;
    await waitFor(() => !cust.video.state.quality?.videoStalled, 'frames again: not stalled');
  });

  it('a camera paused by hand during a fallback stays paused when the network recovers', async () => {
    const c = await call('two-way');
    open.push(c);
    const cust = c.customer;
    const fake = cust.backend.live[0];
    cust.net = STARVED;
    await waitFor(() => fake.netOff, 'video off for the network');
    await cust.video.setPaused(true);
    cust.net = GOOD;
    await new Promise((r) => setTimeout(r, 800)); // 40 readings: far more than a comeback needs
    expect(fake.paused).to.equal(true);
    expect(cust.video.state.local.video).to.equal(false);
    expect(steps(cust)).to.deep.equal(['video-off']);
  });

  it('watch-only: the customer never sends video, whatever the network does', async () => {
    const c = await call('two-way', 'one-way-agent');
    open.push(c);
    const cust = c.customer;
    const fake = cust.backend.live[0];
    cust.net = STARVED;
    await new Promise((r) => setTimeout(r, 300));
    cust.net = GOOD;
    await new Promise((r) => setTimeout(r, 500));
    expect(fake.options.sendVideo).to.equal(false);
    expect(fake.encodings).to.deep.equal([]);
    expect(steps(cust).filter((s) => s.startsWith('video'))).to.deep.equal([]);
    expect(cust.video.state.local.video).to.equal(false);
  });

  it('the browser back online: no ICE restart when media flows again by itself, one when the path carries nothing, none while offline', async () => {
    const c = await call('two-way');
    open.push(c);
    const cust = c.customer;
    const fake = cust.backend.live[0];
    const connection = (navigator as Navigator & { connection?: EventTarget }).connection;
    const readings = (n: number) => new Promise((r) => setTimeout(r, n * 20));
    // A short cut over: media flows again, the link never dropped. A restart now would only wait for the signalling socket.
    window.dispatchEvent(new Event('online'));
    await readings(10);
    expect(fake.iceRestarts).to.equal(0);
    // Gone offline (a connection type change with navigator.onLine false): nothing to negotiate on, nothing restarted.
    cust.net = { ...GOOD, silent: true };
    Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => false });
    try {
      connection?.dispatchEvent(new Event('change'));
      await readings(10);
      expect(fake.iceRestarts).to.equal(0);
    } finally {
      delete (navigator as { onLine?: boolean }).onLine;
    }
    // Online on another network whose path carries nothing yet: restarted after the check, once.
    window.dispatchEvent(new Event('online'));
    await waitFor(() => fake.iceRestarts === 1, 'restarted');
    await readings(5);
    expect(fake.iceRestarts).to.equal(1);
  });

  it('an ICE restart Janus did not answer is followed by the next one at once, not a restart period later', async () => {
    const c = await call('two-way');
    open.push(c);
    const fake = c.customer.backend.live[0];
    fake.restartFails = true;
    c.customer.net = CUT;
    await waitFor(() => fake.iceRestarts >= 1, 'first restart');
    await new Promise((r) => setTimeout(r, 360));
    // Answered ones would be 120 ms apart here (at most 4 in 360 ms); failed ones are retried a reading later.
    expect(fake.iceRestarts).to.be.greaterThan(4);
  });

  it('a dropped link: reconnecting and ICE restarts, then reconnected; too long: the video ends for the network, once', async () => {
    const c = await call('two-way');
    open.push(c);
    const cust = c.customer;
    const fake = cust.backend.live[0];
    cust.net = CUT;
    await waitFor(() => fake.iceRestarts >= 1 && cust.video.state.quality?.reconnecting === true, 'reconnecting');
    cust.net = GOOD;
    await waitFor(() => steps(cust).includes('reconnected'), 'reconnected');
    expect(steps(cust)).to.deep.equal(['reconnecting', 'reconnected']);
    expect(cust.video.state.phase).to.equal('active');
    const ends: Array<boolean | undefined> = [];
    c.agent.video.on('video-end', (d) => ends.push(d.network));
    cust.net = CUT;
    await waitFor(() => cust.video.state.phase === 'idle', 'given up', 3000);
    expect(fake.stopped).to.equal(true);
    expect(cust.signals.sent.filter((m) => m.type === 'video.end').map((m) => m.body)).to.deep.equal([{ session: (cust.signals.sent.find((m) => m.type === 'video.end')!.body as { session: string }).session, reason: 'network' }]);
    await waitFor(() => ends.length === 1, 'the agent learns why');
    expect(ends).to.deep.equal([true]);
  });
});
