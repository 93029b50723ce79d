import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';

/**
 * CORS for the API. Only origins the operator lists get CORS headers: the
 * elements on a customer's website call the broker cross-origin, everything
 * else (the demo pages) is same-origin and needs none.
 */
export class CorsPolicy {
  private readonly origins: ReadonlySet<string>;

  constructor(allowedOrigins: readonly string[] = []) {
    this.origins = new Set(allowedOrigins.map((o) => o.replace(/\/+$/, '')));
  }

  /** The request's Origin when it is one we allow. */
  allowedOrigin(req: IncomingMessage): string | undefined {
    const origin = req.headers.origin;
    return origin && this.origins.has(origin) ? origin : undefined;
  }

  /** Headers for an actual (non-preflight) response. `Vary` keeps caches from mixing origins. */
  headersFor(req: IncomingMessage): OutgoingHttpHeaders {
    const origin = this.allowedOrigin(req);
    if (!origin) return this.origins.size ? { vary: 'Origin' } : {};
    return { 'access-control-allow-origin': origin, vary: 'Origin' };
  }

  preflightHeaders(req: IncomingMessage, methods: readonly string[]): OutgoingHttpHeaders | undefined {
    const origin = this.allowedOrigin(req);
    if (!origin) return undefined;
    return {
      'access-control-allow-origin': origin,
      'access-control-allow-methods': [...methods, 'OPTIONS'].join(', '),
      'access-control-allow-headers': 'content-type, authorization',
      'access-control-max-age': '600',
      vary: 'Origin',
    };
  }
}
