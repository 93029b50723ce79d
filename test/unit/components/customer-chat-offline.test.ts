// <customer-chat> when nobody can take a chat (the message form instead), while
// waiting (the place in the queue), and as a webmaster sets it up (position,
// greeting, name, a phone's screen, no second banner landmark). The broker is a
// stubbed fetch, the conversations are fakes.
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import '../../../src/components/customer-chat/customer-chat.js';
import { storageKeyFor, type CustomerChat } from '../../../src/components/customer-chat/customer-chat.js';
import type { ChatComposer } from '../../../src/components/chat-composer/chat-composer.js';
import { AGENT, CUSTOMER, FakeConversation, makeDescriptor } from '../fakes/fake-conversation.js';

const BROKER = 'http://broker.test/';
const KEY = storageKeyFor(BROKER);
const RESUME_KEY = 'resume-key-0123456789abcdef';
const descriptor = makeDescriptor({ id: 'conv-5', self: CUSTOMER, peer: undefined });
const grant = { descriptor, resumeKey: RESUME_KEY };

interface Call {
  url: string;
  method: string;
  auth: string | null;
  body?: Record<string, unknown>;
}
const realFetch = window.fetch;
let calls: Call[] = [];
let route: (c: Call) => Response | Promise<Response>;
function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}
const notFound = () => json({ error: { code: 'not_found', message: 'No API endpoint' } }, 404);
const path = (c: Call) => new URL(c.url).pathname;

const $ = <T extends Element = HTMLElement>(el: Element, sel: string) => el.shadowRoot!.querySelector<T>(sel);
const statusText = (el: CustomerChat) => $(el, '.header [role="status"]')!.textContent!.trim();
const offlineForm = (el: CustomerChat) => $<HTMLFormElement>(el, 'form[part="offline-form"]');
const startForm = (el: CustomerChat) => $<HTMLFormElement>(el, 'form[part="start-form"]');
const text = (el: Element | null) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

async function settle(el: CustomerChat): Promise<void> {
  await el.updateComplete;
  await $<ChatComposer>(el, 'chat-composer')?.updateComplete;
}

describe('<customer-chat> when nobody is there', () => {
  beforeEach(() => {
    calls = [];
    route = notFound;
    sessionStorage.removeItem(KEY);
    window.fetch = async (input: RequestInfo | URL, init: RequestInit = {}) => {
      const c: Call = {
        url: String(input),
        method: init.method ?? 'GET',
        auth: new Headers(init.headers).get('authorization'),
        body: typeof init.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : undefined,
      };
      calls.push(c);
      return route(c);
    };
  });
  afterEach(() => {
    window.fetch = realFetch;
    sessionStorage.removeItem(KEY);
  });

  it('says at once that nobody is available and takes a message and a validated email address instead', async () => {
    route = (c) => {
      if (path(c) === '/api/availability') return json({ available: false, agents: 0, reason: 'no-agents' });
      if (path(c) === '/api/offline-messages' && c.method === 'POST') return json({ id: 'offline-1', createdAt: 1 }, 201);
      return notFound();
    };
    const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER}></customer-chat>`);
    el.show();
    await waitUntil(() => offlineForm(el) !== null, 'the message form');
    expect(startForm(el), 'no start form: nobody would answer').to.equal(null);
    expect(text(offlineForm(el))).to.contain('Nobody is available to chat right now.');
    expect(text(offlineForm(el))).to.contain('Leave us a message and we’ll answer by email.');
    await expect(el).to.be.accessible();

    // Nothing filled in: both required fields say what is missing, and focus goes to the first.
    $<HTMLButtonElement>(el, '.offline button[type="submit"]')!.click();
    await settle(el);
    const email = $<HTMLInputElement>(el, '#offline-email')!;
    const message = $<HTMLTextAreaElement>(el, '#offline-text')!;
    expect(email.getAttribute('aria-invalid')).to.equal('true');
    expect(text($(el, '#offline-email-error'))).to.equal('Enter your email address so that we can answer you.');
    expect(message.getAttribute('aria-invalid')).to.equal('true');
    expect(text($(el, '#offline-text-error'))).to.equal('Write your message.');
    await waitUntil(() => el.shadowRoot!.activeElement === email, 'focus on the email field');
    expect(calls.filter((c) => c.method === 'POST')).to.have.length(0);

    // Not an address.
    $<HTMLInputElement>(el, '#offline-name')!.value = 'Kim';
    email.value = 'kim at example';
    message.value = 'Do you ship to Norway?';
    $<HTMLButtonElement>(el, '.offline button[type="submit"]')!.click();
    await settle(el);
    expect(text($(el, '#offline-email-error'))).to.equal('Enter an email address like name@example.com.');
    expect(message.getAttribute('aria-invalid')).to.equal('false');
    expect(calls.filter((c) => c.method === 'POST')).to.have.length(0);

    email.value = 'kim@example.com';
    const left = oneEvent(el, 'vc-offline-message');
    $<HTMLButtonElement>(el, '.offline button[type="submit"]')!.click();
    expect((await left).detail).to.deep.equal({ id: 'offline-1' });
    const post = calls.find((c) => c.method === 'POST')!;
    expect(path(post)).to.equal('/api/offline-messages');
    expect(post.body).to.deep.equal({ name: 'Kim', email: 'kim@example.com', text: 'Do you ship to Norway?', page: location.href });
    await settle(el);
    expect(text($(el, '.offline-sent'))).to.contain('Thank you! We have your message and will answer at kim@example.com.');
    await expect(el).to.be.accessible();
    const toggled = oneEvent(el, 'vc-panel-toggle');
    $<HTMLButtonElement>(el, '.offline-sent button')!.click();
    expect((await toggled).detail).to.deep.equal({ open: false });
  });

  it('outside the opening hours it says when they open, in the visitor’s language and time', async () => {
    const opensAt = Date.UTC(2030, 0, 7, 8, 0); // a Monday
    route = (c) => (path(c) === '/api/availability' ? json({ available: false, reason: 'closed', opensAt }) : notFound());
    const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER} open></customer-chat>`);
    await waitUntil(() => offlineForm(el) !== null, 'the message form');
    const when = new Intl.DateTimeFormat('en', { weekday: 'long', hour: 'numeric', minute: '2-digit' }).format(opensAt);
    expect(text($(el, '.offline-reason'))).to.equal(`We’re closed right now and open again ${when}.`);
    el.locale = 'de';
    await waitUntil(() => text($(el, '.offline-reason')).startsWith('Wir haben gerade geschlossen'), 'German');
    const wann = new Intl.DateTimeFormat('de', { weekday: 'long', hour: 'numeric', minute: '2-digit' }).format(opensAt);
    expect(text($(el, '.offline-reason'))).to.equal(`Wir haben gerade geschlossen und sind wieder da: ${wann}.`);
  });

  it('a broker that cannot tell (no endpoint, unreachable) still offers the chat', async () => {
    route = () => {
      throw new TypeError('Failed to fetch');
    };
    const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER} open></customer-chat>`);
    await waitUntil(() => calls.some((c) => path(c) === '/api/availability'), 'asked');
    await settle(el);
    expect(startForm(el) !== null, 'start form').to.equal(true);
    expect(offlineForm(el)).to.equal(null);
  });

  it('while waiting: the place in the queue, updated; when nobody will come, a way to leave a message instead', async () => {
    let position = 3;
    let available = true;
    route = (c) => {
      if (path(c) === '/api/availability') return json({ available: true });
      if (path(c) === '/api/conversations' && c.method === 'POST') return json(grant, 201);
      if (path(c) === '/api/conversations/conv-5/queue') {
        return json({ state: 'waiting', position, waiting: position, ...(available ? {} : { availability: { available: false, reason: 'no-agents' } }) });
      }
      if (path(c) === '/api/conversations/conv-5/close') return json({});
      return notFound();
    };
    const fake = new FakeConversation({}, CUSTOMER);
    const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER} open .controller=${fake}></customer-chat>`);
    // Polled fast here; the widget asks every 10 s.
    (el.entry as unknown as { options: { queuePollMs: number } }).options.queuePollMs = 50;
    await waitUntil(() => startForm(el) !== null);
    startForm(el)!.requestSubmit();
    await waitUntil(() => statusText(el) === 'Your place in the queue: 3', `queue position, got "${statusText(el)}"`);
    const asked = calls.find((c) => path(c) === '/api/conversations/conv-5/queue')!;
    expect(asked.auth).to.equal(`Bearer ${RESUME_KEY}`);
    position = 1;
    await waitUntil(() => statusText(el) === 'You are next in the queue', 'next');

    // The last agent signs off meanwhile: the customer is told, and may write instead.
    fake.send('My parcel never arrived');
    available = false;
    await waitUntil(() => $(el, '.waiting-note') !== null, 'the note');
    expect(text($(el, '.waiting-note'))).to.contain('Nobody is available to take this chat right now.');
    await expect(el).to.be.accessible();
    // As a person does it: focus on the button, then press it (a script's click() moves no focus).
    const instead = $<HTMLButtonElement>(el, '.waiting-note button')!;
    instead.focus();
    instead.click();
    await waitUntil(() => offlineForm(el) !== null, 'the message form');
    expect($<HTMLTextAreaElement>(el, '#offline-text')!.value, 'what they wrote is kept').to.equal('My parcel never arrived');
    await waitUntil(() => calls.some((c) => path(c) === '/api/conversations/conv-5/close'), 'the chat was ended for the broker');
    expect(sessionStorage.getItem(KEY)).to.equal(null);
    await waitUntil(() => el.shadowRoot!.activeElement?.id === 'offline-name', 'focus in the form');
  });

  it('the position gives way to the agent once one joins', async () => {
    route = (c) => {
      if (path(c) === '/api/conversations/conv-5/queue') return json({ state: 'waiting', position: 2, waiting: 2 });
      return notFound();
    };
    sessionStorage.setItem(KEY, JSON.stringify({ id: 'conv-5', resumeKey: RESUME_KEY, open: true }));
    const fake = new FakeConversation({ status: 'connected', descriptor }, CUSTOMER);
    const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER} open .controller=${fake}></customer-chat>`);
    await waitUntil(() => statusText(el) === 'Your place in the queue: 2', `queue position, got "${statusText(el)}"`);
    fake.setPeer(AGENT, true);
    await settle(el);
    expect(statusText(el)).to.equal('Chatting with Ann');
  });
});

describe('<customer-chat> as a webmaster sets it up', () => {
  afterEach(() => setViewport({ width: 800, height: 600 }));

  it('greeting, launcher label and the visitor’s name from the site', async () => {
    const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER} open label="Ask Homeware" greeting="Hi! We answer within minutes." visitor-name="Kim Lee"></customer-chat>`);
    await settle(el);
    expect(text($(el, '.launcher'))).to.equal('Ask Homeware');
    expect(text($(el, '.start p'))).to.equal('Hi! We answer within minutes.');
    expect($<HTMLInputElement>(el, '#name')!.value).to.equal('Kim Lee');
  });

  it('position="left" puts launcher and panel in the left corner, also right to left; "right" the right one', async () => {
    await setViewport({ width: 1000, height: 700 });
    for (const [position, locale, side] of [['left', 'en', 'left'], ['left', 'ar', 'left'], ['right', 'ar', 'right'], [undefined, 'ar', 'left'], [undefined, 'en', 'right']] as const) {
      const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER} open locale=${locale} position=${position ?? ''}></customer-chat>`);
      if (!position) el.removeAttribute('position');
      await waitUntil(() => el.getAttribute('dir') === (locale === 'ar' ? 'rtl' : 'ltr'), `${locale}: dir`);
      await settle(el);
      for (const part of ['.launcher', '.panel']) {
        const r = $(el, part)!.getBoundingClientRect();
        const where = r.left + r.width / 2 < window.innerWidth / 2 ? 'left' : 'right';
        expect(where, `${part} with position=${position} in ${locale}`).to.equal(side);
      }
    }
  });

  it('on a phone the open panel fills the screen and the launcher is out of the way', async () => {
    await setViewport({ width: 375, height: 667 });
    const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER}></customer-chat>`);
    el.show();
    await settle(el);
    const r = $(el, '.panel')!.getBoundingClientRect();
    expect([r.left, r.top, r.width, r.height]).to.deep.equal([0, 0, 375, 667]);
    expect(getComputedStyle($(el, '.launcher')!).display).to.equal('none');
    // The safe-area insets are part of the rules (they are 0 on a desktop browser).
    const rules = [...el.shadowRoot!.adoptedStyleSheets].flatMap((s) => [...s.cssRules].map((c) => c.cssText)).join('\n');
    for (const inset of ['safe-area-inset-top', 'safe-area-inset-bottom', 'safe-area-inset-left', 'safe-area-inset-right']) expect(rules).to.contain(inset);
    expect(rules).to.contain('100dvh');
    await expect(el).to.be.accessible();
    el.hide();
    await settle(el);
    expect(getComputedStyle($(el, '.launcher')!).display).to.not.equal('none');
  });

  it('adds no banner landmark: its title bar is a <header role="none">', async () => {
    const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER} open></customer-chat>`);
    await settle(el);
    // Counts, not elements: a failing chai comparison of a DOM node takes the test runner down with it.
    expect(el.shadowRoot!.querySelectorAll('header').length).to.equal(1);
    expect(el.shadowRoot!.querySelectorAll('header:not([role="none"])').length).to.equal(0);
    expect(el.shadowRoot!.querySelectorAll('[role="banner"], [role="main"], main, footer, [role="contentinfo"]')).to.have.length(0);
  });

  it('toggle() and the panel events', async () => {
    const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER}></customer-chat>`);
    const opened = oneEvent(el, 'vc-panel-toggle');
    el.toggle();
    expect((await opened).detail).to.deep.equal({ open: true });
    const closed = oneEvent(el, 'vc-panel-toggle');
    await sendKeys({ press: 'Escape' });
    expect((await closed).detail).to.deep.equal({ open: false });
  });
});
