import { aTimeout, expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../../src/components/chat-composer/chat-composer.js';
import type { ChatComposer } from '../../../src/components/chat-composer/chat-composer.js';
import { MAX_CHAT_TEXT } from '../../../src/protocol/index.js';
import { record, focused } from '../fakes/dom.js';

const textarea = (el: ChatComposer) => el.shadowRoot!.querySelector('textarea')!;
const sendButton = (el: ChatComposer) => el.shadowRoot!.querySelector<HTMLButtonElement>('button[part="send"]')!;

describe('<chat-composer>', () => {
  it('has a labelled textarea (default "Message") with maxlength', async () => {
    const el = await fixture<ChatComposer>(html`<chat-composer></chat-composer>`);
    const ta = textarea(el);
    expect(ta.labels).to.have.length(1);
    expect(ta.labels[0].textContent!.trim()).to.equal('Message');
    expect(ta.maxLength).to.equal(MAX_CHAT_TEXT);
    el.label = 'Reply to Carl';
    await el.updateComplete;
    expect(ta.labels[0].textContent!.trim()).to.equal('Reply to Carl');
  });

  it('Enter sends the trimmed text, clears the box and keeps focus', async () => {
    const el = await fixture<ChatComposer>(html`<chat-composer></chat-composer>`);
    el.focus();
    expect(focused(el)).to.equal('input');
    await sendKeys({ type: '  hello there  ' });
    const composed = oneEvent(el, 'vc-compose');
    await sendKeys({ press: 'Enter' });
    const event = await composed;
    expect(event.detail).to.deep.equal({ text: 'hello there' });
    expect(event.bubbles).to.equal(true);
    expect(event.composed).to.equal(true);
    await el.updateComplete;
    expect(textarea(el).value).to.equal('');
    expect(el.value).to.equal('');
    expect(focused(el)).to.equal('input');
  });

  it('Shift+Enter inserts a newline instead of sending', async () => {
    const el = await fixture<ChatComposer>(html`<chat-composer></chat-composer>`);
    const sent = record<{ text: string }>(el, 'vc-compose');
    el.focus();
    await sendKeys({ type: 'line one' });
    await sendKeys({ down: 'Shift' });
    await sendKeys({ press: 'Enter' });
    await sendKeys({ up: 'Shift' });
    await sendKeys({ type: 'line two' });
    expect(sent).to.have.length(0);
    expect(textarea(el).value).to.equal('line one\nline two');
    await sendKeys({ press: 'Enter' });
    expect(sent).to.have.length(1);
    expect(sent[0].detail.text).to.equal('line one\nline two');
  });

  it('refuses empty and whitespace-only text', async () => {
    const el = await fixture<ChatComposer>(html`<chat-composer></chat-composer>`);
    const sent = record<{ text: string }>(el, 'vc-compose');
    el.focus();
    await sendKeys({ press: 'Enter' });
    await sendKeys({ type: '   ' });
    await sendKeys({ press: 'Enter' });
    sendButton(el).click();
    expect(sent).to.have.length(0);
    expect(el.send()).to.equal(false);
  });

  it('the Send button sends and returns focus to the box', async () => {
    const el = await fixture<ChatComposer>(html`<chat-composer></chat-composer>`);
    el.focus();
    await sendKeys({ type: 'via button' });
    const composed = oneEvent(el, 'vc-compose');
    sendButton(el).focus();
    sendButton(el).click();
    expect((await composed).detail.text).to.equal('via button');
    expect(focused(el)).to.equal('input');
  });

  it('keeps the text when the host cancels vc-compose', async () => {
    const el = await fixture<ChatComposer>(html`<chat-composer></chat-composer>`);
    el.addEventListener('vc-compose', (e) => e.preventDefault());
    el.focus();
    await sendKeys({ type: 'not yet' });
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(textarea(el).value).to.equal('not yet');
  });

  it('disabled disables box and button and refuses to send', async () => {
    const el = await fixture<ChatComposer>(html`<chat-composer disabled></chat-composer>`);
    const sent = record<{ text: string }>(el, 'vc-compose');
    expect(textarea(el).disabled).to.equal(true);
    expect(sendButton(el).disabled).to.equal(true);
    el.value = 'queued';
    expect(el.send()).to.equal(false);
    expect(sent).to.have.length(0);
    el.disabled = false;
    await el.updateComplete;
    expect(textarea(el).disabled).to.equal(false);
    expect(el.send()).to.equal(true);
    expect(sent).to.have.length(1);
  });

  it('shows a characters-left counter only near the limit', async () => {
    const el = await fixture<ChatComposer>(html`<chat-composer></chat-composer>`);
    expect(el.shadowRoot!.querySelector('[part="counter"]')?.outerHTML ?? null).to.equal(null);
    el.value = 'a'.repeat(MAX_CHAT_TEXT - 100);
    await el.updateComplete;
    const counter = el.shadowRoot!.querySelector('[part="counter"]')!;
    expect(counter.textContent!.trim()).to.equal('100 characters left');
    expect(textarea(el).getAttribute('aria-describedby')).to.equal(counter.id);
  });

  it('fires vc-typing active at most once per throttle window, inactive on blur', async () => {
    const el = await fixture<ChatComposer>(html`<chat-composer></chat-composer>`);
    const typing = record<{ active: boolean }>(el, 'vc-typing');
    el.focus();
    await sendKeys({ type: 'abc' });
    expect(typing.map((e) => e.detail.active)).to.deep.equal([true]);
    expect(typing[0].bubbles && typing[0].composed).to.equal(true);
    textarea(el).blur();
    expect(typing.map((e) => e.detail.active)).to.deep.equal([true, false]);
  });

  it('fires vc-typing active again after the throttle window, inactive when idle and on send', async () => {
    const el = await fixture<ChatComposer>(html`<chat-composer></chat-composer>`);
    el.typingThrottleMs = 80;
    el.typingIdleMs = 500;
    const typing = record<{ active: boolean }>(el, 'vc-typing');
    el.focus();
    await sendKeys({ type: 'a' });
    await aTimeout(120);
    await sendKeys({ type: 'b' });
    expect(typing.map((e) => e.detail.active)).to.deep.equal([true, true]);
    await aTimeout(700);
    expect(typing.map((e) => e.detail.active)).to.deep.equal([true, true, false]);
    await sendKeys({ type: 'c' });
    await sendKeys({ press: 'Enter' });
    expect(typing.map((e) => e.detail.active)).to.deep.equal([true, true, false, true, false]);
  });

  it('grows with its text up to a limit', async () => {
    const el = await fixture<ChatComposer>(html`<chat-composer></chat-composer>`);
    const one = textarea(el).getBoundingClientRect().height;
    el.value = 'a\nb\nc';
    await el.updateComplete;
    const three = textarea(el).getBoundingClientRect().height;
    expect(three).to.be.greaterThan(one * 1.8);
    el.value = Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n');
    await el.updateComplete;
    const many = textarea(el).getBoundingClientRect().height;
    expect(many).to.be.lessThan(one * 6);
    el.value = '';
    await el.updateComplete;
    expect(textarea(el).getBoundingClientRect().height).to.equal(one);
  });

  it('is accessible, enabled and disabled', async () => {
    const el = await fixture<ChatComposer>(html`<chat-composer></chat-composer>`);
    await expect(el).to.be.accessible();
    el.value = 'a'.repeat(MAX_CHAT_TEXT - 5);
    el.disabled = true;
    await el.updateComplete;
    await expect(el).to.be.accessible();
  });
});
