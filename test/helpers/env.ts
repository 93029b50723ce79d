import { executeServerCommand } from '@web/test-runner-commands';
import type { AgentLoginResponse, ConversationDescriptor, ConversationGrant } from '../../src/protocol/index.js';
import { BrokerClient, Conversation } from '../../src/session/index.js';

export interface TestEnv {
  gateway: string;
  gatewayProxy: string;
  broker: string;
  /** The test stack's agent account (display name "Ann"). */
  agent: { username: string; password: string };
}

export function testEnv(): Promise<TestEnv> {
  return executeServerCommand<TestEnv, undefined>('vc-env');
}

/** Sessions and plugin handles Janus holds right now (Admin API). */
export function janusHandles(): Promise<{ sessions: number; handles: number }> {
  return executeServerCommand<{ sessions: number; handles: number }, undefined>('vc-janus-handles');
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

let login: Promise<AgentLoginResponse> | undefined;

/** Signs in once per page as the stack's agent (display "Ann") and returns the bearer token. */
export async function agentToken(): Promise<string> {
  login ??= testEnv().then(({ agent }) => api<AgentLoginResponse>('/api/agent/login', { method: 'POST', body: JSON.stringify(agent) }));
  login.catch(() => (login = undefined));
  return (await login).token;
}

/**
 * A real conversation from the broker: the customer's grant and the claiming
 * agent's descriptor. The agent is the stack's signed-in agent, so its name is
 * always "Ann" (the broker takes the name from the login, not from the request);
 * `agentName` only documents that at the call site.
 */
export async function newConversation(customerName = 'Casey', agentName: 'Ann' = 'Ann'): Promise<{ customer: ConversationGrant; agent: ConversationDescriptor }> {
  // Through the client the elements use: each side's signing key is made and kept in this page's browser.
  const broker = new BrokerClient('/');
  const customer = await broker.startConversation({ display: customerName });
  void agentName;
  const claim = await broker.claim(customer.descriptor.id, await agentToken());
  return { customer, agent: claim.descriptor };
}

/**
 * Customer and agent Conversations joined to one real conversation, both
 * seeing each other online. `track` receives them for disposal after the test.
 */
export async function connectedPair(track: Conversation[], customerGateway?: string): Promise<{ c: Conversation; a: Conversation }> {
  const { customer, agent } = await newConversation();
  const c = new Conversation();
  const a = new Conversation();
  track.push(c, a);
  await Promise.all([c.connect(customerGateway ? { ...customer.descriptor, gateway: customerGateway } : customer.descriptor), a.connect(agent)]);
  await waitFor(() => c.state.peer?.online === true && a.state.peer?.online === true, 'both sides to see each other');
  return { c, a };
}

export async function waitFor(check: () => boolean, what: string, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
