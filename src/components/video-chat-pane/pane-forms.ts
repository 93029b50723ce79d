import { html, nothing, type TemplateResult } from 'lit';
import type { CustomerMatch, CustomerSearchState } from '../../session/index.js';
import type { LocaleController } from '../localized-element.js';

/** More → Link to customer: search the directories, pick a record. Renders a CustomerSearch's state. */
export function linkForm(
  search: CustomerSearchState,
  on: { search: (e: SubmitEvent) => void; cancel: () => void; pick: (m: CustomerMatch) => void },
  i18n: LocaleController,
): TemplateResult {
  return html`
    <form class="page-form" part="link-form" aria-label=${i18n.t('pane.link-form')} @submit=${on.search}>
      <label>${i18n.t('pane.search-label')} <input name="q" type="search" required minlength="1" autocomplete="off" /></label>
      <div class="page-actions">
        <button class="btn-primary" type="submit">${i18n.t('pane.search')}</button>
        <button class="btn-ghost" type="button" @click=${on.cancel}>${i18n.t('pane.cancel')}</button>
      </div>
      <p class="link-status" role="status">${search.statusCoded ? i18n.coded(search.statusCoded) : search.status}</p>
      ${search.matches.length
        ? html`<ul class="matches" aria-label=${i18n.t('pane.matches')}>
            ${search.matches.map((m) => html`<li>
              <button class="btn-ghost" type="button" @click=${() => on.pick(m)}>${i18n.t('pane.link-to', { name: m.name })}</button>
              ${m.detail ? html`<span class="detail">${m.detail}</span>` : nothing}
            </li>`)}
          </ul>`
        : nothing}
    </form>
  `;
}

/** More → Send page: address and optional title; `error` says why the last one was refused. */
export function pageForm(error: string | undefined, on: { submit: (e: SubmitEvent) => void; cancel: () => void }, i18n: LocaleController): TemplateResult {
  return html`
    <form class="page-form" part="page-form" aria-label=${i18n.t('pane.page-form')} @submit=${on.submit}>
      <label>${i18n.t('pane.page-address')} <input name="url" type="url" required placeholder="https://" autocomplete="url" /></label>
      <label>${i18n.t('pane.page-title')} <input name="title" type="text" maxlength="200" /></label>
      <div class="page-actions">
        <button class="btn-primary" type="submit">${i18n.t('pane.page-send')}</button>
        <button class="btn-ghost" type="button" @click=${on.cancel}>${i18n.t('pane.cancel')}</button>
      </div>
      ${error ? html`<p class="page-error" role="alert">${error}</p>` : nothing}
    </form>
  `;
}
