// Node side of the cobrowse figures in `npm run bench` (see cobrowse-page.ts).
import type { Page } from 'playwright-core';
import type { ConversationDescriptor } from '../../src/protocol/index.js';
import type { SnapshotFigures } from './cobrowse-page.js';

interface BenchWindow {
  bench: {
    cobrowseDelay(c: ConversationDescriptor, a: ConversationDescriptor, runs: number): Promise<number[]>;
    checkoutSnapshot(bundleUrl: string): Promise<SnapshotFigures>;
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

/** Runs the cobrowse measurements in `page` (the bench page) and returns the lines to print. */
export async function cobrowseBench(
  page: Page,
  conversation: () => Promise<{ customer: ConversationDescriptor; agent: ConversationDescriptor }>,
  runs: number,
): Promise<string[]> {
  const n = Math.max(10, runs);
  const d = await conversation();
  const delays = await page.evaluate(([c, a, k]) => (window as unknown as BenchWindow).bench.cobrowseDelay(c, a, k), [d.customer, d.agent, n] as const);
  const snap = await page.evaluate((url) => (window as unknown as BenchWindow).bench.checkoutSnapshot(url), new URL('page.js', page.url()).href);
  const s = [...delays].sort((a, b) => a - b);
  const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
  return [
    `\nCobrowse: customer DOM change -> shown in the agent's replay (batches of up to 100 ms, both ends in one Chromium), ${n} runs:`,
    `  median ${median(delays).toFixed(0)} ms, p90 ${s[Math.min(s.length - 1, Math.ceil(0.9 * s.length) - 1)].toFixed(0)} ms  (min ${s[0].toFixed(0)}, max ${s[s.length - 1].toFixed(0)})`,
    `Cobrowse: full snapshot of /demo/shop/checkout.html (1280x800, masked and slimmed):`,
    `  JSON ${kib(snap.json)} -> deflate-raw ${kib(snap.deflated)} (${((snap.deflated / snap.json) * 100).toFixed(0)}%) -> base64 on the wire ${kib(snap.base64)} in ${snap.chunks} message(s); ${snap.ms.toFixed(0)} ms from record start to chunks ready`,
  ];
}
