import { html, nothing, svg } from 'lit';
import { LocalizedElement } from '../localized-element.js';
import { property, state } from 'lit/decorators.js';
import type { DeviceProblem, LocalMediaStatus } from '../../session/index.js';
import { dispatchVcEvent } from '../events.js';
import { mediaControlsStyles } from './media-controls.styles.js';
import { useVideoCatalogue } from '../../i18n/video.js';

// This element's texts are in the video's part of the catalogue (src/i18n/en-video.ts).
useVideoCatalogue();

export interface DeviceChoice {
  deviceId: string;
  label: string;
}

const icon = {
  camera: svg`<path fill="currentColor" d="M4 6h11a2 2 0 0 1 2 2v1.5l4-2.5v10l-4-2.5V16a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2z"/>`,
  cameraOff: svg`<path fill="currentColor" d="M4 6h11a2 2 0 0 1 2 2v1.5l4-2.5v10l-4-2.5V16a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2z" opacity=".35"/><path stroke="currentColor" stroke-width="2" d="M3 3l18 18"/>`,
  mic: svg`<path fill="currentColor" d="M12 3a3 3 0 0 1 3 3v6a3 3 0 0 1-6 0V6a3 3 0 0 1 3-3zm-7 9h2a5 5 0 0 0 10 0h2a7 7 0 0 1-6 6.9V21h-2v-2.1A7 7 0 0 1 5 12z"/>`,
  micOff: svg`<path fill="currentColor" opacity=".35" d="M12 3a3 3 0 0 1 3 3v6a3 3 0 0 1-6 0V6a3 3 0 0 1 3-3zm-7 9h2a5 5 0 0 0 10 0h2a7 7 0 0 1-6 6.9V21h-2v-2.1A7 7 0 0 1 5 12z"/><path stroke="currentColor" stroke-width="2" d="M3 3l18 18"/>`,
  switchCamera: svg`<path fill="currentColor" d="M9 5l-1.5 2H4a2 2 0 0 0-2 2v9a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V9a2 2 0 0 0-2-2h-3.5L15 5H9zm3 4a4.5 4.5 0 0 1 4.2 3H18l-2.5 3-2.5-3h1.3a2.7 2.7 0 0 0-4.6-.8L8.5 10A4.5 4.5 0 0 1 12 9zm-3.5 4.5L11 16.5H9.7a2.7 2.7 0 0 0 4.6.8l1.2 1.2A4.5 4.5 0 0 1 7.8 16.5H6l2.5-3z"/>`,
  end: svg`<path fill="currentColor" d="M12 9c-3.3 0-6.3.8-8.6 2.3-.6.4-.8 1.2-.4 1.8l1.4 2c.4.5 1 .7 1.6.5l2.6-1c.5-.2.8-.7.8-1.2v-1.6a13 13 0 0 1 5.2 0v1.6c0 .5.3 1 .8 1.2l2.6 1c.6.2 1.2 0 1.6-.5l1.4-2c.4-.6.2-1.4-.4-1.8C18.3 9.8 15.3 9 12 9z"/>`,
};

const isCameraProblem = (p: DeviceProblem) => p === 'no-camera' || p.startsWith('camera-');

/**
 * Pause/Resume Video, Mute/Unmute and End Video (End call in a voice call) for
 * one side of a call, plus camera and microphone pickers, and Switch camera
 * (front/back on a phone) when there is more than one camera. Icons and labels
 * come from `status`, which reports what this machine actually sends, so they
 * never claim a stream that is not there; a device that could not be captured
 * (`problems`) gets a disabled button saying so ("Camera blocked", "No
 * microphone"…) instead of a toggle that would do nothing.
 *
 * @summary Call controls whose icons tell the truth about what is streamed.
 *
 * @fires {CustomEvent<VcMuteRequestDetail>} vc-mute-request - The user asks to mute (`muted: true`) or unmute.
 * @fires {CustomEvent<VcPauseRequestDetail>} vc-pause-request - The user asks to pause (`paused: true`) or resume video.
 * @fires {CustomEvent<Record<string, never>>} vc-end-request - The user pressed End Video (or End call).
 * @fires {CustomEvent<VcDeviceRequestDetail>} vc-device-request - The user picked another camera or microphone, or switched to the next camera.
 *
 * @csspart bar - The row of buttons.
 * @csspart video-button - Pause/Resume Video.
 * @csspart audio-button - Mute/Unmute.
 * @csspart end-button - End Video (End call in a voice call).
 * @csspart devices - The device pickers.
 *
 * @cssprop [--vc-color-primary=#1d4ed8] - Accent: launcher, title bar, own bubbles, Send, focus ring. Dark: `#2563eb`.
 * @cssprop [--vc-color-on-primary=#ffffff] - Text on the accent colour.
 * @cssprop [--vc-color-surface=#ffffff] - Background. A page that sets it keeps the light defaults in dark mode. Dark: `#16181d`.
 * @cssprop [--vc-color-text=#1f2937] - Text; borders and muted text are mixed from it and the surface. Dark: `#e5e7eb`.
 * @cssprop [--vc-color-danger=#b91c1c] - Errors, muted or paused buttons, End video. Dark: `#f87171`.
 * @cssprop [--vc-color-on-danger=#ffffff] - Text on the danger colour (End video). Dark: `#16181d`.
 * @cssprop [--vc-color-focus=var(--vc-color-primary)] - Focus ring.
 * @cssprop [--vc-radius=12px] - Corner radius.
 * @cssprop [--vc-font=system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif] - Font family.
 */
export class MediaControls extends LocalizedElement {
  static override styles = mediaControlsStyles;

  /** What this side sends right now (from the conversation's video state). */
  @property({ attribute: false })
  status: LocalMediaStatus = { audio: false, video: false, muted: false, paused: false, videoAllowed: false };

  @property({ attribute: false })
  cameras: readonly DeviceChoice[] = [];

  @property({ attribute: false })
  microphones: readonly DeviceChoice[] = [];

  /** Devices that could not be captured (the video state's `problemCodes`): their buttons say so and are disabled. */
  @property({ attribute: false })
  problems: readonly DeviceProblem[] = [];

  /** A voice call: End says "End call". */
  @property({ type: Boolean, reflect: true })
  voice = false;

  /** deviceId of the camera being sent, if known: Switch camera picks the next one in `cameras`. */
  @property({ attribute: false })
  currentCamera?: string;

  /** Disables every control (e.g. while video is starting). */
  @property({ type: Boolean, reflect: true })
  disabled = false;

  @state() private _showDevices = false;

  override render() {
    const s = this.status;
    // A device that failed and is not live: its button states that, and does nothing.
    const cameraDown = s.video || s.paused ? undefined : this.problems.find(isCameraProblem);
    const micDown = s.audio ? undefined : this.problems.find((p) => !isCameraProblem(p));
    const videoLabel = cameraDown ? this.t(`controls.${cameraDown}`) : this.t(s.paused ? 'controls.resume' : 'controls.pause');
    const audioLabel = micDown ? this.t(`controls.${micDown}`) : this.t(s.muted ? 'controls.unmute-microphone' : 'controls.mute-microphone');
    const audioText = micDown ? audioLabel : this.t(s.muted ? 'controls.unmute' : 'controls.mute');
    const endLabel = this.t(this.voice ? 'controls.end-call' : 'controls.end');
    const media = [...(s.video ? [this.t('controls.sending-video')] : []), ...(s.audio ? [this.t('controls.sending-voice')] : [])];
    return html`
      <p class="sr-only" role="status">${media.length ? this.t('controls.sending', { media }) : this.t('controls.sending-nothing')}</p>
      <div class="bar" part="bar" role="toolbar" aria-label=${this.t('controls.label')}>
        ${s.videoAllowed
          ? html`<button
              class="round ${s.video ? '' : 'off'}"
              part="video-button"
              type="button"
              aria-label=${videoLabel}
              title=${videoLabel}
              ?disabled=${this.disabled || !!cameraDown}
              @click=${() => dispatchVcEvent(this, 'vc-pause-request', { paused: !s.paused })}
            >
              <svg viewBox="0 0 24 24" aria-hidden="true">${s.video ? icon.camera : icon.cameraOff}</svg>
              <span aria-hidden="true">${videoLabel}</span>
            </button>`
          : nothing}
        <button
          class="round ${s.audio ? '' : 'off'}"
          part="audio-button"
          type="button"
          aria-label=${audioLabel}
          title=${audioLabel}
          ?disabled=${this.disabled || !!micDown}
          @click=${() => dispatchVcEvent(this, 'vc-mute-request', { muted: !s.muted })}
        >
          <svg viewBox="0 0 24 24" aria-hidden="true">${s.audio ? icon.mic : icon.micOff}</svg>
          <span aria-hidden="true">${audioText}</span>
        </button>
        ${s.video && this.cameras.length >= 2
          ? html`<button class="round" type="button" aria-label=${this.t('controls.switch-camera')} title=${this.t('controls.switch-camera')} ?disabled=${this.disabled} @click=${this._switchCamera}>
              <svg viewBox="0 0 24 24" aria-hidden="true">${icon.switchCamera}</svg>
              <span aria-hidden="true">${this.t('controls.switch-camera')}</span>
            </button>`
          : nothing}
        <button class="round end" part="end-button" type="button" ?disabled=${this.disabled} @click=${() => dispatchVcEvent(this, 'vc-end-request', {})}>
          <svg viewBox="0 0 24 24" aria-hidden="true">${icon.end}</svg>
          <span>${endLabel}</span>
        </button>
        ${this.cameras.length + this.microphones.length > 0
          ? html`<button class="round" type="button" aria-expanded=${this._showDevices ? 'true' : 'false'} aria-controls="devices" @click=${() => (this._showDevices = !this._showDevices)}>
              ${this.t('controls.devices')}
            </button>`
          : nothing}
      </div>
      ${this._showDevices
        ? html`<div class="devices" id="devices" part="devices">
            ${s.videoAllowed && this.cameras.length
              ? html`<label>${this.t('controls.camera')}
                  <select @change=${(e: Event) => this._pick('video', e)}>
                    ${this.cameras.map((d) => html`<option value=${d.deviceId}>${d.label}</option>`)}
                  </select>
                </label>`
              : nothing}
            ${this.microphones.length
              ? html`<label>${this.t('controls.microphone')}
                  <select @change=${(e: Event) => this._pick('audio', e)}>
                    ${this.microphones.map((d) => html`<option value=${d.deviceId}>${d.label}</option>`)}
                  </select>
                </label>`
              : nothing}
          </div>`
        : nothing}
    `;
  }

  /** The next camera after the one being sent (front → back on a phone), round the list. */
  private readonly _switchCamera = () => {
    const at = this.cameras.findIndex((d) => d.deviceId === this.currentCamera);
    const next = this.cameras[(at + 1) % this.cameras.length];
    if (next) dispatchVcEvent(this, 'vc-device-request', { kind: 'video', deviceId: next.deviceId });
  };

  private _pick(kind: 'audio' | 'video', e: Event) {
    dispatchVcEvent(this, 'vc-device-request', { kind, deviceId: (e.target as HTMLSelectElement).value });
  }
}

if (!customElements.get('media-controls')) customElements.define('media-controls', MediaControls);

declare global {
  interface HTMLElementTagNameMap {
    'media-controls': MediaControls;
  }
}
