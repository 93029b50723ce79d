import * as v from '../protocol/schema.js';
import {
  AgentLoginResponse,
  AgentPresenceResponse,
  QUEUE_DELTA_EVENTS,
  QUEUE_PRESENCE_EVENT,
  QueueEntryEvent,
  QueuePresenceEvent,
  QueueRemovedEvent,
  QueueSnapshotEvent,
  QueueStreamTicket,
  type AgentIdentity,
  type AgentPresenceStatus,
  type ClaimResponse,
  type ConversationDescriptor,
  type QueueEntry,
} from '../protocol/index.js';
import { TypedEventTarget, type Observable } from '../util/typed-event-target.js';
import { BrokerClient, BrokerError, brokerConversationOptions } from './broker-client.js';
import type { ConversationController, TranscriptMessage } from './conversation-state.js';
import { createConversation, type ConversationOptions } from './conversation.js';
import { sessionTranscriptStore } from './transcript.js';

/**
 * The agent's desk: what an agent console shows and does, without any UI.
 * Sign-in (or a token from a host that authenticates its agents itself), the
 * broker's queue stream (a snapshot, then deltas; Last-Event-ID resumes, a
 * new ticket when the old one ran out), claims, the conversations this
 * console has open (each a ConversationController it connects and disposes),
 * which one is in front, unread counts, and the agent's presence
 * (available/away). `<agent-console>` renders it; another UI can too.
 */

export type DeskAuth = 'signed-out' | 'signing-in' | 'signed-in';
/** The queue stream: not open, opening, live, or lost and coming back. */
export type DeskStream = 'idle' | 'connecting' | 'live' | 'reconnecting';

/** Why the last action failed, as a code a UI words in its own language. */
export type DeskErrorCode =
  /** The broker refused the username or password. */
  | 'wrong-credentials'
  /** The broker no longer accepts the token: sign in again. */
  | 'session-ended'
  /** The broker cannot be reached. */
  | 'network'
  /** Another agent claimed it first. */
  | 'already-claimed'
  /** The broker said no, for the reason in `detail` (its English message). */
  | 'broker';

export interface DeskError {
  code: DeskErrorCode;
  /** The broker's own message (English), for 'broker'. */
  detail?: string;
  /** What was being done. */
  action: 'sign-in' | 'claim' | 'end' | 'presence' | 'queue' | 'handle';
}

export interface DeskConversation {
  id: string;
  descriptor: ConversationDescriptor;
  controller: ConversationController;
  /** Messages from the customer the agent has not seen (background, or the console not looked at). */
  unread: number;
  /** The conversation ended (closed by either side, or gone from the record). */
  ended: boolean;
  /** When this console opened it (epoch ms). */
  openedAt: number;
}

export interface DeskPresence {
  /** The agent's status as the broker last said (undefined until known). */
  status?: AgentPresenceStatus;
  /** A change was asked for and not answered yet. */
  pending: boolean;
  /** The agents available now (the queue stream's `presence` events), the agent among them when available. */
  available: readonly AgentIdentity[];
}

export interface AgentDeskState {
  auth: DeskAuth;
  /** Who is signed in. */
  agent?: AgentIdentity;
  /** The token came from the host (`useToken`): signing out does not revoke it. */
  hostToken: boolean;
  stream: DeskStream;
  /** The open queue (waiting, and claimed by anyone), oldest first; undefined until the first snapshot. */
  queue?: readonly QueueEntry[];
  presence: DeskPresence;
  /** The conversations open in this console, in the order they were opened. */
  conversations: readonly DeskConversation[];
  /** The conversation in front. */
  active?: string;
  /** Claims under way. */
  claiming: readonly string[];
  /** Offline messages being marked handled. */
  handling?: readonly string[];
  error?: DeskError;
}

export interface AgentDeskEvents {
  change: { state: AgentDeskState };
  /** A customer started waiting (a change while the console was live; not the first snapshot). */
  waiting: { entry: QueueEntry };
  /** A customer's message the agent has not seen: in a background conversation, or while the console is not looked at. */
  unread: { conversationId: string; message: TranscriptMessage; display: string };
  /** One of the console's conversations ended. */
  ended: { conversationId: string };
  /** The conversation in front changed. */
  select: { conversationId: string | undefined };
  /** The agent's presence, as the broker says, changed. */
  presence: { status: AgentPresenceStatus };
  /** Signed in or out (`agent` undefined). */
  session: { agent: AgentIdentity | undefined };
}

/** What an agent console needs from a desk; `createAgentDesk` makes the real one, tests inject fakes. */
export interface AgentDeskController extends Observable<AgentDeskEvents> {
  readonly state: AgentDeskState;
  /** The agent token in use (for the panes' customer lookup). */
  readonly token: string | undefined;
  /** Resumes a sign-in kept for this tab, opens the queue. Call once the UI is up. */
  start(): void;
  signIn(username: string, password: string): Promise<boolean>;
  /** Uses a token the host got for its agent (its own sign-in); `agent` is asked from the broker when not given. */
  useToken(token: string, agent?: AgentIdentity): Promise<boolean>;
  signOut(): Promise<void>;
  /** Claims a waiting conversation (or claims again one of the agent's own) and opens it; in front unless `background`. */
  claim(id: string, options?: { background?: boolean }): Promise<boolean>;
  /** Claims the customer who has waited longest; false when nobody waits. */
  claimOldest(): Promise<boolean>;
  /** Brings a conversation to the front; its unread count goes to 0. */
  select(id: string | undefined): void;
  /** The next (or with -1 the previous) open conversation to the front, wrapping. */
  cycle(step?: 1 | -1): void;
  /** The agent has seen the conversation in front (the console is looked at again). */
  markSeen(): void;
  /** Ends a conversation for both sides (or dismisses one that ended) and closes it here. */
  end(id: string): Promise<boolean>;
  /** Connects a conversation again (a new connection) after it failed. */
  retry(id: string): void;
  setPresence(status: AgentPresenceStatus): Promise<boolean>;
  /**
   * Marks a message a visitor left while nobody was available (a queue entry
   * in state `offline`) as handled (answered by email): it leaves the queue
   * for every console.
   */
  handleOffline(id: string): Promise<boolean>;
  /** Stops everything: the queue stream, every conversation (disposed). */
  dispose(): void;
}

/** What the desk needs of EventSource. */
export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (ev: MessageEvent<string>) => void): void;
  close(): void;
}

/** Where a sign-in and the agent's chosen presence are kept. Every method may throw (storage disabled); the desk copes. */
export interface DeskStorage {
  /** This tab's sign-in (sessionStorage: a reload keeps it, closing the tab forgets it). */
  loadSession(): AgentLoginResponse | undefined;
  saveSession(session: AgentLoginResponse | undefined): void;
  /** The presence the agent last chose (localStorage: every tab and the next visit). */
  loadPresence(agentId: string): AgentPresenceStatus | undefined;
  savePresence(agentId: string, status: AgentPresenceStatus): void;
}

export interface AgentDeskOptions {
  /** The reference broker. Default: this page's origin. */
  brokerUrl?: string;
  fetch?: typeof fetch;
  /** Opens the queue stream. Default: `new EventSource(url)`. */
  openStream?: (url: string) => EventSourceLike;
  /** Claims with this browser's signing key. Default: BrokerClient.claim. */
  claim?: (id: string, token: string) => Promise<ClaimResponse>;
  /** Makes the conversation of a claim (it is connected by the desk). Default: createConversation with `conversationOptions`, the broker's record as history. */
  createConversation?: (descriptor: ConversationDescriptor) => ConversationController;
  /** Options of the default conversations (page rules, …). */
  conversationOptions?: ConversationOptions;
  storage?: DeskStorage;
  /** Whether the agent looks at the console now (default: the tab is visible). Messages in the front conversation count as unread while not. */
  isViewing?: () => boolean;
  /**
   * A conversation's history arrives in a burst after it connects: messages
   * in that burst that were written before this console opened it are not
   * news. Default 2 s.
   */
  historySettleMs?: number;
  /** Wait before a new ticket after the stream closed for good. Default 2 s. */
  reconnectMs?: number;
}

const SESSION_KEY = 'vc-agent-console-session';
const PRESENCE_KEY = 'vc-agent-presence:';

/** sessionStorage for the sign-in, localStorage for the presence; nothing when storage throws. */
export function browserDeskStorage(): DeskStorage {
  return {
    loadSession() {
      const raw = globalThis.sessionStorage?.getItem(SESSION_KEY);
      const parsed = raw ? v.safeParse(AgentLoginResponse, JSON.parse(raw)) : undefined;
      return parsed?.success && parsed.output.expiresAt > Date.now() ? parsed.output : undefined;
    },
    saveSession(session) {
      if (session) globalThis.sessionStorage?.setItem(SESSION_KEY, JSON.stringify(session));
      else globalThis.sessionStorage?.removeItem(SESSION_KEY);
    },
    loadPresence(agentId) {
      const raw = globalThis.localStorage?.getItem(PRESENCE_KEY + agentId);
      return raw === 'available' || raw === 'away' ? raw : undefined;
    },
    savePresence(agentId, status) {
      globalThis.localStorage?.setItem(PRESENCE_KEY + agentId, status);
    },
  };
}

/** A desk on the reference broker. */
export function createAgentDesk(options: AgentDeskOptions = {}): AgentDeskController {
  return new AgentDesk(options);
}

const EVENTSOURCE_CLOSED = 2;

class AgentDesk extends TypedEventTarget<AgentDeskEvents> implements AgentDeskController {
  private _state: AgentDeskState = { auth: 'signed-out', hostToken: false, stream: 'idle', presence: { pending: false, available: [] }, conversations: [], claiming: [] };
  private _token?: string;
  private readonly base: string;
  private readonly storage: DeskStorage;
  private stream?: EventSourceLike;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private entries?: Map<string, QueueEntry>;
  private lastEventId = '';
  /** The console's own conversations were claimed again after a (re)load. */
  private reopened = false;
  /** Bumped on every sign-in and sign-out: answers that arrive for an older session are dropped. */
  private epoch = 0;
  private readonly offs = new Map<string, Array<() => void>>();
  /** When each conversation first connected (for the history burst). */
  private readonly connectedAt = new Map<string, number>();
  private disposed = false;

  constructor(private readonly options: AgentDeskOptions) {
    super();
    this.base = new URL(options.brokerUrl ?? '/', globalThis.location?.href).href.replace(/\/?$/, '/');
    this.storage = options.storage ?? browserDeskStorage();
  }

  get state(): AgentDeskState {
    return this._state;
  }

  get token(): string | undefined {
    return this._token;
  }

  start(): void {
    if (this._state.auth !== 'signed-out' || this.disposed) return;
    const stored = this.safe(() => this.storage.loadSession());
    if (stored) this.enter(stored.token, stored.agent, false);
  }

  async signIn(username: string, password: string): Promise<boolean> {
    const epoch = ++this.epoch;
    this.update({ auth: 'signing-in', error: undefined });
    let res: Response;
    let data: unknown;
    try {
      res = await this.fetch('api/agent/login', { method: 'POST', body: JSON.stringify({ username, password }) });
      data = await res.json().catch(() => undefined);
    } catch {
      if (epoch === this.epoch) this.update({ auth: 'signed-out', error: { code: 'network', action: 'sign-in' } });
      return false;
    }
    if (epoch !== this.epoch) return false;
    const ok = v.safeParse(AgentLoginResponse, data);
    if (!res.ok || !ok.success) {
      this.update({ auth: 'signed-out', error: res.status === 401 ? { code: 'wrong-credentials', action: 'sign-in' } : brokerError(data, res.status, 'sign-in') });
      return false;
    }
    this.safe(() => this.storage.saveSession(ok.output));
    this.enter(ok.output.token, ok.output.agent, false);
    return true;
  }

  async useToken(token: string, agent?: AgentIdentity): Promise<boolean> {
    if (this._token === token && this._state.auth === 'signed-in') return true;
    const epoch = ++this.epoch;
    this.leave();
    let who = agent;
    if (!who) {
      this.update({ auth: 'signing-in', error: undefined });
      try {
        const res = await this.fetch('api/agent/me', { headers: { authorization: `Bearer ${token}` } });
        const data: unknown = await res.json().catch(() => undefined);
        if (epoch !== this.epoch) return false;
        const me = v.safeParse(v.object({ agent: v.object({ id: v.string(), display: v.string() }) }), data);
        if (!res.ok || !me.success) {
          this.update({ auth: 'signed-out', error: res.status === 401 ? { code: 'session-ended', action: 'sign-in' } : brokerError(data, res.status, 'sign-in') });
          return false;
        }
        who = me.output.agent;
      } catch {
        if (epoch === this.epoch) this.update({ auth: 'signed-out', error: { code: 'network', action: 'sign-in' } });
        return false;
      }
    }
    this.enter(token, who, true);
    return true;
  }

  async signOut(): Promise<void> {
    const token = this._token;
    const host = this._state.hostToken;
    this.ended();
    if (!token) return;
    // Away first (the widget's "is anyone there" must not wait for the expiry), then the token is revoked (own sign-ins only).
    await this.post('api/agent/presence', { status: 'away' }, token).catch(() => undefined);
    if (!host) await this.post('api/agent/logout', {}, token).catch(() => undefined);
  }

  async claim(id: string, options: { background?: boolean } = {}): Promise<boolean> {
    const token = this._token;
    const epoch = this.epoch;
    if (!token || this._state.claiming.includes(id)) return false;
    const open = this.find(id);
    if (open && !open.ended) {
      if (!options.background) this.select(id);
      return true;
    }
    this.update({ claiming: [...this._state.claiming, id], error: undefined });
    let grant: ClaimResponse;
    try {
      grant = await (this.options.claim ?? ((c, t) => new BrokerClient(this.base).claim(c, t)))(id, token);
    } catch (e) {
      if (epoch !== this.epoch) return false;
      this.update({ claiming: this._state.claiming.filter((c) => c !== id) });
      this.failed(e, 'claim');
      return false;
    }
    if (epoch !== this.epoch) return false;
    this.update({ claiming: this._state.claiming.filter((c) => c !== id) });
    if (open) this.remove(id);
    this.openConversation(grant.descriptor, !options.background || this._state.active === undefined);
    return true;
  }

  async claimOldest(): Promise<boolean> {
    // Not one claimed here a moment ago whose `claimed` event has not come yet.
    const oldest = this._state.queue?.find((e) => e.state === 'waiting' && !this._state.claiming.includes(e.id) && !this.find(e.id));
    return oldest ? this.claim(oldest.id) : false;
  }

  select(id: string | undefined): void {
    if (id !== undefined && !this.find(id)) return;
    const changed = this._state.active !== id;
    this.update({ active: id, conversations: id === undefined ? this._state.conversations : this.patch(id, { unread: 0 }) });
    if (changed) this.emit('select', { conversationId: id });
  }

  cycle(step: 1 | -1 = 1): void {
    const list = this._state.conversations;
    if (list.length === 0) return;
    const at = list.findIndex((c) => c.id === this._state.active);
    const next = at < 0 ? (step === 1 ? 0 : list.length - 1) : (at + step + list.length) % list.length;
    this.select(list[next].id);
  }

  markSeen(): void {
    const id = this._state.active;
    if (id && (this.find(id)?.unread ?? 0) > 0) this.update({ conversations: this.patch(id, { unread: 0 }) });
  }

  async end(id: string): Promise<boolean> {
    const c = this.find(id);
    const token = this._token;
    if (!c) return false;
    if (!c.ended && token) {
      try {
        const res = await this.post(`api/conversations/${encodeURIComponent(id)}/close`, {}, token);
        if (res.status === 401) {
          this.ended({ code: 'session-ended', action: 'end' });
          return false;
        }
        // 404: it is gone already; nothing left to close.
        if (!res.ok && res.status !== 404) {
          this.update({ error: brokerError(await res.json().catch(() => undefined), res.status, 'end') });
          return false;
        }
      } catch {
        this.update({ error: { code: 'network', action: 'end' } });
        return false;
      }
    }
    const list = this._state.conversations;
    const at = list.findIndex((x) => x.id === id);
    const wasActive = this._state.active === id;
    this.remove(id);
    if (wasActive) {
      const rest = this._state.conversations;
      this.select(rest.length ? rest[Math.min(at, rest.length - 1)].id : undefined);
    }
    return true;
  }

  retry(id: string): void {
    const c = this.find(id);
    if (!c) return;
    this.unfollow(id);
    c.controller.dispose();
    const controller = this.makeConversation(c.descriptor);
    this.update({ conversations: this.patch(id, { controller, ended: false }) });
    this.follow(id, controller);
    void controller.connect(c.descriptor).catch(() => { /* its state says why */ });
  }

  async handleOffline(id: string): Promise<boolean> {
    const token = this._token;
    const handling = this._state.handling ?? [];
    if (!token || handling.includes(id)) return false;
    this.update({ handling: [...handling, id], error: undefined });
    const done = () => this.update({ handling: (this._state.handling ?? []).filter((x) => x !== id) });
    try {
      const res = await this.post(`api/offline-messages/${encodeURIComponent(id)}/handled`, {}, token);
      done();
      if (res.status === 401) {
        this.ended({ code: 'session-ended', action: 'handle' });
        return false;
      }
      if (!res.ok) {
        this.update({ error: brokerError(await res.json().catch(() => undefined), res.status, 'handle') });
        return false;
      }
      // The queue stream says so too (state 'closed'); shown at once here.
      if (this.entries?.delete(id)) this.publishQueue();
      return true;
    } catch {
      done();
      this.update({ error: { code: 'network', action: 'handle' } });
      return false;
    }
  }

  async setPresence(status: AgentPresenceStatus): Promise<boolean> {
    const token = this._token;
    const agent = this._state.agent;
    if (!token || !agent) return false;
    this.safe(() => this.storage.savePresence(agent.id, status));
    return this.sendPresence(status);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.leave();
  }

  // ---- session ----

  private enter(token: string, agent: AgentIdentity, hostToken: boolean): void {
    this.leave();
    this._token = token;
    this.update({ auth: 'signed-in', agent, hostToken, error: undefined });
    this.emit('session', { agent });
    void this.connectStream();
  }

  /** Signed out (by the agent, or the broker no longer takes the token). */
  private ended(error?: DeskError): void {
    const was = this._state.agent;
    this.safe(() => this.storage.saveSession(undefined));
    this.epoch++;
    this.leave();
    this.update({ error });
    if (was) this.emit('session', { agent: undefined });
  }

  private leave(): void {
    clearTimeout(this.retryTimer);
    this.stream?.close();
    this.stream = undefined;
    this.entries = undefined;
    this.lastEventId = '';
    this.reopened = false;
    for (const c of this._state.conversations) {
      this.unfollow(c.id);
      c.controller.dispose();
    }
    this._token = undefined;
    this.update({
      auth: 'signed-out',
      agent: undefined,
      hostToken: false,
      stream: 'idle',
      queue: undefined,
      presence: { pending: false, available: [] },
      conversations: [],
      active: undefined,
      claiming: [],
    });
  }

  // ---- queue stream ----

  /**
   * EventSource cannot send an Authorization header: the stream is opened
   * with a one-minute ticket. EventSource reconnects by itself (sending
   * Last-Event-ID); once the ticket has run out that fails for good
   * (readyState CLOSED) and a new ticket is fetched, passing the last event
   * id on so the broker replays what was missed instead of a snapshot.
   */
  private async connectStream(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.stream?.close();
    this.stream = undefined;
    const token = this._token;
    const epoch = this.epoch;
    if (!token || this.disposed) return;
    this.update({ stream: this.entries ? 'reconnecting' : 'connecting' });
    let ticket: string;
    try {
      const res = await this.post('api/queue/ticket', {}, token);
      if (epoch !== this.epoch) return;
      if (res.status === 401) {
        this.ended({ code: 'session-ended', action: 'queue' });
        return;
      }
      const parsed = v.safeParse(QueueStreamTicket, await res.json().catch(() => undefined));
      if (!res.ok || !parsed.success) throw new Error(`HTTP ${res.status}`);
      ticket = parsed.output.ticket;
    } catch {
      if (epoch !== this.epoch) return;
      this.update({ stream: 'reconnecting' });
      this.retryTimer = setTimeout(() => void this.connectStream(), 5000);
      return;
    }
    const resume = this.entries && this.lastEventId ? `&lastEventId=${encodeURIComponent(this.lastEventId)}` : '';
    const url = `${this.base}api/queue/stream?ticket=${encodeURIComponent(ticket)}${resume}`;
    const es = (this.options.openStream ?? ((u) => new EventSource(u)))(url);
    this.stream = es;
    const mine = () => this.stream === es;
    es.addEventListener('open', () => {
      if (!mine()) return;
      this.update({ stream: 'live' });
      // The presence the agent chose, again: a console that was away longer than the broker's expiry is back.
      const agent = this._state.agent;
      if (agent) void this.sendPresence(this.safe(() => this.storage.loadPresence(agent.id)) ?? 'available');
    });
    es.addEventListener('error', () => {
      if (!mine()) return;
      this.update({ stream: 'reconnecting' });
      if (es.readyState === EVENTSOURCE_CLOSED) this.retryTimer = setTimeout(() => void this.connectStream(), this.options.reconnectMs ?? 2000);
    });
    es.addEventListener('snapshot', (ev) => {
      const s = mine() ? parse(QueueSnapshotEvent, ev.data) : undefined;
      if (s) this.onSnapshot(s.conversations, ev.lastEventId);
    });
    for (const type of QUEUE_DELTA_EVENTS) {
      es.addEventListener(type, (ev) => {
        if (!mine()) return;
        if (type === 'removed') {
          const r = parse(QueueRemovedEvent, ev.data);
          if (r) this.onDelta(type, r.id, undefined, ev.lastEventId);
        } else {
          const d = parse(QueueEntryEvent, ev.data);
          if (d) this.onDelta(type, d.entry.id, d.entry, ev.lastEventId);
        }
      });
    }
    es.addEventListener(QUEUE_PRESENCE_EVENT, (ev) => {
      const p = mine() ? parse(QueuePresenceEvent, ev.data) : undefined;
      if (!p) return;
      const me = this._state.agent?.id;
      const status: AgentPresenceStatus = p.available.some((a) => a.id === me) ? 'available' : 'away';
      const before = this._state.presence.status;
      this.update({ presence: { ...this._state.presence, available: p.available, status: this._state.presence.pending ? before : status } });
      if (!this._state.presence.pending && before !== status) this.emit('presence', { status });
    });
  }

  /** `event: snapshot`: the whole queue (a fresh stream, or the broker could not replay what we missed). */
  private onSnapshot(list: readonly QueueEntry[], eventId: string): void {
    this.entries = new Map(list.filter((c) => c.state !== 'closed').map((c) => [c.id, c]));
    this.lastEventId = eventId;
    for (const c of this._state.conversations) if (!this.entries.has(c.id)) this.markEnded(c.id);
    this.publishQueue();
    void this.reopenMine();
  }

  /** `event: added | claimed | closed | updated | removed`: one conversation changed. */
  private onDelta(type: (typeof QUEUE_DELTA_EVENTS)[number], id: string, entry: QueueEntry | undefined, eventId: string): void {
    const entries = this.entries;
    if (!entries) return;
    this.lastEventId = eventId;
    if (!entry || entry.state === 'closed') {
      // Closed conversations are not listed: forgetting them keeps a long day's map small.
      entries.delete(id);
      this.markEnded(id);
    } else {
      const isNew = type === 'added' && entry.state === 'waiting' && !entries.has(id);
      entries.set(id, entry);
      if (isNew) this.emit('waiting', { entry });
    }
    this.publishQueue();
  }

  private publishQueue(): void {
    const queue = [...(this.entries?.values() ?? [])].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    this.update({ queue });
  }

  /** After a (re)load: the agent's own conversations are claimed again (same descriptors) and opened, in the background. */
  private async reopenMine(): Promise<void> {
    if (this.reopened || !this.entries) return;
    this.reopened = true;
    const me = this._state.agent?.id;
    for (const c of [...this.entries.values()]) {
      if (c.state === 'claimed' && c.claimedBy?.id === me && !this.find(c.id)) await this.claim(c.id, { background: true });
    }
  }

  // ---- conversations ----

  private makeConversation(descriptor: ConversationDescriptor): ConversationController {
    if (this.options.createConversation) return this.options.createConversation(descriptor);
    const o = this.options.conversationOptions ?? {};
    return createConversation({
      store: sessionTranscriptStore(),
      ...o,
      // History from the broker's record, and a certificate for a new key, as this agent.
      ...brokerConversationOptions(
        () => (this._token ? { brokerUrl: this.base, bearer: this._token } : undefined),
        'This browser’s signing key is not certified for this conversation: claim it again',
      ),
    });
  }

  private openConversation(descriptor: ConversationDescriptor, front: boolean): void {
    const controller = this.makeConversation(descriptor);
    const c: DeskConversation = { id: descriptor.id, descriptor, controller, unread: 0, ended: false, openedAt: Date.now() };
    this.update({ conversations: [...this._state.conversations, c] });
    this.follow(c.id, controller);
    void controller.connect(descriptor).catch(() => { /* its state says why */ });
    if (front) this.select(c.id);
    const entry = this.entries?.get(c.id);
    if (this.entries && (!entry || entry.state === 'closed')) this.markEnded(c.id);
  }

  private follow(id: string, controller: ConversationController): void {
    this.connectedAt.delete(id);
    const offs = [
      controller.on('change', ({ state }) => {
        if (state.status === 'connected' && !this.connectedAt.has(id)) this.connectedAt.set(id, Date.now());
        if (state.status === 'closed') this.markEnded(id);
      }),
      controller.on('message-received', ({ message }) => this.onMessage(id, message)),
    ];
    this.offs.set(id, offs);
  }

  private unfollow(id: string): void {
    for (const off of this.offs.get(id) ?? []) off();
    this.offs.delete(id);
    this.connectedAt.delete(id);
  }

  private onMessage(id: string, message: TranscriptMessage): void {
    const c = this.find(id);
    if (!c) return;
    const viewing = this._state.active === id && (this.options.isViewing?.() ?? globalThis.document?.visibilityState !== 'hidden');
    if (viewing) return;
    // The history that arrives after connecting: what was written before this console opened the conversation is not news.
    const connected = this.connectedAt.get(id);
    const settling = connected === undefined || Date.now() - connected < (this.options.historySettleMs ?? 2000);
    if (settling && message.ts < c.openedAt) return;
    this.update({ conversations: this.patch(id, { unread: c.unread + 1 }) });
    this.emit('unread', { conversationId: id, message, display: message.from.display || c.descriptor.peer?.display || '' });
  }

  private markEnded(id: string): void {
    const c = this.find(id);
    if (!c || c.ended) return;
    this.update({ conversations: this.patch(id, { ended: true }) });
    this.emit('ended', { conversationId: id });
  }

  private remove(id: string): void {
    const c = this.find(id);
    if (!c) return;
    this.unfollow(id);
    c.controller.dispose();
    this.update({ conversations: this._state.conversations.filter((x) => x.id !== id), active: this._state.active === id ? undefined : this._state.active });
  }

  private find(id: string): DeskConversation | undefined {
    return this._state.conversations.find((c) => c.id === id);
  }

  private patch(id: string, p: Partial<DeskConversation>): DeskConversation[] {
    return this._state.conversations.map((c) => (c.id === id ? { ...c, ...p } : c));
  }

  // ---- presence ----

  private async sendPresence(status: AgentPresenceStatus): Promise<boolean> {
    const token = this._token;
    const epoch = this.epoch;
    if (!token) return false;
    this.update({ presence: { ...this._state.presence, pending: true }, error: undefined });
    try {
      const res = await this.post('api/agent/presence', { status }, token);
      const data: unknown = await res.json().catch(() => undefined);
      if (epoch !== this.epoch) return false;
      if (res.status === 401) {
        this.ended({ code: 'session-ended', action: 'presence' });
        return false;
      }
      const ok = v.safeParse(AgentPresenceResponse, data);
      if (!res.ok || !ok.success) {
        this.update({ presence: { ...this._state.presence, pending: false }, error: brokerError(data, res.status, 'presence') });
        return false;
      }
      const before = this._state.presence.status;
      this.update({ presence: { ...this._state.presence, pending: false, status: ok.output.status } });
      if (before !== ok.output.status) this.emit('presence', { status: ok.output.status });
      return true;
    } catch {
      if (epoch === this.epoch) this.update({ presence: { ...this._state.presence, pending: false }, error: { code: 'network', action: 'presence' } });
      return false;
    }
  }

  // ---- helpers ----

  private fetch(path: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    if (init.body) headers.set('content-type', 'application/json');
    return (this.options.fetch ?? globalThis.fetch.bind(globalThis))(new URL(path, this.base), { ...init, headers });
  }

  private post(path: string, body: unknown, token: string): Promise<Response> {
    return this.fetch(path, { method: 'POST', body: JSON.stringify(body), headers: { authorization: `Bearer ${token}` } });
  }

  private failed(e: unknown, action: DeskError['action']): void {
    if (e instanceof BrokerError) {
      if (e.status === 401) return this.ended({ code: 'session-ended', action });
      if (e.status === 409) return void this.update({ error: { code: 'already-claimed', action } });
      if (e.status === 0) return void this.update({ error: { code: 'network', action } });
      return void this.update({ error: { code: 'broker', detail: e.message, action } });
    }
    this.update({ error: { code: 'broker', detail: e instanceof Error ? e.message : String(e), action } });
  }

  private safe<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch {
      return undefined;
    }
  }

  private update(patch: Partial<AgentDeskState>): void {
    this._state = { ...this._state, ...patch };
    this.emit('change', { state: this._state });
  }
}

function parse<S extends v.GenericSchema>(schema: S, raw: string): v.InferOutput<S> | undefined {
  try {
    const r = v.safeParse(schema, JSON.parse(raw));
    return r.success ? r.output : undefined;
  } catch {
    // A malformed event is skipped; the next snapshot replaces everything.
    return undefined;
  }
}

function brokerError(data: unknown, status: number, action: DeskError['action']): DeskError {
  const m = v.safeParse(v.object({ error: v.object({ message: v.string() }) }), data);
  return { code: 'broker', detail: m.success ? m.output.error.message : `HTTP ${status}`, action };
}
