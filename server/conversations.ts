import type {
  AgentIdentity,
  ClaimResponse,
  ConversationDescriptor,
  ConversationGrant,
  CreateConversationRequest,
  CustomerLink,
  LinkCustomerRequest,
  Participant,
  QueueEntry,
} from '../src/protocol/index.js';
import { HttpError } from './http-util.js';
import { noTokens, type TokenGateway } from './janus-admin.js';
import { GatewayRequestError, GatewayUnavailableError, type RoomGateway, type RoomKind } from './janus-rooms.js';
import type { Logger } from './log.js';
import { randomId, randomToken, sameSecret, visitorName } from './secrets.js';
import { type AgentClaim, type Conversation, type ConversationStore, type RoomCredentials, toQueueEntry } from './store.js';
import { verifyVisitorIdentity } from './visitor-identity.js';

export type IceServer = NonNullable<ConversationDescriptor['iceServers']>[number];

export interface ConversationServiceOptions {
  /** Janus WebSocket URL as browsers reach it. */
  gateway: string;
  iceServers?: IceServer[];
  /** Open (not closed) conversations at most; protects memory and Janus. */
  maxOpen: number;
  /** Unclaimed conversations are closed after this long. */
  waitingTtlMs: number;
  /** Closed conversations stay visible (queue: state "closed"; resume: 410) this long, then are forgotten. */
  closedRetentionMs: number;
  /**
   * Absolute lifetime of a conversation, claimed or not. It bounds every token
   * the broker hands out: at this age the conversation is closed, its tokens are
   * removed from Janus and its rooms destroyed. Default 12 h.
   */
  maxLifetimeMs?: number;
  /** Janus core tokens (token_auth). Default: none (Janus without token_auth). */
  tokens?: TokenGateway;
  /** Site secret that visitor identities are signed with. Without it, a request carrying an identity is refused. */
  identitySecret?: string;
  /** Refuse conversations without a valid signed identity (sites where every visitor is logged in). */
  requireIdentity?: boolean;
  log: Logger;
}

/** Who asks to close a conversation: the customer (its resume key) or an authenticated agent. */
export type CloseCredentials = { resumeKey: string } | { agent: AgentIdentity };

/**
 * Conversation lifecycle: provision rooms on create, grant the agent on claim,
 * tear down on close, and put rooms back when Janus comes back empty.
 */
export class ConversationService {
  constructor(
    private readonly store: ConversationStore,
    private readonly rooms: RoomGateway,
    private readonly opts: ConversationServiceOptions,
  ) {}

  private get tokens(): TokenGateway {
    return this.opts.tokens ?? noTokens;
  }

  async create(req: CreateConversationRequest): Promise<ConversationGrant> {
    const customer: Participant = { role: 'customer', id: `c-${randomToken(9)}`, display: req.display ?? visitorName() };
    const identity = this.checkIdentity(req.identity);
    if (identity) {
      customer.verified = { userId: identity.userId };
      if (identity.name) customer.display = identity.name;
    }
    if (this.store.openCount() >= this.opts.maxOpen) {
      throw new HttpError(503, 'capacity', 'Too many open conversations; try again later', { 'retry-after': '30' });
    }
    const id = randomId();
    const customerToken = randomToken();
    const conversation: Conversation = {
      id,
      createdAt: Date.now(),
      topic: req.topic || undefined,
      page: req.page,
      customer,
      customerToken,
      resumeKey: randomToken(32),
      textRoom: newRoom(),
      videoRoom: newRoom(),
      state: 'waiting',
      roomsDestroyed: false,
      tokensRevoked: false,
    };
    await this.provision(conversation, customerToken);
    this.store.add(conversation);
    return this.grant(conversation);
  }

  /** True when `key` is this conversation's resume key (the customer). 404 for an unknown conversation. */
  isResumeKey(id: string, key: string): boolean {
    return sameSecret(key, this.find(id).resumeKey);
  }

  /** The customer's grant again (after a reload), proven by the resume key. */
  resume(id: string, resumeKey: string | undefined): ConversationGrant {
    const c = this.find(id);
    if (resumeKey === undefined) {
      throw new HttpError(401, 'unauthorized', 'Missing Authorization: Bearer <resumeKey>', { 'www-authenticate': 'Bearer' });
    }
    if (!sameSecret(resumeKey, c.resumeKey)) throw new HttpError(403, 'forbidden', 'Wrong resume key for this conversation');
    if (c.state === 'closed') throw closedError();
    return this.grant(c);
  }

  /**
   * First claim wins. The decision is taken synchronously (store.decideClaim)
   * before anything is awaited, so concurrent claims cannot both succeed; the
   * same agent claiming again (a reload) gets the same descriptor.
   */
  async claim(id: string, who: AgentIdentity): Promise<ClaimResponse> {
    const c = this.find(id);
    const agent: Participant = { role: 'agent', id: who.id, display: who.display };
    const decision = this.store.decideClaim(c, agent, randomToken(), (token) => this.grantAgent(c, token));
    switch (decision.kind) {
      case 'closed':
        throw closedError();
      case 'taken':
        throw new HttpError(409, 'already_claimed', `Already taken by ${decision.by.display}`);
      case 'new':
        try {
          await decision.claim.granted;
        } catch (e) {
          this.store.releaseClaim(c, decision.claim);
          this.tokens.removeToken(decision.claim.token).catch(() => {});
          throw this.gatewayError(e, `granting agent ${agent.id} on ${c.id}`);
        }
        break;
      case 'same':
        try {
          await decision.claim.granted;
        } catch (e) {
          throw this.gatewayError(e, `granting agent ${agent.id} on ${c.id}`);
        }
        break;
    }
    if (c.state === 'closed') {
      // Closed while Janus was still granting: the teardown may have run before the token was added.
      this.tokens.removeToken(decision.claim.token).catch(() => {});
      throw closedError();
    }
    const res: ClaimResponse = { descriptor: this.agentDescriptor(c, decision.claim) };
    if (c.link) res.link = { ...c.link };
    return res;
  }

  async close(id: string, who: CloseCredentials): Promise<QueueEntry> {
    const c = this.find(id);
    this.authorizeClose(c, who);
    if (this.store.markClosed(c)) await this.teardown(c);
    return toQueueEntry(c);
  }

  /** The claiming agent links the chat to a customer record (again: the new link replaces the old). */
  link(id: string, agent: AgentIdentity, req: LinkCustomerRequest): CustomerLink {
    const c = this.find(id);
    if (c.state === 'closed') throw closedError();
    if (c.claim?.agent.id !== agent.id) throw new HttpError(403, 'forbidden', 'Only the agent who claimed the conversation may link it');
    const link: CustomerLink = { customerId: req.customerId, name: req.name, linkedAt: Date.now(), linkedBy: { id: agent.id, display: agent.display } };
    this.store.setLink(c, link);
    return link;
  }

  queue(): QueueEntry[] {
    return this.store.queue();
  }

  /** Housekeeping: expire unclaimed conversations, forget old closed ones, retry failed teardowns. */
  async sweep(now = Date.now()): Promise<void> {
    const work: Promise<void>[] = [];
    const maxLifetimeMs = this.opts.maxLifetimeMs ?? DEFAULT_MAX_LIFETIME_MS;
    for (const c of this.store.all()) {
      if (c.state === 'waiting' && now - c.createdAt > this.opts.waitingTtlMs) {
        this.opts.log('info', `conversation ${c.id}: unclaimed for too long, closing`);
        if (this.store.markClosed(c, now)) work.push(this.teardown(c));
      } else if (c.state !== 'closed' && now - c.createdAt > maxLifetimeMs) {
        this.opts.log('info', `conversation ${c.id}: reached its maximum lifetime, closing`);
        if (this.store.markClosed(c, now)) work.push(this.teardown(c));
      } else if (c.state === 'closed' && c.closedAt !== undefined && now - c.closedAt > this.opts.closedRetentionMs) {
        if (c.roomsDestroyed && c.tokensRevoked) this.store.remove(c.id);
        else work.push(this.teardown(c));
      }
    }
    await Promise.all(work);
  }

  /**
   * After a reconnection: Janus may have restarted and lost every room. Recreate
   * the rooms of open conversations (same ids, pins, secrets and tokens, so the
   * participants' descriptors stay valid) and finish teardowns that failed.
   */
  async reconcile(): Promise<void> {
    for (const c of this.store.all()) {
      try {
        if (c.state === 'closed') {
          if (!c.roomsDestroyed || !c.tokensRevoked) await this.teardown(c);
          continue;
        }
        const tokens = [c.customerToken, ...(c.claim ? [c.claim.token] : [])];
        // A restarted Janus has forgotten them too; adding an existing token is harmless.
        await Promise.all(tokens.map((t) => this.tokens.addToken(t)));
        for (const kind of ['text', 'video'] as const) {
          const creds = kind === 'text' ? c.textRoom : c.videoRoom;
          if (await this.rooms.exists(kind, creds.room)) continue;
          this.opts.log('warn', `conversation ${c.id}: ${kind} room missing on Janus, recreating`);
          await this.createRoom(kind, c, tokens);
        }
      } catch (e) {
        this.opts.log('warn', `conversation ${c.id}: reconcile failed: ${errorMessage(e)}`);
      }
    }
  }

  /** Destroys the rooms of every conversation (broker shutdown: nobody could resume them). */
  async destroyAll(): Promise<void> {
    await Promise.all(
      this.store.all().map((c) => {
        this.store.markClosed(c);
        return c.roomsDestroyed && c.tokensRevoked ? undefined : this.teardown(c);
      }),
    );
  }

  private find(id: string): Conversation {
    const c = this.store.get(id);
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
    return verifyVisitorIdentity(identity, this.opts.identitySecret);
  }

  private async provision(c: Conversation, token: string): Promise<void> {
    // The token and both rooms in parallel: each room carries the token in its ACL from the start.
    const results = await Promise.allSettled([
      this.tokens.addToken(token),
      this.createRoom('text', c, [token]),
      this.createRoom('video', c, [token]),
    ]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (!failed) return;
    // Do not leave half a conversation behind on Janus.
    await Promise.allSettled([
      this.tokens.removeToken(token),
      this.rooms.destroy('text', c.textRoom.room, c.textRoom.secret),
      this.rooms.destroy('video', c.videoRoom.room, c.videoRoom.secret),
    ]);
    throw this.gatewayError(failed.reason, `creating rooms for ${c.id}`);
  }

  private createRoom(kind: RoomKind, c: Conversation, allowed: string[]): Promise<void> {
    const creds = kind === 'text' ? c.textRoom : c.videoRoom;
    const spec = { ...creds, allowed, description: `conversation ${c.id}` };
    return kind === 'text' ? this.rooms.createTextRoom(spec) : this.rooms.createVideoRoom(spec);
  }

  private async grantAgent(c: Conversation, token: string): Promise<void> {
    await Promise.all([
      this.tokens.addToken(token),
      this.rooms.allow('text', c.textRoom.room, c.textRoom.secret, [token]),
      this.rooms.allow('video', c.videoRoom.room, c.videoRoom.secret, [token]),
    ]);
  }

  /**
   * Revokes the participants' tokens and destroys both rooms (which also kicks
   * anyone still inside). Each half is retried by the sweep or the next
   * reconnection until it has succeeded.
   */
  private async teardown(c: Conversation): Promise<void> {
    const tokens = [c.customerToken, ...(c.claim ? [c.claim.token] : [])];
    const none: PromiseSettledResult<void>[] = [];
    const [rooms, revoked] = await Promise.all([
      c.roomsDestroyed
        ? none
        : Promise.allSettled([
            this.rooms.destroy('text', c.textRoom.room, c.textRoom.secret),
            this.rooms.destroy('video', c.videoRoom.room, c.videoRoom.secret),
          ]),
      c.tokensRevoked ? none : Promise.allSettled(tokens.map((t) => this.tokens.removeToken(t))),
    ]);
    const roomFailure = rooms.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    const tokenFailure = revoked.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (roomFailure) this.opts.log('warn', `conversation ${c.id}: destroying rooms failed: ${errorMessage(roomFailure.reason)}`);
    else c.roomsDestroyed = true;
    if (tokenFailure) this.opts.log('warn', `conversation ${c.id}: removing tokens failed: ${errorMessage(tokenFailure.reason)}`);
    else c.tokensRevoked = true;
  }

  private grant(c: Conversation): ConversationGrant {
    const descriptor = this.descriptor(c, c.customer, c.customerToken, c.claim?.agent);
    const grant: ConversationGrant = { descriptor, resumeKey: c.resumeKey };
    if (c.link) grant.link = { name: c.link.name, linkedAt: c.link.linkedAt };
    return grant;
  }

  private agentDescriptor(c: Conversation, claim: AgentClaim): ConversationDescriptor {
    return this.descriptor(c, claim.agent, claim.token, c.customer);
  }

  private descriptor(c: Conversation, self: Participant, token: string, peer: Participant | undefined): ConversationDescriptor {
    const d: ConversationDescriptor = {
      id: c.id,
      gateway: this.opts.gateway,
      token,
      textRoom: publicRoom(c.textRoom),
      videoRoom: publicRoom(c.videoRoom),
      self: copyParticipant(self),
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

const DEFAULT_MAX_LIFETIME_MS = 12 * 60 * 60_000;

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
