// Issue 6, acceptance 1, the parts that need WebRTC: with its own (valid)
// customer token a participant of one conversation tries to join another
// conversation's TextRoom (data channel) and to subscribe to its live
// publisher. Janus refuses every attempt while the real participants go on
// chatting and streaming. (The raw-API attempts are in test/server/security.test.ts.)
import { expect } from '@open-wc/testing';
import { GatewayConnection, TextRoomChannel } from '../../src/janus/index.js';
import type { ConversationDescriptor, ConversationGrant } from '../../src/protocol/index.js';
import { Conversation, type TranscriptMessage } from '../../src/session/index.js';
import { newConversation, testEnv, waitFor } from '../helpers/env.js';
import { growth } from '../helpers/media-stats.js';

const texts = (c: Conversation) => c.state.transcript.filter((e): e is TranscriptMessage => e.kind === 'message' && !e.mine).map((m) => m.text);

async function rejection(p: Promise<unknown>, what: string): Promise<string> {
  try {
    await p;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  throw new Error(`${what} was allowed`);
}

/** A raw VideoRoom handle on the attacker's own session: it sends whatever it likes. */
async function rawVideoRoom(gw: GatewayConnection) {
  const handle = await gw.attach('janus.plugin.videoroom');
  /** Sends a request; resolves with the plugin's answer (sync, or the async event answering it), rejects with its error. */
  const ask = async (message: { request: string } & Record<string, unknown>) => (await handle.message(message)).data;
  return { handle, ask };
}

describe('a stolen or foreign customer token opens no other conversation', () => {
  const open: Conversation[] = [];
  const gateways: GatewayConnection[] = [];
  after(() => {
    for (const c of open.splice(0)) c.dispose();
    for (const g of gateways.splice(0)) g.dispose();
  });

  let victims: { customer: ConversationGrant; agent: ConversationDescriptor };
  let c: Conversation;
  let a: Conversation;
  let mine: { customer: ConversationGrant; agent: ConversationDescriptor };
  let attacker: GatewayConnection;

  before(async () => {
    victims = await newConversation('Victoria');
    c = new Conversation();
    a = new Conversation();
    open.push(c, a);
    await Promise.all([c.connect(victims.customer.descriptor), a.connect(victims.agent)]);
    await waitFor(() => c.state.peer?.online === true && a.state.peer?.online === true, 'victims see each other');
    // A live two-way call: the publisher an attacker would want to watch.
    a.startVideo('two-way');
    await waitFor(() => c.state.video.phase === 'invited', 'customer invited');
    c.answerInvite('two-way');
    await waitFor(() => (a.state.video.remoteStream?.getVideoTracks().length ?? 0) > 0 && (c.state.video.remoteStream?.getVideoTracks().length ?? 0) > 0, 'video both ways', 20000);

    mine = await newConversation('Mallory');
    const env = await testEnv();
    attacker = new GatewayConnection({ server: env.gateway, token: mine.customer.descriptor.token });
    gateways.push(attacker);
    await attacker.connect();
  });

  it('a made-up token or no token does not even open a Janus session', async () => {
    const env = await testEnv();
    for (const token of ['made-up-token-made-up-token', undefined]) {
      const gw = new GatewayConnection({ server: env.gateway, token });
      gateways.push(gw);
      const reason = await rejection(gw.connect(), `session with token ${String(token)}`);
      expect(reason).to.match(/unauthori[sz]ed/i);
    }
  });

  it("joining the other conversation's TextRoom over the data channel is refused, even with its pin", async () => {
    const t = victims.customer.descriptor.textRoom;
    for (const join of [
      { room: t.room, pin: t.pin, token: mine.customer.descriptor.token },
      { room: t.room, pin: t.pin },
      { room: t.room, token: mine.customer.descriptor.token },
      { room: t.room, pin: t.pin, token: mine.agent.token },
    ]) {
      const channel = new TextRoomChannel(attacker, { ...join, username: `spy-${Math.random().toString(36).slice(2)}`, display: 'Spy' });
      const reason = await rejection(channel.open(), `TextRoom join ${JSON.stringify(Object.keys(join))}`);
      channel.dispose();
      expect(reason, JSON.stringify(join)).to.match(/unauthori[sz]ed|not in the allowed|pin/i);
    }
  });

  it('a forged descriptor (their rooms, my token) fails to connect', async () => {
    const forged: ConversationDescriptor = { ...mine.customer.descriptor, textRoom: victims.customer.descriptor.textRoom, videoRoom: victims.customer.descriptor.videoRoom };
    const spy = new Conversation();
    open.push(spy);
    const reason = await rejection(spy.connect(forged), 'connecting with a forged descriptor');
    expect(reason).to.match(/unauthori[sz]ed|not in the allowed/i);
    expect(texts(spy)).to.deep.equal([]);
  });

  it("subscribing to the other conversation's live publisher is refused", async () => {
    const v = victims.customer.descriptor.videoRoom;
    const { handle, ask } = await rawVideoRoom(attacker);
    try {
      // Worst case: the attacker also learned the room id, the pin and the feed ids.
      const list = await ask({ request: 'listparticipants', room: v.room });
      const feeds = ((list.participants as Array<{ id: string; publisher?: boolean }>) ?? []).filter((p) => p.publisher).map((p) => p.id);
      expect(feeds.length, 'both victims publish').to.equal(2);
      const streams = [{ feed: feeds[0] }];
      const noPvt = await rejection(ask({ request: 'join', ptype: 'subscriber', room: v.room, pin: v.pin, streams }), 'subscriber join without private_id');
      expect(noPvt).to.match(/private_id|unauthori[sz]ed/i);
      const guessed = await rejection(ask({ request: 'join', ptype: 'subscriber', room: v.room, pin: v.pin, streams, private_id: 4242 }), 'subscriber join with a guessed private_id');
      expect(guessed).to.match(/private_id|unauthori[sz]ed/i);

      // A genuine private id, from joining my own room, is only good there.
      const own = await rawVideoRoom(attacker);
      const mv = mine.customer.descriptor.videoRoom;
      const joined = await own.ask({ request: 'join', ptype: 'publisher', room: mv.room, pin: mv.pin, token: mine.customer.descriptor.token, display: 'Mallory' });
      expect(joined.videoroom).to.equal('joined');
      const borrowed = await rejection(
        ask({ request: 'join', ptype: 'subscriber', room: v.room, pin: v.pin, streams, private_id: joined.private_id }),
        'subscriber join with my own private_id',
      );
      expect(borrowed).to.match(/private_id|unauthori[sz]ed/i);
      own.handle.detach();
    } finally {
      handle.detach();
    }
  });

  it('the real participants kept chatting and streaming throughout', async () => {
    c.send('still private?');
    await waitFor(() => texts(a).includes('still private?'), 'agent receives');
    a.send('yes, only us');
    await waitFor(() => texts(c).includes('yes, only us'), 'customer receives');
    const ga = await growth(() => a.videoPeerConnections(), 1500);
    const gc = await growth(() => c.videoPeerConnections(), 1500);
    expect(ga.framesDecoded, 'agent still decodes the customer').to.be.greaterThan(5);
    expect(gc.framesDecoded, 'customer still decodes the agent').to.be.greaterThan(5);
    expect(c.state.status).to.equal('connected');
    expect(a.state.status).to.equal('connected');
  });
});
