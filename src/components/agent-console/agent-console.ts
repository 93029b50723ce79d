import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { ifDefined } from 'lit/directives/if-defined.js';
import { repeat } from 'lit/directives/repeat.js';
import type { AgentIdentity, QueueEntry } from '../../protocol/index.js';
import {
  createAgentDesk,
  type AgentDeskController,
  type AgentDeskEvents,
  type AgentDeskState,
  type ConversationController,
  type DeskConversation,
  type DeskError,
} from '../../session/index.js';
import { dispatchVcEvent } from '../events.js';
import '../video-chat-pane/video-chat-pane.js';
import type { VideoChatPane } from '../video-chat-pane/video-chat-pane.js';
import './console-video-tile.js';
import { agentConsoleStyles } from './agent-console.styles.js';
import { bellIcon, bellOffIcon, keyboardIcon, phoneIcon, videoIcon } from './icons.js';
import { ConsoleNotifier, type NotificationPermissionState } from './notifier.js';
import { SHORTCUTS, isEditable, shortcutFor, type KeyName, type ShortcutAction } from './shortcuts.js';
import { LocalizedElement } from '../localized-element.js';
import { useAgentCatalogue } from '../../i18n/agent.js';
import { useVideoCatalogue } from '../../i18n/video.js';

// This element's texts are in the agent's part of the catalogue (src/i18n/en-agent.ts).
useAgentCatalogue();
// Its video tiles say the video's texts too (src/i18n/en-video.ts).
useVideoCatalogue();

/**
 * The agent's console: sign-in (or a `token` from a host that signs its
 * agents in itself), the waiting queue with the time each customer has
 * waited, the agent's own conversations with unread counts, and one
 * conversation in front. Every conversation keeps its own `<video-chat-pane>`
 * alive (hidden when not in front), so switching keeps its transcript,
 * scroll position, draft and forms; a call in a conversation that is not in
 * front shows as a small tile (its remote stream, muted: the pane keeps
 * playing the sound) with Back and Mute. Notifications for a new waiting
 * customer and for a message the agent has not seen: a chime (mutable,
 * remembered), the count in the tab title, and a desktop notification while
 * the tab is hidden and the agent has allowed them. Agent presence
 * (available/away) for the queue. Keyboard shortcuts with a help overlay
 * (`?`). It fills its box (default: the viewport's height) and never grows
 * beyond it: the transcript scrolls inside, the composer and More stay in
 * view.
 *
 * The broker's work (queue stream, claims, presence) is an
 * `AgentDeskController` from the session layer (`createAgentDesk`); inject
 * one as `desk` to drive the console yourself.
 *
 * @summary Agent console: queue, conversations, presence, notifications.
 *
 * @fires {CustomEvent<VcAgentSessionDetail>} vc-agent-session - Signed in (`{agent}`) or out (`{agent: null}`).
 * @fires {CustomEvent<VcAgentPresenceDetail>} vc-agent-presence - The agent's presence changed: `{status}`.
 * @fires {CustomEvent<VcConversationSelectDetail>} vc-conversation-select - Another conversation came to the front: `{conversationId}`.
 * @fires {CustomEvent<VcConsoleNotifyDetail>} vc-console-notify - Cancelable: about to chime (and notify the desktop) for a waiting customer or an unseen message; cancel to notify your own way.
 *
 * @csspart header - The top bar: title, presence, sound, notifications, help, who is signed in.
 * @csspart sidebar - The conversations column (queue, own conversations, call tiles).
 * @csspart queue - The waiting list.
 * @csspart offline-messages - Messages visitors left while nobody was available (Mark handled).
 * @csspart conversations - The list of the agent's own conversations.
 * @csspart tiles - The tiles of calls in conversations not in front.
 * @csspart main - The conversation in front (or the sign-in).
 * @csspart pane - Each conversation's `<video-chat-pane>`.
 * @csspart sign-in - The sign-in form.
 * @csspart help - The shortcuts overlay (`<dialog>`).
 *
 * @cssprop [--vc-color-primary=#1d4ed8] - Accent: Claim, badges, focus ring. Dark: `#2563eb`.
 * @cssprop [--vc-color-on-primary=#ffffff] - Text on the accent colour.
 * @cssprop [--vc-color-surface=#ffffff] - Background of the columns. A page that sets it keeps the light defaults in dark mode. Dark: `#16181d`.
 * @cssprop [--vc-color-text=#1f2937] - Text; borders and muted text are mixed from it and the surface. Dark: `#e5e7eb`.
 * @cssprop [--vc-color-danger=#b91c1c] - Errors, End on a call tile. Dark: `#f87171`.
 * @cssprop [--vc-color-on-danger=#ffffff] - Text on the danger colour. Dark: `#16181d`.
 * @cssprop [--vc-color-focus=var(--vc-color-primary)] - Focus ring.
 * @cssprop [--vc-radius=12px] - Corner radius.
 * @cssprop [--vc-font=system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif] - Font family.
 * @cssprop [--vc-console-sidebar-width=19rem] - Width of the conversations column.
 * @cssprop [--vc-console-background=color-mix(in srgb, var(--_vc-text) 5%, var(--_vc-surface))] - Background around the columns (5 % text on the surface).
 */
export class AgentConsole extends LocalizedElement {
  static override styles = agentConsoleStyles;

  /** The reference broker (default: this page's origin). */
  @property({ attribute: 'broker-url' })
  brokerUrl?: string;

  /**
   * An agent token the host got itself (its own sign-in, or minted with the
   * broker's agent secret): the console uses it instead of showing its
   * sign-in, and signing out does not revoke it.
   */
  @property({ attribute: false })
  token?: string;

  /** Who `token` belongs to; asked from the broker (`GET /api/agent/me`) when not given. */
  @property({ attribute: false })
  agent?: AgentIdentity;

  /** Let the agent send plain http: pages (local demos). */
  @property({ type: Boolean, attribute: 'allow-http-pages' })
  allowHttpPages = false;

  /**
   * The host page has its own landmarks: the console's top bar is no
   * `banner` and its work area a labelled region instead of `main`.
   */
  @property({ type: Boolean, reflect: true })
  embedded = false;

  /** Leave the page's title alone (no unread count in it). */
  @property({ type: Boolean, attribute: 'no-title' })
  noTitle = false;

  /** No keyboard shortcuts (a host that has its own). */
  @property({ type: Boolean, attribute: 'no-shortcuts' })
  noShortcuts = false;

  /** A desk the host manages (never disposed here). Default: one on `broker-url`, made when the console enters the page. */
  @property({ attribute: false })
  desk?: AgentDeskController;

  @state() private _announcement = '';
  @state() private _confirmEnd?: string;
  @state() private _muted: boolean;
  @state() private _permission: NotificationPermissionState;

  @query('#help') private _help?: HTMLDialogElement;
  @query('#confirm-end') private _confirm?: HTMLDialogElement;

  private readonly _notifier = new ConsoleNotifier();
  private _own?: AgentDeskController;
  private _followed?: AgentDeskController;
  private _deskOffs: Array<() => void> = [];
  private readonly _conversationOffs = new Map<ConversationController, () => void>();
  private _clock?: ReturnType<typeof setInterval>;
  private _baseTitle?: string;
  private _arrived: string[] = [];
  private _announceFrame?: number;

  constructor() {
    super();
    this._muted = this._notifier.muted;
    this._permission = this._notifier.permission;
  }

  /** The desk shown: the injected one, or the console's own. */
  get activeDesk(): AgentDeskController | undefined {
    return this.desk ?? this._own;
  }

  /** The desk's state (signed-in agent, queue, conversations, presence). */
  get state(): AgentDeskState | undefined {
    return this.activeDesk?.state;
  }

  /** Opens the keyboard shortcuts overlay. */
  showHelp(): void {
    this._openDialog(this._help);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this._baseTitle = document.title.replace(/^\(\d+\)\s*/, '');
    window.addEventListener('keydown', this._onKeydown, true);
    document.addEventListener('visibilitychange', this._onVisibility);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('keydown', this._onKeydown, true);
    document.removeEventListener('visibilitychange', this._onVisibility);
    this._follow(undefined);
    this._own?.dispose();
    this._own = undefined;
    clearInterval(this._clock);
    this._clock = undefined;
    if (this._announceFrame !== undefined) cancelAnimationFrame(this._announceFrame);
    this._notifier.dispose();
    if (!this.noTitle && this._baseTitle !== undefined) document.title = this._baseTitle;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!this.desk && !this._own) {
      this._own = createAgentDesk({ brokerUrl: this.brokerUrl, conversationOptions: { pagePolicy: { allowHttp: this.allowHttpPages } } });
    }
    const desk = this.activeDesk;
    if (desk !== this._followed) {
      this._follow(desk);
      if (desk && !this.token) desk.start();
    }
    if ((changed.has('token') || changed.has('agent') || changed.has('desk')) && this.token && desk) void desk.useToken(this.token, this.agent);
  }

  protected override updated(): void {
    const s = this.state;
    // The waiting times are live while somebody waits.
    const waiting = s?.queue?.some((e) => e.state === 'waiting') ?? false;
    if (waiting && !this._clock) this._clock = setInterval(() => this.requestUpdate(), 1000);
    else if (!waiting && this._clock) {
      clearInterval(this._clock);
      this._clock = undefined;
    }
    if (!this.noTitle && this._baseTitle !== undefined) {
      const n = this._attentionCount(s);
      const title = n > 0 ? `(${n}) ${this._baseTitle}` : this._baseTitle;
      if (document.title !== title) document.title = title;
    }
  }

  /** The tab title's count: unread messages, and while available the customers waiting. */
  private _attentionCount(s: AgentDeskState | undefined): number {
    if (!s || s.auth !== 'signed-in') return 0;
    const unread = s.conversations.reduce((n, c) => n + c.unread, 0);
    const waiting = s.presence.status === 'available' ? (s.queue?.filter((e) => e.state === 'waiting').length ?? 0) : 0;
    return unread + waiting;
  }

  // ---- following the desk and its conversations ----

  private _follow(desk: AgentDeskController | undefined): void {
    for (const off of this._deskOffs) off();
    this._deskOffs = [];
    for (const off of this._conversationOffs.values()) off();
    this._conversationOffs.clear();
    this._followed = desk;
    if (!desk) return;
    const on = <K extends keyof AgentDeskEvents & string>(type: K, fn: (d: AgentDeskEvents[K]) => void) => this._deskOffs.push(desk.on(type, fn));
    on('change', ({ state }) => {
      this._followConversations(state.conversations);
      this.requestUpdate();
    });
    on('waiting', ({ entry }) => this._onWaiting(entry));
    on('unread', ({ conversationId, message, display }) => this._notify('message', conversationId, display || this.t('name.customer-short'), message.text));
    on('ended', ({ conversationId }) => this._announce(this.t('console.announce-ended', { name: this._nameOf(conversationId) })));
    on('select', ({ conversationId }) => dispatchVcEvent(this, 'vc-conversation-select', { conversationId: conversationId ?? null }));
    on('presence', ({ status }) => {
      dispatchVcEvent(this, 'vc-agent-presence', { status });
      this._announce(this.t(status === 'available' ? 'console.announce-presence-available' : 'console.announce-presence-away'));
    });
    on('session', ({ agent }) => dispatchVcEvent(this, 'vc-agent-session', { agent: agent ?? null }));
    this._followConversations(desk.state.conversations);
    this.requestUpdate();
  }

  /** Re-renders on each conversation's changes (tiles, list details); follows exactly the open ones. */
  private _followConversations(list: readonly DeskConversation[]): void {
    const now = new Set(list.map((c) => c.controller));
    for (const [controller, off] of this._conversationOffs) {
      if (!now.has(controller)) {
        off();
        this._conversationOffs.delete(controller);
      }
    }
    for (const controller of now) {
      if (!this._conversationOffs.has(controller)) this._conversationOffs.set(controller, controller.on('change', () => this.requestUpdate()));
    }
  }

  // ---- notifications and announcements ----

  private _onWaiting(entry: QueueEntry): void {
    // Announced together once per frame: a burst of arrivals is one sentence.
    this._arrived.push(entry.display);
    if (this._announceFrame === undefined) {
      this._announceFrame = requestAnimationFrame(() => {
        this._announceFrame = undefined;
        const names = this._arrived;
        this._arrived = [];
        this._announce(names.length === 1 ? this.t('console.announce-waiting', { name: names[0] }) : this.t('console.announce-waiting-many', { count: names.length }));
      });
    }
    // Only an available agent is called for new customers.
    if (this.state?.presence.status === 'available') this._notify('waiting', entry.id, entry.display, entry.topic);
  }

  private _notify(kind: 'waiting' | 'message', conversationId: string, name: string, text?: string): void {
    if (kind === 'message') this._announce(this.t('console.announce-message', { name }));
    if (!dispatchVcEvent(this, 'vc-console-notify', { kind, conversationId, name, ...(text !== undefined ? { text } : {}) })) return;
    this._notifier.chime(kind);
    const title = kind === 'waiting' ? this.t('console.notify-waiting-title', { name }) : this.t('console.notify-message-title', { name });
    const body = kind === 'waiting' ? (text ?? this.t('console.notify-waiting-body')) : (text ?? '').slice(0, 160);
    this._notifier.desktop(title, body, `vc-${kind}-${conversationId}`, () => {
      if (kind === 'message') this.activeDesk?.select(conversationId);
    });
  }

  /** Says `message` in the live region (cleared first, so the same sentence twice is said twice). */
  private _announce(message: string): void {
    this._announcement = '';
    requestAnimationFrame(() => (this._announcement = message));
  }

  private readonly _onVisibility = (): void => {
    if (document.visibilityState === 'visible') this.activeDesk?.markSeen();
  };

  // ---- keyboard ----

  private readonly _onKeydown = (e: KeyboardEvent): void => {
    if (this.noShortcuts || e.defaultPrevented || this.state?.auth !== 'signed-in') return;
    if (this._help?.open || this._confirm?.open) return;
    const action = shortcutFor(e, isEditable(e.composedPath()));
    if (!action) return;
    e.preventDefault();
    e.stopPropagation();
    this._run(action);
  };

  private _run(action: ShortcutAction): void {
    const desk = this.activeDesk;
    if (!desk) return;
    switch (action) {
      case 'next':
      case 'previous':
        desk.cycle(action === 'next' ? 1 : -1);
        this._showActive(true);
        break;
      case 'claim':
        void this._claim(undefined);
        break;
      case 'end': {
        const id = desk.state.active;
        if (id) this._askEnd(id);
        break;
      }
      case 'composer':
        void this._focusComposer(desk.state.active);
        break;
      case 'help':
        this.showHelp();
        break;
    }
  }

  // ---- actions ----

  private async _claim(id: string | undefined): Promise<void> {
    const desk = this.activeDesk;
    if (!desk) return;
    const ok = id ? await desk.claim(id) : await desk.claimOldest();
    if (ok) this._showActive(true);
    else if (!id && !desk.state.error) this._announce(this.t('console.nobody-waiting'));
  }

  /** Announces the conversation in front and, when asked, puts the cursor in its message box. */
  private _showActive(focusComposer: boolean): void {
    const id = this.state?.active;
    if (!id) return;
    this._announce(this.t('console.announce-showing', { name: this._nameOf(id) }));
    if (focusComposer) void this._focusComposer(id);
  }

  private async _focusComposer(id: string | undefined): Promise<void> {
    if (!id) return;
    await this.updateComplete;
    const pane = this._paneOf(id);
    if (!pane) return;
    await pane.updateComplete;
    // The pane's composer (its documented `composer` part) delegates focus to its text box once it has rendered.
    const composer = pane.shadowRoot?.querySelector<HTMLElement & { updateComplete?: Promise<unknown> }>('[part~="composer"]');
    await composer?.updateComplete;
    composer?.focus();
  }

  private _paneOf(id: string): VideoChatPane | null {
    return this.renderRoot.querySelector<VideoChatPane>(`video-chat-pane[data-id="${CSS.escape(id)}"]`);
  }

  private _select(id: string): void {
    this.activeDesk?.select(id);
    this._showActive(false);
  }

  private _askEnd(id: string): void {
    this._confirmEnd = id;
    void this.updateComplete.then(() => this._openDialog(this._confirm));
  }

  private async _end(id: string): Promise<void> {
    const desk = this.activeDesk;
    if (!desk) return;
    const name = this._nameOf(id);
    if (!(await desk.end(id))) return;
    this._announce(this.t('console.announce-closed', { name }));
    await this.updateComplete;
    const next = desk.state.active;
    const target = next ? this.renderRoot.querySelector<HTMLElement>('#active-heading') : this.renderRoot.querySelector<HTMLElement>('#waiting-heading');
    target?.focus();
  }

  private readonly _confirmed = (): void => {
    const id = this._confirmEnd;
    this._confirmEnd = undefined;
    this._confirm?.close();
    if (id) void this._end(id);
  };

  /** Opens a modal dialog; when it closes (button, Escape), focus goes back where it was. */
  private _openDialog(dialog: HTMLDialogElement | undefined): void {
    if (!dialog || dialog.open) return;
    const back = deepActiveElement();
    dialog.addEventListener(
      'close',
      () => {
        if (dialog === this._confirm) this._confirmEnd = undefined;
        if (back?.isConnected && !this._help?.open && !this._confirm?.open) back.focus();
      },
      { once: true },
    );
    dialog.showModal();
  }

  private readonly _onSignIn = (e: SubmitEvent): void => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const username = String(data.get('username') ?? '').trim();
    const password = String(data.get('password') ?? '');
    if (!username || !password) return;
    void this.activeDesk?.signIn(username, password).then((ok) => {
      if (ok) form.reset();
      else void this.updateComplete.then(() => form.querySelector<HTMLInputElement>('input[name="password"]')?.select());
    });
  };

  private _togglePresence(): void {
    const s = this.state;
    if (!s) return;
    void this.activeDesk?.setPresence(s.presence.status === 'available' ? 'away' : 'available');
  }

  private _toggleSound(): void {
    this._notifier.muted = !this._notifier.muted;
    this._muted = this._notifier.muted;
  }

  private async _askPermission(): Promise<void> {
    this._permission = await this._notifier.requestPermission();
  }

  private _errorText(e: DeskError): string {
    switch (e.code) {
      case 'broker':
        return this.t('console.error.broker', { reason: e.detail ?? '' });
      case 'wrong-credentials':
        return this.t('console.error.wrong-credentials');
      case 'session-ended':
        return this.t('console.error.session-ended');
      case 'network':
        return this.t('console.error.network');
      case 'already-claimed':
        return this.t('console.error.already-claimed');
    }
  }

  private _nameOf(id: string): string {
    const c = this.state?.conversations.find((x) => x.id === id);
    return c?.controller.state.peer?.participant.display ?? c?.descriptor.peer?.display ?? this.state?.queue?.find((e) => e.id === id)?.display ?? this.t('name.customer-short');
  }

  // ---- rendering ----

  protected override render(): TemplateResult {
    const s = this.state;
    const signedIn = s?.auth === 'signed-in';
    return html`
      <div class="console">
        ${this._renderTopBar(s)}
        <div class="alert" role="alert">${s?.error && signedIn ? html`<span>${this._errorText(s.error)}</span>` : nothing}</div>
        <nav class="sidebar" part="sidebar" aria-label=${this.t('console.sidebar-label')}>
          ${signedIn && s ? this._renderSidebar(s) : html`<p class="status">${s?.auth === 'signing-in' ? this.t('console.signing-in') : this.t('console.sign-in-first')}</p>`}
        </nav>
        <div class="main" part="main" role=${this.embedded ? 'region' : 'main'} aria-label=${this.t('console.main-label')}>
          ${signedIn && s ? this._renderWork(s) : this._renderSignIn(s)}
        </div>
      </div>
      <div class="sr-only" role="status" aria-live="polite" aria-atomic="true">${this._announcement}</div>
      ${this._renderHelp()} ${this._renderConfirm(s)}
    `;
  }

  private _renderTopBar(s: AgentDeskState | undefined): TemplateResult {
    const signedIn = s?.auth === 'signed-in';
    const available = s?.presence.status === 'available';
    const team = s?.presence.available.length ?? 0;
    return html`
      <div class="topbar" part="header" role=${ifDefined(this.embedded ? undefined : 'banner')}>
        <h1>${this.t('console.title')}</h1>
        ${signedIn && s
          ? html`
              <button
                class="presence"
                type="button"
                role="switch"
                aria-checked=${available ? 'true' : 'false'}
                aria-label=${this.t('console.presence-label')}
                ?disabled=${s.presence.pending && s.presence.status === undefined}
                @click=${this._togglePresence}
              >
                <span class="dot" data-status=${s.presence.status ?? 'away'} aria-hidden="true"></span>${available ? this.t('console.available') : this.t('console.away')}
              </button>
              <span class="team">${this.t('console.team', { count: team })}</span>
              <button class="btn-ghost" type="button" aria-pressed=${this._muted ? 'false' : 'true'} aria-label=${this.t('console.sound-label')} @click=${this._toggleSound}>
                ${this._muted ? bellOffIcon : bellIcon} ${this.t('console.sound')}
              </button>
              ${this._permission === 'default'
                ? html`<button class="btn-ghost" type="button" @click=${this._askPermission}>${this.t('console.notifications-enable')}</button>`
                : this._permission === 'denied'
                  ? html`<span class="muted-note">${this.t('console.notifications-blocked')}</span>`
                  : nothing}
            `
          : nothing}
        <span class="spacer"></span>
        <button class="btn-ghost" type="button" aria-haspopup="dialog" @click=${() => this.showHelp()}>
          ${keyboardIcon} ${this.t('console.help')}
        </button>
        ${signedIn && s?.agent
          ? html`<span class="who">${this.t('console.signed-in-as', { name: s.agent.display })}</span>
              <button class="btn-ghost" type="button" @click=${() => void this.activeDesk?.signOut()}>${this.t('console.sign-out')}</button>`
          : nothing}
      </div>
    `;
  }

  private _renderSignIn(s: AgentDeskState | undefined): TemplateResult {
    const busy = s?.auth === 'signing-in';
    return html`
      <form class="sign-in" part="sign-in" aria-labelledby="sign-in-heading" @submit=${this._onSignIn}>
        <h2 id="sign-in-heading">${this.t('console.sign-in-heading')}</h2>
        <label>${this.t('console.username')} <input name="username" autocomplete="username" required maxlength="128" /></label>
        <label>${this.t('console.password')} <input name="password" type="password" autocomplete="current-password" required maxlength="1024" /></label>
        <button class="btn-primary" type="submit" ?disabled=${busy}>${busy ? this.t('console.signing-in') : this.t('console.sign-in')}</button>
        <p class="form-error" role="alert">${s?.error ? this._errorText(s.error) : nothing}</p>
      </form>
    `;
  }

  private _renderSidebar(s: AgentDeskState): TemplateResult {
    const me = s.agent?.id;
    const queue = s.queue ?? [];
    const waiting = queue.filter((e) => e.state === 'waiting');
    // Messages visitors left while nobody was available: answered by email, then marked handled.
    const offline = queue.filter((e) => e.state === 'offline' && e.offline);
    const stream = s.stream === 'live' ? this.t('console.stream.live') : s.stream === 'reconnecting' ? this.t('console.stream.reconnecting') : this.t('console.stream.connecting');
    const tiles = s.conversations.filter((c) => c.id !== s.active && isInCall(c));
    return html`
      <p class="status" data-stream=${s.stream}>${stream}</p>
      <section aria-labelledby="waiting-heading">
        <h2 id="waiting-heading" tabindex="-1">${this.t('console.waiting-heading', { count: waiting.length })}</h2>
        ${waiting.length
          ? html`<ul class="queue" part="queue">
              ${repeat(waiting, (e) => e.id, (e) => this._renderWaiting(e, s.claiming.includes(e.id)))}
            </ul>`
          : html`<p class="empty">${this.t('console.nobody-waiting')}</p>`}
      </section>
      ${offline.length
        ? html`<section aria-labelledby="offline-heading">
            <h2 id="offline-heading">${this.t('console.offline-heading', { count: offline.length })}</h2>
            <ul class="offline-list" part="offline-messages">
              ${repeat(offline, (e) => e.id, (e) => this._renderOffline(e, s.handling?.includes(e.id) ?? false))}
            </ul>
          </section>`
        : nothing}
      <section aria-labelledby="mine-heading">
        <h2 id="mine-heading">${this.t('console.mine-heading', { count: s.conversations.length })}</h2>
        ${s.conversations.length
          ? html`<ul class="mine" part="conversations">
              ${repeat(s.conversations, (c) => c.id, (c) => this._renderMine(c, c.id === s.active))}
            </ul>`
          : html`<p class="empty">${this.t('console.no-conversations')}</p>`}
        ${queue.some((e) => e.state === 'claimed' && e.claimedBy?.id === me && !s.conversations.some((c) => c.id === e.id))
          ? html`<ul class="mine">
              ${queue
                .filter((e) => e.state === 'claimed' && e.claimedBy?.id === me && !s.conversations.some((c) => c.id === e.id))
                .map((e) => html`<li class="conv">
                  <span class="avatar" aria-hidden="true">${initial(e.display)}</span>
                  <span class="who"><button class="conv-button name" type="button" aria-label=${this.t('console.show-label', { name: e.display })} @click=${() => void this._claim(e.id)}>${e.display}</button></span>
                </li>`)}
            </ul>`
          : nothing}
      </section>
      ${tiles.length
        ? html`<section class="tiles" part="tiles" aria-label=${this.t('console.tiles-label')}>${repeat(tiles, (c) => c.id, (c) => this._renderTile(c))}</section>`
        : nothing}
    `;
  }

  private _renderWaiting(e: QueueEntry, claiming: boolean): TemplateResult {
    const waitedMs = Math.max(0, Date.now() - e.createdAt);
    return html`<li>
      <span class="who">
        <span class="name">${e.display}</span>
        <span class="detail">
          ${e.topic ? html`<span class="topic">${e.topic}</span> · ` : nothing}<span aria-hidden="true">${this.t('console.waiting-for', { time: clock(waitedMs) })}</span>
          <span class="sr-only">${this.t('console.waiting-for-long', { minutes: Math.floor(waitedMs / 60_000) })}</span>
        </span>
      </span>
      <button class="btn-primary" type="button" aria-label=${this.t('console.claim-label', { name: e.display })} ?disabled=${claiming} @click=${() => void this._claim(e.id)}>
        ${this.t('console.claim')}
      </button>
    </li>`;
  }

  /** A message a visitor left while nobody was available: who, the address to answer, what they wrote, and Mark handled. */
  private _renderOffline(e: QueueEntry, handling: boolean): TemplateResult {
    const m = e.offline!;
    const agoMs = Math.max(0, Date.now() - e.createdAt);
    return html`<li class="offline-message" data-id=${e.id}>
      <span class="who">
        <span class="name">${e.display}</span>
        <a class="detail" href=${`mailto:${m.email}`}>${m.email}</a>
        <span class="detail">${this.t('console.offline-left', { minutes: Math.floor(agoMs / 60_000) })}</span>
        <span class="offline-text">${m.text}</span>
      </span>
      <button class="btn-ghost" type="button" aria-label=${this.t('console.offline-handled-label', { name: e.display })} ?disabled=${handling} @click=${() => void this.activeDesk?.handleOffline(e.id)}>
        ${this.t('console.offline-handled')}
      </button>
    </li>`;
  }

  private _renderMine(c: DeskConversation, active: boolean): TemplateResult {
    const state = c.controller.state;
    const name = state.peer?.participant.display ?? c.descriptor.peer?.display ?? this.t('name.customer-short');
    const last = [...state.transcript].reverse().find((x) => x.kind === 'message');
    const call = isInCall(c) ? (state.video.mode === 'voice' ? this.t('console.in-call') : this.t('console.in-video')) : undefined;
    const label = [this.t('console.show-label', { name }), call, c.ended ? this.t('console.ended') : undefined, c.unread ? this.t('console.unread', { count: c.unread }) : undefined]
      .filter(Boolean)
      .join(', ');
    // The whole row is the button's (its ::after covers the row); its name is the customer's, what the row shows besides is in its label.
    return html`<li class=${active ? 'conv active' : 'conv'} data-id=${c.id}>
      <span class="avatar" aria-hidden="true">${initial(name)}</span>
      <span class="who">
        <button class="conv-button name" type="button" aria-current=${ifDefined(active ? 'true' : undefined)} aria-label=${label} @click=${() => this._select(c.id)}>${name}</button>
        <span class="detail" aria-hidden="true">${c.ended ? this.t('console.ended') : last && last.kind === 'message' ? html`<bdi>${last.text}</bdi>` : ''}</span>
      </span>
      ${call ? html`<span class="call">${state.video.mode === 'voice' ? phoneIcon : videoIcon}</span>` : nothing}
      ${c.unread ? html`<span class="badge" aria-hidden="true">${c.unread}</span>` : nothing}
    </li>`;
  }

  private _renderTile(c: DeskConversation): TemplateResult {
    const v = c.controller.state.video;
    const name = c.controller.state.peer?.participant.display ?? c.descriptor.peer?.display ?? this.t('name.customer-short');
    const tracks = v.remoteStream?.getVideoTracks().length ?? 0;
    const hasVideo = tracks > 0 && v.remote.video;
    // What the customer says about its camera (media.state): blocked or missing is not "paused".
    const camera = v.mode === 'voice' ? undefined : v.remote.problems?.find((p) => p === 'no-camera' || p.startsWith('camera-'));
    const placeholder = camera
      ? this.t(`video.peer.${camera}`, { name })
      : v.remote.paused
        ? this.t('console.tile-paused', { name })
        : tracks > 0 && v.mode !== 'voice' && !v.remote.reported
          ? this.t('video.connecting')
          : this.t('console.tile-voice', { name });
    return html`<div class="tile" data-id=${c.id}>
      <console-video-tile .stream=${v.remoteStream} ?has-video=${hasVideo} label=${this.t('console.tile-label', { name })} placeholder=${placeholder}></console-video-tile>
      <div class="tile-bar">
        <button class="btn-ghost" type="button" @click=${() => this._select(c.id)}>${this.t('console.tile-back', { name })}</button>
        ${v.local.audio || v.local.muted
          ? html`<button class="btn-ghost" type="button" aria-pressed=${v.local.muted ? 'true' : 'false'} @click=${() => c.controller.video.setMuted(!v.local.muted)}>
              ${v.local.muted ? this.t('console.unmute') : this.t('console.mute')}
            </button>`
          : nothing}
      </div>
    </div>`;
  }

  private _renderWork(s: AgentDeskState): TemplateResult {
    const active = s.conversations.find((c) => c.id === s.active);
    const name = active ? this._nameOf(active.id) : '';
    const failed = active?.controller.state.status === 'failed';
    return html`
      ${active
        ? html`<div class="conv-bar">
            <h2 id="active-heading" tabindex="-1">${this.t('console.chat-with', { name })}</h2>
            ${active.ended ? html`<span class="ended-note">${this.t('console.ended-note')}</span>` : nothing}
            ${failed ? html`<button class="btn-ghost" type="button" @click=${() => this.activeDesk?.retry(active.id)}>${this.t('console.retry')}</button>` : nothing}
            <button
              class="btn-ghost end"
              type="button"
              aria-label=${active.ended ? this.t('console.dismiss-label', { name }) : this.t('console.end-label', { name })}
              @click=${() => void this._end(active.id)}
            >
              ${active.ended ? this.t('console.dismiss') : this.t('console.end')}
            </button>
          </div>`
        : html`<p class="placeholder">${this.t('console.placeholder')}</p>`}
      <div class="panes">
        ${repeat(
          s.conversations,
          (c) => c.id,
          (c) => html`<video-chat-pane
            part="pane"
            data-id=${c.id}
            ?hidden=${c.id !== s.active}
            .controller=${c.controller}
            broker-url=${ifDefined(this.brokerUrl ?? globalThis.location?.origin)}
            .agentToken=${this.activeDesk?.token}
            ?allow-http-pages=${this.allowHttpPages}
          ></video-chat-pane>`,
        )}
      </div>
    `;
  }

  private _renderHelp(): TemplateResult {
    return html`<dialog id="help" part="help" aria-labelledby="help-heading">
      <h2 id="help-heading">${this.t('console.help-heading')}</h2>
      <p>${this.t('console.help-intro')}</p>
      <table>
        <tbody>
          ${SHORTCUTS.map(
            (k) => html`<tr>
              <th scope="row">${k.keys.map((key, i) => html`${i ? ' + ' : ''}<kbd>${key.startsWith('console.') ? this.t(key as KeyName) : key}</kbd>`)}</th>
              <td>${this.t(k.label)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
      <button class="btn-primary" type="button" autofocus @click=${() => this._help?.close()}>${this.t('console.help-close')}</button>
    </dialog>`;
  }

  private _renderConfirm(s: AgentDeskState | undefined): TemplateResult {
    const id = this._confirmEnd;
    const name = id ? this._nameOf(id) : '';
    return html`<dialog id="confirm-end" role="alertdialog" aria-labelledby="confirm-heading" aria-describedby="confirm-text">
      ${id && s
        ? html`<h2 id="confirm-heading">${this.t('console.end-confirm-heading', { name })}</h2>
            <p id="confirm-text">${this.t('console.end-confirm-text')}</p>
            <div class="dialog-actions">
              <button class="btn-primary" type="button" autofocus @click=${this._confirmed}>${this.t('console.end')}</button>
              <button class="btn-ghost" type="button" @click=${() => this._confirm?.close()}>${this.t('console.cancel')}</button>
            </div>`
        : nothing}
    </dialog>`;
  }
}

/** Whether a conversation has a call running (or starting). */
function isInCall(c: DeskConversation): boolean {
  const phase = c.controller.state.video.phase;
  return phase === 'active' || phase === 'starting';
}

function initial(name: string): string {
  return name.trim().charAt(0).toUpperCase() || '?';
}

/** m:ss, or h:mm:ss after an hour. */
function clock(ms: number): string {
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** The focused element, through shadow roots. */
function deepActiveElement(): HTMLElement | null {
  let a: Element | null = document.activeElement;
  while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
  return a instanceof HTMLElement ? a : null;
}

// Two copies on one page (e.g. the script tag and an npm bundle) must not crash.
if (!customElements.get('agent-console')) customElements.define('agent-console', AgentConsole);

declare global {
  interface HTMLElementTagNameMap {
    'agent-console': AgentConsole;
  }
}
