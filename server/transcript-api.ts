import type { ArchivedMessage, TranscriptResponse } from '../src/protocol/index.js';
import type { Queryable } from './db.js';
import { HttpError } from './http-util.js';

/**
 * `GET /api/conversations/:id/transcript?after=<messageId>&limit=<n>`: the
 * archived messages of a conversation in the order the archive stored them
 * (TranscriptResponse, src/protocol/broker-api.ts). Who may read it is decided
 * in api.ts; this is the query. One page is an index range scan on
 * `transcript_order (conversation_id, position)` after one primary-key lookup
 * for `after`, whatever the conversation's length.
 */

/** Default and largest page. */
export const MAX_TRANSCRIPT_PAGE = 1000;

interface Row {
  message_id: string;
  type: string;
  sender_role: 'agent' | 'customer';
  sender_id: string;
  ts: number;
  received_at: number;
  body: unknown;
  wire: string;
}

export function parseTranscriptQuery(query: URLSearchParams): { after?: string; limit: number } {
  const rawLimit = query.get('limit');
  let limit = MAX_TRANSCRIPT_PAGE;
  if (rawLimit !== null) {
    if (!/^\d{1,7}$/.test(rawLimit) || Number(rawLimit) < 1) throw new HttpError(400, 'invalid_request', `limit must be a whole number from 1 to ${MAX_TRANSCRIPT_PAGE}`);
    limit = Math.min(Number(rawLimit), MAX_TRANSCRIPT_PAGE);
  }
  const after = query.get('after');
  if (after !== null && (after.length === 0 || after.length > 64)) throw new HttpError(400, 'invalid_request', 'after must be a message id');
  return { ...(after !== null ? { after } : {}), limit };
}

export async function transcriptPage(db: Queryable, conversationId: string, after: string | undefined, limit: number): Promise<TranscriptResponse> {
  let from = 0;
  if (after !== undefined) {
    const [row] = await db.query<{ position: number }>('select position from transcript where conversation_id = $1 and message_id = $2', [conversationId, after]);
    if (!row) throw new HttpError(400, 'unknown_after', 'after: no message with this id in the conversation’s record');
    from = row.position;
  }
  const rows = await db.query<Row>(
    `select message_id, type, sender_role, sender_id, ts, received_at, body, wire
       from transcript where conversation_id = $1 and position > $2
      order by position limit $3`,
    [conversationId, from, limit + 1],
  );
  const more = rows.length > limit;
  const messages: ArchivedMessage[] = rows.slice(0, limit).map((r) => ({
    id: r.message_id,
    type: r.type,
    from: { role: r.sender_role, id: r.sender_id },
    ts: r.ts,
    receivedAt: r.received_at,
    body: r.body,
    wire: r.wire,
  }));
  return { conversationId, messages, more };
}
