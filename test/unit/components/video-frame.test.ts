// <video-frame> renders what really happens on both sides: a paused or
// stalled side as a placeholder (never its last frame), the other side's
// blocked devices and mute in words, a voice call as avatars with live level
// meters and "End call", and controls that say what is sent. Streams are
// real MediaStreams (canvas and oscillator), no WebRTC.
import { aTimeout, expect, fixture, html } from '@open-wc/testing';
import '../../../src/components/video-frame/video-frame.js';
import type { VideoFrame } from '../../../src/components/video-frame/video-frame.js';
import type { MediaControls } from '../../../src/components/media-controls/media-controls.js';
import type { VideoState } from '../../../src/session/index.js';
import { idleVideoState } from '../fakes/fake-conversation.js';

const SENDING = { audio: true, video: true, muted: false, paused: false, videoAllowed: true };

/** A live video track that paints frames, and a live audio track with a tone. */
function videoTrack(): MediaStreamTrack {
  const canvas = document.createElement('canvas');
  canvas.width = 64;
  canvas.height = 36;
  const ctx = canvas.getContext('2d')!;
  const paint = () => {
    ctx.fillStyle = `hsl(${Date.now() % 360} 80% 50%)`;
    ctx.fillRect(0, 0, 64, 36);
  };
  paint();
  const stream = canvas.captureStream(15);
  const timer = setInterval(paint, 60);
  const track = stream.getVideoTracks()[0];
  track.addEventListener('ended', () => clearInterval(timer));
  cleanup.push(() => { clearInterval(timer); track.stop(); });
  return track;
}

const audio = new AudioContext();
function toneTrack(): MediaStreamTrack {
  const osc = audio.createOscillator();
  const gain = audio.createGain();
  gain.gain.value = 0.5;
  const dest = audio.createMediaStreamDestination();
  osc.connect(gain).connect(dest);
  osc.start();
  const track = dest.stream.getAudioTracks()[0];
  cleanup.push(() => { osc.stop(); track.stop(); });
  return track;
}

const cleanup: Array<() => void> = [];

function state(patch: Partial<VideoState>): VideoState {
  return { ...idleVideoState(), phase: 'active', mode: 'two-way', local: SENDING, ...patch };
}

const $ = <T extends Element = HTMLElement>(el: Element, sel: string) => el.shadowRoot!.querySelector<T>(sel);
const shown = (el: Element | null) => !!el && getComputedStyle(el).display !== 'none' && (el as HTMLElement).offsetWidth > 0;
const controls = (el: VideoFrame) => $<MediaControls>(el, 'media-controls')!;
const label = (el: VideoFrame, part: string) => controls(el).shadowRoot!.querySelector<HTMLButtonElement>(`[part="${part}"]`);

async function frame(v: VideoState, peer = 'Vera Lynn'): Promise<VideoFrame> {
  const el = await fixture<VideoFrame>(html`<video-frame .video=${v} peer-name=${peer} self-name="Ann Agent" style="width: 480px"></video-frame>`);
  await controls(el).updateComplete;
  return el;
}

describe('<video-frame>', () => {
  afterEach(() => {
    for (const c of cleanup.splice(0)) c();
  });

  it('shows the other side’s video while it arrives, no wider than its container', async () => {
    const remote = new MediaStream([videoTrack(), toneTrack()]);
    const el = await frame(state({ remoteStream: remote, remote: { audio: true, video: true, reported: true } }));
    const video = $<HTMLVideoElement>(el, 'video.remote')!;
    expect(shown(video)).to.equal(true);
    expect(shown($(el, '[part~="placeholder"]'))).to.equal(false);
    expect(el.getBoundingClientRect().width).to.be.at.most(480);
    expect($(el, '.stage')!.getBoundingClientRect().width).to.be.at.most(480);
    await expect(el).to.be.accessible();
  });

  it('a paused side is a placeholder with its avatar, not its last frame (the <video> is not displayed)', async () => {
    // The track is still live (Janus just stopped forwarding): only media.state says "paused".
    const remote = new MediaStream([videoTrack(), toneTrack()]);
    const el = await frame(state({ remoteStream: remote, remote: { audio: true, video: false, paused: true, reported: true } }));
    expect(shown($(el, 'video.remote')), 'the remote <video> is not displayed').to.equal(false);
    const placeholder = $(el, '[part~="placeholder"]')!;
    expect(shown(placeholder)).to.equal(true);
    expect(getComputedStyle(placeholder).backgroundColor, 'opaque').to.not.match(/rgba\(.*, 0\)|transparent/);
    expect(placeholder.querySelector('.avatar')!.textContent).to.equal('VL');
    expect(placeholder.querySelector('[role="status"]')!.textContent).to.contain('Vera Lynn paused video');
    await expect(el).to.be.accessible();
  });

  it('a stalled track (muted: no frames arrive) shows the placeholder too, and the video again when frames come back', async () => {
    const track = videoTrack();
    let muted = true;
    Object.defineProperty(track, 'muted', { get: () => muted });
    const el = await frame(state({ remoteStream: new MediaStream([track]), remote: { audio: true, video: true, reported: true } }));
    expect(shown($(el, 'video.remote'))).to.equal(false);
    expect($(el, '[part~="placeholder"] [role="status"]')!.textContent).to.contain('Connecting video');
    muted = false;
    track.dispatchEvent(new Event('unmute'));
    await el.updateComplete;
    expect(shown($(el, 'video.remote'))).to.equal(true);
  });

  it('the other side’s blocked camera and microphone are said at once, not "Waiting" or "Connecting"', async () => {
    const el = await frame(state({
      phase: 'starting',
      remote: { audio: false, video: false, problems: ['camera-denied', 'microphone-denied'], reported: true },
    }));
    const said = $(el, '[part~="placeholder"] [role="status"]')!.textContent!;
    expect(said).to.contain('Vera Lynn’s camera is blocked in their browser');
    expect(said).to.contain('Vera Lynn’s microphone is blocked in their browser: you cannot hear them');
    expect(said).to.not.match(/Waiting|Connecting/);
    await expect(el).to.be.accessible();
  });

  it('says the other side is muted, over its video', async () => {
    const remote = new MediaStream([videoTrack(), toneTrack()]);
    const el = await frame(state({ remoteStream: remote, remote: { audio: false, video: true, muted: true, reported: true } }), 'Ann');
    expect(shown($(el, 'video.remote'))).to.equal(true);
    const caption = $(el, '[part~="caption"]')!;
    expect(shown(caption)).to.equal(true);
    expect(caption.textContent).to.contain('Ann’s microphone is muted: you cannot hear them');
    await expect(el).to.be.accessible();
  });

  it('a voice call: both avatars with live level meters, no video box, and "End call"', async () => {
    const v = state({
      mode: 'voice',
      local: { ...SENDING, video: false, videoAllowed: false },
      localStream: new MediaStream([toneTrack()]),
      remoteStream: new MediaStream([toneTrack()]),
      remote: { audio: true, video: false, reported: true },
    });
    const el = await frame(v);
    expect(shown($(el, 'video.remote'))).to.equal(false);
    expect(shown($(el, 'video.self'))).to.equal(false);
    const stage = $(el, '[part~="stage"]')!;
    expect(stage.getAttribute('aria-label')).to.equal('Voice call with Vera Lynn');
    expect(stage.getBoundingClientRect().height, 'no 16:9 box').to.be.below(200);
    expect([...el.shadowRoot!.querySelectorAll('.avatar')].map((a) => a.textContent)).to.deep.equal(['VL', 'AA']);
    const meters = [...el.shadowRoot!.querySelectorAll<HTMLMeterElement>('meter')];
    expect(meters.map((m) => m.getAttribute('aria-label'))).to.deep.equal(['Vera Lynn’s voice level', 'Your voice level']);
    // The tones are loud: both meters move.
    let peak = [0, 0];
    for (let i = 0; i < 20 && Math.min(...peak) === 0; i++) {
      await aTimeout(100);
      peak = meters.map((m, k) => Math.max(peak[k], m.value));
    }
    expect(peak[0], 'remote level').to.be.greaterThan(0.1);
    expect(peak[1], 'own level').to.be.greaterThan(0.1);
    expect(label(el, 'end-button')!.textContent!.trim()).to.equal('End call');
    expect(label(el, 'video-button')).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('with the camera and microphone blocked here, every control says what is really sent', async () => {
    const el = await frame(state({
      local: { audio: false, video: false, muted: false, paused: false, videoAllowed: true },
      problems: ['x', 'y'],
      problemCodes: ['microphone-denied', 'camera-denied'],
      remoteStream: new MediaStream([videoTrack(), toneTrack()]),
      remote: { audio: true, video: true, reported: true },
    }));
    const video = label(el, 'video-button')!;
    const mic = label(el, 'audio-button')!;
    expect(video.getAttribute('aria-label')).to.equal('Camera blocked');
    expect(video.disabled).to.equal(true);
    expect(mic.getAttribute('aria-label')).to.equal('Microphone blocked');
    expect(mic.disabled).to.equal(true);
    expect(controls(el).shadowRoot!.querySelector('[role="status"]')!.textContent!.trim()).to.equal('Nothing is sent from this device');
    // The own avatar stands in for the self view; no level meter for a microphone that is not there.
    expect($(el, '.tile.self .avatar')!.textContent).to.equal('AA');
    expect($(el, '.tile.self meter')).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('still starting: every control waits for the devices, but once they are known blocked End video works', async () => {
    const asking = { audio: false, video: false, muted: false, paused: false, videoAllowed: true };
    const el = await frame(state({ phase: 'starting', local: asking }));
    expect(['video-button', 'audio-button', 'end-button'].map((p) => label(el, p)!.disabled)).to.deep.equal([true, true, true]);
    // Capture is done and nothing could be had: the other side's video may still be on its way, End must not wait for it.
    el.video = state({ phase: 'starting', local: asking, problems: ['x', 'y'], problemCodes: ['microphone-denied', 'camera-denied'] });
    await el.updateComplete;
    await controls(el).updateComplete;
    expect(['video-button', 'audio-button', 'end-button'].map((p) => [label(el, p)!.textContent!.trim(), label(el, p)!.disabled])).to.deep.equal([
      ['Camera blocked', true],
      ['Microphone blocked', true],
      ['End video', false],
    ]);
  });

  describe('on a bad network', () => {
    const quality = (patch: Partial<NonNullable<VideoState['quality']>>): NonNullable<VideoState['quality']> => ({
      level: 'good', send: 'good', rx: 'good', tier: 0, videoOff: false, voicePoor: false, reconnecting: false, freezes: 0, ...patch,
    });

    it('shows the connection quality as bars with a label for screen readers', async () => {
      const remote = new MediaStream([videoTrack(), toneTrack()]);
      const el = await frame(state({ remoteStream: remote, remote: { audio: true, video: true, reported: true }, quality: quality({ level: 'poor' }) }));
      const bars = $(el, '[part~="quality"]')!;
      expect(bars.getAttribute('role')).to.equal('img');
      expect(bars.getAttribute('aria-label')).to.equal('Connection: poor');
      expect(bars.classList.contains('poor')).to.equal(true);
      el.video = state({ remoteStream: remote, remote: { audio: true, video: true, reported: true }, quality: quality({ level: 'good' }) });
      await el.updateComplete;
      expect($(el, '[part~="quality"]')!.getAttribute('aria-label')).to.equal('Connection: good');
      await expect(el).to.be.accessible();
    });

    it('the other side’s video off for the network: placeholder saying "poor connection", not a frozen frame', async () => {
      const remote = new MediaStream([videoTrack(), toneTrack()]);
      const el = await frame(state({ remoteStream: remote, remote: { audio: true, video: false, netOff: true, reported: true } }));
      expect(shown($(el, 'video.remote'))).to.equal(false);
      expect($(el, '[part~="placeholder"] [role="status"]')!.textContent).to.contain('Vera Lynn’s video paused: poor connection');
    });

    it('the other side\'s video stalled here (our downlink): the same placeholder, before its own word arrives', async () => {
      const remote = new MediaStream([videoTrack(), toneTrack()]);
      const el = await frame(state({ remoteStream: remote, remote: { audio: true, video: true, reported: true }, quality: quality({ level: 'bad', videoStalled: true }) }));
      expect(shown($(el, 'video.remote'))).to.equal(false);
      expect($(el, '[part~="placeholder"] [role="status"]')!.textContent).to.contain('Vera Lynn’s video paused: poor connection');
      el.video = state({ remoteStream: remote, remote: { audio: true, video: true, reported: true }, quality: quality({ level: 'good' }) });
      await el.updateComplete;
      expect(shown($(el, 'video.remote'))).to.equal(true);
    });

    it('own video off for the network is said on the self tile; a pause by hand is not called a network problem', async () => {
      const el = await frame(state({ local: { ...SENDING, video: false, netOff: true }, remote: { audio: true, video: true, reported: true } }));
      expect($(el, '.tile.self [role="status"]')!.textContent).to.contain('Your video paused: poor connection');
      el.video = state({ local: { ...SENDING, video: false, paused: true }, remote: { audio: true, video: true, reported: true } });
      await el.updateComplete;
      expect($(el, '.tile.self [role="status"]')!.textContent!.trim()).to.equal('');
    });

    it('while reconnecting the last frame is hidden and the words say "Reconnecting video…"', async () => {
      const remote = new MediaStream([videoTrack(), toneTrack()]);
      const el = await frame(state({ remoteStream: remote, remote: { audio: true, video: true, reported: true }, quality: quality({ level: 'bad', reconnecting: true }) }));
      expect(shown($(el, 'video.remote'))).to.equal(false);
      expect($(el, '[part~="placeholder"] [role="status"]')!.textContent).to.contain('Reconnecting video…');
    });
  });
});
