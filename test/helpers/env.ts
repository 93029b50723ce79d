import { executeServerCommand } from '@web/test-runner-commands';
import type { ConversationDescriptor, ConversationGrant } from '../../src/protocol/index.js';

export interface TestEnv {
  gateway: string;
  gatewayProxy: string;
  broker: string;
}

export function testEnv(): Promise<TestEnv> {
  return executeServerCommand<TestEnv, undefined>('vc-env');
}

/** Cuts every WebSocket that goes through the test proxy, refusing new ones for `holdMs`. */
export function dropGatewaySockets(holdMs = 0): Promise<{ dropped: number }> {
  return executeServerCommand<{ dropped: number }, { holdMs: number }>('vc-drop-gateway', { holdMs });
}

async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(path, { ...init, headers: { 'content-type': 'application/json', ...(init.headers ?? {}) } });
  const body = (await res.json()) as T;
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path} -> ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** A real conversation from the broker: the customer's grant and the claiming agent's descriptor. */
export async function newConversation(customerName = 'Casey', agentName = 'Ann'): Promise<{ customer: ConversationGrant; agent: ConversationDescriptor }> {
  const customer = await api<ConversationGrant>('/api/conversations', { method: 'POST', body: JSON.stringify({ display: customerName }) });
  const agentId = `agent-${Math.random().toString(36).slice(2, 10)}`;
  const claim = await api<{ descriptor: ConversationDescriptor }>(`/api/conversations/${customer.descriptor.id}/claim`, {
    method: 'POST',
    body: JSON.stringify({ agentId, display: agentName }),
  });
  return { customer, agent: claim.descriptor };
}

export async function waitFor(check: () => boolean, what: string, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
