// The broker's record as the elements ask for it (GET /api/conversations/:id/transcript),
// with a stubbed fetch: every page, the right bearer, and failures that stay failures.
import { expect, fixture, html } from '@open-wc/testing';
import { CustomerChat, storageKeyFor } from '../../src/components/customer-chat/customer-chat.js';
import { VideoChatPane } from '../../src/components/video-chat-pane/video-chat-pane.js';
import type { ArchivedMessage } from '../../src/protocol/index.js';
import { BrokerClient, BrokerError, memorySigningKeys, type ConversationOptions } from '../../src/session/index.js';
import { AGENT, CUSTOMER, makeDescriptor } from './fakes/fake-conversation.js';

const BROKER = 'http://broker.test/';
const RESUME_KEY = 'resume-key-0123456789abcdef';

interface Call {
  url: URL;
  authorization: string | null;
}
const realFetch = window.fetch;
let calls: Call[] = [];
function stubFetch(answer: (url: URL) => Response): void {
  window.fetch = (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    calls.push({ url, authorization: new Headers(init.headers).get('authorization') });
    return Promise.resolve(answer(url));
  };
}
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function archived(id: string): ArchivedMessage {
  return { id, type: 'chat.message', from: { role: 'agent', id: 'agent-1' }, ts: 1, receivedAt: 2, body: { text: id, seq: 0 }, wire: `wire-of-${id}` };
}

/** Answers pages of `ids`, `size` at a time, continuing after `?after=`. */
function pages(ids: string[], size: number): (url: URL) => Response {
  return (url) => {
    const after = url.searchParams.get('after');
    const start = after === null ? 0 : ids.indexOf(after) + 1;
    const slice = ids.slice(start, start + size);
    return json({ conversationId: 'conv 1', messages: slice.map(archived), more: start + size < ids.length });
  };
}

afterEach(() => {
  window.fetch = realFetch;
  calls = [];
  sessionStorage.clear();
});

describe('BrokerClient.transcript', () => {
  const client = () => new BrokerClient(BROKER, memorySigningKeys());

  it('follows every page with ?after= and the bearer, oldest first', async () => {
    stubFetch(pages(['m1', 'm2', 'm3', 'm4', 'm5'], 2));
    const messages = await client().transcript('conv 1', 'the-bearer');
    expect(messages.map((m) => m.wire)).to.deep.equal(['wire-of-m1', 'wire-of-m2', 'wire-of-m3', 'wire-of-m4', 'wire-of-m5']);
    expect(calls.map((c) => `${c.url.pathname}?${c.url.searchParams.toString()}`)).to.deep.equal([
      '/api/conversations/conv%201/transcript?limit=1000',
      '/api/conversations/conv%201/transcript?limit=1000&after=m2',
      '/api/conversations/conv%201/transcript?limit=1000&after=m4',
    ]);
    expect(calls.every((c) => c.authorization === 'Bearer the-bearer')).to.equal(true);
  });

  it('stops when the broker says "more" but brings nothing new', async () => {
    stubFetch(() => json({ conversationId: 'c', messages: [archived('m1')], more: true }));
    const messages = await client().transcript('c', 'k');
    expect(calls).to.have.length(2);
    expect(messages.map((m) => m.id)).to.deep.equal(['m1', 'm1']);
    calls = [];
    stubFetch(() => json({ conversationId: 'c', messages: [], more: true }));
    expect(await client().transcript('c', 'k')).to.deep.equal([]);
    expect(calls).to.have.length(1);
  });

  it('rejects with the broker’s status: 404 while it keeps no record, 401 for a wrong bearer', async () => {
    for (const [status, code] of [[404, 'not_found'], [401, 'unauthorized']] as const) {
      stubFetch(() => json({ error: { code, message: 'No transcript for you' } }, status));
      const err = await client().transcript('c', 'k').then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(BrokerError);
      expect((err as BrokerError).status).to.equal(status);
      expect((err as BrokerError).message).to.equal('No transcript for you');
    }
  });

  it('refuses an answer that is not a transcript', async () => {
    stubFetch(() => json({ conversationId: 'c', messages: [{ id: 'm1' }], more: false }));
    const err = await client().transcript('c', 'k').then(() => undefined, (e: unknown) => e);
    expect((err as BrokerError).code).to.equal('bad_response');
  });
});

/** Exposes how the elements set up their own conversation. */
class OptionsCustomerChat extends CustomerChat {
  options(): ConversationOptions {
    return this.conversationOptions();
  }
}
customElements.define('options-customer-chat', OptionsCustomerChat);
class OptionsPane extends VideoChatPane {
  options(): ConversationOptions {
    return this.conversationOptions();
  }
}
customElements.define('options-video-chat-pane', OptionsPane);

describe('the elements’ history source', () => {
  const signal = new AbortController().signal;

  it('<customer-chat> asks with its stored resume key, and only for its own conversation', async () => {
    const d = makeDescriptor({ id: 'conv-9', self: CUSTOMER, peer: AGENT });
    const el = await fixture<OptionsCustomerChat>(html`<options-customer-chat></options-customer-chat>`);
    el.brokerUrl = BROKER; // no stored conversation yet: the element waits on its start form
    await el.updateComplete;
    stubFetch(pages(['m1', 'm2'], 1000));
    expect(await el.options().history!(d, signal), 'nothing stored').to.deep.equal([]);
    expect(calls).to.have.length(0);
    sessionStorage.setItem(storageKeyFor(BROKER), JSON.stringify({ id: 'conv-9', resumeKey: RESUME_KEY, open: false }));
    expect(await el.options().history!(d, signal)).to.deep.equal(['wire-of-m1', 'wire-of-m2']);
    expect(calls.map((c) => [c.url.pathname, c.authorization])).to.deep.equal([['/api/conversations/conv-9/transcript', `Bearer ${RESUME_KEY}`]]);
    expect(await el.options().history!({ ...d, id: 'someone-else' }, signal), 'another conversation').to.deep.equal([]);
    expect(calls).to.have.length(1);
  });

  it('<video-chat-pane> asks with agentToken when it has a broker, else not at all', async () => {
    const d = makeDescriptor();
    const el = await fixture<OptionsPane>(html`<options-video-chat-pane></options-video-chat-pane>`);
    stubFetch(pages(['m1'], 1000));
    expect(await el.options().history!(d, signal), 'no broker').to.deep.equal([]);
    el.brokerUrl = BROKER;
    expect(await el.options().history!(d, signal), 'no token').to.deep.equal([]);
    expect(calls).to.have.length(0);
    el.agentToken = 'agent-token';
    expect(await el.options().history!(d, signal)).to.deep.equal(['wire-of-m1']);
    expect(calls.map((c) => [c.url.pathname, c.authorization])).to.deep.equal([['/api/conversations/conv-1/transcript', 'Bearer agent-token']]);
  });
});
