import type { CustomerAvailability } from '../src/protocol/index.js';
import type { OpeningHours } from './opening-hours.js';

/**
 * `GET /api/availability`, as the customer widget reads it: can a chat reach
 * an agent now? No when the operator's opening hours (opening-hours.ts) say
 * closed, or when the agents' presence says nobody is available. The widget
 * then offers to leave a message (offline-messages.ts) at once instead of
 * letting the visitor wait in a queue nobody works.
 *
 * The agents' side comes from whoever knows it (the agent presence of the
 * record: `AgentPresence.availability()`); without one, only the opening
 * hours decide and `agents` is left out.
 */

/** How many agents are available now (agent presence). */
export type AgentAvailabilitySource = () => Promise<{ available: boolean; agents: number }>;

export interface AvailabilityOptions {
  hours?: OpeningHours;
  agents?: AgentAvailabilitySource;
  /** The clock (tests). */
  now?: () => number;
}

export class Availability {
  constructor(private readonly opts: AvailabilityOptions = {}) {}

  /** Whether the broker knows anything that can say "nobody": opening hours or agents' presence. */
  get known(): boolean {
    return this.opts.hours !== undefined || this.opts.agents !== undefined;
  }

  async now(): Promise<CustomerAvailability> {
    const at = (this.opts.now ?? Date.now)();
    const hours = this.opts.hours?.at(at);
    const agents = this.opts.agents ? await this.opts.agents() : undefined;
    const count = agents ? { agents: agents.agents } : {};
    if (hours && !hours.open) {
      return { available: false, ...count, reason: 'closed', ...(hours.opensAt !== undefined ? { opensAt: hours.opensAt } : {}) };
    }
    const closesAt = hours?.closesAt !== undefined ? { closesAt: hours.closesAt } : {};
    if (agents && !agents.available) return { available: false, ...count, reason: 'no-agents', ...closesAt };
    return { available: true, ...count, ...closesAt };
  }
}
