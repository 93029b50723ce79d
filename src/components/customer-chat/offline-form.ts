import { html, nothing, type TemplateResult } from 'lit';
import * as v from '../../protocol/schema.js';
import { EmailAddress, MAX_OFFLINE_TEXT } from '../../protocol/index.js';
import type { OfflineState } from '../../session/index.js';
import { useOfflineCatalogue } from '../../i18n/offline.js';
import type { LocaleController } from '../localized-element.js';

// These texts are in the message form's part of the catalogue (src/i18n/en-offline.ts).
useOfflineCatalogue();

/** What the visitor must fix in the message form, by field. */
export interface OfflineFieldErrors {
  email?: 'widget.offline-email-required' | 'widget.offline-email-invalid';
  text?: 'widget.offline-text-required';
}

/** What the form needs from `<customer-chat>`. */
export interface OfflineFormView {
  i18n: LocaleController;
  /** The visitor's name, when the site knows it. */
  visitorName?: string;
  /** There is a broker to send the message to. */
  canSend: boolean;
  errors: OfflineFieldErrors;
  onSubmit: (e: SubmitEvent) => void;
  /** "Done" after the message was sent. */
  onDone: () => void;
}

/** The fields' problems: an email address is required and must look like one, a message is required. */
export function offlineFieldErrors(email: string, text: string): OfflineFieldErrors {
  const errors: OfflineFieldErrors = {};
  if (!email) errors.email = 'widget.offline-email-required';
  else if (!v.safeParse(EmailAddress, email).success) errors.email = 'widget.offline-email-invalid';
  if (!text) errors.text = 'widget.offline-text-required';
  return errors;
}

/** Why the message form is shown: closed (until when), nobody available, or the visitor's choice. */
function offlineReason(offline: OfflineState, i18n: LocaleController): string | undefined {
  if (offline.reason === 'closed') {
    if (offline.opensAt === undefined) return i18n.t('widget.offline-closed');
    const when = new Intl.DateTimeFormat(i18n.locale, { weekday: 'long', hour: 'numeric', minute: '2-digit' }).format(offline.opensAt);
    return i18n.t('widget.offline-closed-until', { when });
  }
  if (offline.reason === 'no-agents') return i18n.t('widget.offline-no-agents');
  return undefined;
}

/** The message form when nobody is available (or the visitor chose it), and the thanks once it was sent. */
export function renderOfflineForm(offline: OfflineState, view: OfflineFormView): TemplateResult {
  const { i18n, errors } = view;
  if (offline.status === 'sent') {
    return html`
      <div class="offline-sent">
        <p role="status">${i18n.t('widget.offline-sent', { email: offline.email ?? '' })}</p>
        <button class="btn-primary" type="button" @click=${view.onDone}>${i18n.t('widget.offline-done')}</button>
      </div>
    `;
  }
  const sending = offline.status === 'sending';
  const reason = offlineReason(offline, i18n);
  return html`
    <form class="offline" part="offline-form" novalidate aria-busy=${sending ? 'true' : 'false'} @submit=${view.onSubmit}>
      ${reason ? html`<p class="offline-reason">${reason}</p>` : nothing}
      <p>${i18n.t('widget.offline-intro')}</p>
      <label for="offline-name">${i18n.t('widget.name-label')}</label>
      <input id="offline-name" name="name" type="text" autocomplete="name" maxlength="80" .value=${view.visitorName ?? ''} ?disabled=${sending} />
      <label for="offline-email">${i18n.t('widget.offline-email')}</label>
      <input
        id="offline-email"
        name="email"
        type="email"
        autocomplete="email"
        inputmode="email"
        maxlength="254"
        aria-required="true"
        aria-invalid=${errors.email ? 'true' : 'false'}
        aria-describedby="offline-email-error"
        ?disabled=${sending}
      />
      <span id="offline-email-error" class="field-error">${errors.email ? i18n.t(errors.email) : nothing}</span>
      <label for="offline-text">${i18n.t('widget.offline-message')}</label>
      <textarea
        id="offline-text"
        name="text"
        rows="4"
        maxlength=${MAX_OFFLINE_TEXT}
        aria-required="true"
        aria-invalid=${errors.text ? 'true' : 'false'}
        aria-describedby="offline-text-error"
        .value=${offline.draft ?? ''}
        ?disabled=${sending}
      ></textarea>
      <span id="offline-text-error" class="field-error">${errors.text ? i18n.t(errors.text) : nothing}</span>
      <button class="btn-primary" type="submit" ?disabled=${sending || !view.canSend}>${i18n.t(sending ? 'widget.offline-sending' : 'widget.offline-send')}</button>
    </form>
  `;
}
