// A two-way video call on an impaired customer link, through the real
// elements: the customer's Chromium runs in its own network namespace behind a
// veth pair (test/helpers/impair.ts); Janus, the broker and the test stay in
// the root namespace, the agent's Chromium sits behind a second, unimpaired
// veth pair (test/impair/call.ts says why). The customer's link goes unconstrained → 300 kbit/s
// both ways → 60 kbit/s → restored, then is cut for 5 s (test/impair/script.ts),
// while both sides send numbered chat messages. Receiver and sender figures are
// read in the pages from getStats (test/impair/probes.ts).
//
// Run: npm run test:impair (root, iproute2 with tbf). VC_IMPAIR_LOG=1 prints
// the timeline (one line a second) even when everything passes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { ImpairedLink } from '../helpers/impair.js';
import type { Stack } from '../helpers/stack.mjs';
import { archived, exactlyOnce, sender, shown } from '../e2e/numbered.js';
import { startImpairedCall, type ImpairedCall } from './call.js';
import { audioGrowth, bandwidthScript, cutScript, formatTimeline, frameGrowth, median, productConditions, runImpairScript, saidOn, summarize, type Sample, type SideName, type Timeline } from './script.js';

/** Frames decoded on both sides again within this long after a short cut (seen: 2–4 s after a 5 s cut). */
const RECOVER_WITHIN_MS = 15_000;
/**
 * After 60 kbit/s the product brings video back by itself: 6 clean readings after the link is restored
 * (hysteresis), back at the lowest tier, the other side's "video is back" (seen: about 8–15 s).
 */
const VIDEO_BACK_WITHIN_MS = 45_000;

const LOG = process.env.VC_IMPAIR_LOG === '1';
/**
 * How long chat sent under 300 / 60 kbit/s may take to show up. Seen: up to 52 s agent → customer at
 * 300 kbit/s (the data channel shares the downlink with video Janus forwards at full rate; SCTP backs off
 * its retransmissions up to a minute), and once more than 30 s after the link was restored.
 */
const CHAT_LATE_MS = 75_000;
/** After a 60 s cut, everything chatted during it is on the other screen this soon after the link is back (seen 0.6–2.8 s; 28–31 s before the gateway stopped waiting for a dead socket's close event). */
const CHAT_BACK_MS = 15_000;
/** Chat must not wait for media: what the issue asks, not what today's product does. */
const CHAT_PROMPT_MS = 5_000;
/** 60 kbit/s is held this long even though today's frozen video counts as "fallen back" within seconds: chat has to cross it. */
const HOLD_60_MS = 15_000;

describe('a call on an impaired customer link', () => {
  let link: ImpairedLink;
  let stack: Stack;
  let call: ImpairedCall;
  let customer: Page;
  let agent: Page;
  let senders: { customer: ReturnType<typeof sender>; agent: ReturnType<typeof sender> };
  // When each side first showed each chat text (ms since epoch), read once a second with the samples.
  const seen: Record<SideName, Map<string, number>> = { customer: new Map(), agent: new Map() };
  let bandwidth: Timeline | undefined;
  let cut: Timeline | undefined;
  const worstChat: Record<string, number> = {};

  const pane = () => agent.locator('video-chat-pane');
  const widget = () => customer.locator('customer-chat');
  const rootOf = (side: SideName) => (side === 'customer' ? widget() : pane());

  const state = async (side: SideName) => {
    const texts = await shown(rootOf(side));
    const now = Date.now();
    for (const t of texts) if (!seen[side].has(t)) seen[side].set(t, now);
    // What the product says about the call on screen: its steps as system lines and in the frame.
    const [poor, said] = await Promise.all([rootOf(side).getByText(/poor connection/i).count(), saidOn(rootOf(side))]);
    // The product's own reading of the call (video.quality in the element's state), for the timeline.
    const q = await rootOf(side).evaluate((el: HTMLElement & { state?: { video?: { quality?: { level: string; send: string; rx: string; tier: number; videoOff: boolean; voicePoor: boolean; reconnecting: boolean; lossUp?: number } } } }) => {
      const x = el.state?.video?.quality;
      // Level, send, rx, tier, flags, then the loss Janus reports for what this side sends (%).
      return x ? `${x.level[0]}${x.send[0]}${x.rx[0]}t${x.tier}${x.videoOff ? 'O' : ''}${x.voicePoor ? 'V' : ''}${x.reconnecting ? 'R' : ''}L${Math.round((x.lossUp ?? 0) * 100)}` : '-';
    }).catch(() => '?');
    return { messages: texts.length, poorConnection: poor > 0, ...said, q };
  };
  const chatCol = (s: Sample) =>
    `chat shown C${String(s.customer.state?.messages ?? '?')} A${String(s.agent.state?.messages ?? '?')} q C${String(s.customer.state?.q ?? '?')} A${String(s.agent.state?.q ?? '?')}`;

  /** Assertions with the timeline printed when they fail (or always with VC_IMPAIR_LOG=1). */
  async function checked(tl: Timeline | undefined, title: string, fn: () => void | Promise<void>, ranHere = false, pageLog?: () => string): Promise<void> {
    try {
      assert.ok(tl, 'the scenario ran');
      await fn();
      if (LOG && ranHere) console.log(`--- ${title} ---\n${formatTimeline(tl, chatCol)}${pageLog ? `\n--- ${title}: the pages' reconnection log (s since the cut) ---\n${pageLog()}` : ''}`);
    } catch (e) {
      if (tl) console.log(`--- ${title} (failed) ---\n${formatTimeline(tl, chatCol)}${pageLog ? `\n--- ${title}: the pages' reconnection log (s since the cut) ---\n${pageLog()}` : ''}`);
      throw e;
    }
  }

  /** Chat messages each side sent between `from` and `to` (ms since epoch). */
  const sentBetween = (from: number, to: number) => ({
    customer: senders.customer.sent.filter((m) => m.at >= from && m.at < to),
    agent: senders.agent.sent.filter((m) => m.at >= from && m.at < to),
  });

  /** Waits until every message sent in the window is shown on both sides (up to `ms`), then checks each is there exactly once; returns the worst delay seen. */
  async function chatArrived(from: number, to: number, where: string, ms = 30_000): Promise<{ n: number; worstMs: number; detail: string }> {
    const { customer: fromCustomer, agent: fromAgent } = sentBetween(from, to);
    const expected = [...fromCustomer, ...fromAgent].map((m) => m.text);
    const deadline = Date.now() + ms;
    for (;;) {
      await state('customer');
      await state('agent');
      if (expected.every((t) => seen.customer.has(t) && seen.agent.has(t)) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const [onCustomer, onAgent] = await Promise.all([shown(widget()), shown(pane())]);
    const missing = { customer: expected.filter((t) => !onCustomer.includes(t)), agent: expected.filter((t) => !onAgent.includes(t)) };
    if (missing.customer.length || missing.agent.length) {
      // Lost or only late? Where did it get to: the sender's screen, the broker's record?
      const record = await archivedTexts();
      const info = (side: SideName) => missing[side].map((t) => `${t} (sent ${sentAt(t)}, in the record: ${record?.includes(t) ?? '?'})`).join(', ');
      assert.fail(`${where}: not shown after ${ms} ms: on the customer's screen ${info('customer') || 'none'}; on the agent's screen ${info('agent') || 'none'}`);
    }
    exactlyOnce(onCustomer, expected, `${where}: customer's screen`);
    exactlyOnce(onAgent, expected, `${where}: agent's screen`);
    // Delay to the other side's screen (to within the 1 s sampling).
    const up = fromCustomer.map((m) => seen.agent.get(m.text)! - m.at);
    const down = fromAgent.map((m) => seen.customer.get(m.text)! - m.at);
    const worst = (xs: number[]) => Math.max(0, ...xs);
    return { n: expected.length, worstMs: worst([...up, ...down]), detail: `customer → agent worst ${worst(up)} ms, median ${median(up)} ms; agent → customer worst ${worst(down)} ms, median ${median(down)} ms` };
  }

  const sentAt = (text: string) => {
    const m = [...senders.customer.sent, ...senders.agent.sent].find((x) => x.text === text);
    return m ? `${((m.at - (bandwidth?.t0 ?? m.at)) / 1000).toFixed(1)} s into the script` : 'never';
  };
  /** The broker's record of the conversation's chat texts (null if it cannot be read). */
  async function archivedTexts(): Promise<string[] | null> {
    try {
      const id = await widget().evaluate((el: HTMLElement & { state?: { descriptor?: { id: string } } }) => el.state?.descriptor?.id);
      const login = await fetch(`${stack.broker.url.replace(/\/$/, '')}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: stack.env.agent.username, password: stack.env.agent.password }) });
      const { token } = (await login.json()) as { token: string };
      return id ? await archived(stack.broker.url.replace(/\/$/, ''), id, token) : null;
    } catch {
      return null;
    }
  }

  before(async () => {
    call = await startImpairedCall();
    ({ link, stack, customer, agent } = call);
    // Two a second from each side for the whole scenario.
    senders = { customer: sender(customer, widget(), 'c', 500), agent: sender(agent, pane(), 'a', 500) };
  });

  after(async () => {
    await Promise.allSettled([senders?.customer.stop(), senders?.agent.stop()]);
    await call?.close();
  });

  const phase = (tl: Timeline, name: string) => {
    const p = tl.phases.find((x) => x.name === name);
    assert.ok(p, `phase ${name}`);
    return { ...p, samples: tl.samples.filter((s) => s.phase === name), from: tl.t0 + p.start, to: tl.t0 + p.end };
  };

  it('300 kbit/s both ways: the agent receives adapted video (lower resolution or fps) while audio keeps arriving on both sides; chat sent meanwhile all arrives', async () => {
    bandwidth = await runImpairScript({ link, customer, agent, phases: bandwidthScript(productConditions, { hold60Ms: HOLD_60_MS }), state });
    if (LOG) console.log(`\n${summarize(bandwidth)}`);
    const tl = bandwidth;
    await checked(tl, '300 kbit/s', async () => {
      const p = phase(tl, '300kbit');
      assert.ok(p.reached.agent !== undefined, `the agent's received video adapts under 300 kbit/s (baseline ${tl.baseline.agent.height}p@${tl.baseline.agent.fps})`);
      // Audio: packets in every second of the phase, both sides.
      const withRef = tl.samples.slice(tl.samples.indexOf(p.samples[0]) - 1, tl.samples.indexOf(p.samples.at(-1)!) + 1);
      for (const side of ['customer', 'agent'] as const) {
        const audio = audioGrowth(withRef, side, withRef.length);
        assert.ok(audio.every((a) => a > 0), `${side} receives audio every second under 300 kbit/s: ${audio.join(',')}`);
      }
      const chat = await chatArrived(p.from, p.to, '300 kbit/s', CHAT_LATE_MS);
      worstChat['300kbit'] = chat.worstMs;
      console.log(`300 kbit/s: agent's video adapted after ${p.reached.agent} ms, customer's ${p.reached.customer ?? 'never'}; ${chat.n} chat messages (${chat.detail})`);
    }, true);
  });

  it('300 kbit/s downlink: the customer receives adapted video, not a frozen picture (the agent’s sender steps down on the customer’s rx)', async () => {
    await checked(bandwidth, '300 kbit/s downlink', () => {
      assert.ok(phase(bandwidth!, '300kbit').reached.customer !== undefined, 'the customer\'s received video adapts');
    });
  });

  it('60 kbit/s both ways: chat sent meanwhile all arrives, maybe late; what video and audio do is logged', async () => {
    await checked(bandwidth, '60 kbit/s', async () => {
      const tl = bandwidth!;
      const p = phase(tl, '60kbit');
      const ref = tl.samples.slice(tl.samples.indexOf(p.samples[0]) - 1, tl.samples.indexOf(p.samples.at(-1)!) + 1);
      const report = (['customer', 'agent'] as const).map((side) => {
        const frames = frameGrowth(ref, side, ref.length).reduce((a, b) => a + b, 0);
        const audio = audioGrowth(ref, side, ref.length);
        const pcs = new Set(ref.map((s) => s[side].q?.connections.length));
        return `${side} receives ${frames} frames, ${audio.reduce((a, b) => a + b, 0)} audio packets (per second ${audio.join(',')}), open connections ${[...pcs].join('/')}; fallen back after ${p.reached[side] ?? 'never'} ms`;
      });
      const chat = await chatArrived(p.from, p.to, '60 kbit/s', CHAT_LATE_MS);
      worstChat['60kbit'] = chat.worstMs;
      console.log(`60 kbit/s (${((p.end - p.start) / 1000).toFixed(0)} s): ${report.join('; ')}; ${chat.n} chat messages (${chat.detail})`);
      assert.ok(chat.n > 0, 'chat was sent during the phase');
    });
  });

  it('60 kbit/s: video falls back to voice in both directions, said on both screens, while voice keeps arriving', async () => {
    await checked(bandwidth, '60 kbit/s fallback', () => {
      const tl = bandwidth!;
      const p = phase(tl, '60kbit');
      for (const side of ['customer', 'agent'] as const) {
        assert.ok(p.reached[side] !== undefined, `${side}: the other side's video goes off for the network, said on screen, audio still arriving`);
        const last = p.samples.at(-1)![side].state!;
        assert.ok(Number(last.ownOff) > 0, `${side} is told its own video paused for the poor connection`);
      }
      const ref = tl.samples.slice(tl.samples.indexOf(p.samples[0]) - 1, tl.samples.indexOf(p.samples.at(-1)!) + 1);
      for (const side of ['customer', 'agent'] as const) {
        const audio = audioGrowth(ref, side, ref.length);
        assert.ok(audio.filter((a) => a > 0).length >= 0.8 * audio.length, `${side} hears the other side through 60 kbit/s (audio packets per second: ${audio.join(',')})`);
      }
      console.log(`60 kbit/s: video fell back after customer ${p.reached.customer} ms, agent ${p.reached.agent} ms`);
    });
  });

  it(`chat stays prompt (under ${CHAT_PROMPT_MS / 1000} s) at 300 and 60 kbit/s`, { todo: 'today chat shares the congested path with video that does not adapt on the downlink: tens of seconds late' }, () => {
    for (const ph of ['300kbit', '60kbit']) {
      assert.ok(worstChat[ph] !== undefined && worstChat[ph] <= CHAT_PROMPT_MS, `${ph}: worst chat delay ${worstChat[ph] ?? '?'} ms`);
    }
  });

  it(`restored: voice, then video come back by themselves (no click) on both sides within ${VIDEO_BACK_WITHIN_MS / 1000} s`, async () => {
    await checked(bandwidth, 'restored', () => {
      const tl = bandwidth!;
      const p = phase(tl, 'restored');
      const ref = tl.samples.slice(tl.samples.indexOf(p.samples[0]) - 1);
      for (const side of ['customer', 'agent'] as const) {
        assert.ok(p.reached[side] !== undefined && p.reached[side] <= VIDEO_BACK_WITHIN_MS, `${side}: the other side's video is back, frames decoded, within ${VIDEO_BACK_WITHIN_MS} ms (took ${p.reached[side] ?? 'never'})`);
        const audio = audioGrowth(ref, side, ref.length);
        const frames = frameGrowth(ref, side, ref.length);
        const firstAudio = audio.findIndex((a) => a > 0);
        const firstFrames = frames.findIndex((f, i) => f > 0 && frames[i + 1] > 0);
        assert.ok(firstAudio >= 0 && firstAudio <= firstFrames, `${side}: voice (second ${firstAudio}) before video (second ${firstFrames})`);
      }
      console.log(`restored: video back after customer ${p.reached.customer} ms, agent ${p.reached.agent} ms`);
    });
  });

  it('a 5 s path cut mid-call: chat resumes and frames are decoded again on both sides without a new invitation', async () => {
    const logFrom = call.log.length;
    cut = await runImpairScript({ link, customer, agent, phases: cutScript(5000), state });
    const tl = cut;
    // What the pages said about reconnecting (ICE restarts and their answers), on the cut's clock.
    const cutAt = tl.t0 + (tl.phases.find((x) => x.name === 'cut')?.start ?? 0);
    const pageLog = () => call.log.slice(logFrom).map((l) => `${((l.at - cutAt) / 1000).toFixed(2).padStart(7)} s ${l.side.padEnd(8)} ${l.text}`).join('\n') || '(nothing)';
    await checked(tl, '5 s cut', async () => {
      const before = phase(tl, 'before');
      // The case's premise: video flowed both ways when the link went (not a comeback from the bandwidth case still due).
      assert.ok(before.reached.customer !== undefined && before.reached.agent !== undefined, `frames decoded on both sides before the cut (customer ${before.reached.customer ?? 'never'}, agent ${before.reached.agent ?? 'never'} ms into the 'before' phase)`);
      const p = phase(tl, 'restored');
      for (const side of ['customer', 'agent'] as const) {
        assert.ok(p.reached[side] !== undefined && p.reached[side] <= RECOVER_WITHIN_MS, `${side} decodes frames again within ${RECOVER_WITHIN_MS} ms of the link coming back (took ${p.reached[side] ?? 'never'})`);
      }
      assert.equal(await widget().locator('video-invite').count(), 0, 'no new invitation');
      const c = phase(tl, 'cut');
      const chat = await chatArrived(c.from, p.to, '5 s cut');
      const pcs = (side: SideName) => [...new Set(tl.samples.map((s) => s[side].q?.connections.join('')))].join(' → ');
      console.log(`5 s cut: frames again after customer ${p.reached.customer} ms, agent ${p.reached.agent} ms of the link coming back; connection states customer ${pcs('customer')}, agent ${pcs('agent')}; ${chat.n} chat messages (${chat.detail})`);
    }, true, pageLog);
  });

  it('a 60 s path cut: the video ends cleanly with a message on both screens, and chat is intact', async () => {
    const long = await runImpairScript({
      link, customer, agent, state,
      phases: [
        { name: 'before', apply: (l) => l.unshape(), minMs: 3000, maxMs: 3000 },
        { name: 'cut', apply: (l) => l.cut(), minMs: 60_000, maxMs: 60_000 },
        // Back: both screens say why the video ended, and chat crosses the link again.
        { name: 'restored', apply: (l) => l.restore(), maxMs: 30_000, until: ({ samples, side }) => Number(samples.at(-1)?.[side].state?.lost ?? 0) > 0 },
      ],
    });
    await checked(long, '60 s cut', async () => {
      const c = phase(long, 'cut');
      const r = phase(long, 'restored');
      // The agent's side (its own link fine) ends the video during the cut: its screen says so before the link is back.
      // First both screens say "Reconnecting video…" (not a frozen frame), then the video ends.
      for (const side of ['customer', 'agent'] as const) {
        assert.ok(c.samples.some((x) => Number(x[side].state?.reconnecting ?? 0) > 0), `${side} shows "Reconnecting video…" during the cut`);
      }
      const agentLost = c.samples.find((x) => Number(x.agent.state?.lost ?? 0) > 0);
      assert.ok(agentLost, 'the agent sees "Video ended: the connection was lost" during the cut');
      assert.ok(r.reached.customer !== undefined, 'the customer sees it once the link is back');
      for (const side of ['customer', 'agent'] as const) {
        assert.equal(await rootOf(side).locator('video-frame').count(), 0, `${side}: the video frame is closed`);
      }
      assert.equal(await widget().locator('video-invite').count(), 0, 'no invitation');
      const chat = await chatArrived(c.from, r.to, '60 s cut', CHAT_LATE_MS);
      // Chat is back at once when the link is: everything sent during the cut is on the other screen soon after.
      const back = c.to;
      const { customer: upDuring, agent: downDuring } = sentBetween(c.from, c.to);
      const lateUp = Math.max(...upDuring.map((m) => seen.agent.get(m.text)! - back));
      const lateDown = Math.max(...downDuring.map((m) => seen.customer.get(m.text)! - back));
      assert.ok(lateUp <= CHAT_BACK_MS && lateDown <= CHAT_BACK_MS, `chat sent during the cut is shown within ${CHAT_BACK_MS} ms of the link's return (customer → agent ${lateUp} ms, agent → customer ${lateDown} ms)`);
      console.log(`60 s cut: the agent's screen said the video ended ${((agentLost.t - long.phases.find((x) => x.name === 'cut')!.start) / 1000).toFixed(1)} s into the cut, the customer's ${r.reached.customer} ms after the link came back; chat sent during the cut shown ${lateUp} ms (customer → agent) and ${lateDown} ms (agent → customer) after the link came back; ${chat.n} chat messages (${chat.detail})`);
    }, true);
  });
});
