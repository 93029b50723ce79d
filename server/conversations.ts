import type {
  ClaimRequest,
  ConversationDescriptor,
  ConversationGrant,
  CreateConversationRequest,
  Participant,
  QueueEntry,
} from '../src/protocol/index.js';
import { HttpError } from './http-util.js';
import { GatewayRequestError, GatewayUnavailableError, type RoomGateway, type RoomKind } from './janus-rooms.js';
import type { Logger } from './log.js';
import { randomId, randomToken, sameSecret, visitorName } from './secrets.js';
import { type AgentClaim, type Conversation, type ConversationStore, type RoomCredentials, toQueueEntry } from './store.js';

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
  log: Logger;
}

/** Who asks to close a conversation. */
export interface CloseCredentials {
  bearer?: string;
  agentId?: string;
}

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

  async create(req: CreateConversationRequest): Promise<ConversationGrant> {
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
      customer: { role: 'customer', id: `c-${randomToken(9)}`, display: req.display ?? visitorName() },
      customerToken,
      resumeKey: randomToken(32),
      textRoom: newRoom(),
      videoRoom: newRoom(),
      state: 'waiting',
      roomsDestroyed: false,
    };
    await this.provision(conversation, [customerToken]);
    this.store.add(conversation);
    return this.grant(conversation);
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
  async claim(id: string, req: ClaimRequest): Promise<{ descriptor: ConversationDescriptor }> {
    const c = this.find(id);
    const agent: Participant = { role: 'agent', id: req.agentId, display: req.display };
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
    if (c.state === 'closed') throw closedError();
    return { descriptor: this.agentDescriptor(c, decision.claim) };
  }

  async close(id: string, who: CloseCredentials): Promise<QueueEntry> {
    const c = this.find(id);
    this.authorizeClose(c, who);
    if (this.store.markClosed(c)) await this.teardown(c);
    return toQueueEntry(c);
  }

  queue(): QueueEntry[] {
    return this.store.queue();
  }

  /** Housekeeping: expire unclaimed conversations, forget old closed ones, retry failed teardowns. */
  async sweep(now = Date.now()): Promise<void> {
    const work: Promise<void>[] = [];
    for (const c of this.store.all()) {
      if (c.state === 'waiting' && now - c.createdAt > this.opts.waitingTtlMs) {
        this.opts.log('info', `conversation ${c.id}: unclaimed for too long, closing`);
        if (this.store.markClosed(c, now)) work.push(this.teardown(c));
      } else if (c.state === 'closed' && c.closedAt !== undefined && now - c.closedAt > this.opts.closedRetentionMs) {
        if (c.roomsDestroyed) this.store.remove(c.id);
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
          if (!c.roomsDestroyed) await this.teardown(c);
          continue;
        }
        const tokens = [c.customerToken, ...(c.claim ? [c.claim.token] : [])];
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
        return c.roomsDestroyed ? undefined : this.teardown(c);
      }),
    );
  }

  private find(id: string): Conversation {
    const c = this.store.get(id);
    if (!c) throw new HttpError(404, 'not_found', 'No such conversation');
    return c;
  }

  private authorizeClose(c: Conversation, who: CloseCredentials): void {
    if (who.bearer !== undefined) {
      const isCustomer = sameSecret(who.bearer, c.resumeKey);
      const isAgent = c.claim !== undefined && sameSecret(who.bearer, c.claim.token);
      if (isCustomer || isAgent) return;
      throw new HttpError(403, 'forbidden', 'This key may not close the conversation');
    }
    if (who.agentId !== undefined) {
      if (c.claim?.agent.id === who.agentId) return;
      throw new HttpError(403, 'forbidden', 'Only the claiming agent may close the conversation');
    }
    throw new HttpError(401, 'unauthorized', 'Send Authorization: Bearer <resumeKey or agent token>, or {"agentId"} of the claiming agent', {
      'www-authenticate': 'Bearer',
    });
  }

  private async provision(c: Conversation, tokens: string[]): Promise<void> {
    const results = await Promise.allSettled([this.createRoom('text', c, tokens), this.createRoom('video', c, tokens)]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (!failed) return;
    // Do not leave half a conversation behind on Janus.
    await Promise.allSettled([
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
      this.rooms.allow('text', c.textRoom.room, c.textRoom.secret, [token]),
      this.rooms.allow('video', c.videoRoom.room, c.videoRoom.secret, [token]),
    ]);
  }

  private async teardown(c: Conversation): Promise<void> {
    const results = await Promise.allSettled([
      this.rooms.destroy('text', c.textRoom.room, c.textRoom.secret),
      this.rooms.destroy('video', c.videoRoom.room, c.videoRoom.secret),
    ]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      // Stays marked; the sweep or the next reconnection tries again.
      this.opts.log('warn', `conversation ${c.id}: destroying rooms failed: ${errorMessage(failed.reason)}`);
      return;
    }
    c.roomsDestroyed = true;
  }

  private grant(c: Conversation): ConversationGrant {
    const descriptor = this.descriptor(c, c.customer, c.customerToken, c.claim?.agent);
    return { descriptor, resumeKey: c.resumeKey };
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
      self: { ...self },
    };
    if (peer) d.peer = { ...peer };
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
