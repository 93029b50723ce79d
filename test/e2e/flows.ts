import type { Page } from 'playwright-core';
import type { Stack } from '../helpers/stack.mjs';

/** The customer opens the demo shop and starts a chat from the widget. */
export async function customerStartsChat(page: Page, base: string, name: string): Promise<void> {
  await page.goto(`${base}/demo/shop/`);
  await page.getByRole('button', { name: 'Chat with us' }).click();
  const widget = page.locator('customer-chat');
  await widget.getByLabel('Your name').fill(name);
  await widget.getByRole('button', { name: 'Start chat' }).click();
}

/** The agent signs in to the demo console and claims the customer's conversation. */
export async function agentClaims(page: Page, base: string, stack: Stack, customerName: string): Promise<void> {
  await page.goto(`${base}/demo/agent/`);
  await page.getByLabel('Username').fill(stack.env.agent.username);
  await page.getByLabel('Password').fill(stack.env.agent.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: `Claim conversation with ${customerName}` }).click();
  await page.locator('video-chat-pane').getByText('Online').waitFor({ timeout: 15000 });
}
