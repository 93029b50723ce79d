import { html, nothing } from 'lit';
import { LocalizedElement } from '../localized-element.js';
import { property, query } from 'lit/decorators.js';
import type { VideoMode } from '../../session/index.js';
import { dispatchVcEvent } from '../events.js';
import { videoInviteStyles } from './video-invite.styles.js';
import { useVideoCatalogue } from '../../i18n/video.js';

// This element's texts are in the video's part of the catalogue (src/i18n/en-video.ts).
useVideoCatalogue();


/**
 * The customer's answer to a video invitation. A two-way offer can be
 * accepted two-way, accepted one-way (watch the agent only, voice from the
 * customer) or declined (chat stays as it is); other offers: accept or
 * decline. Takes focus when it appears so keyboard and screen-reader users
 * land on the choice.
 *
 * @summary Video invitation with the seed's three choices.
 *
 * @fires {CustomEvent<VcInviteRespondDetail>} vc-invite-respond - The customer chose: a mode, or `false` to decline.
 *
 * @csspart card - The invitation box.
 * @csspart accept - The main accept button.
 * @csspart accept-one-way - "Watch only" (two-way offers).
 * @csspart decline - Decline.
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
export class VideoInvite extends LocalizedElement {
  static override styles = videoInviteStyles;

  /** The offered mode. */
  @property()
  mode: VideoMode = 'two-way';

  /** Who invites (shown in the text; default: "The agent" in the element's locale). */
  @property({ attribute: 'peer-name' })
  peerName?: string;

  @query('button') private _first?: HTMLButtonElement;

  override firstUpdated() {
    this._first?.focus();
  }

  override render() {
    const name = this.peerName ?? this.t('name.agent');
    const mode = this.mode;
    return html`
      <div class="card" part="card" role="alertdialog" aria-labelledby="title" aria-describedby="text">
        <h2 id="title">${this.t('invite.title', { mode })}</h2>
        <p id="text">${this.t('invite.text', { mode, name })}</p>
        <div class="actions">
          <button class="btn-primary" part="accept" type="button" @click=${() => this._answer(this.mode)}>
            ${this.t('invite.accept', { mode })}
          </button>
          ${this.mode === 'two-way'
            ? html`<button class="btn-secondary" part="accept-one-way" type="button" @click=${() => this._answer('one-way-agent')}>
                ${this.t('invite.watch', { name })}
              </button>`
            : nothing}
          <button class="btn-secondary" part="decline" type="button" @click=${() => this._answer(false)}>${this.t('invite.decline')}</button>
        </div>
      </div>
    `;
  }

  private _answer(accept: VideoMode | false) {
    dispatchVcEvent(this, 'vc-invite-respond', { accept });
  }
}

if (!customElements.get('video-invite')) customElements.define('video-invite', VideoInvite);

declare global {
  interface HTMLElementTagNameMap {
    'video-invite': VideoInvite;
  }
}
