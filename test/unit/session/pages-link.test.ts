// Page push, the customer link and the agent's customer search, on in-memory
// signals: each side's transcript gets its card or line, the URL rules of the
// receiving side win, and a search asks its directories in order.
import { expect } from '@open-wc/testing';
import {
  CustomerLinkSession,
  CustomerSearch,
  PagePush,
  PageRefusedError,
  type CustomerDirectory,
  type TranscriptEntry,
} from '../../../src/session/index.js';
import type { PagePushPolicy } from '../../../src/protocol/index.js';
import type { TranscriptHost } from '../../../src/session/feature-host.js';
import { AGENT, CUSTOMER, makeDescriptor } from '../fakes/fake-conversation.js';
import { english, type MessageKey, type Params } from '../../../src/i18n/index.js';
import { signalPair } from '../fakes/signal-pair.js';
import { waitFor } from '../fakes/chat-pair.js';

class Host implements TranscriptHost {
  entries: readonly TranscriptEntry[] = [];
  errors: string[] = [];
  constructor(private readonly peer: string) {}
  transcript = () => this.entries;
  setTranscript = (entries: readonly TranscriptEntry[]) => void (this.entries = entries);
  systemLine = (code: MessageKey, params: Params, id: string = crypto.randomUUID()) =>
    void (this.entries = [...this.entries, { kind: 'system', id, text: english(code, params as never), ts: Date.now(), code, params }]);
  peerName = () => this.peer;
  protocolError = (reason: string) => void this.errors.push(reason);
}

function pages(customerPolicy?: PagePushPolicy) {
  const s = signalPair(AGENT.id, CUSTOMER.id);
  const agentHost = new Host('Carl');
  const customerHost = new Host('Ann');
  const agent = new PagePush(agentHost);
  const customer = new PagePush(customerHost, customerPolicy);
  agent.bind(s.agent, makeDescriptor({ self: AGENT, peer: CUSTOMER }));
  customer.bind(s.customer, makeDescriptor({ self: CUSTOMER, peer: AGENT }));
  return { agent, customer, agentHost, customerHost };
}

describe('PagePush (in-memory signals)', () => {
  it('the agent pushes, both transcripts get the card, the customer opens it and the agent sees it opened', async () => {
    const { agent, customer } = pages();
    expect(() => customer.push('https://shop.test/')).to.throw('only the agent');
    agent.push('https://shop.test/checkout', '  Checkout  ');
    await waitFor(() => customer.state.pages.length === 1 && agent.state.pages.length === 1, 'both cards');
    const card = customer.state.pages[0];
    expect(card).to.include({ url: 'https://shop.test/checkout', title: 'Checkout', host: 'shop.test', mine: false, opened: false });
    expect(customer.open(card.id)).to.deep.equal({ url: 'https://shop.test/checkout', sameOrigin: false });
    await waitFor(() => agent.state.pages[0].opened, 'opened on the agent’s side');
  });

  it('refuses what the rules forbid: before sending on the agent’s side, on receipt on the customer’s', async () => {
    const { agent, customer, customerHost } = pages({ allowedOrigins: ['https://shop.test'] });
    const refused: string[] = [];
    agent.on('page-refused', (d) => refused.push(d.reason));
    expect(() => agent.push('javascript:alert(1)')).to.throw(PageRefusedError);
    expect(refused).to.have.length(1);
    agent.push('https://elsewhere.test/');
    await waitFor(() => customerHost.errors.length === 1, 'refused on receipt');
    expect(customer.state.pages).to.have.length(0);
  });
});

describe('CustomerLinkSession (in-memory signals)', () => {
  it('links on both sides; only the agent keeps the record id', async () => {
    const s = signalPair(AGENT.id, CUSTOMER.id);
    const agentHost = new Host('Carl');
    const customerHost = new Host('Ann');
    const agent = new CustomerLinkSession(agentHost);
    const customer = new CustomerLinkSession(customerHost);
    agent.bind(s.agent, makeDescriptor({ self: AGENT, peer: CUSTOMER }));
    customer.bind(s.customer, makeDescriptor({ self: CUSTOMER, peer: AGENT }));
    expect(() => customer.linkTo({ customerId: 'x', name: 'X' })).to.throw('only the agent');
    expect(() => agent.linkTo({ customerId: '', name: 'X' })).to.throw(RangeError);
    agent.linkTo({ customerId: 'crm-7', name: 'Casey Jones' });
    await waitFor(() => customer.state.link !== undefined, 'linked for the customer');
    expect(agent.state.link).to.deep.equal({ name: 'Casey Jones', customerId: 'crm-7' });
    expect(customer.state.link).to.deep.equal({ name: 'Casey Jones' });
    expect(agentHost.entries.map((e) => (e.kind === 'system' ? e.text : ''))).to.deep.equal(['Chat linked to customer record: Casey Jones']);
    expect(customerHost.entries.map((e) => (e.kind === 'system' ? e.text : ''))).to.deep.equal(['Ann linked this chat to your customer account (Casey Jones)']);
  });
});

describe('CustomerSearch', () => {
  const casey = { customerId: 'crm-7', name: 'Casey Jones' };
  const silent: CustomerDirectory = { search: () => undefined };

  it('asks the directories in order until one answers, at once or later', async () => {
    const asked: string[] = [];
    const later: CustomerDirectory = { search: async (q) => (asked.push(q), [casey]) };
    const search = new CustomerSearch(() => ({ directories: [silent, later] }));
    search.open();
    await search.search('  case ');
    expect(asked).to.deep.equal(['case']);
    expect(search.state).to.deep.include({ open: true, status: '1 found' });
    expect(search.state.matches).to.deep.equal([casey]);
  });

  it('says when nobody answers, and when a lookup fails', async () => {
    const none = new CustomerSearch(() => ({ directories: [silent] }));
    await none.search('x');
    expect(none.state.status).to.equal('No customer lookup is configured for this pane.');
    const failing = new CustomerSearch(() => ({ directories: [{ search: () => Promise.reject(new Error('offline')) }] }));
    await failing.search('x');
    expect(failing.state.status).to.equal('Search failed: offline');
  });

  it('links through the conversation unless vetoed, then records the link', async () => {
    const linked: unknown[] = [];
    const recorded: unknown[] = [];
    let allow = false;
    const search = new CustomerSearch(() => ({
      directories: [],
      allowLink: () => allow,
      recorder: { recordLink: async (id, record) => void recorded.push([id, record]) },
    }));
    const link = { linkTo: (r: unknown) => void linked.push(r) } as unknown as Parameters<CustomerSearch['linkTo']>[0];
    search.open();
    expect(search.linkTo(link, 'conv-1', casey)).to.equal(false);
    expect(search.state.status).to.equal('The link was not allowed.');
    allow = true;
    expect(search.linkTo(link, 'conv-1', casey)).to.equal(true);
    expect(linked).to.deep.equal([casey]);
    expect(search.state.open).to.equal(false);
    await waitFor(() => recorded.length === 1, 'recorded');
    expect(recorded).to.deep.equal([['conv-1', casey]]);
  });
});
