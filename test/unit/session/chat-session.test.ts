// ChatSession's state machine on an in-memory room (test/unit/fakes/memory-room.ts):
// signed envelopes, delivery states, acks, dedupe, resend after a lost text,
// rejoin after a cut, typing, presence, history and the refusal of forgeries.
// No Janus: each test runs in milliseconds.
import { expect } from '@open-wc/testing';
import type { ChatSession, IncomingChatMessage } from '../../../src/chat/index.js';
import { createEnvelope } from '../../../src/protocol/index.js';
import { AGENT, chatPair, CUSTOMER, waitFor } from '../fakes/chat-pair.js';

function collect<T>(chat: ChatSession, type: 'message' | 'delivery' | 'typing' | 'presence' | 'protocol-error' | 'status'): T[] {
  const seen: T[] = [];
  chat.on(type, (d) => seen.push(d as T));
  return seen;
}

describe('ChatSession (in-memory room)', () => {
  const open: ChatSession[] = [];
  afterEach(() => {
    for (const c of open.splice(0)) c.dispose();
  });

  async function joined(options = {}) {
    const pair = await chatPair(options);
    open.push(pair.agent, pair.customer);
    await Promise.all([pair.agent.join(), pair.customer.join()]);
    return pair;
  }

  it('delivers a message once, marks it sent then delivered, and sees the other side present', async () => {
    const { agent, customer } = await joined();
    const received = collect<{ message: IncomingChatMessage; mine: boolean }>(customer, 'message');
    const deliveries = collect<{ id: string; delivery: string }>(agent, 'delivery');
    const presence = collect<{ present: ReadonlyMap<string, string> }>(agent, 'presence');
    await waitFor(() => presence.some((p) => p.present.has(CUSTOMER.id)), 'the customer present');
    const sent = agent.send('  Hello Carl  ');
    expect(sent.text).to.equal('Hello Carl');
    await waitFor(() => deliveries.some((d) => d.delivery === 'delivered'), 'the ack');
    expect(deliveries.map((d) => d.delivery)).to.deep.equal(['sent', 'delivered']);
    expect(received.map((r) => [r.message.text, r.message.from, r.mine])).to.deep.equal([['Hello Carl', AGENT.id, false]]);
    expect(agent.unacked).to.equal(0);
    expect(customer.displayOf(AGENT.id)).to.equal('Ann');
  });

  it('refuses empty and too long texts', async () => {
    const { agent } = await joined();
    expect(() => agent.send('   ')).to.throw(RangeError);
    expect(() => agent.send('x'.repeat(100_000))).to.throw(RangeError);
  });

  it('resends what was not acked (a text lost on its way) and the receiver sees it once', async () => {
    const { room, agent, customer } = await joined({ resendAfterMs: 50 });
    await waitFor(() => room.usernames.length === 2, 'both joined');
    let lost = 0;
    room.drop = (text) => text.includes('"chat.message"') && lost++ === 0;
    const received = collect<{ message: IncomingChatMessage }>(customer, 'message');
    agent.send('are you there?');
    // The resend timer ticks every second.
    await waitFor(() => received.length === 1 && agent.unacked === 0, 'the resent message acked', 4000);
    room.drop = undefined;
    expect(lost).to.equal(2);
    expect(received.map((r) => r.message.text)).to.deep.equal(['are you there?']);
  });

  it('after a cut connection, rejoins and sends what was written meanwhile, in order', async () => {
    const { room, agent, customer } = await joined();
    await waitFor(() => room.usernames.length === 2, 'both joined');
    const statuses = collect<{ status: string }>(customer, 'status');
    const received = collect<{ message: IncomingChatMessage }>(agent, 'message');
    room.cut(`${CUSTOMER.id}`);
    customer.send('one');
    customer.send('two');
    await waitFor(() => received.length === 2, 'both messages after the rejoin');
    expect(statuses.map((s) => s.status)).to.include.members(['rejoining', 'ready']);
    expect(received.map((r) => r.message.text)).to.deep.equal(['one', 'two']);
  });

  it('a late joiner gets the history, each message once, and ours marked mine', async () => {
    const pair = await chatPair();
    open.push(pair.agent, pair.customer);
    await pair.agent.join();
    pair.agent.send('first');
    pair.agent.send('second');
    await waitFor(() => pair.room.history.filter((h) => h.text.includes('chat.message')).length === 2, 'two messages in the room');
    const received = collect<{ message: IncomingChatMessage; mine: boolean }>(pair.customer, 'message');
    await pair.customer.join();
    await waitFor(() => received.length === 2, 'history');
    expect(received.map((r) => [r.message.text, r.mine])).to.deep.equal([['first', false], ['second', false]]);
  });

  it('passes typing on, and clears it when the message arrives', async () => {
    const { agent, customer } = await joined();
    await waitFor(() => agent.displayOf(CUSTOMER.id) !== undefined, 'the agent sees the customer');
    const typing = collect<{ from: string; active: boolean }>(customer, 'typing');
    agent.setTyping(true);
    await waitFor(() => typing.length === 1, 'typing');
    agent.send('done typing');
    await waitFor(() => typing.length === 2, 'typing cleared');
    expect(typing.map((t) => [t.from, t.active])).to.deep.equal([[AGENT.id, true], [AGENT.id, false]]);
  });

  it('refuses an unsigned text and one signed for another sender, and reports both', async () => {
    const { room, agent, customer } = await joined({ unknownKeyWaitMs: 0 });
    await waitFor(() => room.usernames.length === 2, 'both joined');
    const errors = collect<{ reason: string }>(customer, 'protocol-error');
    const received = collect<{ message: IncomingChatMessage }>(customer, 'message');
    const agentName = room.usernames.find((u) => u.startsWith(AGENT.id))!;
    // Written straight into the room under the agent's connection name: not signed at all.
    room.relay(agentName, JSON.stringify({ ...createEnvelope('chat.message', AGENT.id, { text: 'forged', seq: 99 }), kid: 'nobody', sig: 'AAAA' }));
    await waitFor(() => errors.length >= 1, 'the forgery reported');
    agent.send('real');
    await waitFor(() => received.length === 1, 'the real message');
    expect(received.map((r) => r.message.text)).to.deep.equal(['real']);
    expect(errors.length).to.be.greaterThan(0);
  });

  it('a closed room ends the chat: status closed, nothing rejoins', async () => {
    const { room, customer } = await joined();
    await waitFor(() => room.usernames.length === 2, 'both joined');
    const statuses = collect<{ status: string }>(customer, 'status');
    room.destroy();
    await waitFor(() => customer.status === 'closed', 'closed');
    expect(statuses.map((s) => s.status)).to.deep.equal(['closed']);
  });
});
