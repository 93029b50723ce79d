// Issue 16, acceptance 2, on the real call (VideoRoomCall on a real Janus,
// Chromium's fake camera, getUserMedia counted in this page): recovery from a
// network fallback never goes past what the person chose — a camera paused by
// hand stays off (no capture, no track, no bytes), and a watch-only customer
// never sends video whatever the network does. The policy that decides when
// to switch is unit-tested on scripted readings (call-network.test.ts); here
// the switch itself is driven as the session drives it.
import { expect } from '@open-wc/testing';
import { GatewayConnection, VideoRoomCall } from '../../src/janus/index.js';
import { newConversation, testEnv, waitFor } from '../helpers/env.js';
import { counters } from '../helpers/media-stats.js';
import { spyOnCapture } from '../helpers/rogue.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('network fallback and recovery never go past consent (real call)', () => {
  let gw: GatewayConnection | undefined;
  let call: VideoRoomCall | undefined;
  let spy: ReturnType<typeof spyOnCapture> | undefined;
  afterEach(() => {
    call?.stop();
    gw?.dispose();
    spy?.restore();
    call = gw = spy = undefined;
  });

  async function publish(sendVideo: boolean): Promise<VideoRoomCall> {
    const { customer } = await newConversation();
    const env = await testEnv();
    gw = new GatewayConnection({ server: env.gateway, token: customer.descriptor.token });
    await gw.connect();
    const d = customer.descriptor;
    call = new VideoRoomCall(gw, { room: d.videoRoom.room, pin: d.videoRoom.pin, token: d.token, feedId: `${d.self.id.slice(0, 40)}~n${Date.now()}`, display: 'Casey', sendVideo });
    spy = spyOnCapture();
    await call.start();
    await waitFor(() => call!.peerConnections().some((pc) => pc.connectionState === 'connected'), 'publisher connected', 15000);
    return call;
  }
  const videoCaptures = () => spy!.calls.filter((c) => c.video).length;
  const sentVideoBytes = async (c: VideoRoomCall) => (await counters(c.peerConnections())).videoBytesSent;
  const liveVideoTracks = (c: VideoRoomCall) => c.local.getVideoTracks().filter((t) => t.readyState === 'live').length;

  it('video off for the network releases the camera; paused by hand meanwhile, recovery captures nothing and sends nothing', async () => {
    const c = await publish(true);
    expect(c.state).to.include({ video: true, netOff: false });
    expect(videoCaptures()).to.equal(1);
    await c.setNetworkVideoOff(true);
    expect(c.state).to.include({ video: false, netOff: true, paused: false });
    expect(liveVideoTracks(c), 'camera released').to.equal(0);
    await c.setVideoPaused(true);
    expect(c.state.paused).to.equal(true);
    // The network recovers: the session asks for video back.
    await c.setNetworkVideoOff(false);
    await sleep(300);
    expect(videoCaptures(), 'no camera opened by recovery').to.equal(1);
    expect(liveVideoTracks(c)).to.equal(0);
    expect(c.state).to.include({ video: false, paused: true, netOff: false });
    const before = await sentVideoBytes(c);
    await sleep(1500);
    expect((await sentVideoBytes(c)) - before, 'no video bytes leave').to.equal(0);
    // Only the person's own Resume opens the camera again.
    await c.setVideoPaused(false);
    expect(videoCaptures()).to.equal(2);
    expect(c.state).to.include({ video: true, paused: false });
  });

  it('without a pause, recovery brings the camera back on the same sender (no renegotiation), and bytes flow', async () => {
    const c = await publish(true);
    await c.setNetworkVideoOff(true);
    const off = await sentVideoBytes(c);
    await sleep(1000);
    expect((await sentVideoBytes(c)) - off, 'nothing sent while off').to.equal(0);
    await c.setNetworkVideoOff(false);
    expect(c.state).to.include({ video: true, netOff: false });
    expect(videoCaptures()).to.equal(2);
    const on = await sentVideoBytes(c);
    await sleep(1000);
    expect((await sentVideoBytes(c)) - on, 'video flows again').to.be.greaterThan(5000);
  });

  it('watch-only never sends video, whatever the network does', async () => {
    const c = await publish(false);
    for (const off of [true, false, true, false]) await c.setNetworkVideoOff(off);
    await sleep(500);
    expect(videoCaptures(), 'no camera ever').to.equal(0);
    expect(c.state).to.include({ video: false, videoAllowed: false });
    expect(await sentVideoBytes(c)).to.equal(0);
  });
});
