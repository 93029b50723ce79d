import * as v from './schema.js';
import { RoleSchema } from './role.js';
import { ConversationAuthSchema } from './signing.js';

const RoomId = v.union([v.pipe(v.string(), v.minLength(1), v.maxLength(128)), v.pipe(v.number(), v.integer(), v.minValue(1))]);
const Display = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(80));

export { RoleSchema, type Role } from './role.js';

/**
 * Set by the broker when the website vouched for this customer with a signed
 * identity (see the README, "Visitor identity"): the site's own user id.
 */
export const VerifiedIdentitySchema = v.object({ userId: v.pipe(v.string(), v.minLength(1), v.maxLength(128)) });
export type VerifiedIdentity = v.InferOutput<typeof VerifiedIdentitySchema>;

export const ParticipantSchema = v.object({
  role: RoleSchema,
  id: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
  display: Display,
  verified: v.optional(VerifiedIdentitySchema),
});
export type Participant = v.InferOutput<typeof ParticipantSchema>;

const IceServerSchema = v.object({
  urls: v.union([v.string(), v.array(v.string())]),
  username: v.optional(v.string()),
  credential: v.optional(v.string()),
});

/**
 * Everything an element needs to join one conversation. The elements never
 * need the broker: a host may build this itself.
 */
export const ConversationDescriptorSchema = v.object({
  id: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
  gateway: v.pipe(v.string(), v.regex(/^wss?:\/\//, 'gateway must be a ws:// or wss:// URL')),
  /** Participant token: Janus core token (token_auth) and the rooms' allowed-list token. */
  token: v.optional(v.pipe(v.string(), v.maxLength(512))),
  textRoom: v.object({ room: RoomId, pin: v.optional(v.string()) }),
  videoRoom: v.object({ room: RoomId, pin: v.optional(v.string()) }),
  self: ParticipantSchema,
  /** The other side, when known (the agent who claimed it, or the customer). */
  peer: v.optional(ParticipantSchema),
  iceServers: v.optional(v.array(IceServerSchema)),
  /** The broker's authority key and the participants' certificates (see signing.ts). */
  auth: ConversationAuthSchema,
});
export type ConversationDescriptor = v.InferOutput<typeof ConversationDescriptorSchema>;

export function parseDescriptor(data: unknown): { ok: true; descriptor: ConversationDescriptor } | { ok: false; reason: string } {
  const r = v.safeParse(ConversationDescriptorSchema, data);
  if (r.success) return { ok: true, descriptor: r.output };
  const issue = r.issues[0];
  const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
  return { ok: false, reason: `invalid conversation descriptor${path ? ` at ${path}` : ''}: ${issue.message}` };
}
