import type { CustomerLink, Participant, QueueEntry } from '../src/protocol/index.js';
import type { Db, Queryable } from './db.js';

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
}

// 'offline' is the state of offline messages' queue entries (offline-messages.ts), never of a conversation.
export type ConversationState = Exclude<QueueEntry['state'], 'offline'>;

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

/** One conversation as the record holds it (a snapshot: change it through the store). */
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
  /** The Janus the rooms live on, as browsers reach it. */
  readonly gateway: string;
  /** Every certificate issued here, both roles, in issue order; all of them go into every descriptor. */
  readonly certs: readonly IssuedCertificate[];
  /** Seen in its TextRoom at least once (then it gets the long waiting TTL instead of the short unjoined one). */
  readonly customerJoined: boolean;
  readonly state: ConversationState;
  readonly claim?: AgentClaim;
  /** The customer record the claiming agent linked this chat to. */
  readonly link?: CustomerLink;
  readonly closedAt?: number;
  /** False while a closed conversation's rooms may still exist on Janus (destroy failed). */
  readonly roomsDestroyed: boolean;
  /** False while a closed conversation's participant tokens may still be valid on Janus (remove failed). */
  readonly tokensRevoked: boolean;
  /** The broker whose archive its TextRoom posts to (archive-owner.ts). */
  readonly archiveBroker?: string;
}

export type NewConversation = Omit<Conversation, 'certs' | 'customerJoined' | 'state' | 'claim' | 'link' | 'closedAt' | 'roomsDestroyed' | 'tokensRevoked' | 'archiveBroker'>;

/** The caps reserve() checks. */
export interface CapacityLimits {
  perClient: number;
  perNetwork: number;
  perUser: number;
  maxOpen: number;
}

export type CapacityVerdict = { ok: true; gateway: string } | { ok: false; over: 'user' | 'client' | 'network' | 'all' };

/** Any number, as long as every broker uses the same: it serializes the capacity checks of all brokers on one database. */
const CAPACITY_LOCK = 7_345_012;

export type ClaimDecision =
  | { kind: 'new'; claim: AgentClaim; conversation: Conversation }
  | { kind: 'same'; claim: AgentClaim; conversation: Conversation }
  | { kind: 'taken'; by: Participant }
  | { kind: 'closed' };

/** What a change was, for whoever follows the queue (queue-stream.ts). */
export type StoreChange = { kind: 'added' | 'updated' | 'removed'; id: string };

interface Row {
  id: string;
  created_at: number;
  state: ConversationState;
  topic: string | null;
  page: string | null;
  customer: Participant;
  customer_token: string;
  resume_key: string;
  text_room: RoomCredentials;
  video_room: RoomCredentials;
  client_key: string;
  client_network: string | null;
  client_user: string | null;
  customer_joined: boolean;
  claim_agent: Participant | null;
  claim_token: string | null;
  link: CustomerLink | null;
  closed_at: number | null;
  rooms_destroyed: boolean;
  tokens_revoked: boolean;
  gateway: string;
  archive_broker: string | null;
  certs: IssuedCertificate[] | null;
}

const SELECT = `select c.*, (
    select json_agg(json_build_object('role', x.role, 'sub', x.sub, 'kid', x.kid, 'cert', x.cert) order by x.position)
    from certificate x where x.conversation_id = c.id
  ) as certs
  from conversation c`;

function toConversation(r: Row): Conversation {
  return {
    id: r.id,
    createdAt: r.created_at,
    ...(r.topic !== null ? { topic: r.topic } : {}),
    ...(r.page !== null ? { page: r.page } : {}),
    customer: r.customer,
    customerToken: r.customer_token,
    resumeKey: r.resume_key,
    textRoom: r.text_room,
    videoRoom: r.video_room,
    client: { key: r.client_key, ...(r.client_network !== null ? { network: r.client_network } : {}), ...(r.client_user !== null ? { userId: r.client_user } : {}) },
    gateway: r.gateway,
    certs: r.certs ?? [],
    customerJoined: r.customer_joined,
    state: r.state,
    ...(r.claim_agent && r.claim_token ? { claim: { agent: r.claim_agent, token: r.claim_token } } : {}),
    ...(r.link ? { link: r.link } : {}),
    ...(r.closed_at !== null ? { closedAt: r.closed_at } : {}),
    roomsDestroyed: r.rooms_destroyed,
    tokensRevoked: r.tokens_revoked,
    ...(r.archive_broker !== null ? { archiveBroker: r.archive_broker } : {}),
  };
}

/**
 * Conversations in the broker's database. Every decision that two requests
 * could race for (a claim, closing) is one conditional UPDATE, so it is
 * atomic however many requests (or brokers) ask at once; listeners hear
 * about each change this process made (the queue stream).
 */
export class ConversationStore {
  private readonly listeners = new Set<(change: StoreChange) => void>();

  constructor(private readonly db: Db) {}

  async get(id: string, q: Queryable = this.db): Promise<Conversation | undefined> {
    const [row] = await q.query<Row>(`${SELECT} where c.id = $1 and c.ready`, [id]);
    return row ? toConversation(row) : undefined;
  }

  /** Every conversation still in the record that is open, or closed but not yet torn down or within `closedSince`. */
  async live(closedSince: number): Promise<Conversation[]> {
    const rows = await this.db.query<Row>(
      `${SELECT} where c.ready and (c.state <> 'closed' or c.closed_at >= $1 or not c.rooms_destroyed or not c.tokens_revoked) order by c.created_at`,
      [closedSince],
    );
    return rows.map(toConversation);
  }

  /** Open (not closed) conversations, all or of one client, network or user. */
  async openCount(of: { key?: string; network?: string; userId?: string } = {}): Promise<number> {
    const [{ n }] = await this.db.query<{ n: number }>(
      `select count(*)::int as n from conversation
        where state <> 'closed'
          and ($1::text is null or client_key = $1)
          and ($2::text is null or client_network = $2)
          and ($3::text is null or client_user = $3)`,
      [of.key ?? null, of.network ?? null, of.userId ?? null],
    );
    return n;
  }

  /**
   * Takes a place for a new conversation if the caps allow it: counting and
   * inserting happen in one transaction under one lock, so concurrent
   * requests (on any broker) cannot all slip under a cap. The row is not
   * `ready` (invisible, unclaimable) until markReady, after its rooms exist.
   */
  /**
   * `gateways`: the Janus servers it may go on; it goes on the one with the
   * fewest open conversations (first in the list on a tie), counted under the
   * same lock, so brokers creating at once spread over the servers. Default:
   * `c.gateway`.
   */
  async reserve(c: NewConversation, certs: readonly IssuedCertificate[], caps: CapacityLimits, gateways: readonly string[] = [c.gateway]): Promise<CapacityVerdict> {
    return this.db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock($1)', [CAPACITY_LOCK]);
      const [n] = await tx.query<{ all: number; client: number; network: number; user: number }>(
        `select count(*)::int as all,
                count(*) filter (where client_key = $1)::int as client,
                count(*) filter (where client_network = $2)::int as network,
                count(*) filter (where client_user = $3)::int as user
           from conversation where state <> 'closed'`,
        [c.client.key, c.client.network ?? null, c.client.userId ?? null],
      );
      if (c.client.userId !== undefined && n.user >= caps.perUser) return { ok: false, over: 'user' };
      if (n.client >= caps.perClient) return { ok: false, over: 'client' };
      if (c.client.network !== undefined && n.network >= caps.perNetwork) return { ok: false, over: 'network' };
      if (n.all >= caps.maxOpen) return { ok: false, over: 'all' };
      let gateway = gateways[0] ?? c.gateway;
      if (gateways.length > 1) {
        const load = await tx.query<{ gateway: string; n: number }>(
          `select gateway, count(*)::int as n from conversation where state <> 'closed' and gateway = any($1::text[]) group by gateway`,
          [gateways],
        );
        const count = new Map(load.map((r) => [r.gateway, r.n]));
        gateway = gateways.reduce((best, g) => ((count.get(g) ?? 0) < (count.get(best) ?? 0) ? g : best));
      }
      await tx.query(
        `insert into conversation (id, created_at, state, topic, page, customer, customer_token, resume_key, text_room, video_room,
                                   client_key, client_network, client_user, gateway)
         values ($1, $2, 'waiting', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [c.id, c.createdAt, c.topic ?? null, c.page ?? null, c.customer, c.customerToken, c.resumeKey, c.textRoom, c.videoRoom,
          c.client.key, c.client.network ?? null, c.client.userId ?? null, gateway],
      );
      for (const x of certs) {
        await tx.query('insert into certificate (conversation_id, kid, role, sub, cert, issued_at) values ($1, $2, $3, $4, $5, $6)', [c.id, x.kid, x.role, x.sub, x.cert, c.createdAt]);
      }
      return { ok: true, gateway };
    });
  }

  /** Its rooms exist: the conversation joins the queue. */
  async markReady(id: string): Promise<void> {
    await this.db.query('update conversation set ready = true where id = $1', [id]);
    this.changed({ kind: 'added', id });
  }

  /** Gives back a place reserve() took for a conversation whose rooms could not be made. */
  async unreserve(id: string): Promise<void> {
    await this.db.query('delete from conversation where id = $1 and not ready', [id]);
  }

  /** Forgets a conversation and its transcript (retention, erasure). */
  async remove(id: string): Promise<void> {
    const rows = await this.db.query('delete from conversation where id = $1 returning id', [id]);
    if (rows.length > 0) this.changed({ kind: 'removed', id });
  }

  /**
   * Decides a claim in one statement: the first claim of a waiting
   * conversation wins; the same agent claiming again (a reload) gets its claim
   * back; anyone else gets "taken".
   */
  async claim(id: string, agent: Participant, token: string, now = Date.now()): Promise<ClaimDecision | undefined> {
    const won = await this.db.query<{ id: string }>(
      `update conversation set state = 'claimed', claim_agent = $2, claim_token = $3, claimed_at = $4
        where id = $1 and state = 'waiting' and ready returning id`,
      [id, agent, token, now],
    );
    const c = await this.get(id);
    if (!c) return undefined;
    if (won.length > 0 && c.claim) {
      this.changed({ kind: 'updated', id });
      return { kind: 'new', claim: c.claim, conversation: c };
    }
    if (c.state === 'closed') return { kind: 'closed' };
    if (!c.claim) return undefined; // released meanwhile: the caller may try again
    return c.claim.agent.id === agent.id ? { kind: 'same', claim: c.claim, conversation: c } : { kind: 'taken', by: c.claim.agent };
  }

  /** Undoes a claim whose grant on Janus failed, so another agent (or a retry) can take it. */
  async releaseClaim(id: string, token: string): Promise<void> {
    const rows = await this.db.query(
      `update conversation set state = 'waiting', claim_agent = null, claim_token = null, claimed_at = null
        where id = $1 and claim_token = $2 and state = 'claimed' returning id`,
      [id, token],
    );
    if (rows.length > 0) this.changed({ kind: 'updated', id });
  }

  async setLink(id: string, link: CustomerLink): Promise<void> {
    await this.db.query('update conversation set link = $2 where id = $1', [id, link]);
    this.changed({ kind: 'updated', id });
  }

  /** Marks a conversation closed. Returns false if it already was (someone else closed it). */
  async markClosed(id: string, now = Date.now()): Promise<boolean> {
    const rows = await this.db.query(`update conversation set state = 'closed', closed_at = $2 where id = $1 and state <> 'closed' returning id`, [id, now]);
    if (rows.length > 0) this.changed({ kind: 'updated', id });
    return rows.length > 0;
  }

  async markJoined(id: string): Promise<void> {
    await this.db.query('update conversation set customer_joined = true where id = $1', [id]);
  }

  async setTornDown(id: string, done: { roomsDestroyed?: boolean; tokensRevoked?: boolean }): Promise<void> {
    await this.db.query(
      `update conversation set rooms_destroyed = rooms_destroyed or $2, tokens_revoked = tokens_revoked or $3 where id = $1`,
      [id, done.roomsDestroyed === true, done.tokensRevoked === true],
    );
  }

  /** Records a certificate; if `kid` already has one in this conversation, returns that one instead. */
  async addCertificate(id: string, cert: IssuedCertificate, now = Date.now()): Promise<IssuedCertificate> {
    await this.db.query(
      `insert into certificate (conversation_id, kid, role, sub, cert, issued_at) values ($1, $2, $3, $4, $5, $6)
       on conflict (conversation_id, kid) do nothing`,
      [id, cert.kid, cert.role, cert.sub, cert.cert, now],
    );
    const [row] = await this.db.query<IssuedCertificate>('select role, sub, kid, cert from certificate where conversation_id = $1 and kid = $2', [id, cert.kid]);
    return row;
  }

  /**
   * The queue as consoles see it: open conversations, and closed ones for `closedVisibleMs` after they closed.
   * Entries are made by the database (vc_queue_entry, migration 003), like the queue stream's events.
   */
  async queue(closedSince: number): Promise<QueueEntry[]> {
    const rows = await this.db.query<{ entry: QueueEntry }>(
      `select vc_queue_entry(c) as entry from conversation c where c.ready and (c.state <> 'closed' or c.closed_at >= $1) order by c.created_at`,
      [closedSince],
    );
    return rows.map((r) => r.entry);
  }

  /** Open conversations on one Janus (failover moves them). */
  async openOn(gateway: string): Promise<Conversation[]> {
    const rows = await this.db.query<Row>(`${SELECT} where c.ready and c.state <> 'closed' and c.gateway = $1 order by c.created_at`, [gateway]);
    return rows.map(toConversation);
  }

  /** Open conversations per Janus. */
  async openPerGateway(): Promise<Map<string, number>> {
    const rows = await this.db.query<{ gateway: string; n: number }>(`select gateway, count(*)::int as n from conversation where state <> 'closed' group by gateway`);
    return new Map(rows.map((r) => [r.gateway, r.n]));
  }

  /** Failover: the conversation lives on `to` now (if it is still open and on `from`); its TextRoom posts to `brokerId`. */
  async moveGateway(id: string, from: string, to: string, brokerId: string | undefined): Promise<boolean> {
    const rows = await this.db.query(
      `update conversation set gateway = $3, archive_broker = coalesce($4, archive_broker)
        where id = $1 and gateway = $2 and state <> 'closed' returning id`,
      [id, from, to, brokerId ?? null],
    );
    if (rows.length > 0) this.changed({ kind: 'updated', id });
    return rows.length > 0;
  }

  /** Its TextRoom posts to this broker's archive now. */
  async setArchiveBroker(id: string, brokerId: string | undefined): Promise<void> {
    if (brokerId === undefined) return;
    await this.db.query('update conversation set archive_broker = $2 where id = $1', [id, brokerId]);
  }

  /** Closed conversations (torn down on Janus) that closed before `before`: retention is over. */
  async closedBefore(before: number, limit = 500): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      `select id from conversation where state = 'closed' and closed_at < $1 and rooms_destroyed and tokens_revoked order by closed_at limit $2`,
      [before, limit],
    );
    return rows.map((r) => r.id);
  }

  onChange(listener: (change: StoreChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(change: StoreChange): void {
    for (const l of this.listeners) {
      try {
        l(change);
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
  entry.gateway = c.gateway;
  return entry;
}
