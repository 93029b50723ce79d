/**
 * Lazy entry points: the session layer imports only these (and types), so a
 * page that never cobrowses downloads neither rrweb nor the cobrowse code
 * around it; the customer side never downloads the agent's and vice versa.
 */
export type CustomerRuntime = typeof import('./customer.js');
export type AgentRuntime = typeof import('./agent.js');

let customer: Promise<CustomerRuntime> | undefined;
let agent: Promise<AgentRuntime> | undefined;

export function loadCustomerRuntime(): Promise<CustomerRuntime> {
  customer ??= import('./customer.js').catch((e: unknown) => {
    customer = undefined;
    throw e;
  });
  return customer;
}

export function loadAgentRuntime(): Promise<AgentRuntime> {
  agent ??= import('./agent.js').catch((e: unknown) => {
    agent = undefined;
    throw e;
  });
  return agent;
}
