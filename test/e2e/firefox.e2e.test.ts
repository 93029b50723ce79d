// Firefox ESR against Chromium, both ways round, through the real UI on a
// real Janus and broker: a Firefox customer with a Chromium agent, then a
// Chromium customer with a Firefox agent. Each behaviour is proven once in
// Firefox (the suite's time budget); the media assertions are getStats
// counters read in the page, not timings.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Browser as FirefoxBrowser } from 'puppeteer-core';
import { launchChromium } from '../helpers/browser.js';
import { startStack, type Stack } from '../helpers/stack.mjs';
import { cobrowseBatches, diff, type MediaCounters } from './page-probes.js';
import { launchFirefox, playwrightSide, puppeteerSide, type Side } from './sides.js';

const W = 'customer-chat';
const P = 'video-chat-pane';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function growth(side: Side, ms = 2000): Promise<MediaCounters> {
  const a = await side.stats();
  await sleep(ms);
  return diff(a, await side.stats());
}

async function customerStartsChat(c: Side, base: string, name: string): Promise<void> {
  await c.goto(`${base}/demo/shop/`);
  await c.click({ role: 'button', name: 'Chat with us' }, 15000);
  await c.fill({ within: W, role: 'textbox', name: /^Your name/ }, name);
  await c.click({ within: W, role: 'button', name: 'Start chat' });
}

async function agentClaims(a: Side, base: string, stack: Stack, name: string): Promise<void> {
  await a.goto(`${base}/demo/agent/`);
  await a.fill({ role: 'textbox', name: 'Username' }, stack.env.agent.username);
  await a.fill({ role: 'textbox', name: 'Password' }, stack.env.agent.password);
  await a.click({ role: 'button', name: 'Sign in' });
  await a.click({ role: 'button', name: `Claim conversation with ${name}` }, 15000);
  await a.waitFor({ within: P, text: 'Online' }, 15000);
}

async function chatBothWays(c: Side, a: Side, tag: string): Promise<void> {
  await c.fill({ within: W, role: 'textbox', name: 'Message' }, `from the ${c.engine} customer ${tag}`, true);
  await a.waitFor({ within: P, text: `from the ${c.engine} customer ${tag}` });
  await a.fill({ within: P, role: 'textbox', name: 'Message' }, `from the ${a.engine} agent ${tag}`, true);
  await c.waitFor({ within: W, text: `from the ${a.engine} agent ${tag}` });
}

async function agentMenu(a: Side, item: string | RegExp): Promise<void> {
  await a.click({ within: P, role: 'button', name: 'More' });
  await a.click({ within: P, role: 'menuitem', name: item });
}

async function sendPage(a: Side, url: string): Promise<void> {
  await agentMenu(a, 'Send page…');
  await a.fill({ within: P, role: 'textbox', name: 'Page address' }, url);
  await a.click({ within: P, role: 'button', name: 'Send page' });
}

/** Decoded frames and audio both ways: packets and energy on arrival (the fake microphones send a tone, not silence). */
async function assertTwoWayMedia(c: Side, a: Side): Promise<void> {
  await c.waitFor({ within: W, css: 'video.remote' }, 20000);
  await a.waitFor({ within: P, css: 'video.remote' }, 20000);
  const [gc, ga] = await Promise.all([growth(c), growth(a)]);
  assert.ok(gc.framesDecoded > 10, `${c.engine} customer decodes the agent's video: ${JSON.stringify(gc)}`);
  assert.ok(ga.framesDecoded > 10, `${a.engine} agent decodes the customer's video: ${JSON.stringify(ga)}`);
  assert.ok(gc.audioPacketsReceived > 40, `${c.engine} customer receives audio: ${JSON.stringify(gc)}`);
  assert.ok(ga.audioPacketsReceived > 40, `${a.engine} agent receives audio: ${JSON.stringify(ga)}`);
  assert.ok(gc.totalAudioEnergy > 0, `${c.engine} customer hears sound: ${JSON.stringify(gc)}`);
  assert.ok(ga.totalAudioEnergy > 0, `${a.engine} agent hears sound: ${JSON.stringify(ga)}`);
}

/** The paused side's outbound video: a sender is there, and not one byte leaves in 2 s. */
async function assertPausedSendsNothing(paused: Side): Promise<void> {
  await sleep(300); // what was already on its way
  const g = await growth(paused, 2000);
  assert.ok(g.videoSenders > 0, `${paused.engine}: a video sender exists`);
  assert.equal(g.videoBytesSent, 0, `${paused.engine}: no video bytes while paused`);
  assert.ok(g.audioBytesSent > 0, `${paused.engine}: audio still flows (the measure works)`);
}

let stack: Stack;
let chromium: Browser;
let firefox: FirefoxBrowser;
let base = '';

before(async () => {
  stack = await startStack({ staticRoot: process.cwd() });
  base = stack.broker.url.replace(/\/$/, '');
  [chromium, firefox] = await Promise.all([launchChromium(), launchFirefox()]);
});

after(async () => {
  await firefox?.close();
  await chromium?.close();
  await stack?.stop();
});

async function firefoxSide(): Promise<Side> {
  const page = await (await firefox.createBrowserContext()).newPage();
  page.on('pageerror', (e) => console.error(`[firefox page error] ${String(e)}`));
  return puppeteerSide(page);
}

async function chromiumSide() {
  const page = await (await chromium.newContext()).newPage();
  page.on('pageerror', (e) => console.error(`[chromium page error] ${e.message}`));
  return { page, side: await playwrightSide(page) };
}

describe('Firefox customer, Chromium agent', () => {
  let c: Side;
  let a: Side;
  let agentPage: Awaited<ReturnType<typeof chromiumSide>>['page'];

  before(async () => {
    c = await firefoxSide();
    ({ page: agentPage, side: a } = await chromiumSide());
  });

  it('starts a chat from the shop; messages go both ways', async () => {
    await customerStartsChat(c, base, 'Fiona');
    await agentClaims(a, base, stack, 'Fiona');
    await c.waitFor({ within: W, text: /Chatting with Ann/ }, 15000);
    await chatBothWays(c, a, 'one');
  });

  it('two-way video: frames decoded and sound on both sides', async () => {
    await agentMenu(a, 'Video chat: two-way');
    await c.click({ within: W, role: 'button', name: 'Accept video' }, 15000);
    await assertTwoWayMedia(c, a);
  });

  it('Firefox pauses: not one video byte leaves, the agent sees the placeholder; resume brings frames back', async () => {
    await c.click({ within: W, role: 'button', name: 'Pause video' });
    await c.waitFor({ within: W, role: 'button', name: 'Resume video' });
    await a.waitFor({ within: P, text: /paused video/ }, 10000);
    await assertPausedSendsNothing(c);
    await c.click({ within: W, role: 'button', name: 'Resume video' });
    await a.waitFor({ within: P, css: 'video.remote' }, 10000);
    await sleep(500);
    assert.ok((await growth(a, 1500)).framesDecoded > 5, 'the agent decodes frames again');
  });

  it('Firefox mutes: the agent hears silence; unmute brings the sound back', async () => {
    await c.click({ within: W, role: 'button', name: 'Mute microphone' });
    await c.waitFor({ within: W, role: 'button', name: 'Unmute microphone' });
    await sleep(500);
    const muted = await growth(a, 1500);
    assert.ok(muted.audioPacketsReceived > 0, 'packets still arrive');
    assert.ok(muted.totalAudioEnergy < 0.0001, `silence while muted: ${muted.totalAudioEnergy}`);
    await c.click({ within: W, role: 'button', name: 'Unmute microphone' });
    await sleep(500);
    assert.ok((await growth(a, 1500)).totalAudioEnergy > 0.0001, 'sound after unmute');
  });

  it('Firefox ends video; chat goes on; video starts again without a second invitation', async () => {
    await c.click({ within: W, role: 'button', name: 'End video' });
    await c.waitGone({ within: W, css: 'video-frame' });
    await a.waitGone({ within: P, css: 'video-frame' });
    await chatBothWays(c, a, 'two');
    await agentMenu(a, 'Video chat: two-way');
    await c.waitFor({ within: W, css: 'video.remote' }, 20000);
    assert.equal(await c.count({ within: W, css: 'video-invite' }), 0, 'no invitation the second time');
    await sleep(500);
    assert.ok((await growth(c, 1500)).framesDecoded > 5, 'Firefox decodes again');
    await a.click({ within: P, role: 'button', name: 'End video' });
    await c.waitGone({ within: W, css: 'video-frame' });
  });

  it('a pushed page opens in Firefox; cobrowse sends only masked input', async () => {
    await sendPage(a, `${base}/demo/shop/checkout.html`);
    await c.click({ within: W, role: 'button', name: /Open page/ }, 10000);
    await c.waitFor({ role: 'heading', name: 'Checkout' }, 15000);
    assert.match(c.url(), /checkout\.html$/);
    await c.waitFor({ within: W, text: /Chatting with Ann/ }, 15000);
    await a.waitFor({ within: P, text: 'Opened' }, 10000);

    await agentMenu(a, /Cobrowse/);
    await c.click({ within: W, role: 'button', name: 'Share this page' }, 10000);
    const replay = agentPage.locator('video-chat-pane cobrowse-view iframe').contentFrame();
    await replay.getByRole('heading', { name: 'Checkout' }).waitFor({ timeout: 15000 });
    await c.fill({ role: 'textbox', name: 'Full name' }, 'Zed Secretname');
    await c.fill({ role: 'textbox', name: 'Card number' }, '4111111111111111');
    await sleep(1500);
    const shown = await replay.locator('input[name="name"]').inputValue();
    assert.ok(shown.length > 0 && !shown.includes('Zed'), `masked in the agent's view, got ${JSON.stringify(shown)}`);

    // What Firefox actually put on the wire: every cobrowse batch, inflated.
    const sent = await c.sent();
    const batches = cobrowseBatches(sent);
    assert.ok(batches.some((b) => b.includes('Checkout')), `the page's snapshot was sent (${batches.length} batches)`);
    assert.ok(batches.some((b) => b.includes('*'.repeat(4))), 'typed input was sent, masked');
    for (const text of [...sent, ...batches]) {
      assert.ok(!text.includes('Secretname') && !text.includes('4111111111111111'), 'no typed secret leaves Firefox');
    }
    await c.click({ within: 'cobrowse-banner', role: 'button', name: /Stop sharing/ });
    await a.waitGone({ within: P, css: 'cobrowse-view' });
  });

  it('a Firefox reload keeps the transcript and the agent', async () => {
    await c.reload();
    await c.waitFor({ within: W, text: 'from the chromium agent two' }, 15000);
    await c.waitFor({ within: W, text: /Chatting with Ann/ }, 15000);
    await chatBothWays(c, a, 'three');
  });
});

describe('Chromium customer, Firefox agent', () => {
  let c: Side;
  let a: Side;

  before(async () => {
    ({ side: c } = await chromiumSide());
    a = await firefoxSide();
  });

  it('the Firefox console claims; messages go both ways', async () => {
    await customerStartsChat(c, base, 'Carl');
    await agentClaims(a, base, stack, 'Carl');
    await chatBothWays(c, a, 'one');
  });

  it('one-way, the agent’s camera: the customer decodes Firefox’s video, no video the other way', async () => {
    await agentMenu(a, 'Video chat: one-way, my camera');
    await c.click({ within: W, role: 'button', name: 'Accept' }, 15000);
    await c.waitFor({ within: W, css: 'video.remote' }, 20000);
    await sleep(500);
    const [gc, ga] = await Promise.all([growth(c), growth(a)]);
    assert.ok(gc.framesDecoded > 10, `customer decodes Firefox's video: ${JSON.stringify(gc)}`);
    assert.equal(ga.framesDecoded + ga.videoBytesReceived, 0, 'no video reaches the agent');
    assert.equal(gc.videoBytesSent, 0, 'the customer sends no video');
    assert.ok(ga.audioPacketsReceived > 40, 'the agent hears the customer');
    await a.click({ within: P, role: 'button', name: 'End video' });
    await c.waitGone({ within: W, css: 'video-frame' });
    await a.waitGone({ within: P, css: 'video-frame' });
  });

  it('two-way from the Firefox console: frames and sound both sides', async () => {
    await agentMenu(a, 'Video chat: two-way');
    // Accepting one-way before does not cover two-way: the customer is asked.
    await c.click({ within: W, role: 'button', name: 'Accept video' }, 15000);
    await assertTwoWayMedia(c, a);
  });

  it('Chromium pauses: not one video byte leaves; resume brings frames back to Firefox', async () => {
    await c.click({ within: W, role: 'button', name: 'Pause video' });
    await a.waitFor({ within: P, text: /paused video/ }, 10000);
    await assertPausedSendsNothing(c);
    await c.click({ within: W, role: 'button', name: 'Resume video' });
    await a.waitFor({ within: P, css: 'video.remote' }, 10000);
    await sleep(500);
    assert.ok((await growth(a, 1500)).framesDecoded > 5, 'Firefox decodes frames again');
  });

  it('Firefox pauses and mutes; the labels follow; Firefox ends video', async () => {
    await a.click({ within: P, role: 'button', name: 'Pause video' });
    await c.waitFor({ within: W, text: /paused video/ }, 10000);
    await a.click({ within: P, role: 'button', name: 'Mute microphone' });
    await a.waitFor({ within: P, role: 'button', name: 'Unmute microphone' });
    await a.click({ within: P, role: 'button', name: 'End video' });
    await c.waitGone({ within: W, css: 'video-frame' });
    await a.waitGone({ within: P, css: 'video-frame' });
  });

  it('the Firefox console pushes a page; the customer opens it', async () => {
    await sendPage(a, `${base}/demo/shop/checkout.html`);
    await c.click({ within: W, role: 'button', name: /Open page/ }, 10000);
    await c.waitFor({ role: 'heading', name: 'Checkout' }, 15000);
    await a.waitFor({ within: P, text: 'Opened' }, 10000);
    await chatBothWays(c, a, 'two');
  });
});
