// axe on whole pages (issue 12, acceptance 7): the demo shop with the widget and
// the agent console page, real Janus + broker, two browsers. The tour
// (tour.ts) steps through the states once (chat, video invitation, two-way
// video, cobrowse prompt, cobrowse sharing); in each, both pages are checked in
// light, dark (prefers-color-scheme) and Arabic (the elements' locale
// attribute), switched on the open pages; then, with the agent away, the
// offline message form and the message sent (OFFLINE_STEPS in tour.ts).
//   node scripts/build.mjs && node --import tsx --test test/e2e/a11y.e2e.test.ts
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { startStack, type Stack } from '../helpers/stack.mjs';
import { applyVariant, OFFLINE_STEPS, openTour, STEPS, VARIANTS, type Tour, type TourStep } from './tour.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** WCAG 2.x A and AA, and axe's best practices (landmarks, one main, one banner…). */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

interface Finding {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown; summary: string }>;
}

/** Runs axe on the whole page (document and open shadow roots) and returns its violations. */
async function axe(page: Page): Promise<Finding[]> {
  // Evaluated, not a <script>: the demo pages' Content-Security-Policy (script-src 'self') stays on.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  // A string: a function would carry the test compiler's helpers into the page.
  return page.evaluate(`(async () => {
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(TAGS)} }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, summary: n.failureSummary })),
    }));
  })()`);
}

const describeFindings = (fs: Finding[]) =>
  fs.map((f) => `  ${f.id} (${f.impact}): ${f.help}\n${f.nodes.map((n) => `    ${JSON.stringify(n.target)}\n      ${n.summary.replace(/\n/g, '\n      ')}`).join('\n')}`).join('\n');

describe('axe on whole pages: the shop with the widget and the agent console', { timeout: 8 * 60_000 }, () => {
  let stack: Stack;
  let browser: Browser;
  let tour: Tour;
  const pageErrors: string[] = [];

  before(async () => {
    // offlineWithoutAgents: with the agent away (the last of STEPS) a new visitor gets the message form.
    stack = await startStack({ staticRoot: process.cwd(), broker: { offlineWithoutAgents: true } });
    browser = await launchChromium();
    tour = await openTour(browser, stack, {
      name: 'Maya',
      // The console with more than the one conversation: another claimed (an unread message) and one waiting.
      others: ['Jonas'],
      waiting: ['Lena'],
      onPage: (p) => p.on('pageerror', (e) => pageErrors.push(e.message)),
    });
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** Enters the step (in English and light, as the steps are written), then axe on both pages in each variant. */
  async function check(step: TourStep): Promise<void> {
    await applyVariant(tour, VARIANTS[0]);
    await step.enter(tour);
    const failures: string[] = [];
    for (const variant of VARIANTS) {
      await applyVariant(tour, variant);
      for (const [who, page] of [['shop', tour.customer], ['console', tour.agent]] as const) {
        const found = await axe(page);
        if (found.length) failures.push(`${who}, ${step.state}, ${variant.name}:\n${describeFindings(found)}`);
      }
    }
    assert.deepEqual(pageErrors, [], 'no page errors');
    if (failures.length) assert.fail(`axe violations:\n${failures.join('\n')}`);
  }

  for (const step of STEPS) it(`${step.state}: no violations in light, dark or Arabic`, () => check(step));

  // After agent-away: a new visitor's message form, then the message sent and listed in the console.
  for (const step of OFFLINE_STEPS) it(`${step.state}: no violations in light, dark or Arabic`, () => check(step));
});
