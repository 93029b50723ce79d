/**
 * Bounds on what other participants can make us hold in memory or spend CPU
 * on. A participant writes its own client; these keep a hostile one from
 * growing our memory or flooding the UI.
 */

/** A token bucket: `burst` at once, refilled at `perSecond`. */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(private readonly perSecond: number, private readonly burst: number, now = Date.now()) {
    this.tokens = burst;
    this.at = now;
  }

  take(now = Date.now()): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.perSecond);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * Message ids seen, for dedupe, with a bounded memory. Each id keeps a
 * fingerprint of its content, so the same id with other content (a replay
 * dressed up as new) is told apart from an honest resend. Once ids are
 * forgotten, the watermark (the newest timestamp forgotten) refuses anything
 * not newer than it: a forgotten id can never be accepted twice.
 */
export class SeenIds {
  private readonly ids = new Map<string, { fp: number; ts: number }>();
  private watermark = -Infinity;

  constructor(private readonly max = 20_000) {}

  get size(): number {
    return this.ids.size;
  }

  /** The fingerprint kept for `id`, or undefined when unseen. */
  fingerprint(id: string): number | undefined {
    return this.ids.get(id)?.fp;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** True when `ts` is not newer than something already forgotten: too old to tell whether it is a replay. */
  forgotten(ts: number): boolean {
    return ts <= this.watermark;
  }

  add(id: string, ts: number, fp: number): void {
    if (this.ids.has(id)) return;
    this.ids.set(id, { fp, ts });
    // Map order is insertion order: the first entry is the oldest.
    while (this.ids.size > this.max) {
      const [oldest, entry] = this.ids.entries().next().value as [string, { fp: number; ts: number }];
      this.ids.delete(oldest);
      if (entry.ts > this.watermark) this.watermark = entry.ts;
    }
  }
}

/** FNV-1a over a string: a cheap content fingerprint (not a security measure: signatures are). */
export function fingerprint(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
