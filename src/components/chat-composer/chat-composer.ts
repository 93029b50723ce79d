import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { LocalizedElement } from '../localized-element.js';
import { property, query } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { ifDefined } from 'lit/directives/if-defined.js';
import { MAX_CHAT_TEXT } from '../../protocol/index.js';
import { dispatchVcEvent } from '../events.js';
import { chatComposerStyles } from './chat-composer.styles.js';

/** The counter appears once fewer than this many characters are left. */
const COUNTER_THRESHOLD = 200;

/**
 * Message box with a Send button. Enter sends, Shift+Enter inserts a newline.
 * Text is trimmed; empty text is refused. Focus stays in the box after sending.
 *
 * @summary Chat message composer with typing notifications.
 *
 * @fires {CustomEvent<VcComposeDetail>} vc-compose - The user sends `{text}` (trimmed, non-empty). Cancelable: call `preventDefault()` to keep the text in the box (e.g. when sending failed).
 * @fires {CustomEvent<VcTypingDetail>} vc-typing - `{active: true}` at most once per 2 s while the user types; `{active: false}` after 4 s idle, on send, on blur or when the box is emptied.
 *
 * @csspart form - The row holding box and button.
 * @csspart input - The textarea.
 * @csspart send - The Send button.
 * @csspart counter - The characters-left counter (only near the limit).
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
 *
 * @slot send-label - Content of the Send button (default: "Send").
 */
export class ChatComposer extends LocalizedElement {
  static override styles = chatComposerStyles;
  static override shadowRootOptions: ShadowRootInit = { ...LitElement.shadowRootOptions, delegatesFocus: true };

  /** Accessible label of the text box (default: "Message" in the element's locale). */
  @property()
  label?: string;

  /** Placeholder of the text box; defaults to "Type a message…". */
  @property()
  placeholder?: string;

  /** Disables box and button. */
  @property({ type: Boolean, reflect: true })
  disabled = false;

  /** Current text of the box. */
  @property({ attribute: false })
  value = '';

  /** Minimum time between two `vc-typing {active: true}` events (ms). */
  @property({ attribute: false })
  typingThrottleMs = 2000;

  /** Idle time after which `vc-typing {active: false}` fires (ms). */
  @property({ attribute: false })
  typingIdleMs = 4000;

  @query('textarea') private _textarea!: HTMLTextAreaElement;

  private _typingActive = false;
  private _lastActiveAt = -Infinity;
  private _idleTimer?: ReturnType<typeof setTimeout>;

  /** Sends the current text as if the user pressed Enter. Returns whether it was sent. */
  send(): boolean {
    if (this.disabled) return false;
    const text = this.value.trim();
    if (!text || text.length > MAX_CHAT_TEXT) {
      this._textarea?.focus();
      return false;
    }
    this._stopTyping();
    const accepted = dispatchVcEvent(this, 'vc-compose', { text });
    if (accepted) this.value = '';
    this._textarea?.focus();
    return accepted;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('value')) this._autosize();
  }

  /** Grows the box with its text, up to the CSS max-height (then it scrolls). */
  private _autosize(): void {
    const ta = this._textarea;
    if (!ta) return;
    ta.style.height = 'auto';
    ta.style.height = `${ta.scrollHeight + ta.offsetHeight - ta.clientHeight}px`;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this._idleTimer);
    this._idleTimer = undefined;
    this._typingActive = false;
  }

  protected override render(): TemplateResult {
    const left = MAX_CHAT_TEXT - this.value.length;
    const showCounter = left <= COUNTER_THRESHOLD;
    return html`
      <form part="form" @submit=${this._onSubmit}>
        <div class="field">
          <label class="sr-only" for="input">${this.label ?? this.t('composer.label')}</label>
          <textarea
            id="input"
            part="input"
            rows="1"
            maxlength=${MAX_CHAT_TEXT}
            placeholder=${this.placeholder ?? this.t('composer.placeholder')}
            aria-describedby=${ifDefined(showCounter ? 'counter' : undefined)}
            .enterKeyHint=${'send'}
            .value=${live(this.value)}
            ?disabled=${this.disabled}
            @input=${this._onInput}
            @keydown=${this._onKeydown}
            @blur=${this._stopTyping}
          ></textarea>
          ${showCounter
            ? html`<div id="counter" class="counter ${left < 0 ? 'over' : ''}" part="counter">
                ${this.t('composer.left', { count: left })}
              </div>`
            : nothing}
        </div>
        <button class="send btn-primary" part="send" type="submit" ?disabled=${this.disabled}>
          <slot name="send-label">${this.t('composer.send')}</slot>
        </button>
      </form>
    `;
  }

  private _onSubmit(e: SubmitEvent): void {
    e.preventDefault();
    this.send();
  }

  private _onKeydown(e: KeyboardEvent): void {
    if (e.key !== 'Enter' || e.shiftKey || e.isComposing || e.keyCode === 229) return;
    e.preventDefault();
    this.send();
  }

  private _onInput(e: InputEvent): void {
    this.value = (e.target as HTMLTextAreaElement).value;
    if (!this.value.trim()) {
      this._stopTyping();
      return;
    }
    const now = performance.now();
    if (!this._typingActive || now - this._lastActiveAt >= this.typingThrottleMs) {
      this._typingActive = true;
      this._lastActiveAt = now;
      dispatchVcEvent(this, 'vc-typing', { active: true });
    }
    clearTimeout(this._idleTimer);
    this._idleTimer = setTimeout(() => this._stopTyping(), this.typingIdleMs);
  }

  private _stopTyping(): void {
    clearTimeout(this._idleTimer);
    this._idleTimer = undefined;
    if (!this._typingActive) return;
    this._typingActive = false;
    this._lastActiveAt = -Infinity;
    dispatchVcEvent(this, 'vc-typing', { active: false });
  }
}

// Two copies on one page (e.g. the script tag and an npm bundle) must not crash.
if (!customElements.get('chat-composer')) customElements.define('chat-composer', ChatComposer);

declare global {
  interface HTMLElementTagNameMap {
    'chat-composer': ChatComposer;
  }
}
