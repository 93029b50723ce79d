import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { property, query } from 'lit/decorators.js';
import { themeTokens } from '../shared-styles.js';

/**
 * The small picture of a call running in a conversation that is not in
 * front: the other side's video from the conversation's own remote stream,
 * muted (the conversation's `<video-frame>` keeps playing the sound), or a
 * placeholder when there is no picture (voice, paused). The buttons around it
 * are `<agent-console>`'s.
 *
 * @summary Video tile of a background call (used by `<agent-console>`).
 *
 * @csspart video - The `<video>`.
 * @csspart placeholder - Shown instead when there is no picture.
 *
 * @cssprop [--vc-color-primary=#1d4ed8] - Accent: the placeholder's avatar. Dark: `#2563eb`.
 * @cssprop [--vc-color-on-primary=#ffffff] - Text on the accent colour.
 * @cssprop [--vc-color-surface=#ffffff] - Background. Dark: `#16181d`.
 * @cssprop [--vc-color-text=#1f2937] - Text of the placeholder. Dark: `#e5e7eb`.
 * @cssprop [--vc-color-danger=#b91c1c] - A blocked or missing device. Dark: `#f87171`.
 * @cssprop [--vc-color-on-danger=#ffffff] - Text on the danger colour. Dark: `#16181d`.
 * @cssprop [--vc-color-focus=var(--vc-color-primary)] - Focus ring.
 * @cssprop [--vc-radius=12px] - Corner radius.
 * @cssprop [--vc-font=system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif] - Font family.
 */
export class ConsoleVideoTile extends LitElement {
  static override styles = [
    themeTokens,
    css`
      :host {
        display: block;
        position: relative;
        aspect-ratio: 16 / 9;
        background: #111827;
        color: #f9fafb;
        border-radius: calc(var(--_vc-radius) * 0.67);
        overflow: hidden;
      }
      video {
        display: block;
        width: 100%;
        height: 100%;
        object-fit: cover;
      }
      video[hidden] {
        display: none;
      }
      .placeholder {
        position: absolute;
        inset: 0;
        display: grid;
        place-items: center;
        text-align: center;
        padding: 0.5rem;
        font-size: 0.85rem;
      }
    `,
  ];

  /** The other side's stream (the conversation's `video.remoteStream`). */
  @property({ attribute: false })
  stream?: MediaStream;

  /** Whether the other side sends a picture now (`video.remote.video` and a video track). */
  @property({ type: Boolean, attribute: 'has-video' })
  hasVideo = false;

  /** Accessible name of the picture. */
  @property()
  label = '';

  /** Text instead of the picture (voice call, paused). */
  @property()
  placeholder = '';

  @query('video') private _video?: HTMLVideoElement;

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('stream')) return;
    const v = this._video;
    if (v && v.srcObject !== (this.stream ?? null)) {
      v.srcObject = this.stream ?? null;
      // Muted, so autoplay is always allowed.
      void v.play().catch(() => {});
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this._video) this._video.srcObject = null;
  }

  protected override render() {
    return html`
      <video part="video" muted autoplay playsinline aria-label=${this.label} ?hidden=${!this.hasVideo}></video>
      ${this.hasVideo ? nothing : html`<div class="placeholder" part="placeholder">${this.placeholder}</div>`}
    `;
  }
}

if (!customElements.get('console-video-tile')) customElements.define('console-video-tile', ConsoleVideoTile);

declare global {
  interface HTMLElementTagNameMap {
    'console-video-tile': ConsoleVideoTile;
  }
}
