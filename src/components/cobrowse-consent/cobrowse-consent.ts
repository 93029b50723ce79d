import { html } from 'lit';
import { LocalizedElement } from '../localized-element.js';
import { property, query } from 'lit/decorators.js';
import { dispatchVcEvent } from '../events.js';
import { cobrowseConsentStyles } from './cobrowse-consent.styles.js';
import { useCobrowseCatalogue } from '../../i18n/cobrowse.js';

// This element's texts are in the cobrowse prompts' part of the catalogue (src/i18n/en-cobrowse.ts).
useCobrowseCatalogue();

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
export class CobrowseConsent extends LocalizedElement {
  static override styles = cobrowseConsentStyles;

  /** What is asked: `view` (see this page) or `control` (click and fill in fields). */
  @property({ reflect: true })
  kind: 'view' | 'control' = 'view';

  /** Who asks (shown in the text; default: "The agent" in the element's locale). */
  @property({ attribute: 'peer-name' })
  peerName?: string;

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
        <h2 id="title">${this.t(view ? 'consent.view-title' : 'consent.control-title')}</h2>
        <p id="text">${this.t(view ? 'consent.view-text' : 'consent.control-text', { name: this.peerName ?? this.t('name.agent') })}</p>
        <div class="actions">
          <button class="btn-primary" part="accept" type="button" @click=${() => this._answer(true)}>
            ${this.t(view ? 'consent.share' : 'consent.allow-control')}
          </button>
          <button class="btn-secondary" part="decline" type="button" @click=${() => this._answer(false)}>
            ${this.t(view ? 'consent.dont-share' : 'consent.keep-control')}
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
