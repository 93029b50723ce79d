import { expect } from '@open-wc/testing';
import { Conversation } from '../../src/session/index.js';
import type { TranscriptEntry, TranscriptMessage, TranscriptStore } from '../../src/session/index.js';
import { connectedPair, dropGatewaySockets, newConversation, testEnv, waitFor } from '../helpers/env.js';

function texts(c: Conversation, mine: boolean): string[] {
  return c.state.transcript.filter((e): e is TranscriptMessage => e.kind === 'message' && e.mine === mine).map((m) => m.text);
}

describe('chat over a real Janus TextRoom', () => {
  const open: Conversation[] = [];
  afterEach(async () => {
    for (const c of open.splice(0)) c.dispose();
    // End any outage a test left behind (drop with no hold accepts again).
    await dropGatewaySockets(0);
  });

  // The customer goes through the cuttable proxy so a test can drop its socket.
  const pair = async () => connectedPair(open, (await testEnv()).gatewayProxy);

  it('delivers a message both ways with delivery receipts and presence', async () => {
    const { c, a } = await pair();
    expect(c.state.status).to.equal('connected');
    expect(c.state.peer?.participant.display).to.equal('Ann');
    expect(a.state.peer?.participant.display).to.equal('Casey');
    const sent = c.send('hello from the shop');
    await waitFor(() => texts(a, false).includes('hello from the shop'), 'agent to receive');
    await waitFor(() => c.state.transcript.some((e) => e.id === sent.id && e.kind === 'message' && e.delivery === 'delivered'), 'delivery receipt');
    a.send('hi, how can I help?');
    await waitFor(() => texts(c, false).includes('hi, how can I help?'), 'customer to receive');
  });

  it('shows the typing indicator and clears it on the message', async () => {
    const { c, a } = await pair();
    c.setTyping(true);
    await waitFor(() => a.state.peer?.typing === true, 'typing on');
    c.send('done typing');
    await waitFor(() => a.state.peer?.typing === false && texts(a, false).includes('done typing'), 'typing off with message');
  });

  it('keeps 500 messages each way in order, none lost or duplicated, across a dropped WebSocket', async () => {
    const { c, a } = await pair();
    const N = 500;
    const expectedC = Array.from({ length: N }, (_, i) => `c${i}`);
    const expectedA = Array.from({ length: N }, (_, i) => `a${i}`);
    let dropped = 0;
    const statuses: string[] = [];
    c.addEventListener('change', () => {
      if (statuses[statuses.length - 1] !== c.state.status) statuses.push(c.state.status);
    });
    for (let i = 0; i < N; i++) {
      c.send(expectedC[i]);
      a.send(expectedA[i]);
      if (i === N / 2) dropped = (await dropGatewaySockets()).dropped;
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 0));
    }
    expect(dropped, 'the customer socket was cut').to.be.greaterThan(0);
    await waitFor(() => texts(a, false).length >= N && texts(c, false).length >= N, 'all messages', 60000);
    expect(texts(a, false)).to.deep.equal(expectedC);
    expect(texts(c, false)).to.deep.equal(expectedA);
    await waitFor(() => c.state.transcript.every((e) => e.kind !== 'message' || !e.mine || e.delivery === 'delivered'), 'all customer messages acked', 30000);
    expect(c.state.status).to.equal('connected');
    // The drop was seen and recovered from, not silently missed.
    expect(statuses).to.include('reconnecting');
    expect(statuses[statuses.length - 1]).to.equal('connected');
  });

  it('rebuilds the session and rejoins when Janus has dropped it, losing nothing', async () => {
    const { c, a } = await pair();
    c.send('before the outage');
    await waitFor(() => texts(a, false).includes('before the outage'), 'first message');
    const sessionOf = (x: Conversation) => (x as unknown as { gateway: { sessionId?: number } }).gateway.sessionId;
    const before = sessionOf(c);
    // Keep the customer away longer than Janus's reclaim window (3 s in tests): its session is destroyed.
    await dropGatewaySockets(6000);
    await waitFor(() => c.state.status === 'reconnecting', 'customer notices');
    c.send('written while offline');
    a.send('agent writes meanwhile');
    await waitFor(() => c.state.status === 'connected', 'customer back on a new session', 30000);
    expect(sessionOf(c), 'a new Janus session').to.not.equal(before);
    await waitFor(() => texts(a, false).includes('written while offline') && texts(c, false).includes('agent writes meanwhile'), 'both messages after rejoin', 20000);
    expect(texts(a, false)).to.deep.equal(['before the outage', 'written while offline']);
    expect(texts(c, false)).to.deep.equal(['agent writes meanwhile']);
  });

  it('delivers, exactly once, a message left unsent when the page went away', async () => {
    const env = await testEnv();
    const { customer, agent } = await newConversation('Una', 'Ann');
    const saved = new Map<string, TranscriptEntry[]>();
    const store: TranscriptStore = { load: (id) => saved.get(id), save: (id, e) => void saved.set(id, [...e]) };
    const a = new Conversation();
    const c1 = new Conversation({ store });
    open.push(a);
    await a.connect(agent);
    await c1.connect({ ...customer.descriptor, gateway: env.gatewayProxy });
    await waitFor(() => c1.state.peer?.online === true, 'agent online');
    await dropGatewaySockets(8000);
    await waitFor(() => c1.state.status === 'reconnecting', 'customer offline');
    c1.send('typed in the tunnel');
    c1.dispose();
    const c2 = new Conversation({ store });
    open.push(c2);
    await c2.connect({ ...customer.descriptor, gateway: env.gateway });
    await waitFor(() => texts(a, false).includes('typed in the tunnel'), 'agent gets the stranded message', 20000);
    await waitFor(() => c2.state.transcript.some((e) => e.kind === 'message' && e.text === 'typed in the tunnel' && e.delivery === 'delivered'), 'receipt on the new page');
    await new Promise((r) => setTimeout(r, 1500));
    expect(texts(a, false).filter((t) => t === 'typed in the tunnel')).to.have.length(1);
  });

  it('drops a malformed envelope and reports it, and the chat keeps working', async () => {
    const { c, a } = await pair();
    const errors: string[] = [];
    a.addEventListener('protocol-error', (e) => errors.push((e as CustomEvent<{ reason: string }>).detail.reason));
    // Reach into the customer's chat channel the way a hostile client would: raw text on the room.
    const chat = (c as unknown as { chat: { channel: { send(t: string): Promise<void> } } }).chat;
    await chat.channel.send('{"v":1,"id":"x","type":"chat.message","from":"nobody","ts":1,"body":{"text":5}}');
    await chat.channel.send('not json at all');
    await waitFor(() => errors.length >= 2, 'two protocol errors');
    expect(a.state.protocolErrors).to.equal(2);
    c.send('still fine');
    await waitFor(() => texts(a, false).includes('still fine'), 'chat after garbage');
  });

  it('rejoins with history after a reload: same transcript, same agent', async () => {
    const env = await testEnv();
    const { customer, agent } = await newConversation('Rita', 'Ann');
    const a = new Conversation();
    open.push(a);
    await a.connect(agent);
    const c1 = new Conversation();
    await c1.connect(customer.descriptor);
    await waitFor(() => c1.state.peer?.online === true, 'agent online');
    c1.send('before reload');
    a.send('agent reply');
    await waitFor(() => texts(c1, false).includes('agent reply') && texts(a, false).includes('before reload'), 'exchange');
    c1.dispose();
    // A new page: nothing kept locally, the room's history brings the transcript back.
    const c2 = new Conversation();
    open.push(c2);
    await c2.connect({ ...customer.descriptor, gateway: env.gateway });
    await waitFor(() => texts(c2, true).includes('before reload') && texts(c2, false).includes('agent reply'), 'history replay');
    expect(c2.state.peer?.participant.display).to.equal('Ann');
    c2.send('after reload');
    await waitFor(() => texts(a, false).includes('after reload'), 'agent hears the reloaded customer');
    expect(texts(a, false).filter((t) => t === 'before reload')).to.have.length(1);
  });
});
