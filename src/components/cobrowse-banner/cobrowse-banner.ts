import { html, nothing } from 'lit';
import { LocalizedElement } from '../localized-element.js';
import { property } from 'lit/decorators.js';
import { dispatchVcEvent } from '../events.js';
import { cobrowseBannerStyles } from './cobrowse-banner.styles.js';

/**
 * The customer's persistent reminder that the agent sees this page
 * (`mode="viewing"`) or controls it (`mode="controlling"`), with Stop at
 * hand. While controlling, Stop takes control back at once (Esc does too,
 * anywhere on the page); "Stop sharing" ends cobrowse.
 * Add `fixed` to pin it to the top of the viewport.
 *
 * @summary "Agent is viewing / controlling this page — Stop" banner.
 *
 * @fires {CustomEvent<VcCobrowseStopDetail>} vc-cobrowse-stop - Stop pressed: `scope: 'control'` (take control back) or `'cobrowse'` (stop sharing).
 *
 * @csspart bar - The banner row.
 * @csspart stop-control - "Stop control" (controlling only).
 * @csspart stop - "Stop sharing".
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
 * @cssprop [--vc-cobrowse-color=#c2410c] - Accent (and background while the agent controls).
 */
export class CobrowseBanner extends LocalizedElement {
  static override styles = cobrowseBannerStyles;

  /** `viewing`: the agent sees the page; `controlling`: the agent may click and fill in fields. */
  @property({ reflect: true })
  mode: 'viewing' | 'controlling' = 'viewing';

  /** Who is watching (shown in the text; default: "Agent" in the element's locale). */
  @property({ attribute: 'peer-name' })
  peerName?: string;

  /** Pins the banner to the top of the viewport. */
  @property({ type: Boolean, reflect: true })
  fixed = false;

  override render() {
    const controlling = this.mode === 'controlling';
    return html`
      <div class="bar" part="bar" role="region" aria-label=${this.t('banner.label')}>
        <span class="dot" aria-hidden="true"></span>
        <span class="text" role="status">${this.t(controlling ? 'banner.controlling' : 'banner.viewing', { name: this.peerName ?? this.t('name.agent-short') })}</span>
        ${controlling
          ? html`<button class="stop-control" part="stop-control" type="button" aria-keyshortcuts="Escape" @click=${() => this._stop('control')}>
              ${this.t('banner.stop-control')}
            </button>`
          : nothing}
        <button part="stop" type="button" @click=${() => this._stop('cobrowse')}>${this.t('banner.stop')}</button>
      </div>
    `;
  }

  private _stop(scope: 'control' | 'cobrowse') {
    dispatchVcEvent(this, 'vc-cobrowse-stop', { scope });
  }
}

if (!customElements.get('cobrowse-banner')) customElements.define('cobrowse-banner', CobrowseBanner);

declare global {
  interface HTMLElementTagNameMap {
    'cobrowse-banner': CobrowseBanner;
  }
}
