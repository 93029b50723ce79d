import { LitElement, html } from 'lit';
import { property, query } from 'lit/decorators.js';
import { dispatchVcEvent } from '../events.js';
import { cobrowseConsentStyles } from './cobrowse-consent.styles.js';

/**
 * Asks the customer for cobrowse consent: first to let the agent see this
 * page (`kind="view"`), later, separately, to let the agent click and fill in
 * fields (`kind="control"`). Says what stays hidden and how to stop. Takes
 * focus when it appears; Escape declines.
 *
 * @summary Cobrowse consent prompt (view, then control).
 *
 * @fires {CustomEvent<VcCobrowseConsentDetail>} vc-cobrowse-consent - The customer answered: `{kind, accept}`.
 *
 * @csspart card - The prompt box.
 * @csspart accept - Share the page / Allow control.
 * @csspart decline - Don't share / Keep control.
 *
 * @cssprop [--vc-color-primary=#1d4ed8] - Accept button.
 * @cssprop [--vc-radius=12px] - Corner radius.
 */
export class CobrowseConsent extends LitElement {
  static override styles = cobrowseConsentStyles;

  /** What is asked: `view` (see this page) or `control` (click and fill in fields). */
  @property({ reflect: true })
  kind: 'view' | 'control' = 'view';

  /** Who asks (shown in the text). */
  @property({ attribute: 'peer-name' })
  peerName = 'The agent';

  @query('button') private _first?: HTMLButtonElement;

  override firstUpdated() {
    this._first?.focus();
  }

  override updated(changed: Map<string, unknown>) {
    if (changed.has('kind') && changed.get('kind') !== undefined) this._first?.focus();
  }

  override render() {
    const view = this.kind === 'view';
    return html`
      <div class="card" part="card" role="alertdialog" aria-modal="false" aria-labelledby="title" aria-describedby="text" @keydown=${this._onKeydown}>
        <h2 id="title">${view ? 'Share this page?' : 'Let the agent control this page?'}</h2>
        <p id="text">
          ${view
            ? `${this.peerName} asks to see this page with you, live. Passwords, payment details and what you type stay hidden. Nothing is shared until you accept, and you can stop at any time.`
            : `${this.peerName} asks to click and fill in fields on this page for you. Passwords and payment fields stay out of reach. Press Esc or Stop at any time to take control back.`}
        </p>
        <div class="actions">
          <button class="btn-primary" part="accept" type="button" @click=${() => this._answer(true)}>
            ${view ? 'Share this page' : 'Allow control'}
          </button>
          <button class="btn-secondary" part="decline" type="button" @click=${() => this._answer(false)}>
            ${view ? 'Don’t share' : 'Keep control'}
          </button>
        </div>
      </div>
    `;
  }

  private _onKeydown(e: KeyboardEvent) {
    if (e.key !== 'Escape') return;
    e.preventDefault();
    this._answer(false);
  }

  private _answer(accept: boolean) {
    dispatchVcEvent(this, 'vc-cobrowse-consent', { kind: this.kind, accept });
  }
}

if (!customElements.get('cobrowse-consent')) customElements.define('cobrowse-consent', CobrowseConsent);

declare global {
  interface HTMLElementTagNameMap {
    'cobrowse-consent': CobrowseConsent;
  }
}
