#!/usr/bin/env node
// npm run screenshots: the README's screenshots, taken from the running demo so
// they stay current. Starts what the e2e tests start (Janus + the broker
// serving the built dist/ and demo/), opens the agent console and the demo
// shop in two browser contexts (fake camera and microphone), walks the same
// states as the whole-page axe test (test/e2e/tour.ts) and, in each, saves
// PNGs in light, dark and Arabic into docs/screenshots/.
//   npm run screenshots            (builds dist/ first)
//   node scripts/screenshots.mjs   (with a dist/ already built)
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { register } from 'tsx/esm/api';

register();
const { startStack } = await import('../test/helpers/stack.mjs');
const { launchChromium } = await import('../test/helpers/browser.ts');
const { applyVariant, openTour, STEPS, VARIANTS } = await import('../test/e2e/tour.ts');

const OUT = 'docs/screenshots';
const PAD = 16;

/** The widget's panel and launcher (the part of the shop page that is ours), with a margin of the page around them. */
async function widgetClip(customer) {
  const boxes = await customer.locator('customer-chat').evaluate((el) =>
    ['.panel', '.launcher'].map((sel) => {
      const r = el.shadowRoot.querySelector(sel).getBoundingClientRect();
      return { x: r.x, y: r.y, right: r.right, bottom: r.bottom };
    }),
  );
  const vp = customer.viewportSize();
  const x = Math.max(0, Math.min(...boxes.map((b) => b.x)) - PAD);
  const y = Math.max(0, Math.min(...boxes.map((b) => b.y)) - PAD);
  return {
    x,
    y,
    width: Math.min(vp.width, Math.max(...boxes.map((b) => b.right)) + PAD) - x,
    height: Math.min(vp.height, Math.max(...boxes.map((b) => b.bottom)) + PAD) - y,
  };
}

/** What is saved in each state: file stem → how. */
const SHOTS = {
  chat: {
    console: (t) => t.agent.screenshot(),
    'widget-chat': async (t) => t.customer.screenshot({ clip: await widgetClip(t.customer) }),
  },
  'video-invitation': {
    'widget-invitation': async (t) => t.customer.screenshot({ clip: await widgetClip(t.customer) }),
  },
  video: {
    'console-video': (t) => t.agent.screenshot(),
    'widget-video': async (t) => t.customer.screenshot({ clip: await widgetClip(t.customer) }),
  },
  cobrowse: {
    // The agent's replay of the customer's page, and the customer's page with the banner and the widget.
    'console-cobrowse': (t) => t.agent.screenshot(),
    'shop-cobrowse': (t) => t.customer.screenshot(),
  },
};

mkdirSync(OUT, { recursive: true });
for (const f of readdirSync(OUT)) if (f.endsWith('.png')) rmSync(join(OUT, f));

const started = Date.now();
const stack = await startStack({ staticRoot: process.cwd() });
const browser = await launchChromium();
let failed = false;
try {
  const tour = await openTour(browser, stack, {
    name: 'Maya',
    others: ['Jonas', 'Sofia'],
    waiting: ['Lena'],
    onPage: (p) => p.on('pageerror', (e) => console.error(`[page error] ${e.message}`)),
  });
  for (const step of STEPS) {
    await applyVariant(tour, VARIANTS[0]);
    await step.enter(tour);
    const shots = SHOTS[step.state];
    if (!shots) continue;
    for (const variant of VARIANTS) {
      await applyVariant(tour, variant);
      // The browsers' caret and the video's last frames settle.
      await tour.agent.waitForTimeout(300);
      for (const [stem, take] of Object.entries(shots)) {
        const file = join(OUT, `${stem}-${variant.name}.png`);
        writeFileSync(file, await take(tour));
        console.log(`  ${file}  ${(statSync(file).size / 1024).toFixed(0)} KiB`);
      }
    }
  }
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  await browser.close();
  await stack.stop();
}
console.log(`${failed ? 'failed' : 'done'} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(failed ? 1 : 0);
