import * as v from './schema.js';
import { ConversationDescriptorSchema, VerifiedIdentitySchema } from './descriptor.js';
import { ConversationAuthSchema, PublicKeyJwkSchema } from './signing.js';
import { QueueOfflineDetail } from './offline.js';

/** Request and response bodies of the reference broker's HTTP API. */

const Display = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(80));
/** Agent ids: also what an integrator's signed agent token carries as `sub`. */
export const AgentId = v.pipe(v.string(), v.minLength(1), v.maxLength(128), v.regex(/^[A-Za-z0-9_.@-]+$/));
/** A customer record's id in the CRM (the broker's demo list or the integrator's own). */
export const CustomerId = v.pipe(v.string(), v.minLength(1), v.maxLength(128), v.regex(/^[A-Za-z0-9_.:@-]+$/));

export const CreateConversationRequest = v.strictObject({
  display: v.optional(Display),
  topic: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(200))),
  page: v.optional(v.pipe(v.string(), v.maxLength(2048))),
  /**
   * Signed visitor identity from the website's server:
   * `base64url(JSON{userId, name?, exp}) + "." + base64url(HMAC-SHA256(siteSecret, <first part>))`.
   */
  identity: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(4096))),
  /** The public half of the customer's signing key (made in the browser); the grant certifies it. */
  publicKey: PublicKeyJwkSchema,
});
export type CreateConversationRequest = v.InferOutput<typeof CreateConversationRequest>;

/**
 * Body of POST /api/conversations/:id/claim. The agent is whoever the
 * `Authorization: Bearer` token says; `agentId` and `display` are accepted for
 * compatibility with older consoles and ignored.
 */
export const ClaimRequest = v.strictObject({
  agentId: v.optional(AgentId),
  display: v.optional(Display),
  /** The public half of the agent's signing key for this conversation; the descriptor certifies it. */
  publicKey: PublicKeyJwkSchema,
});
export type ClaimRequest = v.InferOutput<typeof ClaimRequest>;

/** The agent as the broker knows it after authentication. */
export const AgentIdentity = v.object({ id: AgentId, display: Display });
export type AgentIdentity = v.InferOutput<typeof AgentIdentity>;

export const AgentLoginRequest = v.strictObject({
  username: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
  password: v.pipe(v.string(), v.minLength(1), v.maxLength(1024)),
});
export type AgentLoginRequest = v.InferOutput<typeof AgentLoginRequest>;

/** `token` goes into `Authorization: Bearer` of every agent request. */
export const AgentLoginResponse = v.object({
  token: v.string(),
  agent: AgentIdentity,
  /** Epoch milliseconds. */
  expiresAt: v.number(),
});
export type AgentLoginResponse = v.InferOutput<typeof AgentLoginResponse>;

/** A short-lived, stream-only credential for `GET /api/queue/stream?ticket=…` (EventSource cannot send headers). */
export const QueueStreamTicket = v.object({ ticket: v.string(), expiresAt: v.number() });
export type QueueStreamTicket = v.InferOutput<typeof QueueStreamTicket>;

/**
 * Body of POST /api/conversations/:id/keys: another signing key for the caller
 * (its browser lost the first one). The customer proves itself with its resume
 * key, the claiming agent with its agent token.
 */
export const RegisterKeyRequest = v.strictObject({ publicKey: PublicKeyJwkSchema });
export type RegisterKeyRequest = v.InferOutput<typeof RegisterKeyRequest>;

/** The certificate for the registered key, and the conversation's authentication data as it stands now. */
export const RegisterKeyResponse = v.object({ cert: v.pipe(v.string(), v.minLength(1), v.maxLength(2048)), auth: ConversationAuthSchema });
export type RegisterKeyResponse = v.InferOutput<typeof RegisterKeyResponse>;

/** A customer record from the broker's lookup (GET /api/customers?q=…). */
export const CustomerRecord = v.object({
  id: CustomerId,
  name: Display,
  email: v.optional(v.string()),
  phone: v.optional(v.string()),
});
export type CustomerRecord = v.InferOutput<typeof CustomerRecord>;

export const CustomerSearchResponse = v.object({ customers: v.array(CustomerRecord) });
export type CustomerSearchResponse = v.InferOutput<typeof CustomerSearchResponse>;

/** Body of POST /api/conversations/:id/link: the record the agent links this chat to. */
export const LinkCustomerRequest = v.strictObject({ customerId: CustomerId, name: Display });
export type LinkCustomerRequest = v.InferOutput<typeof LinkCustomerRequest>;

/** A conversation's link to a customer record, as agents see it. */
export const CustomerLink = v.object({
  customerId: CustomerId,
  name: v.string(),
  /** Epoch milliseconds. */
  linkedAt: v.number(),
  linkedBy: v.object({ id: v.string(), display: v.string() }),
});
export type CustomerLink = v.InferOutput<typeof CustomerLink>;

/** What the customer learns about the link: the record's name only (the CRM's ids stay with the agents). */
export const CustomerLinkForCustomer = v.object({ name: v.string(), linkedAt: v.number() });
export type CustomerLinkForCustomer = v.InferOutput<typeof CustomerLinkForCustomer>;

/** What a customer gets back: its descriptor and the key that lets it resume after a reload. */
export const ConversationGrant = v.object({
  descriptor: ConversationDescriptorSchema,
  resumeKey: v.pipe(v.string(), v.minLength(16), v.maxLength(256)),
  link: v.optional(CustomerLinkForCustomer),
});
export type ConversationGrant = v.InferOutput<typeof ConversationGrant>;

/** What the claiming agent gets back. */
export const ClaimResponse = v.object({
  descriptor: ConversationDescriptorSchema,
  link: v.optional(CustomerLink),
});
export type ClaimResponse = v.InferOutput<typeof ClaimResponse>;

export const QueueEntry = v.object({
  id: v.string(),
  display: v.string(),
  topic: v.optional(v.string()),
  createdAt: v.number(),
  claimedBy: v.optional(v.object({ id: v.string(), display: v.string() })),
  /** `offline`: a message a visitor left while nobody was available (see `offline`); `closed` once an agent handled it. */
  state: v.picklist(['waiting', 'claimed', 'closed', 'offline']),
  /** The website vouched for this customer (signed identity). */
  verified: v.optional(VerifiedIdentitySchema),
  /** The agent linked the chat to this customer record. */
  link: v.optional(CustomerLink),
  /** The Janus its rooms live on (the descriptors' `gateway`); changes when a dead Janus's conversations are moved. */
  gateway: v.optional(v.string()),
  /** Only on offline messages (ids `offline-…`): who to answer, and what they wrote. */
  offline: v.optional(QueueOfflineDetail),
});
export type QueueEntry = v.InferOutput<typeof QueueEntry>;

/**
 * `GET /api/queue/stream` (Server-Sent Events): `event: snapshot` once (or
 * none when resuming from Last-Event-ID), then one event per change, each
 * with its event id in the SSE `id:` field. Unknown event names are to be
 * ignored (agent presence will add its own).
 */
export const QueueSnapshotEvent = v.object({ conversations: v.array(QueueEntry) });
export type QueueSnapshotEvent = v.InferOutput<typeof QueueSnapshotEvent>;
/** `event: added | claimed | closed | updated`: the conversation's entry as it is now. */
export const QueueEntryEvent = v.object({ entry: QueueEntry });
export type QueueEntryEvent = v.InferOutput<typeof QueueEntryEvent>;
/** `event: removed`: the conversation left the record (retention, erasure). */
export const QueueRemovedEvent = v.object({ id: v.string() });
export type QueueRemovedEvent = v.InferOutput<typeof QueueRemovedEvent>;
export const QUEUE_DELTA_EVENTS = ['added', 'claimed', 'closed', 'updated', 'removed'] as const;

export const ApiError = v.object({ error: v.object({ code: v.string(), message: v.string() }) });
export type ApiError = v.InferOutput<typeof ApiError>;

/**
 * One message of a conversation's record, as the broker's archive holds it:
 * who really sent it (from the signature the archive verified), and the signed
 * wire text itself, so a client can verify it again exactly like a message
 * from the room.
 */
export const ArchivedMessage = v.object({
  id: v.string(),
  type: v.string(),
  from: v.object({ role: v.picklist(['agent', 'customer']), id: v.string() }),
  /** Sender's clock, epoch milliseconds. */
  ts: v.number(),
  /** When the archive stored it, epoch milliseconds. */
  receivedAt: v.number(),
  body: v.unknown(),
  wire: v.pipe(v.string(), v.maxLength(32 * 1024)),
});
export type ArchivedMessage = v.InferOutput<typeof ArchivedMessage>;

/**
 * GET /api/conversations/:id/transcript (the claiming agent's token, any
 * agent's for a closed one, or the customer's resume key): the archived
 * messages in the order the archive received them. `?after=<id>` continues
 * after a message, `?limit=` pages (default and maximum 1000).
 */
export const TranscriptResponse = v.object({
  conversationId: v.string(),
  messages: v.array(ArchivedMessage),
  /** More messages follow: ask again with `after` = the last id. */
  more: v.boolean(),
});
export type TranscriptResponse = v.InferOutput<typeof TranscriptResponse>;
