// Issue 10, "honest while reconnecting", as both elements render it: the
// composer stays usable while our connection is being rebuilt, what is written
// meanwhile says it waits for the connection, and the status line tells our
// connection lost, the other side's connection dropped and the other side
// having left apart, all from the conversation's state.
import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../../src/components/customer-chat/customer-chat.js';
import '../../../src/components/video-chat-pane/video-chat-pane.js';
import type { ChatComposer } from '../../../src/components/chat-composer/chat-composer.js';
import type { ChatTranscript } from '../../../src/components/chat-transcript/chat-transcript.js';
import type { PeerPresence } from '../../../src/session/index.js';
import { AGENT, CUSTOMER, FakeConversation, makeDescriptor } from '../fakes/fake-conversation.js';

const $ = <T extends Element = HTMLElement>(el: Element, sel: string) => el.shadowRoot!.querySelector<T>(sel)!;
const statusText = (el: Element) => $(el, ':is(header, .header) [role="status"]').textContent!.trim();
const composer = (el: Element) => $<ChatComposer>(el, 'chat-composer');
const transcript = (el: Element) => $<ChatTranscript>(el, 'chat-transcript');
/** What a screen reader says for each delivery state (icons are aria-hidden). */
const deliveryTexts = (el: Element) =>
  [...transcript(el).shadowRoot!.querySelectorAll('.delivery')].map((d) => {
    const spoken = d.cloneNode(true) as Element;
    for (const hidden of spoken.querySelectorAll('[aria-hidden="true"]')) hidden.remove();
    return spoken.textContent!.replace(/\s+/g, ' ').trim();
  });

async function settle(el: Element & { updateComplete: Promise<boolean> }): Promise<void> {
  await el.updateComplete;
  await composer(el).updateComplete;
  await transcript(el).updateComplete;
}

interface Case {
  element: string;
  mount(fake: FakeConversation): Promise<HTMLElement & { updateComplete: Promise<boolean> }>;
  fake(): FakeConversation;
  lines: Record<Exclude<PeerPresence, 'waiting'>, string> & { waiting: string };
}

const cases: Case[] = [
  {
    element: '<customer-chat>',
    mount: (fake) => fixture(html`<customer-chat open .controller=${fake}></customer-chat>`),
    fake: () => {
      const fake = new FakeConversation({ status: 'connected', descriptor: makeDescriptor({ self: CUSTOMER, peer: AGENT }) }, CUSTOMER);
      fake.setPeer(AGENT, true);
      return fake;
    },
    lines: {
      waiting: 'Waiting for an agent…',
      online: 'Chatting with Ann',
      away: 'Ann’s connection dropped — waiting for them to come back',
      gone: 'Ann left the chat',
    },
  },
  {
    element: '<video-chat-pane>',
    mount: (fake) => fixture(html`<video-chat-pane .controller=${fake}></video-chat-pane>`),
    fake: () => {
      const fake = new FakeConversation({ status: 'connected', descriptor: makeDescriptor() });
      fake.setPeer(CUSTOMER, true);
      return fake;
    },
    lines: {
      waiting: 'Waiting for the customer…',
      online: 'Online',
      away: 'Carl’s connection dropped — waiting for them to come back',
      gone: 'Customer left',
    },
  },
];

for (const c of cases) {
  describe(`${c.element} while reconnecting`, () => {
    it('keeps the composer usable, shows what waits for the connection, and sends it once back', async () => {
      const fake = c.fake();
      const el = await c.mount(fake);
      await settle(el);
      fake.setState({ status: 'reconnecting' });
      await settle(el);
      expect(statusText(el)).to.equal('Connection lost — reconnecting…');
      expect(composer(el).disabled).to.equal(false);
      expect(transcript(el).held).to.equal(true);

      composer(el).focus();
      await sendKeys({ type: 'Are you still there?' });
      await sendKeys({ press: 'Enter' });
      await settle(el);
      expect(fake.sent).to.deep.equal(['Are you still there?']);
      // In words, not only an icon.
      expect(deliveryTexts(el)).to.deep.equal(['Message status: Not sent yet — will be sent when the connection is back']);
      await expect(el).to.be.accessible();

      fake.setState({ status: 'connected' });
      await settle(el);
      expect(transcript(el).held).to.equal(false);
      expect(deliveryTexts(el)).to.deep.equal(['Message status: Sending…']);
      const sent = fake.state.transcript[0];
      fake.setDelivery(sent.id, 'delivered');
      await settle(el);
      expect(deliveryTexts(el)).to.deep.equal(['Message status: Delivered']);
    });

    it('is usable while still connecting, and not once the connection failed for good', async () => {
      const fake = c.fake();
      fake.setState({ status: 'connecting' });
      const el = await c.mount(fake);
      await settle(el);
      expect(composer(el).disabled).to.equal(false);
      expect(transcript(el).held).to.equal(true);
      fake.setState({ status: 'failed', error: 'The gateway refused the session' });
      await settle(el);
      expect(composer(el).disabled).to.equal(true);
      await expect(el).to.be.accessible();
    });

    it('tells our connection lost, theirs dropped and them having left apart, from state alone', async () => {
      const fake = c.fake();
      const el = await c.mount(fake);
      await settle(el);
      const peer = fake.state.peer!.participant;
      expect(statusText(el)).to.equal(c.lines.online);

      fake.setPeer(peer, false, false, 'away');
      await settle(el);
      expect(statusText(el)).to.equal(c.lines.away);
      expect(composer(el).disabled).to.equal(false);
      await expect(el).to.be.accessible();

      // Our own reconnect says so, whatever the other side's last known presence.
      fake.setState({ status: 'reconnecting' });
      await settle(el);
      expect(statusText(el)).to.equal('Connection lost — reconnecting…');
      fake.setState({ status: 'connected' });

      fake.setPeer(peer, false, false, 'gone');
      await settle(el);
      expect(statusText(el)).to.equal(c.lines.gone);
      expect(composer(el).disabled).to.equal(false);

      fake.setPeer(peer, true);
      await settle(el);
      expect(statusText(el)).to.equal(c.lines.online);

      fake.setPeer(peer, false, false, 'waiting');
      await settle(el);
      expect(statusText(el)).to.equal(c.lines.waiting);
      await expect(el).to.be.accessible();
    });
  });
}
