// A walk through the product's states with two real browsers (agent console and
// demo shop), shared by the whole-page axe test (a11y.e2e.test.ts) and the README
// screenshots (scripts/screenshots.ts): both step through the same states and,
// in each, look at it in every variant (light, dark, Arabic) without
// restarting the conversation.
import type { Browser, Page } from 'playwright-core';
import type { Stack } from '../helpers/stack.mjs';
import { customerStartsChat } from './flows.js';

export const CONSOLE_VIEWPORT = { width: 1280, height: 800 };
export const SHOP_VIEWPORT = { width: 1100, height: 760 };

export interface Tour {
  base: string;
  stack: Stack;
  agent: Page;
  customer: Page;
  /** The customer the tour talks to. */
  name: string;
  /** The other customers' pages: claimed by the agent, or waiting in the queue. */
  others: Page[];
}

/** How a state is looked at: colour scheme and locale, switched on the open pages. */
export interface Variant {
  name: 'light' | 'dark' | 'ar';
  colorScheme: 'light' | 'dark';
  locale?: string;
}

export const VARIANTS: readonly Variant[] = [
  { name: 'light', colorScheme: 'light' },
  { name: 'dark', colorScheme: 'dark' },
  { name: 'ar', colorScheme: 'light', locale: 'ar' },
];

/**
 * Switches both pages to a variant: the colour scheme the browser reports, and
 * the `locale` attribute of the widget and the console (as a webmaster or a CRM
 * would set it), without reloading.
 */
export async function applyVariant(tour: Tour, v: Variant): Promise<void> {
  // An English text each element shows, gone once its Arabic catalogue is in.
  const marks = [[tour.agent, 'agent-console', 'My conversations'], [tour.customer, 'customer-chat', 'Chat with us']] as const;
  for (const [page, tag, english] of marks) {
    // Reduced motion: the elements drop their colour transitions, so axe and the screenshots see final colours.
    await page.emulateMedia({ colorScheme: v.colorScheme, reducedMotion: 'reduce' });
    await page.locator(tag).evaluate((el, locale) => {
      if (locale) el.setAttribute('locale', locale);
      else el.removeAttribute('locale');
    }, v.locale ?? null);
    await page.waitForFunction(
      ([tag, english, translated]) => {
        const text = document.querySelector(tag)?.shadowRoot?.textContent ?? '';
        return text.includes(english) !== translated;
      },
      [tag, english, !!v.locale] as const,
      { timeout: 10_000 },
    );
    // Inner elements re-render.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  }
}

export async function signIn(agent: Page, base: string, stack: Stack): Promise<void> {
  await agent.goto(`${base}/demo/agent/`);
  await agent.getByLabel('Username').fill(stack.env.agent.username);
  await agent.getByLabel('Password').fill(stack.env.agent.password);
  await agent.getByRole('button', { name: 'Sign in' }).click();
  await agent.getByText('Signed in as Ann', { exact: true }).waitFor();
}

const pane = (t: Tour) => t.agent.locator('video-chat-pane:visible');
const widget = (t: Tour) => t.customer.locator('customer-chat');

async function say(page: Page, text: string): Promise<void> {
  const box = page.locator('customer-chat').getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
}

/**
 * Opens the tour: `others` customers first (claimed, one message each), then
 * the tour's customer, claimed last so its conversation is in front, then the
 * `waiting` customers (left in the queue); a few messages both ways.
 */
export async function openTour(
  browser: Browser,
  stack: Stack,
  opts: { name?: string; others?: string[]; waiting?: string[]; onPage?: (p: Page) => void } = {},
): Promise<Tour> {
  const base = stack.broker.url.replace(/\/$/, '');
  const name = opts.name ?? 'Maya';
  const newPage = async (viewport: { width: number; height: number }) => {
    const page = await (await browser.newContext({ viewport })).newPage();
    opts.onPage?.(page);
    return page;
  };
  const agent = await newPage(CONSOLE_VIEWPORT);
  await signIn(agent, base, stack);
  const others: Page[] = [];
  for (const other of opts.others ?? []) {
    const page = await newPage(SHOP_VIEWPORT);
    await customerStartsChat(page, base, other);
    await agent.getByRole('button', { name: `Claim conversation with ${other}` }).click();
    await page.locator('customer-chat').getByText(/Chatting with Ann/).waitFor({ timeout: 20_000 });
    await say(page, `Hello, this is ${other}.`);
    others.push(page);
  }
  const customer = await newPage(SHOP_VIEWPORT);
  await customerStartsChat(customer, base, name);
  await agent.getByRole('button', { name: `Claim conversation with ${name}` }).click();
  await customer.locator('customer-chat').getByText(/Chatting with Ann/).waitFor({ timeout: 20_000 });
  // Customers still in the queue, not claimed.
  for (const waiting of opts.waiting ?? []) {
    const page = await newPage(SHOP_VIEWPORT);
    await customerStartsChat(page, base, waiting);
    await agent.getByRole('button', { name: `Claim conversation with ${waiting}` }).waitFor({ timeout: 20_000 });
    others.push(page);
  }
  const tour: Tour = { base, stack, agent, customer, name, others };
  await pane(tour).getByText('Online').waitFor({ timeout: 15_000 });
  await say(customer, 'Hi! Does the blue mug fit in a dishwasher?');
  await pane(tour).getByText('Hi! Does the blue mug fit in a dishwasher?', { exact: true }).waitFor();
  const reply = pane(tour).getByRole('textbox', { name: 'Message' });
  await reply.fill('Yes, it is dishwasher safe. Shall I show you on a call?');
  await reply.press('Enter');
  await widget(tour).getByText('Yes, it is dishwasher safe. Shall I show you on a call?', { exact: true }).waitFor();
  return tour;
}

/** One state both sides are in, and how to get there from the state before it in the list. */
export interface TourStep {
  state: string;
  enter(t: Tour): Promise<void>;
}

async function more(t: Tour, item: string | RegExp): Promise<void> {
  await pane(t).getByRole('button', { name: 'More' }).click();
  await pane(t).getByRole('menuitem', { name: item }).click();
  await pane(t).locator('[role="menu"]').waitFor({ state: 'hidden' });
}

/** Waits until a <video> matching `selector` (anywhere, through shadow roots) paints frames. */
async function playing(page: Page, selector: string): Promise<void> {
  // A string, evaluated (the demo pages' CSP forbids eval in waitForFunction); a function
  // would carry the test compiler's helpers into the page.
  const frames = `(() => {
    const find = (root) => {
      const v = root.querySelector(${JSON.stringify(selector)});
      if (v) return v;
      for (const el of root.querySelectorAll('*')) {
        const found = el.shadowRoot && find(el.shadowRoot);
        if (found) return found;
      }
      return null;
    };
    const v = find(document);
    return v ? v.getVideoPlaybackQuality().totalVideoFrames : 0;
  })()`;
  const deadline = Date.now() + 20_000;
  while ((await page.evaluate<number>(frames)) <= 10) {
    if (Date.now() > deadline) throw new Error(`${selector} paints no frames`);
    await page.waitForTimeout(100);
  }
}

/**
 * The states, in the order the tour walks them. The offline form (nobody
 * available: the visitor leaves a message and an email) is a state of its own
 * that starts without an agent; it is added by the offline-form work
 * (issue12-widget) as a step list of its own, see OFFLINE_STEPS.
 */
export const STEPS: readonly TourStep[] = [
  {
    state: 'chat',
    async enter() {
      // openTour leaves both sides chatting.
    },
  },
  {
    state: 'video-invitation',
    async enter(t) {
      await more(t, 'Video chat: two-way');
      await widget(t).getByRole('button', { name: 'Accept video' }).waitFor({ timeout: 10_000 });
    },
  },
  {
    state: 'video',
    async enter(t) {
      await widget(t).getByRole('button', { name: 'Accept video' }).click();
      await pane(t).locator('video.remote').waitFor({ state: 'visible', timeout: 20_000 });
      await widget(t).locator('video.remote').waitFor({ state: 'visible', timeout: 20_000 });
      await playing(t.agent, 'video.remote');
      await playing(t.customer, 'video.remote');
    },
  },
  {
    state: 'cobrowse-prompt',
    async enter(t) {
      await widget(t).getByRole('button', { name: 'End video' }).click();
      await pane(t).locator('video-frame').waitFor({ state: 'detached', timeout: 10_000 });
      await more(t, /Cobrowse/);
      await widget(t).getByRole('button', { name: 'Share this page' }).waitFor({ timeout: 10_000 });
    },
  },
  {
    state: 'cobrowse',
    async enter(t) {
      await widget(t).getByRole('button', { name: 'Share this page' }).click();
      const replay = pane(t).locator('cobrowse-view iframe').contentFrame();
      await replay.getByRole('heading', { name: 'Catalog' }).waitFor({ timeout: 15_000 });
      await t.customer.locator('cobrowse-banner').waitFor();
    },
  },
  {
    // The console's own states: the agent steps away (the switch reads Away) while the customer still shares.
    state: 'agent-away',
    async enter(t) {
      await t.agent.getByRole('switch', { name: 'Available for new chats' }).click();
      await t.agent.getByRole('switch', { name: 'Available for new chats' }).and(t.agent.locator('[aria-checked="false"]')).waitFor();
    },
  },
];

/**
 * The offline form's states. They follow agent-away (the stack must have
 * `offlineWithoutAgents`): nobody is available, so a new visitor on the shop
 * gets the message form at once instead of a chat; the visitor leaves a
 * message and the console, still signed in, lists it under Messages. The new
 * visitor becomes the tour's customer (the one checked and switched).
 */
export const OFFLINE_STEPS: readonly TourStep[] = [
  {
    state: 'offline-form',
    async enter(t) {
      const browser = t.customer.context().browser();
      if (!browser) throw new Error('the tour needs its browser');
      const page = await (await browser.newContext({ viewport: SHOP_VIEWPORT })).newPage();
      await page.goto(`${t.base}/demo/shop/`);
      await page.getByRole('button', { name: 'Chat with us' }).click();
      await page.locator('customer-chat').getByText('Nobody is available to chat right now.', { exact: true }).waitFor({ timeout: 15_000 });
      t.others.push(t.customer);
      t.customer = page;
    },
  },
  {
    state: 'offline-sent',
    async enter(t) {
      const form = widget(t).locator('form.offline');
      await form.getByLabel('Your name').fill('Kim');
      await form.getByLabel('Your email address').fill('kim@example.com');
      await form.getByLabel('Your message').fill('Do you ship the blue mug to Norway?');
      await form.getByRole('button', { name: 'Send message' }).click();
      await widget(t).getByText('Thank you! We have your message and will answer at kim@example.com.', { exact: true }).waitFor({ timeout: 15_000 });
      await t.agent.getByRole('region', { name: 'Messages (1)' }).getByText('Do you ship the blue mug to Norway?', { exact: true }).waitFor({ timeout: 15_000 });
    },
  },
];
