import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../../src/components/media-controls/media-controls.js';
import type { MediaControls } from '../../../src/components/media-controls/media-controls.js';
import type { LocalMediaStatus } from '../../../src/session/index.js';

const on: LocalMediaStatus = { audio: true, video: true, muted: false, paused: false, videoAllowed: true };

function button(el: MediaControls, part: string): HTMLButtonElement {
  return el.shadowRoot!.querySelector<HTMLButtonElement>(`[part="${part}"]`)!;
}

describe('<media-controls>', () => {
  const states: Array<[string, LocalMediaStatus, string, string, string]> = [
    ['sending both', on, 'Pause video', 'Mute microphone', 'Sending video and voice from this device'],
    ['video paused', { ...on, video: false, paused: true }, 'Resume video', 'Mute microphone', 'Sending voice from this device'],
    ['muted', { ...on, audio: false, muted: true }, 'Pause video', 'Unmute microphone', 'Sending video from this device'],
    ['paused and muted', { ...on, audio: false, video: false, muted: true, paused: true }, 'Resume video', 'Unmute microphone', 'Nothing is sent from this device'],
  ];
  for (const [name, status, videoLabel, audioLabel, said] of states) {
    it(`labels and status tell the truth when ${name}, and pass axe`, async () => {
      const el = await fixture<MediaControls>(html`<media-controls .status=${status}></media-controls>`);
      expect(button(el, 'video-button').getAttribute('aria-label')).to.equal(videoLabel);
      expect(button(el, 'audio-button').getAttribute('aria-label')).to.equal(audioLabel);
      expect(el.shadowRoot!.querySelector('[role="status"]')!.textContent!.trim()).to.equal(said);
      await expect(el).to.be.accessible();
    });
  }

  const blocked: Array<[string, LocalMediaStatus, string[], string, string]> = [
    ['camera and microphone blocked', { ...on, audio: false, video: false }, ['camera-denied', 'microphone-denied'], 'Camera blocked', 'Microphone blocked'],
    ['no camera, voice goes out', { ...on, video: false }, ['no-camera'], 'No camera', 'Mute microphone'],
    ['camera in use by another application', { ...on, video: false }, ['camera-busy'], 'Camera in use', 'Mute microphone'],
    ['no microphone, video goes out', { ...on, audio: false }, ['no-microphone'], 'Pause video', 'No microphone'],
    ['microphone busy, agent started muted', { ...on, audio: false, muted: true }, ['microphone-busy'], 'Pause video', 'Microphone in use'],
  ];
  for (const [name, status, problems, videoLabel, audioLabel] of blocked) {
    it(`a device that is not live gets a disabled button saying so, never a toggle: ${name}`, async () => {
      const el = await fixture<MediaControls>(html`<media-controls .status=${status} .problems=${problems}></media-controls>`);
      for (const [part, label] of [['video-button', videoLabel], ['audio-button', audioLabel]]) {
        const b = button(el, part);
        expect(b.getAttribute('aria-label')).to.equal(label);
        expect(b.textContent!.trim(), 'visible text says the same').to.equal(/^(Mute|Unmute) microphone$/.test(label) ? label.split(' ')[0] : label);
        expect(b.disabled, `${label} is ${/blocked|No |in use/.test(label) ? '' : 'not '}disabled`).to.equal(/blocked|No |in use/.test(label));
      }
      await expect(el).to.be.accessible();
    });
  }

  it('a camera that came back after a failed resume is a Resume button again, not "blocked"', async () => {
    const el = await fixture<MediaControls>(html`<media-controls .status=${{ ...on, video: false, paused: true }} .problems=${['camera-busy']}></media-controls>`);
    expect(button(el, 'video-button').getAttribute('aria-label')).to.equal('Resume video');
    expect(button(el, 'video-button').disabled).to.equal(false);
  });

  it('End says "End video" in a video call and "End call" in a voice call', async () => {
    const el = await fixture<MediaControls>(html`<media-controls .status=${on}></media-controls>`);
    expect(button(el, 'end-button').textContent!.trim()).to.equal('End video');
    el.voice = true;
    await el.updateComplete;
    expect(button(el, 'end-button').textContent!.trim()).to.equal('End call');
    await expect(el).to.be.accessible();
  });

  it('a voice-only mode has no video button', async () => {
    const el = await fixture<MediaControls>(html`<media-controls .status=${{ ...on, video: false, videoAllowed: false }}></media-controls>`);
    expect(button(el, 'video-button')?.outerHTML ?? null).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('asks for the opposite state and for End', async () => {
    const el = await fixture<MediaControls>(html`<media-controls .status=${on}></media-controls>`);
    setTimeout(() => button(el, 'audio-button').click());
    expect((await oneEvent(el, 'vc-mute-request')).detail).to.deep.equal({ muted: true });
    setTimeout(() => button(el, 'video-button').click());
    expect((await oneEvent(el, 'vc-pause-request')).detail).to.deep.equal({ paused: true });
    setTimeout(() => button(el, 'end-button').click());
    const end = await oneEvent(el, 'vc-end-request');
    expect(end.bubbles && end.composed).to.equal(true);
  });
});
