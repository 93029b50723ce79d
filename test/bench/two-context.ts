// The video figures users feel, for `npm run bench`: two browser contexts,
// the real elements (the demo agent console, the shop's widget) against a
// plain janus-gateway two-way VideoRoom call in two contexts timed from its
// start, interleaved run by run. Both are timed to the first decoded remote
// frame on both sides (getStats framesDecoded > 0, polled every 5 ms in each
// page; every page clock is the same machine's Date.now()).
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { Stack } from '../helpers/stack.mjs';
import { agentClaims, customerStartsChat } from '../e2e/flows.js';

/** In every bench page: times getUserMedia calls, keeps every RTCPeerConnection, and watches inbound video. */
const SPIES = `
(() => {
  const b = { gum: [], pcs: [], attached: [] };
  Object.defineProperty(window, '__bench', { value: b });
  // When a camera track is put on a sender (Date.now()), to split "capture done -> first frame at the sender".
  const replace = RTCRtpSender.prototype.replaceTrack;
  RTCRtpSender.prototype.replaceTrack = function (t) { if (t && t.kind === 'video') b.attached.push(Date.now()); return replace.call(this, t); };
  const add = RTCPeerConnection.prototype.addTrack;
  RTCPeerConnection.prototype.addTrack = function (t, ...r) { if (t && t.kind === 'video') b.attached.push(Date.now()); return add.call(this, t, ...r); };
  const gum = MediaDevices.prototype.getUserMedia;
  MediaDevices.prototype.getUserMedia = async function (c) {
    const start = Date.now();
    const s = await gum.call(this, c);
    b.gum.push({ start, end: Date.now() });
    return s;
  };
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(...a) { super(...a); const t = { pc: this, created: Date.now() }; b.pcs.push(t);
      this.addEventListener('connectionstatechange', () => { if (this.connectionState === 'connected' && !t.connected) t.connected = Date.now(); }); }
  };
  /** Sums of video counters, each a [stats type, field], over the page's open PeerConnections (one getStats each). */
  const sums = async (wanted) => {
    const out = wanted.map(() => 0);
    for (const { pc } of b.pcs) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((s) => { if (s.kind === 'video') wanted.forEach(([type, field], i) => { if (s.type === type) out[i] += s[field] || 0; }); });
    }
    return out;
  };
  /** The sums of two video counters of \`type\` stats over the page's open PeerConnections. */
  const counters = async (type, early, late) => { const [e, l] = await sums([[type, early], [type, late]]); return { e, l }; };
  /** Resolves once \`late\` grows, with the Date.now() of that and of when \`early\` grew (polled every 5 ms). */
  const firstGrowth = async (type, early, late) => {
    const base = await counters(type, early, late);
    let first;
    for (;;) {
      const v = await counters(type, early, late);
      const t = Date.now();
      if (first === undefined && v.e > base.e) first = t;
      if (v.l > base.l) return { early: first ?? t, late: t };
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  /**
   * The Date.now() of the first camera frame this page's video senders got (media-source frames), of
   * their first encoded frame and of their first packet sent after the call, and how many frames they had
   * been given but not encoded in the report that first showed an encoded one (one getStats per poll, 5 ms).
   */
  b.watchOut = async () => {
    const read = async () => {
      const [given, encoded, sent] = await sums([['media-source', 'frames'], ['outbound-rtp', 'framesEncoded'], ['outbound-rtp', 'packetsSent']]);
      return { given, encoded, sent };
    };
    const base = await read();
    const out = {};
    for (;;) {
      const v = await read();
      const t = Date.now();
      if (out.frame === undefined && v.given > base.given) out.frame = t;
      if (out.encoded === undefined && v.encoded > base.encoded) { out.encoded = t; out.skipped = (v.given - base.given) - (v.encoded - base.encoded); }
      if (v.sent > base.sent) { out.sent = t; out.frame ??= t; out.encoded ??= t; out.skipped ??= 0; return out; }
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  /** Frames this page's video senders were given and frames they encoded so far (one getStats snapshot). */
  b.sendCounts = async () => { const [given, encoded] = await sums([['media-source', 'frames'], ['outbound-rtp', 'framesEncoded']]); return { given, encoded }; };
  /** The Date.now() of the first inbound video packet and the first decoded frame after the call. */
  b.watch = async () => { const r = await firstGrowth('inbound-rtp', 'packetsReceived', 'framesDecoded'); return { packet: r.early, decoded: r.late }; };
})();
`;

type Watch = { packet: number; decoded: number };
type WatchOut = { encoded: number; sent: number; frame: number; skipped: number };
type Gum = { start: number; end: number };

async function context(browser: Browser, opened: BrowserContext[]): Promise<Page> {
  const c = await browser.newContext();
  opened.push(c);
  await c.addInitScript({ content: SPIES });
  const page = await c.newPage();
  page.on('pageerror', (e) => console.error(`[page] ${e.message}`));
  return page;
}

const watch = (page: Page) => page.evaluate(() => (window as unknown as { __bench: { watch(): Promise<Watch> } }).__bench.watch());
const watchOut = (page: Page) => page.evaluate(() => (window as unknown as { __bench: { watchOut(): Promise<WatchOut> } }).__bench.watchOut());
const attached = (page: Page) => page.evaluate(() => (window as unknown as { __bench: { attached: number[] } }).__bench.attached);
const gums = (page: Page) => page.evaluate(() => (window as unknown as { __bench: { gum: Gum[] } }).__bench.gum);
const warmIce = (page: Page) => page.evaluate(() => (window as unknown as { __bench: { pcs: { created: number; connected?: number }[] } }).__bench.pcs.filter((p) => p.connected).map((p) => p.connected! - p.created));
/** Clicks in the page itself and returns the page's Date.now() at the click (no actionability waits in the timing). */
const clickAt = (l: Locator) => l.evaluate((el: HTMLElement) => { const t = Date.now(); el.click(); return t; });

export interface Stages {
  customerCapture: number;
  agentCapture: number;
  toAgentPacket: number;
  /** Of toAgentPacket: capture done → the customer's first encoded frame, → its first packet sent, → in at the agent. */
  customerEncode: number;
  /** Of customerEncode: capture done → the camera's first frame at the sender; frames given but not encoded when the first was encoded. */
  customerFrame: number;
  customerSkipped: number;
  /** capture done → the camera track put on the sender (replaceTrack). */
  customerAttach: number;
  customerSend: number;
  customerToAgent: number;
  agentDecode: number;
  toCustomerPacket: number;
  agentEncode: number;
  agentSend: number;
  agentToCustomer: number;
  customerDecode: number;
  warmIce: number;
}

export interface TwoContextResult {
  ours: number[];
  plain: number[];
  again: number[];
  resume: number[];
  stages: Stages[];
  /** Frames the plain call's sender was given but had not encoded by the first decoded frame. */
  plainSkipped: number[];
}

export async function twoContextVideoBench(browser: Browser, stack: Stack, runs: number): Promise<TwoContextResult> {
  const base = stack.broker.url.replace(/\/$/, '');
  const opened: BrowserContext[] = [];
  const out: TwoContextResult = { ours: [], plain: [], again: [], resume: [], stages: [], plainSkipped: [] };
  const login = await fetch(new URL('/api/agent/login', stack.broker.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(stack.env.agent) });
  const agentToken = ((await login.json()) as { token: string }).token;
  let agent: Page | undefined;
  try {
    for (let i = 0; i < runs; i++) {
      // ---- ours: console click to invite, Accept click in the widget ----
      const name = `Bench ${i}`;
      const customer = await context(browser, opened);
      await customerStartsChat(customer, base, name);
      if (!agent) {
        agent = await context(browser, opened);
        await agentClaims(agent, base, stack, name);
      } else await agent.getByRole('button', { name: `Claim conversation with ${name}` }).click();
      const id = await customer.locator('customer-chat').evaluate((el: HTMLElement & { state?: { descriptor?: { id: string } } }) => el.state?.descriptor?.id ?? '');
      const pane = agent.locator(`video-chat-pane[data-id="${id}"]`);
      await pane.getByText('Online').waitFor({ timeout: 20000 });
      await pane.getByRole('button', { name: 'More' }).click();
      await pane.getByRole('menuitem', { name: 'Video chat: two-way' }).click();
      const accept = customer.locator('customer-chat').getByRole('button', { name: 'Accept video' });
      await accept.waitFor({ timeout: 20000 });
      // A person reads the invitation before clicking: the warm calls are up by then.
      await new Promise((r) => setTimeout(r, 1500));
      const agentGum0 = (await gums(agent)).length;
      const agentSees = watch(agent);
      const customerSees = watch(customer);
      const agentSends = watchOut(agent);
      const customerSends = watchOut(customer);
      const t0 = await clickAt(accept);
      const [a, c, ao, co] = await Promise.all([agentSees, customerSees, agentSends, customerSends]);
      out.ours.push(Math.max(a.decoded, c.decoded) - t0);
      const cg = (await gums(customer))[0];
      const ag = (await gums(agent))[agentGum0];
      out.stages.push({
        customerCapture: cg.end - t0,
        agentCapture: ag.end - t0,
        toAgentPacket: a.packet - cg.end,
        customerEncode: co.encoded - cg.end,
        customerFrame: co.frame - cg.end,
        customerSkipped: co.skipped,
        customerAttach: (await attached(customer))[0] - cg.end,
        customerSend: co.sent - co.encoded,
        customerToAgent: a.packet - co.sent,
        agentDecode: a.decoded - a.packet,
        toCustomerPacket: c.packet - ag.end,
        agentEncode: ao.encoded - ag.end,
        agentSend: ao.sent - ao.encoded,
        agentToCustomer: c.packet - ao.sent,
        customerDecode: c.decoded - c.packet,
        warmIce: Math.max(...(await warmIce(customer))),
      });

      // Resume after pause (the agent's camera), to the customer's next decoded frame.
      await pane.getByRole('button', { name: 'Pause video' }).click();
      await customer.locator('customer-chat').getByText(/paused video/).waitFor({ timeout: 10000 });
      const resumed = watch(customer);
      const tr = await clickAt(pane.getByRole('button', { name: 'Resume video' }));
      out.resume.push((await resumed).decoded - tr);

      // "Video chat again": end, then the console's click starts video on both sides without an invitation.
      await pane.getByRole('button', { name: 'End video' }).click();
      await customer.locator('customer-chat').locator('video-frame').waitFor({ state: 'detached', timeout: 10000 });
      await pane.locator('video-frame').waitFor({ state: 'detached', timeout: 10000 });
      await pane.getByRole('button', { name: 'More' }).click();
      const item = pane.getByRole('menuitem', { name: 'Video chat: two-way' });
      await item.waitFor();
      const agentAgain = watch(agent);
      const customerAgain = watch(customer);
      const tg = await clickAt(item);
      const [a2, c2] = await Promise.all([agentAgain, customerAgain]);
      out.again.push(Math.max(a2.decoded, c2.decoded) - tg);
      await pane.getByRole('button', { name: 'End video' }).click();
      await pane.locator('video-frame').waitFor({ state: 'detached', timeout: 10000 });
      await customer.context().close();

      // ---- plain janus-gateway call, two contexts, from a cold start ----
      const [pa, pb] = [await context(browser, opened), await context(browser, opened)];
      for (const p of [pa, pb]) {
        await p.goto(new URL('/dist/bench/index.html', stack.broker.url).href);
        await p.waitForFunction(() => 'bench' in window);
      }
      type Bench = { bench: { newConversation(t: string): Promise<{ customer: { gateway: string; token?: string; videoRoom: { room: number | string; pin?: string } }; agent: { token?: string } }> } };
      const d = await pa.evaluate((t) => (window as unknown as Bench).bench.newConversation(t), agentToken);
      const v = d.customer.videoRoom;
      const suffix = Math.random().toString(36).slice(2, 8);
      type Plain = { bench: { plainTimed(...a: string[]): Promise<Watch> } };
      const t1 = Date.now();
      const [x, y] = await Promise.all([
        pa.evaluate((a) => (window as unknown as Plain).bench.plainTimed(...a), [stack.env.gateway, String(v.room), v.pin ?? '', d.customer.token ?? '', `pa-${suffix}`, `pb-${suffix}`]),
        pb.evaluate((a) => (window as unknown as Plain).bench.plainTimed(...a), [stack.env.gateway, String(v.room), v.pin ?? '', d.agent.token ?? '', `pb-${suffix}`, `pa-${suffix}`]),
      ]);
      out.plain.push(Math.max(x.decoded, y.decoded) - t1);
      // Whether the plain call's encoder skipped frames at its start too (given but not encoded, by the first decoded frame).
      const sc = await pa.evaluate(() => (window as unknown as { __bench: { sendCounts(): Promise<{ given: number; encoded: number }> } }).__bench.sendCounts());
      out.plainSkipped.push(sc.given - sc.encoded);
      for (const p of [pa, pb]) {
        await p.evaluate(() => (window as unknown as { plainStop: () => void }).plainStop());
        await p.context().close();
      }
      process.stdout.write('.');
    }
    process.stdout.write('\n');
  } finally {
    for (const c of opened) await c.close().catch(() => {});
  }
  return out;
}
