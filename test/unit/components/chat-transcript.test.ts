import { aTimeout, expect, fixture, html, nextFrame, oneEvent, waitUntil } from '@open-wc/testing';
import '../../../src/components/chat-transcript/chat-transcript.js';
import type { ChatTranscript } from '../../../src/components/chat-transcript/chat-transcript.js';
import type { TranscriptEntry, TranscriptMessage } from '../../../src/session/index.js';
import { AGENT, CUSTOMER } from '../fakes/fake-conversation.js';

let n = 0;
function msg(text: string, mine: boolean, extra: Partial<TranscriptMessage> = {}): TranscriptMessage {
  n++;
  return {
    kind: 'message',
    id: `t-${n}`,
    from: mine ? AGENT : CUSTOMER,
    text,
    ts: Date.UTC(2024, 0, 1, 10, n % 60),
    mine,
    delivery: 'sent',
    seq: n,
    ...extra,
  };
}
function sys(text: string): TranscriptEntry {
  n++;
  return { kind: 'system', id: `s-${n}`, text, ts: Date.now() };
}
const root = (el: ChatTranscript) => el.shadowRoot!;
const liveRegion = (el: ChatTranscript) => root(el).querySelector('[role="status"]')!;
const log = (el: ChatTranscript) => root(el).querySelector<HTMLElement>('[role="log"]')!;

/**
 * An injected `onerror=alert(1)` must never run. Record alert() calls instead of
 * letting a dialog block the browser (for the whole page: an image error can fire
 * after its test ended). Each test file runs in its own page.
 */
const alertCalls: unknown[] = [];
window.alert = (message?: unknown) => void alertCalls.push(message);

describe('<chat-transcript>', () => {
  it('renders messages with author, time and delivery state, and system lines', async () => {
    const entries = [msg('Hello there', false), msg('Hi, how can I help?', true, { delivery: 'delivered' }), sys('Video started'), msg('Pending', true, { delivery: 'sending' })];
    const el = await fixture<ChatTranscript>(html`<chat-transcript .entries=${entries}></chat-transcript>`);
    const messages = root(el).querySelectorAll('[part="message"]');
    expect(messages).to.have.length(3);
    expect(messages[0].querySelector('.author')!.textContent).to.equal('Carl');
    expect(messages[0].querySelector('.bubble')!.textContent).to.equal('Hello there');
    expect(messages[0].querySelector('time')!.getAttribute('datetime')).to.equal(new Date(entries[0].ts).toISOString());
    expect(messages[0].querySelector('.delivery')?.outerHTML ?? null).to.equal(null);
    expect(messages[1].classList.contains('mine')).to.equal(true);
    expect(messages[1].querySelector('.author')!.textContent).to.equal('You');
    const delivered = messages[1].querySelector('.delivery')!;
    expect(delivered.getAttribute('data-state')).to.equal('delivered');
    expect(delivered.textContent!.replace(/\s+/g, ' ')).to.contain('Message status: Delivered');
    expect(messages[2].querySelector('.delivery')!.textContent).to.contain('Sending…');
    expect(root(el).querySelector('[part="system"]')!.textContent).to.equal('Video started');
    expect(log(el).getAttribute('aria-label')).to.equal('Conversation');
  });

  it('lays out a message in its own direction: English in an Arabic transcript keeps its question mark at the end (right)', async () => {
    const el = await fixture<ChatTranscript>(html`<chat-transcript locale="ar" .entries=${[msg('Does it fit?', false), msg('نعم؟', true)]}></chat-transcript>`);
    await waitUntil(() => el.getAttribute('dir') === 'rtl', 'the transcript is right to left');
    await el.updateComplete;
    /** x of the first and last character of a bubble's text. */
    const ends = (bubble: Element) => {
      const text = document.createTreeWalker(bubble, NodeFilter.SHOW_TEXT).nextNode() as Text;
      const at = (i: number) => {
        const r = document.createRange();
        r.setStart(text, i);
        r.setEnd(text, i + 1);
        return r.getBoundingClientRect().left;
      };
      return { first: at(0), last: at(text.length - 1) };
    };
    const [english, arabic] = [...root(el).querySelectorAll('.bubble')].map(ends);
    expect(english.last, 'the "?" of the English text is right of its "D"').to.be.greaterThan(english.first);
    expect(arabic.last, 'the Arabic text runs right to left').to.be.lessThan(arabic.first);
  });

  it('shows markup in messages and system lines as literal text', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    const el = await fixture<ChatTranscript>(html`<chat-transcript .entries=${[msg(evil, false), sys(evil), msg(`<b>${evil}</b>`, true)]}></chat-transcript>`);
    expect(root(el).querySelector('img')?.outerHTML ?? null).to.equal(null);
    expect(root(el).querySelector('b')?.outerHTML ?? null).to.equal(null);
    expect(root(el).querySelector('.bubble')!.textContent).to.equal(evil);
    expect(root(el).querySelector('[part="system"]')!.textContent).to.equal(evil);
    // New message with markup: also announced as text.
    el.entries = [...el.entries, msg(evil, false, { from: { ...CUSTOMER, display: '<i>Carl</i>' } })];
    await el.updateComplete;
    expect(root(el).querySelector('img, i')?.outerHTML ?? null).to.equal(null);
    expect(liveRegion(el).textContent!.trim()).to.equal(`<i>Carl</i>: ${evil}`);
    await aTimeout(50);
    expect(alertCalls).to.deep.equal([]);
  });

  it('announces new messages from the other side only, not history or own messages', async () => {
    const el = await fixture<ChatTranscript>(html`<chat-transcript .entries=${[msg('old news', false)]}></chat-transcript>`);
    const region = liveRegion(el);
    expect(region.getAttribute('aria-live')).to.equal('polite');
    expect(region.textContent!.trim()).to.equal('');

    el.entries = [...el.entries, msg('my own', true)];
    await el.updateComplete;
    expect(region.textContent!.trim()).to.equal('');

    el.entries = [...el.entries, msg('hello', false)];
    await el.updateComplete;
    expect(region.textContent!.trim()).to.equal('Carl: hello');

    // Re-rendering the same entries (e.g. a delivery update) does not repeat it.
    el.entries = el.entries.map((e) => (e.kind === 'message' && e.mine ? { ...e, delivery: 'delivered' as const } : e));
    await el.updateComplete;
    expect(region.textContent!.trim()).to.equal('Carl: hello');

    el.entries = [...el.entries, msg('second', false)];
    await el.updateComplete;
    expect(region.textContent!.trim()).to.equal('Carl: second');
    expect(region.textContent).not.to.contain('old news');
  });

  it('renders page cards; Open on a card from the other side asks the host to open it', async () => {
    const theirs: TranscriptEntry = { kind: 'page', id: 'push-1', url: 'https://shop.example/help?a=1', host: 'shop.example', title: 'Returns <b>policy</b>', ts: Date.now(), mine: false, opened: false };
    const mine: TranscriptEntry = { kind: 'page', id: 'push-2', url: 'https://shop.example/', host: 'shop.example', ts: Date.now(), mine: true, opened: true };
    const el = await fixture<ChatTranscript>(html`<chat-transcript .entries=${[theirs, mine]}></chat-transcript>`);
    const cards = root(el).querySelectorAll('[part="page-card"]');
    expect(cards).to.have.length(2);
    expect(cards[0].querySelector('.page-title')!.textContent).to.equal('Returns <b>policy</b>');
    expect(cards[0].querySelector('.page-host')!.textContent).to.equal('shop.example');
    expect(root(el).querySelector('b')?.outerHTML ?? null).to.equal(null);
    const open = cards[0].querySelector<HTMLButtonElement>('button')!;
    expect(open.textContent!.replace(/\s+/g, ' ').trim()).to.equal('Open page: Returns <b>policy</b>');
    expect(cards[1].querySelector('button')?.outerHTML ?? null).to.equal(null);
    expect(cards[1].querySelector('.page-title')!.textContent).to.equal('shop.example');
    expect(cards[1].querySelector('.page-state')!.textContent).to.equal('Opened');
    const requested = oneEvent(el, 'vc-page-open-request');
    open.click();
    const e = await requested;
    expect(e.detail).to.deep.equal({ pushId: 'push-1', url: 'https://shop.example/help?a=1' });
    expect(e.bubbles && e.composed).to.equal(true);
    await expect(el).to.be.accessible();
  });

  it('announces a new page card from the other side', async () => {
    const el = await fixture<ChatTranscript>(html`<chat-transcript .entries=${[]}></chat-transcript>`);
    el.entries = [{ kind: 'page', id: 'push-3', url: 'https://shop.example/', host: 'shop.example', title: 'Shop', ts: Date.now(), mine: false, opened: false }];
    await el.updateComplete;
    expect(liveRegion(el).textContent!.trim()).to.equal('Page sent to you: Shop');
  });

  it('shows who is typing', async () => {
    const el = await fixture<ChatTranscript>(html`<chat-transcript .entries=${[]}></chat-transcript>`);
    const typing = root(el).querySelector('[part="typing"]')!;
    expect(typing.textContent!.trim()).to.equal('');
    el.peerTyping = 'Ann';
    await el.updateComplete;
    expect(typing.textContent!.trim()).to.equal('Ann is typing…');
    el.peerTyping = undefined;
    await el.updateComplete;
    expect(typing.textContent!.trim()).to.equal('');
  });

  it('shows an empty state', async () => {
    const el = await fixture<ChatTranscript>(html`<chat-transcript></chat-transcript>`);
    expect(root(el).querySelector('.empty')!.textContent!.trim()).to.equal('No messages yet');
  });

  it('follows new entries when at the bottom, stays put when the user scrolled up', async () => {
    const many = Array.from({ length: 30 }, (_, i) => msg(`line ${i}`, i % 2 === 0));
    const el = await fixture<ChatTranscript>(html`<chat-transcript style="height: 200px" .entries=${many}></chat-transcript>`);
    await nextFrame();
    const l = log(el);
    expect(l.scrollHeight).to.be.greaterThan(l.clientHeight);
    const atBottom = () => l.scrollHeight - l.scrollTop - l.clientHeight < 2;
    expect(atBottom()).to.equal(true);

    el.entries = [...el.entries, msg('new at bottom', false)];
    await el.updateComplete;
    expect(atBottom()).to.equal(true);

    l.scrollTop = 0;
    el.entries = [...el.entries, msg('while reading history', false)];
    await el.updateComplete;
    expect(l.scrollTop).to.equal(0);

    // Sending something yourself brings you back down.
    el.entries = [...el.entries, msg('mine', true)];
    await el.updateComplete;
    expect(atBottom()).to.equal(true);
  });

  it('keeps following when the log gets shorter (the video frame opens above it) and taller again', async () => {
    const many = Array.from({ length: 30 }, (_, i) => msg(`row ${i}`, i % 2 === 0));
    const box = await fixture<HTMLDivElement>(html`<div style="height: 400px; display: flex; flex-direction: column">
      <div class="video" style="flex: none; height: 0"></div>
      <chat-transcript style="flex: 1 1 auto; min-height: 0" .entries=${many}></chat-transcript>
    </div>`);
    const el = box.querySelector<ChatTranscript>('chat-transcript')!;
    await el.updateComplete;
    await nextFrame();
    const l = log(el);
    const atBottom = () => l.scrollHeight - l.scrollTop - l.clientHeight < 2;
    expect(atBottom(), 'starts at the newest').to.equal(true);

    // The video frame opens: the log loses 240 px, the newest entry must stay in view.
    box.querySelector<HTMLElement>('.video')!.style.height = '240px';
    await nextFrame();
    await nextFrame();
    expect(atBottom(), 'still at the newest once the frame opened').to.equal(true);
    el.entries = [...el.entries, msg('a message while the video runs', false)];
    await el.updateComplete;
    expect(atBottom(), 'follows a new message while the frame is open').to.equal(true);

    // The frame closes: the log grows back and still shows the newest.
    box.querySelector<HTMLElement>('.video')!.style.height = '0px';
    await nextFrame();
    await nextFrame();
    el.entries = [...el.entries, msg('after the video', false)];
    await el.updateComplete;
    expect(atBottom(), 'follows after the frame closed').to.equal(true);
  });

  it('follows entries that arrived while it was hidden, once shown (a reload with the panel closed)', async () => {
    const box = await fixture<HTMLDivElement>(html`<div style="height: 200px; display: none; flex-direction: column">
      <chat-transcript style="flex: 1 1 auto; min-height: 0"></chat-transcript>
    </div>`);
    const el = box.querySelector<ChatTranscript>('chat-transcript')!;
    // History arrives in bursts while the panel is closed.
    el.entries = Array.from({ length: 15 }, (_, i) => msg(`old ${i}`, i % 2 === 0));
    await el.updateComplete;
    el.entries = [...el.entries, ...Array.from({ length: 15 }, (_, i) => msg(`older reply ${i}`, false))];
    await el.updateComplete;
    box.style.display = 'flex';
    await nextFrame();
    await nextFrame();
    const l = log(el);
    expect(l.scrollHeight).to.be.greaterThan(l.clientHeight);
    expect(l.scrollHeight - l.scrollTop - l.clientHeight, 'distance from the newest entry').to.be.lessThan(2);
  });

  it('a real scroll up is kept: a smaller log after it does not pull the reader down', async () => {
    const many = Array.from({ length: 30 }, (_, i) => msg(`r ${i}`, i % 2 === 0));
    const el = await fixture<ChatTranscript>(html`<chat-transcript style="height: 300px" .entries=${many}></chat-transcript>`);
    await nextFrame();
    await nextFrame();
    const l = log(el);
    l.scrollTop = 10;
    await oneEvent(l, 'scroll');
    el.style.height = '150px';
    await nextFrame();
    await nextFrame();
    el.entries = [...el.entries, msg('new while reading', false)];
    await el.updateComplete;
    expect(l.scrollTop).to.equal(10);
  });

  it('is accessible with messages, typing and empty', async () => {
    const el = await fixture<ChatTranscript>(html`<chat-transcript
      style="height: 240px"
      peer-typing="Carl"
      .entries=${[msg('Hello', false), msg('Hi!', true, { delivery: 'delivered' }), sys('Agent Ann joined')]}
    ></chat-transcript>`);
    await expect(el).to.be.accessible();
    const empty = await fixture<ChatTranscript>(html`<chat-transcript></chat-transcript>`);
    await expect(empty).to.be.accessible();
  });
});
