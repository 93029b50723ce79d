// The network ladder on scripted readings (no WebRTC, no timers): adapt, fall
// back, come back with hysteresis, never past a pause by hand, ICE restart
// and give up — and the getStats reader on report maps shaped like Chromium's.
import { expect } from '@open-wc/testing';
import { readCallStats, type CallSample } from '../../../src/janus/call-stats.js';
import { NetworkPolicy, receiveLevel, type NetworkAction, type NetworkInput } from '../../../src/session/call-network.js';

const GOOD: CallSample = {
  rttMs: 20, availableOutKbps: 2000, upLossVideo: 0, upLossAudio: 0, sentFps: 30, sentHeight: 480,
  recvFps: 30, recvHeight: 480, recvFramesDecoded: 30, recvFreezes: 0, downLossVideo: 0, downLossAudio: 0, recvAudioPackets: 50, audioConcealed: 0,
  publisherState: 'connected', subscriberState: 'connected',
};
/** Uplink squeezed: little bandwidth, some loss (what a 300 kbit/s link looks like to the sender). */
const SQUEEZED: CallSample = { ...GOOD, availableOutKbps: 160, upLossVideo: 0.05, qualityLimitation: 'bandwidth' };
/** A 300 kbit/s uplink: enough for tier 1, not for full quality. */
const MIDDLING: CallSample = { ...GOOD, availableOutKbps: 260, upLossVideo: 0.01, qualityLimitation: 'bandwidth' };
/** Far too little for video at any tier, voice still passes. */
const STARVED: CallSample = { ...GOOD, availableOutKbps: 60, upLossVideo: 0.3, sentFps: 2 };
/** Voice breaking up in what we receive. */
const BROKEN_VOICE: CallSample = { ...GOOD, downLossAudio: 0.3, audioConcealed: 0.5, recvAudioPackets: 20 };
const DOWN: CallSample = { ...GOOD, publisherState: 'disconnected', subscriberState: 'disconnected' };

function drive(policy: NetworkPolicy, samples: CallSample[], opts: Partial<NetworkInput> & { start?: number } = {}): { actions: Array<NetworkAction & { at: number }>; end: number } {
  let now = opts.start ?? 0;
  const actions: Array<NetworkAction & { at: number }> = [];
  for (const sample of samples) {
    now += 1000;
    for (const a of policy.tick({ sample, now, mayVideo: opts.mayVideo ?? true, expectAudio: opts.expectAudio ?? true, expectVideo: opts.expectVideo ?? true, peerRx: opts.peerRx })) {
      actions.push({ ...a, at: now });
    }
  }
  return { actions, end: now };
}
const times = <T>(n: number, x: T): T[] => Array.from({ length: n }, () => x);
const types = (as: NetworkAction[]) => as.map((a) => (a.type === 'tier' ? `tier${a.tier}` : a.type));

describe('NetworkPolicy (the ladder)', () => {
  it('keeps full quality on a good link and reports it good', () => {
    const p = new NetworkPolicy();
    const { actions } = drive(p, times(30, GOOD));
    expect(actions).to.have.length(0);
    expect(p.current).to.include({ level: 'good', tier: 0, videoOff: false, voicePoor: false, reconnecting: false });
  });

  it('steps down one tier at a time under a squeezed uplink, then falls back to voice when even the lowest tier fails', () => {
    const p = new NetworkPolicy();
    const squeezed = drive(p, times(6, SQUEEZED));
    expect(types(squeezed.actions)).to.deep.equal(['tier1', 'tier2']);
    expect(p.current.videoOff).to.equal(false);
    const starved = drive(p, times(6, STARVED), { start: squeezed.end });
    expect(types(starved.actions)).to.deep.equal(['video-off']);
    expect(p.current).to.include({ videoOff: true, level: 'poor' });
  });

  it('comes back by itself: video after clean readings, at the lowest tier, then climbs', () => {
    const p = new NetworkPolicy();
    const down = drive(p, [...times(4, SQUEEZED), ...times(5, STARVED)]);
    expect(types(down.actions)).to.include('video-off');
    const back = drive(p, times(40, GOOD), { start: down.end });
    expect(types(back.actions)).to.deep.equal(['tier2', 'video-back', 'tier1', 'tier0']);
    // Voice-only readings count as clean too (what is left to send gets through): 6 of them after the fallback.
    const off = down.actions.find((a) => a.type === 'video-off')!;
    const videoBack = back.actions.find((a) => a.type === 'video-back')!;
    expect(videoBack.at - off.at).to.equal(6000);
    expect(p.current).to.include({ tier: 0, videoOff: false, level: 'good' });
  });

  it('waits longer each time a comeback fails soon (no flapping)', () => {
    const p = new NetworkPolicy();
    let r = drive(p, [...times(4, SQUEEZED), ...times(5, STARVED)]);
    r = drive(p, times(6, GOOD), { start: r.end });
    expect(types(r.actions)).to.include('video-back');
    // The link is still marginal: video goes off again within seconds.
    r = drive(p, times(4, STARVED), { start: r.end });
    expect(types(r.actions)).to.deep.equal(['video-off']);
    // 6 clean readings were enough the first time; now it takes 12.
    const second = drive(p, times(20, GOOD), { start: r.end });
    const back = second.actions.find((a) => a.type === 'video-back')!;
    expect(back.at - r.actions[0].at).to.equal(12000);
  });

  it('never brings back a camera paused by hand, and forgets the fallback', () => {
    const p = new NetworkPolicy();
    const down = drive(p, [...times(4, SQUEEZED), ...times(5, STARVED)]);
    expect(p.current.videoOff).to.equal(true);
    // The person pauses: mayVideo false from now on, whatever the network does.
    const paused = drive(p, times(60, GOOD), { start: down.end, mayVideo: false });
    expect(types(paused.actions)).to.deep.equal([]);
    expect(p.current.videoOff).to.equal(false);
  });

  it('a side that may not send video (watch-only, voice) never gets a video step', () => {
    const p = new NetworkPolicy();
    const r = drive(p, [...times(10, STARVED), ...times(30, GOOD)], { mayVideo: false });
    expect(types(r.actions).filter((t) => t.startsWith('tier') || t.startsWith('video'))).to.deep.equal([]);
  });

  it('nothing getting through at all (bad, not just poor): straight to the lowest tier', () => {
    const p = new NetworkPolicy();
    const r = drive(p, times(2, STARVED));
    expect(types(r.actions)).to.deep.equal(['tier2']);
  });

  it('a middling uplink settles at the tier it can carry, neither flapping down nor up', () => {
    const p = new NetworkPolicy();
    const r = drive(p, times(40, MIDDLING));
    expect(types(r.actions)).to.deep.equal(['tier1']);
    expect(p.current).to.include({ tier: 1, videoOff: false });
  });

  it('climbs only when the estimate has reached the current tier’s cap (a capped sender cannot show more)', () => {
    const p = new NetworkPolicy();
    let r = drive(p, times(6, SQUEEZED));
    expect(p.current.tier).to.equal(2);
    // Clean but the estimate is stuck below tier 2's cap (120 kbit/s): no climb.
    r = drive(p, times(20, { ...GOOD, availableOutKbps: 95 }), { start: r.end });
    expect(types(r.actions)).to.deep.equal([]);
    r = drive(p, times(8, { ...GOOD, availableOutKbps: 118 }), { start: r.end });
    expect(types(r.actions)).to.deep.equal(['tier1']);
  });

  it('no comeback is tried while the link’s queues are still full (round trip ≥ 400 ms): no failed probe doubles the wait', () => {
    const p = new NetworkPolicy();
    const down = drive(p, [...times(2, STARVED), ...times(5, STARVED)]);
    expect(p.current.videoOff).to.equal(true);
    // Voice gets through, but every packet waits in a full queue.
    let r = drive(p, times(20, { ...GOOD, rttMs: 850 }), { start: down.end });
    expect(types(r.actions)).to.deep.equal([]);
    r = drive(p, times(6, GOOD), { start: r.end });
    expect(types(r.actions)).to.deep.equal(['tier2', 'video-back']);
  });

  it('the lowest tier’s 10 fps reads as good on the receiving side, so its sender may climb', () => {
    expect(receiveLevel({ ...GOOD, recvFps: 10, recvFramesDecoded: 10 }, true, true).level).to.equal('good');
    expect(receiveLevel({ ...GOOD, recvFps: 6, recvFramesDecoded: 6 }, true, true).level).to.equal('fair');
    expect(receiveLevel({ ...GOOD, recvFps: 3, recvFramesDecoded: 3 }, true, true).level).to.equal('poor');
    expect(receiveLevel({ ...GOOD, recvFramesDecoded: 0, recvFps: 0 }, true, true).level).to.equal('bad');
  });

  it('adapts to how the other side says it receives us, not only to our uplink', () => {
    const p = new NetworkPolicy();
    const r = drive(p, times(4, GOOD), { peerRx: 'poor' });
    expect(types(r.actions)).to.deep.equal(['tier1', 'tier2']);
  });

  it('says when voice breaks up and when it is clear again, without touching video', () => {
    const p = new NetworkPolicy();
    const r = drive(p, [...times(4, BROKEN_VOICE), ...times(5, GOOD)]);
    expect(types(r.actions)).to.deep.equal(['voice-poor', 'voice-back']);
    expect(r.actions[0].at).to.equal(3000);
  });

  it('restarts ICE when the link drops, again every few seconds, and reports it reconnected', () => {
    const p = new NetworkPolicy();
    const r = drive(p, [...times(3, GOOD), ...times(10, DOWN), ...times(2, GOOD)]);
    expect(types(r.actions)).to.deep.equal(['reconnecting', 'ice-restart', 'ice-restart', 'reconnected']);
    expect(p.current.reconnecting).to.equal(false);
  });

  it('a new network path (back online): nothing restarted when media flows again by itself, ICE restarted at once when nothing gets through', () => {
    const SILENT: CallSample = { ...GOOD, recvAudioPackets: 0, recvFramesDecoded: 0, recvFps: 0 };
    // A short cut: the link stayed "connected", media is back within a reading of the browser saying it is online.
    let p = new NetworkPolicy();
    let r = drive(p, times(3, GOOD));
    p.pathChanged(r.end);
    r = drive(p, [SILENT, GOOD, GOOD, GOOD], { start: r.end });
    expect(types(r.actions)).to.deep.equal([]);
    // A new network (Wi-Fi to mobile): the old path carries nothing; the reading 2 s after the change restarts, once.
    p = new NetworkPolicy();
    r = drive(p, times(3, GOOD));
    p.pathChanged(r.end + 100);
    r = drive(p, times(5, SILENT), { start: r.end });
    const restarts = r.actions.filter((a) => a.type === 'ice-restart');
    expect(restarts.map((a) => a.at)).to.deep.equal([6000]);
    // The link itself down at the check: restarted then too, and "reconnecting" is still said on time.
    p = new NetworkPolicy();
    r = drive(p, times(3, GOOD));
    p.pathChanged(r.end);
    r = drive(p, times(4, DOWN), { start: r.end });
    expect(r.actions.map((a) => `${a.type}@${a.at}`)).to.deep.equal(['ice-restart@5000', 'reconnecting@6000']);
  });

  it('a restart that failed (Janus did not answer) is followed by the next one a reading later, not 6 s later', () => {
    const p = new NetworkPolicy();
    let r = drive(p, [...times(3, GOOD), ...times(3, DOWN)]);
    expect(r.actions.filter((a) => a.type === 'ice-restart').map((a) => a.at)).to.deep.equal([6000]);
    // Its requests timed out 4 s later.
    r = drive(p, times(4, DOWN), { start: r.end });
    p.restartFailed(r.end);
    r = drive(p, times(2, DOWN), { start: r.end });
    expect(r.actions.filter((a) => a.type === 'ice-restart').map((a) => a.at)).to.deep.equal([11_000]);
    // That one answered: the usual 6 s to the next.
    r = drive(p, times(7, DOWN), { start: r.end });
    expect(r.actions.filter((a) => a.type === 'ice-restart').map((a) => a.at)).to.deep.equal([17_000]);
  });

  it('the other side gone silent (its network dropped, ours fine): reconnecting after 3 s, back when it returns, ended after 30 s', () => {
    const p = new NetworkPolicy();
    const SILENT: CallSample = { ...GOOD, recvAudioPackets: 0, recvFramesDecoded: 0, recvFps: 0 };
    let r = drive(p, [...times(2, GOOD), ...times(5, SILENT), ...times(2, GOOD)]);
    expect(types(r.actions)).to.deep.equal(['reconnecting', 'reconnected']);
    r = drive(p, times(31, SILENT), { start: r.end });
    expect(types(r.actions)).to.deep.equal(['reconnecting', 'give-up']);
    expect(types(r.actions)).to.not.include('ice-restart');
  });

  it('a side that expects nothing (the other side sends nothing) is never "silent"', () => {
    const p = new NetworkPolicy();
    const r = drive(p, times(40, { ...GOOD, recvAudioPackets: 0, recvFramesDecoded: 0 }), { expectAudio: false, expectVideo: false });
    expect(types(r.actions)).to.deep.equal([]);
  });

  it('gives up after 30 s without a connection', () => {
    const p = new NetworkPolicy();
    const r = drive(p, [...times(2, GOOD), ...times(35, DOWN)]);
    const giveUp = r.actions.find((a) => a.type === 'give-up');
    expect(giveUp, 'give-up').to.exist;
    expect(giveUp!.at).to.equal(2000 + 31000);
    expect(types(r.actions).filter((t) => t === 'ice-restart').length).to.be.greaterThan(3);
  });
});

describe('readCallStats', () => {
  const report = (stats: Array<Record<string, unknown>>) => new Map(stats.map((s, i) => [String(s.id ?? i), s])) as unknown as RTCStatsReport;
  const pub = (bytes: number, lost: number) => report([
    { id: 'T', type: 'transport', selectedCandidatePairId: 'CP' },
    { id: 'CP', type: 'candidate-pair', currentRoundTripTime: 0.042, availableOutgoingBitrate: 350_000 },
    { id: 'OV', type: 'outbound-rtp', kind: 'video', bytesSent: bytes, frameHeight: 240, framesPerSecond: 15, qualityLimitationReason: 'bandwidth' },
    { id: 'RV', type: 'remote-inbound-rtp', kind: 'video', fractionLost: lost },
    { id: 'RA', type: 'remote-inbound-rtp', kind: 'audio', fractionLost: 0 },
  ]);
  const sub = (frames: number, vRecv: number, vLost: number, aRecv: number, aLost: number, concealed: number, samples: number, freezes: number) => report([
    { id: 'IV', type: 'inbound-rtp', kind: 'video', framesDecoded: frames, packetsReceived: vRecv, packetsLost: vLost, frameHeight: 360, freezeCount: freezes },
    { id: 'IA', type: 'inbound-rtp', kind: 'audio', packetsReceived: aRecv, packetsLost: aLost, concealedSamples: concealed, totalSamplesReceived: samples },
  ]);

  it('turns cumulative counters into rates over the interval', () => {
    const first = readCallStats({ publisher: pub(100_000, 0), subscriber: sub(100, 1000, 0, 500, 0, 0, 48_000, 0), publisherState: 'connected' }, undefined, 10_000);
    expect(first.sample.recvFps, 'no rate from one reading').to.equal(undefined);
    expect(first.sample).to.include({ rttMs: 42, availableOutKbps: 350, sentHeight: 240, qualityLimitation: 'bandwidth', upLossVideo: 0 });
    const second = readCallStats({ publisher: pub(150_000, 0.1), subscriber: sub(115, 1090, 10, 550, 50, 24_000, 96_000, 1) }, first.counters, 12_000);
    expect(second.sample).to.include({
      sentVideoKbps: 200, upLossVideo: 0.1, recvFramesDecoded: 15, recvFps: 8, recvFreezes: 1, recvAudioPackets: 50, downLossVideo: 0.1, downLossAudio: 0.5, audioConcealed: 0.5, recvHeight: 360,
    });
  });

  it('ignores a receiver report Janus sent seconds ago (it stopped reporting on a stream we stopped sending): its loss is of then', () => {
    // As Chromium stamps them: the report's own stats at the time of getStats, remote-inbound-rtp when its RTCP arrived.
    const stamped = (videoReportAge: number) => report([
      { id: 'T', type: 'transport', selectedCandidatePairId: 'CP', timestamp: 50_000 },
      { id: 'CP', type: 'candidate-pair', currentRoundTripTime: 0.042, availableOutgoingBitrate: 350_000, timestamp: 50_000 },
      { id: 'RV', type: 'remote-inbound-rtp', kind: 'video', fractionLost: 0.4, timestamp: 50_000 - videoReportAge },
      { id: 'RA', type: 'remote-inbound-rtp', kind: 'audio', fractionLost: 0.1, timestamp: 49_500 },
    ]);
    expect(readCallStats({ publisher: stamped(800) }, undefined, 0).sample).to.include({ upLossVideo: 0.4, upLossAudio: 0.1 });
    const stale = readCallStats({ publisher: stamped(9000) }, undefined, 0).sample;
    expect(stale.upLossVideo, 'a report 9 s old').to.equal(undefined);
    expect(stale.upLossAudio).to.equal(0.1);
  });

  it('reads no numbers from empty reports (no PeerConnection yet)', () => {
    const { sample } = readCallStats({}, undefined, 0);
    expect(Object.values(sample).filter((v) => v !== undefined)).to.deep.equal([]);
  });
});
