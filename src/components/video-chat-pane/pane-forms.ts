import { html, nothing, type TemplateResult } from 'lit';
import type { CustomerMatch, CustomerSearchState } from '../../session/index.js';

/** More → Link to customer: search the directories, pick a record. Renders a CustomerSearch's state. */
export function linkForm(
  search: CustomerSearchState,
  on: { search: (e: SubmitEvent) => void; cancel: () => void; pick: (m: CustomerMatch) => void },
): TemplateResult {
  return html`
    <form class="page-form" part="link-form" aria-label="Link to a customer record" @submit=${on.search}>
      <label>Search customers <input name="q" type="search" required minlength="1" autocomplete="off" /></label>
      <div class="page-actions">
        <button class="btn-primary" type="submit">Search</button>
        <button class="btn-ghost" type="button" @click=${on.cancel}>Cancel</button>
      </div>
      <p class="link-status" role="status">${search.status}</p>
      ${search.matches.length
        ? html`<ul class="matches" aria-label="Matching customers">
            ${search.matches.map((m) => html`<li>
              <button class="btn-ghost" type="button" @click=${() => on.pick(m)}>Link to ${m.name}</button>
              ${m.detail ? html`<span class="detail">${m.detail}</span>` : nothing}
            </li>`)}
          </ul>`
        : nothing}
    </form>
  `;
}

/** More → Send page: address and optional title; `error` says why the last one was refused. */
export function pageForm(error: string | undefined, on: { submit: (e: SubmitEvent) => void; cancel: () => void }): TemplateResult {
  return html`
    <form class="page-form" part="page-form" aria-label="Send a page" @submit=${on.submit}>
      <label>Page address <input name="url" type="url" required placeholder="https://" autocomplete="url" /></label>
      <label>Title (optional) <input name="title" type="text" maxlength="200" /></label>
      <div class="page-actions">
        <button class="btn-primary" type="submit">Send page</button>
        <button class="btn-ghost" type="button" @click=${on.cancel}>Cancel</button>
      </div>
      ${error ? html`<p class="page-error" role="alert">${error}</p>` : nothing}
    </form>
  `;
}
