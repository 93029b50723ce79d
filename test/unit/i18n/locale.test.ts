// The elements in German and Arabic: both top elements and the video and
// cobrowse prompts render the catalogues' texts; Arabic is laid out right to
// left (computed direction, bounding boxes, and a real screenshot of the
// page); each element finds its own locale (a German page with an English
// pane), re-renders when it changes; a system line one side wrote in English
// renders in German on the other, also from sessionStorage.
import { aTimeout, expect, fixture, fixtureCleanup, html, waitUntil } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import '../../../src/components/index.js';
import type { ChatTranscript, CustomerChat, VideoChatPane } from '../../../src/components/index.js';
import { loadLocale, english, type MessageKey, type Params } from '../../../src/i18n/index.js';
import { CustomerLinkSession, sessionTranscriptStore, type TranscriptEntry } from '../../../src/session/index.js';
import type { TranscriptHost } from '../../../src/session/feature-host.js';
import { AGENT, CUSTOMER, FakeConversation, makeDescriptor } from '../fakes/fake-conversation.js';
import { signalPair } from '../fakes/signal-pair.js';
import { waitFor } from '../fakes/chat-pair.js';

const $ = <T extends Element = HTMLElement>(el: Element, sel: string) => el.shadowRoot!.querySelector<T>(sel)!;
const text = (el: Element | null | undefined) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

function connectedPane(): FakeConversation {
  const fake = new FakeConversation({ status: 'connected', descriptor: makeDescriptor() });
  fake.setPeer(CUSTOMER, true);
  return fake;
}
function customerConversation(): FakeConversation {
  const fake = new FakeConversation({ status: 'connected', descriptor: makeDescriptor({ self: CUSTOMER, peer: AGENT }) }, CUSTOMER);
  fake.setPeer(AGENT, true);
  return fake;
}

/** Waits until the element (and those in its shadow root) rendered with the catalogue loaded. */
async function settled(el: Element): Promise<void> {
  await aTimeout(0);
  await (el as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete;
  for (const inner of el.shadowRoot?.querySelectorAll('*') ?? []) {
    const u = (inner as { updateComplete?: Promise<unknown> }).updateComplete;
    if (u) await u;
  }
}

/** Decodes a PNG (base64) into pixels. */
async function pixels(png: string): Promise<{ width: number; height: number; at(x: number, y: number): [number, number, number] }> {
  const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
  const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(bitmap, 0, 0);
  const data = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
  return {
    width: bitmap.width,
    height: bitmap.height,
    at: (x, y) => {
      const i = (Math.round(y) * bitmap.width + Math.round(x)) * 4;
      return [data[i], data[i + 1], data[i + 2]];
    },
  };
}

/** Share of the pixels in a box that are (nearly) the given colour. */
function share(img: Awaited<ReturnType<typeof pixels>>, box: { x: number; y: number; w: number; h: number }, rgb: [number, number, number]): number {
  let hit = 0;
  let all = 0;
  for (let y = box.y; y < box.y + box.h; y += 2) {
    for (let x = box.x; x < box.x + box.w; x += 2) {
      const [r, g, b] = img.at(x, y);
      all++;
      if (Math.abs(r - rgb[0]) + Math.abs(g - rgb[1]) + Math.abs(b - rgb[2]) < 30) hit++;
    }
  }
  return all ? hit / all : 0;
}

describe('locales', () => {
  before(async () => {
    await Promise.all([loadLocale('de'), loadLocale('ar')]);
  });
  afterEach(() => {
    fixtureCleanup();
    document.documentElement.removeAttribute('lang');
    sessionStorage.clear();
  });

  it('German: the widget, the pane and the video and cobrowse prompts', async () => {
    const widget = await fixture<CustomerChat>(html`<customer-chat locale="de" broker-url="http://broker.test/"></customer-chat>`);
    widget.show();
    await settled(widget);
    expect(text($(widget, '.launcher'))).to.equal('Chatten Sie mit uns');
    expect($(widget, '.close').getAttribute('aria-label')).to.equal('Chat schließen');
    expect(text($(widget, '.start button[type="submit"]'))).to.equal('Chat starten');
    expect(text($(widget, '.start label'))).to.equal('Ihr Name (optional)');
    expect(widget.getAttribute('lang'), 'an explicit locale is mirrored into lang for screen readers').to.equal('de');

    const pane = await fixture<VideoChatPane>(html`<video-chat-pane locale="de" .controller=${connectedPane()}></video-chat-pane>`);
    await settled(pane);
    const more = $(pane, '#more-button');
    expect(text(more.shadowRoot!.querySelector('button'))).to.contain('Mehr');
    expect(text($(pane, 'header [role="status"]'))).to.equal('Online');
    expect([...pane.shadowRoot!.querySelectorAll('button.builtin')].map(text)).to.include('Videochat: in beide Richtungen');
    expect($(pane, 'chat-transcript').shadowRoot!.querySelector('[role="log"]')!.getAttribute('aria-label')).to.equal('Chat mit Carl');
    const composer = $(pane, 'chat-composer');
    expect(composer.shadowRoot!.querySelector('textarea')!.placeholder).to.equal('Nachricht schreiben …');

    const invite = await fixture(html`<video-invite locale="de" mode="two-way" peer-name="Ann"></video-invite>`);
    await settled(invite);
    expect(text(invite.shadowRoot!.querySelector('h2'))).to.equal('Einladung zum Videochat');
    expect(text(invite.shadowRoot!.querySelector('#text'))).to.equal('Ann möchte einen Videochat starten: Sie sehen und hören einander.');
    expect(text(invite.shadowRoot!.querySelector('[part="decline"]'))).to.equal('Ablehnen, im Chat bleiben');

    const consent = await fixture(html`<cobrowse-consent locale="de" kind="view" peer-name="Ann"></cobrowse-consent>`);
    await settled(consent);
    expect(text(consent.shadowRoot!.querySelector('h2'))).to.equal('Diese Seite teilen?');
    expect(text(consent.shadowRoot!.querySelector('[part="accept"]'))).to.equal('Diese Seite teilen');
  });

  it('Arabic: the widget and the pane render right to left, with the prompts in Arabic', async () => {
    document.documentElement.lang = 'ar';
    const fake = customerConversation();
    const widget = await fixture<CustomerChat>(html`<customer-chat .controller=${fake}></customer-chat>`);
    widget.show();
    await settled(widget);
    const panel = $(widget, '.panel');
    expect(getComputedStyle(panel).direction).to.equal('rtl');
    expect(widget.getAttribute('dir')).to.equal('rtl');
    expect(text($(widget, '.title'))).to.equal('تحدّث معنا');
    expect(text($(widget, '.status'))).to.equal('تتحدث مع Ann');

    // Layout: the panel and the launcher sit at the viewport's left (the inline end), the title is right of the close button.
    const p = panel.getBoundingClientRect();
    const launcher = $(widget, '.launcher').getBoundingClientRect();
    expect(p.left, 'panel on the left').to.be.lessThan(window.innerWidth / 2);
    expect(launcher.left, 'launcher on the left').to.be.lessThan(window.innerWidth / 2);
    const title = $(widget, '.title').getBoundingClientRect();
    const close = $(widget, '.close').getBoundingClientRect();
    expect(title.right, 'the inline start is the right edge').to.be.greaterThan(close.right);
    expect(Math.abs(p.right - title.right)).to.be.lessThan(Math.abs(p.left - title.left));

    fake.setVideo({ phase: 'invited', invite: { id: 'i1', mode: 'voice' } });
    // The invitation renders once the widget's video elements are imported (a lazy chunk): a render or more later.
    await waitUntil(() => widget.shadowRoot!.querySelector('video-invite'), 'the invitation is shown');
    const invite = $(widget, 'video-invite');
    await settled(invite);
    expect(text(invite.shadowRoot!.querySelector('h2'))).to.equal('دعوة إلى مكالمة صوتية');
    expect(getComputedStyle(invite.shadowRoot!.querySelector('.card')!).direction).to.equal('rtl');

    const pane = await fixture<VideoChatPane>(html`<video-chat-pane .controller=${connectedPane()}></video-chat-pane>`);
    await settled(pane);
    const header = $(pane, 'header');
    expect(getComputedStyle(header).direction).to.equal('rtl');
    const avatar = $(pane, '.avatar').getBoundingClientRect();
    const moreBox = $(pane, '#more-button').getBoundingClientRect();
    expect(avatar.left, 'the avatar starts the header on the right').to.be.greaterThan(moreBox.left);
  });

  it('a screenshot shows the Arabic widget mirrored: launcher and panel on the left, title bar text at its right', async () => {
    const shoot = async (locale: string) => {
      const widget = await fixture<CustomerChat>(html`<customer-chat locale=${locale} style="--vc-color-primary: rgb(200, 0, 120)" .controller=${customerConversation()}></customer-chat>`);
      widget.show();
      await settled(widget);
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      await aTimeout(200); // the panel's pop-in animation
      const png = await executeServerCommand<string, undefined>('vc-screenshot');
      const img = await pixels(png);
      const scale = img.width / window.innerWidth;
      const launcher = $(widget, '.launcher').getBoundingClientRect();
      const title = $(widget, '.title').getBoundingClientRect();
      const header = $(widget, '.header').getBoundingClientRect();
      fixtureCleanup();
      return { img, scale, launcher, title, header };
    };
    const magenta: [number, number, number] = [200, 0, 120];
    for (const [locale, side] of [['en', 'right'], ['ar', 'left']] as const) {
      const { img, scale, launcher, header } = await shoot(locale);
      const w = img.width;
      // Launcher: a magenta pill in the bottom corner on its side, nothing of it in the other corner.
      const corner = (s: 'left' | 'right') => ({ x: s === 'left' ? 0 : w - 200 * scale, y: img.height - 90 * scale, w: 200 * scale, h: 90 * scale });
      expect(share(img, corner(side), magenta), `${locale}: launcher in the bottom ${side}`).to.be.greaterThan(0.1);
      expect(share(img, corner(side === 'left' ? 'right' : 'left'), magenta), `${locale}: nothing in the other corner`).to.be.lessThan(0.01);
      expect(launcher.width).to.be.greaterThan(0);
      // Title bar: its text (non-magenta pixels) sits at the bar's inline start.
      const band = { y: (header.top + header.height / 2 - 6) * scale, h: 12 * scale };
      const half = (s: 'left' | 'right') => ({ x: (s === 'left' ? header.left : header.left + header.width / 2) * scale, y: band.y, w: (header.width / 2) * scale, h: band.h });
      const ink = (s: 'left' | 'right') => 1 - share(img, half(s), magenta);
      if (side === 'right') expect(ink('left'), 'en: title text at the left of the bar').to.be.greaterThan(ink('right'));
      else expect(ink('right'), 'ar: title text at the right of the bar').to.be.greaterThan(ink('left'));
    }
  });

  it('each element has its own locale: a German page with an English pane, and a change re-renders', async () => {
    document.documentElement.lang = 'de';
    const wrap = await fixture<HTMLElement>(html`<div>
      <video-chat-pane id="de" .controller=${connectedPane()}></video-chat-pane>
      <div lang="en"><video-chat-pane id="en" .controller=${connectedPane()}></video-chat-pane></div>
      <video-chat-pane id="es" locale="es" .controller=${connectedPane()}></video-chat-pane>
    </div>`);
    const more = (id: string) => text(wrap.querySelector(`#${id}`)!.shadowRoot!.querySelector('#more-button')!.shadowRoot!.querySelector('button'));
    for (const id of ['de', 'en', 'es']) await settled(wrap.querySelector(`#${id}`)!);
    expect(more('de')).to.contain('Mehr');
    expect(more('en')).to.contain('More');
    // Spanish was not loaded yet: the pane shows English until its catalogue arrives, then re-renders.
    await waitUntil(() => more('es').includes('Más'), 'the Spanish catalogue loads on first use');

    document.documentElement.lang = 'ar';
    await waitUntil(() => more('de').includes('المزيد'), 'the page-language pane follows <html lang>');
    expect(more('en')).to.contain('More');
    const es = wrap.querySelector<VideoChatPane>('#es')!;
    es.locale = 'de';
    await waitUntil(() => more('es').includes('Mehr'), 'a changed locale property re-renders the pane and its menu');
    expect(es.getAttribute('dir')).to.equal('ltr');
  });

  it('a system line written in English by one side renders in German on the other, also after a reload', async () => {
    // Both sides of a real link (CustomerLinkSession on in-memory signals), each writing its own lines as codes.
    class Host implements TranscriptHost {
      entries: TranscriptEntry[] = [];
      constructor(private readonly peer: string) {}
      transcript = () => this.entries;
      setTranscript = (e: readonly TranscriptEntry[]) => void (this.entries = [...e]);
      systemLine = (code: MessageKey, params: Params, id: string = crypto.randomUUID()) =>
        void this.entries.push({ kind: 'system', id, text: english(code, params as never), ts: Date.now(), code, params });
      peerName = () => this.peer;
      protocolError = () => {};
    }
    const s = signalPair(AGENT.id, CUSTOMER.id);
    const agentHost = new Host('Carl');
    const customerHost = new Host('Ann');
    const agent = new CustomerLinkSession(agentHost);
    const customer = new CustomerLinkSession(customerHost);
    agent.bind(s.agent, makeDescriptor({ self: AGENT, peer: CUSTOMER }));
    customer.bind(s.customer, makeDescriptor({ self: CUSTOMER, peer: AGENT }));
    agent.linkTo({ customerId: 'c-42', name: 'Casey Jones' });
    await waitFor(() => customerHost.entries.length > 0 && agentHost.entries.length > 0, 'both lines');
    expect(customerHost.entries[0]).to.include({ text: 'Ann linked this chat to your customer account (Casey Jones)', code: 'sys.link.peer' });

    const agentView = await fixture<ChatTranscript>(html`<chat-transcript locale="en" .entries=${agentHost.entries}></chat-transcript>`);
    const customerView = await fixture<ChatTranscript>(html`<chat-transcript locale="de" .entries=${customerHost.entries}></chat-transcript>`);
    await settled(agentView);
    await settled(customerView);
    expect(text(agentView.shadowRoot!.querySelector('[part="system"]'))).to.equal('Chat linked to customer record: Casey Jones');
    expect(text(customerView.shadowRoot!.querySelector('[part="system"]'))).to.equal('Ann hat diesen Chat mit Ihrem Kundenkonto verknüpft (Casey Jones)');

    // Kept in sessionStorage: with its code, next to a line stored before codes existed and one from a newer version.
    const store = sessionTranscriptStore();
    store.save('conv-i18n', [
      ...customerHost.entries,
      { kind: 'system', id: 'old', text: 'Video started: two-way video', ts: 1 },
      { kind: 'system', id: 'newer', text: 'Something new happened', ts: 2, code: 'sys.not-yet-invented' as MessageKey, params: {} },
    ]);
    const loaded = store.load('conv-i18n')!;
    expect(loaded.map((e) => (e.kind === 'system' ? e.code : undefined))).to.deep.equal(['sys.link.peer', undefined, undefined]);
    customerView.entries = loaded;
    await settled(customerView);
    expect([...customerView.shadowRoot!.querySelectorAll('[part="system"]')].map(text)).to.deep.equal([
      'Ann hat diesen Chat mit Ihrem Kundenkonto verknüpft (Casey Jones)',
      'Video started: two-way video',
      'Something new happened',
    ]);
  });
});
