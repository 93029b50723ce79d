import { html, nothing } from 'lit';
import { LocalizedElement } from '../localized-element.js';
import { property, state } from 'lit/decorators.js';
import { dispatchVcEvent } from '../events.js';
import { cobrowseBannerStyles } from './cobrowse-banner.styles.js';
import { useCobrowseCatalogue } from '../../i18n/cobrowse.js';

// This element's texts are in the cobrowse prompts' part of the catalogue (src/i18n/en-cobrowse.ts).
useCobrowseCatalogue();

/**
 * The customer's persistent reminder that the agent sees this page
 * (`mode="viewing"`) or controls it (`mode="controlling"`), with Stop at
 * hand. While controlling, Stop takes control back at once (Esc does too,
 * anywhere on the page); "Stop sharing" ends cobrowse.
 *
 * Add `fixed` to float it over the page as a small pill in the bottom corner
 * at the start of the line (the widget's launcher sits at the end), so it
 * never covers the site's own navigation and the site stays usable while
 * it is shared. The visitor can drag it anywhere (pointer or touch), move it
 * with the arrow keys on its grip, or press the grip to put it in the other
 * bottom corner.
 *
 * @summary "Agent is viewing / controlling this page — Stop" banner.
 *
 * @fires {CustomEvent<VcCobrowseStopDetail>} vc-cobrowse-stop - Stop pressed: `scope: 'control'` (take control back) or `'cobrowse'` (stop sharing).
 *
 * @csspart bar - The banner row (the pill, with `fixed`).
 * @csspart move - The grip that moves the pill (with `fixed`): drag it, arrow keys, or press it for the other corner.
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
 * @cssprop [--vc-offset=1.25rem] - Distance of launcher, panel and cobrowse prompts from the viewport edges.
 */
export class CobrowseBanner extends LocalizedElement {
  static override styles = cobrowseBannerStyles;

  /** `viewing`: the agent sees the page; `controlling`: the agent may click and fill in fields. */
  @property({ reflect: true })
  mode: 'viewing' | 'controlling' = 'viewing';

  /** Who is watching (shown in the text; default: "Agent" in the element's locale). */
  @property({ attribute: 'peer-name' })
  peerName?: string;

  /** Floats the banner over the page as a movable pill in a bottom corner (see above). */
  @property({ type: Boolean, reflect: true })
  fixed = false;

  /** Which bottom corner the pill sits in while not dragged: the start of the line, or its end. */
  @state() private _side: 'start' | 'end' = 'start';
  /** Where the visitor dragged it (viewport px of its top-left corner). */
  @state() private _at?: { x: number; y: number };
  private _drag?: { id: number; dx: number; dy: number; x0: number; y0: number; moved: boolean };
  /** A drag ended on the grip: the click that follows is not a press. */
  private _dragged = false;
  private readonly _onWindowResize = () => {
    if (this._at) this._moveTo(this._at.x, this._at.y);
  };

  override connectedCallback(): void {
    super.connectedCallback();
    globalThis.addEventListener('resize', this._onWindowResize);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    globalThis.removeEventListener('resize', this._onWindowResize);
  }

  protected override updated(): void {
    // Where the pill is: a corner (side), or where it was dragged (inline left/top win over the corner's insets).
    if (this.getAttribute('side') !== this._side) this.setAttribute('side', this._side);
    this.toggleAttribute('moved', this._at !== undefined);
    this.style.left = this._at ? `${this._at.x}px` : '';
    this.style.top = this._at ? `${this._at.y}px` : '';
  }

  /** Puts the pill's top-left corner at (x, y), kept inside the viewport. */
  private _moveTo(x: number, y: number): void {
    const r = this.getBoundingClientRect();
    const maxX = Math.max(0, globalThis.innerWidth - r.width);
    const maxY = Math.max(0, globalThis.innerHeight - r.height);
    this._at = { x: Math.round(Math.min(Math.max(0, x), maxX)), y: Math.round(Math.min(Math.max(0, y), maxY)) };
  }

  private _onPointerDown(e: PointerEvent): void {
    if (!this.fixed || e.button !== 0) return;
    // The Stop buttons are pressed, not dragged.
    if ((e.target as Element).closest('button:not(.grip)')) return;
    const r = this.getBoundingClientRect();
    this._drag = { id: e.pointerId, dx: e.clientX - r.left, dy: e.clientY - r.top, x0: e.clientX, y0: e.clientY, moved: false };
    this._dragged = false;
    (e.currentTarget as Element).setPointerCapture?.(e.pointerId);
  }

  private _onPointerMove(e: PointerEvent): void {
    const d = this._drag;
    if (!d || e.pointerId !== d.id) return;
    if (!d.moved && Math.hypot(e.clientX - d.x0, e.clientY - d.y0) < 4) return;
    d.moved = true;
    e.preventDefault();
    this._moveTo(e.clientX - d.dx, e.clientY - d.dy);
  }

  private _onPointerUp(e: PointerEvent): void {
    const d = this._drag;
    if (!d || e.pointerId !== d.id) return;
    this._drag = undefined;
    // The click that may follow this pointerup (same task) is the end of the drag, not a press.
    this._dragged = d.moved;
    if (d.moved) setTimeout(() => (this._dragged = false), 0);
  }

  /** Pressing the grip (not dragging it): the other bottom corner. */
  private _onGripClick(): void {
    if (this._dragged) {
      this._dragged = false;
      return;
    }
    this._at = undefined;
    this._side = this._side === 'start' ? 'end' : 'start';
  }

  /** Arrow keys on the grip move the pill (Shift: further). */
  private _onGripKeydown(e: KeyboardEvent): void {
    const step = e.shiftKey ? 64 : 16;
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [-step, 0],
      ArrowRight: [step, 0],
      ArrowUp: [0, -step],
      ArrowDown: [0, step],
    };
    const m = moves[e.key];
    if (!m) return;
    e.preventDefault();
    const r = this.getBoundingClientRect();
    this._moveTo(r.left + m[0], r.top + m[1]);
  }

  override render() {
    const controlling = this.mode === 'controlling';
    return html`
      <div
        class="bar"
        part="bar"
        role="region"
        aria-label=${this.t('banner.label')}
        @pointerdown=${this._onPointerDown}
        @pointermove=${this._onPointerMove}
        @pointerup=${this._onPointerUp}
        @pointercancel=${this._onPointerUp}
      >
        ${this.fixed
          ? html`<button class="grip" part="move" type="button" aria-label=${this.t('banner.move')} @click=${this._onGripClick} @keydown=${this._onGripKeydown}>
              <svg viewBox="0 0 10 16" aria-hidden="true"><circle cx="3" cy="3" r="1.4"/><circle cx="7" cy="3" r="1.4"/><circle cx="3" cy="8" r="1.4"/><circle cx="7" cy="8" r="1.4"/><circle cx="3" cy="13" r="1.4"/><circle cx="7" cy="13" r="1.4"/></svg>
            </button>`
          : nothing}
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
