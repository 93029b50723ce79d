// One small driving surface over two automation libraries, so the
// cross-browser flows read the same whichever engine plays which side:
// Chromium through playwright-core, Firefox through puppeteer-core (WebDriver
// BiDi). Elements are found in the page by the same finder (page-probes.ts),
// then clicked and typed into with each library's real input events.
import type { Page as PwPage, ElementHandle as PwHandle } from 'playwright-core';
import puppeteer, { type Browser as PpBrowser, type Page as PpPage, type ElementHandle as PpHandle } from 'puppeteer-core';
import { findFirefox } from '../../scripts/system-deps.mjs';
import { PROBES_SOURCE, type MediaCounters } from './page-probes.js';

/** What to find: role + accessible name, own text, or CSS, optionally inside one host element. */
export interface Query {
  within?: string;
  role?: string;
  name?: string | RegExp;
  text?: string | RegExp;
  css?: string;
  /** Default true: only rendered elements count. */
  visible?: boolean;
}

export interface Side {
  readonly engine: 'chromium' | 'firefox';
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  url(): string;
  /** Waits for the element, then clicks it like a user. */
  click(q: Query, timeoutMs?: number): Promise<void>;
  /** Clears the field and types `text`; `enter` presses Enter after it. */
  fill(q: Query, text: string, enter?: boolean): Promise<void>;
  waitFor(q: Query, timeoutMs?: number): Promise<void>;
  waitGone(q: Query, timeoutMs?: number): Promise<void>;
  count(q: Query): Promise<number>;
  stats(): Promise<MediaCounters>;
  /** Strings the page sent on data channels since it loaded. */
  sent(): Promise<string[]>;
}

/** The query as plain JSON for the page (RegExps as source and flags). */
type WireQuery = Omit<Query, 'name' | 'text'> & { name?: string | { re: string; flags: string }; text?: string | { re: string; flags: string } };
const wire = (q: Query): WireQuery => ({
  ...q,
  name: q.name instanceof RegExp ? { re: q.name.source, flags: q.name.flags } : q.name,
  text: q.text instanceof RegExp ? { re: q.text.source, flags: q.text.flags } : q.text,
});
const describe = (q: Query) => JSON.stringify({ ...q, name: String(q.name ?? ''), text: String(q.text ?? '') });
interface PageVc {
  __vc?: { find(q: WireQuery): Element[]; sent: string[]; stats(): Promise<MediaCounters> };
}
// Functions, not source strings: a page's CSP (script-src 'self') forbids string evaluation.
const first = (q: WireQuery) => (window as unknown as PageVc).__vc?.find(q)[0] ?? null;
const count = (q: WireQuery) => (window as unknown as PageVc).__vc?.find(q).length ?? 0;
const gone = (q: WireQuery) => !!(window as unknown as PageVc).__vc && (window as unknown as PageVc).__vc!.find(q).length === 0;
const stats = () => (window as unknown as PageVc).__vc!.stats();
const sent = () => (window as unknown as PageVc).__vc?.sent.slice() ?? [];

function timeoutError(what: string, q: Query, e: unknown): Error {
  return new Error(`${what} ${describe(q)}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
}

export async function playwrightSide(page: PwPage): Promise<Side> {
  await page.context().addInitScript({ content: PROBES_SOURCE });
  const find = async (q: Query, timeout: number): Promise<PwHandle<Element>> => {
    try {
      const h = await page.waitForFunction(first, wire(q), { timeout, polling: 100 });
      return h.asElement() as PwHandle<Element>;
    } catch (e) {
      throw timeoutError('not found', q, e);
    }
  };
  return {
    engine: 'chromium',
    goto: async (url) => { await page.goto(url); },
    reload: async () => { await page.reload(); },
    url: () => page.url(),
    click: async (q, t = 10000) => { await (await find(q, t)).click(); },
    fill: async (q, text, enter) => {
      const h = await find(q, 10000);
      await h.fill(text);
      if (enter) await h.press('Enter');
    },
    waitFor: async (q, t = 10000) => { await find(q, t); },
    waitGone: async (q, t = 10000) => {
      try {
        await page.waitForFunction(gone, wire(q), { timeout: t, polling: 100 });
      } catch (e) {
        throw timeoutError('still there', q, e);
      }
    },
    count: (q) => page.evaluate(count, wire(q)),
    stats: () => page.evaluate(stats),
    sent: () => page.evaluate(sent),
  };
}

/** Firefox ESR (Debian) with fake camera and microphone, no permission prompts. */
export function launchFirefox(): Promise<PpBrowser> {
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: findFirefox() ?? '/usr/bin/firefox-esr',
    headless: true,
    extraPrefsFirefox: {
      'media.navigator.streams.fake': true,
      'media.navigator.permission.disabled': true,
      'media.autoplay.default': 0,
      'media.autoplay.blocking_policy': 0,
      // Janus listens on loopback only.
      'media.peerconnection.ice.loopback': true,
      'media.peerconnection.ice.obfuscate_host_addresses': false,
    },
  });
}

export async function puppeteerSide(page: PpPage): Promise<Side> {
  await page.evaluateOnNewDocument(PROBES_SOURCE);
  const find = async (q: Query, timeout: number): Promise<PpHandle<Element>> => {
    try {
      const h = await page.waitForFunction(first, { timeout, polling: 100 }, wire(q));
      return h as unknown as PpHandle<Element>;
    } catch (e) {
      throw timeoutError('not found', q, e);
    }
  };
  return {
    engine: 'firefox',
    goto: async (url) => { await page.goto(url); },
    reload: async () => { await page.reload(); },
    url: () => page.url(),
    click: async (q, t = 10000) => {
      const h = await find(q, t);
      await h.scrollIntoView();
      await h.click();
    },
    fill: async (q, text, enter) => {
      const h = await find(q, 10000);
      await h.evaluate((el) => { (el as HTMLInputElement).value = ''; (el as HTMLElement).focus(); });
      await h.type(text);
      if (enter) await h.press('Enter');
    },
    waitFor: async (q, t = 10000) => { await find(q, t); },
    waitGone: async (q, t = 10000) => {
      try {
        await page.waitForFunction(gone, { timeout: t, polling: 100 }, wire(q));
      } catch (e) {
        throw timeoutError('still there', q, e);
      }
    },
    count: (q) => page.evaluate(count, wire(q)),
    stats: () => page.evaluate(stats),
    sent: () => page.evaluate(sent),
  };
}
