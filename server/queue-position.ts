import type { QueuePosition } from '../src/protocol/index.js';
import type { Queryable } from './db.js';
import { HttpError } from './http-util.js';

/**
 * `GET /api/conversations/:id/queue` (Bearer resumeKey): the customer's place
 * in the queue while no agent has claimed the conversation. The queue is
 * first come, first served: the place is 1 + the waiting conversations
 * created before this one (any broker's: it is counted in the record). The
 * widget asks every few seconds while it waits (CustomerEntry).
 */
export async function queuePosition(db: Queryable, id: string): Promise<QueuePosition> {
  const [row] = await db.query<{ state: QueuePosition['state']; ahead: number; waiting: number }>(
    `select c.state,
            (select count(*) from conversation o
              where o.ready and o.state = 'waiting' and (o.created_at, o.id) < (c.created_at, c.id))::int as ahead,
            (select count(*) from conversation o where o.ready and o.state = 'waiting')::int as waiting
       from conversation c where c.id = $1 and c.ready`,
    [id],
  );
  if (!row) throw new HttpError(404, 'not_found', 'No such conversation');
  if (row.state !== 'waiting') return { state: row.state };
  return { state: 'waiting', position: row.ahead + 1, waiting: row.waiting };
}
