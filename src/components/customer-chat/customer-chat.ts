import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import {
  canSend,
  createConversation,
  CustomerEntry,
  sendingHeld,
  sessionConsentStore,
  sessionTranscriptStore,
  type ConversationController,
  type ConversationOptions,
  type ConversationState,
  type OfflineState,
} from '../../session/index.js';
import { ConversationHost } from '../conversation-host.js';
import { attempt, failureText, type Failure } from '../errors.js';
import { LocalizedElement } from '../localized-element.js';
import { dispatchVcEvent, type VcComposeDetail, type VcPageOpenRequestDetail, type VcTypingDetail } from '../events.js';
import { customerStatusLine } from '../status-line.js';
import '../chat-transcript/chat-transcript.js';
import '../chat-composer/chat-composer.js';
import { cobrowsePrompts } from './cobrowse-prompts.js';
import { CustomerVideo } from './customer-video.js';
import { KeyboardInsetController } from './keyboard-inset.js';
import { focusTarget, type FocusWish } from './focus.js';
import { customerChatStyles } from './customer-chat.styles.js';
import type { OfflineFieldErrors } from './offline-form.js';

/**
 * The message form for when nobody is available is a chunk of its own (with
 * its texts), loaded the first time it is shown: a visitor who reaches an
 * agent never downloads it.
 */
let offlineForm: typeof import('./offline-form.js') | undefined;
let offlineLoading: Promise<void> | undefined;
function loadOfflineForm(): Promise<void> {
  offlineLoading ??= import('./offline-form.js').then(
    (m) => void (offlineForm = m),
    (e: unknown) => {
      offlineLoading = undefined; // the next render tries again
      throw e;
    },
  );
  return offlineLoading;
}

// Kept here too for code that imported them from the element (they moved to the session layer).
export { storageKeyFor, type StoredConversation } from '../../session/index.js';

/**
 * The customer's chat widget: a launcher button fixed to the bottom-right corner
 * and a chat panel. It renders a CustomerEntry (src/session/customer-entry.ts),
 * which starts a conversation through the broker at `broker-url`, keeps
 * `{id, resumeKey, open}` in sessionStorage and resumes after a reload or a
 * same-tab navigation.
 *
 * @summary Customer chat launcher and panel.
 *
 * @fires {CustomEvent<VcMessageSentDetail>} vc-message-sent - A message of ours was queued: `{message}`.
 * @fires {CustomEvent<VcMessageReceivedDetail>} vc-message-received - A message from the agent arrived: `{message}`.
 * @fires {CustomEvent<VcConversationStateDetail>} vc-conversation-state - The connection status changed: `{status, conversationId, peer?}`.
 * @fires {CustomEvent<VcProtocolErrorDetail>} vc-protocol-error - A wire message was dropped as invalid: `{reason, from?}`.
 * @fires {CustomEvent<VcVideoInviteDetail>} vc-video-invite - The agent invited the customer to video.
 * @fires {CustomEvent<VcInviteAnswerDetail>} vc-invite-answer - The customer answered the invitation.
 * @fires {CustomEvent<VcVideoStartDetail>} vc-video-start - Video started.
 * @fires {CustomEvent<VcVideoEndDetail>} vc-video-end - Video ended for both sides.
 * @fires {CustomEvent<VcMediaStateDetail>} vc-media-state - What either side streams changed.
 * @fires {CustomEvent<VcCallQualityDetail>} vc-call-quality - How the running call is doing (network level, loss, bitrate, frame rate) and what it did about it; at once on a change, else every 10 s.
 * @fires {CustomEvent<VcPageRefusedDetail>} vc-page-refused - A pushed page broke this site's URL rules and was not shown.
 * @fires {CustomEvent<VcPageOpenedDetail>} vc-page-opened - The customer opened a pushed page.
 * @fires {CustomEvent<VcCustomerLinkedDetail>} vc-customer-linked - The agent linked the chat to the customer's record.
 * @fires {CustomEvent<VcCobrowseOfferDetail>} vc-cobrowse-offer - The agent asks to view this page: the customer is asked for consent.
 * @fires {CustomEvent<VcCobrowseAnswerDetail>} vc-cobrowse-answer - The customer answered the cobrowse offer.
 * @fires {CustomEvent<VcCobrowseControlDetail>} vc-cobrowse-control - Remote control was requested, granted, denied or revoked.
 * @fires {CustomEvent<VcCobrowseEndDetail>} vc-cobrowse-end - Cobrowse ended (either side).
 * @fires {CustomEvent<VcCobrowseActionDetail>} vc-cobrowse-action - An agent action was performed on this page, or refused.
 * @fires {CustomEvent<VcPanelToggleDetail>} vc-panel-toggle - The chat panel opened or closed: `{open}`.
 * @fires {CustomEvent<VcOfflineMessageDetail>} vc-offline-message - Nobody was available and the visitor left a message: `{id}`.
 *
 * Page cards the agent pushes open on click: same-origin pages in this tab,
 * others in a new tab with `noopener`.
 *
 * When nobody can take a chat (outside the broker's opening hours, or no
 * agent available: `GET /api/availability`), the panel says so at once and
 * offers to leave a message and an email address instead. While a customer
 * waits for an agent, the status line shows their place in the queue. On a
 * phone-sized viewport the open panel fills the screen (safe-area insets
 * respected: give the page `viewport-fit=cover`).
 *
 * @slot launcher-label - Text of the launcher (default: the `label` property, "Chat with us").
 * @slot greeting - Text above the start form (default: the `greeting` property, "Hi! Ask us anything…").
 *
 * @csspart launcher - The launcher button.
 * @csspart panel - The chat panel (role="dialog").
 * @csspart header - The panel's title bar.
 * @csspart close - The Close button.
 * @csspart error - The error bar (role="alert").
 * @csspart start-form - The start form.
 * @csspart offline-form - The form to leave a message when nobody is available.
 * @csspart transcript - The `<chat-transcript>`.
 * @csspart composer - The `<chat-composer>`.
 * @csspart video-invite - The `<video-invite>` while the agent invites to video.
 * @csspart video - The `<video-frame>` while video runs.
 * @csspart transcript-log - Exported from the transcript: its scrollable list.
 * @csspart message - Exported from the transcript: one message (both sides).
 * @csspart bubble - Exported from the transcript: a message's text bubble (style bubbles from the page: `::part(bubble)`).
 * @csspart bubble-mine - Exported from the transcript: the bubble of a message of ours.
 * @csspart bubble-theirs - Exported from the transcript: the bubble of a message from the other side.
 * @csspart system - Exported from the transcript: a system line.
 * @csspart page-card - Exported from the transcript: a pushed page.
 * @csspart typing - Exported from the transcript: the typing indicator.
 * @csspart composer-form - Exported from the composer: the row of box and button.
 * @csspart composer-input - Exported from the composer: the message box.
 * @csspart composer-send - Exported from the composer: the Send button.
 * @csspart composer-counter - Exported from the composer: the characters-left counter.
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
 * @cssprop [--vc-offset=1.25rem] - Distance of launcher, panel and cobrowse prompts from the viewport edges.
 * @cssprop [--vc-cobrowse-color=#c2410c] - Cobrowse banner accent (background while the agent controls).
 */
export class CustomerChat extends LocalizedElement {
  static override styles = customerChatStyles;

  /** Base URL of the broker's HTTP API. */
  @property({ attribute: 'broker-url' })
  brokerUrl?: string;

  /**
   * A conversation managed by the host (or a test). If it is idle, the element
   * connects it with the descriptor it gets from the broker; otherwise it is shown
   * as it is. The element never disposes it.
   */
  @property({ attribute: false })
  controller?: ConversationController;

  /** Whether the chat panel is open. */
  @property({ type: Boolean, reflect: true })
  open = false;

  /** Launcher text and the panel's accessible name (default: "Chat with us" in the element's locale). */
  @property()
  label?: string;

  /** Text above the start form (default: "Hi! Ask us anything…" in the element's locale; the `greeting` slot wins). */
  @property()
  greeting?: string;

  /**
   * Which corner the launcher and the panel sit in: `right` or `left`
   * (physical, whatever the language's direction). Default: the end of the
   * line (right, or left in right-to-left languages).
   */
  @property({ reflect: true })
  position?: 'left' | 'right';

  /** The visitor's name when the site knows it (page API `identify({name})`): filled into the start and message forms. */
  @property({ attribute: 'visitor-name' })
  visitorName?: string;

  /**
   * Signed identity of the site's logged-in user (made by the site's server:
   * see the README, "Visitor identity"). Set it before the chat starts, as the
   * loader's `data-identity` or from script; the broker verifies it.
   */
  @property({ attribute: false })
  identity?: string;

  /** Accept pushed pages on plain http: (local demos). Off by default: https only. */
  @property({ type: Boolean, attribute: 'allow-http-pages' })
  allowHttpPages = false;

  /** Space-separated exact origins pushed pages must come from (empty: any https origin). */
  @property({ attribute: 'allowed-page-origins' })
  allowedPageOrigins = '';

  @state() private _unread = 0;
  /** What an action of the customer's failed with (send, open a page). */
  @state() private _actionError?: Failure;
  /** Problems of the message form's fields, by field. */
  @state() private _fieldErrors: OfflineFieldErrors = {};

  @query('.launcher') private _launcher!: HTMLButtonElement;

  /** Start, resume, reconnect, storage: the customer's way into a chat, without UI. */
  private readonly _entry = new CustomerEntry({ create: () => this.createConversation() });
  private readonly _conv = new ConversationHost(this, {
    slot: this._entry.slot,
    fallbackConversationId: () => this._entry.state.conversationId,
    onMessageReceived: () => {
      if (!this.open) this._unread++;
    },
  });
  private readonly _video = new CustomerVideo(this, () => this._conv.controller, (accepted) => {
    this._focusWish = accepted ? 'video' : 'composer';
  });
  /** An on-screen keyboard must not cover the message box (visual viewport). */
  private readonly _keyboard = new KeyboardInsetController(this, () => this.renderRoot?.querySelector<HTMLElement>('.panel'));
  private _focusOnOpen = false;
  /** Where focus goes once it can (after Start chat: the message box; after Accept: the video controls). */
  private _focusWish?: FocusWish;
  /** Focus was inside the element before this update (to bring it back if the update took its element away). */
  private _hadFocus = false;
  /** The element moves focus itself now (not the visitor). */
  private _movingFocus = false;
  private _firstUpdateDone = false;
  /** The last offline message announced with vc-offline-message. */
  private _announcedOffline?: string;

  constructor() {
    super();
    this._entry.on('change', () => this.requestUpdate());
  }

  /** The customer's way into a chat (start, resume, availability, offline message, reset), for a page API. */
  get entry(): CustomerEntry {
    return this._entry;
  }

  /** State of the conversation, once there is one. */
  get state(): ConversationState | undefined {
    return this._conv.state;
  }

  /** Opens the panel and moves focus into it. */
  show(): void {
    this._focusOnOpen = true;
    this.open = true;
  }

  /** Opens or closes the panel. */
  toggle(): void {
    if (this.open) this.hide();
    else this.show();
  }

  /**
   * The visitor logged out: ends and forgets the conversation (for both
   * sides), the identity and the name, and shows the start form.
   */
  reset(): void {
    this.identity = undefined;
    this.visitorName = undefined;
    this._actionError = undefined;
    this._fieldErrors = {};
    this._entry.reset();
  }

  /** Closes the panel and returns focus to the launcher. */
  hide(): void {
    if (!this.open) return;
    this.open = false;
    void this.updateComplete.then(() => this._launcher?.focus());
  }

  /** Creates the element's own conversation when no `controller` is given (transcript kept in sessionStorage). */
  protected createConversation(): ConversationController {
    return createConversation(this.conversationOptions());
  }

  /** How the element's own conversation is set up: storage, page rules, and the broker for keys and history. */
  protected conversationOptions(): ConversationOptions {
    const allowedOrigins = this.allowedPageOrigins.split(/\s+/).filter(Boolean);
    return {
      store: sessionTranscriptStore(),
      // What the customer clicked for survives reloads and navigation in this tab, and ends with the conversation.
      consent: sessionConsentStore(),
      pagePolicy: { allowHttp: this.allowHttpPages, allowedOrigins },
      ...this._entry.conversationOptions(),
    };
  }

  /**
   * Opens a page the agent pushed: same-origin pages in this tab (the chat
   * resumes after the navigation), others in a new tab without an opener.
   */
  protected navigate(url: string, sameOrigin: boolean): void {
    if (sameOrigin) globalThis.location.assign(url);
    else globalThis.open(url, '_blank', 'noopener,noreferrer');
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('focusin', this._onFocusIn);
    this._configure();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('focusin', this._onFocusIn);
    this._entry.stop();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('brokerUrl') || changed.has('controller')) {
      this._actionError = undefined;
      this._configure();
    }
    if (changed.has('open')) {
      if (this.open) this._unread = 0;
      this._entry.setOpen(this.open);
      // Nobody there? Say so at once, before the visitor writes anything.
      if (this.open) void this._entry.checkAvailability();
    }
    this._parkFocusIfLeaving();
    this._hadFocus = (this.renderRoot as ShadowRoot).activeElement != null;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('open') && this.open && this._focusOnOpen) {
      this._focusOnOpen = false;
      this._focusPanel();
    }
    if (changed.has('open') && this._firstUpdateDone) dispatchVcEvent(this, 'vc-panel-toggle', { open: this.open });
    this._firstUpdateDone = true;
    const offline = this._entry.state.offline;
    if (offline?.status === 'sent' && offline.id && offline.id !== this._announcedOffline) {
      this._announcedOffline = offline.id;
      dispatchVcEvent(this, 'vc-offline-message', { id: offline.id });
    }
    void this._keepFocus();
  }

  /**
   * Focus never drops to the page: when this update takes away the element
   * that has focus (the start form, the invitation, the video frame, a
   * cobrowse prompt), focus waits on the panel (the launcher when it is
   * closed) instead of falling to <body>, and goes on to the next sensible
   * control once it is there: the message box after Start chat and after End
   * video, the video controls after Accept. A focus the visitor moves
   * themselves cancels that.
   */
  private async _keepFocus(): Promise<void> {
    const root = this.renderRoot as ShadowRoot;
    const lost = this._hadFocus && root.activeElement === null && (document.activeElement === document.body || document.activeElement === null);
    this._hadFocus = false;
    if (lost) this._focusWish ??= this._defaultWish();
    const wish = this._focusWish;
    if (wish === undefined) return;
    const panel = root.querySelector<HTMLElement>('.panel');
    if (!this.open) {
      this._focusWish = undefined;
      if (lost || root.activeElement === panel) this._moveFocus(this._launcher);
      return;
    }
    // Still on what the wish came from (the invitation until it goes): wait.
    if (!lost && root.activeElement !== panel) return;
    const target = await focusTarget(root, wish);
    // Meanwhile the visitor may have moved on.
    if (this._focusWish !== wish || (root.activeElement !== null && root.activeElement !== panel)) return;
    if (target) {
      this._focusWish = undefined;
      this._moveFocus(target);
    } else if (root.activeElement !== panel) {
      // Not there yet (the composer while connecting, the controls while video starts): wait on the panel.
      this._moveFocus(panel);
    }
  }

  private _moveFocus(el: HTMLElement | null | undefined): void {
    this._movingFocus = true;
    try {
      el?.focus();
    } finally {
      this._movingFocus = false;
    }
  }

  /** The visitor put focus somewhere themselves: no focus is waiting any more. */
  private readonly _onFocusIn = (): void => {
    if (this._movingFocus) return;
    const root = this.renderRoot as ShadowRoot;
    if (root.activeElement && !root.activeElement.matches('.panel')) this._focusWish = undefined;
  };

  /**
   * Before rendering: when what has focus is about to go (its part of the
   * state ends), park focus on the panel (or the launcher) first, so it never
   * passes through <body>.
   */
  private _parkFocusIfLeaving(): void {
    const root = this.renderRoot as ShadowRoot;
    const active = root.activeElement;
    if (!active) return;
    const entry = this._entry.state;
    const video = this._conv.state?.video.phase;
    const cobrowse = this._conv.state?.cobrowse;
    const leaving =
      (active.localName === 'video-invite' && video !== 'invited') ||
      (active.localName === 'video-frame' && video !== 'starting' && video !== 'active') ||
      (active.localName === 'cobrowse-consent' && !(cobrowse?.phase === 'asked' || (cobrowse?.phase === 'active' && cobrowse.control === 'asked'))) ||
      (active.localName === 'cobrowse-banner' && cobrowse?.phase !== 'active') ||
      (active.closest('form.start') !== null && entry.phase !== 'start') ||
      (active.closest('form.offline') !== null && (entry.phase !== 'offline' || entry.offline?.status === 'sent')) ||
      (active.closest('.waiting-note') !== null && !entry.waitingInVain) ||
      (active.closest('.video-start') !== null && video !== 'idle') ||
      (active.closest('.ended, .offline-sent') !== null && entry.phase !== 'chat' && entry.phase !== 'offline');
    if (!leaving) return;
    this._focusWish ??= this._defaultWish();
    this._moveFocus(this.open ? root.querySelector<HTMLElement>('.panel') : this._launcher);
  }

  /** Where focus goes when its element went away: what the visitor does next there. */
  private _defaultWish(): FocusWish {
    const phase = this._entry.state.phase;
    if (phase === 'start' || phase === 'offline') return 'form';
    if (phase === 'busy') return 'composer';
    const v = this._conv.state?.video.phase;
    return v === 'active' || v === 'starting' ? 'video' : 'composer';
  }

  /** (Re)starts the entry from the element's inputs; a stored conversation the customer had open opens again. */
  private _configure(): void {
    this._entry.configure({ brokerUrl: this.brokerUrl, controller: this.controller });
    if (this._entry.state.open && !this.open) this.open = true;
  }

  // ---- UI events ----

  private _onLauncherClick(): void {
    if (this.open) this.hide();
    else this.show();
  }

  private _onPanelKeydown(e: KeyboardEvent): void {
    if (e.key !== 'Escape' || e.defaultPrevented) return;
    e.preventDefault();
    this.hide();
  }

  private _onStartSubmit(e: SubmitEvent): void {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const name = (form.elements.namedItem('name') as HTMLInputElement | null)?.value.trim() ?? '';
    this._actionError = undefined;
    this._entry.identity = this.identity;
    // The form goes away: focus waits on the panel for the message box.
    this._focusWish = 'composer';
    void this._entry.start(name);
  }

  private readonly _onOfflineSubmit = (e: SubmitEvent): void => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const field = (n: string) => (form.elements.namedItem(n) as HTMLInputElement | HTMLTextAreaElement | null)?.value.trim() ?? '';
    const [name, email, text] = [field('name'), field('email'), field('text')];
    // The form is only on screen once its module is there.
    const errors = offlineForm!.offlineFieldErrors(email, text);
    this._fieldErrors = errors;
    this._actionError = undefined;
    if (errors.email || errors.text) {
      // The first field to fix.
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(errors.email ? '#offline-email' : '#offline-text')?.focus());
      return;
    }
    this._focusWish = 'form';
    void this._entry.leaveMessage({ ...(name ? { name } : {}), email, text });
  };

  private _leaveMessageInstead(): void {
    this._focusWish = 'form';
    this._entry.leaveMessageInstead();
  }

  private readonly _offlineDone = (): void => {
    this.hide();
    // Next time: the start form again, or the message form if still nobody is there.
    this._entry.startOver();
  };

  private _startOver(): void {
    this._actionError = undefined;
    this._entry.startOver();
    void this.updateComplete.then(() => this._focusPanel());
  }

  private _onCompose(e: CustomEvent<VcComposeDetail>): void {
    e.stopPropagation();
    const target = this._conv.controller;
    if (!target || !attempt(() => target.send(e.detail.text), (_m, err) => (this._actionError = { key: 'widget.send-failed', err }))) e.preventDefault();
  }

  private _onTyping(e: CustomEvent<VcTypingDetail>): void {
    e.stopPropagation();
    this._conv.controller?.setTyping(e.detail.active);
  }

  private _onPageOpen(e: CustomEvent<VcPageOpenRequestDetail>): void {
    e.stopPropagation();
    const pages = this._conv.controller?.pages;
    if (!pages) return;
    attempt(() => {
      const { url, sameOrigin } = pages.open(e.detail.pushId);
      this.navigate(url, sameOrigin);
    }, (_m, err) => (this._actionError = { key: 'widget.open-failed', err }));
  }

  private _focusPanel(): void {
    const root = this.renderRoot;
    const target =
      root.querySelector<HTMLElement>('.start input') ??
      root.querySelector<HTMLElement>('.offline input') ??
      root.querySelector<HTMLElement>('.offline-sent button') ??
      root.querySelector<HTMLElement>('chat-composer:not([disabled])') ??
      root.querySelector<HTMLElement>('.close');
    target?.focus();
  }

  // ---- rendering ----

  protected override render(): TemplateResult {
    const state = this._conv.state;
    const entry = this._entry.state;
    const locale = this.i18n.locale;
    const failure = this._actionError
      ? { message: failureText(this._actionError, locale), retryable: false }
      : entry.failure && { message: entry.failureCoded ? this.i18n.coded(entry.failureCoded) : entry.failure.message, retryable: entry.failure.retryable };
    const status = entry.queue && state?.status === 'connected' && !state.peer?.online ? this._queueLine(entry.queue.position) : customerStatusLine(entry, state);
    const label = this.label ?? this.t('widget.label');
    return html`
      <button class="launcher" part="launcher" type="button" aria-expanded=${this.open ? 'true' : 'false'} aria-controls="panel" @click=${this._onLauncherClick}>
        <svg class="launcher-icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>
        <slot name="launcher-label">${label}</slot>
        ${this._unread > 0
          ? html`<span class="badge"><span aria-hidden="true">${this.i18n.number(this._unread)}</span><span class="sr-only">${this.t('widget.unread', { count: this._unread })}</span></span>`
          : nothing}
      </button>
      <div id="panel" class="panel" part="panel" role="dialog" aria-labelledby="title" tabindex="-1" ?hidden=${!this.open} @keydown=${this._onPanelKeydown}>
        <!-- role="none": the panel's header is no second banner next to the host page's own (axe landmark-no-duplicate-banner). -->
        <header class="header" part="header" role="none">
          <div class="heading">
            <span id="title" class="title">${label}</span>
            <span class="status" role="status">${typeof status === 'object' ? this.i18n.coded(status) : status}</span>
          </div>
          <button class="close" part="close" type="button" aria-label=${this.t('widget.close')} @click=${this.hide}>
            <span aria-hidden="true">×</span>
          </button>
        </header>
        <div class="alert" part="error" role="alert">${failure
          ? html`<span>${failure.message}</span>${failure.retryable ? html`<button class="btn-ghost" type="button" @click=${() => this._entry.retry()}>${this.t('widget.retry')}</button>` : nothing}`
          : nothing}</div>
        ${this._renderBody(state)}
      </div>
      ${cobrowsePrompts(state, this._conv.controller?.cobrowse, this.i18n)}
    `;
  }

  private _queueLine(position: number): string {
    return position <= 1 ? this.t('widget.queue-next') : this.t('widget.queue-position', { position });
  }

  private _renderOffline(offline: OfflineState): TemplateResult | typeof nothing {
    if (!offlineForm) {
      loadOfflineForm().then(() => this.requestUpdate(), (e: unknown) => console.error('Could not load the message form', e));
      return nothing;
    }
    return offlineForm.renderOfflineForm(offline, {
      i18n: this.i18n,
      visitorName: this.visitorName,
      canSend: !!this.brokerUrl,
      errors: this._fieldErrors,
      onSubmit: this._onOfflineSubmit,
      onDone: this._offlineDone,
    });
  }

  /** While waiting in vain (nobody will take the chat now): say so, and offer the message form instead. */
  private _renderWaitingInVain(): TemplateResult | typeof nothing {
    const why = this._entry.state.waitingInVain;
    if (!why) return nothing;
    return html`
      <div class="waiting-note" role="status">
        <span>${this.t(why.reason === 'closed' ? 'widget.waiting-closed' : 'widget.waiting-no-agents')}</span>
        <button class="btn-ghost" type="button" @click=${this._leaveMessageInstead}>${this.t('widget.leave-message-instead')}</button>
      </div>
    `;
  }

  private _renderBody(state: ConversationState | undefined): TemplateResult | typeof nothing {
    const { phase, busyText, busyCoded, offline } = this._entry.state;
    if (phase === 'offline') return this._renderOffline(offline ?? { status: 'form' });
    if (phase === 'start') {
      return html`
        <form class="start" part="start-form" @submit=${this._onStartSubmit}>
          <p><slot name="greeting">${this.greeting ?? this.t('widget.greeting')}</slot></p>
          <label for="name">${this.t('widget.name-label')}</label>
          <input id="name" name="name" type="text" autocomplete="name" maxlength="80" .value=${this.visitorName ?? ''} />
          <button class="btn-primary" type="submit" ?disabled=${!this.brokerUrl}>${this.t('widget.start')}</button>
        </form>
      `;
    }
    if (phase === 'unsupported') return html`<p class="unsupported" role="status">${this.t('widget.chat-unsupported')}</p>`;
    if (phase === 'busy') return html`<div class="busy" aria-hidden="true">${busyCoded ? this.i18n.coded(busyCoded) : busyText}</div>`;
    return html`
      ${this._renderWaitingInVain()}
      ${this._video.render(state, this.i18n)}
      <chat-transcript
        part="transcript"
        exportparts="log: transcript-log, message, bubble, bubble-mine, bubble-theirs, system, page-card, typing"
        label=${this.t('widget.transcript-label')}
        .entries=${state?.transcript ?? []}
        .peerTyping=${state?.peer?.typing ? state.peer.participant.display : undefined}
        ?held=${state ? sendingHeld(state) : false}
        @vc-page-open-request=${this._onPageOpen}
      ></chat-transcript>
      ${state?.status === 'closed'
        ? html`<div class="ended"><button class="btn-primary" type="button" @click=${this._startOver}>${this.t('widget.new-chat')}</button></div>`
        : html`<chat-composer part="composer" exportparts="form: composer-form, input: composer-input, send: composer-send, counter: composer-counter" ?disabled=${!state || !canSend(state)} @vc-compose=${this._onCompose} @vc-typing=${this._onTyping}></chat-composer>`}
    `;
  }
}

// Two copies on one page (e.g. the script tag and an npm bundle) must not crash.
if (!customElements.get('customer-chat')) customElements.define('customer-chat', CustomerChat);

declare global {
  interface HTMLElementTagNameMap {
    'customer-chat': CustomerChat;
  }
}
