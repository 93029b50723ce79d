// Page push and cobrowse between two browser contexts on the demo shop.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { startStack, type Stack } from '../helpers/stack.mjs';
import { agentClaims, customerStartsChat } from './flows.js';

describe('page push and cobrowse on the demo shop', () => {
  let stack: Stack;
  let browser: Browser;
  let customer: Page;
  let agent: Page;
  let base = '';
  const dialogs: string[] = [];

  before(async () => {
    stack = await startStack({ staticRoot: process.cwd() });
    base = stack.broker.url.replace(/\/$/, '');
    browser = await launchChromium();
    customer = await (await browser.newContext()).newPage();
    agent = await (await browser.newContext()).newPage();
    for (const p of [customer, agent]) {
      p.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
      p.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    }
    await customerStartsChat(customer, base, 'Pia');
    await agentClaims(agent, base, stack, 'Pia');
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const pane = () => agent.locator('video-chat-pane');
  const widget = () => customer.locator('customer-chat');

  async function sendPage(url: string, title?: string) {
    await pane().getByRole('button', { name: 'More' }).click();
    await pane().getByRole('menuitem', { name: 'Send page…' }).click();
    await pane().getByLabel('Page address').fill(url);
    if (title) await pane().getByLabel('Title (optional)').fill(title);
    await pane().getByRole('button', { name: 'Send page' }).click();
  }

  it('a javascript: URL is refused with a clear message and never reaches the customer', async () => {
    await sendPage('javascript:alert(1)');
    await pane().getByText(/Only http:\/\/ or https:\/\/ pages can be sent/).waitFor();
    await pane().getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await widget().locator('[part~="page-card"]').count(), 0);
  });

  it('a valid page arrives as a card and opens on the customer’s click, the chat carries on', async () => {
    await sendPage(`${base}/demo/shop/checkout.html`, 'Checkout');
    const open = widget().getByRole('button', { name: /Open page/ });
    await open.waitFor({ timeout: 10000 });
    await open.click();
    await customer.waitForURL(/checkout\.html$/);
    await widget().getByText(/Chatting with Ann/).waitFor({ timeout: 15000 });
    await pane().getByText('Opened', { exact: true }).waitFor({ timeout: 10000 });
    assert.deepEqual(dialogs, []);
  });

  it('cobrowse after consent: the agent sees the page, typed text arrives masked', async () => {
    await pane().getByRole('button', { name: 'More' }).click();
    await pane().getByRole('menuitem', { name: /Cobrowse/ }).click();
    await widget().getByRole('button', { name: 'Share this page' }).click();
    const replay = pane().locator('cobrowse-view iframe').contentFrame();
    await replay.getByRole('heading', { name: 'Checkout' }).waitFor({ timeout: 15000 });
    await customer.getByLabel('Full name').fill('Zed Secretname');
    await customer.getByLabel('Card number').fill('4111111111111111');
    const nameField = replay.locator('input[name="name"]');
    await new Promise((r) => setTimeout(r, 1000));
    const shown = await nameField.inputValue();
    assert.ok(shown.length > 0 && !shown.includes('Zed'), `masked in the agent's view, got ${JSON.stringify(shown)}`);
    assert.ok(!(await replay.locator('input[name="cc-number"]').inputValue()).includes('4111'));
    await customer.getByText(/viewing this page/).waitFor();
  });

  it('either side can stop; the banner goes away', async () => {
    await customer.locator('cobrowse-banner').getByRole('button', { name: /Stop sharing/ }).click();
    await customer.locator('cobrowse-banner').waitFor({ state: 'detached', timeout: 10000 });
    await pane().locator('cobrowse-view').waitFor({ state: 'detached', timeout: 10000 });
  });
});
