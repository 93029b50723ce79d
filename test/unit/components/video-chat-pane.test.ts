import { aTimeout, expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../../src/components/video-chat-pane/video-chat-pane.js';
import { VideoChatPane } from '../../../src/components/video-chat-pane/video-chat-pane.js';
import type { ChatComposer } from '../../../src/components/chat-composer/chat-composer.js';
import type { ChatTranscript } from '../../../src/components/chat-transcript/chat-transcript.js';
import type { ConversationController } from '../../../src/session/index.js';
import { CUSTOMER, FakeConversation, makeDescriptor } from '../fakes/fake-conversation.js';
import { record, focused } from '../fakes/dom.js';

/** Pane whose own conversation is a fake, to observe connect/dispose. */
class TestPane extends VideoChatPane {
  static created: FakeConversation[] = [];
  /** When set, the next created conversation fails to connect with it. */
  static failNext?: Error;
  protected override createConversation(): ConversationController {
    const fake = new FakeConversation();
    if (TestPane.failNext) fake.connectBehavior = TestPane.failNext;
    TestPane.failNext = undefined;
    TestPane.created.push(fake);
    return fake;
  }
}
customElements.define('test-video-chat-pane', TestPane);

const $ = <T extends Element = HTMLElement>(el: Element, sel: string) => el.shadowRoot!.querySelector<T>(sel)!;
const statusText = (el: VideoChatPane) => $(el, 'header [role="status"]').textContent!.trim();
const composer = (el: VideoChatPane) => $<ChatComposer>(el, 'chat-composer');
const transcript = (el: VideoChatPane) => $<ChatTranscript>(el, 'chat-transcript');
// The More menu is a <vc-menu-button id="more-button">: its button and popup live in its own shadow root,
// the built-in items are its children in the pane's shadow root.
const moreButton = (el: VideoChatPane) => $(el, '#more-button').shadowRoot!.querySelector<HTMLButtonElement>('button[aria-haspopup]')!;
const menu = (el: VideoChatPane) => $(el, '#more-button').shadowRoot!.querySelector<HTMLElement>('[role="menu"]')!;

function connectedFake(): FakeConversation {
  const fake = new FakeConversation({ status: 'connected', descriptor: makeDescriptor() });
  fake.setPeer(CUSTOMER, true);
  return fake;
}

async function settle(el: VideoChatPane): Promise<void> {
  await el.updateComplete;
  await composer(el).updateComplete;
  await transcript(el).updateComplete;
}

/**
 * An injected `onerror=alert(1)` must never run. Record alert() calls instead of
 * letting a dialog block the browser (for the whole page: an image error can fire
 * after its test ended). Each test file runs in its own page.
 */
const alertCalls: unknown[] = [];
window.alert = (message?: unknown) => void alertCalls.push(message);

describe('<video-chat-pane>', () => {
  it('renders the customer name, Online status and the transcript; composer enabled', async () => {
    const fake = connectedFake();
    fake.receive('Hi, I need help');
    fake.addSystem('Agent Ann joined');
    const el = await fixture<VideoChatPane>(html`<video-chat-pane .controller=${fake}></video-chat-pane>`);
    await settle(el);
    expect($(el, '.name').textContent).to.equal('Carl');
    expect(statusText(el)).to.equal('Online');
    expect(composer(el).disabled).to.equal(false);
    const t = transcript(el);
    expect(t.entries).to.equal(fake.state.transcript);
    expect(t.shadowRoot!.querySelector('.bubble')!.textContent).to.equal('Hi, I need help');
    expect(t.shadowRoot!.querySelector('[part="system"]')!.textContent).to.equal('Agent Ann joined');
  });

  // Was: the composer was disabled unless connected, and "Customer left" showed as soon as the customer's
  // connection dropped. Now it is usable while (re)connecting (messages queue) and "left" means presence 'gone'.
  it('shows each status; the composer stays usable while connecting or reconnecting, not once failed', async () => {
    const fake = new FakeConversation({ status: 'connecting', descriptor: makeDescriptor() });
    const el = await fixture<VideoChatPane>(html`<video-chat-pane .controller=${fake}></video-chat-pane>`);
    await settle(el);
    expect($(el, '.name').textContent).to.equal('Carl'); // from descriptor.peer
    expect(statusText(el)).to.equal('Connecting…');
    expect(composer(el).disabled).to.equal(false);

    fake.setState({ status: 'connected' });
    await settle(el);
    expect(statusText(el)).to.equal('Waiting for the customer…');
    expect(composer(el).disabled).to.equal(false);

    fake.setPeer({ ...CUSTOMER, display: 'Carla' }, true);
    await settle(el);
    expect($(el, '.name').textContent).to.equal('Carla');
    expect(statusText(el)).to.equal('Online');

    fake.setPeer({ ...CUSTOMER, display: 'Carla' }, false);
    await settle(el);
    expect(statusText(el)).to.equal('Carla’s connection dropped — waiting for them to come back');

    fake.setPeer({ ...CUSTOMER, display: 'Carla' }, false, false, 'gone');
    await settle(el);
    expect(statusText(el)).to.equal('Customer left');

    fake.setState({ status: 'reconnecting' });
    await settle(el);
    expect(statusText(el)).to.equal('Connection lost — reconnecting…');
    expect(composer(el).disabled).to.equal(false);

    fake.setState({ status: 'failed', error: 'gateway unreachable' });
    await settle(el);
    expect(statusText(el)).to.equal('Failed: gateway unreachable');
    expect($(el, '[role="alert"]').textContent).to.contain('gateway unreachable');
    expect(composer(el).disabled).to.equal(true);
  });

  it('a known customer who has not come online yet is awaited, not "left"', async () => {
    const fake = new FakeConversation({ status: 'connected', descriptor: makeDescriptor(), peer: { participant: CUSTOMER, online: false, presence: 'waiting', typing: false } });
    const el = await fixture<VideoChatPane>(html`<video-chat-pane .controller=${fake}></video-chat-pane>`);
    expect(statusText(el)).to.equal('Waiting for the customer…');
    fake.setPeer(CUSTOMER, true);
    await el.updateComplete;
    expect(statusText(el)).to.equal('Online');
    // Was "Customer left" at once; a dropped connection is not leaving.
    fake.setPeer(CUSTOMER, false);
    await el.updateComplete;
    expect(statusText(el)).to.equal('Carl’s connection dropped — waiting for them to come back');
    fake.setPeer(CUSTOMER, false, false, 'gone');
    await el.updateComplete;
    expect(statusText(el)).to.equal('Customer left');
  });

  it('sends through the controller and fires vc-message-sent (not vc-compose) from the pane', async () => {
    const fake = connectedFake();
    const el = await fixture<VideoChatPane>(html`<video-chat-pane .controller=${fake}></video-chat-pane>`);
    await settle(el);
    const leakedCompose = record(document, 'vc-compose');
    composer(el).focus();
    await sendKeys({ type: 'How can I help?' });
    const sent = oneEvent(el, 'vc-message-sent');
    await sendKeys({ press: 'Enter' });
    const event = await sent;
    expect(fake.sent).to.deep.equal(['How can I help?']);
    expect(event.detail.message.text).to.equal('How can I help?');
    expect(event.detail.message.mine).to.equal(true);
    expect(event.bubbles).to.equal(true);
    expect(event.composed).to.equal(true);
    expect(leakedCompose).to.have.length(0);
    await settle(el);
    expect(transcript(el).shadowRoot!.querySelector('.mine .delivery')!.textContent).to.contain('Sending…');
  });

  it('keeps the text and shows an alert when send throws', async () => {
    const fake = connectedFake();
    fake.sendError = new Error('outbox full');
    const el = await fixture<VideoChatPane>(html`<video-chat-pane .controller=${fake}></video-chat-pane>`);
    await settle(el);
    composer(el).focus();
    await sendKeys({ type: 'try me' });
    await sendKeys({ press: 'Enter' });
    await settle(el);
    expect(composer(el).value).to.equal('try me');
    expect($(el, '[role="alert"]').textContent).to.contain('Message not sent: outbox full');
  });

  it('re-dispatches received messages and announces them', async () => {
    const fake = connectedFake();
    const el = await fixture<VideoChatPane>(html`<video-chat-pane .controller=${fake}></video-chat-pane>`);
    await settle(el);
    const received = oneEvent(el, 'vc-message-received');
    fake.receive('hello');
    const event = await received;
    expect(event.detail.message.text).to.equal('hello');
    expect(event.bubbles && event.composed).to.equal(true);
    await settle(el);
    expect(transcript(el).shadowRoot!.querySelector('[role="status"]')!.textContent!.trim()).to.equal('Carl: hello');
  });

  it('shows the peer typing and forwards own typing to the controller', async () => {
    const fake = connectedFake();
    const el = await fixture<VideoChatPane>(html`<video-chat-pane .controller=${fake}></video-chat-pane>`);
    fake.setPeer(CUSTOMER, true, true);
    await settle(el);
    expect(transcript(el).shadowRoot!.querySelector('[part="typing"]')!.textContent!.trim()).to.equal('Carl is typing…');
    const leaked = record(document, 'vc-typing');
    composer(el).focus();
    await sendKeys({ type: 'x' });
    expect(fake.typing).to.deep.equal([true]);
    expect(leaked).to.have.length(0);
  });

  it('fires vc-conversation-state on status changes only, and vc-protocol-error', async () => {
    const fake = new FakeConversation({ status: 'connecting', descriptor: makeDescriptor() });
    const el = await fixture<VideoChatPane>(html`<video-chat-pane .controller=${fake}></video-chat-pane>`);
    const states = record<{ status: string; conversationId: string }>(el, 'vc-conversation-state');
    fake.setState({ status: 'connected' });
    fake.setPeer(CUSTOMER, true); // not a status change
    fake.setPeer(CUSTOMER, true, true);
    fake.setState({ status: 'reconnecting' });
    expect(states.map((e) => e.detail.status)).to.deep.equal(['connected', 'reconnecting']);
    expect(states[0].detail).to.deep.equal({ status: 'connected', conversationId: 'conv-1', peer: CUSTOMER });
    expect(states[0].bubbles && states[0].composed).to.equal(true);

    const err = oneEvent(el, 'vc-protocol-error');
    fake.protocolError('invalid envelope at body.text', 'cust-1');
    const e = await err;
    expect(e.detail).to.deep.equal({ reason: 'invalid envelope at body.text', from: 'cust-1' });
    expect(e.bubbles && e.composed).to.equal(true);
  });

  it('shows markup as literal text', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    const fake = connectedFake();
    fake.setPeer({ ...CUSTOMER, display: evil }, true);
    fake.receive(evil);
    const el = await fixture<VideoChatPane>(html`<video-chat-pane .controller=${fake}></video-chat-pane>`);
    await settle(el);
    expect($(el, '.name').textContent).to.equal(evil);
    expect(el.shadowRoot!.querySelector('img')?.outerHTML ?? null).to.equal(null);
    expect(transcript(el).shadowRoot!.querySelector('img')?.outerHTML ?? null).to.equal(null);
    expect(transcript(el).shadowRoot!.querySelector('.bubble')!.textContent).to.equal(evil);
    await aTimeout(50);
    expect(alertCalls).to.deep.equal([]);
  });

  describe('More menu', () => {
    async function paneWithItems() {
      const fake = connectedFake();
      const el = await fixture<VideoChatPane>(html`<video-chat-pane .controller=${fake}>
        <button slot="more" id="video">Video chat</button>
        <button slot="more" id="page">Send a web page</button>
        <button slot="more" id="link">Link to customer</button>
      </video-chat-pane>`);
      await settle(el);
      return el;
    }

    it('is a menu button with slotted menu items', async () => {
      const el = await paneWithItems();
      const button = moreButton(el);
      expect(button.getAttribute('aria-haspopup')).to.equal('menu');
      expect(button.getAttribute('aria-expanded')).to.equal('false');
      expect(menu(el).hidden).to.equal(true);
      for (const item of el.querySelectorAll('[slot="more"]')) expect(item.getAttribute('role')).to.equal('menuitem');
    });

    /** Text of the focused item, in the pane's shadow root or among its slotted children. */
    function activeText(el: Element): string {
      const a = el.shadowRoot!.activeElement ?? document.activeElement;
      return a?.textContent?.trim() ?? '';
    }

    it('Enter opens and focuses the first item, arrows move over built-in then host items, Esc closes and returns focus', async () => {
      const el = await paneWithItems();
      moreButton(el).focus();
      await sendKeys({ press: 'Enter' });
      await el.updateComplete;
      expect(moreButton(el).getAttribute('aria-expanded')).to.equal('true');
      expect(menu(el).hidden).to.equal(false);
      expect(activeText(el)).to.equal('Video chat: two-way');
      await sendKeys({ press: 'ArrowDown' });
      expect(activeText(el)).to.equal('Video chat: one-way, my camera');
      await sendKeys({ press: 'End' });
      expect(document.activeElement!.id).to.equal('link');
      await sendKeys({ press: 'ArrowDown' });
      expect(activeText(el)).to.equal('Video chat: two-way'); // wraps
      await sendKeys({ press: 'ArrowUp' });
      expect(document.activeElement!.id).to.equal('link');
      await sendKeys({ press: 'Escape' });
      await el.updateComplete;
      expect(moreButton(el).getAttribute('aria-expanded')).to.equal('false');
      expect(menu(el).hidden).to.equal(true);
      expect(focused(el)).to.equal('more-button');
    });

    it('ArrowDown/ArrowUp on the button open at the first/last item', async () => {
      const el = await paneWithItems();
      moreButton(el).focus();
      await sendKeys({ press: 'ArrowUp' });
      await el.updateComplete;
      expect(document.activeElement!.id).to.equal('link');
      await sendKeys({ press: 'Escape' });
      await sendKeys({ press: 'ArrowDown' });
      await el.updateComplete;
      expect(activeText(el)).to.equal('Video chat: two-way');
    });

    it('activating a host item runs it, closes the menu and returns focus', async () => {
      const el = await paneWithItems();
      let clicked = '';
      el.querySelector('#page')!.addEventListener('click', () => (clicked = 'page'));
      moreButton(el).focus();
      await sendKeys({ press: 'ArrowUp' }); // last: #link
      await el.updateComplete;
      await sendKeys({ press: 'ArrowUp' }); // #page
      await sendKeys({ press: 'Enter' });
      await el.updateComplete;
      expect(clicked).to.equal('page');
      expect(menu(el).hidden).to.equal(true);
      expect(focused(el)).to.equal('more-button');
    });

    it('the built-in Video chat items start video in the chosen mode', async () => {
      const fake = connectedFake();
      const el = await fixture<VideoChatPane>(html`<video-chat-pane .controller=${fake}></video-chat-pane>`);
      await settle(el);
      moreButton(el).click();
      await el.updateComplete;
      const items = [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('#more-button > button.builtin')];
      expect(items.map((b) => b.textContent!.trim())).to.deep.equal(['Video chat: two-way', 'Video chat: one-way, my camera', 'Video chat: one-way, customer’s camera', 'Voice chat', 'Send page…', 'Cobrowse (view the customer’s page)', 'Link to customer…']);
      items[2].click();
      expect(JSON.stringify(fake.calls)).to.contain('"method":"startVideo","mode":"one-way-customer"');
      await expect(el).to.be.accessible();
    });

    it('Link to customer: the host answers the search, the pick is linked, a veto stops it', async () => {
      const fake = connectedFake();
      const el = await fixture<VideoChatPane>(html`<video-chat-pane .controller=${fake}></video-chat-pane>`);
      await settle(el);
      const queries: string[] = [];
      el.addEventListener('vc-customer-search', (e) => {
        e.preventDefault();
        queries.push(e.detail.query);
        e.detail.respond([{ customerId: 'crm-7', name: 'Casey Jones', detail: 'casey@example.test' }]);
      });
      moreButton(el).click();
      await el.updateComplete;
      [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('button.builtin')].find((b) => b.textContent!.includes('Link to customer'))!.click();
      await el.updateComplete;
      const form = el.shadowRoot!.querySelector<HTMLFormElement>('form[part="link-form"]')!;
      form.querySelector('input')!.value = 'casey';
      form.requestSubmit();
      await el.updateComplete;
      expect(queries).to.deep.equal(['casey']);
      let vetoes = 1;
      el.addEventListener('vc-customer-link', (e) => { if (vetoes-- > 0) e.preventDefault(); });
      const pick = () => el.shadowRoot!.querySelector<HTMLButtonElement>('.matches button')!;
      expect(pick().textContent!.trim()).to.equal('Link to Casey Jones');
      await expect(el).to.be.accessible();
      pick().click();
      expect(JSON.stringify(fake.calls)).to.not.contain('linkCustomer');
      pick().click();
      expect(JSON.stringify(fake.calls)).to.contain('"method":"linkCustomer","customerId":"crm-7","name":"Casey Jones"');
    });

    it('marks a customer the website vouched for', async () => {
      const fake = connectedFake();
      const el = await fixture<VideoChatPane>(html`<video-chat-pane .controller=${fake}></video-chat-pane>`);
      await settle(el);
      expect(el.shadowRoot!.querySelector('.identity')?.textContent?.trim() ?? null).to.equal(null);
      const d = fake.state.descriptor!;
      fake.setState({ descriptor: { ...d, peer: { role: 'customer', id: 'c-9', display: 'Casey', verified: { userId: 'shop-user-42' } } } });
      await el.updateComplete;
      expect(el.shadowRoot!.querySelector('.identity')!.textContent!.replace(/\s+/g, ' ').trim()).to.equal('Verified: shop-user-42');
    });

    it('Send page checks the URL and honours a host veto', async () => {
      const fake = connectedFake();
      const el = await fixture<VideoChatPane>(html`<video-chat-pane .controller=${fake}></video-chat-pane>`);
      await settle(el);
      let vetoed = 0;
      const veto = (e: Event) => { vetoed++; e.preventDefault(); };
      el.addEventListener('vc-page-push', veto);
      expect(el.pushPage('https://shop.example/a')).to.equal(false);
      expect(vetoed).to.equal(1);
      el.removeEventListener('vc-page-push', veto);
      expect(el.pushPage('https://shop.example/a', 'A')).to.equal(true);
      expect(JSON.stringify(fake.calls)).to.contain('"method":"pushPage","url":"https://shop.example/a","title":"A"');
    });

    it('closes when clicking outside', async () => {
      const el = await paneWithItems();
      moreButton(el).click();
      await el.updateComplete;
      expect(menu(el).hidden).to.equal(false);
      document.body.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true, composed: true }));
      await el.updateComplete;
      expect(menu(el).hidden).to.equal(true);
    });

  });

  describe('lifecycle', () => {
    beforeEach(() => {
      TestPane.created = [];
    });

    it('creates and connects its own conversation from a descriptor, disposes it on removal', async () => {
      const descriptor = makeDescriptor();
      const el = await fixture<TestPane>(html`<test-video-chat-pane .conversation=${descriptor}></test-video-chat-pane>`);
      expect(TestPane.created).to.have.length(1);
      const own = TestPane.created[0];
      expect(own.connectCalls).to.have.length(1);
      expect(own.connectCalls[0].descriptor).to.equal(descriptor);
      const signal = own.connectCalls[0].signal!;
      expect(signal.aborted).to.equal(false);
      await settle(el);
      expect(statusText(el)).to.equal('Waiting for the customer…');
      el.remove();
      expect(signal.aborted).to.equal(true);
      expect(own.disposeCount).to.equal(1);
    });

    it('replaces its own conversation when the descriptor changes', async () => {
      const el = await fixture<TestPane>(html`<test-video-chat-pane .conversation=${makeDescriptor()}></test-video-chat-pane>`);
      el.conversation = makeDescriptor({ id: 'conv-2' });
      await el.updateComplete;
      expect(TestPane.created).to.have.length(2);
      expect(TestPane.created[0].disposeCount).to.equal(1);
      expect(TestPane.created[1].connectCalls[0].descriptor.id).to.equal('conv-2');
    });

    it('shows a connect failure with Retry, which starts over', async () => {
      TestPane.failNext = new Error('no route to gateway');
      const el = await fixture<TestPane>(html`<test-video-chat-pane .conversation=${makeDescriptor()}></test-video-chat-pane>`);
      await settle(el);
      expect(statusText(el)).to.equal('Failed: no route to gateway');
      expect($(el, '[role="alert"]').textContent).to.contain('no route to gateway');
      await expect(el).to.be.accessible();
      $<HTMLButtonElement>(el, '[role="alert"] button').click();
      await settle(el);
      expect(TestPane.created).to.have.length(2);
      expect(TestPane.created[0].disposeCount).to.equal(1);
      expect(statusText(el)).to.equal('Waiting for the customer…');
      expect($(el, '[role="alert"]').textContent).to.equal('');
    });

    it('connects an injected idle controller with the descriptor and never disposes it', async () => {
      const fake = new FakeConversation();
      const descriptor = makeDescriptor();
      const el = await fixture<VideoChatPane>(html`<video-chat-pane .controller=${fake} .conversation=${descriptor}></video-chat-pane>`);
      expect(fake.connectCalls.map((c) => c.descriptor)).to.deep.equal([descriptor]);
      el.remove();
      expect(fake.disposeCount).to.equal(0);
      expect(fake.connectCalls[0].signal!.aborted).to.equal(true);
    });

    it('stops listening to the controller when removed', async () => {
      const fake = connectedFake();
      const el = await fixture<VideoChatPane>(html`<video-chat-pane .controller=${fake}></video-chat-pane>`);
      const received = record(el, 'vc-message-received');
      el.remove();
      fake.receive('after removal');
      expect(received).to.have.length(0);
    });
  });

  describe('accessibility', () => {
    let fake: FakeConversation;
    let el: VideoChatPane;
    beforeEach(async () => {
      fake = new FakeConversation({ status: 'connecting', descriptor: makeDescriptor() });
      el = await fixture<VideoChatPane>(html`<video-chat-pane style="height: 420px" .controller=${fake}>
        <button slot="more">Video chat</button>
      </video-chat-pane>`);
      await settle(el);
    });

    it('connecting', async () => {
      await expect(el).to.be.accessible();
    });

    it('connected with messages and typing', async () => {
      fake.setState({ status: 'connected' });
      fake.setPeer(CUSTOMER, true, true);
      fake.receive('Hello');
      fake.send('Hi Carl');
      await settle(el);
      await expect(el).to.be.accessible();
    });

    it('with the More menu open', async () => {
      moreButton(el).click();
      await settle(el);
      await expect(el).to.be.accessible();
    });

    it('failed', async () => {
      fake.setState({ status: 'failed', error: 'lost' });
      await settle(el);
      await expect(el).to.be.accessible();
    });
  });
});
