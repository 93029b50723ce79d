// Two separate browser contexts, the customer on the demo shop (script-tag
// loader) and the agent in the demo console, against real Janus + broker.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { startStack, type Stack } from '../helpers/stack.mjs';

describe('customer on the shop chats with an agent in the console', () => {
  let stack: Stack;
  let browser: Browser;
  let customerCtx: BrowserContext;
  let agentCtx: BrowserContext;
  let customer: Page;
  let agent: Page;
  const dialogs: string[] = [];

  before(async () => {
    stack = await startStack({ staticRoot: process.cwd() });
    browser = await launchChromium();
    customerCtx = await browser.newContext();
    agentCtx = await browser.newContext();
    customer = await customerCtx.newPage();
    agent = await agentCtx.newPage();
    for (const p of [customer, agent]) {
      p.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
      p.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
    }
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const base = () => stack.broker.url.replace(/\/$/, '');
  const agentPane = () => agent.locator('video-chat-pane');
  const customerWidget = () => customer.locator('customer-chat');

  it('customer starts a chat from the shop and the agent claims it', async () => {
    await customer.goto(`${base()}/demo/shop/`);
    await customer.getByRole('button', { name: 'Chat with us' }).click();
    await customerWidget().getByLabel('Your name').fill('Casey');
    await customerWidget().getByRole('button', { name: 'Start chat' }).click();

    await agent.goto(`${base()}/demo/agent/`);
    // Signed out, the console shows no queue.
    await agent.getByText('Sign in to see the queue.', { exact: true }).waitFor();
    assert.equal(await agent.getByRole('button', { name: 'Claim conversation with Casey' }).count(), 0);
    await agent.getByLabel('Username').fill(stack.env.agent.username);
    await agent.getByLabel('Password').fill(stack.env.agent.password);
    await agent.getByRole('button', { name: 'Sign in' }).click();
    await agent.getByText('Signed in as Ann', { exact: true }).waitFor();
    await agent.getByRole('button', { name: 'Claim conversation with Casey' }).click();
    await agentPane().getByText('Casey', { exact: true }).first().waitFor();
    await customerWidget().getByText(/Chatting with Ann/).waitFor({ timeout: 15000 });
  });

  it('messages go both ways, each well within a second', async () => {
    const t0 = Date.now();
    await customerWidget().getByRole('textbox', { name: 'Message' }).fill('Hello, is the blue kettle in stock?');
    await customerWidget().getByRole('textbox', { name: 'Message' }).press('Enter');
    await agentPane().getByText('Hello, is the blue kettle in stock?', { exact: true }).waitFor({ timeout: 5000 });
    const toAgent = Date.now() - t0;

    const t1 = Date.now();
    await agentPane().getByRole('textbox').fill('Yes, we have three left.');
    await agentPane().getByRole('textbox').press('Enter');
    await customerWidget().getByText('Yes, we have three left.', { exact: true }).waitFor({ timeout: 5000 });
    const toCustomer = Date.now() - t1;
    console.log(`  customer -> agent ${toAgent} ms, agent -> customer ${toCustomer} ms (typing to display, incl. UI)`);
  });

  it('hostile text shows literally and runs nothing', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    await customerWidget().getByRole('textbox', { name: 'Message' }).fill(evil);
    await customerWidget().getByRole('textbox', { name: 'Message' }).press('Enter');
    await agentPane().getByText(evil, { exact: true }).waitFor({ timeout: 5000 });
    const imgs = await agentPane().locator('img').count();
    assert.equal(imgs, 0, 'no <img> element was created from chat text');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(dialogs, [], 'no alert ran');
  });

  it('a reload and a navigation keep the transcript and the agent', async () => {
    await customer.reload();
    await customerWidget().getByText('Yes, we have three left.', { exact: true }).waitFor({ timeout: 15000 });
    await customerWidget().getByText(/Chatting with Ann/).waitFor({ timeout: 15000 });
    await customer.goto(`${base()}/demo/shop/product.html`);
    await customerWidget().getByText('Hello, is the blue kettle in stock?', { exact: true }).waitFor({ timeout: 15000 });
    await customerWidget().getByRole('textbox', { name: 'Message' }).fill('I am on the product page now');
    await customerWidget().getByRole('textbox', { name: 'Message' }).press('Enter');
    await agentPane().getByText('I am on the product page now', { exact: true }).waitFor({ timeout: 10000 });
    // The agent's transcript shows each message once.
    assert.equal(await agentPane().getByText('Hello, is the blue kettle in stock?', { exact: true }).count(), 1);
  });
});
