import { aTimeout, expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../../src/components/customer-chat/customer-chat.js';
import { CustomerChat, storageKeyFor } from '../../../src/components/customer-chat/customer-chat.js';
import type { ChatComposer } from '../../../src/components/chat-composer/chat-composer.js';
import type { ChatTranscript } from '../../../src/components/chat-transcript/chat-transcript.js';
import type { ConversationController } from '../../../src/session/index.js';
import { AGENT, CUSTOMER, FakeConversation, makeDescriptor } from '../fakes/fake-conversation.js';
import { focused } from '../fakes/dom.js';

const BROKER = 'http://broker.test/';
const KEY = storageKeyFor(BROKER);
const RESUME_KEY = 'resume-key-0123456789abcdef';
const descriptor = makeDescriptor({ id: 'conv-9', self: CUSTOMER, peer: undefined });
const grant = { descriptor, resumeKey: RESUME_KEY };

/** Customer chat whose own conversation is a fake, and which records navigation instead of leaving the test page. */
class TestCustomerChat extends CustomerChat {
  static created: FakeConversation[] = [];
  static navigations: { url: string; sameOrigin: boolean }[] = [];
  protected override createConversation(): ConversationController {
    const fake = new FakeConversation({}, CUSTOMER);
    TestCustomerChat.created.push(fake);
    return fake;
  }
  protected override navigate(url: string, sameOrigin: boolean): void {
    TestCustomerChat.navigations.push({ url, sameOrigin });
  }
}
customElements.define('test-customer-chat', TestCustomerChat);

// ---- fetch stub ----
interface Call {
  url: string;
  method: string;
  headers: Headers;
  body?: unknown;
}
type Handler = (call: Call) => Response | Promise<Response>;
const realFetch = window.fetch;
let calls: Call[] = [];
/**
 * What the widget asks on its own, besides starting and resuming: whether
 * anyone is available (when the panel opens) and the place in the queue
 * (while waiting). Recorded apart from `calls`; by default the broker knows
 * neither (404), as one without these endpoints.
 */
let polls: Call[] = [];
let pollHandler: Handler = () => apiError(404, 'not_found', 'No API endpoint');
const isPoll = (url: string) => url.endsWith('/api/availability') || /\/api\/conversations\/[^/]+\/queue$/.test(url);
function stubFetch(handler: Handler): void {
  window.fetch = async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const call: Call = {
      url: input instanceof Request ? input.url : String(input),
      method: init.method ?? 'GET',
      headers: new Headers(init.headers),
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    if (isPoll(call.url)) {
      polls.push(call);
      return pollHandler(call);
    }
    calls.push(call);
    return handler(call);
  };
}
function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}
function apiError(status: number, code: string, message: string): Response {
  return json({ error: { code, message } }, status);
}

// ---- DOM helpers ----
const $ = <T extends Element = HTMLElement>(el: Element, sel: string) => el.shadowRoot!.querySelector<T>(sel);
const launcher = (el: CustomerChat) => $<HTMLButtonElement>(el, '[part="launcher"]')!;
const panel = (el: CustomerChat) => $(el, '[role="dialog"]')!;
const statusText = (el: CustomerChat) => $(el, '.header [role="status"]')!.textContent!.trim();
const alertText = (el: CustomerChat) => $(el, '[role="alert"]')!.textContent!.trim();
const retryButton = (el: CustomerChat) => $<HTMLButtonElement>(el, '[role="alert"] button');
const startForm = (el: CustomerChat) => $<HTMLFormElement>(el, 'form[part="start-form"]');
const composer = (el: CustomerChat) => $<ChatComposer>(el, 'chat-composer');
const transcript = (el: CustomerChat) => $<ChatTranscript>(el, 'chat-transcript');

function store(value: unknown): void {
  sessionStorage.setItem(KEY, JSON.stringify(value));
}
function stored(): unknown {
  const raw = sessionStorage.getItem(KEY);
  return raw === null ? null : JSON.parse(raw);
}

async function settle(el: CustomerChat): Promise<void> {
  await el.updateComplete;
  await composer(el)?.updateComplete;
  await transcript(el)?.updateComplete;
}

/**
 * An injected `onerror=alert(1)` must never run. Record alert() calls instead of
 * letting a dialog block the browser (for the whole page: an image error can fire
 * after its test ended). Each test file runs in its own page.
 */
const alertCalls: unknown[] = [];
window.alert = (message?: unknown) => void alertCalls.push(message);

describe('<customer-chat>', () => {
  beforeEach(() => {
    calls = [];
    polls = [];
    pollHandler = () => apiError(404, 'not_found', 'No API endpoint');
    sessionStorage.removeItem(KEY);
    TestCustomerChat.created = [];
    TestCustomerChat.navigations = [];
    stubFetch(() => {
      throw new TypeError('unexpected fetch');
    });
  });
  afterEach(() => {
    window.fetch = realFetch;
    sessionStorage.removeItem(KEY);
  });

  it('starts closed: a launcher with aria-expanded=false and a hidden panel', async () => {
    const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER}></customer-chat>`);
    expect(launcher(el).textContent).to.contain('Chat with us');
    expect(launcher(el).getAttribute('aria-expanded')).to.equal('false');
    expect(panel(el).hidden).to.equal(true);
    expect(getComputedStyle(launcher(el)).position).to.equal('fixed');
    expect(calls).to.have.length(0);
    await expect(el).to.be.accessible();
  });

  it('opens a labelled dialog with the start form focused; Esc closes and returns focus to the launcher', async () => {
    const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER}></customer-chat>`);
    launcher(el).click();
    await settle(el);
    expect(el.open).to.equal(true);
    expect(launcher(el).getAttribute('aria-expanded')).to.equal('true');
    expect(panel(el).hidden).to.equal(false);
    expect($(el, `#${panel(el).getAttribute('aria-labelledby')}`)!.textContent).to.equal('Chat with us');
    expect(startForm(el) !== null, 'start form is rendered').to.equal(true);
    expect(focused(el)).to.equal('name');
    await expect(el).to.be.accessible();

    await sendKeys({ press: 'Escape' });
    await settle(el);
    expect(el.open).to.equal(false);
    expect(panel(el).hidden).to.equal(true);
    expect(focused(el)).to.equal('launcher');
  });

  it('the Close button closes the panel and returns focus to the launcher', async () => {
    const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER} open></customer-chat>`);
    const close = $<HTMLButtonElement>(el, '[part="close"]')!;
    expect(close.getAttribute('aria-label')).to.equal('Close chat');
    close.focus();
    close.click();
    await settle(el);
    expect(panel(el).hidden).to.equal(true);
    expect(focused(el)).to.equal('launcher');
  });

  it('start flow: asks the broker, stores {id, resumeKey, open}, connects with the grant', async () => {
    stubFetch((call) => (call.method === 'POST' && call.url === `${BROKER}api/conversations` ? json(grant, 201) : apiError(404, 'not_found', 'no')));
    const fake = new FakeConversation({}, CUSTOMER);
    const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER} .controller=${fake}></customer-chat>`);
    launcher(el).click();
    await settle(el);
    await sendKeys({ type: '  Carl  ' });
    await sendKeys({ press: 'Enter' }); // submits the start form
    await waitUntil(() => fake.connectCalls.length === 1, 'connect was not called');
    expect(calls).to.have.length(1);
    const { publicKey, ...rest } = calls[0].body as { publicKey: { kty: string; crv: string } };
    expect(rest).to.deep.equal({ display: 'Carl', page: location.href });
    // The public half of the signing key this browser made for the conversation.
    expect(publicKey).to.include({ kty: 'EC', crv: 'P-256' });
    expect(stored()).to.deep.equal({ id: 'conv-9', resumeKey: RESUME_KEY, open: true });
    expect(fake.connectCalls[0].descriptor).to.deep.equal(JSON.parse(JSON.stringify(descriptor)));
    await settle(el);
    expect(startForm(el)?.outerHTML ?? null).to.equal(null);
    expect(statusText(el)).to.equal('Waiting for an agent…');
    expect(composer(el)!.disabled).to.equal(false);

    fake.setPeer(AGENT, true);
    await settle(el);
    expect(statusText(el)).to.equal('Chatting with Ann');
    await expect(el).to.be.accessible();

    // Closing is remembered too.
    el.hide();
    await settle(el);
    expect(stored()).to.deep.equal({ id: 'conv-9', resumeKey: RESUME_KEY, open: false });
  });

  it('start without a name sends no display', async () => {
    stubFetch(() => json(grant, 201));
    const fake = new FakeConversation({}, CUSTOMER);
    const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER} open .controller=${fake}></customer-chat>`);
    $<HTMLButtonElement>(el, 'form[part="start-form"] button[type="submit"]')!.click();
    await waitUntil(() => fake.connectCalls.length === 1);
    const { publicKey, ...rest } = calls[0].body as { publicKey: unknown };
    expect(rest).to.deep.equal({ page: location.href });
    expect(publicKey).to.be.an('object');
  });

  it('shows a start failure in an alert with Retry', async () => {
    let fail = true;
    stubFetch(() => (fail ? apiError(503, 'no_agents', 'No agent is available right now.') : json(grant, 201)));
    const fake = new FakeConversation({}, CUSTOMER);
    const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER} open .controller=${fake}></customer-chat>`);
    startForm(el)!.requestSubmit();
    await waitUntil(() => alertText(el).includes('No agent is available right now.'), 'no alert');
    expect(startForm(el) !== null, 'start form is rendered').to.equal(true);
    expect(stored()).to.equal(null);
    await expect(el).to.be.accessible();
    fail = false;
    retryButton(el)!.click();
    await waitUntil(() => fake.connectCalls.length === 1, 'retry did not connect');
    await settle(el);
    expect(alertText(el)).to.equal('');
  });

  it('resumes a stored conversation on load and re-opens the panel', async () => {
    store({ id: 'conv-9', resumeKey: RESUME_KEY, open: true });
    stubFetch((call) => (call.method === 'GET' && call.url === `${BROKER}api/conversations/conv-9` ? json(grant) : apiError(404, 'not_found', 'no')));
    const fake = new FakeConversation({}, CUSTOMER);
    const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER} .controller=${fake}></customer-chat>`);
    expect(el.open).to.equal(true);
    await waitUntil(() => fake.connectCalls.length === 1, 'did not reconnect');
    expect(calls[0].headers.get('authorization')).to.equal(`Bearer ${RESUME_KEY}`);
    expect(fake.connectCalls[0].descriptor.id).to.equal('conv-9');
    await settle(el);
    expect(panel(el).hidden).to.equal(false);
    expect(startForm(el)?.outerHTML ?? null).to.equal(null);
    expect(transcript(el) !== null, 'transcript is rendered').to.equal(true);
  });

  it('resumes in the background when the panel was closed', async () => {
    store({ id: 'conv-9', resumeKey: RESUME_KEY, open: false });
    stubFetch(() => json(grant));
    const fake = new FakeConversation({}, CUSTOMER);
    const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER} .controller=${fake}></customer-chat>`);
    await waitUntil(() => fake.connectCalls.length === 1);
    await settle(el);
    expect(el.open).to.equal(false);
    expect(panel(el).hidden).to.equal(true);
    launcher(el).click();
    await settle(el);
    expect(transcript(el) !== null, 'transcript is rendered').to.equal(true);
    expect(focused(el)).to.equal('composer');
  });

  for (const status of [403, 404]) {
    it(`clears storage and shows the start form when resume answers ${status}`, async () => {
      store({ id: 'conv-9', resumeKey: RESUME_KEY, open: true });
      stubFetch(() => apiError(status, 'gone', 'Conversation not found'));
      const fake = new FakeConversation({}, CUSTOMER);
      const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER} .controller=${fake}></customer-chat>`);
      await waitUntil(() => startForm(el) !== null, 'no start form');
      expect(stored()).to.equal(null);
      expect(fake.connectCalls).to.have.length(0);
      expect(alertText(el)).to.equal('');
    });
  }

  it('keeps the stored conversation and offers Retry when the broker is unreachable', async () => {
    store({ id: 'conv-9', resumeKey: RESUME_KEY, open: true });
    let down = true;
    stubFetch(() => {
      if (down) throw new TypeError('Failed to fetch');
      return json(grant);
    });
    const fake = new FakeConversation({}, CUSTOMER);
    const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER} .controller=${fake}></customer-chat>`);
    await waitUntil(() => retryButton(el) !== null, 'no Retry');
    expect(alertText(el)).to.contain('Cannot reach the chat service');
    expect(stored()).to.not.equal(null);
    await expect(el).to.be.accessible();
    down = false;
    retryButton(el)!.click();
    await waitUntil(() => fake.connectCalls.length === 1);
  });

  it('shows a connect failure with Retry, which resumes and connects again', async () => {
    stubFetch(() => json(grant, 201));
    const fake = new FakeConversation({}, CUSTOMER);
    fake.connectBehavior = new Error('gateway unreachable');
    const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER} open .controller=${fake}></customer-chat>`);
    startForm(el)!.requestSubmit();
    await waitUntil(() => alertText(el).includes('gateway unreachable'), 'no alert');
    expect(statusText(el)).to.equal('Connection failed');
    fake.connectBehavior = 'connect';
    retryButton(el)!.click();
    await waitUntil(() => fake.connectCalls.length === 2);
    expect(calls.map((c) => c.method)).to.deep.equal(['POST', 'GET']);
    await settle(el);
    expect(alertText(el)).to.equal('');
    expect(statusText(el)).to.equal('Waiting for an agent…');
  });

  describe('chatting', () => {
    function connectedFake(): FakeConversation {
      const fake = new FakeConversation({ status: 'connected', descriptor }, CUSTOMER);
      fake.setPeer(AGENT, true);
      return fake;
    }

    it('sends with Enter and fires vc-message-sent', async () => {
      const fake = connectedFake();
      const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER} open .controller=${fake}></customer-chat>`);
      await settle(el);
      expect(statusText(el)).to.equal('Chatting with Ann');
      composer(el)!.focus();
      await sendKeys({ type: 'Hello!' });
      const sent = oneEvent(el, 'vc-message-sent');
      await sendKeys({ press: 'Enter' });
      const e = await sent;
      expect(e.detail.message.text).to.equal('Hello!');
      expect(e.bubbles && e.composed).to.equal(true);
      expect(fake.sent).to.deep.equal(['Hello!']);
    });

    it('fires vc-message-received, vc-conversation-state and vc-protocol-error; counts unread while closed', async () => {
      const fake = connectedFake();
      const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER} .controller=${fake}></customer-chat>`);
      const received = oneEvent(el, 'vc-message-received');
      fake.receive('Hi, I am Ann', AGENT);
      expect((await received).detail.message.text).to.equal('Hi, I am Ann');
      await settle(el);
      expect(launcher(el).textContent!.replace(/\s+/g, ' ')).to.contain('1 unread message');

      const state = oneEvent(el, 'vc-conversation-state');
      fake.setState({ status: 'reconnecting' });
      const s = await state;
      expect(s.detail).to.deep.equal({ status: 'reconnecting', conversationId: 'conv-9', peer: AGENT });
      expect(s.bubbles && s.composed).to.equal(true);

      const perr = oneEvent(el, 'vc-protocol-error');
      fake.protocolError('unsupported protocol version 2');
      expect((await perr).detail).to.deep.equal({ reason: 'unsupported protocol version 2' });

      el.show();
      await settle(el);
      expect(launcher(el).textContent).not.to.contain('unread');
    });

    it('shows markup as literal text', async () => {
      const evil = '<img src=x onerror=alert(1)>';
      const fake = connectedFake();
      fake.setPeer({ ...AGENT, display: evil }, true);
      fake.receive(evil, AGENT);
      const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER} open .controller=${fake}></customer-chat>`);
      await settle(el);
      expect(statusText(el)).to.equal(`Chatting with ${evil}`);
      expect(el.shadowRoot!.querySelector('img')?.outerHTML ?? null).to.equal(null);
      expect(transcript(el)!.shadowRoot!.querySelector('img')?.outerHTML ?? null).to.equal(null);
      expect(transcript(el)!.shadowRoot!.querySelector('.bubble')!.textContent).to.equal(evil);
      await aTimeout(50);
      expect(alertCalls).to.deep.equal([]);
    });

    it('announces new agent messages in the live region', async () => {
      const fake = connectedFake();
      const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER} open .controller=${fake}></customer-chat>`);
      await settle(el);
      fake.receive('Let me check that for you', AGENT);
      await settle(el);
      expect(transcript(el)!.shadowRoot!.querySelector('[role="status"]')!.textContent!.trim()).to.equal('Ann: Let me check that for you');
    });

    // Was: the composer was disabled while reconnecting and "Ann left the chat" showed as soon as the agent's
    // connection dropped. Now it stays usable and "left" waits for the conversation's verdict (presence 'gone').
    it('keeps the composer while reconnecting, says "left" only when the agent is gone, then chat ended', async () => {
      const fake = connectedFake();
      store({ id: 'conv-9', resumeKey: RESUME_KEY, open: true });
      const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER} open .controller=${fake}></customer-chat>`);
      fake.setState({ status: 'reconnecting' });
      await settle(el);
      expect(statusText(el)).to.equal('Connection lost — reconnecting…');
      expect(composer(el)!.disabled).to.equal(false);
      fake.setState({ status: 'connected' });
      fake.setPeer(AGENT, false, false, 'gone');
      await settle(el);
      expect(statusText(el)).to.equal('Ann left the chat');
      fake.setState({ status: 'closed' });
      await settle(el);
      expect(statusText(el)).to.equal('Chat ended');
      expect(composer(el)?.outerHTML ?? null).to.equal(null);
      await expect(el).to.be.accessible();
      $<HTMLButtonElement>(el, '.ended button')!.click();
      await settle(el);
      expect(startForm(el) !== null, 'start form is rendered').to.equal(true);
      expect(stored()).to.equal(null);
    });

    it('waits for a known agent who is not online yet', async () => {
      const fake = new FakeConversation({ status: 'connected', descriptor, peer: { participant: AGENT, online: false, presence: 'waiting', typing: false } }, CUSTOMER);
      const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER} open .controller=${fake}></customer-chat>`);
      expect(statusText(el)).to.equal('Waiting for an agent…');
    });

    it('opens a pushed page through the conversation: same origin in this tab, others in a new one', async () => {
      const fake = connectedFake();
      const here = fake.addPage(new URL('/checkout', location.href).href, 'Checkout');
      const there = fake.addPage('https://elsewhere.example/help', 'Help');
      const el = await fixture<TestCustomerChat>(html`<test-customer-chat broker-url=${BROKER} open .controller=${fake}></test-customer-chat>`);
      await settle(el);
      const buttons = transcript(el)!.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part="page-card"] button');
      expect(buttons).to.have.length(2);
      const leaked: Event[] = [];
      document.addEventListener('vc-page-open-request', (e) => leaked.push(e), { once: true });
      buttons[0].click();
      buttons[1].click();
      expect(fake.calls).to.deep.equal([
        { method: 'openPage', pushId: here.id },
        { method: 'openPage', pushId: there.id },
      ]);
      expect(TestCustomerChat.navigations).to.deep.equal([
        { url: here.url, sameOrigin: true },
        { url: there.url, sameOrigin: false },
      ]);
      expect(leaked).to.have.length(0);
      await settle(el);
      expect(transcript(el)!.shadowRoot!.querySelector('[part="page-card"] button')!.textContent).to.contain('Open again');
    });

    it('is accessible while chatting', async () => {
      const fake = connectedFake();
      fake.receive('Hello, how can I help?', AGENT);
      fake.send('My order is late');
      fake.setPeer(AGENT, true, true);
      const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER} open .controller=${fake}></customer-chat>`);
      await settle(el);
      await expect(el).to.be.accessible();
    });
  });

  it('creates its own conversation when no controller is given, and disposes it on removal', async () => {
    stubFetch(() => json(grant, 201));
    const el = await fixture<TestCustomerChat>(html`<test-customer-chat broker-url=${BROKER} open></test-customer-chat>`);
    startForm(el)!.requestSubmit();
    await waitUntil(() => TestCustomerChat.created.length === 1 && TestCustomerChat.created[0].connectCalls.length === 1);
    const own = TestCustomerChat.created[0];
    const signal = own.connectCalls[0].signal!;
    el.remove();
    expect(own.disposeCount).to.equal(1);
    expect(signal.aborted).to.equal(true);
    // Survives a "reload": a new element resumes from sessionStorage.
    const again = await fixture<TestCustomerChat>(html`<test-customer-chat broker-url=${BROKER}></test-customer-chat>`);
    await waitUntil(() => TestCustomerChat.created.length === 2 && TestCustomerChat.created[1].connectCalls.length === 1);
    expect(again.open).to.equal(true);
  });

  it('in a browser without WebRTC says chat is not available: no start form, no button that cannot work, no broker call', async () => {
    const real = Object.getOwnPropertyDescriptor(window, 'RTCPeerConnection')!;
    Object.defineProperty(window, 'RTCPeerConnection', { value: undefined, configurable: true, writable: true });
    try {
      const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER} open></customer-chat>`);
      await settle(el);
      expect(startForm(el)).to.equal(null);
      expect($(el, '.unsupported[role="status"]')!.textContent!.trim()).to.equal(
        'Chat is not available in this browser. Please open this page in a current version of Chrome, Edge, Firefox or Safari.',
      );
      expect([...panel(el).querySelectorAll('button')].map((b) => b.getAttribute('aria-label') ?? b.textContent!.trim())).to.deep.equal(['Close chat']);
      expect(calls).to.deep.equal([]);
      el.setAttribute('lang', 'de');
      await waitUntil(() => $(el, '.unsupported')!.textContent!.includes('in diesem Browser nicht verfügbar'), 'said in German');
    } finally {
      Object.defineProperty(window, 'RTCPeerConnection', real);
    }
  });

  it('where video cannot run: says so instead of Start video, and an invitation can only be declined', async () => {
    const fake = new FakeConversation({ status: 'connected', descriptor }, CUSTOMER);
    fake.setPeer(AGENT, true);
    fake.setVideo({ unsupported: true });
    const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER} open .controller=${fake}></customer-chat>`);
    await settle(el);
    const texts = () => [...el.shadowRoot!.querySelectorAll('button')].map((b) => b.textContent!.trim());
    expect(texts()).not.to.include('Start video…');
    expect($(el, '.video-info')!.textContent!.trim()).to.equal('Video is not available in this browser.');
    expect(composer(el)).to.not.equal(null);

    fake.setVideo({ phase: 'invited', invite: { id: 'inv-1', mode: 'two-way' } });
    await settle(el);
    expect($(el, 'video-invite')).to.equal(null);
    expect($(el, '.video-info')!.textContent).to.contain('Ann invited you to video, but video and voice are not available in this browser.');
    expect(texts()).not.to.include('Accept video');
    [...el.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent!.trim() === 'Decline, stay in chat')!.click();
    expect(fake.calls).to.deep.equal([{ method: 'answerInvite', accept: false }]);
  });

  it('says so when there is no broker-url', async () => {
    const el = await fixture<CustomerChat>(html`<customer-chat open></customer-chat>`);
    expect(alertText(el)).to.equal('Chat is not available right now.');
    expect($<HTMLButtonElement>(el, 'form[part="start-form"] button[type="submit"]')!.disabled).to.equal(true);
  });
});
