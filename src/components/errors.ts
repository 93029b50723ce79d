import { codedOf, formatCoded, type MessageKey } from '../i18n/index.js';

/** The message of something thrown, for showing to a person. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** What was thrown, in `locale` when it carries a code (CodedError, PageRefusedError), else its message as it is. */
export function reasonOf(err: unknown, locale: string): string {
  const coded = codedOf(err);
  return coded ? formatCoded(locale, coded) : messageOf(err);
}

/** A failure kept for showing: the sentence (`key`, with `{reason}`) and what was thrown. Formatted at render time, in the element's locale. */
export interface Failure {
  key: MessageKey;
  err: unknown;
}

/** A Failure in `locale`. */
export function failureText(f: Failure, locale: string): string {
  return formatCoded(locale, { code: f.key, params: { reason: reasonOf(f.err, locale) } });
}

/** Runs `action`; when it throws, hands the message (and what was thrown) to `onError` and returns false. */
export function attempt(action: () => void, onError: (message: string, err: unknown) => void): boolean {
  try {
    action();
    return true;
  } catch (err) {
    onError(messageOf(err), err);
    return false;
  }
}
