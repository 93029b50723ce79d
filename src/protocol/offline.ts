import * as v from './schema.js';

/**
 * Nobody waits forever (README "Embedding", "When nobody is there"): whether
 * a customer can reach an agent now, the message a customer leaves when
 * nobody can, and the customer's place in the queue while waiting.
 */

/** Longest offline message (characters). */
export const MAX_OFFLINE_TEXT = 4000;
/** Longest email address (RFC 5321 path limit). */
export const MAX_EMAIL = 254;

/** An email address as the widget and the broker accept it: trimmed, one @, a dot in the domain, no spaces. */
export const EmailAddress = v.pipe(
  v.string(),
  v.trim(),
  v.nonEmpty('email is required'),
  v.maxLength(MAX_EMAIL, `email must be at most ${MAX_EMAIL} characters`),
  v.email('email must be an address like name@example.com'),
);

/** `POST /api/offline-messages` (anyone; rate-limited like starting a chat). */
export const OfflineMessageRequest = v.strictObject({
  name: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(80))),
  email: EmailAddress,
  text: v.pipe(v.string(), v.trim(), v.nonEmpty('text is required'), v.maxLength(MAX_OFFLINE_TEXT, `text must be at most ${MAX_OFFLINE_TEXT} characters`)),
  /** The page the visitor wrote from. */
  page: v.optional(v.pipe(v.string(), v.maxLength(2048))),
});
export type OfflineMessageRequest = v.InferOutput<typeof OfflineMessageRequest>;

/** What the visitor gets back: the message's id (nothing else of the record). */
export const OfflineMessageReceipt = v.object({ id: v.string(), createdAt: v.number() });
export type OfflineMessageReceipt = v.InferOutput<typeof OfflineMessageReceipt>;

/** A stored offline message, as agents see it (`GET /api/offline-messages`). */
export const OfflineMessage = v.object({
  id: v.string(),
  createdAt: v.number(),
  name: v.optional(v.string()),
  email: v.string(),
  text: v.string(),
  page: v.optional(v.string()),
  /** `open` until an agent marks it handled (`POST /api/offline-messages/:id/handled`). */
  state: v.picklist(['open', 'handled']),
  handledAt: v.optional(v.number()),
  handledBy: v.optional(v.object({ id: v.string(), display: v.string() })),
});
export type OfflineMessage = v.InferOutput<typeof OfflineMessage>;

/** `GET /api/offline-messages?state=open|handled|all&before=<createdAt>&limit=` (agents), newest first. */
export const OfflineMessageList = v.object({
  messages: v.array(OfflineMessage),
  /** Older messages follow: ask again with `before` = the last one's createdAt. */
  more: v.boolean(),
});
export type OfflineMessageList = v.InferOutput<typeof OfflineMessageList>;

/** Body of `POST /api/offline-messages/:id/handled` (the bearer says which agent). */
export const HandleOfflineMessageRequest = v.strictObject({});

/**
 * What an offline message carries in the agents' queue (queue entries with
 * `state: 'offline'`, and `state: 'closed'` once handled).
 */
export const QueueOfflineDetail = v.object({
  email: v.string(),
  text: v.string(),
  page: v.optional(v.string()),
  handledAt: v.optional(v.number()),
  handledBy: v.optional(v.object({ id: v.string(), display: v.string() })),
});
export type QueueOfflineDetail = v.InferOutput<typeof QueueOfflineDetail>;

/** Why nobody can be reached: outside the opening hours, or no agent is available. */
export const UnavailableReason = v.picklist(['closed', 'no-agents']);
export type UnavailableReason = v.InferOutput<typeof UnavailableReason>;

/**
 * `GET /api/availability` as the widget reads it: `available` false means the
 * widget offers to leave a message instead of a chat. `agents` (how many are
 * available) is there when the broker knows its agents' presence; `opensAt`
 * (epoch ms) when it is closed and its opening hours say when it opens.
 */
export const CustomerAvailability = v.object({
  available: v.boolean(),
  agents: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  reason: v.optional(UnavailableReason),
  opensAt: v.optional(v.number()),
  /** While open: when the opening hours end today (epoch ms). */
  closesAt: v.optional(v.number()),
});
export type CustomerAvailability = v.InferOutput<typeof CustomerAvailability>;

/**
 * `GET /api/conversations/:id/queue` (Bearer resumeKey): where the customer
 * stands. `position` (1 = next) only while waiting; `availability` so that a
 * customer who waits while the last agent leaves is told at once.
 */
export const QueuePosition = v.object({
  state: v.picklist(['waiting', 'claimed', 'closed']),
  position: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  /** Customers waiting in all. */
  waiting: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  availability: v.optional(CustomerAvailability),
});
export type QueuePosition = v.InferOutput<typeof QueuePosition>;
