// The reference broker as an AgentDesk sees it, in memory: its HTTP answers
// (login, me, ticket, presence, close, logout) and the queue stream as a
// fake EventSource the test feeds with SSE events.
import { BrokerError, type AgentDeskOptions, type DeskStorage, type EventSourceLike } from '../../../src/session/index.js';
import type { AgentIdentity, AgentLoginResponse, AgentPresenceStatus, ConversationDescriptor, QueueEntry } from '../../../src/protocol/index.js';
import { FakeConversation, makeDescriptor } from './fake-conversation.js';

export const ANN: AgentIdentity = { id: 'ann', display: 'Ann' };

export class FakeEventSource implements EventSourceLike {
  readyState = 0;
  private readonly listeners = new Map<string, Array<(ev: MessageEvent<string>) => void>>();
  constructor(readonly url: string) {}

  addEventListener(type: string, listener: (ev: MessageEvent<string>) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  close(): void {
    this.readyState = 2;
  }

  /** Delivers one SSE event (`data` as JSON unless it is a string). */
  fire(type: string, data: unknown, lastEventId = ''): void {
    const ev = new MessageEvent<string>(type, { data: typeof data === 'string' ? data : JSON.stringify(data), lastEventId });
    for (const l of this.listeners.get(type) ?? []) l(ev);
  }

  open(): void {
    this.readyState = 1;
    this.fire('open', '');
  }
}

export interface Recorded {
  method: string;
  path: string;
  body?: unknown;
  auth?: string;
}

/** A broker with one agent account (ann / secret-password) and whatever queue the test streams. */
export class FakeBroker {
  readonly requests: Recorded[] = [];
  readonly streams: FakeEventSource[] = [];
  readonly conversations: FakeConversation[] = [];
  /** Claims answered so far, by conversation id. */
  readonly claims: string[] = [];
  presence: AgentPresenceStatus = 'away';
  /** Answer of the next claims: 'ok', or an HTTP status. */
  claimAnswer: 'ok' | number = 'ok';
  private entries = new Map<string, QueueEntry>();
  private eventId = 0;
  private readonly storageData = { session: undefined as AgentLoginResponse | undefined, presence: new Map<string, AgentPresenceStatus>() };
  /** Whether the agent looks at the console (the desk's isViewing). */
  viewing = true;

  get stream(): FakeEventSource {
    const s = this.streams.at(-1);
    if (!s) throw new Error('no queue stream opened');
    return s;
  }

  /** Options of a desk on this broker; conversations are FakeConversations that connect at once. */
  deskOptions(extra: Partial<AgentDeskOptions> = {}): AgentDeskOptions {
    return {
      brokerUrl: 'http://broker.test/',
      fetch: (input, init) => this.fetch(input, init),
      openStream: (url) => {
        const es = new FakeEventSource(url);
        this.streams.push(es);
        return es;
      },
      claim: async (id, token) => {
        this.requests.push({ method: 'POST', path: `/api/conversations/${id}/claim`, auth: token });
        if (this.claimAnswer !== 'ok') throw new BrokerError('refused', this.claimAnswer, 'refused');
        this.claims.push(id);
        const entry = this.entries.get(id);
        // The stream says so a moment later, as the broker's does.
        if (entry && this.streams.length) setTimeout(() => this.delta('claimed', { ...entry, state: 'claimed', claimedBy: ANN }), 0);
        return { descriptor: this.descriptorFor(id, entry?.display ?? 'Customer') };
      },
      createConversation: (d) => {
        const fake = new FakeConversation();
        this.conversations.push(fake);
        // The customer is in the room as soon as the agent joins.
        queueMicrotask(() => d.peer && fake.setPeer(d.peer, true));
        return fake;
      },
      storage: this.storage(),
      isViewing: () => this.viewing,
      historySettleMs: 0,
      reconnectMs: 10,
      ...extra,
    };
  }

  storage(): DeskStorage {
    const data = this.storageData;
    return {
      loadSession: () => data.session,
      saveSession: (s) => void (data.session = s),
      loadPresence: (id) => data.presence.get(id),
      savePresence: (id, status) => void data.presence.set(id, status),
    };
  }

  descriptorFor(id: string, display: string): ConversationDescriptor {
    return makeDescriptor({ id, textRoom: { room: `t-${id}`, pin: 'p' }, videoRoom: { room: `v-${id}`, pin: 'p' }, peer: { role: 'customer', id: `cust-${id}`, display } });
  }

  /** The fake conversation made for conversation `id` (the latest, after a retry). */
  conversation(id: string): FakeConversation {
    const c = [...this.conversations].reverse().find((x) => x.state.descriptor?.id === id);
    if (!c) throw new Error(`no conversation ${id}`);
    return c;
  }

  // ---- the queue stream, as the broker would send it ----

  entry(id: string, display: string, o: Partial<QueueEntry> = {}): QueueEntry {
    return { id, display, createdAt: Date.now(), state: 'waiting', ...o };
  }

  /** Opens the current stream and sends the snapshot of `list`. */
  snapshot(list: QueueEntry[]): void {
    this.entries = new Map(list.map((e) => [e.id, e]));
    this.stream.open();
    this.stream.fire('snapshot', { conversations: list }, String(++this.eventId));
  }

  delta(type: 'added' | 'claimed' | 'closed' | 'updated', entry: QueueEntry): void {
    this.entries.set(entry.id, entry);
    this.stream.fire(type, { entry }, String(++this.eventId));
  }

  removed(id: string): void {
    this.entries.delete(id);
    this.stream.fire('removed', { id }, String(++this.eventId));
  }

  presenceEvent(available: AgentIdentity[]): void {
    this.stream.fire('presence', { available });
  }

  // ---- HTTP ----

  private async fetch(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
    const url = new URL(String(input));
    const headers = new Headers(init.headers);
    const body = typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    const auth = headers.get('authorization')?.replace(/^Bearer /, '');
    const method = init.method ?? 'GET';
    this.requests.push({ method, path: url.pathname, body, ...(auth ? { auth } : {}) });
    const json = (status: number, data: unknown) => new Response(JSON.stringify(data), { status, headers: { 'content-type': 'application/json' } });
    switch (`${method} ${url.pathname}`) {
      case 'POST /api/agent/login': {
        const { username, password } = body as { username: string; password: string };
        if (username !== 'ann' || password !== 'secret-password') return json(401, { error: { code: 'invalid_credentials', message: 'Wrong username or password' } });
        return json(200, { token: 'tok-ann', agent: ANN, expiresAt: Date.now() + 3_600_000 });
      }
      case 'GET /api/agent/me':
        return auth ? json(200, { agent: ANN }) : json(401, { error: { code: 'unauthorized', message: 'no' } });
      case 'POST /api/queue/ticket':
        return json(200, { ticket: `ticket-${this.streams.length + 1}`, expiresAt: Date.now() + 60_000 });
      case 'POST /api/agent/presence': {
        this.presence = (body as { status: AgentPresenceStatus }).status;
        return json(200, { status: this.presence, expiresAt: Date.now() + 60_000 });
      }
      case 'POST /api/agent/logout':
        return json(200, {});
      default:
        if (method === 'POST' && /^\/api\/conversations\/[^/]+\/close$/.test(url.pathname)) return json(200, {});
        if (method === 'POST' && /^\/api\/offline-messages\/[^/]+\/handled$/.test(url.pathname)) {
          return auth ? json(200, { state: 'handled', handledAt: Date.now() }) : json(401, { error: { code: 'unauthorized', message: 'no' } });
        }
        return json(404, { error: { code: 'not_found', message: `No API endpoint ${url.pathname}` } });
    }
  }
}
