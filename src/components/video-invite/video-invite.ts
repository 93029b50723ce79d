import { LitElement, html } from 'lit';
import { property, query } from 'lit/decorators.js';
import type { VideoMode } from '../../session/index.js';
import { dispatchVcEvent } from '../events.js';
import { videoInviteStyles } from './video-invite.styles.js';

const OFFER_TEXT: Record<VideoMode, string> = {
  'two-way': 'wants to start a video chat: you see and hear each other.',
  'one-way-agent': 'wants to show you their video. You will be heard, not seen.',
  'one-way-customer': 'asks to see your video. You will hear each other; you will not see them.',
  voice: 'wants to start a voice call. No video.',
};

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
 * @cssprop [--vc-color-primary=#1d4ed8] - Accept button.
 * @cssprop [--vc-radius=12px] - Corner radius.
 */
export class VideoInvite extends LitElement {
  static override styles = videoInviteStyles;

  /** The offered mode. */
  @property()
  mode: VideoMode = 'two-way';

  /** Who invites (shown in the text). */
  @property({ attribute: 'peer-name' })
  peerName = 'The agent';

  @query('button') private _first?: HTMLButtonElement;

  override firstUpdated() {
    this._first?.focus();
  }

  override render() {
    const kind = this.mode === 'voice' ? 'Voice call' : 'Video chat';
    return html`
      <div class="card" part="card" role="alertdialog" aria-labelledby="title" aria-describedby="text">
        <h2 id="title">${kind} invitation</h2>
        <p id="text">${this.peerName} ${OFFER_TEXT[this.mode]}</p>
        <div class="actions">
          <button class="btn-primary" part="accept" type="button" @click=${() => this._answer(this.mode)}>
            ${this.mode === 'two-way' ? 'Accept video' : this.mode === 'voice' ? 'Accept call' : 'Accept'}
          </button>
          ${this.mode === 'two-way'
            ? html`<button class="btn-secondary" part="accept-one-way" type="button" @click=${() => this._answer('one-way-agent')}>
                Watch ${this.peerName} only
              </button>`
            : ''}
          <button class="btn-secondary" part="decline" type="button" @click=${() => this._answer(false)}>Decline, stay in chat</button>
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
