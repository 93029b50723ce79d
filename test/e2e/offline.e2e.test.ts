// Nobody waits forever (issue 12, acceptance 5): with no agent signed in and
// available, the shop's widget says so at once and takes a message and an
// email address; an agent who then signs in to the real <agent-console> sees
// it, and marks it handled. Once the agent is there, the widget offers a chat
// again. Real broker (agents' presence counts, as in production), Janus and
// Chromium.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { startStack, type Stack } from '../helpers/stack.mjs';

describe('offline messages: the visitor leaves one, the agent sees it in the console', { timeout: 3 * 60_000 }, () => {
  let stack: Stack;
  let browser: Browser;
  let customer: Page;
  let agent: Page;
  const pageErrors: string[] = [];
  const text = 'My order 1042 arrived broken. Please call me back.';
  const email = 'kim.lee@example.com';

  before(async () => {
    stack = await startStack({ staticRoot: process.cwd(), broker: { offlineWithoutAgents: true } });
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
  const widget = () => customer.locator('customer-chat');

  it('no agent available: the widget says so at once and offers the message form, not a chat', async () => {
    await customer.goto(`${base()}/demo/shop/`);
    await customer.getByRole('button', { name: 'Chat with us' }).click();
    await widget().getByText('Nobody is available to chat right now.', { exact: true }).waitFor();
    assert.equal(await widget().getByRole('button', { name: 'Start chat' }).count(), 0, 'no chat that nobody would take');
    // Focus is in the form (the first field), not on the page.
    await customer.waitForFunction(() => document.querySelector('customer-chat')?.shadowRoot?.activeElement?.id === 'offline-name');
  });

  it('the visitor leaves a message and an email address (checked before it goes)', async () => {
    const form = widget().locator('form.offline');
    await form.getByLabel('Your name').fill('Kim Lee');
    await form.getByLabel('Your message').fill(text);
    await form.getByRole('button', { name: 'Send message' }).click();
    // No address yet: said at the field, focus on it, nothing sent.
    await form.getByText('Enter your email address so that we can answer you.', { exact: true }).waitFor();
    assert.equal(await customer.evaluate(() => document.querySelector('customer-chat')?.shadowRoot?.activeElement?.id), 'offline-email');
    await form.getByLabel('Your email address').fill(email);
    const sent = customer.waitForResponse((r) => r.url() === `${base()}/api/offline-messages` && r.request().method() === 'POST');
    await form.getByRole('button', { name: 'Send message' }).click();
    assert.equal((await sent).status(), 201);
    await widget().getByText(`Thank you! We have your message and will answer at ${email}.`, { exact: true }).waitFor();
  });

  it('an agent signing in to the console sees the message, with the address to answer, and marks it handled', async () => {
    await agent.goto(`${base()}/demo/agent/`);
    await agent.getByLabel('Username').fill(stack.env.agent.username);
    await agent.getByLabel('Password').fill(stack.env.agent.password);
    await agent.getByRole('button', { name: 'Sign in' }).click();
    const messages = agent.getByRole('region', { name: 'Messages (1)' });
    await messages.waitFor({ timeout: 15000 });
    await messages.getByText(text, { exact: true }).waitFor();
    await messages.getByText('Kim Lee', { exact: true }).waitFor();
    assert.equal(await messages.getByRole('link', { name: email }).getAttribute('href'), `mailto:${email}`);
    await messages.getByRole('button', { name: 'Mark handled: message from Kim Lee' }).click();
    await messages.waitFor({ state: 'detached' });
    // Handled for the broker too, by this agent.
    const token = await agent.evaluate(() => (document.querySelector('agent-console') as HTMLElement & { activeDesk?: { token?: string } }).activeDesk?.token);
    const all = await fetch(`${base()}/api/offline-messages?state=all`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(all.status, 200);
    const list = (await all.json()) as { messages: Array<{ text: string; email: string; state: string; handledBy?: { display: string } }> };
    const mine = list.messages.filter((m) => m.text === text);
    assert.equal(mine.length, 1);
    assert.equal(mine[0].email, email);
    assert.equal(mine[0].state, 'handled');
    assert.equal(mine[0].handledBy?.display, 'Ann');
  });

  it('with the agent signed in and available, a new visitor gets the chat again', async () => {
    const page = await (await browser.newContext()).newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${base()}/demo/shop/`);
    await page.getByRole('button', { name: 'Chat with us' }).click();
    await page.locator('customer-chat').getByRole('button', { name: 'Start chat' }).waitFor({ timeout: 15000 });
    assert.equal(await page.locator('customer-chat form.offline').count(), 0);
    assert.deepEqual(pageErrors, []);
  });
});
