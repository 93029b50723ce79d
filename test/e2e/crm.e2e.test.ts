// The sample CRM page embeds <video-chat-pane> directly, logs vc-* events and
// links an anonymous visitor's chat to a record from its own lookup.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { startStack, type Stack } from '../helpers/stack.mjs';
import { customerStartsChat } from './flows.js';

describe('sample CRM page', () => {
  let stack: Stack;
  let browser: Browser;
  let customer: Page;
  let crm: Page;

  before(async () => {
    stack = await startStack({ staticRoot: process.cwd() });
    browser = await launchChromium();
    customer = await (await browser.newContext()).newPage();
    crm = await (await browser.newContext()).newPage();
    for (const p of [customer, crm]) p.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('links an anonymous chat to a record found by the CRM’s own lookup; both sides see it', async () => {
    const base = stack.broker.url.replace(/\/$/, '');
    await customerStartsChat(customer, base, 'Visitor');
    await crm.goto(`${base}/demo/crm/`);
    await crm.getByLabel('Username').fill(stack.env.agent.username);
    await crm.getByLabel('Password').fill(stack.env.agent.password);
    await crm.getByRole('button', { name: 'Sign in' }).click();
    await crm.getByRole('button', { name: 'Take next customer' }).click();
    const pane = crm.locator('video-chat-pane');
    await pane.getByText('Online', { exact: true }).waitFor({ timeout: 15000 });

    await pane.getByRole('button', { name: 'More' }).click();
    await pane.getByRole('menuitem', { name: 'Link to customer…' }).click();
    await pane.getByRole('searchbox', { name: 'Search customers' }).fill('okafor');
    await pane.getByRole('button', { name: 'Search' }).click();
    // Only the CRM knows Sam Okafor: the broker's demo list does not.
    await pane.getByRole('button', { name: 'Link to Sam Okafor' }).click();

    await pane.getByText('Chat linked to customer record: Sam Okafor').waitFor();
    await pane.getByText('Linked: Sam Okafor').waitFor();
    await customer.locator('customer-chat').getByText(/linked this chat to your customer account \(Sam Okafor\)/).waitFor({ timeout: 10000 });
    await crm.getByText('Sam Okafor (acme-1003)').waitFor();
    const log = await crm.locator('#log').innerText();
    for (const name of ['vc-conversation-state', 'vc-customer-search', 'vc-customer-link', 'vc-customer-linked']) assert.match(log, new RegExp(name));
  });
});
