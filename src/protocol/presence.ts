import * as v from './schema.js';
import { AgentIdentity } from './broker-api.js';

/**
 * Agent presence (README "Agent presence"): whether an agent can take chats.
 * Set by the agent console, kept alive by its open queue stream, and read by
 * the customer widget as a bare "is anyone there" (never who).
 */
export const AgentPresenceStatus = v.picklist(['available', 'away']);
export type AgentPresenceStatus = v.InferOutput<typeof AgentPresenceStatus>;

/** Body of `POST /api/agent/presence` (agent token). */
export const AgentPresenceRequest = v.strictObject({ status: AgentPresenceStatus });
export type AgentPresenceRequest = v.InferOutput<typeof AgentPresenceRequest>;

/**
 * Answer of `POST` and `GET /api/agent/presence`: the agent's status as the
 * broker now holds it. `expiresAt` (epoch ms): an available agent counts as
 * away after it unless a console's queue stream keeps refreshing it.
 */
export const AgentPresenceResponse = v.object({ status: AgentPresenceStatus, expiresAt: v.number() });
export type AgentPresenceResponse = v.InferOutput<typeof AgentPresenceResponse>;

/**
 * `GET /api/availability` (anyone, the customer widget): whether an agent is
 * available now, and how many. No identities.
 */
export const AvailabilityResponse = v.object({ available: v.boolean(), agents: v.pipe(v.number(), v.integer(), v.minValue(0)) });
export type AvailabilityResponse = v.InferOutput<typeof AvailabilityResponse>;

/**
 * `event: presence` on the queue stream (no `id:`: presence is state, not part
 * of the queue's event log): the agents available now, sent after the
 * snapshot or replay of every stream and again on every change. Consoles that
 * do not know the event ignore it.
 */
export const QueuePresenceEvent = v.object({ available: v.array(AgentIdentity) });
export type QueuePresenceEvent = v.InferOutput<typeof QueuePresenceEvent>;

/** The SSE event name of QueuePresenceEvent. */
export const QUEUE_PRESENCE_EVENT = 'presence';
