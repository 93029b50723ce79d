// The impairment scenario, shared by the impaired-network e2e tests
// (test/impair/*.e2e.test.ts) and the bench: phases that change the customer's
// link, each held for a minimum and then until a condition holds on both sides
// (or a maximum), while both pages are sampled once a second.
//
// The conditions are functions of the samples (and of whatever page state the
// caller reads, `sample.*.state`), so the product's own notion of "adapted",
// "fallen back" and "recovered" can replace the defaults below.
import type { Locator, Page } from 'playwright-core';
import type { ImpairedLink } from '../helpers/impair.js';
import { readQuality, type Quality } from './probes.js';

export type SideName = 'customer' | 'agent';

export interface SideSample {
  /** null when the page did not answer in time. */
  q: Quality | null;
  /** Whatever the caller's `state` reader returned for this side. */
  state?: Record<string, unknown>;
}

export interface Sample {
  /** ms since the script started. */
  t: number;
  phase: string;
  customer: SideSample;
  agent: SideSample;
}

/** Medians of the receiver's video per side over the baseline phase. */
export interface Baseline {
  customer: { height: number; fps: number };
  agent: { height: number; fps: number };
}

export interface ConditionCtx {
  side: SideName;
  /** This phase's samples so far, oldest first. */
  samples: Sample[];
  /** Every sample so far. */
  all: Sample[];
  baseline: Baseline;
}
/** Whether a condition holds on one side now. */
export type Condition = (ctx: ConditionCtx) => boolean;

export interface Phase {
  name: string;
  /** What happens to the link when the phase starts. */
  apply(link: ImpairedLink): void;
  /** Held at least this long (default 0). */
  minMs?: number;
  /** And at most this long. */
  maxMs: number;
  /** The phase ends early once this holds on both sides. */
  until?: Condition;
}

export interface PhaseResult {
  name: string;
  /** ms since the script started. */
  start: number;
  end: number;
  /** ms from the phase's start to the first sample where `until` held, per side (absent: never). */
  reached: Partial<Record<SideName, number>>;
  /** The link's qdiscs once the phase was applied (tc's words). */
  link: string;
}

export interface Timeline {
  samples: Sample[];
  phases: PhaseResult[];
  baseline: Baseline;
  /** Date.now() at t = 0. */
  t0: number;
}

// ---- helpers over samples ----------------------------------------------------

export function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Growth of a counter between two samples; a counter that went back (a new RTCPeerConnection) counts from 0. */
function grew(prev: number | null | undefined, cur: number | null | undefined): number {
  if (cur === null || cur === undefined) return 0;
  if (prev === null || prev === undefined || cur < prev) return cur;
  return cur - prev;
}

/** New frames decoded by a side's receiver in each of the last `n` sample intervals. */
export function frameGrowth(samples: Sample[], side: SideName, n: number): number[] {
  const out: number[] = [];
  for (let i = Math.max(1, samples.length - n); i < samples.length; i++) {
    out.push(grew(samples[i - 1][side].q?.inVideo?.framesDecoded, samples[i][side].q?.inVideo?.framesDecoded));
  }
  return out;
}

/** Audio packets received by a side in each of the last `n` sample intervals. */
export function audioGrowth(samples: Sample[], side: SideName, n: number): number[] {
  const out: number[] = [];
  for (let i = Math.max(1, samples.length - n); i < samples.length; i++) {
    out.push(grew(samples[i - 1][side].q?.inAudio?.packetsReceived, samples[i][side].q?.inAudio?.packetsReceived));
  }
  return out;
}

/** Receiver's video over the last `n` samples of a phase: median height and fps, and whether frames came in every interval. */
export function recentVideo(samples: Sample[], side: SideName, n = 3) {
  const last = samples.slice(-n);
  const heights = last.map((s) => s[side].q?.inVideo?.frameHeight ?? 0);
  const fps = last.map((s) => s[side].q?.inVideo?.framesPerSecond ?? 0);
  return { height: median(heights), fps: median(fps), frames: frameGrowth(samples, side, n - 1) };
}

// ---- the default conditions ---------------------------------------------------

/**
 * Adapted: the receiver still gets video (new frames in each of the last 2 s) but clearly less of it
 * than at baseline: median height of the last 3 samples below 80 % of the baseline median, or fps
 * below 70 %. A frozen picture is not adaptation.
 */
export const adapted: Condition = ({ samples, side, baseline }) => {
  if (samples.length < 3) return false;
  const r = recentVideo(samples, side, 3);
  const b = baseline[side];
  return r.frames.every((f) => f > 0) && (r.height < 0.8 * b.height || r.fps < 0.7 * b.fps);
};

/** Fallen back: no new frames decoded for 3 s while audio packets still arrive. */
export const fallenBack: Condition = ({ samples, side }) => {
  if (samples.length < 4) return false;
  return frameGrowth(samples, side, 3).every((f) => f === 0) && audioGrowth(samples, side, 3).every((a) => a > 0);
};

/**
 * Recovered: frames decoded again, in each of the last 2 s. Not "at the old frame rate": after a long
 * stretch at 60 kbit/s the sender's bandwidth estimate climbs back slowly (seen: 180p at 3–6 fps for
 * over 30 s), which is a quality figure of its own, not the moment video came back.
 */
export const recovered: Condition = ({ samples, side }) => samples.length >= 3 && frameGrowth(samples, side, 2).every((f) => f > 0);

/** The product's own steps, as both screens show them (system lines and the frame's words). */
export const SAID = {
  ownOff: /Your video paused: poor connection/,
  peerOff: /(Ann|Vera|Bench)’s video paused: poor connection/,
  peerBack: /(Ann|Vera|Bench)’s video is back/,
  lost: /Video ended: the connection was lost/,
  reconnecting: /Reconnecting video…/,
} as const;

/** How many times each of the product's steps is said on `root` (a <customer-chat> or <video-chat-pane>) right now. */
export async function saidOn(root: Locator): Promise<Record<keyof typeof SAID, number>> {
  const keys = Object.keys(SAID) as Array<keyof typeof SAID>;
  const counts = await Promise.all(keys.map((k) => root.getByText(SAID[k]).count()));
  return Object.fromEntries(keys.map((k, i) => [k, counts[i]])) as Record<keyof typeof SAID, number>;
}

/**
 * The product's fallback as this side sees it: the other side's video off for the network and this side's own
 * video off for it too, both said on screen, voice still arriving. Both, because a receiver says the other side's
 * video paused as soon as it stops arriving (videoStalled), before that side's sender has fallen back: the
 * 60 kbit/s phase ended on that alone once and the sender's own fallback, which the test asserts, came too late.
 */
export const productFellBack: Condition = ({ samples, side }) => {
  const said = samples.at(-1)![side].state;
  return samples.length >= 3 && Number(said?.peerOff ?? 0) > 0 && Number(said?.ownOff ?? 0) > 0 && audioGrowth(samples, side, 2).every((a) => a > 0);
};
/** Video back by itself: the other side's "video is back" on screen and frames decoded in each of the last 2 s. */
export const productRecovered: Condition = (ctx) => Number(ctx.samples.at(-1)![ctx.side].state?.peerBack ?? 0) > 0 && recovered(ctx);

export interface Conditions {
  adapted: Condition;
  fallenBack: Condition;
  recovered: Condition;
}
export const defaultConditions: Conditions = { adapted, fallenBack, recovered };
/** Adapted as measured, fallen back and recovered as the product says it on screen (needs `state` to read saidOn). */
export const productConditions: Conditions = { adapted, fallenBack: productFellBack, recovered: productRecovered };

/**
 * The issue's script: unconstrained (10 s), 300 kbit/s both ways (until adapted, 30 s at most),
 * 60 kbit/s (until fallen back, 45 s at most), restored (until recovered, 50 s at most).
 * `hold60Ms`: keep 60 kbit/s at least this long even once fallen back (the e2e test wants chat to
 * cross it for a while; today's frozen video meets "fallen back" within seconds).
 */
export function bandwidthScript(c: Conditions = defaultConditions, { hold60Ms = 0 } = {}): Phase[] {
  return [
    { name: 'unconstrained', apply: (l) => l.unshape(), minMs: 10_000, maxMs: 10_000 },
    { name: '300kbit', apply: (l) => l.shape({ up: 300, down: 300 }), maxMs: 30_000, until: c.adapted },
    // 45 s: the sender on the far side learns how the customer receives over the customer's own 60 kbit/s uplink.
    { name: '60kbit', apply: (l) => l.shape({ up: 60, down: 60 }), minMs: hold60Ms, maxMs: Math.max(45_000, hold60Ms), until: c.fallenBack },
    { name: 'restored', apply: (l) => l.unshape(), maxMs: 50_000, until: c.recovered },
  ];
}

/**
 * A path interruption: the link down for `cutMs`, then up until frames are decoded again. The cut comes
 * once frames are decoded on both sides (at least 5 s, at most 45 s): after the bandwidth script a side's
 * video may still be off for the network, and its comeback would be timed instead of the cut's recovery.
 */
export function cutScript(cutMs = 5000, c: Conditions = defaultConditions): Phase[] {
  return [
    { name: 'before', apply: (l) => l.unshape(), minMs: 5000, maxMs: 45_000, until: c.recovered },
    { name: 'cut', apply: (l) => l.cut(), minMs: cutMs, maxMs: cutMs },
    { name: 'restored', apply: (l) => l.restore(), maxMs: 45_000, until: c.recovered },
  ];
}

export interface RunOptions {
  link: ImpairedLink;
  customer: Page;
  agent: Page;
  phases?: Phase[];
  /** Page state to keep with each sample (e.g. texts on screen), for conditions and the caller's checks. */
  state?: (side: SideName, page: Page) => Promise<Record<string, unknown>>;
  /** Which phase's medians are the baseline (default: the first). */
  baselinePhase?: string;
  /** Called after each sample (live log). */
  onSample?: (s: Sample) => void;
  intervalMs?: number;
}

function baselineOf(samples: Sample[]): Baseline {
  const of = (side: SideName) => {
    const v = samples.map((s) => s[side].q?.inVideo).filter((x) => x && (x.framesPerSecond ?? 0) > 0);
    return { height: median(v.map((x) => x!.frameHeight ?? 0)), fps: median(v.map((x) => x!.framesPerSecond ?? 0)) };
  };
  return { customer: of('customer'), agent: of('agent') };
}

/** Runs the phases in order and returns every sample and when each phase started, ended and reached its condition. */
export async function runImpairScript(opts: RunOptions): Promise<Timeline> {
  const phases = opts.phases ?? bandwidthScript();
  const interval = opts.intervalMs ?? 1000;
  const t0 = Date.now();
  const all: Sample[] = [];
  const results: PhaseResult[] = [];
  let baseline: Baseline = { customer: { height: NaN, fps: NaN }, agent: { height: NaN, fps: NaN } };
  const baselineName = opts.baselinePhase ?? phases[0]?.name;
  const sample = async (phase: string): Promise<Sample> => {
    const read = async (side: SideName, page: Page): Promise<SideSample> => {
      const [q, state] = await Promise.all([readQuality(page), opts.state?.(side, page).catch((e: unknown) => ({ error: String(e) }))]);
      return state ? { q, state } : { q };
    };
    const [customer, agent] = await Promise.all([read('customer', opts.customer), read('agent', opts.agent)]);
    return { t: Date.now() - t0, phase, customer, agent };
  };
  try {
    for (const p of phases) {
      const start = Date.now() - t0;
      p.apply(opts.link);
      const res: PhaseResult = { name: p.name, start, end: start, reached: {}, link: opts.link.describe() };
      results.push(res);
      const mine: Sample[] = [];
      // The sample at the phase's start (before the link change has had any effect) is the reference for growth.
      if (all.length) mine.push(all[all.length - 1]);
      for (let next = Date.now() + interval; ; next += interval) {
        await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
        const s = await sample(p.name);
        all.push(s);
        mine.push(s);
        opts.onSample?.(s);
        const elapsed = Date.now() - t0 - start;
        if (p.until) {
          for (const side of ['customer', 'agent'] as const) {
            if (res.reached[side] === undefined && p.until({ side, samples: mine, all, baseline })) res.reached[side] = s.t - start;
          }
        }
        const done = p.until && res.reached.customer !== undefined && res.reached.agent !== undefined;
        if (elapsed >= (p.minMs ?? 0) && (done || elapsed >= p.maxMs)) break;
      }
      res.end = Date.now() - t0;
      if (p.name === baselineName) baseline = baselineOf(mine);
    }
  } finally {
    // Whatever happened, the link is left as it was found: up and unshaped.
    try {
      opts.link.restore();
      opts.link.unshape();
    } catch {
      // disposed meanwhile
    }
  }
  return { samples: all, phases: results, baseline, t0 };
}

// ---- printing -------------------------------------------------------------------

const k = (bps: number | null | undefined) => (bps === null || bps === undefined ? '-' : bps >= 1e6 ? `${(bps / 1e6).toFixed(1)}M` : `${Math.round(bps / 1000)}k`);

function sideLine(prev: SideSample | undefined, cur: SideSample): string {
  const q = cur.q;
  if (!q) return 'no answer';
  const v = q.inVideo;
  const a = q.inAudio;
  const o = q.outVideo;
  const frames = grew(prev?.q?.inVideo?.framesDecoded, v?.framesDecoded);
  const audio = grew(prev?.q?.inAudio?.packetsReceived, a?.packetsReceived);
  const kbit = Math.round((grew(prev?.q?.inVideo?.bytesReceived, v?.bytesReceived) * 8) / 1000);
  const rx = v ? `${v.frameWidth ?? '?'}x${v.frameHeight ?? '?'}@${v.framesPerSecond ?? 0} +${frames}f ${kbit}kb frz${v.freezeCount ?? 0}/${(v.totalFreezesDuration ?? 0).toFixed(1)}s` : 'no video in';
  const au = a ? `aud+${audio} lost${a.packetsLost ?? 0} conc${Math.round(((a.concealedSamples ?? 0) / Math.max(1, a.totalSamplesReceived ?? 0)) * 100)}%` : 'no audio in';
  const tx = o ? `out ${o.frameHeight ?? '?'}p@${o.framesPerSecond ?? 0} ${o.qualityLimitationReason ?? ''} tb${k(o.targetBitrate)}` : 'no video out';
  const pair = q.pair ? `aob${k(q.pair.availableOutgoingBitrate)} rtt${q.pair.currentRoundTripTime === null ? '-' : Math.round(q.pair.currentRoundTripTime * 1000)}` : 'no pair';
  const pcs = q.connections.map((c) => c[0]).join('');
  return `${rx} ${au} | ${tx} ${pair} pc:${pcs}`;
}

/** One line per sample: receiver video (size@fps, new frames, kbit, freezes), audio, sender, pair, connection states. */
export function formatTimeline(tl: Timeline, extra?: (s: Sample) => string): string {
  const lines = [
    `baseline: customer receives ${tl.baseline.customer.height}p@${tl.baseline.customer.fps}, agent receives ${tl.baseline.agent.height}p@${tl.baseline.agent.fps}`,
    ...tl.phases.map((p) => `phase ${p.name}: ${(p.start / 1000).toFixed(1)}–${(p.end / 1000).toFixed(1)} s, reached: customer ${fmtMs(p.reached.customer)}, agent ${fmtMs(p.reached.agent)}; ${p.link}`),
  ];
  tl.samples.forEach((s, i) => {
    // The first sample has nothing to grow from: its counters are shown as they are.
    const prev = tl.samples[i - 1] ?? s;
    lines.push(`${(s.t / 1000).toFixed(1).padStart(6)} ${s.phase.padEnd(13)} C: ${sideLine(prev?.customer, s.customer)} ‖ A: ${sideLine(prev?.agent, s.agent)}${extra ? ` ${extra(s)}` : ''}`);
  });
  return lines.join('\n');
}

function fmtMs(ms: number | undefined): string {
  return ms === undefined ? 'never' : `${(ms / 1000).toFixed(1)} s`;
}

/** What the bench prints: time to adapt / fall back / recover per side under the bandwidth script. */
export function summarize(tl: Timeline): string {
  const get = (name: string) => tl.phases.find((p) => p.name === name);
  const row = (label: string, phase: string) => {
    const p = get(phase);
    return p ? `${label}: customer ${fmtMs(p.reached.customer)}, agent ${fmtMs(p.reached.agent)} (phase ${((p.end - p.start) / 1000).toFixed(1)} s)` : `${label}: -`;
  };
  return [row('time to adapt (300 kbit/s)', '300kbit'), row('time to fall back (60 kbit/s)', '60kbit'), row('time to recover (restored)', 'restored')].join('\n');
}
