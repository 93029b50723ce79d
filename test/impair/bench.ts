// The impaired-network figures for npm run bench (test/bench/run.ts calls
// impairBench after its other sections): one call through the real elements on
// an impaired customer link (test/impair/call.ts), the script
// (unconstrained 10 s, 300 kbit/s both ways until adapted, 60 kbit/s until
// fallen back, restored until recovered; test/impair/script.ts), and the time
// each side took to adapt, fall back and recover.
// Standalone: node --import tsx test/impair/bench.ts (VC_IMPAIR_LOG=1: the timeline too).
import { pathToFileURL } from 'node:url';
import { startImpairedCall } from './call.js';
import { bandwidthScript, formatTimeline, productConditions, runImpairScript, saidOn, summarize, type Conditions } from './script.js';

/**
 * Needs root and iproute2 (network namespaces, veth, tc tbf); returns the lines to print. Adapted is
 * measured (the receiver's resolution or frame rate); fallen back and recovered are when the product says
 * so on the receiving side's screen ("… video paused: poor connection", "… video is back", frames again).
 */
export async function impairBench(conditions: Conditions = productConditions): Promise<string[]> {
  if (process.getuid?.() !== 0) return ['Impaired network: skipped (needs root for network namespaces and tc)'];
  const call = await startImpairedCall('Bench');
  try {
    const state = async (side: 'customer' | 'agent') => saidOn(side === 'customer' ? call.widget() : call.pane());
    const tl = await runImpairScript({ link: call.link, customer: call.customer, agent: call.agent, phases: bandwidthScript(conditions), state });
    const b = tl.baseline;
    const lines = [
      `\nImpaired network: the customer's link unconstrained -> 300 kbit/s both ways -> 60 kbit/s -> restored (tbf on a veth pair), two-way video through the real elements`,
      `  baseline (unconstrained, medians): the customer receives ${b.customer.height}p at ${b.customer.fps} fps, the agent ${b.agent.height}p at ${b.agent.fps} fps`,
      ...summarize(tl).split('\n').map((l) => `  ${l}`),
      '  ("customer": the customer\'s received video, i.e. the downlink; "agent": the uplink. never: not within the phase)',
    ];
    if (process.env.VC_IMPAIR_LOG === '1') lines.push(formatTimeline(tl));
    return lines;
  } finally {
    await call.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const line of await impairBench()) console.log(line);
}
