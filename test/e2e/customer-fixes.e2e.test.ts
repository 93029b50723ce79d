// Customer-side bugs of issue 12 (acceptance 6), each as the customer met it
// on the demo shop, against the real broker, Janus and Chromium:
// - the transcript stopped following new messages after a reload and when the
//   video frame opened above it;
// - the cobrowse banner covered the shop's own header links while sharing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { startStack, type Stack } from '../helpers/stack.mjs';
import { agentClaims, customerStartsChat } from './flows.js';

/**
 * The customer's transcript log: how far its end is from view (px), whether it
 * scrolls at all, and whether the message `text` (null: the log's last line,
 * whatever it is) is wholly in view.
 */
async function logState(page: Page, text: string | null): Promise<{ distance: number; scrolls: boolean; inView: boolean }> {
  return page.evaluate((want) => {
    const t = document.querySelector('customer-chat')?.shadowRoot?.querySelector('chat-transcript');
    const log = t?.shadowRoot?.querySelector<HTMLElement>('[role="log"]');
    if (!log) return { distance: Number.POSITIVE_INFINITY, scrolls: false, inView: false };
    const lines = Array.from(log.querySelectorAll('.msg, .system, [part~="system"]'));
    const msg = want === null ? lines[lines.length - 1] : lines.reverse().find((m) => m.textContent?.includes(want));
    const box = log.getBoundingClientRect();
    const r = msg?.getBoundingClientRect();
    return {
      distance: log.scrollHeight - log.scrollTop - log.clientHeight,
      scrolls: log.scrollHeight > log.clientHeight,
      inView: r !== undefined && r.height > 0 && r.top >= box.top - 1 && r.bottom <= box.bottom + 1,
    };
  }, text);
}

/** Waits (a real scroll may take frames) until the log is at its end and the message `text` (null: its last line) is in view. */
async function followsTo(page: Page, text: string | null, what: string): Promise<void> {
  const until = Date.now() + 8000;
  let d = await logState(page, text);
  while (!(d.distance < 2 && d.inView)) {
    if (Date.now() > until) assert.fail(`${what}: "${text ?? 'the last line'}" is not in view at the end of the log (${JSON.stringify(d)})`);
    await page.waitForTimeout(100);
    d = await logState(page, text);
  }
  assert.ok(d.scrolls, `${what}: the log is long enough to scroll (else the check proves nothing)`);
}

/** The element the pointer hits at the centre of `selector`'s box in the page, through shadow roots. */
async function hitAt(page: Page, selector: string): Promise<string> {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel)!;
    const r = el.getBoundingClientRect();
    let hit: Element | null = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    while (hit?.shadowRoot) {
      const inner: Element | null = hit.shadowRoot.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      if (!inner || inner === hit) break;
      hit = inner;
    }
    return hit === el || el.contains(hit) ? 'the link' : `${hit?.localName ?? 'nothing'}${hit?.className ? `.${String(hit.className)}` : ''}`;
  }, selector);
}

describe('customer-side fixes on the shop: transcript follows, banner clear of the header', { timeout: 5 * 60_000 }, () => {
  let stack: Stack;
  let browser: Browser;
  let customer: Page;
  let agent: Page;
  const pageErrors: string[] = [];
  let base = '';

  before(async () => {
    stack = await startStack({ staticRoot: process.cwd() });
    base = stack.broker.url.replace(/\/$/, '');
    browser = await launchChromium();
    customer = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    agent = await (await browser.newContext()).newPage();
    for (const p of [customer, agent]) p.on('pageerror', (e) => pageErrors.push(e.message));
    await customerStartsChat(customer, base, 'Noor');
    await agentClaims(agent, base, stack, 'Noor');
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const pane = () => agent.locator('video-chat-pane');
  const widget = () => customer.locator('customer-chat');

  async function agentSays(text: string): Promise<void> {
    await pane().getByRole('textbox').fill(text);
    await pane().getByRole('textbox').press('Enter');
  }

  it('a long conversation: the newest message is in view', async () => {
    for (let i = 1; i <= 25; i++) await agentSays(`Line ${i} of the answer`);
    await followsTo(customer, 'Line 25 of the answer', 'after 25 messages');
  });

  it('after a reload with the panel open: the history comes back scrolled to the newest, and new messages follow', async () => {
    await customer.reload();
    await widget().getByText('Line 25 of the answer', { exact: true }).waitFor({ timeout: 15000 });
    await followsTo(customer, 'Line 25 of the answer', 'after the reload');
    await widget().getByText(/Chatting with Ann/).waitFor({ timeout: 15000 });
    await agentSays('First line after the reload');
    await followsTo(customer, 'First line after the reload', 'a message after the reload');
  });

  it('after a reload with the panel closed: opening it shows the newest, including what came meanwhile', async () => {
    await widget().getByRole('button', { name: 'Close chat' }).click();
    await customer.reload();
    await widget().locator('.launcher').waitFor();
    await customer.waitForTimeout(1500);
    await agentSays('Sent while the panel was closed');
    await widget().locator('.badge').waitFor({ timeout: 15000 });
    await widget().locator('.launcher').click();
    await followsTo(customer, 'Sent while the panel was closed', 'opened after a reload');
  });

  it('when the video frame opens above the transcript, and while it runs, the newest message stays in view', async () => {
    await pane().getByRole('button', { name: 'More' }).click();
    await pane().getByRole('menuitem', { name: 'Video chat: two-way' }).click();
    await widget().getByRole('button', { name: 'Accept video' }).click();
    await widget().locator('video.remote').waitFor({ state: 'visible', timeout: 20000 });
    // The frame took its room from the log (and video lines came after the last message).
    await followsTo(customer, null, 'the video frame opened');
    await agentSays('Can you see me?');
    await followsTo(customer, 'Can you see me?', 'a message during video');
    await widget().getByRole('button', { name: 'End video' }).click();
    await widget().locator('video-frame').waitFor({ state: 'detached', timeout: 10000 });
    await agentSays('Back to text');
    await followsTo(customer, 'Back to text', 'after the video closed');
  });

  it('while sharing the page, the shop header links are free: a real click on one works, on desktop and phone sizes', async () => {
    await widget().getByRole('button', { name: 'Close chat' }).click();
    await pane().getByRole('button', { name: 'More' }).click();
    await pane().getByRole('menuitem', { name: /Cobrowse/ }).click();
    await widget().getByRole('button', { name: 'Share this page' }).click();
    const banner = customer.locator('cobrowse-banner');
    await banner.waitFor({ timeout: 15000 });
    for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
      await customer.setViewportSize(viewport);
      await customer.waitForTimeout(300);
      for (const link of ['.site-header .brand', '.site-header nav a[href="index.html"]', '.site-header nav a[href="checkout.html"]']) {
        assert.equal(await hitAt(customer, link), 'the link', `${link} at ${viewport.width}×${viewport.height}: the pointer reaches it`);
      }
    }
    await customer.setViewportSize({ width: 1280, height: 800 });
    // A real click (Playwright refuses one that something else would receive), while the banner shows.
    assert.equal(await banner.isVisible(), true);
    await customer.locator('.site-header nav').getByRole('link', { name: 'Checkout' }).click({ timeout: 5000 });
    await customer.waitForURL(/checkout\.html$/);
    assert.deepEqual(pageErrors, []);
  });
});
