// A minimal W3C WebDriver client over fetch, enough to drive WebKitGTK's
// MiniBrowser through WebKitWebDriver (Debian package webkit2gtk-driver):
// a session, navigation, scripts, element clicks and keys. It needs a display
// (run under xvfb-run). Elements are found with the e2e finder (page-probes.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { FINDER_SOURCE } from '../e2e/page-probes.js';
import type { Query } from '../e2e/sides.js';
import { freePort } from '../../scripts/janus.mjs';

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';
type ElementRef = Record<typeof ELEMENT, string>;

export class WebDriverError extends Error {}

export interface WebKitSession {
  /** Capabilities as the driver reported them (browserName, browserVersion…). */
  capabilities: Record<string, unknown>;
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  url(): Promise<string>;
  /** Runs `body` as a function body in the page (W3C execute/sync), with `args`. */
  script<T>(body: string, ...args: unknown[]): Promise<T>;
  click(q: Query, timeoutMs?: number): Promise<void>;
  fill(q: Query, text: string, enter?: boolean): Promise<void>;
  waitFor(q: Query, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const wire = (q: Query) => ({
  ...q,
  name: q.name instanceof RegExp ? { re: q.name.source, flags: q.name.flags } : q.name,
  text: q.text instanceof RegExp ? { re: q.text.source, flags: q.text.flags } : q.text,
});

/** Starts WebKitWebDriver on a free port and opens a MiniBrowser session. */
export async function startWebKit(browserArgs: string[] = []): Promise<WebKitSession> {
  const port = await freePort();
  const driver: ChildProcess = spawn(process.env.WEBKIT_WEBDRIVER ?? 'WebKitWebDriver', [`--port=${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr: string[] = [];
  driver.stderr!.on('data', (b: Buffer) => stderr.push(String(b)));
  const spawned = new Promise<void>((resolve, reject) => {
    driver.once('error', reject);
    driver.once('spawn', () => resolve());
  });
  await spawned;
  const root = `http://127.0.0.1:${port}`;
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(root + path, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = (await res.json()) as { value: T & { error?: string; message?: string } };
    if (!res.ok) throw new WebDriverError(`${method} ${path}: ${json.value.error}: ${json.value.message}`);
    return json.value;
  }
  let created: { sessionId: string; capabilities: Record<string, unknown> } | undefined;
  for (let i = 0; i < 50 && !created; i++) {
    try {
      created = await call('POST', '/session', { capabilities: { alwaysMatch: { 'webkitgtk:browserOptions': { args: ['--automation', ...browserArgs] } } } });
    } catch (e) {
      if (e instanceof WebDriverError) {
        driver.kill();
        throw new WebDriverError(`${e.message}\n${stderr.join('')}`);
      }
      await new Promise((r) => setTimeout(r, 100)); // not listening yet
    }
  }
  if (!created) {
    driver.kill();
    throw new WebDriverError(`WebKitWebDriver did not answer on port ${port}: ${stderr.join('')}`);
  }
  const s = `/session/${created.sessionId}`;
  const script = <T>(body: string, ...args: unknown[]) => call<T>('POST', `${s}/execute/sync`, { script: body, args });
  const findOnce = (q: Query) => script<ElementRef | null>(`${FINDER_SOURCE}\nreturn vcQuery(arguments[0])[0] || null;`, wire(q));
  async function find(q: Query, timeoutMs = 10000): Promise<string> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const el = await findOnce(q).catch(() => null); // a navigation in between
      if (el) return el[ELEMENT];
      if (Date.now() > until) throw new WebDriverError(`not found in WebKit: ${JSON.stringify(wire(q))}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    capabilities: created.capabilities,
    goto: async (url) => { await call('POST', `${s}/url`, { url }); },
    reload: async () => { await call('POST', `${s}/refresh`, {}); },
    url: () => call<string>('GET', `${s}/url`),
    script,
    click: async (q, t) => { await call('POST', `${s}/element/${await find(q, t)}/click`, {}); },
    fill: async (q, text, enter) => {
      const id = await find(q);
      await call('POST', `${s}/element/${id}/clear`, {});
      await call('POST', `${s}/element/${id}/value`, { text: enter ? `${text}\uE007` : text });
    },
    waitFor: async (q, t) => { await find(q, t); },
    close: async () => {
      await call('DELETE', s).catch(() => {});
      driver.kill();
    },
  };
}
