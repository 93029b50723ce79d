import type { CustomerLink, Participant, QueueEntry } from '../src/protocol/index.js';

/** What the broker keeps about one room on Janus. The secret never leaves the broker. */
export interface RoomCredentials {
  room: string;
  secret: string;
  pin: string;
}

export interface AgentClaim {
  agent: Participant;
  /** The agent's token, added to both rooms' allowed lists. */
  token: string;
  /** Settles when Janus has accepted the token; shared by every request for this claim. */
  granted: Promise<void>;
}

export type ConversationState = QueueEntry['state'];

/** Who opened a conversation, for the per-client caps on open conversations. */
export interface ClientInfo {
  /** The client key (by default its address; IPv6 by /64). */
  key: string;
  /** Its network (IPv4 /24, IPv6 /48) when the key is an address. */
  network?: string;
  /** The website's user id when the visitor came with a signed identity. */
  userId?: string;
}

/** A certificate the broker issued in this conversation (src/protocol/signing.ts). */
export interface IssuedCertificate {
  role: Participant['role'];
  /** Participant id the key speaks for. */
  sub: string;
  kid: string;
  cert: string;
}

export interface Conversation {
  readonly id: string;
  readonly createdAt: number;
  readonly topic?: string;
  readonly page?: string;
  /** Carries `verified` when the website vouched for the customer (signed identity). */
  readonly customer: Participant;
  /** The customer's Janus core token and the rooms' allowed-list token. */
  readonly customerToken: string;
  readonly resumeKey: string;
  readonly textRoom: RoomCredentials;
  readonly videoRoom: RoomCredentials;
  readonly client: ClientInfo;
  /** Every certificate issued here, both roles, in issue order; all of them go into every descriptor. */
  readonly certs: IssuedCertificate[];
  /** Seen in its TextRoom at least once (then it gets the long waiting TTL instead of the short unjoined one). */
  customerJoined: boolean;
  state: ConversationState;
  claim?: AgentClaim;
  /** The customer record the claiming agent linked this chat to. */
  link?: CustomerLink;
  closedAt?: number;
  /** False while a closed conversation's rooms may still exist on Janus (destroy failed). */
  roomsDestroyed: boolean;
  /** False while a closed conversation's participant tokens may still be valid on Janus (remove failed). */
  tokensRevoked: boolean;
}

export type ClaimDecision =
  | { kind: 'new'; claim: AgentClaim }
  | { kind: 'same'; claim: AgentClaim }
  | { kind: 'taken'; by: Participant }
  | { kind: 'closed' };

/**
 * In-memory conversations. Every state change is synchronous, so two requests
 * interleaving at an `await` can never both win a claim; listeners hear about
 * each change (the queue stream).
 */
export class ConversationStore {
  private readonly byId = new Map<string, Conversation>();
  private readonly listeners = new Set<() => void>();

  get(id: string): Conversation | undefined {
    return this.byId.get(id);
  }

  all(): Conversation[] {
    return [...this.byId.values()];
  }

  /** Open (not closed) conversations, or those of them that `match`. */
  openCount(match: (c: Conversation) => boolean = () => true): number {
    let n = 0;
    for (const c of this.byId.values()) if (c.state !== 'closed' && match(c)) n++;
    return n;
  }

  add(c: Conversation): void {
    this.byId.set(c.id, c);
    this.changed();
  }

  remove(id: string): void {
    if (this.byId.delete(id)) this.changed();
  }

  /**
   * Decides a claim on the spot. `start` runs only for the winning claim and must
   * return at once (its promise is stored as `granted` before anyone can look).
   */
  decideClaim(c: Conversation, agent: Participant, token: string, start: (token: string) => Promise<void>): ClaimDecision {
    if (c.state === 'closed') return { kind: 'closed' };
    if (c.claim) {
      return c.claim.agent.id === agent.id ? { kind: 'same', claim: c.claim } : { kind: 'taken', by: c.claim.agent };
    }
    const claim: AgentClaim = { agent, token, granted: start(token) };
    c.claim = claim;
    c.state = 'claimed';
    this.changed();
    return { kind: 'new', claim };
  }

  /** Undoes a claim whose grant on Janus failed, so another agent (or a retry) can take it. */
  releaseClaim(c: Conversation, claim: AgentClaim): void {
    if (c.claim !== claim) return;
    c.claim = undefined;
    if (c.state === 'claimed') c.state = 'waiting';
    this.changed();
  }

  /** Records (or replaces) the customer link and tells the listeners. */
  setLink(c: Conversation, link: CustomerLink): void {
    c.link = link;
    this.changed();
  }

  /** Marks a conversation closed. Returns false if it already was. */
  markClosed(c: Conversation, now = Date.now()): boolean {
    if (c.state === 'closed') return false;
    c.state = 'closed';
    c.closedAt = now;
    this.changed();
    return true;
  }

  queue(): QueueEntry[] {
    return this.all()
      .sort((a, b) => a.createdAt - b.createdAt)
      .map(toQueueEntry);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const l of this.listeners) {
      try {
        l();
      } catch {
        // A failing listener must not undo or block a state change.
      }
    }
  }
}

export function toQueueEntry(c: Conversation): QueueEntry {
  const entry: QueueEntry = { id: c.id, display: c.customer.display, createdAt: c.createdAt, state: c.state };
  if (c.topic) entry.topic = c.topic;
  if (c.claim) entry.claimedBy = { id: c.claim.agent.id, display: c.claim.agent.display };
  if (c.customer.verified) entry.verified = { ...c.customer.verified };
  if (c.link) entry.link = { ...c.link, linkedBy: { ...c.link.linkedBy } };
  return entry;
}
