// Keyboard only (issue 12, acceptance 7): on the demo shop, the customer never
// touches the mouse — Tab, Enter and typing only — to start a
// chat, accept video, pause it, end it and answer a cobrowse prompt. After
// each step the test asserts where focus landed (the message box after
// Start, the video controls after Accept, the message box after End video),
// and a watcher in the page records any moment focus fell to <body> once it
// was in the widget. The agent's side uses the real console with the mouse.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { startStack, type Stack } from '../helpers/stack.mjs';

/** Where focus really is, through shadow roots: the chain of elements and the focused one's accessible text. */
interface Focus {
  chain: string;
  name: string;
  body: boolean;
}

async function focusOf(page: Page): Promise<Focus> {
  return page.evaluate(() => {
    let a: Element | null = document.activeElement;
    const path: string[] = [];
    let last: Element | null = null;
    while (a) {
      const part = a.getAttribute('part');
      path.push(`${a.localName}${a.id ? `#${a.id}` : ''}${part ? `[${part}]` : ''}`);
      last = a;
      a = a.shadowRoot?.activeElement ?? null;
    }
    const name = last ? (last.getAttribute('aria-label') ?? (last as HTMLElement).innerText ?? '').trim() : '';
    return { chain: path.join(' > '), name, body: document.activeElement === null || document.activeElement === document.body };
  });
}

/**
 * Presses Tab (or Shift+Tab) until focus is on a control whose name is
 * `name` (none if it is there already): what a keyboard user does. Tabbing
 * past the page's last control leaves the page for the browser's own UI (focus
 * on <body> for a moment): the visitor's doing, not the widget's, so the
 * watcher ignores it while tabbing.
 */
async function tabTo(page: Page, name: string | RegExp, { back = false, max = 80 } = {}): Promise<Focus> {
  const matches = (f: Focus) => (typeof name === 'string' ? f.name === name : name.test(f.name));
  let f = await focusOf(page);
  if (matches(f)) return f;
  await page.evaluate('window.vcTabbing = true');
  try {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
      f = await focusOf(page);
      if (matches(f)) return f;
    }
  } finally {
    await page.evaluate('window.vcTabbing = false');
  }
  throw new Error(`no "${String(name)}" within ${max} presses of ${back ? 'Shift+Tab' : 'Tab'}; focus is on ${f.chain}`);
}

/** Waits until focus is where `pred` says (focus moves after rendering), and returns it. */
async function focusLands(page: Page, what: string, pred: (f: Focus) => boolean, timeoutMs = 15000): Promise<Focus> {
  const until = Date.now() + timeoutMs;
  let f = await focusOf(page);
  while (!pred(f)) {
    if (Date.now() > until) throw new Error(`focus did not land on ${what}; it is on ${f.chain || '<body>'}`);
    await page.waitForTimeout(50);
    f = await focusOf(page);
  }
  return f;
}

const MESSAGE_BOX = /^customer-chat > chat-composer(\[composer\])? > textarea/;
const VIDEO_CONTROLS = /^customer-chat > video-frame.* > media-controls.* > button/;

describe('keyboard only: chat, video, cobrowse on the shop; focus never on <body>', { timeout: 4 * 60_000 }, () => {
  let stack: Stack;
  let browser: Browser;
  let customer: Page;
  let agent: Page;
  const pageErrors: string[] = [];

  before(async () => {
    stack = await startStack({ staticRoot: process.cwd() });
    browser = await launchChromium();
    customer = await (await browser.newContext()).newPage();
    agent = await (await browser.newContext()).newPage();
    for (const p of [customer, agent]) p.on('pageerror', (e) => pageErrors.push(e.message));
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const base = () => stack.broker.url.replace(/\/$/, '');
  const pane = () => agent.locator('video-chat-pane');
  const widget = () => customer.locator('customer-chat');
  /** Moments focus was on <body> since the watcher was armed (focus first in the widget). */
  const dropped = () => customer.evaluate(() => (window as unknown as { vcDropped: string[] }).vcDropped);

  it('Tab to the launcher, Enter, type a name, Enter: focus lands in the message box', async () => {
    await customer.goto(`${base()}/demo/shop/`);
    await widget().locator('.launcher').waitFor();
    // Armed once focus is in the widget: from then on, any focus on <body> is recorded (checked every frame and on every focusout).
    // (A string: the test runner's transform would name the inner functions with a helper the page does not have.)
    await customer.evaluate(`(() => {
      window.vcDropped = [];
      let armed = false;
      const check = (why) => {
        const a = document.activeElement;
        if (a && a.localName === 'customer-chat') armed = true;
        else if (armed && !window.vcTabbing && (a === null || a === document.body)) window.vcDropped.push(why + ' at ' + Math.round(performance.now()) + ' ms');
      };
      const frame = () => {
        check('frame');
        requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
      document.addEventListener('focusin', () => check('focusin'), true);
      document.addEventListener('focusout', () => setTimeout(() => check('focusout'), 0), true);
    })()`);
    await tabTo(customer, 'Chat with us');
    await customer.keyboard.press('Enter');
    await focusLands(customer, 'the name field', (f) => /customer-chat > input#name/.test(f.chain));
    await customer.keyboard.type('Kai');
    await customer.keyboard.press('Enter');
    await focusLands(customer, 'the message box', (f) => MESSAGE_BOX.test(f.chain));
    assert.deepEqual(await dropped(), []);
  });

  it('the agent claims; the customer writes with the keyboard', async () => {
    await agent.goto(`${base()}/demo/agent/`);
    await agent.getByLabel('Username').fill(stack.env.agent.username);
    await agent.getByLabel('Password').fill(stack.env.agent.password);
    await agent.getByRole('button', { name: 'Sign in' }).click();
    await agent.getByRole('button', { name: 'Claim conversation with Kai' }).click();
    await widget().getByText(/Chatting with Ann/).waitFor({ timeout: 15000 });
    await customer.keyboard.type('Hello, can we talk on video?');
    await customer.keyboard.press('Enter');
    await pane().getByText('Hello, can we talk on video?', { exact: true }).waitFor({ timeout: 10000 });
    const f = await focusOf(customer);
    assert.match(f.chain, MESSAGE_BOX, 'still in the message box after sending');
  });

  it('Accept video with the keyboard: focus lands on the video controls', async () => {
    await pane().getByRole('button', { name: 'More' }).click();
    await pane().getByRole('menuitem', { name: 'Video chat: two-way' }).click();
    await widget().getByRole('button', { name: 'Accept video' }).waitFor();
    // The invitation asks for an answer: focus goes to its Accept button.
    const asked = await focusLands(customer, 'the invitation', (f) => /^customer-chat > video-invite.* > button/.test(f.chain));
    assert.equal(asked.name, 'Accept video');
    await customer.keyboard.press('Enter');
    const f = await focusLands(customer, 'the video controls', (x) => VIDEO_CONTROLS.test(x.chain));
    assert.ok(['Pause video', 'Mute microphone'].includes(f.name), `a video control, got "${f.name}"`);
    await pane().locator('video.remote').waitFor({ state: 'visible', timeout: 20000 });
    assert.deepEqual(await dropped(), []);
  });

  it('Pause and resume with the keyboard: focus stays on the control', async () => {
    const pause = await tabTo(customer, 'Pause video');
    assert.match(pause.chain, VIDEO_CONTROLS);
    await customer.keyboard.press('Enter');
    await pane().getByText(/Kai paused video/).waitFor({ timeout: 10000 });
    const resumed = await focusLands(customer, 'Resume video', (f) => f.name === 'Resume video');
    assert.match(resumed.chain, VIDEO_CONTROLS);
    await customer.keyboard.press('Enter');
    await focusLands(customer, 'Pause video again', (f) => f.name === 'Pause video' && VIDEO_CONTROLS.test(f.chain));
    assert.deepEqual(await dropped(), []);
  });

  it('End video with the keyboard: the frame goes, focus lands in the message box', async () => {
    await tabTo(customer, 'End video');
    await customer.keyboard.press('Enter');
    await widget().locator('video-frame').waitFor({ state: 'detached', timeout: 10000 });
    await focusLands(customer, 'the message box', (f) => MESSAGE_BOX.test(f.chain));
    await customer.keyboard.type('back to text');
    await customer.keyboard.press('Enter');
    await pane().getByText('back to text', { exact: true }).waitFor({ timeout: 10000 });
    assert.deepEqual(await dropped(), []);
  });

  it('a cobrowse prompt answered with the keyboard, sharing stopped with the keyboard; focus back in the message box each time', async () => {
    await pane().getByRole('button', { name: 'More' }).click();
    await pane().getByRole('menuitem', { name: /Cobrowse/ }).click();
    await widget().getByRole('button', { name: 'Share this page' }).waitFor();
    await tabTo(customer, 'Share this page');
    await customer.keyboard.press('Enter');
    await customer.locator('cobrowse-banner').or(widget().locator('cobrowse-banner')).first().waitFor({ timeout: 15000 });
    await focusLands(customer, 'the message box', (f) => MESSAGE_BOX.test(f.chain));
    const replay = pane().locator('cobrowse-view iframe').contentFrame();
    await replay.locator('body').waitFor({ timeout: 15000 });
    await tabTo(customer, /^Stop sharing/);
    await customer.keyboard.press('Enter');
    await pane().locator('cobrowse-view').waitFor({ state: 'detached', timeout: 10000 });
    const f = await focusLands(customer, 'the message box', (x) => MESSAGE_BOX.test(x.chain));
    assert.equal(f.body, false);
    assert.deepEqual(await dropped(), []);
    assert.deepEqual(pageErrors, []);
  });
});
