import { html, nothing, type TemplateResult } from 'lit';
import type { CobrowseController, ConversationState } from '../../session/index.js';
import type { VcCobrowseConsentDetail, VcCobrowseStopDetail } from '../events.js';
import type { LocaleController } from '../localized-element.js';
import '../cobrowse-consent/cobrowse-consent.js';
import '../cobrowse-banner/cobrowse-banner.js';

/**
 * The customer's cobrowse prompts (view, then control) and the banner while
 * the page is shared. They live outside the chat panel: they matter even when
 * the chat is closed. Answers go to `cobrowse`; the events stop here.
 */
export function cobrowsePrompts(state: ConversationState | undefined, cobrowse: CobrowseController | undefined, i18n: LocaleController): TemplateResult | typeof nothing {
  const cb = state?.cobrowse;
  if (!cb || cb.phase === 'idle') return nothing;
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
