import { html, nothing, type TemplateResult } from 'lit';
import type { CobrowseController, ConversationState } from '../../session/index.js';
import type { VcCobrowseConsentDetail, VcCobrowseStopDetail } from '../events.js';
import type { LocaleController } from '../localized-element.js';

/**
 * The prompt and the banner are defined from a chunk of their own, fetched the
 * first time an agent asks: the tags render at once and upgrade when it lands
 * (attributes and listeners are on them already), and a visitor who is never
 * asked never downloads them.
 */
let defining: Promise<unknown> | undefined;
function defineElements(): void {
  defining ??= Promise.all([import('../cobrowse-consent/cobrowse-consent.js'), import('../cobrowse-banner/cobrowse-banner.js')]).catch((e: unknown) => {
    defining = undefined; // the next render tries again
    console.error('Could not load the cobrowse prompts', e);
  });
}

/**
 * The customer's cobrowse prompts (view, then control) and the banner while
 * the page is shared. They live outside the chat panel: they matter even when
 * the chat is closed. Answers go to `cobrowse`; the events stop here.
 */
export function cobrowsePrompts(state: ConversationState | undefined, cobrowse: CobrowseController | undefined, i18n: LocaleController): TemplateResult | typeof nothing {
  const cb = state?.cobrowse;
  if (!cb || cb.phase === 'idle') return nothing;
  defineElements();
  const agent = state?.peer?.participant.display ?? i18n.t('name.agent');
  const onConsent = (e: CustomEvent<VcCobrowseConsentDetail>) => {
    e.stopPropagation();
    if (e.detail.kind === 'view') cobrowse?.answer(e.detail.accept);
    else cobrowse?.answerControl(e.detail.accept);
  };
  const onStop = (e: CustomEvent<VcCobrowseStopDetail>) => {
    e.stopPropagation();
    if (e.detail.scope === 'control') cobrowse?.answerControl(false);
    else cobrowse?.stop();
  };
  if (cb.phase === 'asked') {
    return html`<cobrowse-consent class="cobrowse-prompt" kind="view" peer-name=${agent} @vc-cobrowse-consent=${onConsent}></cobrowse-consent>`;
  }
  if (cb.phase !== 'active') return nothing;
  return html`
    ${cb.control === 'asked'
      ? html`<cobrowse-consent class="cobrowse-prompt" kind="control" peer-name=${agent} @vc-cobrowse-consent=${onConsent}></cobrowse-consent>`
      : nothing}
    <cobrowse-banner fixed mode=${cb.control === 'granted' ? 'controlling' : 'viewing'} peer-name=${agent} @vc-cobrowse-stop=${onStop}></cobrowse-banner>
  `;
}
