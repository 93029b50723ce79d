import * as v from '../protocol/schema.js';
import {
  ApiError,
  ClaimResponse,
  ConversationGrant,
  CustomerAvailability,
  CustomerSearchResponse,
  OfflineMessageReceipt,
  QueuePosition,
  RegisterKeyResponse,
  TranscriptResponse,
  type ArchivedMessage,
  type ConversationDescriptor,
  type CreateConversationRequest,
  type CustomerRecord,
  type OfflineMessageRequest,
  type PublicKeyJwk,
} from '../protocol/index.js';
import type { ConversationOptions } from './conversation.js';
import { browserSigningKeys, newSigningIdentity, signingIdentityFor, type SigningKeyStore } from './signing-keys.js';

/** Error from the broker, with its JSON error code when it sent one. */
export class BrokerError extends Error {
  constructor(message: string, readonly status: number, readonly code: string) {
    super(message);
    this.name = 'BrokerError';
  }
}

/** Messages asked for per page of a transcript (the broker's maximum). */
const TRANSCRIPT_PAGE = 1000;
/** Pages followed at most: 100,000 messages is far beyond any chat, and a broker that keeps saying "more" stops here. */
const MAX_TRANSCRIPT_PAGES = 100;

/** Customer-side client of the reference broker's HTTP API. Every answer is validated. */
export class BrokerClient {
  readonly baseUrl: string;

  constructor(baseUrl: string, private readonly keys: SigningKeyStore = browserSigningKeys()) {
    this.baseUrl = new URL(baseUrl, globalThis.location?.href).href.replace(/\/?$/, '/');
  }

  /**
   * Starts a conversation as the customer. A signing key is made in this
   * browser first; its public half goes with the request and the grant
   * certifies it; the key is kept for the conversation.
   */
  async startConversation(request: Omit<CreateConversationRequest, 'publicKey'>, signal?: AbortSignal): Promise<ConversationGrant> {
    const identity = await newSigningIdentity();
    const grant = await this.call('api/conversations', { method: 'POST', body: JSON.stringify({ ...request, publicKey: identity.publicKey }), signal }, ConversationGrant);
    await this.keys.keep(grant.descriptor.id, 'customer', identity);
    return grant;
  }

  /**
   * Agent: claims a conversation (or claims it again after a reload) with this
   * browser's signing key for it; the descriptor certifies the key.
   */
  async claim(conversationId: string, agentToken: string, signal?: AbortSignal): Promise<ClaimResponse> {
    const identity = await signingIdentityFor(conversationId, 'agent', this.keys);
    return this.call(`api/conversations/${encodeURIComponent(conversationId)}/claim`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agentToken}` },
      body: JSON.stringify({ publicKey: identity.publicKey }),
      signal,
    }, ClaimResponse);
  }

  /**
   * Certifies another signing key for this browser (it lost the one it had):
   * `bearer` is the customer's resume key or the claiming agent's token.
   */
  registerKey(conversationId: string, publicKey: PublicKeyJwk, bearer: string, signal?: AbortSignal): Promise<RegisterKeyResponse> {
    return this.call(`api/conversations/${encodeURIComponent(conversationId)}/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}` },
      body: JSON.stringify({ publicKey }),
      signal,
    }, RegisterKeyResponse);
  }

  /** Fetches the descriptor again after a reload or navigation, proving ownership with the resume key. */
  resume(conversationId: string, resumeKey: string, signal?: AbortSignal): Promise<ConversationGrant> {
    return this.call(`api/conversations/${encodeURIComponent(conversationId)}`, {
      method: 'GET',
      headers: { authorization: `Bearer ${resumeKey}` },
      signal,
    }, ConversationGrant);
  }

  /**
   * The conversation's archived record, all pages, in the order the archive
   * received the messages (oldest first). `bearer` is the customer's resume
   * key or the claiming agent's token. Each message keeps its signed `wire`
   * text: verify it (EnvelopeVerifier.open) before believing it.
   */
  async transcript(conversationId: string, bearer: string, signal?: AbortSignal): Promise<ArchivedMessage[]> {
    const messages: ArchivedMessage[] = [];
    let after: string | undefined;
    for (let page = 0; page < MAX_TRANSCRIPT_PAGES; page++) {
      const query = new URLSearchParams({ limit: String(TRANSCRIPT_PAGE) });
      if (after !== undefined) query.set('after', after);
      const r = await this.call(`api/conversations/${encodeURIComponent(conversationId)}/transcript?${query.toString()}`, {
        method: 'GET',
        headers: { authorization: `Bearer ${bearer}` },
        signal,
      }, TranscriptResponse);
      messages.push(...r.messages);
      const last = r.messages.at(-1)?.id;
      // "More" with nothing new would ask for the same page forever.
      if (!r.more || last === undefined || last === after) break;
      after = last;
    }
    return messages;
  }

  /** Agent: the broker's built-in customer lookup (a CRM usually answers `vc-customer-search` itself). */
  async searchCustomers(query: string, agentToken: string, signal?: AbortSignal): Promise<CustomerRecord[]> {
    const r = await this.call(`api/customers?q=${encodeURIComponent(query)}`, { method: 'GET', headers: { authorization: `Bearer ${agentToken}` }, signal }, CustomerSearchResponse);
    return r.customers;
  }

  /** Agent: records the link on the broker too (queue entry, later grants). */
  async linkCustomer(conversationId: string, record: { customerId: string; name: string }, agentToken: string, signal?: AbortSignal): Promise<void> {
    await this.call(`api/conversations/${encodeURIComponent(conversationId)}/link`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agentToken}` },
      body: JSON.stringify(record),
      signal,
    }, v.unknown());
  }

  /** Whether a chat can reach an agent now (opening hours, agents' presence): `GET /api/availability`. */
  availability(signal?: AbortSignal): Promise<CustomerAvailability> {
    return this.call('api/availability', { method: 'GET', signal }, CustomerAvailability);
  }

  /** Leaves a message for the agents when nobody is available: `POST /api/offline-messages`. */
  leaveMessage(message: OfflineMessageRequest, signal?: AbortSignal): Promise<OfflineMessageReceipt> {
    return this.call('api/offline-messages', { method: 'POST', body: JSON.stringify(message), signal }, OfflineMessageReceipt);
  }

  /** The customer's place in the queue while no agent has taken the chat, proven with the resume key. */
  queuePosition(conversationId: string, resumeKey: string, signal?: AbortSignal): Promise<QueuePosition> {
    return this.call(`api/conversations/${encodeURIComponent(conversationId)}/queue`, {
      method: 'GET',
      headers: { authorization: `Bearer ${resumeKey}` },
      signal,
    }, QueuePosition);
  }

  /** Ends the conversation for both sides (the customer, with its resume key). */
  async close(conversationId: string, resumeKey: string, signal?: AbortSignal): Promise<void> {
    await this.call(`api/conversations/${encodeURIComponent(conversationId)}/close`, {
      method: 'POST',
      headers: { authorization: `Bearer ${resumeKey}` },
      body: '{}',
      signal,
    }, v.unknown());
  }

  private async call<S extends v.GenericSchema>(path: string, init: RequestInit, schema: S): Promise<v.InferOutput<S>> {
    const headers = new Headers(init.headers);
    if (init.body) headers.set('content-type', 'application/json');
    let res: Response;
    try {
      res = await fetch(new URL(path, this.baseUrl), { ...init, headers });
    } catch (e) {
      if (init.signal?.aborted) throw e;
      throw new BrokerError('Cannot reach the chat service. Check your connection and try again.', 0, 'network');
    }
    let data: unknown;
    try {
      data = await res.json();
    } catch {
      throw new BrokerError(`Chat service answered ${res.status} without JSON`, res.status, 'bad_response');
    }
    if (!res.ok) {
      const err = v.safeParse(ApiError, data);
      throw err.success
        ? new BrokerError(err.output.error.message, res.status, err.output.error.code)
        : new BrokerError(`Chat service answered ${res.status}`, res.status, 'bad_response');
    }
    const parsed = v.safeParse(schema, data);
    if (!parsed.success) throw new BrokerError(`Chat service sent an invalid answer: ${parsed.issues[0].message}`, res.status, 'bad_response');
    return parsed.output;
  }
}

/** What the broker-backed options of a conversation prove themselves with. */
export interface BrokerAccess {
  brokerUrl: string;
  /** The customer's resume key, or the claiming agent's token. */
  bearer: string;
}

/**
 * The conversation options that need the broker: the whole transcript from
 * its record (the room keeps only its last 200 messages, and none after a
 * Janus restart), and a certificate for a new signing key when this browser
 * lost its own. `access` is asked at each use; undefined means "no broker
 * for this conversation": no history from the record, and `noKeyMessage` for
 * a lost key.
 */
export function brokerConversationOptions(
  access: (descriptor: ConversationDescriptor) => BrokerAccess | undefined,
  noKeyMessage: string,
): Pick<ConversationOptions, 'registerKey' | 'history' | 'refreshDescriptor'> {
  return {
    // Where the conversation lives now (the broker moves it when its Janus dies): the customer
    // resumes with its resume key, the agent claims again (the same claim, the same descriptor).
    refreshDescriptor: async (d, signal) => {
      const a = access(d);
      if (!a) return d;
      const client = new BrokerClient(a.brokerUrl);
      return d.self.role === 'customer' ? (await client.resume(d.id, a.bearer, signal)).descriptor : (await client.claim(d.id, a.bearer, signal)).descriptor;
    },
    registerKey: (d, publicKey) => {
      const a = access(d);
      if (!a) return Promise.reject(new Error(noKeyMessage));
      return new BrokerClient(a.brokerUrl).registerKey(d.id, publicKey, a.bearer);
    },
    history: async (d, signal) => {
      const a = access(d);
      if (!a) return [];
      const messages = await new BrokerClient(a.brokerUrl).transcript(d.id, a.bearer, signal);
      return messages.map((m) => m.wire);
    },
  };
}
