import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Db } from './db.js';
import type { Logger } from './log.js';
import { checkSecretLength } from './secrets.js';

/**
 * Webhooks for CRMs, from the outbox (`webhook_outbox`). Events are written by
 * the database in the same transaction as what they report (migration 002:
 * an archived message, a conversation made ready, claimed, linked, closed);
 * this module only delivers them:
 *
 * - at least once: a row is done only when the receiver answered 2xx; until
 *   then it is retried with exponential backoff (1 s doubling, ±20 % jitter, at
 *   most 5 min; a longer Retry-After is honoured up to that cap), across broker
 *   restarts (the outbox is the state);
 * - in order per conversation: a conversation's next event waits until the
 *   previous one was acknowledged;
 * - several conversations in parallel (4 by default);
 * - signed like the webhooks CRMs already verify (Stripe-style):
 *   `VC-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`,
 *   with `Idempotency-Key` (stable per event: a redelivery carries the same
 *   one) and `VC-Event-Id`.
 *
 * A row being delivered is leased (its next_attempt_at moved past the request
 * timeout), so a second broker on the same database, or this one after a
 * crash, does not send it again while the first attempt may still succeed.
 */

export interface WebhookOptions {
  /** The CRM's receiver, e.g. https://crm.example/hooks/video-chat */
  url: string;
  /** HMAC key of the signatures, at least 32 bytes. */
  secret: string;
  /** Conversations delivered to at once. Default 4. */
  concurrency?: number;
  /** One delivery's time limit. Default 10 s. */
  timeoutMs?: number;
  /** First retry delay; doubles per failed attempt. Default 1 s. */
  initialBackoffMs?: number;
  /** Longest retry delay. Default 5 min. */
  maxBackoffMs?: number;
  /** How often the outbox is looked at without being woken. Default 1 s. */
  pollMs?: number;
}

export const SIGNATURE_HEADER = 'vc-signature';
/** Receivers should refuse signatures whose t is further than this from their clock. */
export const SIGNATURE_TOLERANCE_S = 300;

/** `t=<t>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` */
export function signWebhook(secret: string, body: string, t = Math.floor(Date.now() / 1000)): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/** What a receiver does (README "Webhooks"): true when `header` signs `body` with `secret`, within the tolerance. */
export function verifyWebhookSignature(header: string | undefined, body: string, secret: string, toleranceS = SIGNATURE_TOLERANCE_S, nowS = Date.now() / 1000): boolean {
  if (!header) return false;
  const parts = new Map(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  if (!Number.isInteger(t) || Math.abs(nowS - t) > toleranceS || !/^[0-9a-f]{64}$/.test(v1)) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  return timingSafeEqual(Buffer.from(v1, 'hex'), expected);
}

export function checkWebhookOptions(opts: WebhookOptions): void {
  let u: URL;
  try {
    u = new URL(opts.url);
  } catch {
    throw new Error(`webhooks.url is not a URL: ${opts.url}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('webhooks.url must be http: or https:');
  if (!opts.secret) throw new Error('webhooks.secret is required (WEBHOOK_SECRET, at least 32 bytes)');
  checkSecretLength('webhooks.secret', opts.secret);
}

/**
 * Tells the triggers of migration 002 whether to write events: only while a
 * broker on this database delivers them, so an outbox without a receiver
 * does not grow forever.
 */
export async function setWebhooksEnabled(db: Db, enabled: boolean): Promise<void> {
  if (enabled) await db.query('insert into webhook_enabled (singleton, since) values (true, $1) on conflict do nothing', [Date.now()]);
  else await db.query('delete from webhook_enabled');
}

interface OutboxRow {
  id: number;
  conversation_id: string | null;
  event: string;
  idempotency_key: string;
  payload: { id?: string } & Record<string, unknown>;
  attempts: number;
}

/** Events one conversation may take in a row before its slot goes to the next conversation. */
const TURN = 50;

export class WebhookDispatcher {
  private readonly concurrency: number;
  private readonly timeoutMs: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly pollMs: number;
  /** Conversations being delivered to now (key: conversation id, or `#<row id>` for events without one). */
  private readonly lanes = new Set<string>();
  private readonly stop = new AbortController();
  private wake?: () => void;
  private kicked = false;
  private loop?: Promise<void>;
  private failing = false;
  /** Delivered (2xx) and failed attempts since start. */
  readonly stats = { delivered: 0, failed: 0 };

  constructor(
    private readonly db: Db,
    private readonly opts: WebhookOptions,
    private readonly log: Logger,
  ) {
    checkWebhookOptions(opts);
    this.concurrency = Math.max(1, opts.concurrency ?? 4);
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 5 * 60_000;
    this.pollMs = opts.pollMs ?? 1000;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Something was written to the outbox: look now rather than at the next poll. */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  async close(): Promise<void> {
    this.stop.abort();
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    const inflight = new Set<Promise<void>>();
    while (!this.stop.signal.aborted) {
      this.kicked = false;
      const free = this.concurrency - this.lanes.size;
      if (free > 0) {
        try {
          for (const row of await this.heads(free + this.lanes.size)) {
            if (this.lanes.size >= this.concurrency) break;
            const lane = row.conversation_id ?? `#${row.id}`;
            if (this.lanes.has(lane)) continue;
            this.lanes.add(lane);
            const p = this.drive(row).finally(() => {
              this.lanes.delete(lane);
              inflight.delete(p);
              this.wake?.();
            });
            inflight.add(p);
          }
        } catch (e) {
          if (!this.stop.signal.aborted) this.log('warn', `webhooks: reading the outbox failed: ${errorText(e)}`);
        }
      }
      if (this.kicked) {
        // Woken while reading: read again soon, without spinning.
        await this.sleep(50);
        continue;
      }
      await this.sleep(this.pollMs);
    }
    await Promise.allSettled([...inflight]);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }

  /** The first pending event of each conversation, if it is due, oldest first. */
  private heads(limit: number): Promise<OutboxRow[]> {
    return this.db.query<OutboxRow>(
      `select o.id, o.conversation_id, o.event, o.idempotency_key, o.payload, o.attempts
         from webhook_outbox o
        where o.delivered_at is null and o.next_attempt_at <= $1
          and not exists (select 1 from webhook_outbox p
                           where p.conversation_id = o.conversation_id and p.delivered_at is null and p.id < o.id)
        order by o.id
        limit $2`,
      [Date.now(), limit],
    );
  }

  /** The next pending event of one conversation, if due. */
  private async next(conversationId: string): Promise<OutboxRow | undefined> {
    const [row] = await this.db.query<OutboxRow & { next_attempt_at: number }>(
      `select id, conversation_id, event, idempotency_key, payload, attempts, next_attempt_at
         from webhook_outbox where conversation_id = $1 and delivered_at is null order by id limit 1`,
      [conversationId],
    );
    return row && row.next_attempt_at <= Date.now() ? row : undefined;
  }

  /** Delivers a conversation's events in order while they succeed (a turn of at most TURN). */
  private async drive(first: OutboxRow): Promise<void> {
    let row: OutboxRow | undefined = first;
    for (let n = 0; row && n < TURN && !this.stop.signal.aborted; n++) {
      let ok: boolean;
      try {
        ok = await this.deliver(row);
      } catch (e) {
        if (!this.stop.signal.aborted) this.log('warn', `webhooks: event ${row.idempotency_key}: ${errorText(e)}`);
        return;
      }
      if (!ok || row.conversation_id === null) return;
      row = await this.next(row.conversation_id).catch(() => undefined);
    }
  }

  /** One attempt. True when the receiver took it (2xx). */
  private async deliver(row: OutboxRow): Promise<boolean> {
    const now = Date.now();
    // The lease: nobody else sends this row until the attempt has surely ended.
    const claimed = await this.db.query<{ attempts: number }>(
      `update webhook_outbox set next_attempt_at = $2, attempts = attempts + 1
        where id = $1 and delivered_at is null and next_attempt_at <= $3 returning attempts`,
      [row.id, now + this.timeoutMs + 5000, now],
    );
    if (claimed.length === 0) return false;
    const attempts = claimed[0].attempts;
    const body = JSON.stringify(row.payload);
    let status: number | undefined;
    let retryAfterMs = 0;
    let error: string | undefined;
    try {
      const res = await fetch(this.opts.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'vc-broker-webhooks/1',
          'vc-signature': signWebhook(this.opts.secret, body),
          'vc-event-id': String(row.payload.id ?? row.idempotency_key),
          'vc-event-type': row.event,
          'vc-delivery-attempt': String(attempts),
          'idempotency-key': row.idempotency_key,
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.any([this.stop.signal, AbortSignal.timeout(this.timeoutMs)]),
      });
      status = res.status;
      retryAfterMs = retryAfter(res.headers.get('retry-after'));
      await res.body?.cancel().catch(() => {});
    } catch (e) {
      error = errorText(e);
    }
    if (status !== undefined && status >= 200 && status < 300) {
      await this.db.query('update webhook_outbox set delivered_at = $2, last_error = null where id = $1', [row.id, Date.now()]);
      this.stats.delivered++;
      if (this.failing) {
        this.failing = false;
        this.log('info', `webhooks: ${this.opts.url} accepts events again`);
      }
      return true;
    }
    this.stats.failed++;
    if (this.stop.signal.aborted) {
      // Shutting down mid-request: the next start may send it at once (the receiver may have it already: same Idempotency-Key).
      await this.db.query('update webhook_outbox set next_attempt_at = $2 where id = $1 and delivered_at is null', [row.id, Date.now()]).catch(() => {});
      return false;
    }
    const reason = status !== undefined ? `HTTP ${status}` : (error ?? 'failed');
    const delay = Math.min(this.maxBackoffMs, Math.max(this.backoff(attempts), retryAfterMs));
    await this.db.query('update webhook_outbox set next_attempt_at = $2, last_error = $3 where id = $1 and delivered_at is null', [row.id, Date.now() + delay, reason]);
    if (!this.failing) {
      this.failing = true;
      this.log('warn', `webhooks: ${this.opts.url} did not take ${row.idempotency_key} (${reason}); retrying with backoff, events wait in the outbox`);
    }
    return false;
  }

  private backoff(attempts: number): number {
    const base = Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** Math.min(30, attempts - 1));
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }
}

function retryAfter(value: string | null): number {
  if (!value) return 0;
  const s = Number(value);
  if (Number.isFinite(s) && s >= 0) return s * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : 0;
}

function errorText(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause;
    return cause instanceof Error ? `${e.message} (${cause.message})` : e.message;
  }
  return String(e);
}
