import * as v from '../src/protocol/schema.js';
import { CustomerId } from '../src/protocol/index.js';
import type { Archive } from './archive.js';
import type { ConversationService } from './conversations.js';
import type { Db } from './db.js';
import type { Logger } from './log.js';
import type { ConversationStore } from './store.js';

/**
 * Erasure: `POST /api/erasure {customerId?, userId?}` with the operator's
 * token removes every conversation of one customer, with its transcript,
 * certificates and webhook events (pending ones never go out), and answers
 * with counts. `customerId` is the CRM record an agent linked the chat to;
 * `userId` the website's signed visitor identity. Open conversations are
 * closed and torn down on Janus first (their rooms' history goes with the
 * rooms). One whose teardown fails (Janus unreachable) loses its transcript
 * and events at once; its row stays, closed and marked as long past its
 * retention, until the sweep has torn it down, then the sweep removes it.
 */

export const ErasureRequest = v.pipe(
  v.strictObject({
    customerId: v.optional(CustomerId),
    userId: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(128))),
  }),
  v.check((r) => r.customerId !== undefined || r.userId !== undefined, 'give customerId, userId or both'),
);
export type ErasureRequest = v.InferOutput<typeof ErasureRequest>;

export interface ErasureResult {
  /** Conversations removed (or, see `deferred`, emptied and queued for removal). */
  conversations: number;
  /** Archived messages removed. */
  messages: number;
  /** Webhook events removed before they were delivered. */
  pendingEvents: number;
  /** Conversations whose rooms could not be destroyed on Janus yet: emptied now, removed by the sweep once torn down. */
  deferred: number;
}

export interface ErasureContext {
  db: Db;
  store: ConversationStore;
  conversations: ConversationService;
  archive?: Archive;
  log: Logger;
}

export async function eraseCustomer(ctx: ErasureContext, req: ErasureRequest): Promise<ErasureResult> {
  const ids = await ctx.db.query<{ id: string }>(
    `select id from conversation
      where ready and (($1::text is not null and link ->> 'customerId' = $1)
                    or ($2::text is not null and customer -> 'verified' ->> 'userId' = $2))
      order by created_at`,
    [req.customerId ?? null, req.userId ?? null],
  );
  const result: ErasureResult = { conversations: 0, messages: 0, pendingEvents: 0, deferred: 0 };
  for (const { id } of ids) {
    ctx.archive?.forget(id);
    // Counted before closing: closing writes a conversation.closed event of its own, which goes too.
    const [pending] = await ctx.db.query<{ n: number }>('select count(*)::int as n from webhook_outbox where conversation_id = $1 and delivered_at is null', [id]);
    let tornDown = false;
    try {
      tornDown = await ctx.conversations.endForErasure(id);
    } catch (e) {
      ctx.log('warn', `erasure: conversation ${id}: closing it failed (${e instanceof Error ? e.message : String(e)})`);
    }
    const counts = await ctx.db.transaction(async (tx) => {
      const messages = await tx.query('delete from transcript where conversation_id = $1 returning 1', [id]);
      await tx.query('delete from webhook_outbox where conversation_id = $1 and delivered_at is null', [id]);
      // Long past any retention: the sweep removes it as soon as its teardown has succeeded.
      if (!tornDown) await tx.query('update conversation set closed_at = 0 where id = $1', [id]);
      return { messages: messages.length, events: pending.n };
    });
    if (tornDown) await ctx.store.remove(id);
    else result.deferred++;
    result.conversations++;
    result.messages += counts.messages;
    result.pendingEvents += counts.events;
  }
  ctx.log('info', `erasure: ${result.conversations} conversation(s), ${result.messages} message(s), ${result.pendingEvents} pending event(s) removed${result.deferred ? `; ${result.deferred} wait for Janus to tear them down` : ''}`);
  return result;
}
