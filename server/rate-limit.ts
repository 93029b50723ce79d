import type { IncomingMessage } from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';
import type { Queryable } from './db.js';

/** A token bucket: `burst` requests at once, refilled at `perMinute`. */
export interface RateRule {
  perMinute: number;
  burst: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterS: number };

/** What the API draws from: a token bucket per key (the database's, shared by every broker; or this process's). */
export interface RateLimit {
  take(key: string): Promise<RateDecision> | RateDecision;
}

/**
 * Token buckets in the database (table rate_bucket): one statement takes a
 * token, on the database's clock, so a client throttled on one broker is
 * throttled on every broker of the record, whatever their clocks say.
 */
export class DatabaseRateLimiter implements RateLimit {
  private readonly perMs: number;

  constructor(
    private readonly db: Queryable,
    private readonly rule: RateRule,
  ) {
    if (!(rule.perMinute > 0) || !(rule.burst >= 1)) throw new Error('rate rule needs perMinute > 0 and burst >= 1');
    this.perMs = rule.perMinute / 60_000;
  }

  /** How long an untouched bucket takes to fill up again (after that its row means nothing). */
  get refillMs(): number {
    return Math.ceil(this.rule.burst / this.perMs);
  }

  async take(key: string): Promise<RateDecision> {
    // $2 burst, $3 tokens per ms; every SET expression sees the row as it was, `excluded.at` is now.
    const [row] = await this.db.query<{ tokens: number; ok: boolean }>(
      `insert into rate_bucket as b (key, tokens, at, ok)
       values ($1, $2::float8 - 1, vc_now_ms(), true)
       on conflict (key) do update set
         tokens = case when least($2::float8, b.tokens + greatest(0, excluded.at - b.at) * $3::float8) >= 1
                       then least($2::float8, b.tokens + greatest(0, excluded.at - b.at) * $3::float8) - 1
                       else least($2::float8, b.tokens + greatest(0, excluded.at - b.at) * $3::float8) end,
         at = greatest(b.at, excluded.at),
         ok = least($2::float8, b.tokens + greatest(0, excluded.at - b.at) * $3::float8) >= 1
       returning tokens, ok`,
      [key, this.rule.burst, this.perMs],
    );
    if (row.ok) return { ok: true };
    return { ok: false, retryAfterS: Math.max(1, Math.ceil((1 - row.tokens) / this.perMs / 1000)) };
  }
}

/** Forgets buckets untouched for `idleMs` (full again by then: the same as no row). */
export async function pruneRateBuckets(db: Queryable, idleMs: number): Promise<number> {
  const rows = await db.query('delete from rate_bucket where at < vc_now_ms() - $1 returning 1', [idleMs]);
  return rows.length;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets per client key. The map is bounded: past `maxKeys` the least
 * recently seen clients are forgotten (which only ever lets one of them in
 * early, never blocks anybody).
 */
export class RateLimiter implements RateLimit {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    private readonly rule: RateRule,
    private readonly maxKeys = 50_000,
  ) {
    if (!(rule.perMinute > 0) || !(rule.burst >= 1)) throw new Error('rate rule needs perMinute > 0 and burst >= 1');
    this.perMs = rule.perMinute / 60_000;
  }

  take(key: string, nowMs = Date.now()): RateDecision {
    const b = this.buckets.get(key);
    let tokens = this.rule.burst;
    if (b) {
      tokens = Math.min(this.rule.burst, b.tokens + (nowMs - b.at) * this.perMs);
      this.buckets.delete(key); // re-inserted below: Map order is our LRU order
    }
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: nowMs });
      return { ok: false, retryAfterS: Math.max(1, Math.ceil((1 - tokens) / this.perMs / 1000)) };
    }
    this.buckets.set(key, { tokens: tokens - 1, at: nowMs });
    if (this.buckets.size > this.maxKeys) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    return { ok: true };
  }

  get size(): number {
    return this.buckets.size;
  }
}

/** Tells which client a request comes from, for rate limiting. */
export type ClientKey = (req: IncomingMessage) => string;

/**
 * Default client key: the TCP peer address. IPv4-mapped IPv6 counts as IPv4; an
 * IPv6 client is keyed by its /64, since one host usually owns a whole /64.
 * Behind a reverse proxy every request has the proxy's address: pass a
 * `clientKey` that reads the proxy's forwarded-for header instead.
 */
export const remoteAddressKey: ClientKey = (req) => {
  const addr = req.socket.remoteAddress ?? 'unknown';
  if (addr.startsWith('::ffff:') && addr.includes('.')) return addr.slice(7);
  if (isIPv6(addr)) return `${expandIPv6(addr).slice(0, 4).join(':')}::/64`;
  return addr;
};

/**
 * The network a client key belongs to, for the caps that one network may not
 * exceed: an IPv4 address's /24, an IPv6 address's (or /64 key's) /48. Keys
 * that are not addresses (a custom clientKey) have none.
 */
export function networkOf(key: string): string | undefined {
  if (isIPv4(key)) return `${key.split('.').slice(0, 3).join('.')}.0/24`;
  const v6 = key.endsWith('::/64') ? `${key.slice(0, -5)}::` : key;
  if (isIPv6(v6)) return `${expandIPv6(v6).slice(0, 3).join(':')}::/48`;
  return undefined;
}

function expandIPv6(addr: string): string[] {
  const [head, tail = ''] = addr.split('%')[0].split('::');
  const h = head ? head.split(':') : [];
  const t = addr.includes('::') && tail ? tail.split(':') : [];
  const fill = addr.includes('::') ? Array(8 - h.length - t.length).fill('0') : [];
  return [...h, ...fill, ...t].map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''));
}
