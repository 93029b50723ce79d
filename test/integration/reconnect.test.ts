// Issue 10, acceptance 4, the client's half: a 30 s network drop between the
// customer's browser and Janus (the cuttable TCP proxy), while both sides send
// numbered messages 5 times a second. The customer can keep writing, nobody is
// told the other left, everything arrives once and in order afterwards, and the
// customer's page holds exactly one gateway WebSocket again.
import { expect } from '@open-wc/testing';
import { canSend, Conversation, type ConversationState, type TranscriptMessage } from '../../src/session/index.js';
import { connectedPair, dropGatewaySockets, newConversation, testEnv, waitFor } from '../helpers/env.js';
import { trackWebSockets } from '../helpers/socket-tracker.js';

// Before anything in this page opens a socket: janus-gateway opens its own.
const sockets = trackWebSockets();

const DROP_MS = 30_000;
const SEND_EVERY_MS = 200;

const messages = (c: Conversation, mine: boolean) =>
  c.state.transcript.filter((e): e is TranscriptMessage => e.kind === 'message' && e.mine === mine).map((m) => m.text);

/** Whatever in a state would make a person read "the other side left". */
function saysLeft(state: ConversationState): string | undefined {
  if (state.peer?.presence === 'gone') return `presence of ${state.peer.participant.display} is "gone"`;
  const line = state.transcript.find((e) => e.kind === 'system' && /\bleft\b/i.test(e.text));
  return line?.kind === 'system' ? `system line "${line.text}"` : undefined;
}

describe('a 30 s network drop on the customer’s side', function () {
  this.timeout(DROP_MS + 60_000);
  const open: Conversation[] = [];
  after(async () => {
    for (const c of open.splice(0)) c.dispose();
    await dropGatewaySockets(0);
    sockets.restore();
  });

  it('keeps the composer usable, says nobody left, delivers everything once and in order, and ends with one gateway socket', async () => {
    const env = await testEnv();
    const { c, a } = await connectedPair(open, env.gatewayProxy);
    expect(sockets.live(env.gatewayProxy), 'customer sockets before the drop').to.equal(1);

    const problems: string[] = [];
    const watch = (who: string, x: Conversation) =>
      x.addEventListener('change', () => {
        const left = saysLeft(x.state);
        if (left && !problems.some((p) => p.startsWith(`${who}:`))) problems.push(`${who}: ${left} (status ${x.state.status})`);
      });
    watch('customer', c);
    watch('agent', a);

    // Numbered messages, 5 a second each way; a send that throws is a failure too.
    let ci = 0;
    let ai = 0;
    const sendErrors: string[] = [];
    let composerShut = 0;
    const tick = () => {
      // What both elements render their composer from.
      if (!canSend(c.state)) composerShut++;
      try {
        c.send(`c${ci}`);
        ci++;
      } catch (e) {
        sendErrors.push(`customer c${ci} (${c.state.status}): ${e instanceof Error ? e.message : String(e)}`);
      }
      try {
        a.send(`a${ai}`);
        ai++;
      } catch (e) {
        sendErrors.push(`agent a${ai} (${a.state.status}): ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    const timer = setInterval(tick, SEND_EVERY_MS);
    try {
      await new Promise((r) => setTimeout(r, 2000));
      const { dropped } = await dropGatewaySockets(DROP_MS);
      const dropAt = Date.now();
      expect(dropped, 'the customer’s socket was cut').to.be.greaterThan(0);
      await waitFor(() => c.state.status === 'reconnecting', 'the customer to notice the drop', 5000);

      // Janus gives up on the customer's session after its reclaim window (3 s here): the agent sees the connection drop.
      await waitFor(() => a.state.peer?.presence === 'away', 'the agent to see the customer’s connection drop', 15_000);
      expect(a.state.status, 'the agent’s own connection').to.equal('connected');
      await waitFor(() => c.state.transcript.some((e) => e.kind === 'message' && e.mine && e.delivery === 'sending'), 'queued customer messages', 5000);
      expect(c.state.status).to.equal('reconnecting');
      expect(canSend(c.state), 'composer usable while reconnecting').to.equal(true);

      await new Promise((r) => setTimeout(r, Math.max(0, dropAt + DROP_MS - Date.now())));
      await waitFor(() => c.state.status === 'connected', 'the customer back after the drop', 20_000);
      await waitFor(() => a.state.peer?.presence === 'online' && c.state.peer?.presence === 'online', 'both online again', 10_000);
      // A little traffic after recovery, then stop.
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      clearInterval(timer);
    }

    const expectedC = Array.from({ length: ci }, (_, i) => `c${i}`);
    const expectedA = Array.from({ length: ai }, (_, i) => `a${i}`);
    await waitFor(() => messages(a, false).length >= ci && messages(c, false).length >= ai, 'every message on both sides', 30_000);
    await waitFor(
      () => [c, a].every((x) => x.state.transcript.every((e) => e.kind !== 'message' || !e.mine || e.delivery === 'delivered')),
      'every message acknowledged',
      20_000,
    );
    // Late resends would show up as duplicates now.
    await new Promise((r) => setTimeout(r, 1000));
    expect(sendErrors, 'sends refused').to.deep.equal([]);
    expect(composerShut, 'ticks with the composer disabled').to.equal(0);
    expect(problems, 'anything saying the other side left').to.deep.equal([]);
    expect(messages(a, false), 'the agent got every customer message once, in order').to.deep.equal(expectedC);
    expect(messages(c, false), 'the customer got every agent message once, in order').to.deep.equal(expectedA);
    expect(messages(c, true)).to.deep.equal(expectedC);
    expect(messages(a, true)).to.deep.equal(expectedA);

    expect(sockets.live(env.gatewayProxy), 'customer gateway sockets after recovery').to.equal(1);
    expect(sockets.live(env.gateway), 'agent gateway sockets').to.equal(1);
    // Nothing keeps trying in the background.
    const made = sockets.created(env.gatewayProxy);
    await new Promise((r) => setTimeout(r, 2000));
    expect(sockets.created(env.gatewayProxy), 'sockets opened after recovery').to.equal(made);
    expect(sockets.live(env.gatewayProxy)).to.equal(1);
  });

  it('says the other side left only after peerGoneMs away, and that it came back', async () => {
    const { customer, agent } = await newConversation('Gil');
    const a = new Conversation({ peerGoneMs: 1500 });
    open.push(a);
    await a.connect(agent);
    const c1 = new Conversation();
    await c1.connect(customer.descriptor);
    await waitFor(() => a.state.peer?.presence === 'online', 'the customer online');
    const systemLines = () => a.state.transcript.filter((e) => e.kind === 'system').map((e) => e.kind === 'system' && e.text);

    c1.dispose(); // a closed tab looks exactly like a dropped connection in the room
    await waitFor(() => a.state.peer?.presence === 'away', 'the customer away');
    const awayAt = Date.now();
    expect(systemLines()).to.not.include('Gil left the conversation');
    await waitFor(() => a.state.peer?.presence === 'gone', 'the customer gone', 5000);
    expect(Date.now() - awayAt, 'not before peerGoneMs').to.be.greaterThan(1200);
    expect(systemLines()).to.include('Gil left the conversation');

    const c2 = new Conversation();
    open.push(c2);
    await c2.connect(customer.descriptor);
    await waitFor(() => a.state.peer?.presence === 'online', 'the customer back');
    await waitFor(() => systemLines().includes('Gil is back in the conversation'), 'the return written');
  });

  it('takes messages while still connecting and sends them, in order, once joined', async () => {
    const { customer, agent } = await newConversation('Ida');
    const a = new Conversation();
    const c = new Conversation();
    open.push(a, c);
    await a.connect(agent);
    const joined = c.connect(customer.descriptor);
    expect(c.state.status).to.equal('connecting');
    expect(canSend(c.state)).to.equal(true);
    c.send('written before the chat was up');
    c.send('and another one');
    await joined;
    c.send('after joining');
    await waitFor(() => messages(a, false).length >= 3, 'the agent to get all three');
    expect(messages(a, false)).to.deep.equal(['written before the chat was up', 'and another one', 'after joining']);
    await waitFor(() => c.state.transcript.every((e) => e.kind !== 'message' || e.delivery === 'delivered'), 'receipts');
  });
});
