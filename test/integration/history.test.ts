// Issue 10, "history from the broker", the client's half: a page that joins
// later gets the whole transcript from a record (what the broker's archive
// serves: the signed wire texts), also what the room's own history (its last
// 200) no longer holds; once, in order, every text verified like a room
// message, and asked again after the gateway session was rebuilt.
import { expect } from '@open-wc/testing';
import { GatewayConnection, TextRoomChannel } from '../../src/janus/index.js';
import { BrokerClient, BrokerError, Conversation, type TranscriptMessage } from '../../src/session/index.js';
import { dropGatewaySockets, newConversation, testEnv, waitFor } from '../helpers/env.js';

/** More than the room's history (200), so the first ones are only in the record. */
const AGENT_MESSAGES = 230;

const messages = (c: Conversation) => c.state.transcript.filter((e): e is TranscriptMessage => e.kind === 'message').map((m) => m.text);

describe('history from the record', function () {
  this.timeout(90_000);
  const open: Conversation[] = [];
  const gateways: GatewayConnection[] = [];
  after(async () => {
    for (const c of open.splice(0)) c.dispose();
    for (const g of gateways.splice(0)) g.dispose();
    await dropGatewaySockets(0);
  });

  it('shows what the room no longer has, once and in order; drops and reports a tampered text; asks again after a rebuilt session', async () => {
    const env = await testEnv();
    const { customer, agent } = await newConversation('Hal');
    const a = new Conversation();
    const c1 = new Conversation();
    open.push(a);
    await Promise.all([a.connect(agent), c1.connect(customer.descriptor)]);
    await waitFor(() => c1.state.peer?.online === true, 'the agent online');

    // Stands in for the broker's archive: a connection of the agent's that keeps every text the room relays.
    const gw = new GatewayConnection({ server: env.gateway, token: agent.token });
    gateways.push(gw);
    await gw.connect();
    const record: string[] = [];
    const recorder = new TextRoomChannel(gw, { room: agent.textRoom.room, pin: agent.textRoom.pin, token: agent.token, username: `${agent.self.id}~record`, display: 'Ann' });
    recorder.on('message', (m) => {
      if (!m.whisper) record.push(m.text);
    });
    await recorder.open();

    const expected = ['c0', 'c1', ...Array.from({ length: AGENT_MESSAGES }, (_, i) => `a${i}`)];
    c1.send('c0');
    c1.send('c1');
    await waitFor(() => messages(a).includes('c1'), 'the customer’s messages at the agent');
    for (let i = 0; i < AGENT_MESSAGES; i++) {
      a.send(`a${i}`);
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 0));
    }
    await waitFor(() => messages(c1).length >= expected.length, 'every message at the customer', 30_000);
    await waitFor(() => new Set(record).size >= expected.length, 'every message relayed', 10_000);
    // Acknowledged too: the agent's outbox resends what is unacknowledged when someone joins, and a page joining
    // below would then get an old message live, not from the room's history (seen under load).
    await waitFor(() => a.state.transcript.every((e) => e.kind !== 'message' || !e.mine || e.delivery === 'delivered'), 'every message acknowledged', 30_000);
    c1.dispose();
    recorder.dispose();

    // A tampered copy of a0: same id, other text, the old signature.
    // The room may relay a message twice (a resend when someone joins); the archive keeps one per id, and so does this record.
    const parsed = record.map((t) => JSON.parse(t) as { id: string; type: string; body: { text?: string } });
    const once = parsed.filter((m, i) => parsed.findIndex((o) => o.id === m.id) === i);
    expect(once.filter((m) => m.type === 'chat.message').map((m) => m.body.text), 'the record').to.deep.equal(expected);
    const original = parsed.find((m) => m.body.text === 'a0')!;
    const tampered = JSON.stringify({ ...original, body: { ...original.body, text: 'tampered' } });
    const wires = once.map((m) => record[parsed.indexOf(m)]);
    const history = [...wires.slice(0, 5), tampered, ...wires.slice(5)];

    // The premise: without the record (here it fails, as the broker answers 404 until it keeps one) the room's 200 are all a page gets.
    const bare = new Conversation({ history: () => Promise.reject(new BrokerError('No transcript for this conversation', 404, 'not_found')) });
    open.push(bare);
    const bareErrors: string[] = [];
    bare.addEventListener('protocol-error', (e) => bareErrors.push((e as CustomEvent<{ reason: string }>).detail.reason));
    await bare.connect(customer.descriptor);
    await waitFor(() => messages(bare).includes(`a${AGENT_MESSAGES - 1}`), 'the room’s history');
    await new Promise((r) => setTimeout(r, 500));
    expect(messages(bare), 'the room alone').to.not.include('a0');
    expect(messages(bare).length).to.be.at.most(200);
    // Its descriptor predates the agent's certificate, which the agent whispers on join: the room's history waits for it.
    expect(bareErrors, 'a failing record is no protocol error, and nothing in the room is refused').to.deep.equal([]);
    bare.dispose();

    // A new page (through the cuttable proxy) with a fresh descriptor, as after a reload.
    const fresh = await new BrokerClient('/').resume(customer.descriptor.id, customer.resumeKey);
    const asked: string[] = [];
    const errors: string[] = [];
    const c2 = new Conversation({
      history: (d) => {
        asked.push(d.id);
        return Promise.resolve(history);
      },
    });
    open.push(c2);
    c2.addEventListener('protocol-error', (e) => errors.push((e as CustomEvent<{ reason: string }>).detail.reason));
    await c2.connect({ ...fresh.descriptor, gateway: env.gatewayProxy });
    await waitFor(() => messages(c2).length >= expected.length, 'the whole transcript', 20_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(messages(c2), 'once each, in order').to.deep.equal(expected);
    expect(c2.state.transcript.filter((e) => e.kind === 'message' && e.mine).map((e) => e.kind === 'message' && e.text)).to.deep.equal(['c0', 'c1']);
    expect(errors).to.deep.equal(['message from the record refused: bad signature']);
    expect(c2.state.protocolErrors).to.equal(1);
    expect(asked).to.deep.equal([customer.descriptor.id]);

    // Longer than Janus's reclaim window (3 s here): the session is rebuilt, and the record asked again.
    await dropGatewaySockets(5000);
    await waitFor(() => c2.state.status === 'reconnecting', 'the drop noticed', 5000);
    await waitFor(() => c2.state.status === 'connected' && asked.length === 2, 'rejoined on a new session, record asked again', 30_000);
    a.send('after the rebuild');
    await waitFor(() => messages(c2).includes('after the rebuild'), 'live again');
    expect(messages(c2)).to.deep.equal([...expected, 'after the rebuild']);
    expect(errors, 'the tampered text reported again, nothing else').to.deep.equal(['message from the record refused: bad signature', 'message from the record refused: bad signature']);
  });
});
