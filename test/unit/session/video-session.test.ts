// VideoSession's state machine with both sides on an in-memory signal channel
// and fake calls: invitation and consent, the modes, no second invitation
// within the scope given, the agent's muted start, end, reload and a rebuilt
// gateway session. No Janus, no camera: each test runs in milliseconds.
import { expect } from '@open-wc/testing';
import { CodedError } from '../../../src/i18n/index.js';
import { memoryConsentStore, VideoSession, type ConsentStore, type VideoEventDetails } from '../../../src/session/index.js';
import { AGENT, CUSTOMER, makeDescriptor } from '../fakes/fake-conversation.js';
import { FakeVideoBackend } from '../fakes/fake-video-backend.js';
import { signalPair, type FakeSignals } from '../fakes/signal-pair.js';
import { waitFor } from '../fakes/chat-pair.js';

const agentDescriptor = makeDescriptor({ self: AGENT, peer: CUSTOMER });
const customerDescriptor = makeDescriptor({ self: CUSTOMER, peer: AGENT });

/** Reconcile waits 60 ms for history to settle. */
const settle = () => new Promise((r) => setTimeout(r, 120));

interface Side {
  video: VideoSession;
  backend: FakeVideoBackend;
  signals: FakeSignals;
  consent: ConsentStore;
  events: Array<[string, unknown]>;
}

function record(video: VideoSession): Array<[string, unknown]> {
  const events: Array<[string, unknown]> = [];
  for (const type of ['video-invite', 'invite-answer', 'video-start', 'video-end'] as const) {
    video.on(type, (d: VideoEventDetails[typeof type]) => events.push([type, d]));
  }
  return events;
}

function pair(customerConsent: ConsentStore = memoryConsentStore(), customerSupported = true): { agent: Side; customer: Side } {
  const signals = signalPair(AGENT.id, CUSTOMER.id);
  const make = (signalsOf: FakeSignals, descriptor: typeof agentDescriptor, consent: ConsentStore): Side => {
    const video = new VideoSession(descriptor === customerDescriptor && !customerSupported ? { supported: false } : {});
    const backend = new FakeVideoBackend();
    const events = record(video);
    video.bind({ signals: signalsOf, backend, descriptor, consent });
    return { video, backend, signals: signalsOf, consent, events };
  };
  return { agent: make(signals.agent, agentDescriptor, memoryConsentStore()), customer: make(signals.customer, customerDescriptor, customerConsent) };
}

describe('VideoSession (in-memory signals, fake calls)', () => {
  const sessions: VideoSession[] = [];
  const track = <T extends { agent: Side; customer: Side }>(p: T): T => {
    sessions.push(p.agent.video, p.customer.video);
    return p;
  };
  afterEach(() => {
    for (const s of sessions.splice(0)) s.dispose();
  });
  /** The customer's page reloads: a new session on the same signals and consent store, the room's history replayed into it. */
  const reloadCustomer = async ({ agent, customer }: { agent: Side; customer: Side }, disposeOld = false): Promise<{ reloaded: VideoSession; backend: FakeVideoBackend }> => {
    const history = [...agent.signals.sent, ...customer.signals.sent].sort((a, b) => a.ts - b.ts);
    if (disposeOld) customer.video.dispose();
    const reloaded = new VideoSession();
    sessions.push(reloaded);
    const backend = new FakeVideoBackend();
    reloaded.bind({ signals: customer.signals, backend, descriptor: customerDescriptor, consent: customer.consent });
    customer.signals.replay(history, CUSTOMER.id);
    await settle();
    return { reloaded, backend };
  };

  it('is idle and refuses actions until the conversation connects', () => {
    const video = new VideoSession();
    expect(video.state.phase).to.equal('idle');
    expect(() => video.start('two-way')).to.throw('not connected');
    video.end(); // nothing to end: no throw
  });

  it('the agent invites, the customer is asked; accepting two-way starts both calls and is kept as this browser’s consent', async () => {
    const { agent, customer } = track(pair());
    agent.video.start('two-way');
    await waitFor(() => customer.video.state.phase === 'invited', 'the customer asked');
    expect(agent.video.state.phase).to.equal('inviting');
    expect(customer.video.state.invite?.mode).to.equal('two-way');
    customer.video.answer('two-way');
    await waitFor(() => agent.video.state.phase === 'active' && customer.video.state.phase === 'active', 'both active');
    expect(customer.consent.load(customerDescriptor.id).media).to.equal('camera');
    expect(agent.backend.live.map((c) => [c.options.sendVideo, c.options.startMuted])).to.deep.equal([[true, false]]);
    expect(customer.backend.live.map((c) => c.options.sendVideo)).to.deep.equal([true]);
    expect(agent.events.map(([t]) => t)).to.deep.equal(['video-invite', 'invite-answer', 'video-start']);
    // Each side announced its feed and subscribes to the other's (the later side's announcement may still be on its way).
    await waitFor(() => !!agent.backend.live[0].subscribed && !!customer.backend.live[0].subscribed, 'both subscribed');
    expect(agent.backend.live[0].subscribed).to.equal(customer.backend.live[0].options.feedId);
    expect(customer.backend.live[0].subscribed).to.equal(agent.backend.live[0].options.feedId);
  });

  it('a two-way invitation accepted as "watch the agent only" captures no camera on the customer’s side', async () => {
    const { agent, customer } = track(pair());
    agent.video.start('two-way');
    await waitFor(() => customer.video.state.phase === 'invited', 'asked');
    expect(() => customer.video.answer('voice')).to.throw(RangeError);
    customer.video.answer('one-way-agent');
    await waitFor(() => customer.backend.live.length === 1 && agent.backend.live.length === 1, 'both calls');
    expect(customer.backend.live[0].options.sendVideo).to.equal(false);
    expect(agent.backend.live[0].options.sendVideo).to.equal(true);
    expect(customer.consent.load(customerDescriptor.id).media).to.equal('microphone');
  });

  it('declining keeps text only: no call on either side, the agent sees the answer', async () => {
    const { agent, customer } = track(pair());
    agent.video.start('voice');
    await waitFor(() => customer.video.state.phase === 'invited', 'asked');
    // Warm start: both sides' calls are prepared, nothing captured.
    await waitFor(() => customer.backend.open.length === 1 && agent.backend.open.length === 1, 'both warm');
    expect([...customer.backend.open, ...agent.backend.open].some((c) => c.isStarted), 'a warm call captured').to.equal(false);
    customer.video.answer(false);
    await waitFor(() => agent.video.state.answer?.accept === false, 'the answer');
    await settle();
    expect([agent.video.state.phase, customer.video.state.phase]).to.deep.equal(['idle', 'idle']);
    expect(agent.backend.open.length + customer.backend.open.length, 'no call left on either side').to.equal(0);
    expect(customer.backend.calls.some((c) => c.isStarted), 'no customer call ever started').to.equal(false);
    expect(customer.consent.load(customerDescriptor.id).media).to.equal(undefined);
  });

  it('a browser that cannot capture says so: no start, no accept, nothing warmed up; declining still answers', async () => {
    const { agent, customer } = track(pair(memoryConsentStore(), false));
    expect(customer.video.state.unsupported).to.equal(true);
    expect(agent.video.state.unsupported).to.equal(undefined);
    expect(() => customer.video.start('two-way')).to.throw(CodedError).with.property('code', 'video.unsupported');
    agent.video.start('two-way');
    await waitFor(() => customer.video.state.phase === 'invited', 'asked');
    await settle();
    expect(customer.backend.calls, 'nothing prepared on the customer’s side').to.have.length(0);
    expect(() => customer.video.answer('two-way')).to.throw(CodedError).with.property('code', 'video.unsupported');
    expect(() => customer.video.answer('one-way-agent')).to.throw(CodedError);
    customer.video.answer(false);
    await waitFor(() => agent.video.state.answer?.accept === false, 'the agent sees the answer');
    expect(customer.consent.load(customerDescriptor.id).media).to.equal(undefined);
  });

  it('warm start: the invitation prepares both calls without capture; Accept starts them, narrowed to what was accepted', async () => {
    const { agent, customer } = track(pair());
    agent.video.start('two-way');
    await waitFor(() => customer.video.state.phase === 'invited', 'asked');
    await waitFor(() => customer.backend.open.length === 1 && customer.backend.open[0].prepared && agent.backend.open.length === 1, 'both warm');
    const warm = customer.backend.open[0];
    const agentCall = agent.backend.open[0];
    expect(warm.isStarted).to.equal(false);
    expect(agentCall.isStarted, 'the agent captures at the answer, not before').to.equal(false);
    expect(agentCall.options.sendVideo).to.equal(true);
    expect(warm.options.sendVideo, 'ready for the most a two-way invitation may be accepted with').to.equal(true);
    expect(customer.video.state.localStream, 'nothing shown').to.equal(undefined);
    expect(customer.video.peerConnections()).to.deep.equal([]);
    // Each side already subscribes to the feed the other announced.
    await waitFor(() => agentCall.subscribed === warm.options.feedId && warm.subscribed === agentCall.options.feedId, 'both subscribed');
    customer.video.answer('one-way-agent');
    expect(warm.isStarted, 'started by the click itself').to.equal(true);
    expect(warm.options.sendVideo, 'watch only: no camera').to.equal(false);
    await waitFor(() => agent.video.state.phase === 'active' && customer.video.state.phase === 'active', 'both active');
    expect(agentCall.isStarted, 'the agent’s call started with the answer').to.equal(true);
    expect(customer.backend.calls, 'the same call, no second one').to.have.length(1);
    expect(agent.backend.calls).to.have.length(1);
  });

  it('an invitation nobody answers expires: the agent’s page withdraws it and both sides let go of what was warm', async () => {
    const signals = signalPair(AGENT.id, CUSTOMER.id);
    const make = (s: FakeSignals, descriptor: typeof agentDescriptor) => {
      const video = new VideoSession({ inviteTtlMs: 300 });
      sessions.push(video);
      const backend = new FakeVideoBackend();
      video.bind({ signals: s, backend, descriptor, consent: memoryConsentStore() });
      return { video, backend };
    };
    const agent = make(signals.agent, agentDescriptor);
    const customer = make(signals.customer, customerDescriptor);
    agent.video.start('two-way');
    await waitFor(() => customer.backend.open.length === 1 && agent.backend.open.length === 1, 'both warm');
    await waitFor(() => agent.video.state.phase === 'idle' && customer.video.state.phase === 'idle', 'expired', 2000);
    expect(agent.backend.open.length + customer.backend.open.length).to.equal(0);
    expect(customer.backend.calls.some((c) => c.isStarted)).to.equal(false);
  });

  it('without warm start nothing runs before the answer', async () => {
    const signals = signalPair(AGENT.id, CUSTOMER.id);
    const agent = new VideoSession({ warmStart: false });
    const customer = new VideoSession({ warmStart: false });
    sessions.push(agent, customer);
    const ab = new FakeVideoBackend();
    const cb = new FakeVideoBackend();
    agent.bind({ signals: signals.agent, backend: ab, descriptor: agentDescriptor, consent: memoryConsentStore() });
    customer.bind({ signals: signals.customer, backend: cb, descriptor: customerDescriptor, consent: memoryConsentStore() });
    agent.start('two-way');
    await waitFor(() => customer.state.phase === 'invited', 'asked');
    await settle();
    expect(ab.calls.length + cb.calls.length).to.equal(0);
    customer.answer('two-way');
    await waitFor(() => agent.state.phase === 'active' && customer.state.phase === 'active', 'both active');
  });

  it('no second invitation within the scope given; a wider one asks again', async () => {
    const { agent, customer } = track(pair());
    agent.video.start('voice');
    await waitFor(() => customer.video.state.phase === 'invited', 'asked');
    customer.video.answer('voice');
    await waitFor(() => agent.video.state.phase === 'active', 'active');
    agent.video.end();
    await waitFor(() => customer.video.state.phase === 'idle' && agent.video.state.phase === 'idle', 'ended');
    // Voice again: the customer's browser answers by itself (its person already agreed to the microphone).
    // The agent's frame opens at once, before that answer: every state it shows is already a voice call.
    const agentStates: Array<[string, string | undefined]> = [];
    const unwatch = agent.video.on('change', ({ video }) => agentStates.push([video.phase, video.mode]));
    agent.video.start('voice');
    await waitFor(() => customer.backend.live.length === 1, 'voice again without asking');
    unwatch();
    const starting = agentStates.filter(([phase]) => phase === 'starting' || phase === 'active');
    expect(starting.length).to.be.greaterThan(0);
    expect(starting.filter(([, mode]) => mode !== 'voice'), 'a starting frame without the voice mode').to.deep.equal([]);
    expect(customer.events.filter(([t]) => t === 'video-invite')).to.have.length(1);
    agent.video.end();
    await waitFor(() => customer.video.state.phase === 'idle', 'ended again');
    // Two-way needs the camera, which was never given: asked again.
    agent.video.start('two-way');
    await waitFor(() => customer.video.state.phase === 'invited', 'asked for the camera');
  });

  it('the customer starts one-way (watch the agent): the agent streams with its microphone muted and a prompt', async () => {
    const { agent, customer } = track(pair());
    expect(() => customer.video.start('voice')).to.throw(RangeError);
    customer.video.start('one-way-agent');
    await waitFor(() => agent.video.state.phase === 'active' && customer.video.state.phase === 'active', 'both active');
    expect(agent.video.state.unmutePrompt).to.equal(true);
    expect(agent.backend.live[0].options).to.include({ sendVideo: true, startMuted: true });
    expect(customer.backend.live[0].options.sendVideo).to.equal(false);
    expect(agent.events.find(([t]) => t === 'video-start')?.[1]).to.include({ initiator: 'customer', mode: 'one-way-agent' });
    agent.video.setMuted(false);
    expect(agent.video.state.unmutePrompt).to.equal(false);
    await waitFor(() => customer.video.state.remote.audio === true, 'the customer told that the agent speaks');
  });

  it('End stops both calls at once and says who ended it', async () => {
    const { agent, customer } = track(pair());
    customer.video.start('two-way');
    await waitFor(() => agent.backend.live.length === 1 && customer.backend.live.length === 1, 'both calls');
    customer.video.end();
    await waitFor(() => agent.backend.live.length === 0 && customer.backend.live.length === 0, 'both stopped');
    expect(agent.events.find(([t]) => t === 'video-end')?.[1]).to.include({ reason: 'remote' });
    expect(customer.events.find(([t]) => t === 'video-end')?.[1]).to.include({ reason: 'local' });
    expect(customer.video.state.local).to.include({ audio: false, video: false });
  });

  it('the conversation ends mid-call: both calls stop (devices released), nothing parked, state idle, the end said', async () => {
    const { agent, customer } = track(pair());
    agent.video.start('two-way');
    await waitFor(() => customer.video.state.phase === 'invited', 'asked');
    customer.video.answer('two-way');
    await waitFor(() => agent.video.state.phase === 'active' && customer.video.state.phase === 'active', 'both active');
    const [a, c] = [agent.backend.calls[0], customer.backend.calls[0]];
    // The broker destroyed the rooms: no video.end comes; each side's conversation tells its video.
    agent.video.conversationEnded();
    customer.video.conversationEnded();
    expect([a.stopped, c.stopped, a.parked, c.parked], 'stopped, not parked').to.deep.equal([true, true, false, false]);
    expect(agent.backend.open.length + customer.backend.open.length, 'nothing kept').to.equal(0);
    for (const side of [agent, customer]) {
      expect(side.video.state).to.include({ phase: 'idle', localStream: undefined, remoteStream: undefined });
      expect(side.video.state.local).to.include({ audio: false, video: false });
      expect(side.events.filter(([t]) => t === 'video-end')).to.have.length(1);
    }
  });

  it('the conversation ends with an invitation pending: both warm calls go, no end is said', async () => {
    const { agent, customer } = track(pair());
    agent.video.start('two-way');
    await waitFor(() => customer.video.state.phase === 'invited' && customer.backend.calls.length === 1 && agent.backend.calls.length === 1, 'asked, warm');
    agent.video.conversationEnded();
    customer.video.conversationEnded();
    expect(agent.backend.open.length + customer.backend.open.length, 'no warm call kept').to.equal(0);
    expect(customer.video.state.phase).to.equal('idle');
    expect(customer.video.state.invite).to.equal(undefined);
    expect(customer.events.filter(([t]) => t === 'video-end'), 'no video ran: no end said').to.have.length(0);
  });

  it('a reloaded page replaying invite → answer → end starts no call', async () => {
    const { agent, customer } = track(pair());
    agent.video.start('two-way');
    await waitFor(() => customer.video.state.phase === 'invited', 'asked');
    customer.video.answer('two-way');
    await waitFor(() => customer.backend.live.length === 1, 'call');
    agent.video.end();
    await waitFor(() => customer.backend.live.length === 0, 'ended');
    // The customer's page reloads: a new session, the same consent store, the room's history replayed.
    const { reloaded, backend } = await reloadCustomer({ agent, customer });
    expect(backend.calls).to.have.length(0);
    expect(reloaded.state.phase).to.equal('idle');
    expect(reloaded.state.consented).to.equal(true);
  });

  it('End parks both calls (nothing captured, nothing live); Video chat again starts on the same calls', async () => {
    const { agent, customer } = track(pair());
    agent.video.start('two-way');
    await waitFor(() => customer.video.state.phase === 'invited', 'asked');
    customer.video.answer('two-way');
    await waitFor(() => agent.video.state.phase === 'active' && customer.video.state.phase === 'active', 'both active');
    const [a, c] = [agent.backend.calls[0], customer.backend.calls[0]];
    agent.video.end();
    await waitFor(() => agent.video.state.phase === 'idle' && customer.video.state.phase === 'idle', 'ended');
    expect(agent.backend.live.length + customer.backend.live.length, 'nothing running').to.equal(0);
    expect([a.parked, c.parked, a.stopped, c.stopped], 'both parked, not stopped').to.deep.equal([true, true, false, false]);
    expect(customer.video.state.localStream).to.equal(undefined);
    expect(customer.video.state.remoteStream).to.equal(undefined);
    expect(customer.video.state.local).to.include({ audio: false, video: false });
    const published = (side: Side) => side.signals.sent.filter((m) => m.type === 'video.publish').length;
    const before = [published(agent), published(customer)];
    agent.video.start('two-way');
    await waitFor(() => agent.video.state.phase === 'active' && customer.video.state.phase === 'active', 'both active again');
    expect(customer.events.filter(([t]) => t === 'video-invite'), 'no second invitation').to.have.length(1);
    expect([agent.backend.calls.length, customer.backend.calls.length], 'no new call on either side').to.deep.equal([1, 1]);
    expect([a.starts, c.starts]).to.deep.equal([2, 2]);
    expect([a.options.sendVideo, c.options.sendVideo]).to.deep.equal([true, true]);
    expect(a.muted, 'the agent clicked: its microphone is live').to.equal(false);
    // Each side says again which feed it publishes, now for the new video (a side that starts cold needs it).
    expect([published(agent), published(customer)]).to.deep.equal([before[0] + 1, before[1] + 1]);
    const again = agent.signals.sent.filter((m) => m.type === 'video.publish').at(-1);
    expect(again?.body).to.deep.equal({ session: agent.video.state.answer?.inviteId, feed: a.options.feedId });
  });

  it('a parked call serves a narrower video and gives way to a wider one; a network End stops it', async () => {
    const { agent, customer } = track(pair());
    customer.video.start('two-way');
    await waitFor(() => agent.video.state.phase === 'active' && customer.video.state.phase === 'active', 'both active');
    customer.video.end();
    await waitFor(() => customer.backend.calls[0].parked && agent.backend.calls[0].parked, 'parked');
    // Voice on the two-way calls: no camera on either side.
    agent.video.start('voice');
    await waitFor(() => customer.backend.live.length === 1 && agent.backend.live.length === 1, 'voice');
    expect(customer.backend.calls).to.have.length(1);
    expect(customer.backend.calls[0].options.sendVideo).to.equal(false);
    expect(agent.backend.calls[0].options.sendVideo).to.equal(false);
    agent.video.end();
    await waitFor(() => customer.backend.calls[0].parked, 'parked again');
    // The customer starts two-way again: its camera is back on the same call; the agent's call (no mute asked by a click here) starts muted.
    customer.video.start('two-way');
    await waitFor(() => customer.backend.live.length === 1 && agent.backend.live.length === 1, 'two-way again');
    expect(customer.backend.calls).to.have.length(1);
    expect(customer.backend.calls[0].options.sendVideo).to.equal(true);
    expect(agent.backend.calls[0].muted, 'the customer started: the agent starts muted').to.equal(true);
    // A video that ended for the network is not kept.
    const start = customer.signals.sent.filter((m) => m.type === 'video.start').at(-1);
    agent.signals.sendSignal('video.end', { session: start?.type === 'video.start' ? start.body.session : '', reason: 'network' });
    await waitFor(() => customer.video.state.phase === 'idle', 'ended');
    expect(customer.backend.calls[0].stopped).to.equal(true);
    expect(agent.backend.calls[0].stopped).to.equal(true);
  });

  it('a parked call without a camera sender gives way to a new call for two-way', async () => {
    const { agent, customer } = track(pair());
    customer.video.start('one-way-agent');
    await waitFor(() => agent.video.state.phase === 'active' && customer.video.state.phase === 'active', 'both active');
    customer.video.end();
    await waitFor(() => customer.backend.calls[0].parked, 'parked');
    const old = customer.backend.calls[0];
    customer.video.start('two-way');
    await waitFor(() => customer.backend.live.length === 1, 'two-way');
    expect(old.stopped, 'the watch-only call went').to.equal(true);
    expect(customer.backend.calls).to.have.length(2);
    expect(customer.backend.live[0].options.sendVideo).to.equal(true);
  });

  it('a parked call goes after warmAfterEndMs, with a rebuilt gateway session, and on dispose; never with warm start off', async () => {
    const signals = signalPair(AGENT.id, CUSTOMER.id);
    const make = (s: FakeSignals, descriptor: typeof agentDescriptor, options: ConstructorParameters<typeof VideoSession>[0]) => {
      const video = new VideoSession(options);
      sessions.push(video);
      const backend = new FakeVideoBackend();
      video.bind({ signals: s, backend, descriptor, consent: memoryConsentStore() });
      return { video, backend };
    };
    const agent = make(signals.agent, agentDescriptor, { warmAfterEndMs: 400 });
    const customer = make(signals.customer, customerDescriptor, { warmAfterEndMs: 60_000 });
    const cycle = async () => {
      customer.video.start('two-way');
      await waitFor(() => agent.video.state.phase === 'active' && customer.video.state.phase === 'active', 'active');
      customer.video.end();
      await waitFor(() => agent.video.state.phase === 'idle' && customer.video.state.phase === 'idle', 'ended');
    };
    await cycle();
    expect(agent.backend.open.map((c) => c.parked)).to.deep.equal([true]);
    await waitFor(() => agent.backend.open.length === 0, 'the agent’s parked call timed out', 2000);
    expect(customer.backend.open, 'still within its time').to.have.length(1);
    customer.backend.replaceSession();
    expect(customer.backend.open, 'gone with the session').to.have.length(0);
    await cycle();
    expect(customer.backend.open).to.have.length(1);
    customer.video.dispose();
    expect(customer.backend.open, 'gone on dispose').to.have.length(0);

    const cold = new VideoSession({ warmStart: false });
    sessions.push(cold);
    const backend = new FakeVideoBackend();
    const s2 = signalPair(AGENT.id, CUSTOMER.id);
    cold.bind({ signals: s2.customer, backend, descriptor: customerDescriptor, consent: memoryConsentStore() });
    cold.start('two-way');
    await waitFor(() => backend.live.length === 1, 'started');
    cold.end();
    await waitFor(() => cold.state.phase === 'idle', 'ended');
    expect(backend.open, 'warm start off: stopped at End').to.have.length(0);
  });

  it('a reloaded page replaying two videos and their ends keeps nothing and starts nothing', async () => {
    const { agent, customer } = track(pair());
    agent.video.start('two-way');
    await waitFor(() => customer.video.state.phase === 'invited', 'asked');
    customer.video.answer('two-way');
    await waitFor(() => customer.backend.live.length === 1, 'call');
    agent.video.end();
    await waitFor(() => customer.backend.calls[0].parked, 'parked');
    agent.video.start('two-way');
    await waitFor(() => customer.backend.live.length === 1, 'again');
    agent.video.end();
    await waitFor(() => customer.backend.live.length === 0, 'ended');
    const { reloaded, backend } = await reloadCustomer({ agent, customer });
    expect(backend.calls, 'nothing attached for replayed signals').to.have.length(0);
    expect(reloaded.state.phase).to.equal('idle');
  });

  it('a side that reloaded meets the other side’s parked call: again, its new call subscribes to the feed announced anew', async () => {
    const { agent, customer } = track(pair());
    agent.video.start('two-way');
    await waitFor(() => customer.video.state.phase === 'invited', 'asked');
    customer.video.answer('two-way');
    await waitFor(() => agent.video.state.phase === 'active' && customer.video.state.phase === 'active', 'both active');
    agent.video.end();
    await waitFor(() => agent.backend.calls[0].parked, 'the agent’s call parked');
    // The customer's page reloads: history replayed into a new session, nothing parked there.
    const { reloaded, backend } = await reloadCustomer({ agent, customer }, true);
    expect(backend.calls).to.have.length(0);
    agent.video.start('two-way');
    await waitFor(() => backend.live.length === 1 && reloaded.state.phase === 'active', 'again, cold on the reloaded side');
    expect(agent.backend.calls, 'the agent’s parked call carries it').to.have.length(1);
    await waitFor(() => backend.live[0].subscribed === agent.backend.calls[0].options.feedId, 'subscribed to the parked feed');
    await waitFor(() => agent.backend.calls[0].subscribed === backend.live[0].options.feedId, 'and the agent to the new one');
  });

  it('a rebuilt gateway session makes the call again', async () => {
    const { agent, customer } = track(pair());
    customer.video.start('two-way');
    await waitFor(() => customer.backend.live.length === 1, 'call');
    const first = customer.backend.live[0];
    customer.backend.replaceSession();
    await waitFor(() => customer.backend.live.length === 1 && customer.backend.live[0] !== first, 'a new call');
    expect(first.stopped).to.equal(true);
    expect(agent.backend.live).to.have.length(1);
  });

  it('the customer’s blocked camera and microphone reach the agent in the first media.state, even though nothing is sent', async () => {
    const { agent, customer } = track(pair());
    customer.backend.problems = ['microphone-denied', 'camera-denied'];
    agent.video.start('two-way');
    await waitFor(() => customer.video.state.phase === 'invited', 'asked');
    customer.video.answer('two-way');
    await waitFor(() => agent.video.state.remote.reported === true, 'the agent told');
    expect(agent.video.state.remote).to.deep.equal({ audio: false, video: false, problems: ['microphone-denied', 'camera-denied'], reported: true });
    expect(customer.video.state.problemCodes).to.deep.equal(['microphone-denied', 'camera-denied']);
    expect(customer.video.state.local).to.include({ audio: false, video: false });
    // One report, not one per problem; pausing a camera that is not there changes nothing and says nothing.
    const reports = () => customer.signals.sent.filter((m) => m.type === 'media.state').length;
    expect(reports()).to.equal(1);
    await customer.video.setPaused(true);
    expect(customer.video.state.local.paused).to.equal(false);
    await settle();
    expect(reports()).to.equal(1);
  });

  it('the agent’s muted start and the customer’s pause are said with what is sent, and a new video starts from nothing known', async () => {
    const { agent, customer } = track(pair());
    customer.video.start('two-way');
    await waitFor(() => customer.video.state.remote.reported === true && agent.video.state.remote.reported === true, 'both reported');
    expect(customer.video.state.remote, 'the agent is muted, the customer is told').to.deep.equal({ audio: false, video: true, muted: true, reported: true });
    await customer.video.setPaused(true);
    await waitFor(() => agent.video.state.remote.paused === true, 'pause said');
    expect(agent.video.state.remote).to.include({ audio: true, video: false, paused: true });
    agent.video.setMuted(false);
    await waitFor(() => customer.video.state.remote.audio === true, 'unmute said');
    expect(customer.video.state.remote.muted).to.equal(undefined);
    agent.video.end();
    await waitFor(() => agent.video.state.phase === 'idle' && customer.video.state.phase === 'idle', 'ended');
    expect(agent.video.state.remote).to.deep.equal({ audio: false, video: false });
    agent.video.start('voice');
    await waitFor(() => agent.video.state.phase !== 'idle', 'started again');
    expect(agent.video.state.remote.reported, 'nothing known about the new video yet').to.not.equal(true);
  });
});
