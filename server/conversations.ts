import {
  keyIdOf,
  type AgentIdentity,
  type ClaimResponse,
  type ConversationAuth,
  type ConversationDescriptor,
  type ConversationGrant,
  type CreateConversationRequest,
  type CustomerLink,
  type LinkCustomerRequest,
  type Participant,
  type PublicKeyJwk,
  type QueueEntry,
  type RegisterKeyResponse,
  type Role,
} from '../src/protocol/index.js';
import type { CertificateAuthority } from './authority.js';
import { HttpError } from './http-util.js';
import { noTokens, type TokenGateway } from './janus-admin.js';
import { GatewayRequestError, GatewayUnavailableError, type RoomGateway, type RoomKind } from './janus-rooms.js';
import type { Logger } from './log.js';
import { networkOf } from './rate-limit.js';
import { randomId, randomToken, sameSecret, visitorName } from './secrets.js';
import { type ClientInfo, type Conversation, type ConversationStore, type IssuedCertificate, type NewConversation, type RoomCredentials, toQueueEntry } from './store.js';
import { verifyVisitorIdentity } from './visitor-identity.js';

export type IceServer = NonNullable<ConversationDescriptor['iceServers']>[number];

/**
 * Open conversations one client may hold at once. Together they keep the global
 * cap (`maxOpen`) out of reach of one address, one network or one user.
 */
export interface OpenConversationCaps {
  /** Per client key (by default the address; IPv6 by /64). */
  perClient: number;
  /** Per IPv4 /24 or IPv6 /48 (only when the client key is an address). */
  perNetwork: number;
  /** Per signed-in website user (signed visitor identity). */
  perUser: number;
}

export const DEFAULT_OPEN_CAPS: Readonly<OpenConversationCaps> = { perClient: 10, perNetwork: 50, perUser: 3 };

/** Most signing keys one participant may register in one conversation (a reload on a browser without IndexedDB makes a new one). */
export const MAX_KEYS_PER_PARTICIPANT = 8;

/** One Janus as the conversation service uses it (a JanusPool member; a fake in unit tests). */
export interface ConversationGateway {
  /** Its URL as browsers reach it: conversation.gateway, the descriptors' `gateway`. */
  readonly gateway: string;
  readonly rooms: RoomGateway;
  readonly tokens: TokenGateway;
  /** The broker has a session on it now (new conversations go only to connected ones). */
  readonly connected: boolean;
}

/** The Janus servers conversations may live on (JanusPool). */
export interface GatewayDirectory {
  get(gateway: string): ConversationGateway | undefined;
  all(): readonly ConversationGateway[];
}

export interface ConversationServiceOptions {
  /** Janus WebSocket URL as browsers reach it, when the service is given one RoomGateway (not a GatewayDirectory). */
  gateway?: string;
  iceServers?: IceServer[];
  /** Signs the participants' key certificates. */
  authority: CertificateAuthority;
  /** Open (not closed) conversations at most; protects memory and Janus. */
  maxOpen: number;
  /** Per-client caps on open conversations. Default DEFAULT_OPEN_CAPS. */
  caps?: Partial<OpenConversationCaps>;
  /** Unclaimed conversations are closed after this long. */
  waitingTtlMs: number;
  /**
   * A waiting conversation whose customer has not been seen in its TextRoom is
   * closed after this long: a request that only wanted to hold capacity never
   * joins. Default 5 min.
   */
  unjoinedTtlMs?: number;
  /** Closed conversations stay in the queue (state "closed") this long, so consoles see them end. */
  closedRetentionMs: number;
  /**
   * Closed conversations, with their transcripts, are purged from the record
   * this long after they closed. Default 30 days.
   */
  retentionMs?: number;
  /**
   * Absolute lifetime of a conversation, claimed or not. It bounds every token
   * the broker hands out: at this age the conversation is closed, its tokens are
   * removed from Janus and its rooms destroyed. Default 12 h.
   */
  maxLifetimeMs?: number;
  /** Janus core tokens (token_auth) of the one RoomGateway. Default: none (Janus without token_auth). */
  tokens?: TokenGateway;
  /** Site secret that visitor identities are signed with. Without it, a request carrying an identity is refused. */
  identitySecret?: string;
  /** Refuse conversations without a valid signed identity (sites where every visitor is logged in). */
  requireIdentity?: boolean;
  /** Identities whose exp is further ahead are refused (identity_lifetime). Default 1 h. */
  maxIdentityTtlMs?: number;
  /**
   * The archive (archive.ts): every TextRoom is created with `post` pointing at
   * it and with `token` on its allowed list, so the broker can join it itself
   * to read the room's history (the back-fill).
   */
  archive?: RoomArchiving;
  log: Logger;
}

/** What the rooms need from the archive. */
export interface RoomArchiving {
  /** The broker's own token on every TextRoom's allowed list. */
  token: string;
  /** The `post` URL of a conversation's TextRoom (this broker's archive). */
  postUrl(conversationId: string): string;
  /** This broker's id: a room pointed at its archive is recorded as archived by it (conversation.archive_broker). */
  brokerId?: string;
}

/** Who asks to close a conversation (or to register a key): the customer (its resume key) or an authenticated agent. */
export type CloseCredentials = { resumeKey: string } | { agent: AgentIdentity };
export type ParticipantCredentials = CloseCredentials;

/**
 * Conversation lifecycle: provision rooms on create, grant the agent on claim,
 * tear down on close, and put rooms back when Janus comes back empty. The
 * record lives in the database (store.ts): a restarted broker carries on with
 * every conversation, claim and certificate where it left them.
 */
export class ConversationService {
  private readonly caps: OpenConversationCaps;
  /**
   * Janus grants of claims under way in this process, by claim token: a second request for the same claim waits for it.
   * (A second request on another broker grants again: every step of a grant can be repeated.)
   */
  private readonly granting = new Map<string, Promise<void>>();
  private readonly gateways: GatewayDirectory;

  constructor(
    private readonly store: ConversationStore,
    gateways: RoomGateway | GatewayDirectory,
    private readonly opts: ConversationServiceOptions,
  ) {
    this.caps = { ...DEFAULT_OPEN_CAPS, ...opts.caps };
    if (isDirectory(gateways)) {
      this.gateways = gateways;
    } else {
      if (!opts.gateway) throw new Error('ConversationService: a single RoomGateway needs opts.gateway (its URL as browsers reach it)');
      const one: ConversationGateway = { gateway: opts.gateway, rooms: gateways, tokens: opts.tokens ?? noTokens, connected: true };
      this.gateways = { get: (g) => (g === one.gateway ? one : undefined), all: () => [one] };
    }
  }

  /** The token list of the Janus a conversation lives on (none for one no longer configured). */
  private gatewayTokens(c: Pick<Conversation, 'gateway'>): TokenGateway {
    return this.gateways.get(c.gateway)?.tokens ?? noTokens;
  }

  /** The Janus a conversation's rooms live on. */
  private on(c: Pick<Conversation, 'id' | 'gateway'>): ConversationGateway {
    const g = this.gateways.get(c.gateway);
    if (!g) throw new GatewayUnavailableError(`conversation ${c.id} lives on ${c.gateway}, which is not (or no longer) configured`);
    return g;
  }

  private get maxLifetimeMs(): number {
    return this.opts.maxLifetimeMs ?? DEFAULT_MAX_LIFETIME_MS;
  }

  private get unjoinedTtlMs(): number {
    return this.opts.unjoinedTtlMs ?? DEFAULT_UNJOINED_TTL_MS;
  }

  /** `clientKey`: who asks (rate-limit.ts), for the per-client caps. */
  async create(req: CreateConversationRequest, clientKey = 'unknown'): Promise<ConversationGrant> {
    const customer: Participant = { role: 'customer', id: `c-${randomToken(9)}`, display: req.display ?? visitorName() };
    const identity = this.checkIdentity(req.identity);
    if (identity) {
      customer.verified = { userId: identity.userId };
      if (identity.name) customer.display = identity.name;
    }
    const fresh: NewConversation = {
      id: randomId(),
      createdAt: Date.now(),
      topic: req.topic || undefined,
      page: req.page,
      customer,
      customerToken: randomToken(),
      resumeKey: randomToken(32),
      textRoom: newRoom(),
      videoRoom: newRoom(),
      client: { key: clientKey, network: networkOf(clientKey), userId: identity?.userId },
      gateway: '',
    };
    const cert = await this.issue(fresh, 'customer', customer.id, req.publicKey);
    // The least-loaded Janus the broker is connected to (all of them when it is connected to none: the create then
    // fails as "gateway unavailable" rather than "full"). It is picked in the same transaction and under the same
    // lock as the caps are checked, so brokers creating at once spread over the servers.
    const all = this.gateways.all();
    const up = all.filter((g) => g.connected);
    const candidates = (up.length ? up : all).map((g) => g.gateway);
    // The place under the caps is taken before Janus is asked for anything.
    const verdict = await this.store.reserve(fresh, [cert], { ...this.caps, maxOpen: this.opts.maxOpen }, candidates);
    if (!verdict.ok) throw this.overCapacity(verdict.over, fresh.client);
    const placed: NewConversation = { ...fresh, gateway: verdict.gateway };
    try {
      await this.provision(placed, placed.customerToken);
    } catch (e) {
      await this.store.unreserve(fresh.id);
      throw e;
    }
    await this.store.markReady(fresh.id);
    return this.grant(await this.find(fresh.id));
  }

  /** Another signing key for the customer (resume key) or the claiming agent (agent token): its certificate and the conversation's auth data. */
  async registerKey(id: string, who: ParticipantCredentials, publicKey: PublicKeyJwk): Promise<RegisterKeyResponse> {
    const c = await this.find(id);
    let role: Role;
    let sub: string;
    if ('resumeKey' in who) {
      if (!sameSecret(who.resumeKey, c.resumeKey)) throw new HttpError(403, 'forbidden', 'This key may not register signing keys in this conversation');
      role = 'customer';
      sub = c.customer.id;
    } else {
      if (c.claim?.agent.id !== who.agent.id) throw new HttpError(403, 'forbidden', 'Only the agent who claimed the conversation may register signing keys in it');
      role = 'agent';
      sub = who.agent.id;
    }
    if (c.state === 'closed') throw closedError();
    const cert = await this.certify(c, role, sub, publicKey);
    return { cert, auth: this.auth(await this.find(id)) };
  }

  /** True when `key` is this conversation's resume key (the customer). 404 for an unknown conversation. */
  async isResumeKey(id: string, key: string): Promise<boolean> {
    return sameSecret(key, (await this.find(id)).resumeKey);
  }

  /** The customer's grant again (after a reload), proven by the resume key. */
  async resume(id: string, resumeKey: string | undefined): Promise<ConversationGrant> {
    const c = await this.find(id);
    if (resumeKey === undefined) {
      throw new HttpError(401, 'unauthorized', 'Missing Authorization: Bearer <resumeKey>', { 'www-authenticate': 'Bearer' });
    }
    if (!sameSecret(resumeKey, c.resumeKey)) throw new HttpError(403, 'forbidden', 'Wrong resume key for this conversation');
    if (c.state === 'closed') throw closedError();
    return this.grant(c);
  }

  /**
   * First claim wins: the decision is one conditional UPDATE in the store,
   * so concurrent claims (on any broker) cannot both succeed; the same agent
   * claiming again (a reload) gets the same descriptor.
   */
  async claim(id: string, who: AgentIdentity, publicKey: PublicKeyJwk): Promise<ClaimResponse> {
    const before = await this.find(id);
    const agent: Participant = { role: 'agent', id: who.id, display: who.display };
    // A key that already speaks for the customer must not win the claim first and fail after.
    this.checkKeyOwner(before, await keyIdOf(publicKey), 'agent', agent.id);
    const decision = await this.store.claim(id, agent, randomToken());
    if (!decision) throw new HttpError(409, 'claim_conflict', 'The conversation changed while it was being claimed; try again');
    switch (decision.kind) {
      case 'closed':
        throw closedError();
      case 'taken':
        throw new HttpError(409, 'already_claimed', `Already taken by ${decision.by.display}`);
      case 'new': {
        const granted = this.grantAgent(decision.conversation, decision.claim.token);
        this.granting.set(decision.claim.token, granted);
        try {
          await granted;
        } catch (e) {
          await this.store.releaseClaim(id, decision.claim.token);
          this.gatewayTokens(decision.conversation).removeToken(decision.claim.token).catch(() => {});
          throw this.gatewayError(e, `granting agent ${agent.id} on ${id}`);
        } finally {
          this.granting.delete(decision.claim.token);
        }
        break;
      }
      case 'same':
        try {
          const underway = this.granting.get(decision.claim.token);
          // Claimed through another broker (whose grant may still be under way), or the conversation moved to
          // another Janus since: grant again, every step of it is idempotent.
          if (underway) await underway;
          else await this.grantAgent(decision.conversation, decision.claim.token);
        } catch (e) {
          throw this.gatewayError(e, `granting agent ${agent.id} on ${id}`);
        }
        break;
    }
    const now = await this.find(id);
    if (now.state === 'closed') {
      // Closed while Janus was still granting: the teardown may have run before the token was added.
      this.gatewayTokens(now).removeToken(decision.claim.token).catch(() => {});
      throw closedError();
    }
    await this.certify(now, 'agent', agent.id, publicKey);
    const c = await this.find(id);
    const res: ClaimResponse = { descriptor: this.descriptor(c, decision.claim.agent, decision.claim.token, c.customer) };
    if (c.link) res.link = { ...c.link };
    return res;
  }

  async close(id: string, who: CloseCredentials): Promise<QueueEntry> {
    const c = await this.find(id);
    this.authorizeClose(c, who);
    if (await this.store.markClosed(id)) await this.teardown(await this.find(id));
    return toQueueEntry(await this.find(id));
  }

  /** The claiming agent links the chat to a customer record (again: the new link replaces the old). */
  async link(id: string, agent: AgentIdentity, req: LinkCustomerRequest): Promise<CustomerLink> {
    const c = await this.find(id);
    if (c.state === 'closed') throw closedError();
    if (c.claim?.agent.id !== agent.id) throw new HttpError(403, 'forbidden', 'Only the agent who claimed the conversation may link it');
    const link: CustomerLink = { customerId: req.customerId, name: req.name, linkedAt: Date.now(), linkedBy: { id: agent.id, display: agent.display } };
    await this.store.setLink(id, link);
    return link;
  }

  queue(now = Date.now()): Promise<QueueEntry[]> {
    return this.store.queue(now - this.opts.closedRetentionMs);
  }

  /**
   * Housekeeping: expire conversations whose customer never joined and
   * unclaimed ones, close those at their maximum lifetime, retry failed
   * teardowns, and purge closed ones whose retention is over.
   */
  async sweep(now = Date.now()): Promise<void> {
    const work: Promise<void>[] = [];
    const live = await this.store.live(now - this.opts.closedRetentionMs);
    const unknown = await this.lookForCustomers(live, now);
    const close = (c: Conversation, why: string) => {
      this.opts.log('info', `conversation ${c.id}: ${why}, closing`);
      work.push(this.store.markClosed(c.id, now).then(async (closed) => { if (closed) await this.teardown(await this.find(c.id)); }));
    };
    for (const c of live) {
      if (c.state === 'waiting' && !c.customerJoined && !unknown.has(c.id) && now - c.createdAt > this.unjoinedTtlMs) close(c, 'the customer never joined its chat room');
      else if (c.state === 'waiting' && now - c.createdAt > this.opts.waitingTtlMs) close(c, 'unclaimed for too long');
      else if (c.state !== 'closed' && now - c.createdAt > this.maxLifetimeMs) close(c, 'reached its maximum lifetime');
      else if (c.state === 'closed' && (!c.roomsDestroyed || !c.tokensRevoked)) work.push(this.teardown(c));
    }
    await Promise.all(work);
    for (const id of await this.store.closedBefore(now - (this.opts.retentionMs ?? DEFAULT_RETENTION_MS))) await this.store.remove(id);
  }

  /**
   * Asks Janus who is in the TextRoom of each waiting conversation that is half
   * way to its unjoined deadline and has not been seen joined yet; remembers
   * the ones that have someone inside (before a claim only the customer's token
   * may enter). Returns those Janus could not tell about: they are not closed
   * on a guess.
   */
  private async lookForCustomers(live: Conversation[], now: number): Promise<Set<string>> {
    const unknown = new Set<string>();
    const due = live.filter((c) => c.state === 'waiting' && !c.customerJoined && now - c.createdAt >= this.unjoinedTtlMs / 2);
    await Promise.all(
      due.map(async (c) => {
        try {
          if ((await this.on(c).rooms.textParticipants(c.textRoom.room)).length > 0) {
            await this.store.markJoined(c.id);
            unknown.add(c.id); // joined: not to be closed as unjoined in this sweep
          }
        } catch (e) {
          unknown.add(c.id);
          this.opts.log('warn', `conversation ${c.id}: could not list its chat room (${errorMessage(e)})`);
        }
      }),
    );
    return unknown;
  }

  /**
   * After a (re)connection to Janus, and at startup: Janus may have restarted
   * and lost every room and token. Recreate the rooms of open conversations
   * (same ids, pins, secrets and tokens, so the participants' descriptors stay
   * valid) and finish teardowns that failed.
   */
  async reconcile(only?: string): Promise<void> {
    for (const c of await this.store.live(Date.now() - this.opts.closedRetentionMs)) {
      // One Janus that came back, or (at startup) every Janus the broker is connected to; the others get theirs when
      // they come back, or failover moves them.
      if (only !== undefined ? c.gateway !== only : !this.gateways.get(c.gateway)?.connected) continue;
      try {
        if (c.state === 'closed') {
          if (!c.roomsDestroyed || !c.tokensRevoked) await this.teardown(c);
          continue;
        }
        const g = this.on(c);
        const tokens = [c.customerToken, ...(c.claim ? [c.claim.token] : [])];
        // A restarted Janus has forgotten them too; adding an existing token is harmless.
        await Promise.all(tokens.map((t) => g.tokens.addToken(t)));
        for (const kind of ['text', 'video'] as const) {
          const creds = kind === 'text' ? c.textRoom : c.videoRoom;
          if (await g.rooms.exists(kind, creds.room)) {
            // Another broker's archive keeps its rooms (it takes over no one's while alive: see archive-owner.ts).
            if (kind === 'text' && this.archivesHere(c)) await this.pointAtArchive(c);
            continue;
          }
          this.opts.log('warn', `conversation ${c.id}: ${kind} room missing on Janus ${c.gateway}, recreating`);
          await this.createRoom(kind, c, tokens);
          if (kind === 'text') await this.store.setArchiveBroker(c.id, this.opts.archive?.brokerId);
        }
      } catch (e) {
        this.opts.log('warn', `conversation ${c.id}: reconcile failed: ${errorMessage(e)}`);
      }
    }
  }

  /** This broker's archive is (or may become) the one the conversation's TextRoom posts to. */
  private archivesHere(c: Conversation): boolean {
    const me = this.opts.archive?.brokerId;
    return me === undefined || c.archiveBroker === undefined || c.archiveBroker === me;
  }

  /**
   * Failover: recreates an open conversation's rooms and tokens on `target`
   * (same ids, pins, secrets and tokens, the TextRoom posting to this broker's
   * archive) and moves the record there. Returns false when there was nothing
   * to move (closed, or moved by someone else meanwhile): then the rooms just
   * made are taken down again.
   */
  async moveTo(c: Conversation, target: ConversationGateway): Promise<boolean> {
    const tokens = [c.customerToken, ...(c.claim ? [c.claim.token] : [])];
    await Promise.all(tokens.map((t) => target.tokens.addToken(t)));
    for (const kind of ['text', 'video'] as const) {
      try {
        await this.createRoom(kind, c, tokens, target);
      } catch (e) {
        // A move that was cut short before: the room is there already, with the same secret.
        if (!/already exists/i.test(errorMessage(e))) throw e;
        const creds = kind === 'text' ? c.textRoom : c.videoRoom;
        await target.rooms.allow(kind, creds.room, creds.secret, kind === 'text' && this.opts.archive ? [...tokens, this.opts.archive.token] : tokens);
        if (kind === 'text') await this.pointAtArchive(c, target);
      }
    }
    const moved = await this.store.moveGateway(c.id, c.gateway, target.gateway, this.opts.archive?.brokerId);
    if (!moved) {
      await this.teardownRooms(c, tokens, target);
      return false;
    }
    // A claim may have happened between our read and the move: its token goes on the new rooms too.
    const now = await this.store.get(c.id);
    if (now?.claim && !tokens.includes(now.claim.token)) await this.grantAgent(now, now.claim.token);
    return true;
  }

  /** 429 when this client holds too many open conversations already, 503 when the broker is full. */
  private overCapacity(over: 'user' | 'client' | 'network' | 'all', client: ClientInfo): HttpError {
    const tooMany = (message: string) =>
      new HttpError(429, 'too_many_open_conversations', message, { 'retry-after': String(Math.max(1, Math.ceil(this.unjoinedTtlMs / 1000))) });
    switch (over) {
      case 'user':
        return tooMany(`This user already has ${this.caps.perUser} open conversations; close one first`);
      case 'client':
        return tooMany(`This address already has ${this.caps.perClient} open conversations; close one first`);
      case 'network':
        return tooMany(`This network (${client.network}) already has ${this.caps.perNetwork} open conversations; try again later`);
      case 'all':
        // The widget shows this message to the visitor as it is (code 'capacity' for one that words it itself).
        return new HttpError(503, 'capacity', 'All our agents are busy right now. Please try again in a few minutes.', { 'retry-after': '30' });
    }
  }

  /**
   * Certifies `publicKey` for one participant and records it; the same key
   * again gets its certificate again. Refuses a key that already speaks for
   * the other participant (receivers would refuse it too) and a ninth key.
   */
  private async certify(c: Conversation, role: Role, sub: string, publicKey: PublicKeyJwk): Promise<string> {
    const kid = await keyIdOf(publicKey);
    const known = this.checkKeyOwner(c, kid, role, sub);
    if (known) return known;
    this.checkKeyCount(c, role, sub);
    const issued = await this.issue(c, role, sub, publicKey);
    // A concurrent request for the same key (a double click, a claim and a reload) may have won: the record keeps one.
    const kept = await this.store.addCertificate(c.id, issued);
    if (kept.role !== role || kept.sub !== sub) throw new HttpError(409, 'key_in_use', 'This signing key already speaks for another participant of this conversation; make a new key');
    return kept.cert;
  }

  private async issue(c: Pick<Conversation, 'id' | 'createdAt'>, role: Role, sub: string, publicKey: PublicKeyJwk): Promise<IssuedCertificate> {
    const nowS = Math.floor(Date.now() / 1000);
    const { cert, kid } = await this.opts.authority.certify({ cid: c.id, role, sub, publicKey, iat: nowS, exp: this.certificateExpiry(c) });
    return { role, sub, kid, cert };
  }

  /** The certificate of `kid` when it is already this participant's; 409 when it is someone else's. */
  private checkKeyOwner(c: Conversation, kid: string, role: Role, sub: string): string | undefined {
    const known = c.certs.find((x) => x.kid === kid);
    if (!known) return undefined;
    if (known.role !== role || known.sub !== sub) throw new HttpError(409, 'key_in_use', 'This signing key already speaks for another participant of this conversation; make a new key');
    return known.cert;
  }

  private checkKeyCount(c: Conversation, role: Role, sub: string): void {
    const mine = c.certs.filter((x) => x.role === role && x.sub === sub).length;
    if (mine >= MAX_KEYS_PER_PARTICIPANT) {
      throw new HttpError(429, 'too_many_keys', `At most ${MAX_KEYS_PER_PARTICIPANT} signing keys per participant and conversation`);
    }
  }

  /** Certificates live exactly as long as the conversation can (its maximum lifetime), in seconds. */
  private certificateExpiry(c: Pick<Conversation, 'createdAt'>): number {
    return Math.floor((c.createdAt + this.maxLifetimeMs) / 1000);
  }

  private auth(c: Conversation): ConversationAuth {
    return { authority: { ...this.opts.authority.publicJwk }, certs: c.certs.map((x) => x.cert) };
  }

  private async find(id: string): Promise<Conversation> {
    const c = await this.store.get(id);
    if (!c) throw new HttpError(404, 'not_found', 'No such conversation');
    return c;
  }

  private authorizeClose(c: Conversation, who: CloseCredentials): void {
    if ('resumeKey' in who) {
      if (sameSecret(who.resumeKey, c.resumeKey)) return;
      throw new HttpError(403, 'forbidden', 'This key may not close the conversation');
    }
    if (c.claim?.agent.id === who.agent.id) return;
    throw new HttpError(403, 'forbidden', 'Only the agent who claimed the conversation may close it');
  }

  private checkIdentity(identity: string | undefined): { userId: string; name?: string } | undefined {
    if (identity === undefined) {
      if (this.opts.requireIdentity) {
        throw new HttpError(401, 'identity_required', 'This site only starts chats for signed-in visitors: send a signed identity');
      }
      return undefined;
    }
    if (!this.opts.identitySecret) {
      throw new HttpError(400, 'identity_not_supported', 'This broker has no site secret configured, so it cannot verify an identity');
    }
    return verifyVisitorIdentity(identity, this.opts.identitySecret, Date.now(), this.opts.maxIdentityTtlMs);
  }

  private async provision(c: NewConversation, token: string): Promise<void> {
    const g = this.on(c);
    // The token and both rooms in parallel: each room carries the token in its ACL from the start.
    const results = await Promise.allSettled([
      g.tokens.addToken(token),
      this.createRoom('text', c, [token], g),
      this.createRoom('video', c, [token], g),
    ]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (!failed) return;
    // Do not leave half a conversation behind on Janus.
    await this.teardownRooms(c, [token], g);
    throw this.gatewayError(failed.reason, `creating rooms for ${c.id}`);
  }

  private async teardownRooms(c: Pick<Conversation, 'textRoom' | 'videoRoom'>, tokens: string[], g: ConversationGateway): Promise<void> {
    await Promise.allSettled([
      ...tokens.map((t) => g.tokens.removeToken(t)),
      g.rooms.destroy('text', c.textRoom.room, c.textRoom.secret),
      g.rooms.destroy('video', c.videoRoom.room, c.videoRoom.secret),
    ]);
  }

  private createRoom(kind: RoomKind, c: Pick<Conversation, 'id' | 'gateway' | 'textRoom' | 'videoRoom'>, allowed: string[], g = this.on(c)): Promise<void> {
    const creds = kind === 'text' ? c.textRoom : c.videoRoom;
    const spec = { ...creds, allowed, description: `conversation ${c.id}` };
    if (kind === 'video') return g.rooms.createVideoRoom(spec);
    const archive = this.opts.archive;
    return g.rooms.createTextRoom(archive ? { ...spec, allowed: [...allowed, archive.token], post: archive.postUrl(c.id) } : spec);
  }

  /**
   * An existing TextRoom posts to this broker's archive and lets the broker in:
   * the room may predate the archive, the broker may listen elsewhere now, or
   * it takes over the archive of a broker that is gone (archive-owner.ts).
   */
  async pointAtArchive(c: Conversation, g = this.on(c)): Promise<void> {
    const archive = this.opts.archive;
    if (!archive || !g.rooms.setTextRoomPost) return;
    await g.rooms.setTextRoomPost(c.textRoom.room, c.textRoom.secret, archive.postUrl(c.id));
    await g.rooms.allow('text', c.textRoom.room, c.textRoom.secret, [archive.token]);
    if (c.archiveBroker !== archive.brokerId) await this.store.setArchiveBroker(c.id, archive.brokerId);
  }

  /** The conversation as the record holds it; 404 when there is none. */
  snapshot(id: string): Promise<Conversation> {
    return this.find(id);
  }

  /** Open conversations (the back-fill reads their rooms' history): all, or those whose archive is this broker's. */
  async open(mine = false): Promise<Conversation[]> {
    return (await this.store.live(Date.now())).filter((c) => c.state !== 'closed' && (!mine || this.archivesHere(c)));
  }

  /**
   * Erasure: closes the conversation if it is open and tears it down on Janus
   * (its room's history goes with the room). True when nothing of it is left
   * on Janus, so its record may go now.
   */
  async endForErasure(id: string): Promise<boolean> {
    const c = await this.store.get(id);
    if (!c) return true;
    if (c.state !== 'closed') await this.store.markClosed(id);
    const now = await this.store.get(id);
    if (!now) return true;
    if (!now.roomsDestroyed || !now.tokensRevoked) await this.teardown(now);
    const after = await this.store.get(id);
    return !after || (after.roomsDestroyed && after.tokensRevoked);
  }

  private async grantAgent(c: Conversation, token: string): Promise<void> {
    const g = this.on(c);
    await Promise.all([
      g.tokens.addToken(token),
      g.rooms.allow('text', c.textRoom.room, c.textRoom.secret, [token]),
      g.rooms.allow('video', c.videoRoom.room, c.videoRoom.secret, [token]),
    ]);
  }

  /**
   * Revokes the participants' tokens and destroys both rooms (which also kicks
   * anyone still inside). Each half is retried by the sweep or the next
   * reconnection until it has succeeded.
   */
  private async teardown(c: Conversation): Promise<void> {
    const tokens = [c.customerToken, ...(c.claim ? [c.claim.token] : [])];
    const g = this.gateways.get(c.gateway);
    if (!g) {
      // A Janus taken out of the configuration: whatever it held is not ours to reach any more.
      this.opts.log('warn', `conversation ${c.id}: its Janus ${c.gateway} is no longer configured; its rooms are left to it`);
      await this.store.setTornDown(c.id, { roomsDestroyed: true, tokensRevoked: true });
      return;
    }
    const none: PromiseSettledResult<void>[] = [];
    const [rooms, revoked] = await Promise.all([
      c.roomsDestroyed
        ? none
        : Promise.allSettled([
            g.rooms.destroy('text', c.textRoom.room, c.textRoom.secret),
            g.rooms.destroy('video', c.videoRoom.room, c.videoRoom.secret),
          ]),
      c.tokensRevoked ? none : Promise.allSettled(tokens.map((t) => g.tokens.removeToken(t))),
    ]);
    const roomFailure = rooms.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    const tokenFailure = revoked.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (roomFailure) this.opts.log('warn', `conversation ${c.id}: destroying rooms failed: ${errorMessage(roomFailure.reason)}`);
    if (tokenFailure) this.opts.log('warn', `conversation ${c.id}: removing tokens failed: ${errorMessage(tokenFailure.reason)}`);
    await this.store.setTornDown(c.id, { roomsDestroyed: !roomFailure, tokensRevoked: !tokenFailure });
  }

  private grant(c: Conversation): ConversationGrant {
    const descriptor = this.descriptor(c, c.customer, c.customerToken, c.claim?.agent);
    const grant: ConversationGrant = { descriptor, resumeKey: c.resumeKey };
    if (c.link) grant.link = { name: c.link.name, linkedAt: c.link.linkedAt };
    return grant;
  }

  private descriptor(c: Conversation, self: Participant, token: string, peer: Participant | undefined): ConversationDescriptor {
    const d: ConversationDescriptor = {
      id: c.id,
      gateway: c.gateway,
      token,
      textRoom: publicRoom(c.textRoom),
      videoRoom: publicRoom(c.videoRoom),
      self: copyParticipant(self),
      auth: this.auth(c),
    };
    if (peer) d.peer = copyParticipant(peer);
    if (this.opts.iceServers?.length) d.iceServers = this.opts.iceServers;
    return d;
  }

  private gatewayError(e: unknown, what: string): HttpError {
    if (e instanceof HttpError) return e;
    this.opts.log('error', `${what}: ${errorMessage(e)}`);
    if (e instanceof GatewayUnavailableError) {
      return new HttpError(503, 'gateway_unavailable', 'The media gateway is not reachable; try again shortly', { 'retry-after': '5' });
    }
    if (e instanceof GatewayRequestError) return new HttpError(502, 'gateway_error', 'The media gateway refused the request');
    return new HttpError(500, 'internal', 'Internal error');
  }
}

function isDirectory(x: RoomGateway | GatewayDirectory): x is GatewayDirectory {
  return typeof (x as Partial<GatewayDirectory>).all === 'function' && typeof (x as Partial<GatewayDirectory>).get === 'function';
}

const DEFAULT_MAX_LIFETIME_MS = 12 * 60 * 60_000;
const DEFAULT_UNJOINED_TTL_MS = 5 * 60_000;
const DEFAULT_RETENTION_MS = 30 * 24 * 60 * 60_000;

function copyParticipant(p: Participant): Participant {
  return p.verified ? { ...p, verified: { ...p.verified } } : { ...p };
}

function newRoom(): RoomCredentials {
  return { room: randomId(), secret: randomToken(), pin: randomToken(12) };
}

/** Room id and pin only: the secret stays in the broker. */
function publicRoom(r: RoomCredentials): { room: string; pin: string } {
  return { room: r.room, pin: r.pin };
}

function closedError(): HttpError {
  return new HttpError(410, 'conversation_closed', 'This conversation has ended');
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
