import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import type { ConversationDescriptor, VideoMode } from '../../protocol/index.js';
import {
  BrokerClient,
  canSend,
  Conversation,
  sendingHeld,
  sessionTranscriptStore,
  type ConversationController,
  type ConversationOptions,
  type ConversationState,
} from '../../session/index.js';
import { ConversationStateController } from '../conversation-state-controller.js';
import { dispatchVcEvent, type VcComposeDetail, type VcTypingDetail } from '../events.js';
import '../chat-transcript/chat-transcript.js';
import '../chat-composer/chat-composer.js';
import '../video-frame/video-frame.js';
import '../cobrowse-view/cobrowse-view.js';
import type { CustomerMatch } from '../video-events.js';
import { VideoRequestsController } from '../video-requests.js';
import { videoChatPaneStyles } from './video-chat-pane.styles.js';

type Tone = 'ok' | 'wait' | 'bad' | 'off';

/** The seed's escalation formats, as the More menu offers them. */
const VIDEO_ITEMS: ReadonlyArray<{ mode: VideoMode; label: string }> = [
  { mode: 'two-way', label: 'Video chat: two-way' },
  { mode: 'one-way-agent', label: 'Video chat: one-way, my camera' },
  { mode: 'one-way-customer', label: 'Video chat: one-way, customer’s camera' },
  { mode: 'voice', label: 'Voice chat' },
];

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The agent's Chat pane: who the customer is and how the connection stands, the
 * transcript, and the composer. Give it a conversation descriptor (`conversation`)
 * and it joins by itself, or inject a `controller` you manage.
 *
 * @summary Agent-side chat pane for one conversation.
 *
 * @fires {CustomEvent<VcMessageSentDetail>} vc-message-sent - A message of ours was queued: `{message}`.
 * @fires {CustomEvent<VcMessageReceivedDetail>} vc-message-received - A message from the customer arrived: `{message}`.
 * @fires {CustomEvent<VcConversationStateDetail>} vc-conversation-state - The connection status changed: `{status, conversationId, peer?}`.
 * @fires {CustomEvent<VcProtocolErrorDetail>} vc-protocol-error - A wire message was dropped as invalid: `{reason, from?}`.
 * @fires {CustomEvent<VcVideoInviteDetail>} vc-video-invite - A video invitation was sent to the customer.
 * @fires {CustomEvent<VcInviteAnswerDetail>} vc-invite-answer - The customer answered (`accept: false` = declined).
 * @fires {CustomEvent<VcVideoStartDetail>} vc-video-start - Video started (the frame opens).
 * @fires {CustomEvent<VcVideoEndDetail>} vc-video-end - Video ended for both sides.
 * @fires {CustomEvent<VcMediaStateDetail>} vc-media-state - What either side streams changed.
 * @fires {CustomEvent<VcPagePushDetail>} vc-page-push - Cancelable: a page is about to be sent; cancel to veto.
 * @fires {CustomEvent<VcPageRefusedDetail>} vc-page-refused - A page was refused by the URL rules.
 * @fires {CustomEvent<VcPageOpenedDetail>} vc-page-opened - The customer opened a pushed page.
 * @fires {CustomEvent<VcCustomerSearchDetail>} vc-customer-search - Cancelable: the agent searches customer records; a host CRM cancels it and calls `detail.respond(matches)`, else the broker is asked.
 * @fires {CustomEvent<VcCustomerLinkDetail>} vc-customer-link - Cancelable: the agent links the chat to a record; cancel to veto.
 * @fires {CustomEvent<VcCustomerLinkedDetail>} vc-customer-linked - The link is in both transcripts.
 * @fires {CustomEvent<{offerId: string}>} vc-cobrowse-offer - Cobrowse was offered (agent: sent; customer: asked for consent).
 * @fires {CustomEvent<{offerId: string; accept: boolean}>} vc-cobrowse-answer - The customer answered the cobrowse offer.
 * @fires {CustomEvent<{requestId: string; control: string}>} vc-cobrowse-control - Remote control was requested, granted, denied or revoked.
 * @fires {CustomEvent<{stopId: string; by: string; reason?: string}>} vc-cobrowse-end - Cobrowse ended (either side).
 * @fires {CustomEvent<{kind: string; node: number; ok: boolean; reason?: string}>} vc-cobrowse-action - Customer side: an agent action was performed or refused.
 *
 * @slot more - Items of the More menu (e.g. `<button slot="more">Video chat</button>`); they get `role="menuitem"` if they have no role.
 *
 * @csspart header - Name, status and More button.
 * @csspart more-button - The More menu button.
 * @csspart menu - The More menu popup.
 * @csspart error - The error bar (role="alert").
 * @csspart transcript - The `<chat-transcript>`.
 * @csspart composer - The `<chat-composer>`.
 *
 * @cssprop [--vc-color-primary=#1d4ed8] - Accent: avatar, own bubbles, Send, focus ring.
 * @cssprop [--vc-color-on-primary=#ffffff] - Text on the accent color.
 * @cssprop [--vc-color-surface=#ffffff] - Background.
 * @cssprop [--vc-color-text=#1f2937] - Text color; borders and muted text are mixed from it.
 * @cssprop [--vc-color-danger=#b91c1c] - Errors.
 * @cssprop [--vc-radius=12px] - Corner radius.
 * @cssprop [--vc-font=system-ui] - Font family.
 */
export class VideoChatPane extends LitElement {
  static override styles = videoChatPaneStyles;

  /**
   * The conversation to join. The pane creates its own `Conversation`, connects it
   * and disposes it when removed from the page or when this changes.
   * Ignored for creation when `controller` is set (the controller is connected
   * with it only if it is still idle).
   */
  @property({ attribute: false })
  conversation?: ConversationDescriptor;

  /** A conversation managed by the host. The pane never disposes it. */
  @property({ attribute: false })
  controller?: ConversationController;

  /** Broker for the built-in customer lookup and link record (optional: a CRM answers `vc-customer-search` itself). */
  @property({ attribute: 'broker-url' })
  brokerUrl?: string;

  /** Let the agent send plain http: pages (local demos). The customer's widget applies its own rule too. */
  @property({ type: Boolean, attribute: 'allow-http-pages' })
  allowHttpPages = false;

  /** The signed-in agent's broker token, for the built-in lookup. */
  @property({ attribute: false })
  agentToken?: string;

  @state() private _menuOpen = false;
  @state() private _connectPending = false;
  @state() private _connectError?: string;
  @state() private _sendError?: string;
  @state() private _pageFormOpen = false;
  @state() private _pageError?: string;
  @state() private _videoError?: string;
  @state() private _linkOpen = false;
  @state() private _linkMatches: CustomerMatch[] = [];
  @state() private _linkStatus = '';

  @query('#more-button') private _moreButton!: HTMLButtonElement;
  @query('#more-menu') private _menu!: HTMLElement;
  @query('.more') private _moreWrapper!: HTMLElement;
  @query('slot[name="more"]') private _moreSlot!: HTMLSlotElement;

  private readonly _conv = new ConversationStateController(this, {
    fallbackConversationId: () => this.conversation?.id,
  });
  private readonly _video = new VideoRequestsController(this, () => this._conv.controller);
  private _own?: ConversationController;
  private _abort?: AbortController;
  private _synced?: { controller?: ConversationController; conversation?: ConversationDescriptor };

  /** State of the conversation shown, if any. */
  get state(): ConversationState | undefined {
    return this._conv.state;
  }

  /** Creates the pane's own conversation when only a descriptor is given (transcript kept in sessionStorage). */
  protected createConversation(): ConversationController {
    return new Conversation(this.conversationOptions());
  }

  /** How the pane's own conversation is set up: storage, page rules, and the broker (with `agentToken`) for keys and history. */
  protected conversationOptions(): ConversationOptions {
    return {
      store: sessionTranscriptStore(),
      pagePolicy: { allowHttp: this.allowHttpPages },
      // With a broker and the agent's token, a browser that lost its signing key registers a new one.
      registerKey: (d, publicKey) => {
        if (!this.brokerUrl || !this.agentToken) return Promise.reject(new Error('This browser’s signing key is not certified for this conversation: claim it again'));
        return new BrokerClient(this.brokerUrl).registerKey(d.id, publicKey, this.agentToken);
      },
      // The whole transcript from the broker's record (the room keeps only its last 200, and none after a Janus restart).
      history: async (d, signal) => {
        if (!this.brokerUrl || !this.agentToken) return [];
        const messages = await new BrokerClient(this.brokerUrl).transcript(d.id, this.agentToken, signal);
        return messages.map((m) => m.wire);
      },
    };
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this._sync();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._teardown();
    this._synced = undefined;
    this._conv.controller = undefined;
    this._closeMenu(false);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('conversation') || changed.has('controller')) this._sync();
  }

  /**
   * Sends a web page to the customer, as More → Send page does. Fires the
   * cancelable `vc-page-push` first; returns false if the host vetoed it or
   * the URL rules refused it (the reason is shown and fired as `vc-page-refused`).
   */
  pushPage(url: string, title?: string): boolean {
    const target = this._conv.controller;
    if (!target) return false;
    if (!dispatchVcEvent(this, 'vc-page-push', { url, ...(title ? { title } : {}) }, { cancelable: true })) return false;
    try {
      target.pushPage(url, title);
      this._pageError = undefined;
      return true;
    } catch (err) {
      this._pageError = messageOf(err);
      return false;
    }
  }

  /** Joins (or re-joins) after a failure. */
  retry(): void {
    const target = this._conv.controller;
    const descriptor = this.conversation;
    if (!descriptor) return;
    if (target && target === this.controller) {
      this._connect(target, descriptor);
      return;
    }
    this._synced = undefined;
    this._sync();
  }

  private _sync(): void {
    if (!this.isConnected) return;
    const { controller, conversation } = this;
    if (this._synced && this._synced.controller === controller && this._synced.conversation === conversation) return;
    this._synced = { controller, conversation };
    this._conv.controller = undefined; // stop following before the old one is disposed
    this._teardown();
    if (controller) {
      this._conv.controller = controller;
      if (conversation && controller.state.status === 'idle') this._connect(controller, conversation);
    } else if (conversation) {
      const own = this.createConversation();
      this._own = own;
      this._conv.controller = own;
      this._connect(own, conversation);
    } else {
      this._conv.controller = undefined;
    }
  }

  private _teardown(): void {
    this._abort?.abort();
    this._abort = undefined;
    this._own?.dispose();
    this._own = undefined;
    this._connectPending = false;
    this._connectError = undefined;
    this._sendError = undefined;
  }

  private _connect(target: ConversationController, descriptor: ConversationDescriptor): void {
    this._abort?.abort();
    const abort = new AbortController();
    this._abort = abort;
    this._connectPending = true;
    this._connectError = undefined;
    target.connect(descriptor, abort.signal).then(
      () => {
        if (this._abort === abort) this._connectPending = false;
      },
      (err: unknown) => {
        if (abort.signal.aborted || this._abort !== abort) return;
        this._connectPending = false;
        this._connectError = messageOf(err);
      },
    );
  }

  // ---- rendering ----

  protected override render(): TemplateResult {
    const state = this._conv.state;
    const descriptor = this.conversation ?? state?.descriptor;
    const name = state?.peer?.participant.display ?? descriptor?.peer?.display ?? 'Customer';
    const [statusText, tone] = this._status(state);
    const failure = this._failure(state);
    return html`
      <header part="header">
        <span class="avatar" data-tone=${tone} aria-hidden="true">${name.trim().charAt(0).toUpperCase() || '?'}</span>
        <div class="who">
          <span class="name">${name}</span>
          <span class="status" role="status">${statusText}</span>
          ${this._renderIdentity(state)}
        </div>
        ${this._renderMore()}
      </header>
      <div class="alert" part="error" role="alert">${failure
        ? html`<span>${failure}</span>${this.conversation && !this._sendError
            ? html`<button class="btn-ghost" type="button" @click=${this.retry}>Retry</button>`
            : nothing}`
        : nothing}</div>
      ${this._renderVideo(state, name)}
      ${this._pageFormOpen ? this._renderPageForm() : nothing}
      ${this._linkOpen ? this._renderLinkForm() : nothing}
      ${state?.cobrowse && state.cobrowse.phase !== 'idle' ? html`<cobrowse-view part="cobrowse" .controller=${this._conv.controller}></cobrowse-view>` : nothing}
      <chat-transcript
        part="transcript"
        label=${`Chat with ${name}`}
        .entries=${state?.transcript ?? []}
        .peerTyping=${state?.peer?.typing ? state.peer.participant.display : undefined}
        ?held=${state ? sendingHeld(state) : false}
      ></chat-transcript>
      <chat-composer
        part="composer"
        ?disabled=${!state || !canSend(state)}
        @vc-compose=${this._onCompose}
        @vc-typing=${this._onTyping}
      ></chat-composer>
    `;
  }

  private _renderMore(): TemplateResult {
    return html`
      <div class="more" @focusout=${this._onMenuFocusOut}>
        <button
          id="more-button"
          class="more-button btn-ghost"
          part="more-button"
          type="button"
          aria-haspopup="menu"
          aria-controls="more-menu"
          aria-expanded=${this._menuOpen ? 'true' : 'false'}
          @click=${this._onMoreClick}
          @keydown=${this._onMoreKeydown}
        >
          More <span aria-hidden="true">▾</span>
        </button>
        <div
          id="more-menu"
          class="menu"
          part="menu"
          role="menu"
          aria-label="More actions"
          ?hidden=${!this._menuOpen}
          @keydown=${this._onMenuKeydown}
          @click=${this._onMenuClick}
        >
          ${this._renderBuiltinItems()}
          <slot name="more" @slotchange=${this._onSlotChange}></slot>
        </div>
      </div>
    `;
  }

  private _renderBuiltinItems(): TemplateResult {
    const state = this._conv.state;
    const connected = state?.status === 'connected';
    const videoBusy = state ? state.video.phase !== 'idle' : true;
    return html`
      ${VIDEO_ITEMS.map(
        (item) => html`<button class="builtin" type="button" role="menuitem" tabindex="-1" ?disabled=${!connected || videoBusy} @click=${() => this._startVideo(item.mode)}>
          ${item.label}
        </button>`,
      )}
      <button class="builtin" type="button" role="menuitem" tabindex="-1" ?disabled=${!connected} @click=${this._openPageForm}>Send page…</button>
      <button class="builtin" type="button" role="menuitem" tabindex="-1" ?disabled=${!connected || (state?.cobrowse?.phase ?? 'idle') !== 'idle'} @click=${() => this._conv.controller?.offerCobrowse?.()}>Cobrowse (view the customer’s page)</button>
      <button class="builtin" type="button" role="menuitem" tabindex="-1" ?disabled=${!connected} @click=${this._openLinkForm}>Link to customer…</button>
    `;
  }

  private _renderIdentity(state: ConversationState | undefined): TemplateResult | typeof nothing {
    const verified = state?.descriptor?.peer?.verified;
    const link = state?.link;
    if (!verified && !link) return nothing;
    return html`<span class="identity">
      ${verified ? html`<span class="badge" title="The website vouched for this customer">Verified: ${verified.userId}</span>` : nothing}
      ${link ? html`<span class="badge">Linked: ${link.name}</span>` : nothing}
    </span>`;
  }

  private _renderLinkForm(): TemplateResult {
    return html`
      <form class="page-form" part="link-form" aria-label="Link to a customer record" @submit=${this._onLinkSearch}>
        <label>Search customers <input name="q" type="search" required minlength="1" autocomplete="off" /></label>
        <div class="page-actions">
          <button class="btn-primary" type="submit">Search</button>
          <button class="btn-ghost" type="button" @click=${() => { this._linkOpen = false; this._linkMatches = []; this._linkStatus = ''; }}>Cancel</button>
        </div>
        <p class="link-status" role="status">${this._linkStatus}</p>
        ${this._linkMatches.length
          ? html`<ul class="matches" aria-label="Matching customers">
              ${this._linkMatches.map((m) => html`<li>
                <button class="btn-ghost" type="button" @click=${() => this._link(m)}>Link to ${m.name}</button>
                ${m.detail ? html`<span class="detail">${m.detail}</span>` : nothing}
              </li>`)}
            </ul>`
          : nothing}
      </form>
    `;
  }

  private async _openLinkForm(): Promise<void> {
    this._linkOpen = true;
    this._linkMatches = [];
    this._linkStatus = '';
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>('form[part="link-form"] input')?.focus();
  }

  private _onLinkSearch(e: SubmitEvent): void {
    e.preventDefault();
    const query = String(new FormData(e.target as HTMLFormElement).get('q') ?? '').trim();
    if (!query) return;
    this._linkStatus = 'Searching…';
    let answered = false;
    const respond = (matches: CustomerMatch[]) => {
      answered = true;
      this._linkMatches = matches.slice(0, 20);
      this._linkStatus = matches.length ? `${matches.length} found` : 'No customer found';
    };
    const handledByHost = !dispatchVcEvent(this, 'vc-customer-search', { query, respond }, { cancelable: true });
    if (handledByHost || answered) return;
    const token = this.agentToken;
    if (!this.brokerUrl || !token) {
      this._linkStatus = 'No customer lookup is configured for this pane.';
      return;
    }
    new BrokerClient(this.brokerUrl).searchCustomers(query, token).then(
      (records) => respond(records.map((r) => ({ customerId: r.id, name: r.name, ...(r.email ? { detail: r.email } : {}) }))),
      (err: unknown) => { this._linkStatus = `Search failed: ${messageOf(err)}`; },
    );
  }

  private _link(match: CustomerMatch): void {
    const target = this._conv.controller;
    const conversationId = target?.state.descriptor?.id;
    if (!target || !conversationId) return;
    if (!dispatchVcEvent(this, 'vc-customer-link', { customerId: match.customerId, name: match.name, conversationId }, { cancelable: true })) {
      this._linkStatus = 'The link was not allowed.';
      return;
    }
    try {
      target.linkCustomer({ customerId: match.customerId, name: match.name });
    } catch (err) {
      this._linkStatus = `Cannot link: ${messageOf(err)}`;
      return;
    }
    this._linkOpen = false;
    this._linkMatches = [];
    if (this.brokerUrl && this.agentToken) {
      new BrokerClient(this.brokerUrl).linkCustomer(conversationId, { customerId: match.customerId, name: match.name }, this.agentToken).catch((err: unknown) => {
        this._linkStatus = `Linked in the chat, but the broker did not record it: ${messageOf(err)}`;
      });
    }
  }

  private _renderVideo(state: ConversationState | undefined, name: string): TemplateResult | typeof nothing {
    const v = state?.video;
    if (!v) return nothing;
    const error = this._videoError ?? this._video.error;
    const notes: TemplateResult[] = [];
    if (v.phase === 'inviting') {
      notes.push(html`<p class="video-note" role="status">Video invitation sent, waiting for ${name}…
        <button class="btn-ghost" type="button" @click=${() => this._conv.controller?.endVideo()}>Withdraw</button></p>`);
    } else if (v.phase === 'idle' && v.answer?.accept === false) {
      notes.push(html`<p class="video-note" role="status">${name} declined video and stays in text chat.</p>`);
    }
    if (error) notes.push(html`<p class="video-note" role="alert">${error}</p>`);
    const frame = v.phase === 'starting' || v.phase === 'active'
      ? html`<video-frame part="video" .video=${v} peer-name=${name} .cameras=${this._video.cameras} .microphones=${this._video.microphones}></video-frame>`
      : nothing;
    return html`${notes}${frame}`;
  }

  private _renderPageForm(): TemplateResult {
    return html`
      <form class="page-form" part="page-form" aria-label="Send a page" @submit=${this._onPageSubmit}>
        <label>Page address <input name="url" type="url" required placeholder="https://" autocomplete="url" /></label>
        <label>Title (optional) <input name="title" type="text" maxlength="200" /></label>
        <div class="page-actions">
          <button class="btn-primary" type="submit">Send page</button>
          <button class="btn-ghost" type="button" @click=${() => { this._pageFormOpen = false; this._pageError = undefined; }}>Cancel</button>
        </div>
        ${this._pageError ? html`<p class="page-error" role="alert">${this._pageError}</p>` : nothing}
      </form>
    `;
  }

  private _startVideo(mode: VideoMode): void {
    try {
      this._videoError = undefined;
      this._conv.controller?.startVideo(mode);
    } catch (err) {
      this._videoError = messageOf(err);
    }
  }

  private async _openPageForm(): Promise<void> {
    this._pageFormOpen = true;
    this._pageError = undefined;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>('.page-form input[name="url"]')?.focus();
  }

  private _onPageSubmit(e: SubmitEvent): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const url = String(data.get('url') ?? '');
    const title = String(data.get('title') ?? '').trim() || undefined;
    if (this.pushPage(url, title)) {
      form.reset();
      this._pageFormOpen = false;
    }
  }

  private _status(state: ConversationState | undefined): [string, Tone] {
    if (!state) return ['No conversation', 'off'];
    switch (state.status) {
      case 'idle':
        if (this._connectError) return [`Failed: ${this._connectError}`, 'bad'];
        return this._connectPending ? ['Connecting…', 'wait'] : ['Not connected', 'off'];
      case 'connecting':
        return ['Connecting…', 'wait'];
      case 'connected': {
        const peer = state.peer;
        switch (peer?.presence) {
          case 'online':
            return ['Online', 'ok'];
          case 'away':
            return [`${peer.participant.display}’s connection dropped — waiting for them to come back`, 'wait'];
          case 'gone':
            return [peer.participant.role === 'customer' ? 'Customer left' : 'Agent left', 'off'];
          default:
            return ['Waiting for the customer…', 'wait'];
        }
      }
      case 'reconnecting':
        // Our own connection: the customer has not left, and what the agent writes waits for it.
        return ['Connection lost — reconnecting…', 'wait'];
      case 'closed':
        return ['Conversation ended', 'off'];
      case 'failed':
        return [`Failed: ${state.error ?? this._connectError ?? 'connection lost'}`, 'bad'];
    }
  }

  private _failure(state: ConversationState | undefined): string | undefined {
    if (this._sendError) return `Message not sent: ${this._sendError}`;
    if (state?.status === 'failed') return `Connection failed: ${state.error ?? this._connectError ?? 'connection lost'}`;
    if (this._connectError) return `Could not connect: ${this._connectError}`;
    return undefined;
  }

  // ---- chat ----

  private _onCompose(e: CustomEvent<VcComposeDetail>): void {
    // The pane reports vc-message-sent instead; vc-compose stays inside.
    e.stopPropagation();
    const target = this._conv.controller;
    if (!target) {
      e.preventDefault();
      return;
    }
    try {
      target.send(e.detail.text);
      this._sendError = undefined;
    } catch (err) {
      e.preventDefault(); // keep the text in the box
      this._sendError = messageOf(err);
    }
  }

  private _onTyping(e: CustomEvent<VcTypingDetail>): void {
    e.stopPropagation();
    this._conv.controller?.setTyping(e.detail.active);
  }

  // ---- More menu (WAI-ARIA menu button pattern) ----

  private _menuItems(includeDisabled = false): HTMLElement[] {
    const builtin = [...(this._menu?.querySelectorAll<HTMLButtonElement>('button.builtin') ?? [])];
    const slotted = (this._moreSlot?.assignedElements({ flatten: true }) ?? []).filter((el): el is HTMLElement => el instanceof HTMLElement);
    return [...builtin, ...slotted].filter((el) => !el.hidden && (includeDisabled || !(el as HTMLButtonElement).disabled));
  }

  private _onSlotChange(): void {
    const assigned = this._moreSlot.assignedElements({ flatten: true });
    for (const el of assigned) {
      if (!el.hasAttribute('role')) el.setAttribute('role', 'menuitem');
      if (!el.hasAttribute('tabindex')) el.setAttribute('tabindex', '-1');
    }
  }

  private async _openMenu(focus: 'first' | 'last'): Promise<void> {
    this._menuOpen = true;
    document.addEventListener('pointerdown', this._onDocumentPointerDown, true);
    await this.updateComplete;
    const items = this._menuItems();
    (focus === 'first' ? items[0] : items[items.length - 1])?.focus();
  }

  private _closeMenu(returnFocus: boolean): void {
    if (!this._menuOpen) return;
    this._menuOpen = false;
    document.removeEventListener('pointerdown', this._onDocumentPointerDown, true);
    if (returnFocus) this._moreButton?.focus();
  }

  private _onMoreClick(): void {
    if (this._menuOpen) this._closeMenu(true);
    else void this._openMenu('first');
  }

  private _onMoreKeydown(e: KeyboardEvent): void {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      void this._openMenu(e.key === 'ArrowDown' ? 'first' : 'last');
    } else if (e.key === 'Escape' && this._menuOpen) {
      e.preventDefault();
      this._closeMenu(true);
    }
  }

  private _onMenuKeydown(e: KeyboardEvent): void {
    const items = this._menuItems();
    const current = items.findIndex((el) => el === e.target || el.contains(e.target as Node));
    let next: HTMLElement | undefined;
    switch (e.key) {
      case 'ArrowDown':
        next = items[(current + 1) % items.length];
        break;
      case 'ArrowUp':
        next = items[(current - 1 + items.length) % items.length];
        break;
      case 'Home':
        next = items[0];
        break;
      case 'End':
        next = items[items.length - 1];
        break;
      case 'Escape':
        e.preventDefault();
        e.stopPropagation();
        this._closeMenu(true);
        return;
      case 'Tab':
        this._closeMenu(false);
        return;
      case 'Enter':
      case ' ': {
        const item = items[current];
        // Native buttons and links activate themselves; other items need a click.
        if (item && !(item instanceof HTMLButtonElement) && !(item instanceof HTMLAnchorElement)) {
          e.preventDefault();
          item.click();
        }
        return;
      }
      default:
        return;
    }
    e.preventDefault();
    next?.focus();
  }

  private _onMenuClick(e: MouseEvent): void {
    // The item's own handler may already have disabled it (e.g. video started): look among all items.
    const items = this._menuItems(true);
    const item = items.find((el) => e.composedPath().includes(el));
    if (!item || item.getAttribute('aria-disabled') === 'true') return;
    // Only take focus back if the item's own handler did not move it elsewhere.
    const active = this.shadowRoot?.activeElement ?? document.activeElement;
    const focusInMenu = !active || active === document.body || items.some((el) => el === document.activeElement || el === this.shadowRoot?.activeElement);
    this._closeMenu(focusInMenu);
  }

  private _onMenuFocusOut(e: FocusEvent): void {
    if (!this._menuOpen) return;
    const next = e.relatedTarget as Node | null;
    if (!next) return; // e.g. window blur; outside clicks are handled on pointerdown
    if (next === this._moreButton || this._menuItems().includes(next as HTMLElement) || this._moreWrapper?.contains(next)) return;
    this._closeMenu(false);
  }

  private readonly _onDocumentPointerDown = (e: PointerEvent): void => {
    if (this._moreWrapper && !e.composedPath().includes(this._moreWrapper)) this._closeMenu(false);
  };
}

// Two copies on one page (e.g. the script tag and an npm bundle) must not crash.
if (!customElements.get('video-chat-pane')) customElements.define('video-chat-pane', VideoChatPane);

declare global {
  interface HTMLElementTagNameMap {
    'video-chat-pane': VideoChatPane;
  }
}
