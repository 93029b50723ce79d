// CustomerEntry without any element: the widget's start / resume / reconnect /
// storage / "gone" flow as a page API or another framework would drive it.
// The broker is a stubbed fetch, the conversations are fakes.
import { expect } from '@open-wc/testing';
import { CustomerEntry, storageKeyFor, type BrowserSupport, type EntryStorage } from '../../../src/session/index.js';
import { AGENT, CUSTOMER, FakeConversation, makeDescriptor } from '../fakes/fake-conversation.js';
import { waitFor } from '../fakes/chat-pair.js';

const BROKER = 'http://broker.test/';
const descriptor = makeDescriptor({ id: 'conv-7', self: CUSTOMER, peer: AGENT });
const grant = { descriptor, resumeKey: 'resume-key-0123456789abcdef' };

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

function memoryStorage(): EntryStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
}

/** Storage as in a sandboxed frame: every access throws. */
const blockedStorage: EntryStorage = {
  getItem: () => { throw new DOMException('blocked', 'SecurityError'); },
  setItem: () => { throw new DOMException('blocked', 'SecurityError'); },
  removeItem: () => { throw new DOMException('blocked', 'SecurityError'); },
};

describe('CustomerEntry', () => {
  const realFetch = window.fetch;
  let requests: Array<{ method: string; url: string; auth: string | null }> = [];
  let answer: (method: string, url: string) => Response | Promise<Response>;
  let queueAnswer: (url: string) => Response | Promise<Response>;
  const made: FakeConversation[] = [];
  const entries: CustomerEntry[] = [];

  function entry(storage: EntryStorage, support?: BrowserSupport): CustomerEntry {
    const e = new CustomerEntry({
      storage,
      ...(support ? { support } : {}),
      page: () => 'https://shop.test/checkout',
      create: () => {
        const fake = new FakeConversation({}, CUSTOMER);
        made.push(fake);
        return fake;
      },
    });
    entries.push(e);
    return e;
  }

  beforeEach(() => {
    requests = [];
    made.length = 0;
    answer = () => json(grant, 201);
    queueAnswer = () => json({ error: { code: 'not_found', message: 'No API endpoint' } }, 404);
    window.fetch = async (input: RequestInfo | URL, init: RequestInit = {}) => {
      const method = init.method ?? 'GET';
      const url = String(input);
      // The place in the queue, asked while waiting: not part of what these tests count (see the queue tests below).
      if (/\/queue$/.test(url)) return queueAnswer(url);
      requests.push({ method, url, auth: new Headers(init.headers).get('authorization') });
      return answer(method, url);
    };
  });
  afterEach(() => {
    window.fetch = realFetch;
    for (const e of entries.splice(0)) e.stop();
  });

  it('starts, stores {id, resumeKey, open}, connects its own conversation; a new entry on the same storage resumes it', async () => {
    const storage = memoryStorage();
    const first = entry(storage);
    first.configure({ brokerUrl: BROKER });
    expect(first.state.phase).to.equal('start');
    first.setOpen(true);
    await first.start('Carl');
    expect(first.state).to.include({ phase: 'chat', conversationId: 'conv-7' });
    expect(made[0].connectCalls.map((c) => c.descriptor.id)).to.deep.equal(['conv-7']);
    expect(JSON.parse(storage.data.get(storageKeyFor(BROKER))!)).to.deep.equal({ id: 'conv-7', resumeKey: grant.resumeKey, open: true });
    first.stop();
    expect(made[0].disposeCount).to.equal(1);

    // A reload: the stored conversation is resumed with its resume key, and was open.
    answer = () => json(grant);
    const second = entry(storage);
    second.configure({ brokerUrl: BROKER });
    expect(second.state).to.include({ phase: 'busy', open: true });
    await waitFor(() => made.length === 2 && made[1].connectCalls.length === 1, 'resumed');
    expect(requests.at(-1)).to.deep.equal({ method: 'GET', url: `${BROKER}api/conversations/conv-7`, auth: `Bearer ${grant.resumeKey}` });
  });

  it('in a browser without WebRTC data channels offers no start: it says so and never calls the broker', async () => {
    const storage = memoryStorage();
    storage.setItem(storageKeyFor(BROKER), JSON.stringify({ id: 'conv-7', resumeKey: grant.resumeKey, open: true }));
    const e = entry(storage, { chat: false, video: false });
    e.configure({ brokerUrl: BROKER });
    expect(e.state.phase).to.equal('unsupported');
    await e.start('Walt');
    expect(e.state.phase).to.equal('unsupported');
    expect(requests).to.deep.equal([]);
    expect(made).to.have.length(0);
  });

  it('chats in a browser whose storage throws: it only cannot resume after a reload', async () => {
    const e = entry(blockedStorage);
    e.configure({ brokerUrl: BROKER });
    await e.start('');
    expect(e.state.phase).to.equal('chat');
    expect(e.conversation).to.equal(made[0]);
    e.setOpen(true);
    e.startOver();
    expect(e.state.phase).to.equal('start');
    const again = entry(blockedStorage);
    again.configure({ brokerUrl: BROKER });
    expect(again.state.phase).to.equal('start');
  });

  for (const status of [403, 404, 410]) {
    it(`forgets a stored conversation the broker says is gone (${status}) and offers a new start`, async () => {
      const storage = memoryStorage();
      storage.setItem(storageKeyFor(BROKER), JSON.stringify({ id: 'conv-7', resumeKey: grant.resumeKey, open: false }));
      answer = () => json({ error: { code: 'gone', message: 'gone' } }, status);
      const e = entry(storage);
      e.configure({ brokerUrl: BROKER });
      await waitFor(() => e.state.phase === 'start', 'the start form');
      expect(e.state.failure).to.equal(undefined);
      expect(storage.data.size).to.equal(0);
      expect(made).to.have.length(0);
    });
  }

  it('a connect failure can be retried: it resumes for a fresh descriptor and connects a new conversation', async () => {
    const storage = memoryStorage();
    const e = entry(storage);
    e.configure({ brokerUrl: BROKER });
    const failing = new FakeConversation({}, CUSTOMER);
    failing.connectBehavior = new Error('gateway unreachable');
    e.configure({ brokerUrl: BROKER, controller: failing });
    await e.start('');
    expect(e.state.failure).to.deep.equal({ message: 'Could not connect: gateway unreachable', retryable: true });
    failing.connectBehavior = 'connect';
    answer = () => json(grant);
    e.retry();
    await waitFor(() => failing.connectCalls.length === 2, 'connected again');
    expect(requests.map((r) => r.method)).to.deep.equal(['POST', 'GET']);
    await waitFor(() => e.state.failure === undefined, 'no failure');
    expect(failing.disposeCount).to.equal(0); // the host's, never disposed here
  });

  it('a conversation that fails later shows as a retryable failure; retry reconnects', async () => {
    const e = entry(memoryStorage());
    e.configure({ brokerUrl: BROKER });
    await e.start('');
    made[0].setState({ status: 'failed', error: 'The gateway refused the session' });
    expect(e.state.failure).to.deep.equal({ message: 'The gateway refused the session', retryable: true });
    answer = () => json(grant);
    e.retry();
    await waitFor(() => made.length === 2 && made[1].state.status === 'connected', 'a new conversation');
    expect(made[0].disposeCount).to.equal(1);
    expect(e.state.failure).to.equal(undefined);
  });

  it('without a broker it says chat is not available', () => {
    const e = entry(memoryStorage());
    e.configure({});
    expect(e.state).to.deep.include({ phase: 'start', failure: { message: 'Chat is not available right now.', retryable: false } });
  });
});
