import { html, nothing, type PropertyValues } from 'lit';
import { LocalizedElement } from '../localized-element.js';
import { property, query, state } from 'lit/decorators.js';
import type { VideoState } from '../../session/index.js';
import { dispatchVcEvent } from '../events.js';
import '../media-controls/media-controls.js';
import type { DeviceChoice } from '../media-controls/media-controls.js';
import { videoFrameStyles } from './video-frame.styles.js';

/**
 * The video frame of a conversation: the other side's video (or a paused /
 * voice-only placeholder), a self view, the unmute prompt, device problems and
 * `<media-controls>`. Renders a `VideoState`; user actions bubble out of
 * `<media-controls>` as `vc-*-request` events for the host to perform.
 *
 * @summary Remote video, self view and call controls.
 *
 * @fires {CustomEvent<VcMuteRequestDetail>} vc-mute-request - From the controls or the unmute prompt.
 * @fires {CustomEvent<VcPauseRequestDetail>} vc-pause-request - From the controls.
 * @fires {CustomEvent<Record<string, never>>} vc-end-request - From the controls.
 * @fires {CustomEvent<VcDeviceRequestDetail>} vc-device-request - From the device pickers.
 *
 * @csspart stage - The video area.
 * @csspart remote - The other side's video.
 * @csspart self - The self view.
 * @csspart notice - Unmute prompt and device messages.
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
export class VideoFrame extends LocalizedElement {
  static override styles = videoFrameStyles;

  @property({ attribute: false })
  video?: VideoState;

  /** Name of the other side, for placeholders and labels (default: "The other side" in the element's locale). */
  @property({ attribute: 'peer-name' })
  peerName?: string;

  @property({ attribute: false })
  cameras: readonly DeviceChoice[] = [];

  @property({ attribute: false })
  microphones: readonly DeviceChoice[] = [];

  @query('video.remote') private _remote?: HTMLVideoElement;
  @query('video.self') private _self?: HTMLVideoElement;
  @state() private _blocked = false;

  override updated(changed: PropertyValues<this>) {
    if (!changed.has('video')) return;
    const v = this.video;
    if (this._remote && this._remote.srcObject !== (v?.remoteStream ?? null)) {
      this._remote.srcObject = v?.remoteStream ?? null;
      // Browsers may refuse sound before a gesture; offer a button rather than stay silent.
      this._remote.play().then(() => (this._blocked = false), () => (this._blocked = !!v?.remoteStream));
    }
    if (this._self && this._self.srcObject !== (v?.localStream ?? null)) {
      this._self.srcObject = v?.localStream ?? null;
      void this._self.play().catch(() => {});
    }
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    if (this._remote) this._remote.srcObject = null;
    if (this._self) this._self.srcObject = null;
  }

  override render() {
    const v = this.video;
    if (!v) return nothing;
    const name = this.peerName ?? this.t('name.other-side');
    const remoteHasVideo = (v.remoteStream?.getVideoTracks().length ?? 0) > 0 && v.remote.video;
    const placeholder = v.phase === 'starting'
      ? this.t('video.connecting')
      : !remoteHasVideo
        ? v.remote.audio || (v.remoteStream?.getAudioTracks().length ?? 0) > 0
          ? (v.remoteStream?.getVideoTracks().length ?? 0) > 0 ? this.t('video.peer-paused', { name }) : this.t('video.voice-only', { name })
          : this.t('video.waiting', { name })
        : '';
    // Device problems as codes when the core gave them (said in this locale), else its English sentences.
    const problems = v.problemCodes ? v.problemCodes.map((p) => this.t(`device.${p}`)) : v.problems;
    const error = v.errorCoded ? this.i18n.coded(v.errorCoded) : v.error;
    return html`
      <div class="stage" part="stage">
        <video class="remote" part="remote" autoplay playsinline aria-label=${this.t('video.remote-label', { name })} ?hidden=${!remoteHasVideo}></video>
        ${placeholder ? html`<div class="placeholder" role="status">${placeholder}</div>` : nothing}
        <video class="self" part="self" autoplay playsinline muted aria-label=${this.t('video.self-label')} ?hidden=${!v.local.video}></video>
      </div>
      ${this._blocked
        ? html`<p class="notice" part="notice">${this.t('video.sound-held')}
            <button class="btn-primary" type="button" @click=${this._playAudio}>${this.t('video.play-sound')}</button></p>`
        : nothing}
      ${v.unmutePrompt
        ? html`<p class="notice" part="notice" role="alert">
            ${this.t('video.muted-prompt', { name })}
            <button class="btn-primary" type="button" @click=${() => dispatchVcEvent(this, 'vc-mute-request', { muted: false })}>${this.t('video.unmute-microphone')}</button>
          </p>`
        : nothing}
      ${problems.map((p) => html`<p class="notice" part="notice" role="alert">${p}</p>`)}
      ${error ? html`<p class="notice" part="notice" role="alert">${error}</p>` : nothing}
      <media-controls .status=${v.local} .cameras=${this.cameras} .microphones=${this.microphones} .currentCamera=${v.localStream?.getVideoTracks()[0]?.getSettings().deviceId} ?disabled=${v.phase === 'starting' && !v.local.audio && !v.local.video}></media-controls>
    `;
  }

  private _playAudio() {
    void this._remote?.play().then(() => (this._blocked = false));
  }
}

if (!customElements.get('video-frame')) customElements.define('video-frame', VideoFrame);

declare global {
  interface HTMLElementTagNameMap {
    'video-frame': VideoFrame;
  }
}
