import * as v from 'valibot';
import { ConversationDescriptorSchema } from './descriptor.js';

/** Request and response bodies of the reference broker's HTTP API. */

const Display = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(80));

export const CreateConversationRequest = v.strictObject({
  display: v.optional(Display),
  topic: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(200))),
  page: v.optional(v.pipe(v.string(), v.maxLength(2048))),
});
export type CreateConversationRequest = v.InferOutput<typeof CreateConversationRequest>;

export const ClaimRequest = v.strictObject({
  agentId: v.pipe(v.string(), v.minLength(1), v.maxLength(128), v.regex(/^[A-Za-z0-9_.@-]+$/)),
  display: Display,
});
export type ClaimRequest = v.InferOutput<typeof ClaimRequest>;

/** What a customer gets back: its descriptor and the key that lets it resume after a reload. */
export const ConversationGrant = v.object({
  descriptor: ConversationDescriptorSchema,
  resumeKey: v.pipe(v.string(), v.minLength(16), v.maxLength(256)),
});
export type ConversationGrant = v.InferOutput<typeof ConversationGrant>;

export const QueueEntry = v.object({
  id: v.string(),
  display: v.string(),
  topic: v.optional(v.string()),
  createdAt: v.number(),
  claimedBy: v.optional(v.object({ id: v.string(), display: v.string() })),
  state: v.picklist(['waiting', 'claimed', 'closed']),
});
export type QueueEntry = v.InferOutput<typeof QueueEntry>;

export const ApiError = v.object({ error: v.object({ code: v.string(), message: v.string() }) });
export type ApiError = v.InferOutput<typeof ApiError>;
