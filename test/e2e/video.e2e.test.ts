// Video between two separate browser contexts through the real UI: the agent
// escalates from the console's More menu, the customer answers in the shop's
// widget. Asserts on decoded frames of the <video> elements the user sees.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { startStack, type Stack } from '../helpers/stack.mjs';
import { agentClaims, customerStartsChat } from './flows.js';

/** Frames painted so far by the first <video> matching, read in the page. */
async function framesOf(video: Locator): Promise<number> {
  return video.evaluate((v: HTMLVideoElement) => v.getVideoPlaybackQuality().totalVideoFrames);
}

async function framesGrow(video: Locator, ms = 1500): Promise<number> {
  const a = await framesOf(video);
  await new Promise((r) => setTimeout(r, ms));
  return (await framesOf(video)) - a;
}

describe('video between the agent console and the shop widget', () => {
  let stack: Stack;
  let browser: Browser;
  let customer: Page;
  let agent: Page;

  before(async () => {
    stack = await startStack({ staticRoot: process.cwd() });
    browser = await launchChromium();
    customer = await (await browser.newContext()).newPage();
    agent = await (await browser.newContext()).newPage();
    for (const p of [customer, agent]) p.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
    const base = stack.broker.url.replace(/\/$/, '');
    await customerStartsChat(customer, base, 'Vera');
    await agentClaims(agent, base, stack, 'Vera');
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const pane = () => agent.locator('video-chat-pane');
  const widget = () => customer.locator('customer-chat');

  it('More → Video chat invites; Accept opens both frames with decoded video', async () => {
    await pane().getByRole('button', { name: 'More' }).click();
    await pane().getByRole('menuitem', { name: 'Video chat: two-way' }).click();
    await pane().locator('[role="menu"]').waitFor({ state: 'hidden' });
    await pane().getByText(/Video invitation sent/).waitFor();
    await widget().getByRole('button', { name: 'Accept video' }).click();
    const agentRemote = pane().locator('video.remote');
    const customerRemote = widget().locator('video.remote');
    await agentRemote.waitFor({ state: 'visible', timeout: 20000 });
    await customerRemote.waitFor({ state: 'visible', timeout: 20000 });
    assert.ok((await framesGrow(agentRemote)) > 5, 'agent sees the customer');
    assert.ok((await framesGrow(customerRemote)) > 5, 'customer sees the agent');
    await pane().getByRole('button', { name: 'Pause video' }).waitFor();
  });

  it('Pause shows a placeholder on the other side and the icon changes; Resume brings frames back', async () => {
    await pane().getByRole('button', { name: 'Pause video' }).click();
    await pane().getByRole('button', { name: 'Resume video' }).waitFor();
    await widget().getByText(/paused video/).waitFor({ timeout: 10000 });
    await pane().getByRole('button', { name: 'Resume video' }).click();
    await pane().getByRole('button', { name: 'Pause video' }).waitFor();
    const customerRemote = widget().locator('video.remote');
    await customerRemote.waitFor({ state: 'visible', timeout: 10000 });
    assert.ok((await framesGrow(customerRemote)) > 5, 'frames again after resume');
  });

  it('Mute flips the label; End Video closes both frames and chat goes on', async () => {
    await widget().getByRole('button', { name: 'Mute microphone' }).click();
    await widget().getByRole('button', { name: 'Unmute microphone' }).waitFor();
    await widget().getByRole('button', { name: 'End video' }).click();
    await pane().locator('video-frame').waitFor({ state: 'detached', timeout: 10000 });
    await widget().locator('video-frame').waitFor({ state: 'detached', timeout: 10000 });
    await widget().getByRole('textbox', { name: 'Message' }).fill('back to text');
    await widget().getByRole('textbox', { name: 'Message' }).press('Enter');
    await pane().getByText('back to text', { exact: true }).waitFor();
  });

  it('Video chat again starts on both sides without a second invitation', async () => {
    await pane().getByRole('button', { name: 'More' }).click();
    await pane().getByRole('menuitem', { name: 'Video chat: two-way' }).click();
    const customerRemote = widget().locator('video.remote');
    await customerRemote.waitFor({ state: 'visible', timeout: 20000 });
    assert.equal(await widget().locator('video-invite').count(), 0, 'no invitation the second time');
    assert.ok((await framesGrow(customerRemote)) > 5);
  });
});
