import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EnvelopeVerifier, MAX_ENVELOPE_BYTES, type PublicKeyJwk, type WireType } from '../src/protocol/index.js';
import type { Db } from './db.js';
import { HttpError } from './http-util.js';
import type { Logger } from './log.js';
import { sameSecret } from './secrets.js';

/**
 * The transcript, written server-side. Every conversation's TextRoom is created
 * with `post` pointing at `POST /internal/archive/<conversationId>/<key>` (key:
 * HMAC of the conversation id under the broker's `archive_secret`), so Janus
 * POSTs every broadcast message to the broker. Janus does that synchronously,
 * holding the room's lock, with no timeout and no retry: the endpoint answers
 * 204 as soon as it has the body and does the work after, in order per
 * conversation.
 *
 * Each message passes the same gate as in the browsers (EnvelopeVerifier with
 * the conversation's certificates from the record): signature, certificate,
 * `from`, the type against the signer's role, and the room connection's name
 * against `from`. Only the reliable types (the ones the clients keep in their
 * outbox and the room replays) are stored, once per message id, with the
 * sender the signature proves. Invalid messages are counted and logged, never
 * stored. Messages that arrive while the broker is down are lost to the POST;
 * the back-fill (backfill.ts) reads them from the room's history instead.
 */

/** What the archive keeps: the same set the clients treat as reliable (RELIABLE in src/chat/chat-session.ts). */
export const ARCHIVED_TYPES: ReadonlySet<WireType> = new Set<WireType>([
  'chat.message', 'video.invite', 'video.answer', 'video.start', 'video.end', 'video.publish', 'media.state', 'media.network', 'page.push', 'page.opened',
  'customer.linked', 'cobrowse.offer', 'cobrowse.answer', 'cobrowse.control-request', 'cobrowse.control-grant', 'cobrowse.stop',
]);

/** Path prefix of the endpoint Janus posts to. */
export const ARCHIVE_PATH = '/internal/archive/';

/** Janus wraps the envelope (at most MAX_ENVELOPE_BYTES, JSON-escaped once more) in a small object. */
const MAX_POST_BYTES = 2 * MAX_ENVELOPE_BYTES + 4096;

export interface ArchiveOptions {
  db: Db;
  /** The broker's authority (public half): verifies every certificate. */
  authority: PublicKeyJwk;
  /** Keys the post URLs (broker_secret `archive_secret`). */
  secret: string;
  log: Logger;
  /** Messages waiting per conversation before new ones are dropped (and counted). Default 10,000. */
  maxQueuedPerConversation?: number;
  /** Messages waiting in all before new ones are dropped. Default 50,000. */
  maxQueued?: number;
  /** Called after messages were stored (webhook delivery wakes up). */
  onStored?: (conversationId: string, count: number) => void;
}

export interface ArchiveStats {
  /** Messages handed to the archive (POSTs and back-fill). */
  received: number;
  /** Stored for the first time. */
  stored: number;
  /** Already in the record (resends, the back-fill's overlap). */
  duplicates: number;
  /** Refused by the verifier (bad signature, unknown key, wrong sender or role, malformed). */
  invalid: number;
  /** Valid but not archived (not a reliable type, announcements, whispers). */
  ignored: number;
  /** Not processed: queue full, or the conversation is not (or no longer) in the record. */
  dropped: number;
}

export type ArchiveSource = 'post' | 'backfill';

interface Item {
  text: string;
  /** TextRoom username it came from (`<participantId>~<suffix>`). */
  username: string;
  receivedAt: number;
  source: ArchiveSource;
}

interface Lane {
  items: Item[];
  running: boolean;
  /** Work waits for this before it starts (the back-fill goes first after a restart). */
  gate?: Promise<void>;
  drained: Array<() => void>;
}

interface Row {
  messageId: string;
  type: string;
  role: string;
  senderId: string;
  ts: number;
  receivedAt: number;
  body: unknown;
  wire: string;
}

/** Messages processed per database round trip. */
const BATCH = 200;
/** Conversations whose verifier (certificates checked once) is kept. */
const VERIFIER_CACHE = 1000;
/** Logged refusals per conversation, so one misbehaving peer cannot flood the log. */
const LOGGED_REFUSALS = 5;

/** `<participantId>~<connection suffix>` → participant id (src/chat/participant-id.ts). */
function participantIdOf(username: string): string {
  const i = username.lastIndexOf('~');
  return i > 0 ? username.slice(0, i) : username;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

export class Archive {
  readonly stats: ArchiveStats = { received: 0, stored: 0, duplicates: 0, invalid: 0, ignored: 0, dropped: 0 };
  private readonly lanes = new Map<string, Lane>();
  private readonly verifiers = new Map<string, EnvelopeVerifier>();
  private readonly refusalsLogged = new Map<string, number>();
  private queued = 0;
  private baseUrl?: string;
  private closed = false;

  constructor(private readonly opts: ArchiveOptions) {}

  /** Where Janus reaches the broker, e.g. http://127.0.0.1:8080 (archiveUrl, or the broker's own URL). */
  setBaseUrl(url: string): void {
    this.baseUrl = url.replace(/\/+$/, '');
  }

  /** The `post` URL of a conversation's TextRoom. */
  postUrl(conversationId: string): string {
    if (!this.baseUrl) throw new Error('archive: base URL not set yet');
    return `${this.baseUrl}${ARCHIVE_PATH}${encodeURIComponent(conversationId)}/${this.keyFor(conversationId)}`;
  }

  keyFor(conversationId: string): string {
    return createHmac('sha256', this.opts.secret).update(`archive:${conversationId}`).digest('base64url');
  }

  /**
   * `POST /internal/archive/<conversationId>/<key>` from Janus. Answers 204 as
   * soon as the body is in: Janus waits for us while it holds the room.
   */
  async handle(req: IncomingMessage, res: ServerResponse, rest: string): Promise<void> {
    const parts = rest.split('/');
    let conversationId: string;
    try {
      conversationId = decodeURIComponent(parts[0] ?? '');
    } catch {
      throw new HttpError(404, 'not_found', 'No such endpoint');
    }
    if (parts.length !== 2 || !conversationId || !sameSecret(parts[1], this.keyFor(conversationId))) {
      throw new HttpError(404, 'not_found', 'No such endpoint');
    }
    if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'POST only', { allow: 'POST' });
    const text = await readBody(req, MAX_POST_BYTES);
    res.writeHead(204, { 'cache-control': 'no-store' });
    res.end();
    this.accept(conversationId, text, Date.now());
  }

  /** One POST body from Janus: `{"textroom":"message","room","from","date","text"}` (whispers and announcements are not archived). */
  accept(conversationId: string, janusJson: string, receivedAt: number): void {
    let data: unknown;
    try {
      data = JSON.parse(janusJson);
    } catch {
      this.refuse(conversationId, 'the POST body is not JSON');
      return;
    }
    const m = data as { textroom?: unknown; from?: unknown; text?: unknown; whisper?: unknown };
    if (typeof data !== 'object' || data === null || m.textroom !== 'message' || m.whisper === true || typeof m.text !== 'string' || typeof m.from !== 'string') {
      this.stats.received++;
      this.stats.ignored++;
      return;
    }
    this.enqueue(conversationId, { text: m.text, username: m.from, receivedAt, source: 'post' });
  }

  /** A message from the room's history (back-fill): the same path as a POST. */
  enqueueFromHistory(conversationId: string, username: string, text: string): void {
    this.enqueue(conversationId, { text, username, receivedAt: Date.now(), source: 'backfill' });
  }

  /**
   * Holds this conversation's work until `until` settles, or `maxMs` at most:
   * after a restart the room's history (older) goes in before the POSTs that
   * arrived meanwhile (newer), so the record keeps the room's order.
   */
  hold(conversationId: string, until: Promise<unknown>, maxMs: number): void {
    const lane = this.lane(conversationId);
    let timer: NodeJS.Timeout | undefined;
    const gate = Promise.race([
      until.then(() => {}, () => {}),
      new Promise<void>((r) => {
        timer = setTimeout(r, maxMs);
        timer.unref();
      }),
    ]).finally(() => {
      clearTimeout(timer);
      if (lane.gate === gate) lane.gate = undefined;
      if (!lane.running && lane.items.length === 0 && this.lanes.get(conversationId) === lane) this.lanes.delete(conversationId);
    });
    lane.gate = gate;
  }

  /** Resolves once everything queued for `conversationId` (or for every conversation) has been processed. */
  async drained(conversationId?: string): Promise<void> {
    const ids = conversationId === undefined ? [...this.lanes.keys()] : [conversationId];
    await Promise.all(
      ids.map((id) => {
        const lane = this.lanes.get(id);
        if (!lane || (!lane.running && lane.items.length === 0)) return undefined;
        return new Promise<void>((r) => lane.drained.push(r));
      }),
    );
  }

  /** Forgets what it knows about a conversation (erasure): queued messages are dropped. */
  forget(conversationId: string): void {
    const lane = this.lanes.get(conversationId);
    if (lane) {
      this.queued -= lane.items.length;
      this.stats.dropped += lane.items.length;
      lane.items.length = 0;
    }
    this.verifiers.delete(conversationId);
  }

  /** Stops taking messages; waits (at most `waitMs`) for what is queued to be stored. */
  async close(waitMs = 5000): Promise<void> {
    this.closed = true;
    await Promise.race([this.drained(), sleep(waitMs)]);
    if (this.queued > 0) this.opts.log('warn', `archive: ${this.queued} message(s) not stored at shutdown (the next start's back-fill reads the rooms' history)`);
  }

  private lane(conversationId: string): Lane {
    let lane = this.lanes.get(conversationId);
    if (!lane) {
      lane = { items: [], running: false, drained: [] };
      this.lanes.set(conversationId, lane);
    }
    return lane;
  }

  private enqueue(conversationId: string, item: Item): void {
    this.stats.received++;
    const lane = this.lane(conversationId);
    const perConversation = this.opts.maxQueuedPerConversation ?? 10_000;
    if (this.closed || lane.items.length >= perConversation || this.queued >= (this.opts.maxQueued ?? 50_000)) {
      this.stats.dropped++;
      this.refuse(conversationId, this.closed ? 'broker is shutting down' : 'archive queue full');
      return;
    }
    lane.items.push(item);
    this.queued++;
    if (!lane.running) void this.run(conversationId, lane);
  }

  private async run(conversationId: string, lane: Lane): Promise<void> {
    lane.running = true;
    let delay = 500;
    try {
      while (lane.items.length > 0) {
        if (lane.gate) await lane.gate;
        const batch = lane.items.slice(0, BATCH);
        try {
          await this.process(conversationId, batch);
          delay = 500;
        } catch (e) {
          // The database is unreachable or refused: keep the batch and try again, more slowly.
          this.opts.log('warn', `archive: conversation ${conversationId}: storing failed (${e instanceof Error ? e.message : String(e)}), retrying in ${delay} ms`);
          if (this.closed) break;
          await sleep(delay);
          delay = Math.min(delay * 2, 30_000);
          continue;
        }
        // forget() may have emptied the lane meanwhile.
        const done = Math.min(batch.length, lane.items.length);
        lane.items.splice(0, done);
        this.queued -= done;
      }
    } finally {
      lane.running = false;
      const waiting = lane.drained.splice(0);
      if (lane.items.length === 0 && !lane.gate) this.lanes.delete(conversationId);
      for (const w of waiting) w();
    }
  }

  /** Verifies a batch in order and stores the good ones in one statement (the webhook events come with it: see migration 002). */
  private async process(conversationId: string, batch: readonly Item[]): Promise<void> {
    const verifier = await this.verifier(conversationId);
    if (!verifier) {
      this.stats.dropped += batch.length;
      this.refuse(conversationId, 'no such conversation in the record');
      return;
    }
    const rows: Row[] = [];
    const seen = new Set<string>();
    for (const item of batch) {
      let r = await verifier.open(item.text, item.receivedAt);
      if (r.kind === 'unknown-key') {
        // A key registered (POST /keys) after we loaded the certificates: read them again.
        await this.loadCertificates(conversationId, verifier);
        r = await verifier.open(item.text, item.receivedAt);
      }
      if (r.kind !== 'ok') {
        this.stats.invalid++;
        this.refuse(conversationId, r.kind === 'invalid' ? r.reason : `signed with a key nobody certified (${r.kid})`);
        continue;
      }
      const msg = r.message;
      if (participantIdOf(item.username) !== msg.from) {
        this.stats.invalid++;
        this.refuse(conversationId, `sender mismatch: signed by ${msg.from}, sent from a connection named ${item.username}`);
        continue;
      }
      if (!ARCHIVED_TYPES.has(msg.type)) {
        this.stats.ignored++;
        continue;
      }
      if (seen.has(msg.id)) {
        this.stats.duplicates++;
        continue;
      }
      seen.add(msg.id);
      rows.push({ messageId: msg.id, type: msg.type, role: r.sender.role, senderId: r.sender.sub, ts: msg.ts, receivedAt: item.receivedAt, body: msg.body, wire: item.text });
    }
    if (rows.length === 0) return;
    const stored = await this.store(conversationId, rows);
    this.stats.stored += stored;
    this.stats.duplicates += rows.length - stored;
    if (stored > 0) this.opts.onStored?.(conversationId, stored);
  }

  /** Inserts rows in order (positions follow the batch order); duplicates by id are skipped. Returns how many were new. */
  private async store(conversationId: string, rows: readonly Row[]): Promise<number> {
    try {
      const inserted = await this.opts.db.query<{ n: number }>(
        `with ins as (
           insert into transcript (conversation_id, message_id, type, sender_role, sender_id, ts, received_at, body, wire)
           select $1, m.id, m.type, m.role, m.sender, m.ts, m.received_at, m.body, m.wire
             from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::jsonb[], $9::text[])
                  with ordinality as m(id, type, role, sender, ts, received_at, body, wire, ord)
            order by m.ord
           on conflict (conversation_id, message_id) do nothing
           returning 1)
         select count(*)::int as n from ins`,
        [
          conversationId,
          rows.map((r) => r.messageId),
          rows.map((r) => r.type),
          rows.map((r) => r.role),
          rows.map((r) => r.senderId),
          rows.map((r) => r.ts),
          rows.map((r) => r.receivedAt),
          rows.map((r) => JSON.stringify(r.body)),
          rows.map((r) => r.wire),
        ],
      );
      return inserted[0]?.n ?? 0;
    } catch (e) {
      // 23503: the conversation went (erased or purged) while its messages waited.
      if ((e as { code?: unknown }).code === '23503') {
        this.stats.dropped += rows.length;
        this.refuse(conversationId, 'conversation no longer in the record');
        this.verifiers.delete(conversationId);
        return 0;
      }
      throw e;
    }
  }

  private async verifier(conversationId: string): Promise<EnvelopeVerifier | undefined> {
    const known = this.verifiers.get(conversationId);
    if (known) {
      // Most recently used last: the oldest is evicted first.
      this.verifiers.delete(conversationId);
      this.verifiers.set(conversationId, known);
      return known;
    }
    const [exists] = await this.opts.db.query('select 1 from conversation where id = $1', [conversationId]);
    if (!exists) return undefined;
    const verifier = new EnvelopeVerifier(conversationId, this.opts.authority);
    await this.loadCertificates(conversationId, verifier);
    this.verifiers.set(conversationId, verifier);
    if (this.verifiers.size > VERIFIER_CACHE) this.verifiers.delete(this.verifiers.keys().next().value as string);
    return verifier;
  }

  private async loadCertificates(conversationId: string, verifier: EnvelopeVerifier): Promise<void> {
    const rows = await this.opts.db.query<{ cert: string }>('select cert from certificate where conversation_id = $1 order by position', [conversationId]);
    for (const { cert } of rows) {
      const r = await verifier.addCertificate(cert);
      if (!r.ok) this.opts.log('warn', `archive: conversation ${conversationId}: a certificate in the record does not verify (${r.reason})`);
    }
  }

  private refuse(conversationId: string, reason: string): void {
    const n = (this.refusalsLogged.get(conversationId) ?? 0) + 1;
    if (this.refusalsLogged.size > 10_000) this.refusalsLogged.clear();
    this.refusalsLogged.set(conversationId, n);
    if (n <= LOGGED_REFUSALS) {
      this.opts.log('warn', `archive: conversation ${conversationId}: message not archived: ${reason}${n === LOGGED_REFUSALS ? ' (further refusals in this conversation are only counted)' : ''}`);
    }
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new HttpError(413, 'body_too_large', `Body larger than ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', (e) => reject(new HttpError(400, 'bad_request', e.message)));
  });
}
