import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { keyed } from 'lit/directives/keyed.js';
import { repeat } from 'lit/directives/repeat.js';
import type { Delivery, TranscriptEntry, TranscriptMessage, TranscriptPageCard, TranscriptSystemLine } from '../../session/index.js';
import { dispatchVcEvent } from '../events.js';
import { LocalizedElement } from '../localized-element.js';
import { isMessageKey, type MessageKey } from '../../i18n/index.js';
import { chatTranscriptStyles } from './chat-transcript.styles.js';

/** Distance from the bottom (px) within which the user counts as "at the bottom". */
const STICK_THRESHOLD = 48;
/** At most this many messages are spoken when several arrive at once (e.g. history replay). */
const MAX_ANNOUNCED = 3;

const DELIVERY_LABEL: Record<Delivery, MessageKey> = {
  sending: 'transcript.sending',
  sent: 'transcript.sent',
  delivered: 'transcript.delivered',
};
const DELIVERY_ICON: Record<Delivery, string> = {
  sending: '○',
  sent: '✓',
  delivered: '✓✓',
};
/** A message of ours still in the outbox while the connection is down: said in words (transcript.held), not only by the icon. */
const HELD_ICON = '◷';

/**
 * The chat log of one conversation: messages, system lines and a typing indicator.
 * All text is rendered as text, never as HTML. New messages from the other side
 * are announced to screen readers through a polite live region; the log keeps
 * the newest entry in view unless the user scrolled up (a log that only got
 * shorter, taller, or was hidden and shown again keeps following).
 *
 * Set `held` while the connection is down: our unsent messages then read
 * "Not sent yet — will be sent when the connection is back".
 *
 * @summary Accessible chat transcript with delivery states and typing indicator.
 *
 * @fires {CustomEvent<VcPageOpenRequestDetail>} vc-page-open-request - The user clicked Open on a page card from the other side: `{pushId, url}`. The host opens it (e.g. through `conversation.pages.open`).
 *
 * @csspart log - The scrollable list (role="log").
 * @csspart message - One message (both sides).
 * @csspart bubble - The text bubble of a message (both sides).
 * @csspart bubble-mine - The bubble of a message of ours (also `bubble`).
 * @csspart bubble-theirs - The bubble of a message from the other side (also `bubble`).
 * @csspart system - A system line ("Agent Ann joined").
 * @csspart page-card - A pushed web page.
 * @csspart typing - The typing indicator line.
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
 * @slot empty - Shown while there are no entries (default: "No messages yet").
 */
export class ChatTranscript extends LocalizedElement {
  static override styles = chatTranscriptStyles;

  /** Entries to show, oldest first. Replace the array to update (it is compared by identity). */
  @property({ attribute: false })
  entries: readonly TranscriptEntry[] = [];

  /** Display name of whoever is typing on the other side; unset or empty when nobody is. */
  @property({ attribute: 'peer-typing' })
  peerTyping?: string;

  /** Accessible name of the log (default: "Conversation" in the element's locale). */
  @property()
  label?: string;

  /**
   * This side's connection is down (connecting or reconnecting): our messages
   * not yet sent say that they wait for it and go out once it is back.
   */
  @property({ type: Boolean, reflect: true })
  held = false;

  @state() private _announcement?: { key: string; text: string };

  @query('.log') private _log?: HTMLElement;

  private readonly _seen = new Set<string>();
  private _primed = false;
  /**
   * The log follows new entries unless the user really scrolled up. Only a
   * scroll up from where the log was left decides that: a log that got
   * shorter (the video frame opened above it), taller (it closed), or was
   * hidden and shown again (the panel closed, a reload) still follows.
   */
  private _stickToBottom = true;
  /** scrollTop where the log was left (by us, or by the user's last scroll). */
  private _anchorTop = 0;
  private readonly _resize = typeof ResizeObserver === 'function' ? new ResizeObserver(() => this._onResize()) : undefined;
  private _observed?: HTMLElement;

  /** Scrolls the log to its newest entry (and follows new ones again). */
  scrollToEnd(): void {
    const log = this._log;
    this._stickToBottom = true;
    if (!log) return;
    log.scrollTop = log.scrollHeight;
    this._anchorTop = log.scrollTop;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._resize?.disconnect();
    this._observed = undefined;
  }

  /** Whether the user scrolled up, judged from where the log is now (a scroll event may not have come yet). */
  private _judgeScroll(): void {
    const log = this._log;
    // Hidden (display: none): nothing to judge; it follows again when shown.
    if (!log || log.clientHeight === 0) return;
    const fromBottom = log.scrollHeight - log.scrollTop - log.clientHeight;
    if (fromBottom <= STICK_THRESHOLD) this._stickToBottom = true;
    else if (log.scrollTop < this._anchorTop - STICK_THRESHOLD) this._stickToBottom = false;
    this._anchorTop = log.scrollTop;
  }

  private _onScroll(): void {
    this._judgeScroll();
  }

  /** The log changed size (video opened or closed, the panel was shown): keep the newest entry in view. */
  private _onResize(): void {
    if (this._stickToBottom) this.scrollToEnd();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('entries')) return;
    this._judgeScroll();

    const fresh: (TranscriptMessage | TranscriptPageCard)[] = [];
    for (const entry of this.entries) {
      if (this._seen.has(entry.id)) continue;
      this._seen.add(entry.id);
      if (entry.kind === 'system') continue;
      if (entry.mine) this._stickToBottom = true; // the user just sent something: show it
      else fresh.push(entry);
    }
    // Whatever is there on first render is history, not news.
    if (this._primed && fresh.length > 0) {
      const spoken = fresh.slice(-MAX_ANNOUNCED);
      this._announcement = {
        key: spoken[spoken.length - 1].id,
        text: spoken
          .map((e) => (e.kind === 'message' ? this.t('transcript.announce', { name: e.from.display, text: e.text }) : this.t('transcript.page-announce', { title: e.title ?? e.host })))
          .join('\n'),
      };
    }
    this._primed = true;
  }

  protected override updated(changed: PropertyValues<this>): void {
    const log = this._log;
    if (log && log !== this._observed) {
      this._resize?.disconnect();
      this._resize?.observe(log);
      this._observed = log;
    }
    if (changed.has('entries') && this._stickToBottom) this.scrollToEnd();
  }

  protected override render(): TemplateResult {
    const typing = this.peerTyping?.trim();
    return html`
      <div class="log" part="log" role="log" aria-label=${this.label ?? this.t('transcript.label')} tabindex="0" @scroll=${this._onScroll}>
        ${this.entries.length === 0
          ? html`<div class="empty"><slot name="empty">${this.t('transcript.empty')}</slot></div>`
          : repeat(this.entries, (e) => e.id, (e) => this._renderEntry(e))}
      </div>
      <div class="typing" part="typing">${typing ? this.t('transcript.typing', { name: typing }) : nothing}</div>
      <div class="sr-only" role="status" aria-live="polite" aria-atomic="true">
        ${this._announcement ? keyed(this._announcement.key, html`<span>${this._announcement.text}</span>`) : nothing}
      </div>
    `;
  }

  private _renderEntry(e: TranscriptEntry): TemplateResult {
    switch (e.kind) {
      case 'message':
        return this._renderMessage(e);
      case 'page':
        return this._renderPage(e);
      default:
        return this._renderSystem(e);
    }
  }

  private _renderMessage(m: TranscriptMessage): TemplateResult {
    const when = new Date(m.ts);
    return html`
      <div class="msg ${m.mine ? 'mine' : 'theirs'}" part="message" data-id=${m.id}>
        <div class="meta">
          <span class="author">${m.mine ? this.t('transcript.you') : m.from.display}</span>
          <time datetime=${when.toISOString()} title=${this.i18n.date(when, 'full')}>${this.i18n.date(when, 'time')}</time>
        </div>
        <p class="bubble" part="bubble ${m.mine ? 'bubble-mine' : 'bubble-theirs'}"><bdi>${m.text}</bdi></p>
        ${m.mine ? this._renderDelivery(m.delivery) : nothing}
      </div>
    `;
  }

  private _renderDelivery(delivery: Delivery): TemplateResult {
    const held = delivery === 'sending' && this.held;
    return html`<span class="delivery" data-state=${held ? 'held' : delivery}
      ><span aria-hidden="true">${held ? HELD_ICON : DELIVERY_ICON[delivery]}</span>
      <span class="sr-only">${this.t('transcript.status')}</span> ${this.t(held ? 'transcript.held' : DELIVERY_LABEL[delivery])}</span
    >`;
  }

  private _renderSystem(s: TranscriptSystemLine): TemplateResult {
    // Rendered from the code in the viewer's locale; lines stored before codes existed keep their text.
    const text = isMessageKey(s.code) ? this.i18n.coded({ code: s.code, params: s.params }) : s.text;
    return html`<div class="system" part="system" data-id=${s.id}>${text}</div>`;
  }

  private _renderPage(p: TranscriptPageCard): TemplateResult {
    const when = new Date(p.ts);
    const name = p.title?.trim() || p.host;
    return html`
      <div class="msg page ${p.mine ? 'mine' : 'theirs'}" part="page-card" data-id=${p.id}>
        <div class="meta">
          <span class="author">${this.t(p.mine ? 'transcript.page-mine' : 'transcript.page-theirs')}</span>
          <time datetime=${when.toISOString()} title=${this.i18n.date(when, 'full')}>${this.i18n.date(when, 'time')}</time>
        </div>
        <div class="card">
          <span class="page-title">${name}</span>
          <span class="page-host">${p.host}</span>
          ${p.mine
            ? html`<span class="page-state">${this.t(p.opened ? 'transcript.page-opened' : 'transcript.page-not-opened')}</span>`
            : html`<button class="btn-primary page-open" type="button" @click=${() => this._requestOpen(p)}>
                ${this.t(p.opened ? 'transcript.open-again' : 'transcript.open-page')}<span class="sr-only">: ${name}</span>
              </button>`}
        </div>
      </div>
    `;
  }

  private _requestOpen(p: TranscriptPageCard): void {
    dispatchVcEvent(this, 'vc-page-open-request', { pushId: p.id, url: p.url });
  }
}

// Two copies on one page (e.g. the script tag and an npm bundle) must not crash.
if (!customElements.get('chat-transcript')) customElements.define('chat-transcript', ChatTranscript);

declare global {
  interface HTMLElementTagNameMap {
    'chat-transcript': ChatTranscript;
  }
}
