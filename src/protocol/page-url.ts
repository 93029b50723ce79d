import { english, type Coded, type Params } from '../i18n/index.js';

/** Rules for pages an agent may push to a customer. Checked on both sides; the customer's check is the one that counts. */
export interface PagePushPolicy {
  /** Allow plain http: (e.g. a local demo). Default false: https only. */
  allowHttp?: boolean;
  /** If non-empty, only these exact origins (e.g. "https://shop.example"). */
  allowedOrigins?: readonly string[];
}

export const MAX_PAGE_URL = 2048;
export const MAX_PAGE_TITLE = 200;

/** A refusal: `reason` in English, `code` and `params` to say it in another language (src/i18n). */
export type PageUrlCheck = { ok: true; url: URL } | ({ ok: false; reason: string } & Coded);

function refuse(code: Coded['code'], params: Params = {}): PageUrlCheck {
  return { ok: false, reason: english(code, params as never), code, params };
}

/**
 * Validates a pushed URL. Only http(s) is ever allowed: javascript:, data:,
 * blob:, file: and the rest are refused, as are credentials in the URL.
 */
export function checkPageUrl(raw: string, policy: PagePushPolicy = {}): PageUrlCheck {
  const text = raw.trim();
  if (!text) return refuse('page.empty');
  if (text.length > MAX_PAGE_URL) return refuse('page.too-long', { max: String(MAX_PAGE_URL) });
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return refuse('page.incomplete');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) {
    return refuse('page.scheme', { http: policy.allowHttp ? 'yes' : 'no', scheme: url.protocol });
  }
  if (url.username || url.password) return refuse('page.credentials');
  if (policy.allowedOrigins && policy.allowedOrigins.length > 0 && !policy.allowedOrigins.includes(url.origin)) {
    return refuse('page.origin', { origin: url.origin });
  }
  return { ok: true, url };
}
