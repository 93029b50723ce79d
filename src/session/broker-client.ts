import * as v from 'valibot';
import { ApiError, ConversationGrant, CustomerSearchResponse, type CreateConversationRequest, type CustomerRecord } from '../protocol/index.js';

/** Error from the broker, with its JSON error code when it sent one. */
export class BrokerError extends Error {
  constructor(message: string, readonly status: number, readonly code: string) {
    super(message);
    this.name = 'BrokerError';
  }
}

/** Customer-side client of the reference broker's HTTP API. Every answer is validated. */
export class BrokerClient {
  readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = new URL(baseUrl, globalThis.location?.href).href.replace(/\/?$/, '/');
  }

  startConversation(request: CreateConversationRequest, signal?: AbortSignal): Promise<ConversationGrant> {
    return this.call('api/conversations', { method: 'POST', body: JSON.stringify(request), signal }, ConversationGrant);
  }

  /** Fetches the descriptor again after a reload or navigation, proving ownership with the resume key. */
  resume(conversationId: string, resumeKey: string, signal?: AbortSignal): Promise<ConversationGrant> {
    return this.call(`api/conversations/${encodeURIComponent(conversationId)}`, {
      method: 'GET',
      headers: { authorization: `Bearer ${resumeKey}` },
      signal,
    }, ConversationGrant);
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
