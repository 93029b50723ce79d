// Warm start without capture before consent, through the real agent console
// and shop widget in two browser contexts on a real Janus. While an invitation
// is on screen both pages prepare their calls (PeerConnections up, senders
// empty); the customer's page must not call getUserMedia nor hold a live track
// until the Accept click. A declined or expired invitation tears the warm
// state down: no plugin handle left at Janus (Admin API), no open
// PeerConnection left in either page. After End both calls stay warm (parked)
// with camera and microphone released and nothing flowing; "Video chat again"
// captures on the same connections; the conversation's end or the idle
// timeout lets them go.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { janusHandleIds } from '../helpers/janus-admin.mjs';
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
  /** RTP bytes sent on the open PeerConnections (audio and video). */
  bytesSent: number;
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
    let bytesSent = 0;
    for (const pc of open) {
      (await pc.getStats()).forEach((s: Record<string, unknown>) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') framesDecoded += Number(s.framesDecoded ?? 0);
        if (s.type === 'outbound-rtp') bytesSent += Number(s.bytesSent ?? 0);
      });
    }
    return {
      gum: spy.gum,
      liveTracks: spy.tracks.filter((t) => t.readyState === 'live').length,
      sendingTracks: open.flatMap((pc) => pc.getSenders()).filter((s) => s.track).length,
      open: open.length,
      connected: open.filter((pc) => pc.connectionState === 'connected').length,
      framesDecoded,
      bytesSent,
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

  /**
   * Handles at Janus now that were not there at `baseline` (a snapshot of ids): what a test's own
   * calls hold. Counting ids rather than totals keeps an earlier test's ended conversation out of it
   * (its pages' handles go with their Janus session, the broker having revoked their token: within 30 s when measured).
   */
  const snapshot = async () => (await janusHandleIds(stack.janus.adminUrl, stack.janus.adminSecret)).ids;
  const newSince = (baseline: Set<number>) => async () => [...(await snapshot())].filter((id) => !baseline.has(id)).length;

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

  async function assertTornDown(customer: Page, agent: Page, chatPcs: { customer: number; agent: number }, baseline: Set<number>, what: string): Promise<void> {
    // As the video leak test counts: with video off Janus holds the broker's and each side's TextRoom handles, no more.
    const left = await until(newSince(baseline), (n) => n === 0);
    assert.equal(left, 0, `${what}: Janus still holds ${left} handles made since the invitation`);
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
    const baseline = await snapshot();
    await inviteAndWarm(customer, agent, pane, chatPcs);
    assertNothingCaptured(await spied(customer, chatPcs.customer), 'while the invitation is on screen');
    assert.ok((await newSince(baseline)()) > 0, 'the warm calls attached handles at Janus');
    await customer.locator('customer-chat').getByRole('button', { name: 'Decline, stay in chat' }).click();
    await assertTornDown(customer, agent, chatPcs, baseline, 'decline');
  });

  it('an expired invitation: both pages let their warm state go', async () => {
    const { customer, agent, pane, chatPcs } = await chatPair('Erik');
    const baseline = await snapshot();
    await inviteAndWarm(customer, agent, pane, chatPcs);
    assertNothingCaptured(await spied(customer, chatPcs.customer), 'while the invitation is on screen');
    // The invitation's time to live (2 minutes) passes on both pages.
    await customer.clock.fastForward('02:05');
    await agent.clock.fastForward('02:05');
    await assertTornDown(customer, agent, chatPcs, baseline, 'expiry');
  });

  /** The agent ends the conversation from its console (the button asks no confirmation); returns once the console has. */
  async function endConversation(agent: Page, name: string): Promise<void> {
    const end = agent.getByRole('button', { name: `End conversation with ${name}` });
    await end.click();
    await end.waitFor({ state: 'detached', timeout: 10000 });
  }

  /** Invitation, Accept, and frames decoded on both pages. */
  async function inCall(customer: Page, agent: Page, pane: Locator, chatPcs: { customer: number; agent: number }): Promise<void> {
    await inviteAndWarm(customer, agent, pane, chatPcs);
    await customer.locator('customer-chat').getByRole('button', { name: 'Accept video' }).click();
    for (const [side, page] of [['customer', customer], ['agent', agent]] as const) {
      const s = await until(() => spied(page, chatPcs[side]), (x) => x.framesDecoded > 0);
      assert.ok(s.framesDecoded > 0, `the ${side} decodes the other side's video`);
    }
  }

  /** End video from the console: both frames close; then camera and microphone are released on both pages. */
  async function endVideo(customer: Page, agent: Page, pane: Locator, chatPcs: { customer: number; agent: number }): Promise<Record<'customer' | 'agent', Spied>> {
    await pane.getByRole('button', { name: 'End video' }).click();
    await pane.locator('video-frame').waitFor({ state: 'detached', timeout: 10000 });
    await customer.locator('customer-chat').locator('video-frame').waitFor({ state: 'detached', timeout: 10000 });
    const out = {} as Record<'customer' | 'agent', Spied>;
    for (const [side, page] of [['customer', customer], ['agent', agent]] as const) {
      const s = await until(() => spied(page, chatPcs[side]), (x) => x.liveTracks === 0 && x.sendingTracks === 0, 5000);
      assert.equal(s.liveTracks, 0, `End stopped every track the ${side}'s page captured (camera light off)`);
      assert.equal(s.sendingTracks, 0, `no sender on the ${side}'s page carries a track after End`);
      out[side] = s;
    }
    return out;
  }

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
    // Nothing of this call is left for the next tests, which count handles and fast-forward the console's clock.
    await endConversation(agent, 'Frida');
    const gone = await until(() => spied(agent, chatPcs.agent), (s) => s.open === 0);
    assert.equal(gone.open, 0, "the ended conversation's calls are gone from the console");
  });

  it('End keeps both calls warm with nothing captured or flowing; Video chat again captures on them; the conversation\'s end lets them go', async () => {
    const { customer, agent, pane, chatPcs } = await chatPair('Gus');
    const baseline = await snapshot();
    await inCall(customer, agent, pane, chatPcs);
    const made = { customer: await pcsMade(customer), agent: await pcsMade(agent) };
    const ended = await endVideo(customer, agent, pane, chatPcs);
    // The plumbing stays: each page's publisher and subscriber connections up, their handles held at Janus.
    for (const side of ['customer', 'agent'] as const) assert.equal(ended[side].connected, 2, `the ${side}'s call is parked, still connected (${JSON.stringify(ended[side])})`);
    const parkedHandles = await newSince(baseline)();
    assert.ok(parkedHandles >= 4, `the parked calls hold their handles (${parkedHandles} made since before the video)`);
    // Nothing flows and nothing is captured while parked (counted from half a second after End: what was in flight).
    await new Promise((r) => setTimeout(r, 500));
    const before = { customer: await spied(customer, chatPcs.customer), agent: await spied(agent, chatPcs.agent) };
    await new Promise((r) => setTimeout(r, 1500));
    for (const [side, page] of [['customer', customer], ['agent', agent]] as const) {
      const now = await spied(page, chatPcs[side]);
      assert.equal(now.gum, before[side].gum, `no getUserMedia on the ${side}'s page while parked`);
      assert.equal(now.bytesSent, before[side].bytesSent, `the ${side}'s page sends nothing while parked`);
      assert.equal(now.framesDecoded, before[side].framesDecoded, `the ${side}'s page receives no video while parked`);
    }

    // "Video chat again": the console's click, no invitation, capture on the parked connections, frames both ways.
    await pane.getByRole('button', { name: 'More' }).click();
    await pane.getByRole('menuitem', { name: 'Video chat: two-way' }).click();
    await customer.locator('customer-chat').locator('video.remote').waitFor({ state: 'visible', timeout: 20000 });
    assert.equal(await customer.locator('customer-chat').locator('video-invite').count(), 0, 'no second invitation');
    for (const [side, page] of [['customer', customer], ['agent', agent]] as const) {
      const s = await until(() => spied(page, chatPcs[side]), (x) => x.framesDecoded > before[side].framesDecoded + 5 && x.liveTracks > 0);
      assert.ok(s.framesDecoded > before[side].framesDecoded + 5, `the ${side} decodes frames again (${JSON.stringify(s)})`);
      assert.ok(s.gum > before[side].gum, `the ${side}'s page captured again`);
      assert.equal(await pcsMade(page), made[side], `no new PeerConnection on the ${side}'s page: the parked ones carry the video`);
    }
    assert.ok((await newSince(baseline)()) <= parkedHandles, 'no new handle at Janus for the second video');

    // End again, then the conversation ends: the parked calls go (the broker destroys the room). Counted in the
    // pages, not at Janus: the broker revokes the pages' tokens as it destroys the room, and a detach that comes
    // second is refused (Janus frees those handles with the session: within 30 s when measured).
    await endVideo(customer, agent, pane, chatPcs);
    await endConversation(agent, 'Gus');
    for (const [side, page] of [['customer', customer], ['agent', agent]] as const) {
      const s = await until(() => spied(page, chatPcs[side]), (x) => x.open === 0);
      assert.equal(s.open, 0, `the conversation's end: no video PeerConnection left open on the ${side}'s page`);
      assert.equal(s.liveTracks, 0);
    }
  });

  it('the conversation ends mid-call: the customer\'s camera and microphone are released, its PeerConnections closed', async () => {
    const { customer, agent, pane, chatPcs } = await chatPair('Ines');
    await inCall(customer, agent, pane, chatPcs);
    await endConversation(agent, 'Ines');
    const c = await until(() => spied(customer, chatPcs.customer), (x) => x.liveTracks === 0 && x.open === 0, 10000);
    assert.equal(c.liveTracks, 0, `the customer's camera light goes off when the conversation ends mid-call (${JSON.stringify(c)})`);
    assert.equal(c.open, 0, "no video PeerConnection left open on the customer's page");
    assert.equal(c.sendingTracks, 0, "no sender on the customer's page carries a track");
    // Not asserted at Janus: the page detaches its handles as the room goes, but the broker revokes its token at
    // the same moment, and a detach that comes second is refused; Janus frees them with the session (within 30 s when measured).
  });

  it('a parked call is let go after its idle time (3 minutes) on both pages', async () => {
    const { customer, agent, pane, chatPcs } = await chatPair('Hana');
    const baseline = await snapshot();
    await inCall(customer, agent, pane, chatPcs);
    await endVideo(customer, agent, pane, chatPcs);
    const parked = await newSince(baseline)();
    assert.ok(parked >= 4, `parked at End: Janus holds ${parked} handles made since before the video`);
    // Not yet at 2:50 ...
    await customer.clock.fastForward('02:50');
    await agent.clock.fastForward('02:50');
    await new Promise((r) => setTimeout(r, 500));
    assert.ok((await newSince(baseline)()) >= 4, 'still parked before its time');
    // ... gone by 3:05, at Janus and in both pages.
    await customer.clock.fastForward('00:15');
    await agent.clock.fastForward('00:15');
    const left = await until(newSince(baseline), (n) => n === 0);
    assert.equal(left, 0, `the idle timeout: Janus still holds ${left} handles made since before the video`);
    for (const [side, page] of [['customer', customer], ['agent', agent]] as const) {
      const s = await until(() => spied(page, chatPcs[side]), (x) => x.open === 0);
      assert.equal(s.open, 0, `the idle timeout: no video PeerConnection left open on the ${side}'s page`);
      assert.equal(s.liveTracks, 0);
    }
    // The chat goes on.
    assert.equal((await spied(customer, 0)).open, chatPcs.customer, "the chat's own connection is still there");
    await endConversation(agent, 'Hana');
  });
});
