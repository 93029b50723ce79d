/** Rules for pages an agent may push to a customer. Checked on both sides; the customer's check is the one that counts. */
export interface PagePushPolicy {
  /** Allow plain http: (e.g. a local demo). Default false: https only. */
  allowHttp?: boolean;
  /** If non-empty, only these exact origins (e.g. "https://shop.example"). */
  allowedOrigins?: readonly string[];
}

export const MAX_PAGE_URL = 2048;
export const MAX_PAGE_TITLE = 200;

export type PageUrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

/**
 * Validates a pushed URL. Only http(s) is ever allowed: javascript:, data:,
 * blob:, file: and the rest are refused, as are credentials in the URL.
 */
export function checkPageUrl(raw: string, policy: PagePushPolicy = {}): PageUrlCheck {
  const text = raw.trim();
  if (!text) return { ok: false, reason: 'Enter a web address.' };
  if (text.length > MAX_PAGE_URL) return { ok: false, reason: `The address is longer than ${MAX_PAGE_URL} characters.` };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: 'That is not a complete web address (it must start with https://).' };
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) {
    const allowed = policy.allowHttp ? 'http:// or https://' : 'https://';
    return { ok: false, reason: `Only ${allowed} pages can be sent, not ${url.protocol} addresses.` };
  }
  if (url.username || url.password) return { ok: false, reason: 'Addresses with a user name or password in them cannot be sent.' };
  if (policy.allowedOrigins && policy.allowedOrigins.length > 0 && !policy.allowedOrigins.includes(url.origin)) {
    return { ok: false, reason: `Pages from ${url.origin} are not on this site's allowed list.` };
  }
  return { ok: true, url };
}
