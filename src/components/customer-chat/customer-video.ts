import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import type { VideoMode } from '../../protocol/index.js';
import type { ConversationController, ConversationState } from '../../session/index.js';
import { attempt, reasonOf } from '../errors.js';
import type { LocaleController } from '../localized-element.js';
import type { VcInviteRespondDetail } from '../events.js';
import type { VideoRequestsController } from '../video-requests.js';

/**
 * The invitation and the frame (with its media controls, and what performs
 * their requests) are a chunk of their own, loaded the first time video is on
 * screen: a visitor who only chats never downloads them.
 */
let elements: Promise<unknown> | undefined;
let requestsModule: typeof import('../video-requests.js') | undefined;
function loadElements(): Promise<unknown> {
  elements ??= Promise.all([import('../video-frame/video-frame.js'), import('../video-invite/video-invite.js'), import('../video-requests.js')]).then(
    ([, , requests]) => (requestsModule = requests),
    (e: unknown) => {
      elements = undefined; // the next render tries again
      throw e;
    },
  );
  return elements;
}

/**
 * The widget's video: the invitation, the frame while video runs, and the
 * customer's own "Start video…" choices (two-way, or watch the agent only).
 * A Lit ReactiveController that renders its part of `<customer-chat>`.
 */
export class CustomerVideo implements ReactiveController {
  private menuOpen = false;
  /** What the last start or answer threw (said in the widget's locale at render time). */
  private error?: { err: unknown };
  /** Made once the video chunk is there (the frame's requests only come from the frame). */
  private requests?: VideoRequestsController;

  /** `onAnswer`: the customer answered an invitation (accepted: video starts; else the chat goes on), for where focus goes next. */
  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly conversation: () => ConversationController | undefined,
    private readonly onAnswer?: (accepted: boolean) => void,
  ) {
    host.addController(this);
  }

  /** Nothing to start: the VideoRequestsController it holds listens for the frame's requests itself. */
  hostConnected(): void {}

  render(state: ConversationState | undefined, i18n: LocaleController): TemplateResult | typeof nothing {
    const v = state?.video;
    if (!v || state?.status === 'closed') return nothing;
    const agent = state.peer?.participant.display ?? i18n.t('name.agent');
    const error = this.error ? reasonOf(this.error.err, i18n.locale) : this.requests?.errorIn(i18n.locale);
    const note = error ? html`<p class="video-note" role="alert">${error}</p>` : nothing;
    if (v.phase === 'invited' && v.invite && v.unsupported) {
      // Only "no" can be answered here: the chat goes on, the agent learns the invitation was declined.
      return html`<div class="video-start" role="group" aria-label=${i18n.t('invite.title', { mode: v.invite.mode })}>
        <p class="video-info">${i18n.t('widget.video-unsupported-invite', { name: agent, mode: v.invite.mode })}</p>
        <button class="btn-ghost" type="button" @click=${() => this.run((video) => video.answer(false))}>${i18n.t('invite.decline')}</button>
      </div>`;
    }
    const shown = (v.phase === 'invited' && v.invite) || v.phase === 'starting' || v.phase === 'active';
    if (shown && !requestsModule) {
      // After a failed download the note says so; the next action (or state change after it) tries again.
      if (!this.error) loadElements().then(
        () => this.host.requestUpdate(),
        (err: unknown) => {
          this.error = { err };
          this.host.requestUpdate();
        },
      );
      return note;
    }
    if (shown && !this.requests) {
      this.requests = new requestsModule!.VideoRequestsController(this.host, () => this.conversation()?.video);
      // Its first hostUpdate (the device lists once video runs) comes with the next update.
      void this.host.updateComplete.then(() => this.host.requestUpdate());
    }
    if (v.phase === 'invited' && v.invite) {
      return html`<video-invite part="video-invite" mode=${v.invite.mode} peer-name=${agent} @vc-invite-respond=${this.onInviteRespond}></video-invite>`;
    }
    if (v.phase === 'starting' || v.phase === 'active') {
      return html`<video-frame part="video" .video=${v} peer-name=${agent} .cameras=${this.requests?.cameras ?? []} .microphones=${this.requests?.microphones ?? []}></video-frame>${note}`;
    }
    const canStart = state.status === 'connected' && state.peer?.online === true && v.phase === 'idle';
    if (!canStart) return nothing;
    if (v.unsupported) return html`<p class="video-info">${i18n.t('video.unsupported')}</p>`;
    return html`
      <div class="video-start">
        <button class="btn-ghost" type="button" aria-expanded=${this.menuOpen ? 'true' : 'false'} aria-controls="video-choices" @click=${this.toggleMenu}>
          ${i18n.t('widget.video-start')}
        </button>
        ${this.menuOpen
          ? html`<div id="video-choices" class="video-choices" role="group" aria-label=${i18n.t('widget.video-start')}>
              <button class="btn-ghost" type="button" @click=${() => this.start('two-way')}>${i18n.t('widget.video-two-way')}</button>
              <button class="btn-ghost" type="button" @click=${() => this.start('one-way-agent')}>${i18n.t('widget.video-watch', { name: agent })}</button>
            </div>`
          : nothing}
        ${note}
      </div>
    `;
  }

  private readonly toggleMenu = (): void => {
    this.menuOpen = !this.menuOpen;
    this.host.requestUpdate();
  };

  private start(mode: VideoMode): void {
    this.menuOpen = false;
    this.onAnswer?.(true);
    this.run((video) => video.start(mode));
  }

  private readonly onInviteRespond = (e: CustomEvent<VcInviteRespondDetail>): void => {
    e.stopPropagation();
    this.onAnswer?.(e.detail.accept !== false);
    this.run((video) => video.answer(e.detail.accept));
  };

  private run(action: (video: ConversationController['video']) => void): void {
    this.error = undefined;
    const video = this.conversation()?.video;
    if (video) attempt(() => action(video), (_m, err) => (this.error = { err }));
    this.host.requestUpdate();
  }
}
