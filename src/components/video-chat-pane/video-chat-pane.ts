import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { ConversationDescriptor, VideoMode } from '../../protocol/index.js';
import {
  brokerConversationOptions,
  brokerCustomers,
  canSend,
  createConversation,
  CustomerSearch,
  sendingHeld,
  sessionTranscriptStore,
  type ConversationController,
  type ConversationOptions,
  type ConversationState,
  type CustomerMatch,
} from '../../session/index.js';
import { ConversationHost } from '../conversation-host.js';
import { hostCustomerDirectory } from '../customer-directory.js';
import { attempt, failureText, reasonOf, type Failure } from '../errors.js';
import { LocalizedElement } from '../localized-element.js';
import type { MessageKey } from '../../i18n/index.js';
import { dispatchVcEvent, type VcComposeDetail, type VcTypingDetail } from '../events.js';
import '../chat-transcript/chat-transcript.js';
import '../chat-composer/chat-composer.js';
import '../vc-menu-button/vc-menu-button.js';
import { agentStatusLine } from '../status-line.js';
import { VideoRequestsController } from '../video-requests.js';
import { linkForm, pageForm } from './pane-forms.js';
import { videoChatPaneStyles } from './video-chat-pane.styles.js';
import { useAgentCatalogue } from '../../i18n/agent.js';

// This element's texts are in the agent's part of the catalogue (src/i18n/en-agent.ts).
useAgentCatalogue();

/**
 * Elements only some conversations need, defined on first use: `<video-frame>`
 * once video starts, `<cobrowse-view>` (and the agent's cobrowse code) once
 * cobrowse is offered. Their tags render at once; the element upgrades when
 * its module is in (Lit keeps the properties set before), and a failed
 * download is tried again on the next render.
 */
function definer(load: () => Promise<unknown>): () => void {
  let loading: Promise<unknown> | undefined;
  return () => {
    loading ??= load().catch((e: unknown) => {
      loading = undefined;
      console.warn('video-chat-pane: could not load an element', e);
    });
  };
}
const defineVideoFrame = definer(() => import('../video-frame/video-frame.js'));
const defineCobrowseView = definer(() => import('../cobrowse-view/cobrowse-view.js'));

/** The seed's escalation formats, as the More menu offers them. */
const VIDEO_ITEMS: ReadonlyArray<{ mode: VideoMode; label: MessageKey }> = [
  { mode: 'two-way', label: 'pane.video-two-way' },
  { mode: 'one-way-agent', label: 'pane.video-one-way-agent' },
  { mode: 'one-way-customer', label: 'pane.video-one-way-customer' },
  { mode: 'voice', label: 'pane.voice' },
];

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
 * @fires {CustomEvent<VcCallQualityDetail>} vc-call-quality - How the running call is doing (network level, loss, bitrate, frame rate) and what it did about it; at once on a change, else every 10 s.
 * @fires {CustomEvent<VcPagePushDetail>} vc-page-push - Cancelable: a page is about to be sent; cancel to veto.
 * @fires {CustomEvent<VcPageRefusedDetail>} vc-page-refused - A page was refused by the URL rules.
 * @fires {CustomEvent<VcPageOpenedDetail>} vc-page-opened - The customer opened a pushed page.
 * @fires {CustomEvent<VcCustomerSearchDetail>} vc-customer-search - Cancelable: the agent searches customer records; a host CRM cancels it and calls `detail.respond(matches)`, else the broker is asked.
 * @fires {CustomEvent<VcCustomerLinkDetail>} vc-customer-link - Cancelable: the agent links the chat to a record; cancel to veto.
 * @fires {CustomEvent<VcCustomerLinkedDetail>} vc-customer-linked - The link is in both transcripts.
 * @fires {CustomEvent<VcCobrowseOfferDetail>} vc-cobrowse-offer - Cobrowse was offered to the customer.
 * @fires {CustomEvent<VcCobrowseAnswerDetail>} vc-cobrowse-answer - The customer answered the cobrowse offer.
 * @fires {CustomEvent<VcCobrowseControlDetail>} vc-cobrowse-control - Remote control was requested, granted, denied or revoked.
 * @fires {CustomEvent<VcCobrowseEndDetail>} vc-cobrowse-end - Cobrowse ended (either side).
 * @fires {CustomEvent<VcCobrowseActionDetail>} vc-cobrowse-action - The customer's page performed or refused (`code`, `reason`) an action of the agent's.
 *
 * @slot more - Items of the More menu (e.g. `<button slot="more">Video chat</button>`); they get `role="menuitem"` if they have no role.
 *
 * @csspart header - Name, status and More button.
 * @csspart more - The More `<vc-menu-button>` (its own parts: `button`, `menu`).
 * @csspart error - The error bar (role="alert").
 * @csspart transcript - The `<chat-transcript>`.
 * @csspart composer - The `<chat-composer>`.
 * @csspart video - The `<video-frame>` while video runs.
 * @csspart cobrowse - The `<cobrowse-view>` while cobrowse is offered or runs.
 * @csspart page-form - More → Send page: the form.
 * @csspart link-form - More → Link to customer: the search form.
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
 * @cssprop [--vc-menu-min-width=12rem] - Minimum width of the More menu.
 * @cssprop [--vc-cobrowse-color=#c2410c] - Outline of the cobrowse view while the agent has control.
 * @cssprop [--vc-cobrowse-height=420px] - Tallest the cobrowse view grows; the customer's page is scaled to the pane's width (never scrolled sideways) and to this height.
 * @cssprop [--vc-video-max-height=50vh] - Tallest the video area grows (it keeps 16:9 below that and never gets wider than the pane).
 */
export class VideoChatPane extends LocalizedElement {
  static override styles = videoChatPaneStyles;

  /**
   * The conversation to join. The pane creates its own conversation, connects it
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

  @state() private _sendError?: Failure;
  @state() private _pageFormOpen = false;
  /** Why the last page was refused (what was thrown: a PageRefusedError says it in any locale). */
  @state() private _pageError?: { err: unknown };
  @state() private _videoError?: { err: unknown };

  private readonly _conv = new ConversationHost(this, {
    create: () => this.createConversation(),
    fallbackConversationId: () => this.conversation?.id,
  });
  private readonly _video = new VideoRequestsController(this, () => this._conv.controller?.video);
  /** The host's CRM first (through vc-customer-search), then the broker's lookup. */
  private readonly _search = new CustomerSearch(() => {
    const broker = this.brokerUrl && this.agentToken ? brokerCustomers(this.brokerUrl, this.agentToken) : undefined;
    return {
      directories: broker ? [hostCustomerDirectory(this), broker] : [hostCustomerDirectory(this)],
      recorder: broker,
      allowLink: (m, conversationId) => dispatchVcEvent(this, 'vc-customer-link', { customerId: m.customerId, name: m.name, conversationId }),
    };
  });

  constructor() {
    super();
    this._search.on('change', () => this.requestUpdate());
  }

  /** State of the conversation shown, if any. */
  get state(): ConversationState | undefined {
    return this._conv.state;
  }

  /** Creates the pane's own conversation when only a descriptor is given (transcript kept in sessionStorage). */
  protected createConversation(): ConversationController {
    return createConversation(this.conversationOptions());
  }

  /** How the pane's own conversation is set up: storage, page rules, and the broker (with `agentToken`) for keys and history. */
  protected conversationOptions(): ConversationOptions {
    return {
      store: sessionTranscriptStore(),
      pagePolicy: { allowHttp: this.allowHttpPages },
      // With a broker and the agent's token: history from the broker's record, and a new key's certificate.
      ...brokerConversationOptions(
        () => (this.brokerUrl && this.agentToken ? { brokerUrl: this.brokerUrl, bearer: this.agentToken } : undefined),
        'This browser’s signing key is not certified for this conversation: claim it again',
      ),
    };
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._search.close();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('conversation') || changed.has('controller')) {
      this._sendError = undefined;
      this._conv.show(this.controller, this.conversation);
    }
  }

  /**
   * Sends a web page to the customer, as More → Send page does. Fires the
   * cancelable `vc-page-push` first; returns false if the host vetoed it or
   * the URL rules refused it (the reason is shown and fired as `vc-page-refused`).
   */
  pushPage(url: string, title?: string): boolean {
    const target = this._conv.controller;
    if (!target) return false;
    if (!dispatchVcEvent(this, 'vc-page-push', { url, ...(title ? { title } : {}) })) return false;
    const pushed = attempt(() => target.pages.push(url, title), (_m, err) => (this._pageError = { err }));
    if (pushed) this._pageError = undefined;
    return pushed;
  }

  /** Joins (or re-joins) after a failure. */
  retry(): void {
    this._sendError = undefined;
    this._conv.retry();
  }

  // ---- rendering ----

  protected override render(): TemplateResult {
    const state = this._conv.state;
    const descriptor = this.conversation ?? state?.descriptor;
    const name = state?.peer?.participant.display ?? descriptor?.peer?.display ?? this.t('name.customer-short');
    const [status, tone] = agentStatusLine(state, this._conv.connecting, this._conv.connectError);
    const statusText = this.i18n.coded(status);
    const failure = this._failure(state);
    const connected = state?.status === 'connected';
    const videoBusy = state ? state.video.phase !== 'idle' : true;
    const target = this._conv.controller;
    // role="none": the pane's header is no page banner (the pane sits in a host's main, e.g. <agent-console>'s).
    return html`
      <header part="header" role="none">
        <span class="avatar" data-tone=${tone} aria-hidden="true">${name.trim().charAt(0).toUpperCase() || '?'}</span>
        <div class="who">
          <span class="name">${name}</span>
          <span class="status" role="status">${statusText}</span>
          ${this._renderIdentity(state)}
        </div>
        <vc-menu-button id="more-button" part="more" label=${this.t('pane.more')} menu-label=${this.t('pane.more-label')}>
          ${VIDEO_ITEMS.map((item) => html`<button class="builtin" type="button" role="menuitem" tabindex="-1" ?disabled=${!connected || videoBusy} @click=${() => this._startVideo(item.mode)}>
            ${this.t(item.label)}
          </button>`)}
          <button class="builtin" type="button" role="menuitem" tabindex="-1" ?disabled=${!connected} @click=${this._openPageForm}>${this.t('pane.send-page')}</button>
          <button class="builtin" type="button" role="menuitem" tabindex="-1" ?disabled=${!connected || (state?.cobrowse.phase ?? 'idle') !== 'idle'} @click=${() => target?.cobrowse.offer()}>${this.t('pane.cobrowse')}</button>
          <button class="builtin" type="button" role="menuitem" tabindex="-1" ?disabled=${!connected} @click=${this._openLinkForm}>${this.t('pane.link')}</button>
          <slot name="more"></slot>
        </vc-menu-button>
      </header>
      <div class="alert" part="error" role="alert">${failure
        ? html`<span>${failure}</span>${this.conversation && !this._sendError ? html`<button class="btn-ghost" type="button" @click=${this.retry}>${this.t('pane.retry')}</button>` : nothing}`
        : nothing}</div>
      ${this._renderVideo(state, name)}
      ${this._pageFormOpen ? pageForm(this._pageError && reasonOf(this._pageError.err, this.i18n.locale), { submit: this._onPageSubmit, cancel: this._closePageForm }, this.i18n) : nothing}
      ${this._search.state.open ? linkForm(this._search.state, { search: this._onLinkSearch, cancel: () => this._search.close(), pick: (m) => this._link(m) }, this.i18n) : nothing}
      ${state && state.cobrowse.phase !== 'idle' ? (defineCobrowseView(), html`<cobrowse-view part="cobrowse" .controller=${target}></cobrowse-view>`) : nothing}
      <chat-transcript
        part="transcript"
        exportparts="log: transcript-log, message, bubble, bubble-mine, bubble-theirs, system, page-card, typing"
        label=${this.t('pane.transcript-label', { name })}
        .entries=${state?.transcript ?? []}
        .peerTyping=${state?.peer?.typing ? state.peer.participant.display : undefined}
        ?held=${state ? sendingHeld(state) : false}
      ></chat-transcript>
      <chat-composer part="composer" exportparts="form: composer-form, input: composer-input, send: composer-send, counter: composer-counter" ?disabled=${!state || !canSend(state)} @vc-compose=${this._onCompose} @vc-typing=${this._onTyping}></chat-composer>
    `;
  }

  private _renderIdentity(state: ConversationState | undefined): TemplateResult | typeof nothing {
    const verified = state?.descriptor?.peer?.verified;
    const link = state?.link;
    if (!verified && !link) return nothing;
    return html`<span class="identity">
      ${verified ? html`<span class="badge" title=${this.t('pane.verified-title')}>${this.t('pane.verified', { id: verified.userId })}</span>` : nothing}
      ${link ? html`<span class="badge">${this.t('pane.linked', { name: link.name })}</span>` : nothing}
    </span>`;
  }

  private async _openLinkForm(): Promise<void> {
    this._search.open();
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>('form[part="link-form"] input')?.focus();
  }

  private readonly _onLinkSearch = (e: SubmitEvent): void => {
    e.preventDefault();
    void this._search.search(String(new FormData(e.target as HTMLFormElement).get('q') ?? ''));
  };

  private _link(match: CustomerMatch): void {
    const target = this._conv.controller;
    const conversationId = target?.state.descriptor?.id;
    if (target && conversationId) this._search.linkTo(target.link, conversationId, match);
  }

  private _renderVideo(state: ConversationState | undefined, name: string): TemplateResult | typeof nothing {
    const v = state?.video;
    if (!v) return nothing;
    const error = this._videoError ? reasonOf(this._videoError.err, this.i18n.locale) : this._video.errorIn(this.i18n.locale);
    const notes: TemplateResult[] = [];
    if (v.phase === 'inviting') {
      notes.push(html`<p class="video-note" role="status">${this.t('pane.inviting', { name })}
        <button class="btn-ghost" type="button" @click=${() => this._conv.controller?.video.end()}>${this.t('pane.withdraw')}</button></p>`);
    } else if (v.phase === 'idle' && v.answer?.accept === false) {
      notes.push(html`<p class="video-note" role="status">${this.t('pane.declined', { name })}</p>`);
    }
    if (error) notes.push(html`<p class="video-note" role="alert">${error}</p>`);
    const frame = v.phase === 'starting' || v.phase === 'active'
      ? (defineVideoFrame(), html`<video-frame part="video" .video=${v} peer-name=${name} .selfName=${state?.descriptor?.self.display} .cameras=${this._video.cameras} .microphones=${this._video.microphones}></video-frame>`)
      : nothing;
    return html`${notes}${frame}`;
  }

  private _startVideo(mode: VideoMode): void {
    this._videoError = undefined;
    const video = this._conv.controller?.video;
    if (video) attempt(() => video.start(mode), (_m, err) => (this._videoError = { err }));
  }

  private async _openPageForm(): Promise<void> {
    this._pageFormOpen = true;
    this._pageError = undefined;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>('.page-form input[name="url"]')?.focus();
  }

  private readonly _closePageForm = (): void => {
    this._pageFormOpen = false;
    this._pageError = undefined;
  };

  private readonly _onPageSubmit = (e: SubmitEvent): void => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const title = String(data.get('title') ?? '').trim() || undefined;
    if (this.pushPage(String(data.get('url') ?? ''), title)) {
      form.reset();
      this._pageFormOpen = false;
    }
  };

  private _failure(state: ConversationState | undefined): string | undefined {
    const connectError = this._conv.connectError;
    if (this._sendError) return failureText(this._sendError, this.i18n.locale);
    if (state?.status === 'failed') return this.t('pane.connection-failed', { reason: state.error ?? connectError ?? this.t('status.connection-lost') });
    if (connectError) return this.t('pane.connect-failed', { reason: connectError });
    return undefined;
  }

  // ---- chat ----

  private _onCompose(e: CustomEvent<VcComposeDetail>): void {
    // The pane reports vc-message-sent instead; vc-compose stays inside.
    e.stopPropagation();
    const target = this._conv.controller;
    const sent = target && attempt(() => target.send(e.detail.text), (_m, err) => (this._sendError = { key: 'pane.send-failed', err }));
    if (sent) this._sendError = undefined;
    else e.preventDefault(); // keep the text in the box
  }

  private _onTyping(e: CustomEvent<VcTypingDetail>): void {
    e.stopPropagation();
    this._conv.controller?.setTyping(e.detail.active);
  }
}

// Two copies on one page (e.g. the script tag and an npm bundle) must not crash.
if (!customElements.get('video-chat-pane')) customElements.define('video-chat-pane', VideoChatPane);

declare global {
  interface HTMLElementTagNameMap {
    'video-chat-pane': VideoChatPane;
  }
}
