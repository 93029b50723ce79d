// CobrowseSession's state machine with both sides on an in-memory signal
// channel: offer, consent, control request and grant, revoke, stop, and what
// a reloaded page does with replayed grants. Consent is this browser's own:
// nothing from the wire writes it. No Janus; rrweb loads only where the
// customer consented (the recorder then records this test page).
import { expect } from '@open-wc/testing';
import { CobrowseSession, memoryConsentStore, type CobrowseEventDetails, type ConsentStore } from '../../../src/session/index.js';
import { AGENT, CUSTOMER, makeDescriptor } from '../fakes/fake-conversation.js';
import { signalPair, type FakeSignals } from '../fakes/signal-pair.js';
import { waitFor } from '../fakes/chat-pair.js';

const agentDescriptor = makeDescriptor({ self: AGENT, peer: CUSTOMER });
const customerDescriptor = makeDescriptor({ self: CUSTOMER, peer: AGENT });

interface Side {
  cobrowse: CobrowseSession;
  signals: FakeSignals;
  consent: ConsentStore;
  events: Array<[string, unknown]>;
}

function pair(): { agent: Side; customer: Side } {
  const signals = signalPair(AGENT.id, CUSTOMER.id);
  const make = (s: FakeSignals, descriptor: typeof agentDescriptor): Side => {
    const cobrowse = new CobrowseSession({ batchMs: 20 });
    const consent = memoryConsentStore();
    const events: Array<[string, unknown]> = [];
    for (const type of ['cobrowse-offer', 'cobrowse-answer', 'cobrowse-control', 'cobrowse-stop'] as const) {
      cobrowse.on(type, (d: CobrowseEventDetails[typeof type]) => events.push([type, d]));
    }
    cobrowse.bind({ signals: s, descriptor, consent });
    return { cobrowse, signals: s, consent, events };
  };
  return { agent: make(signals.agent, agentDescriptor), customer: make(signals.customer, customerDescriptor) };
}

describe('CobrowseSession (in-memory signals)', () => {
  const sessions: CobrowseSession[] = [];
  const track = (p: { agent: Side; customer: Side }) => {
    sessions.push(p.agent.cobrowse, p.customer.cobrowse);
    return p;
  };
  afterEach(() => {
    for (const s of sessions.splice(0)) s.dispose();
  });

  it('only the agent offers, only the customer answers', () => {
    const { agent, customer } = track(pair());
    expect(() => customer.cobrowse.offer()).to.throw('only the agent');
    expect(() => agent.cobrowse.answer(true)).to.throw('no cobrowse offer');
    expect(() => agent.cobrowse.requestControl()).to.throw('not running');
  });

  it('a declined offer leaves both idle, the agent sees the answer, nothing is recorded', async () => {
    const { agent, customer } = track(pair());
    agent.cobrowse.offer();
    await waitFor(() => customer.cobrowse.state.phase === 'asked', 'the customer asked');
    expect(agent.cobrowse.state.phase).to.equal('offered');
    customer.cobrowse.answer(false);
    await waitFor(() => agent.cobrowse.state.answer?.accept === false, 'the answer');
    expect([agent.cobrowse.state.phase, customer.cobrowse.state.phase]).to.deep.equal(['idle', 'idle']);
    expect(customer.consent.load(customerDescriptor.id).cobrowse).to.equal(undefined);
    expect(customer.cobrowse.recording).to.equal(undefined);
  });

  it('consent, control asked and granted, revoked, then stopped: both sides agree at each step', async () => {
    const { agent, customer } = track(pair());
    agent.cobrowse.offer();
    await waitFor(() => customer.cobrowse.state.phase === 'asked', 'asked');
    customer.cobrowse.answer(true);
    await waitFor(() => agent.cobrowse.state.phase === 'active' && customer.cobrowse.state.phase === 'active', 'both active');
    expect(customer.consent.load(customerDescriptor.id).cobrowse).to.equal(true);
    // Only this browser's own click allowed recording; it starts once history settled.
    await waitFor(() => customer.cobrowse.recording !== undefined, 'recording');

    agent.cobrowse.requestControl();
    await waitFor(() => customer.cobrowse.state.control === 'asked', 'control asked');
    expect(agent.cobrowse.state.control).to.equal('requested');
    customer.cobrowse.answerControl(true);
    await waitFor(() => agent.cobrowse.state.control === 'granted' && customer.cobrowse.state.control === 'granted', 'granted');

    customer.cobrowse.answerControl(false);
    await waitFor(() => agent.cobrowse.state.control === 'none', 'revoked');
    expect(agent.events.filter(([t]) => t === 'cobrowse-control').map(([, d]) => (d as { control: string }).control)).to.deep.equal(['requested', 'granted', 'revoked']);

    customer.cobrowse.stop('done');
    await waitFor(() => agent.cobrowse.state.phase === 'idle', 'stopped');
    expect(customer.cobrowse.state.phase).to.equal('idle');
    expect(agent.cobrowse.state.ended).to.deep.equal({ by: 'customer', reason: 'done' });
    expect(customer.cobrowse.recording).to.equal(undefined);
    // The consent was for that cobrowse: the next offer asks again.
    expect(customer.consent.load(customerDescriptor.id).cobrowse).to.equal(undefined);
  });

  it('a reloaded customer page revokes a grant made on the earlier page', async () => {
    const { agent, customer } = track(pair());
    agent.cobrowse.offer();
    await waitFor(() => customer.cobrowse.state.phase === 'asked', 'asked');
    customer.cobrowse.answer(true);
    await waitFor(() => agent.cobrowse.state.phase === 'active', 'active');
    agent.cobrowse.requestControl();
    await waitFor(() => customer.cobrowse.state.control === 'asked', 'asked for control');
    customer.cobrowse.answerControl(true);
    await waitFor(() => agent.cobrowse.state.control === 'granted', 'granted');
    // Navigation: a new page, the same consent store, the history replayed.
    customer.cobrowse.dispose();
    const history = [...agent.signals.sent, ...customer.signals.sent].sort((a, b) => a.ts - b.ts);
    const next = new CobrowseSession({ batchMs: 20 });
    sessions.push(next);
    next.bind({ signals: customer.signals, descriptor: customerDescriptor, consent: customer.consent });
    customer.signals.replay(history, CUSTOMER.id);
    expect(next.state.phase).to.equal('active');
    expect(next.state.control).to.equal('none');
    // Once history settled, the new page tells the agent that control ended with the old page.
    await waitFor(() => agent.cobrowse.state.control === 'none', 'revoked for the agent');
  });
});
