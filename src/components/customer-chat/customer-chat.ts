import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import type { ConversationDescriptor, VideoMode } from '../../protocol/index.js';
import {
  BrokerClient,
  BrokerError,
  canSend,
  Conversation,
  sendingHeld,
  sessionConsentStore,
  sessionTranscriptStore,
  type ConversationController,
  type ConversationOptions,
  type ConversationState,
} from '../../session/index.js';
import { ConversationStateController } from '../conversation-state-controller.js';
import type { VcComposeDetail, VcPageOpenRequestDetail, VcTypingDetail } from '../events.js';
import '../chat-transcript/chat-transcript.js';
import '../chat-composer/chat-composer.js';
import '../video-frame/video-frame.js';
import '../video-invite/video-invite.js';
import '../cobrowse-consent/cobrowse-consent.js';
import '../cobrowse-banner/cobrowse-banner.js';
import type { VcCobrowseConsentDetail, VcCobrowseStopDetail } from '../cobrowse-consent/cobrowse-events.js';
import type { VcInviteRespondDetail } from '../video-events.js';
import { VideoRequestsController } from '../video-requests.js';
import { customerChatStyles } from './customer-chat.styles.js';

/** What survives a reload or same-tab navigation, in sessionStorage. */
export interface StoredConversation {
  id: string;
  resumeKey: string;
  /** Whether the panel was open. */
  open: boolean;
}

/** sessionStorage key of the stored conversation for a broker URL. */
export function storageKeyFor(brokerUrl: string): string {
  return `vc-conversation:${brokerUrl}`;
}

/** Broker answers meaning "this conversation is gone or no longer yours". */
const GONE = new Set([403, 404, 410]);
const MAX_PAGE_URL = 2048;

type Phase = 'start' | 'busy' | 'chat';

interface Failure {
  message: string;
  retry?: () => void;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isAbort(err: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (err instanceof DOMException && err.name === 'AbortError');
}

/**
 * The customer's chat widget: a launcher button fixed to the bottom-right corner
 * and a chat panel. Starts a conversation through the broker at `broker-url`,
 * keeps `{id, resumeKey, open}` in sessionStorage and resumes after a reload or a
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
 * @fires {CustomEvent<VcPageRefusedDetail>} vc-page-refused - A pushed page broke this site's URL rules and was not shown.
 * @fires {CustomEvent<VcPageOpenedDetail>} vc-page-opened - The customer opened a pushed page.
 * @fires {CustomEvent<VcCustomerLinkedDetail>} vc-customer-linked - The agent linked the chat to the customer's record.
 * @fires {CustomEvent<{offerId: string}>} vc-cobrowse-offer - Cobrowse was offered (agent: sent; customer: asked for consent).
 * @fires {CustomEvent<{offerId: string; accept: boolean}>} vc-cobrowse-answer - The customer answered the cobrowse offer.
 * @fires {CustomEvent<{requestId: string; control: string}>} vc-cobrowse-control - Remote control was requested, granted, denied or revoked.
 * @fires {CustomEvent<{stopId: string; by: string; reason?: string}>} vc-cobrowse-end - Cobrowse ended (either side).
 * @fires {CustomEvent<{kind: string; node: number; ok: boolean; reason?: string}>} vc-cobrowse-action - Customer side: an agent action was performed or refused.
 *
 * Page cards the agent pushes open on click: same-origin pages in this tab,
 * others in a new tab with `noopener`.
 *
 * @slot launcher-label - Text of the launcher (default: the `label` property, "Chat with us").
 * @slot greeting - Text above the start form.
 *
 * @csspart launcher - The launcher button.
 * @csspart panel - The chat panel (role="dialog").
 * @csspart header - The panel's title bar.
 * @csspart close - The Close button.
 * @csspart error - The error bar (role="alert").
 * @csspart start-form - The start form.
 * @csspart transcript - The `<chat-transcript>`.
 * @csspart composer - The `<chat-composer>`.
 *
 * @cssprop [--vc-color-primary=#1d4ed8] - Launcher, title bar, own bubbles, focus ring.
 * @cssprop [--vc-color-on-primary=#ffffff] - Text on the accent color.
 * @cssprop [--vc-color-surface=#ffffff] - Panel background.
 * @cssprop [--vc-color-text=#1f2937] - Text color; borders and muted text are mixed from it.
 * @cssprop [--vc-color-danger=#b91c1c] - Errors.
 * @cssprop [--vc-radius=12px] - Corner radius.
 * @cssprop [--vc-font=system-ui] - Font family.
 * @cssprop [--vc-offset=1.25rem] - Distance of launcher and panel from the viewport edges.
 */
export class CustomerChat extends LitElement {
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

  /** Launcher text and the panel's accessible name. */
  @property()
  label = 'Chat with us';

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

  @state() private _phase: Phase = 'start';
  @state() private _busyText = '';
  @state() private _failure?: Failure;
  @state() private _unread = 0;
  @state() private _videoMenu = false;
  @state() private _videoError?: string;

  @query('.launcher') private _launcher!: HTMLButtonElement;
  @query('.panel') private _panel!: HTMLElement;

  private readonly _conv = new ConversationStateController(this, {
    fallbackConversationId: () => this._descriptor?.id ?? this._readStored()?.id,
    onMessageReceived: () => {
      if (!this.open) this._unread++;
    },
  });
  private readonly _video = new VideoRequestsController(this, () => this._conv.controller);
  private _own?: ConversationController;
  private _abort?: AbortController;
  private _descriptor?: ConversationDescriptor;
  private _initFor?: { brokerUrl?: string; controller?: ConversationController };
  private _focusOnOpen = false;

  /** State of the conversation, once there is one. */
  get state(): ConversationState | undefined {
    return this._conv.state;
  }

  /** Opens the panel and moves focus into it. */
  show(): void {
    this._focusOnOpen = true;
    this.open = true;
  }

  /** Closes the panel and returns focus to the launcher. */
  hide(): void {
    if (!this.open) return;
    this.open = false;
    void this.updateComplete.then(() => this._launcher?.focus());
  }

  /** Creates the element's own conversation when no `controller` is given (transcript kept in sessionStorage). */
  protected createConversation(): ConversationController {
    return new Conversation(this.conversationOptions());
  }

  /** How the element's own conversation is set up: storage, page rules, and the broker for keys and history. */
  protected conversationOptions(): ConversationOptions {
    const allowedOrigins = this.allowedPageOrigins.split(/\s+/).filter(Boolean);
    return {
      store: sessionTranscriptStore(),
      // What the customer clicked for survives reloads and navigation in this tab, and ends with the conversation.
      consent: sessionConsentStore(),
      pagePolicy: { allowHttp: this.allowHttpPages, allowedOrigins },
      // This browser lost its signing key (storage cleared): the resume key proves it is still the customer.
      registerKey: (d, publicKey) => {
        const stored = this._readStored();
        if (!stored || stored.id !== d.id) return Promise.reject(new Error('This conversation can no longer be resumed here'));
        return this._client().registerKey(d.id, publicKey, stored.resumeKey);
      },
      // The whole transcript from the broker's record (the room keeps only its last 200, and none after a Janus restart).
      history: async (d, signal) => {
        const stored = this._readStored();
        if (!this.brokerUrl || !stored || stored.id !== d.id) return [];
        const messages = await this._client().transcript(d.id, stored.resumeKey, signal);
        return messages.map((m) => m.wire);
      },
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
    this._init();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._teardown();
    this._initFor = undefined;
    this._conv.controller = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('brokerUrl') || changed.has('controller')) this._init();
    if (changed.has('open')) {
      if (this.open) this._unread = 0;
      this._storeOpen(); // no-op without a stored conversation or when unchanged
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('open') && this.open && this._focusOnOpen) {
      this._focusOnOpen = false;
      this._focusPanel();
    }
  }

  // ---- flow ----

  private _init(): void {
    if (!this.isConnected) return;
    const { brokerUrl, controller } = this;
    if (this._initFor && this._initFor.brokerUrl === brokerUrl && this._initFor.controller === controller) return;
    this._initFor = { brokerUrl, controller };
    this._teardown();
    this._descriptor = undefined;

    if (controller && controller.state.status !== 'idle') {
      this._conv.controller = controller;
      this._phase = 'chat';
      return;
    }
    this._conv.controller = undefined;
    if (!brokerUrl) {
      this._phase = 'start';
      this._failure = { message: 'Chat is not available right now.' };
      return;
    }
    const stored = this._readStored();
    if (stored) {
      if (stored.open) this.open = true;
      void this._resume(stored);
    } else {
      this._phase = 'start';
    }
  }

  private _teardown(): void {
    this._abort?.abort();
    this._abort = undefined;
    this._releaseOwn();
    this._failure = undefined;
  }

  /** Disposes the element's own conversation, without reporting its closing as news. */
  private _releaseOwn(): void {
    if (!this._own) return;
    if (this._conv.controller === this._own) this._conv.controller = undefined;
    this._own.dispose();
    this._own = undefined;
  }

  private _newSignal(): AbortSignal {
    this._abort?.abort();
    this._abort = new AbortController();
    return this._abort.signal;
  }

  private _client(): BrokerClient {
    return new BrokerClient(this.brokerUrl ?? '');
  }

  private async _start(display: string): Promise<void> {
    const signal = this._newSignal();
    this._failure = undefined;
    this._phase = 'busy';
    this._busyText = 'Starting chat…';
    try {
      const page = globalThis.location?.href.slice(0, MAX_PAGE_URL);
      const grant = await this._client().startConversation({ ...(display ? { display } : {}), page, ...(this.identity ? { identity: this.identity } : {}) }, signal);
      if (signal.aborted) return;
      this._writeStored({ id: grant.descriptor.id, resumeKey: grant.resumeKey, open: this.open });
      await this._join(grant.descriptor, signal);
    } catch (err) {
      if (isAbort(err, signal)) return;
      this._phase = 'start';
      this._failure = { message: messageOf(err), retry: () => void this._start(display) };
    }
  }

  private async _resume(stored: StoredConversation): Promise<void> {
    const signal = this._newSignal();
    this._failure = undefined;
    this._phase = 'busy';
    this._busyText = 'Reconnecting to your chat…';
    try {
      const grant = await this._client().resume(stored.id, stored.resumeKey, signal);
      if (signal.aborted) return;
      this._writeStored({ id: grant.descriptor.id, resumeKey: grant.resumeKey, open: this.open });
      await this._join(grant.descriptor, signal);
    } catch (err) {
      if (isAbort(err, signal)) return;
      if (err instanceof BrokerError && GONE.has(err.status)) {
        this._clearStored();
        this._phase = 'start';
        return;
      }
      this._failure = { message: messageOf(err), retry: () => void this._resume(stored) };
    }
  }

  /** Connects to the conversation; failures to connect are shown with a Retry. */
  private async _join(descriptor: ConversationDescriptor, signal: AbortSignal): Promise<void> {
    this._descriptor = descriptor;
    let target = this.controller;
    if (!target) {
      this._releaseOwn();
      target = this._own = this.createConversation();
    }
    this._conv.controller = target;
    this._phase = 'chat';
    try {
      await target.connect(descriptor, signal);
    } catch (err) {
      if (isAbort(err, signal)) return;
      this._failure = { message: `Could not connect: ${messageOf(err)}`, retry: () => this._reconnect() };
    }
  }

  /** After a failure: fetch a fresh descriptor (tokens may have expired) and connect again. */
  private _reconnect(): void {
    this._failure = undefined;
    this._releaseOwn();
    const stored = this._readStored();
    if (stored && this.brokerUrl) void this._resume(stored);
    else if (this._descriptor) void this._join(this._descriptor, this._newSignal());
  }

  private _startOver(): void {
    this._teardown();
    this._clearStored();
    this._descriptor = undefined;
    this._conv.controller = undefined;
    this._phase = 'start';
    void this.updateComplete.then(() => this._focusPanel());
  }

  // ---- storage (sessionStorage may be unavailable: sandboxed frames, privacy modes) ----

  private _storageKey(): string | undefined {
    return this.brokerUrl ? storageKeyFor(this.brokerUrl) : undefined;
  }

  private _readStored(): StoredConversation | undefined {
    const key = this._storageKey();
    if (!key) return undefined;
    try {
      const raw = sessionStorage.getItem(key);
      if (!raw) return undefined;
      const data = JSON.parse(raw) as Partial<StoredConversation> | null;
      if (data && typeof data.id === 'string' && typeof data.resumeKey === 'string') {
        return { id: data.id, resumeKey: data.resumeKey, open: data.open === true };
      }
      sessionStorage.removeItem(key);
    } catch {
      /* unreadable: treat as absent */
    }
    return undefined;
  }

  private _writeStored(value: StoredConversation): void {
    const key = this._storageKey();
    if (!key) return;
    try {
      sessionStorage.setItem(key, JSON.stringify(value));
    } catch {
      /* storage full or blocked: the chat still works, it just won't survive a reload */
    }
  }

  private _clearStored(): void {
    const key = this._storageKey();
    if (!key) return;
    try {
      sessionStorage.removeItem(key);
    } catch {
      /* ignore */
    }
  }

  private _storeOpen(): void {
    const stored = this._readStored();
    if (stored && stored.open !== this.open) this._writeStored({ ...stored, open: this.open });
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
    void this._start(name);
  }

  private _onCompose(e: CustomEvent<VcComposeDetail>): void {
    e.stopPropagation();
    const target = this._conv.controller;
    if (!target) {
      e.preventDefault();
      return;
    }
    try {
      target.send(e.detail.text);
    } catch (err) {
      e.preventDefault();
      this._failure = { message: `Message not sent: ${messageOf(err)}` };
    }
  }

  private _onTyping(e: CustomEvent<VcTypingDetail>): void {
    e.stopPropagation();
    this._conv.controller?.setTyping(e.detail.active);
  }

  private _onPageOpen(e: CustomEvent<VcPageOpenRequestDetail>): void {
    e.stopPropagation();
    const target = this._conv.controller;
    if (!target) return;
    try {
      const { url, sameOrigin } = target.openPage(e.detail.pushId);
      this.navigate(url, sameOrigin);
    } catch (err) {
      this._failure = { message: `Cannot open that page: ${messageOf(err)}` };
    }
  }

  private _focusPanel(): void {
    const root = this.renderRoot;
    const target =
      root.querySelector<HTMLElement>('.start input') ??
      root.querySelector<HTMLElement>('chat-composer:not([disabled])') ??
      root.querySelector<HTMLElement>('.close');
    target?.focus();
  }

  // ---- rendering ----

  private _statusText(state: ConversationState | undefined): string {
    if (this._phase === 'busy') return this._busyText;
    if (this._phase === 'start' || !state) return '';
    switch (state.status) {
      case 'idle':
      case 'connecting':
        return 'Connecting…';
      case 'reconnecting':
        // Our own connection: the other side has not left, and what the customer writes waits for it.
        return 'Connection lost — reconnecting…';
      case 'failed':
        return 'Connection failed';
      case 'closed':
        return 'Chat ended';
      case 'connected': {
        const peer = state.peer;
        const name = peer?.participant.display;
        switch (peer?.presence) {
          case 'online':
            return `Chatting with ${name}`;
          case 'away':
            return `${name}’s connection dropped — waiting for them to come back`;
          case 'gone':
            return `${name} left the chat`;
          default:
            return 'Waiting for an agent…';
        }
      }
    }
  }

  private _renderVideo(state: ConversationState | undefined): TemplateResult | typeof nothing {
    const v = state?.video;
    if (!v || state?.status === 'closed') return nothing;
    const agent = state.peer?.participant.display ?? 'The agent';
    const error = this._videoError ?? this._video.error;
    if (v.phase === 'invited' && v.invite) {
      return html`<video-invite part="video-invite" mode=${v.invite.mode} peer-name=${agent} @vc-invite-respond=${this._onInviteRespond}></video-invite>`;
    }
    if (v.phase === 'starting' || v.phase === 'active') {
      return html`<video-frame part="video" .video=${v} peer-name=${agent} .cameras=${this._video.cameras} .microphones=${this._video.microphones}></video-frame>
        ${error ? html`<p class="video-note" role="alert">${error}</p>` : nothing}`;
    }
    const canStart = state.status === 'connected' && state.peer?.online === true && v.phase === 'idle';
    if (!canStart) return nothing;
    return html`
      <div class="video-start">
        <button class="btn-ghost" type="button" aria-expanded=${this._videoMenu ? 'true' : 'false'} aria-controls="video-choices" @click=${() => (this._videoMenu = !this._videoMenu)}>
          Start video…
        </button>
        ${this._videoMenu
          ? html`<div id="video-choices" class="video-choices" role="group" aria-label="Start video">
              <button class="btn-ghost" type="button" @click=${() => this._startVideo('two-way')}>Two-way video</button>
              <button class="btn-ghost" type="button" @click=${() => this._startVideo('one-way-agent')}>Watch ${agent} only (you talk, no camera)</button>
            </div>`
          : nothing}
        ${error ? html`<p class="video-note" role="alert">${error}</p>` : nothing}
      </div>
    `;
  }

  private _startVideo(mode: VideoMode): void {
    this._videoMenu = false;
    try {
      this._videoError = undefined;
      this._conv.controller?.startVideo(mode);
    } catch (err) {
      this._videoError = messageOf(err);
    }
  }

  private _onInviteRespond(e: CustomEvent<VcInviteRespondDetail>): void {
    e.stopPropagation();
    try {
      this._videoError = undefined;
      this._conv.controller?.answerInvite(e.detail.accept);
    } catch (err) {
      this._videoError = messageOf(err);
    }
  }

  /** Consent prompts and the banner live outside the panel: they matter even when the chat is closed. */
  private _renderCobrowse(state: ConversationState | undefined): TemplateResult | typeof nothing {
    const cb = state?.cobrowse;
    if (!cb || cb.phase === 'idle') return nothing;
    const agent = state?.peer?.participant.display ?? 'The agent';
    if (cb.phase === 'asked') {
      return html`<cobrowse-consent class="cobrowse-prompt" kind="view" peer-name=${agent} @vc-cobrowse-consent=${this._onCobrowseConsent}></cobrowse-consent>`;
    }
    if (cb.phase !== 'active') return nothing;
    return html`
      ${cb.control === 'asked'
        ? html`<cobrowse-consent class="cobrowse-prompt" kind="control" peer-name=${agent} @vc-cobrowse-consent=${this._onCobrowseConsent}></cobrowse-consent>`
        : nothing}
      <cobrowse-banner fixed mode=${cb.control === 'granted' ? 'controlling' : 'viewing'} peer-name=${agent} @vc-cobrowse-stop=${this._onCobrowseStop}></cobrowse-banner>
    `;
  }

  private _onCobrowseConsent(e: CustomEvent<VcCobrowseConsentDetail>): void {
    e.stopPropagation();
    const target = this._conv.controller;
    if (e.detail.kind === 'view') target?.answerCobrowse?.(e.detail.accept);
    else target?.answerControl?.(e.detail.accept);
  }

  private _onCobrowseStop(e: CustomEvent<VcCobrowseStopDetail>): void {
    e.stopPropagation();
    const target = this._conv.controller;
    if (e.detail.scope === 'control') target?.answerControl?.(false);
    else target?.stopCobrowse?.();
  }

  protected override render(): TemplateResult {
    const state = this._conv.state;
    const failure: Failure | undefined =
      this._failure ??
      (this._phase === 'chat' && state?.status === 'failed'
        ? { message: state.error ?? 'The connection was lost.', retry: () => this._reconnect() }
        : undefined);
    return html`
      <button
        class="launcher"
        part="launcher"
        type="button"
        aria-expanded=${this.open ? 'true' : 'false'}
        aria-controls="panel"
        @click=${this._onLauncherClick}
      >
        <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>
        <slot name="launcher-label">${this.label}</slot>
        ${this._unread > 0
          ? html`<span class="badge">${this._unread}<span class="sr-only">${this._unread === 1 ? ' unread message' : ' unread messages'}</span></span>`
          : nothing}
      </button>
      <div
        id="panel"
        class="panel"
        part="panel"
        role="dialog"
        aria-labelledby="title"
        ?hidden=${!this.open}
        @keydown=${this._onPanelKeydown}
      >
        <header part="header">
          <div class="heading">
            <span id="title" class="title">${this.label}</span>
            <span class="status" role="status">${this._statusText(state)}</span>
          </div>
          <button class="close" part="close" type="button" aria-label="Close chat" @click=${this.hide}>
            <span aria-hidden="true">×</span>
          </button>
        </header>
        <div class="alert" part="error" role="alert">${failure
          ? html`<span>${failure.message}</span>${failure.retry
              ? html`<button class="btn-ghost" type="button" @click=${failure.retry}>Retry</button>`
              : nothing}`
          : nothing}</div>
        ${this._renderBody(state)}
      </div>
      ${this._renderCobrowse(state)}
    `;
  }

  private _renderBody(state: ConversationState | undefined): TemplateResult | typeof nothing {
    switch (this._phase) {
      case 'start':
        return html`
          <form class="start" part="start-form" @submit=${this._onStartSubmit}>
            <p><slot name="greeting">Hi! Ask us anything and an agent will be with you shortly.</slot></p>
            <label for="name">Your name (optional)</label>
            <input id="name" name="name" type="text" autocomplete="name" maxlength="80" />
            <button class="btn-primary" type="submit" ?disabled=${!this.brokerUrl}>Start chat</button>
          </form>
        `;
      case 'busy':
        return html`<div class="busy" aria-hidden="true">${this._busyText}</div>`;
      case 'chat': {
        const closed = state?.status === 'closed';
        return html`
          ${this._renderVideo(state)}
          <chat-transcript
            part="transcript"
            label="Chat messages"
            .entries=${state?.transcript ?? []}
            .peerTyping=${state?.peer?.typing ? state.peer.participant.display : undefined}
            ?held=${state ? sendingHeld(state) : false}
            @vc-page-open-request=${this._onPageOpen}
          ></chat-transcript>
          ${closed
            ? html`<div class="ended">
                <button class="btn-primary" type="button" @click=${this._startOver}>Start a new chat</button>
              </div>`
            : html`<chat-composer
                part="composer"
                ?disabled=${!state || !canSend(state)}
                @vc-compose=${this._onCompose}
                @vc-typing=${this._onTyping}
              ></chat-composer>`}
        `;
      }
    }
  }
}

// Two copies on one page (e.g. the script tag and an npm bundle) must not crash.
if (!customElements.get('customer-chat')) customElements.define('customer-chat', CustomerChat);

declare global {
  interface HTMLElementTagNameMap {
    'customer-chat': CustomerChat;
  }
}
