// A two-way video call on an impaired customer link, set up through the real
// elements as test/e2e/video.e2e.test.ts does it: the customer opens the shop's
// widget (Chromium inside the link's network namespace), the agent signs in to
// the console and claims (its Chromium in a second, unimpaired namespace), invites "Video chat: two-way" from
// the pane's More menu, the customer clicks Accept. Shared by the impaired-
// network e2e tests and the bench (test/impair/bench.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { createImpairedLink, launchChromiumIn, secureOriginFlag, type ImpairedLink } from '../helpers/impair.js';
import { startStack, type Stack } from '../helpers/stack.mjs';
import { agentClaims, customerStartsChat } from '../e2e/flows.js';
import { writeBusyY4m } from './camera.js';
import { installProbes } from './probes.js';

export interface ImpairedCall {
  /** The customer's link (the one the scripts shape and cut). */
  link: ImpairedLink;
  /** The agent's link: the agent's Chromium has its own namespace too, so nothing done to the customer's link reaches it. */
  agentLink: ImpairedLink;
  stack: Stack;
  /** Broker base URL on the veth's host address (no trailing slash). */
  base: string;
  customer: Page;
  agent: Page;
  widget(): Locator;
  pane(): Locator;
  /** What the pages log about reconnection (console lines starting '[vc '), with the test's clock: printed when a cut case fails. */
  log: Array<{ at: number; side: 'customer' | 'agent'; text: string }>;
  close(): Promise<void>;
}

/**
 * Everything up to decoded-ready <video> elements on both sides (or, with `video: false`, up to the
 * claimed chat); `customerInit`: further init scripts for the customer's page. On failure, whatever was started is stopped.
 */
export async function startImpairedCall(customerName = 'Vera', opts: { video?: boolean; customerInit?: string } = {}): Promise<ImpairedCall> {
  const link = createImpairedLink();
  // The agent's own, never impaired, link. In the root namespace the agent's Chromium paired with Janus
  // on the customer link's host address (Janus gathers on the veths only) and, when that link was cut,
  // dropped the interface and its own call with it (all its connections "disconnected" 5 s into a cut,
  // "failed" by 18 s): a cut would have hit both sides.
  let agentLink: ImpairedLink | undefined;
  const log: ImpairedCall['log'] = [];
  const camDir = mkdtempSync(join(tmpdir(), 'vc-impair-cam-'));
  let stack: Stack | undefined;
  const browsers: Browser[] = [];
  const close = async () => {
    await Promise.allSettled(browsers.map((b) => b.close()));
    await stack?.stop();
    link.dispose();
    agentLink?.dispose();
    rmSync(camDir, { recursive: true, force: true });
  };
  try {
    agentLink = createImpairedLink();
    // The broker and Janus's WebSocket listen on the customer link's host address; the agent gets there through its own link.
    agentLink.reach(link.hostIp);
    const cam = writeBusyY4m(join(camDir, 'busy.y4m'));
    // Janus's session reclaim window as deployed (20 s), not the other tests' 3 s: under 60 kbit/s a keepalive
    // can take longer than its 10 s, and the socket's reconnect must find the session (and its calls) still there.
    stack = await startStack({ staticRoot: process.cwd(), host: link.hostIp, iceEnforce: `${link.hostIf},${agentLink.hostIf}`, reclaimTimeoutS: 20 });
    const base = stack.broker.url.replace(/\/$/, '');
    // Both browsers use the http://10.77.N.1 URLs, so both need the flag.
    const flags = [secureOriginFlag(base), `--use-file-for-fake-video-capture=${cam}`];
    const [cb, ab] = await Promise.all([launchChromiumIn(link.ns, flags), launchChromiumIn(agentLink.ns, flags)]);
    browsers.push(cb, ab);
    const customer = await (await cb.newContext()).newPage();
    const agent = await (await ab.newContext()).newPage();
    for (const [side, p] of [['customer', customer], ['agent', agent]] as const) {
      p.on('console', (m) => { if (m.text().startsWith('[vc ')) log.push({ at: Date.now(), side, text: m.text() }); });
      await installProbes(p);
      p.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
    }
    if (opts.customerInit) await customer.context().addInitScript({ content: opts.customerInit });
    const widget = () => customer.locator('customer-chat');
    const pane = () => agent.locator('video-chat-pane');
    await customerStartsChat(customer, base, customerName);
    await agentClaims(agent, base, stack, customerName);
    if (opts.video === false) return { link, agentLink, stack, base, customer, agent, widget, pane, log, close };
    await pane().getByRole('button', { name: 'More' }).click();
    await pane().getByRole('menuitem', { name: 'Video chat: two-way' }).click();
    await widget().getByRole('button', { name: 'Accept video' }).click();
    await pane().locator('video.remote').waitFor({ state: 'visible', timeout: 20000 });
    await widget().locator('video.remote').waitFor({ state: 'visible', timeout: 20000 });
    return { link, agentLink, stack, base, customer, agent, widget, pane, log, close };
  } catch (e) {
    await close();
    throw e;
  }
}
