import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { LocalizedElement } from '../localized-element.js';
import { property, query, state } from 'lit/decorators.js';
import type { DeviceProblem, VideoState } from '../../session/index.js';
import { dispatchVcEvent } from '../events.js';
import '../media-controls/media-controls.js';
import type { DeviceChoice } from '../media-controls/media-controls.js';
import { AudioLevelController } from './audio-level.js';
import { videoFrameStyles } from './video-frame.styles.js';
import { useVideoCatalogue } from '../../i18n/video.js';

// This element's texts are in the video's part of the catalogue (src/i18n/en-video.ts).
useVideoCatalogue();

const isCameraProblem = (p: DeviceProblem) => p === 'no-camera' || p.startsWith('camera-');

/** Up to two initials of a name ("Vera Lynn" → "VL"), for the avatars. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const first = (w: string | undefined) => (w ? Array.from(w)[0].toLocaleUpperCase() : '');
  return (first(words[0]) + (words.length > 1 ? first(words[words.length - 1]) : '')) || '?';
}

/**
 * The video frame of a conversation: the other side's video, or (paused,
 * blocked, voice call) a placeholder with its avatar that says why; a self
 * view; live voice level meters; the unmute prompt, device messages and
 * `<media-controls>`. Renders a `VideoState`; user actions bubble out of
 * `<media-controls>` as `vc-*-request` events for the host to perform.
 *
 * The other side's `<video>` is shown only while its video really arrives
 * (it says it sends video, and the track is live and not muted): a paused,
 * blocked or stalled side shows its placeholder, never a frozen last frame.
 * What the other side says about itself (its signed `media.state`: muted,
 * paused, off for a poor connection, camera or microphone blocked, missing or
 * busy) is said in words. A running call shows how its connection is doing
 * (bars with an accessible label, from this browser's getStats); while the
 * call reconnects the other side's last frame is not shown, the words say so. A
 * voice call shows both sides' avatars with level meters instead of a video
 * box, and its end button says "End call". The frame never grows wider than
 * its container: the video keeps its aspect ratio and is letterboxed.
 *
 * @summary Remote video or placeholder, self view, level meters and call controls.
 *
 * @fires {CustomEvent<VcMuteRequestDetail>} vc-mute-request - From the controls or the unmute prompt.
 * @fires {CustomEvent<VcPauseRequestDetail>} vc-pause-request - From the controls.
 * @fires {CustomEvent<Record<string, never>>} vc-end-request - From the controls.
 * @fires {CustomEvent<VcDeviceRequestDetail>} vc-device-request - From the device pickers.
 *
 * @csspart stage - The video area (in a voice call: the row of both sides' tiles).
 * @csspart remote - The other side's video.
 * @csspart placeholder - The other side's avatar, name, level and state, when its video is not shown.
 * @csspart caption - What the other side's state is (muted, microphone blocked), over its video.
 * @csspart self - The self view (video, or avatar and level when no video is sent).
 * @csspart avatar - An avatar (initials).
 * @csspart meter - A voice level meter.
 * @csspart notice - Unmute prompt and device messages.
 * @csspart quality - The connection-quality indicator (four bars; `good`, `fair`, `poor` or `bad` as a class), labelled for screen readers.
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
 * @cssprop [--vc-video-max-height=50vh] - Tallest the video area grows (it keeps 16:9 below that and never gets wider than the element).
 */
export class VideoFrame extends LocalizedElement {
  static override styles = videoFrameStyles;

  @property({ attribute: false })
  video?: VideoState;

  /** Name of the other side, for placeholders and labels (default: "The other side" in the element's locale). */
  @property({ attribute: 'peer-name' })
  peerName?: string;

  /** This side's name, for its avatar (default: "You" in the element's locale). */
  @property({ attribute: 'self-name' })
  selfName?: string;

  @property({ attribute: false })
  cameras: readonly DeviceChoice[] = [];

  @property({ attribute: false })
  microphones: readonly DeviceChoice[] = [];

  @query('video.remote') private _remote?: HTMLVideoElement;
  @query('video.self') private _self?: HTMLVideoElement;
  @state() private _blocked = false;

  private readonly _levels = new AudioLevelController(this);
  /** Listeners on the remote video track (mute, unmute, ended): a stalled track shows the placeholder. */
  private _trackWatch?: { track: MediaStreamTrack; stop: AbortController };

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
    this._watchRemoteTrack(v?.remoteStream?.getVideoTracks()[0]);
    this._levels.watch('remote', v?.remoteStream?.getAudioTracks()[0]);
    this._levels.watch('self', v?.localStream?.getAudioTracks()[0]);
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    if (this._remote) this._remote.srcObject = null;
    if (this._self) this._self.srcObject = null;
    this._watchRemoteTrack(undefined);
  }

  private _watchRemoteTrack(track: MediaStreamTrack | undefined): void {
    if (this._trackWatch?.track === track) return;
    this._trackWatch?.stop.abort();
    this._trackWatch = undefined;
    if (!track || !this.isConnected) return;
    const stop = new AbortController();
    const update = () => this.requestUpdate();
    for (const type of ['mute', 'unmute', 'ended']) track.addEventListener(type, update, { signal: stop.signal });
    this._trackWatch = { track, stop };
  }

  override render() {
    const v = this.video;
    if (!v) return nothing;
    const name = this.peerName ?? this.t('name.other-side');
    const voice = v.mode === 'voice';
    const videoTrack = v.remoteStream?.getVideoTracks()[0];
    const reconnecting = !!v.quality?.reconnecting;
    // Shown only while frames really arrive: said to be sent, and the track live and not muted (no frozen last frame),
    // and not while the connection is being rebuilt (its last frame would be frozen).
    // A stalled video (our downlink cannot carry it) is not shown frozen: its placeholder says why.
    const stalled = !!v.quality?.videoStalled;
    const showRemote = !voice && !reconnecting && !stalled && v.remote.video && !!videoTrack && videoTrack.readyState === 'live' && !videoTrack.muted;
    // Device problems as codes when the core gave them (said in this locale), else its English sentences.
    const problems = v.problemCodes ? v.problemCodes.map((p) => this.t(`device.${p}`)) : v.problems;
    const error = v.errorCoded ? this.i18n.coded(v.errorCoded) : v.error;
    const lines = reconnecting ? [this.t('video.reconnecting')] : this._peerLines(v, name, voice, showRemote);
    const level = v.quality?.level;
    return html`
      <div class="stage ${voice ? 'voice' : ''}" part="stage" role="group" aria-label=${this.t(voice ? 'video.voice-call' : 'video.video-call', { name })}>
        ${level
          ? html`<span class="quality ${level}" part="quality" role="img" aria-label=${this.t('video.quality', { level })}
              ><i></i><i></i><i></i><i></i
            ></span>`
          : nothing}
        <video class="remote ${showRemote ? '' : 'off'}" part="remote" autoplay playsinline aria-label=${this.t('video.remote-label', { name })} ?hidden=${!showRemote}></video>
        ${this._peer(name, lines, showRemote, !!v.remoteStream?.getAudioTracks().length)}
        ${v.local.video
          ? nothing
          : this._selfTile(this.selfName ?? this.t('video.you'), !!v.localStream?.getAudioTracks().length, !!v.local.netOff && !v.local.paused)}
        <video class="self ${v.local.video ? '' : 'off'}" part="self" autoplay playsinline muted aria-label=${this.t('video.self-label')} ?hidden=${!v.local.video}></video>
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
      <media-controls
        .status=${v.local}
        .problems=${v.problemCodes ?? []}
        ?voice=${voice}
        .cameras=${this.cameras}
        .currentCamera=${v.localStream?.getVideoTracks()[0]?.getSettings().deviceId}
        .microphones=${this.microphones}
        ?disabled=${v.phase === 'starting' && !v.local.audio && !v.local.video && !v.problemCodes?.length}
      ></media-controls>
    `;
  }

  /** What the other side's state is, in words: its own report (media.state) first, then what arrives. */
  private _peerLines(v: VideoState, name: string, voice: boolean, showRemote: boolean): string[] {
    const r = v.remote;
    const problems = r.problems ?? [];
    const camera = voice ? undefined : problems.find(isCameraProblem);
    const mic = problems.find((p) => !isCameraProblem(p));
    const lines: string[] = [];
    if (camera) lines.push(this.t(`video.peer.${camera}`, { name }));
    if (mic) lines.push(this.t(`video.peer.${mic}`, { name }));
    else if (r.muted) lines.push(this.t('video.peer-muted', { name }));
    if (showRemote) return lines;
    if (!camera && r.paused && !voice) lines.push(this.t('video.peer-paused', { name }));
    else if (!camera && (r.netOff || v.quality?.videoStalled) && !voice) lines.push(this.t('video.peer-net-off', { name }));
    if (lines.length > 0) return lines;
    if (!r.reported) lines.push(v.phase === 'starting' ? this.t('video.connecting') : this.t('video.waiting', { name }));
    else if (!r.audio && !r.video) lines.push(this.t('video.peer-nothing', { name }));
    // Said to be sent, not arriving (yet): the first frames, or a stalled connection.
    else if (r.video && !voice) lines.push(this.t('video.connecting'));
    else if (!voice) lines.push(this.t('video.voice-only', { name }));
    return lines;
  }

  /**
   * The other side when its video is not shown: avatar, name, voice level and
   * what is going on; over its video only the words (muted, microphone
   * blocked). One status element either way, so each change is announced.
   */
  private _peer(name: string, lines: string[], showRemote: boolean, hasAudio: boolean): TemplateResult {
    return html`
      <div class="tile peer ${showRemote ? 'caption' : ''}" part="${showRemote ? 'caption' : 'placeholder'}">
        ${showRemote
          ? nothing
          : html`<span class="avatar" part="avatar" aria-hidden="true">${initials(name)}</span>
              <span class="who">${name}</span>
              ${hasAudio ? this._meter('remote', this.t('video.level-label', { name })) : nothing}`}
        <p class="state" role="status">${lines.join(' · ')}</p>
      </div>
    `;
  }

  /** This side when it sends no video: avatar and voice level, and why when the network took the video away. */
  private _selfTile(name: string, hasAudio: boolean, netOff: boolean): TemplateResult {
    return html`
      <div class="tile self" part="self">
        <span class="avatar" part="avatar" aria-hidden="true">${initials(name)}</span>
        <span class="who">${name}</span>
        ${hasAudio ? this._meter('self', this.t('video.own-level-label')) : nothing}
        <span class="state" role="status">${netOff ? this.t('video.self-net-off') : nothing}</span>
      </div>
    `;
  }

  /** A live level meter; AudioLevelController sets its level. */
  private _meter(key: 'remote' | 'self', label: string): TemplateResult {
    return html`<meter class="meter" part="meter" min="0" max="1" low="0.05" value="0" aria-label=${label} data-level=${key}></meter>`;
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
