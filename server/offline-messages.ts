import { randomUUID } from 'node:crypto';
import type { AgentIdentity, OfflineMessage, OfflineMessageList, OfflineMessageReceipt, OfflineMessageRequest, QueueEntry } from '../src/protocol/index.js';
import type { Queryable } from './db.js';
import { HttpError } from './http-util.js';

/**
 * Messages visitors leave when nobody is available (migration 005,
 * `offline_message`): stored in the record, shown to agents in the queue as
 * entries with state `offline` (the table's trigger writes them into the
 * queue's event log, so every console on every broker sees them arrive), and
 * listed by `GET /api/offline-messages`. An agent answers by email and marks
 * the message handled; it then closes in the queue and is purged with the
 * rest of the record (`RETENTION_DAYS` after it was handled, or left).
 */

export interface OfflineMessagesOptions {
  db: Queryable;
  /** Unhandled messages kept at most; beyond it visitors get 503 capacity. Default 10,000. */
  maxOpen?: number;
  /** Unhandled messages one client may have left. Default 20. */
  maxOpenPerClient?: number;
}

interface Row {
  id: string;
  created_at: number;
  name: string | null;
  email: string;
  text: string;
  page: string | null;
  handled_at: number | null;
  handled_by: AgentIdentity | null;
}

function toMessage(r: Row): OfflineMessage {
  return {
    id: r.id,
    createdAt: r.created_at,
    ...(r.name ? { name: r.name } : {}),
    email: r.email,
    text: r.text,
    ...(r.page ? { page: r.page } : {}),
    state: r.handled_at === null ? 'open' : 'handled',
    ...(r.handled_at !== null ? { handledAt: r.handled_at } : {}),
    ...(r.handled_by ? { handledBy: { id: r.handled_by.id, display: r.handled_by.display } } : {}),
  };
}

export type OfflineListState = 'open' | 'handled' | 'all';

export const DEFAULT_OFFLINE_PAGE = 100;
export const MAX_OFFLINE_PAGE = 500;

/** `?state=&before=&limit=` of GET /api/offline-messages; 400 on anything else. */
export function parseOfflineListQuery(query: URLSearchParams): { state: OfflineListState; before?: number; limit: number } {
  const state = query.get('state') ?? 'open';
  if (state !== 'open' && state !== 'handled' && state !== 'all') throw new HttpError(400, 'bad_request', 'state must be open, handled or all');
  const beforeRaw = query.get('before');
  const before = beforeRaw === null ? undefined : Number(beforeRaw);
  if (before !== undefined && (!/^\d{1,15}$/.test(beforeRaw!) || !Number.isSafeInteger(before))) throw new HttpError(400, 'bad_request', 'before must be a createdAt (epoch ms)');
  const limitRaw = query.get('limit');
  const limit = limitRaw === null ? DEFAULT_OFFLINE_PAGE : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_OFFLINE_PAGE) throw new HttpError(400, 'bad_request', `limit must be an integer from 1 to ${MAX_OFFLINE_PAGE}`);
  return { state, before, limit };
}

export class OfflineMessages {
  private readonly maxOpen: number;
  private readonly maxOpenPerClient: number;

  constructor(private readonly opts: OfflineMessagesOptions) {
    this.maxOpen = opts.maxOpen ?? 10_000;
    this.maxOpenPerClient = opts.maxOpenPerClient ?? 20;
  }

  /** Stores a visitor's message; `clientKey` is who sent it (rate-limit.ts), for the per-client cap. */
  async leave(req: OfflineMessageRequest, clientKey: string): Promise<OfflineMessageReceipt> {
    const id = `offline-${randomUUID()}`;
    // The caps and the insert in one statement: counted on the same snapshot the row goes into.
    const rows = await this.opts.db.query<{ created_at: number | null; over: 'client' | 'all' | null }>(
      `with counts as (
         select count(*) filter (where client_key = $6)::int as mine, count(*)::int as everyone
           from offline_message where handled_at is null
       ), ins as (
         insert into offline_message (id, created_at, name, email, text, page, client_key)
         select $1, vc_now_ms(), $2, $3, $4, $5, $6 from counts where mine < $7 and everyone < $8
         returning created_at
       )
       select (select created_at from ins) as created_at,
              case when (select mine from counts) >= $7 then 'client' when (select everyone from counts) >= $8 then 'all' end as over`,
      [id, req.name || null, req.email, req.text, req.page ?? null, clientKey, this.maxOpenPerClient, this.maxOpen],
    );
    const row = rows[0];
    if (row.over === 'client') {
      throw new HttpError(429, 'too_many_offline_messages', `This address already left ${this.maxOpenPerClient} messages that nobody has answered yet`, { 'retry-after': '3600' });
    }
    if (row.over === 'all' || row.created_at === null) {
      throw new HttpError(503, 'capacity', 'We cannot take more messages right now. Please try again later.', { 'retry-after': '600' });
    }
    return { id, createdAt: row.created_at };
  }

  /** Newest first; `before` pages on (createdAt of the last one seen). */
  async list(q: { state: OfflineListState; before?: number; limit: number }): Promise<OfflineMessageList> {
    const rows = await this.opts.db.query<Row>(
      `select id, created_at, name, email, text, page, handled_at, handled_by from offline_message
        where ($1::text = 'all' or ($1::text = 'open') = (handled_at is null))
          and ($2::bigint is null or created_at < $2)
        order by created_at desc, id desc limit $3`,
      [q.state, q.before ?? null, q.limit + 1],
    );
    return { messages: rows.slice(0, q.limit).map(toMessage), more: rows.length > q.limit };
  }

  async get(id: string): Promise<OfflineMessage> {
    const [row] = await this.opts.db.query<Row>('select id, created_at, name, email, text, page, handled_at, handled_by from offline_message where id = $1', [id]);
    if (!row) throw new HttpError(404, 'not_found', 'No such offline message');
    return toMessage(row);
  }

  /** An agent answered it (by email): it closes in every console. Handling it again changes nothing. */
  async markHandled(id: string, agent: AgentIdentity): Promise<OfflineMessage> {
    await this.opts.db.query(
      `update offline_message set handled_at = vc_now_ms(), handled_by = $2 where id = $1 and handled_at is null`,
      [id, JSON.stringify({ id: agent.id, display: agent.display })],
    );
    return this.get(id);
  }

  /** Offline messages as queue entries (GET /api/queue): open ones, and those handled since `closedSince`. */
  async queueEntries(closedSince: number): Promise<QueueEntry[]> {
    const rows = await this.opts.db.query<{ e: QueueEntry }>(
      'select vc_offline_queue_entry(m) as e from offline_message m where m.handled_at is null or m.handled_at >= $1 order by m.created_at',
      [closedSince],
    );
    return rows.map((r) => r.e);
  }

  /** Purges messages handled (or, never handled, left) before `before` (epoch ms); returns how many. */
  async purge(before: number): Promise<number> {
    const rows = await this.opts.db.query('delete from offline_message where coalesce(handled_at, created_at) < $1 returning id', [before]);
    return rows.length;
  }
}

