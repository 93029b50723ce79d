// Warm start without capture before consent, through the real agent console
// and shop widget in two browser contexts on a real Janus. While an invitation
// is on screen both pages prepare their calls (PeerConnections up, senders
// empty); the customer's page must not call getUserMedia nor hold a live track
// until the Accept click. A declined or expired invitation tears the warm
// state down: no plugin handle left at Janus (Admin API), no open
// PeerConnection left in either page.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { countJanusHandles } from '../helpers/janus-admin.mjs';
import { startStack, type Stack } from '../helpers/stack.mjs';
import { agentClaims, customerStartsChat } from './flows.js';

/** Counts getUserMedia calls and the tracks they returned, and keeps every RTCPeerConnection the page makes. */
const SPIES = `
(() => {
  const spy = { gum: 0, tracks: [], pcs: [] };
  Object.defineProperty(window, '__spy', { value: spy });
  const gum = MediaDevices.prototype.getUserMedia;
  MediaDevices.prototype.getUserMedia = async function (constraints) {
    spy.gum++;
    const stream = await gum.call(this, constraints);
    spy.tracks.push(...stream.getTracks());
    return stream;
  };
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      spy.pcs.push(this);
    }
  };
})();
`;

interface Spied {
  gum: number;
  liveTracks: number;
  /** Senders of open PeerConnections that carry a track. */
  sendingTracks: number;
  open: number;
  connected: number;
  framesDecoded: number;
}

type Spy = { gum: number; tracks: MediaStreamTrack[]; pcs: RTCPeerConnection[] };

/** How many PeerConnections the page has made so far (the chat's TextRoom data channel has one). */
async function pcsMade(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { __spy: Spy }).__spy.pcs.length);
}

/** Capture so far, and the PeerConnections made after the first `from` (those of video). */
async function spied(page: Page, from: number): Promise<Spied> {
  return page.evaluate(async (from) => {
    const spy = (window as unknown as { __spy: Spy }).__spy;
    const open = spy.pcs.slice(from).filter((pc) => pc.connectionState !== 'closed');
    let framesDecoded = 0;
    for (const pc of open) {
      (await pc.getStats()).forEach((s: Record<string, unknown>) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') framesDecoded += Number(s.framesDecoded ?? 0);
      });
    }
    return {
      gum: spy.gum,
      liveTracks: spy.tracks.filter((t) => t.readyState === 'live').length,
      sendingTracks: open.flatMap((pc) => pc.getSenders()).filter((s) => s.track).length,
      open: open.length,
      connected: open.filter((pc) => pc.connectionState === 'connected').length,
      framesDecoded,
    };
  }, from);
}

/** Polls `probe` until `done` holds or `ms` passed; returns the last value (the caller asserts on it). */
async function until<T>(probe: () => Promise<T>, done: (v: T) => boolean, ms = 20000): Promise<T> {
  const deadline = Date.now() + ms;
  let v = await probe();
  while (!done(v) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    v = await probe();
  }
  return v;
}

describe('warm start: nothing captured before the customer accepts, nothing left after decline or expiry', () => {
  let stack: Stack;
  let browser: Browser;
  let base: string;
  const contexts: BrowserContext[] = [];
  let agentPage: Page | undefined;

  before(async () => {
    stack = await startStack({ staticRoot: process.cwd() });
    browser = await launchChromium();
    base = stack.broker.url.replace(/\/$/, '');
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const handles = async () => (await countJanusHandles(stack.janus.adminUrl, stack.janus.adminSecret)).handles;

  async function spiedContext(): Promise<Page> {
    const context = await browser.newContext();
    contexts.push(context);
    await context.addInitScript({ content: SPIES });
    // Fake timers that run at the normal pace until a test fast-forwards them.
    await context.clock.install();
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
    return page;
  }

  /** A new customer in a chat the agent's console (one page for all the tests, signed in once) has claimed. */
  async function chatPair(name: string): Promise<{ customer: Page; agent: Page; pane: Locator; chatPcs: { customer: number; agent: number } }> {
    const customer = await spiedContext();
    await customerStartsChat(customer, base, name);
    if (!agentPage) {
      agentPage = await spiedContext();
      await agentClaims(agentPage, base, stack, name);
    } else {
      await agentPage.getByRole('button', { name: `Claim conversation with ${name}` }).click();
    }
    // The console keeps one pane per conversation (the claimed one in front), each marked with its conversation's id.
    const id = await customer.locator('customer-chat').evaluate((el: HTMLElement & { state?: { descriptor?: { id: string } } }) => el.state?.descriptor?.id ?? '');
    const pane = agentPage.locator(`video-chat-pane[data-id="${id}"]`);
    await pane.getByText('Online').waitFor({ timeout: 15000 });
    // What the chat made before any video: the video checks look only at what comes after.
    return { customer, agent: agentPage, pane, chatPcs: { customer: await pcsMade(customer), agent: await pcsMade(agentPage) } };
  }

  /** The agent invites to two-way video; returns once both pages have a warm call up (PeerConnections connected). */
  async function inviteAndWarm(customer: Page, agent: Page, pane: Locator, chatPcs: { customer: number; agent: number }): Promise<void> {
    await pane.getByRole('button', { name: 'More' }).click();
    await pane.getByRole('menuitem', { name: 'Video chat: two-way' }).click();
    await customer.locator('customer-chat').getByRole('button', { name: 'Accept video' }).waitFor({ timeout: 20000 });
    const c = await until(() => spied(customer, chatPcs.customer), (s) => s.connected >= 1);
    assert.ok(c.connected >= 1, `the customer's warm call is up (${JSON.stringify(c)})`);
    const a = await until(() => spied(agent, chatPcs.agent), (s) => s.connected >= 1);
    assert.ok(a.connected >= 1, `the agent's warm call is up (${JSON.stringify(a)})`);
  }

  function assertNothingCaptured(s: Spied, when: string): void {
    assert.equal(s.gum, 0, `no getUserMedia call ${when}`);
    assert.equal(s.liveTracks, 0, `no live local track ${when}`);
    assert.equal(s.sendingTracks, 0, `no sender carries a track ${when}`);
  }

  async function assertTornDown(customer: Page, agent: Page, chatPcs: { customer: number; agent: number }, baseline: number, what: string): Promise<void> {
    // As the video leak test counts: with video off Janus holds the broker's and each side's TextRoom handles, no more.
    const left = await until(handles, (n) => n <= baseline);
    assert.ok(left <= baseline, `${what}: Janus holds ${left} handles, ${baseline} before the invitation`);
    for (const [side, page] of [['customer', customer], ['agent', agent]] as const) {
      const s = await until(() => spied(page, chatPcs[side]), (x) => x.open === 0);
      assert.equal(s.open, 0, `${what}: no video PeerConnection left open on the ${side}'s page`);
    }
    assertNothingCaptured(await spied(customer, chatPcs.customer), `after ${what}`);
    const chat = await spied(customer, 0);
    assert.equal(chat.open, chatPcs.customer, `${what}: the chat's own connection is still there`);
  }

  it('a declined invitation: warm calls up without capture, then nothing left at Janus or in the pages', async () => {
    const { customer, agent, pane, chatPcs } = await chatPair('Dora');
    const baseline = await handles();
    await inviteAndWarm(customer, agent, pane, chatPcs);
    assertNothingCaptured(await spied(customer, chatPcs.customer), 'while the invitation is on screen');
    assert.ok((await handles()) > baseline, 'the warm calls attached handles at Janus');
    await customer.locator('customer-chat').getByRole('button', { name: 'Decline, stay in chat' }).click();
    await assertTornDown(customer, agent, chatPcs, baseline, 'decline');
  });

  it('an expired invitation: both pages let their warm state go', async () => {
    const { customer, agent, pane, chatPcs } = await chatPair('Erik');
    const baseline = await handles();
    await inviteAndWarm(customer, agent, pane, chatPcs);
    assertNothingCaptured(await spied(customer, chatPcs.customer), 'while the invitation is on screen');
    // The invitation's time to live (2 minutes) passes on both pages.
    await customer.clock.fastForward('02:05');
    await agent.clock.fastForward('02:05');
    await assertTornDown(customer, agent, chatPcs, baseline, 'expiry');
  });

  it('Accept: no capture until the click, then capture and frames decoded on the customer side', async () => {
    const { customer, agent, pane, chatPcs } = await chatPair('Frida');
    await inviteAndWarm(customer, agent, pane, chatPcs);
    // Let the warm state settle (subscription negotiated, held): still nothing captured.
    await until(() => spied(customer, chatPcs.customer), (s) => s.connected >= 2, 5000);
    assertNothingCaptured(await spied(customer, chatPcs.customer), 'before the Accept click');
    await customer.locator('customer-chat').getByRole('button', { name: 'Accept video' }).click();
    const c = await until(() => spied(customer, chatPcs.customer), (s) => s.framesDecoded > 0 && s.liveTracks > 0);
    assert.ok(c.gum >= 1, 'the click captured');
    assert.ok(c.liveTracks >= 1, 'a live local track after the click');
    assert.ok(c.framesDecoded > 0, `the customer decodes the agent's video (${JSON.stringify(c)})`);
    const a = await until(() => spied(agent, chatPcs.agent), (s) => s.framesDecoded > 0);
    assert.ok(a.framesDecoded > 0, "the agent decodes the customer's video");
  });
});
