import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { LocalizedElement } from '../localized-element.js';
import { property, query, state } from 'lit/decorators.js';
import type { CobrowseController, CobrowseState, ConversationController, ReplayTargetHandle } from '../../session/index.js';
import { cobrowseViewStyles } from './cobrowse-view.styles.js';

const IDLE: CobrowseState = { phase: 'idle', control: 'none', live: false };

/**
 * The agent's live view of the customer's page (cobrowse), replayed with
 * rrweb in a sandboxed iframe without `allow-scripts`: nothing of the
 * recorded page runs here. Moving the mouse over the page shows the agent's
 * pointer to the customer; a click highlights an element (Alt-click, or
 * Highlight mode, while controlling). With control granted, clicks and typing
 * are performed on the customer's page — never on password, payment or
 * blocked fields, which the customer's page refuses: the refusal is shown
 * here, with why. The customer's page is scaled to the view's width (never
 * wider, no horizontal scrolling; `--vc-cobrowse-height` caps the height) and
 * masked fields are marked in it (dashed outline, lock, tooltip), with a
 * legend saying what the marks mean.
 *
 * Set `controller` to the agent's conversation; the view follows its
 * `cobrowse` sub-controller (state and actions) and the customer's name.
 *
 * @summary Live cobrowse view with pointer, highlight and consented control.
 *
 * @csspart toolbar - Status and buttons above the page.
 * @csspart status - Status text.
 * @csspart offer - "Offer cobrowse" (idle).
 * @csspart request-control - "Request control".
 * @csspart highlight - Highlight mode toggle.
 * @csspart stop - "Stop cobrowse".
 * @csspart stage - The box the page is replayed in.
 * @csspart legend - What the marks on masked fields mean (while the page is shown).
 * @csspart refusal - An agent action the customer's page refused, and why (role="alert").
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
 * @cssprop [--vc-cobrowse-height=420px] - Tallest the stage grows; the customer's page is scaled to the stage's width (never scrolled sideways) and to this height.
 * @cssprop [--vc-cobrowse-color=#c2410c] - Outline while the agent has control.
 */
export class CobrowseView extends LocalizedElement {
  static override styles = cobrowseViewStyles;

  /** The agent's conversation. */
  @property({ attribute: false })
  controller?: ConversationController;

  /** Hide the built-in toolbar (the host draws its own buttons and calls the controller). */
  @property({ type: Boolean, attribute: 'no-toolbar' })
  noToolbar = false;

  /** Reflects whether the agent has control (for styling). */
  @property({ type: Boolean, reflect: true })
  control = false;

  @state() private _highlight = false;
  /** The refusal (its `lastAction.seq`) the agent dismissed. */
  @state() private _dismissed = 0;
  @query('.stage') private _stage?: HTMLElement;

  private _handle?: ReplayTargetHandle;
  private _listeningTo?: ConversationController;
  private _offs: Array<() => void> = [];

  /** The sandboxed iframe the page is replayed in (undefined until the first snapshot). */
  get replayFrame(): HTMLIFrameElement | undefined {
    return this._handle?.iframe;
  }

  override connectedCallback() {
    super.connectedCallback();
    this._listen();
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    this._unlisten();
    this._detach();
  }

  protected override willUpdate(changed: PropertyValues<this>) {
    if (changed.has('controller')) {
      this._unlisten();
      this._detach();
      if (this.isConnected) this._listen();
    }
    this.control = this._cobrowse.phase === 'active' && this._cobrowse.control === 'granted';
  }

  protected override updated() {
    if (!this._handle && this.controller && this._stage && this.controller.state.descriptor?.self.role === 'agent') {
      this._handle = this.controller.cobrowse.attachReplayTarget(this._stage);
      this._handle.setHighlightMode(this._highlight);
    }
    const labels = { frame: this.t('cobrowse.stage-label', { name: this._customer }), masked: this.t('cobrowse.masked-title'), secret: this.t('cobrowse.secret-title') };
    const key = JSON.stringify(labels);
    if (this._handle && this._labelsSet !== key) {
      this._labelsSet = key;
      this._handle.setLabels?.(labels);
    }
  }

  private _labelsSet?: string;

  private get _customer(): string {
    return this.controller?.state.peer?.participant.display ?? this.t('name.customer');
  }

  private get _cobrowse(): CobrowseState {
    return this.controller?.cobrowse.state ?? IDLE;
  }

  override render() {
    const c = this._cobrowse;
    const customer = this._customer;
    const status = this._statusText(c, customer);
    const shown = c.phase === 'active' && c.live;
    // The stage takes the customer's viewport's shape (capped by --vc-cobrowse-height): the page fits the width.
    const shape = shown && c.page && c.page.width > 0 && c.page.height > 0 ? `aspect-ratio: ${c.page.width} / ${c.page.height}` : '';
    return html`
      ${this.noToolbar
        ? html`<span class="sr-only" role="status">${status}</span>`
        : html`<div class="toolbar" part="toolbar">
            <span class="status" part="status" role="status">${status}</span>
            ${this._buttons(c)}
          </div>`}
      <div class="refusal-slot">${this._refusal(c, customer)}</div>
      <div class="stage ${shape ? 'sized' : ''}" part="stage" style=${shape} role="region" aria-label=${this.t('cobrowse.stage-label', { name: customer })} aria-busy=${c.phase === 'active' && !c.live ? 'true' : 'false'}>
        ${shown ? nothing : html`<div class="placeholder">${this._placeholderText(c, customer)}</div>`}
      </div>
      ${shown ? html`<p class="legend" part="legend"><span class="mark" aria-hidden="true"></span>${this.t('cobrowse.masked-legend')}</p>` : nothing}
    `;
  }

  /** The customer's page refused an action of ours: say so, and why, until dismissed or the next action goes through. */
  private _refusal(c: CobrowseState, customer: string): TemplateResult | typeof nothing {
    const a = c.lastAction;
    if (!a || a.ok || !a.code || a.seq <= this._dismissed) return nothing;
    return html`<p class="refusal" part="refusal" role="alert">
      <span>${this.t('cobrowse.refused', { kind: a.kind, name: customer, reason: this.t(`cobrowse.refusal.${a.code}`) })}</span>
      <button class="btn-ghost" type="button" @click=${() => (this._dismissed = a.seq)}>${this.t('cobrowse.dismiss')}</button>
    </p>`;
  }

  private _buttons(c: CobrowseState) {
    const ctl: CobrowseController | undefined = this.controller?.cobrowse;
    if (!ctl) return nothing;
    if (c.phase === 'idle') return html`<button part="offer" type="button" @click=${() => ctl.offer()}>${this.t('cobrowse.offer')}</button>`;
    if (c.phase === 'offered') return html`<button class="stop" part="stop" type="button" @click=${() => ctl.stop()}>${this.t('cobrowse.cancel-offer')}</button>`;
    if (c.phase !== 'active') return nothing;
    return html`
      <button part="request-control" type="button" ?disabled=${c.control !== 'none'} @click=${() => ctl.requestControl()}>
        ${this.t(c.control === 'granted' ? 'cobrowse.control-granted' : c.control === 'requested' ? 'cobrowse.control-requested' : 'cobrowse.request-control')}
      </button>
      <button part="highlight" type="button" aria-pressed=${this._highlight ? 'true' : 'false'} @click=${this._toggleHighlight}>${this.t('cobrowse.highlight')}</button>
      <button class="stop" part="stop" type="button" @click=${() => ctl.stop()}>${this.t('cobrowse.stop')}</button>
    `;
  }

  private _statusText(c: CobrowseState, customer: string): string {
    switch (c.phase) {
      case 'idle':
        return c.answer?.accept === false ? this.t('cobrowse.declined', { name: customer }) : this.t('cobrowse.off');
      case 'offered':
        return this.t('cobrowse.waiting', { name: customer });
      case 'asked':
        return this.t('cobrowse.pending');
      case 'active':
        if (!c.live) return this.t('cobrowse.connecting', { name: customer });
        return this.t(c.control === 'granted' ? 'cobrowse.controlling' : 'cobrowse.viewing', { name: customer });
    }
  }

  private _placeholderText(c: CobrowseState, customer: string): string {
    if (c.phase === 'active') return this.t('cobrowse.loading', { name: customer });
    if (c.phase === 'offered') return this.t('cobrowse.asked', { name: customer });
    return this.t('cobrowse.none');
  }

  private _toggleHighlight() {
    this._highlight = !this._highlight;
    this._handle?.setHighlightMode(this._highlight);
  }

  /** Follows what it renders: the cobrowse state, and the conversation for the customer's name. */
  private _listen() {
    const ctl = this.controller;
    if (!ctl || this._listeningTo === ctl) return;
    const update = () => this.requestUpdate();
    this._offs = [ctl.cobrowse.on('change', update), ctl.on('change', update)];
    this._listeningTo = ctl;
  }

  private _unlisten() {
    for (const off of this._offs) off();
    this._offs = [];
    this._listeningTo = undefined;
  }

  private _detach() {
    this._handle?.detach();
    this._handle = undefined;
  }
}

if (!customElements.get('cobrowse-view')) customElements.define('cobrowse-view', CobrowseView);

declare global {
  interface HTMLElementTagNameMap {
    'cobrowse-view': CobrowseView;
  }
}
