// Focus never drops to the page: after Start chat (the message box), after
// Accept video (the invitation goes away: the video controls) and after End
// video (the frame goes away: the message box), keyboard focus lands on the
// next sensible control, never on <body>. Keyboard only, with real key presses.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../../src/components/customer-chat/customer-chat.js';
import { storageKeyFor, type CustomerChat } from '../../../src/components/customer-chat/customer-chat.js';
import type { VideoState } from '../../../src/session/index.js';
import { AGENT, CUSTOMER, FakeConversation, idleVideoState, makeDescriptor } from '../fakes/fake-conversation.js';

const BROKER = 'http://broker.test/';
const descriptor = makeDescriptor({ id: 'conv-f', self: CUSTOMER, peer: undefined });
const grant = { descriptor, resumeKey: 'resume-key-0123456789abcdef' };

/** The element that really has focus, through shadow roots, described as a string (never an Element in an assertion). */
function focusedDeep(): string {
  let a: Element | null = document.activeElement;
  const path: string[] = [];
  while (a) {
    const part = a.getAttribute('part');
    path.push(`${a.localName}${a.id ? `#${a.id}` : ''}${part ? `[${part}]` : ''}`);
    a = a.shadowRoot?.activeElement ?? null;
  }
  return path.join(' > ') || 'nothing';
}

/** Records every place focus goes while `run` runs (focusin anywhere, and <body> when focus is lost). */
async function watchFocus(run: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const note = () => seen.push(focusedDeep());
  document.addEventListener('focusin', note, true);
  document.addEventListener('focusout', () => queueMicrotask(note), true);
  try {
    await run();
  } finally {
    document.removeEventListener('focusin', note, true);
  }
  return seen;
}

const realFetch = window.fetch;
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('<customer-chat> focus never drops to the page', () => {
  beforeEach(() => {
    sessionStorage.removeItem(storageKeyFor(BROKER));
    window.fetch = async (input: RequestInfo | URL, init: RequestInit = {}) => {
      const url = String(input);
      if (url.endsWith('/api/conversations') && init.method === 'POST') {
        // The broker takes a moment: the start form is gone, the composer not there yet.
        await new Promise((r) => setTimeout(r, 150));
        return json(grant, 201);
      }
      return json({ error: { code: 'not_found', message: 'no' } }, 404);
    };
  });
  afterEach(() => {
    window.fetch = realFetch;
    sessionStorage.removeItem(storageKeyFor(BROKER));
  });

  it('after Start chat: the message box', async () => {
    const fake = new FakeConversation({}, CUSTOMER);
    fake.connectBehavior = 'hang';
    const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER} .controller=${fake}></customer-chat>`);
    el.shadowRoot!.querySelector<HTMLButtonElement>('.launcher')!.focus();
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => focusedDeep() === 'customer-chat > input#name', `the name field, got ${focusedDeep()}`);
    const seen = await watchFocus(async () => {
      await sendKeys({ type: 'Casey' });
      await sendKeys({ press: 'Enter' });
      // While the broker answers, focus waits in the panel (not on the page).
      await waitUntil(() => focusedDeep() === 'customer-chat > div#panel[panel]', `the panel while starting, got ${focusedDeep()}`);
      await waitUntil(() => fake.connectCalls.length === 1, 'connecting');
      await waitUntil(() => focusedDeep() === 'customer-chat > chat-composer[composer] > textarea#input[input]', `the message box, got ${focusedDeep()}`);
    });
    expect(seen.filter((s) => s === 'body' || s === 'nothing'), `focus went: ${seen.join(' | ')}`).to.deep.equal([]);
  });

  function videoFake(): FakeConversation {
    const fake = new FakeConversation({ status: 'connected', descriptor }, CUSTOMER);
    fake.setPeer(AGENT, true);
    return fake;
  }
  const video = (patch: Partial<VideoState>): VideoState => ({ ...idleVideoState(), ...patch });
  const sending = { audio: true, video: true, muted: false, paused: false, videoAllowed: true };

  it('after Accept video: the video controls; after End video: the message box', async () => {
    const fake = videoFake();
    const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER} open .controller=${fake}></customer-chat>`);
    await el.updateComplete;
    fake.setState({ video: video({ phase: 'invited', invite: { id: 'inv-1', mode: 'two-way' } }) });
    // The invitation takes focus when it appears.
    await waitUntil(() => focusedDeep() === 'customer-chat > video-invite[video-invite] > button[accept]', `the invitation, got ${focusedDeep()}`);

    const accepting = await watchFocus(async () => {
      await sendKeys({ press: 'Enter' });
      expect(fake.calls).to.deep.equal([{ method: 'answerInvite', accept: 'two-way' }]);
      // The conversation answers: the invitation goes, the frame comes, its controls wait for the camera.
      fake.setState({ video: video({ phase: 'starting', mode: 'two-way', consented: true }) });
      await waitUntil(() => focusedDeep() === 'customer-chat > div#panel[panel]', `the panel while video starts, got ${focusedDeep()}`);
      fake.setState({ video: video({ phase: 'active', mode: 'two-way', consented: true, local: sending, remote: { audio: true, video: true } }) });
      await waitUntil(() => /^customer-chat > video-frame\[video\] > media-controls > button/.test(focusedDeep()), `the video controls, got ${focusedDeep()}`);
    });
    expect(accepting.filter((s) => s === 'body' || s === 'nothing'), `focus went: ${accepting.join(' | ')}`).to.deep.equal([]);
    expect(focusedDeep()).to.match(/\[video-button\]$/);

    // Tab to End video and press it.
    const ending = await watchFocus(async () => {
      for (let i = 0; i < 5 && !focusedDeep().endsWith('[end-button]'); i++) await sendKeys({ press: 'Tab' });
      expect(focusedDeep()).to.match(/\[end-button\]$/);
      await sendKeys({ press: 'Enter' });
      expect(fake.calls.at(-1)).to.deep.equal({ method: 'endVideo' });
      fake.setState({ video: video({ consented: true }) });
      await waitUntil(() => focusedDeep() === 'customer-chat > chat-composer[composer] > textarea#input[input]', `the message box, got ${focusedDeep()}`);
    });
    expect(ending.filter((s) => s === 'body' || s === 'nothing'), `focus went: ${ending.join(' | ')}`).to.deep.equal([]);
  });

  it('after Decline: the message box', async () => {
    const fake = videoFake();
    const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER} open .controller=${fake}></customer-chat>`);
    await el.updateComplete;
    fake.setState({ video: video({ phase: 'invited', invite: { id: 'inv-2', mode: 'voice' } }) });
    await waitUntil(() => focusedDeep().startsWith('customer-chat > video-invite'), `the invitation, got ${focusedDeep()}`);
    el.shadowRoot!.querySelector('video-invite')!.shadowRoot!.querySelector<HTMLButtonElement>('[part="decline"]')!.focus();
    await sendKeys({ press: 'Enter' });
    expect(fake.calls).to.deep.equal([{ method: 'answerInvite', accept: false }]);
    fake.setState({ video: video({}) });
    await waitUntil(() => focusedDeep() === 'customer-chat > chat-composer[composer] > textarea#input[input]', `the message box, got ${focusedDeep()}`);
  });

  it('the cobrowse prompt answered with the panel closed: back to the launcher', async () => {
    const fake = videoFake();
    const el = await fixture<CustomerChat>(html`<customer-chat broker-url=${BROKER} .controller=${fake}></customer-chat>`);
    await el.updateComplete;
    fake.setState({ cobrowse: { phase: 'asked', control: 'none', live: false, offerId: 'o1' } });
    // The prompt's element is loaded on first use (a lazy chunk): wait until it is defined and rendered.
    await waitUntil(() => el.shadowRoot!.querySelector('cobrowse-consent')?.shadowRoot?.querySelector('[part="decline"]'), 'the cobrowse prompt');
    const consent = el.shadowRoot!.querySelector('cobrowse-consent')!;
    consent.shadowRoot!.querySelector<HTMLButtonElement>('[part="decline"]')!.focus();
    await sendKeys({ press: 'Enter' });
    fake.setState({ cobrowse: { phase: 'idle', control: 'none', live: false } });
    await waitUntil(() => focusedDeep() === 'customer-chat > button[launcher]', `the launcher, got ${focusedDeep()}`);
  });
});
