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

/**
 * New frames painted from now on, once more than `atLeast` came or after 10 s: after a resume the first
 * keyframe may take a while on a loaded machine, what matters is that frames flow again (a fixed window flaked).
 */
async function framesArrive(video: Locator, atLeast = 5): Promise<number> {
  return video.evaluate(async (v: HTMLVideoElement, n: number) => {
    const start = v.getVideoPlaybackQuality().totalVideoFrames;
    const giveUp = Date.now() + 10000;
    while (v.getVideoPlaybackQuality().totalVideoFrames - start <= n && Date.now() < giveUp) await new Promise((r) => setTimeout(r, 100));
    return v.getVideoPlaybackQuality().totalVideoFrames - start;
  }, atLeast);
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
    assert.ok((await framesArrive(customerRemote)) > 5, 'frames again after resume');
  });

  it('the customer pauses: the agent sees a placeholder, not the last frame; the frame stays inside the pane', async () => {
    const agentRemote = pane().locator('video.remote');
    await widget().getByRole('button', { name: 'Pause video' }).click();
    await widget().getByRole('button', { name: 'Resume video' }).waitFor();
    // Not displayed at all (a hidden attribute the styles overrode left the frozen frame on screen).
    await agentRemote.waitFor({ state: 'hidden', timeout: 10000 });
    const placeholder = pane().locator('video-frame [part~="placeholder"]');
    await placeholder.getByText('Vera paused video').waitFor();
    assert.equal(await placeholder.locator('.avatar').textContent(), 'V');
    assert.equal(await agentRemote.evaluate((v) => getComputedStyle(v).display), 'none');
    const [frame, paneBox] = await Promise.all([pane().locator('video-frame').boundingBox(), pane().boundingBox()]);
    assert.ok(frame && paneBox && frame.x >= paneBox.x && frame.x + frame.width <= paneBox.x + paneBox.width + 0.5, `frame ${JSON.stringify(frame)} inside pane ${JSON.stringify(paneBox)}`);
    await widget().getByRole('button', { name: 'Resume video' }).click();
    await agentRemote.waitFor({ state: 'visible', timeout: 10000 });
    assert.ok((await framesArrive(agentRemote)) > 5, 'frames again after resume');
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

  it('a voice call: both sides show avatars with moving level meters, no video box, and End call', async () => {
    await pane().getByRole('button', { name: 'End video' }).click();
    await pane().locator('video-frame').waitFor({ state: 'detached', timeout: 10000 });
    await widget().locator('video-frame').waitFor({ state: 'detached', timeout: 10000 });
    await pane().getByRole('button', { name: 'More' }).click();
    await pane().getByRole('menuitem', { name: 'Voice chat' }).click();
    // Consent for two-way covers a voice call: no invitation, both frames open.
    // The agent's own avatar has the agent's initial; the widget does not know the customer's name: "Y" for "You".
    for (const [side, peer, self] of [[pane(), 'Vera', 'A'], [widget(), 'Ann', 'Y']] as const) {
      const stage = side.locator('video-frame [part~="stage"]');
      await stage.waitFor({ timeout: 20000 });
      assert.equal(await stage.getAttribute('aria-label'), `Voice call with ${peer}`);
      await side.getByRole('button', { name: 'End call' }).waitFor({ timeout: 20000 });
      assert.equal(await side.locator('video.remote').isVisible(), false, 'no video box');
      assert.equal(await side.locator('video.self').isVisible(), false);
      const box = await stage.boundingBox();
      assert.ok(box && box.height < 200, `a row of avatars, not a 16:9 box (${box?.height} px tall)`);
      assert.deepEqual(await side.locator('video-frame .avatar').allTextContents(), [peer.charAt(0), self]);
      const meters = side.locator('video-frame meter');
      await meters.nth(1).waitFor();
      assert.equal(await meters.count(), 2);
    }
    // Fake microphones beep: the meter of the other side moves on each side (audio really arrives through Janus).
    // Silence, and a meter that follows no track, read exactly 0. The beep is short and comes twice a second while the
    // meter reads the last 10 ms every 100 ms, so how high a reading gets depends on the phase (peaks seen from 0.05 to 0.46,
    // fixed within a run): "moves" is any reading above silence, not a height.
    for (const side of [pane(), widget()]) {
      const peak = await side.locator('video-frame meter').first().evaluate(async (m: HTMLMeterElement) => {
        let max = 0;
        for (let i = 0; i < 40 && max === 0; i++) {
          max = Math.max(max, m.value);
          await new Promise((r) => setTimeout(r, 100));
        }
        return max;
      });
      assert.ok(peak > 0, `the other side's level moves (peak ${peak})`);
    }
    await pane().getByRole('button', { name: 'End call' }).click();
    await widget().locator('video-frame').waitFor({ state: 'detached', timeout: 10000 });
  });
});
