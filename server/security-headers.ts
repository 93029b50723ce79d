import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/**
 * Defence-in-depth headers on everything the broker serves. Pages run no
 * inline script (an injected <script> or on* attribute does nothing); the
 * exceptions each have a reason:
 *  - connect-src ws: wss: — the elements talk to Janus over WebSocket, often on another port or host;
 *  - img-src/font-src https: http: data: blob: and style-src 'unsafe-inline' — the agent's cobrowse
 *    replay rebuilds the customer's page (its images, fonts and inline styles) in a sandboxed iframe,
 *    which inherits this policy;
 *  - media-src blob: mediastream: — local and remote video.
 * Referrer-Policy same-origin (stricter than strict-origin-when-cross-origin): the replayed
 * customer page and pushed links load from third-party hosts, which need not learn where the
 * agent console or the broker lives; nothing here needs a cross-origin Referer.
 */
export const PAGE_HEADERS: Readonly<OutgoingHttpHeaders> = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "connect-src 'self' ws: wss:",
    "img-src 'self' data: blob: https: http:",
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self' data: https: http:",
    "media-src 'self' blob: mediastream:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'self'",
  ].join('; '),
  'referrer-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
};

/** API answers are data, never documents: nothing in them may load, run or be framed. */
export const API_HEADERS: Readonly<OutgoingHttpHeaders> = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

/** Sets the headers before anything is written, so every answer (errors, redirects, 304, SSE) carries them. */
export function setSecurityHeaders(res: ServerResponse, headers: Readonly<OutgoingHttpHeaders>): void {
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) res.setHeader(name, value);
}
