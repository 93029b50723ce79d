// The widget as a webmaster fits it (issue 12, acceptance 3), on plain pages
// the test writes (served by the broker with its real headers, CSP included,
// from a throwaway static root whose dist/ is this build's): the page API
// window.VideoChat before and after the loader has finished, the data-
// attributes, a page that writes <customer-chat> itself and also adds the
// loader, and a browser whose storage throws. Real broker, Janus and Chromium.
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { startStack, type Stack } from '../helpers/stack.mjs';

const IDENTITY_SECRET = randomBytes(32).toString('base64url');

/** A signed visitor identity as the site's server makes it (README "Visitor identity"). */
function signedIdentity(userId: string, name: string): string {
  const body = Buffer.from(JSON.stringify({ userId, name, exp: Math.floor(Date.now() / 1000) + 300 })).toString('base64url');
  return `${body}.${createHmac('sha256', IDENTITY_SECRET).update(body).digest('base64url')}`;
}

/** A plain page of a site: its own header navigation and main, its script (the page's CSP allows no inline script), the loader as the README shows it. */
function plainPage({ script = '', widget = '', loader = 'data-broker="/"' }: { script?: string; widget?: string; loader?: string }, name: string): { html: string; js: string } {
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Plain shop</title></head>
<body>
  <header><nav><a href="#home">Home</a> <a href="#contact">Contact</a></nav></header>
  <main><h1>Plain shop</h1><p>Nothing but the widget.</p></main>
  ${widget}
  <script src="${name}.js"></script>
  <script src="/dist/cdn/loader.js" ${loader} async></script>
</body>
</html>`;
  return { html, js: `window.log = [];\n${script}` };
}

describe('the widget on a plain page (page API, data- attributes, pre-written element, blocked storage)', { timeout: 4 * 60_000 }, () => {
  let stack: Stack;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const root = mkdtempSync(join(tmpdir(), 'vc-plain-'));
  mkdirSync(join(root, 'demo', 'plain'), { recursive: true });
  symlinkSync(join(process.cwd(), 'dist'), join(root, 'dist'));

  before(async () => {
    stack = await startStack({ staticRoot: root, broker: { identitySecret: IDENTITY_SECRET } });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const base = () => stack.broker.url.replace(/\/$/, '');

  /** A fresh visitor on the page, served at /demo/plain/<name>.html; `holdWidget`: widget.js waits until the returned release() is called. */
  async function visit(name: string, page_: { html: string; js: string }, opts: { holdWidget?: boolean; init?: () => void } = {}): Promise<{ page: Page; release: () => void }> {
    writeFileSync(join(root, 'demo', 'plain', `${name}.html`), page_.html);
    writeFileSync(join(root, 'demo', 'plain', `${name}.js`), page_.js);
    const ctx = await browser.newContext();
    contexts.push(ctx);
    const page = await ctx.newPage();
    page.on('pageerror', (e) => pageErrors.push(`${name}: ${e.message}`));
    page.on('console', (m) => {
      // The browser's own favicon request is no error of the widget's.
      if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) pageErrors.push(`${name}: console: ${m.text()} (${m.location().url})`);
    });
    if (opts.init) await page.addInitScript(opts.init);
    let release = () => {};
    if (opts.holdWidget) {
      const held = new Promise<void>((r) => (release = r));
      await page.route(`${base()}/dist/cdn/widget.js`, async (route: Route) => {
        await held;
        await route.continue();
      });
    }
    await page.goto(`${base()}/demo/plain/${name}.html`);
    return { page, release };
  }

  const dialog = (page: Page) => page.locator('customer-chat').getByRole('dialog');
  const launcher = (page: Page) => page.locator('customer-chat').locator('.launcher');
  const isOpen = (page: Page) => page.locator('customer-chat').evaluate((el) => (el as HTMLElement & { open: boolean }).open);

  it('every call works before the loader has finished (queued, in order) and after it; data- attributes set the widget up', async () => {
    const { page, release } = await visit(
      'api',
      plainPage({
        // Before loader.js runs at all: the array queue of the README.
        script: `
          window.VideoChat = window.VideoChat || [];
          window.onToggle = (d) => log.push('toggle:' + d.open);
          VideoChat.push(['on', 'vc-panel-toggle', onToggle]);
          VideoChat.push(['identify', { name: 'Kim Lee' }]);
          VideoChat.push(['open']);
        `,
        loader: 'data-broker="/" data-color="rgb(0, 110, 60)" data-position="left" data-label="Ask Homeware" data-greeting="Hello from the plain shop!" data-locale="en"',
      }, 'api'),
      { holdWidget: true },
    );
    // loader.js ran (the API object is there) but the widget bundle is held back: calls wait.
    await page.waitForFunction(() => typeof window.VideoChat === 'object' && !Array.isArray(window.VideoChat));
    const pending = await page.evaluate(() => {
      const api = window.VideoChat as import('../../src/page-api.js').VideoChatApi;
      api.toggle(); // open (queued before) then toggle: closed
      api.open(); // and open again
      api.close(); // and closed
      api.toggle(); // open: what the visitor sees once the widget is there
      api.ready((el) => (window as unknown as { log: string[] }).log.push(`ready:${el.localName}:${el.isConnected}`));
      return { ready: api.isReady, elements: document.querySelectorAll('customer-chat').length };
    });
    assert.deepEqual(pending, { ready: false, elements: 0 }, 'nothing mounted while widget.js is held back');
    release();
    await page.waitForFunction(() => (window as unknown as { log: string[] }).log.some((l) => l.startsWith('ready:')));
    assert.equal(await page.locator('customer-chat').count(), 1);
    await dialog(page).waitFor({ state: 'visible' });
    assert.equal(await isOpen(page), true, 'open, close, toggle queued ran in order: open');
    assert.deepEqual(await page.evaluate(() => (window as unknown as { log: string[] }).log), ['ready:customer-chat:true'], 'ready ran once, on the mounted element');
    // identify({name}) queued before the loader filled the form; the data- attributes took effect.
    const w = page.locator('customer-chat');
    assert.equal(await w.getByLabel('Your name').inputValue(), 'Kim Lee');
    await w.getByText('Hello from the plain shop!', { exact: true }).waitFor();
    assert.equal(await w.getByRole('dialog', { name: 'Ask Homeware' }).count(), 1);
    assert.equal(await launcher(page).evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(0, 110, 60)');
    const box = (await launcher(page).boundingBox())!;
    const width = page.viewportSize()!.width;
    assert.ok(box.x + box.width / 2 < width / 2, `launcher on the left (x ${box.x} of ${width})`);

    // After the loader finished: each call acts at once; on() (queued at the start) hears every change, off() stops it.
    const log = () => page.evaluate(() => (window as unknown as { log: string[] }).log.filter((l) => l.startsWith('toggle:')));
    await page.evaluate(() => (window.VideoChat as import('../../src/page-api.js').VideoChatApi).close());
    await dialog(page).waitFor({ state: 'hidden' });
    await page.evaluate(() => (window.VideoChat as import('../../src/page-api.js').VideoChatApi).toggle());
    await dialog(page).waitFor({ state: 'visible' });
    await page.evaluate(() => (window.VideoChat as import('../../src/page-api.js').VideoChatApi).toggle());
    await dialog(page).waitFor({ state: 'hidden' });
    await page.evaluate(() => (window.VideoChat as import('../../src/page-api.js').VideoChatApi).open());
    await dialog(page).waitFor({ state: 'visible' });
    await page.waitForFunction(() => (window as unknown as { log: string[] }).log.filter((l) => l.startsWith('toggle:')).length >= 4);
    assert.deepEqual(await log(), ['toggle:false', 'toggle:true', 'toggle:false', 'toggle:true']);
    await page.evaluate(() => {
      const api = window.VideoChat as import('../../src/page-api.js').VideoChatApi;
      api.off('vc-panel-toggle', (window as unknown as { onToggle: () => void }).onToggle);
      api.close();
    });
    await dialog(page).waitFor({ state: 'hidden' });
    await page.waitForTimeout(200);
    assert.equal((await log()).length, 4, 'off() removed the listener');
    // ready() after the widget is there: at once.
    assert.equal(await page.evaluate(() => new Promise<string>((r) => (window.VideoChat as import('../../src/page-api.js').VideoChatApi).ready((el) => r(el.localName)))), 'customer-chat');

    // identify() with a signed identity: the chat starts as that user (the broker checks it and uses its name).
    const identity = signedIdentity('user-42', 'Kim Verified');
    await page.evaluate((id) => {
      const api = window.VideoChat as import('../../src/page-api.js').VideoChatApi;
      api.identify({ identity: id });
      api.open();
    }, identity);
    const started = page.waitForResponse((r) => r.url() === `${base()}/api/conversations` && r.request().method() === 'POST');
    await w.getByRole('button', { name: 'Start chat' }).click();
    const res = await started;
    assert.equal(res.status(), 201, await res.text());
    assert.equal(res.request().postDataJSON().identity, identity);
    const grant = (await res.json()) as { descriptor: { id: string; self: { display: string } } };
    assert.equal(grant.descriptor.self.display, 'Kim Verified');
    await w.getByRole('textbox', { name: 'Message' }).waitFor();
    const storedKey = `vc-conversation:${base()}/`;
    assert.ok(await page.evaluate((k) => sessionStorage.getItem(k), storedKey), 'the conversation is kept for reloads');

    // reset() on logout: the conversation ends for both sides and is forgotten here; the start form is back, empty.
    const closed = page.waitForResponse((r) => r.url() === `${base()}/api/conversations/${grant.descriptor.id}/close`);
    await page.evaluate(() => (window.VideoChat as import('../../src/page-api.js').VideoChatApi).reset());
    assert.equal((await closed).status(), 200);
    await w.getByRole('button', { name: 'Start chat' }).waitFor();
    assert.equal(await w.getByLabel('Your name').inputValue(), '');
    assert.equal(await page.evaluate((k) => sessionStorage.getItem(k), storedKey), null);
    assert.equal(await page.evaluate(() => (document.querySelector('customer-chat') as HTMLElement & { identity?: string }).identity), undefined);
    assert.deepEqual(pageErrors, []);
  });

  it('a page that writes <customer-chat> itself and also adds the loader gets one working widget (its own attributes win)', async () => {
    const { page } = await visit(
      'prewritten',
      plainPage({
        widget: '<customer-chat label="Own label"></customer-chat>',
        loader: 'data-broker="/" data-label="Loader label" data-greeting="Greeting from the loader"',
      }, 'prewritten'),
    );
    await page.waitForFunction(() => (window.VideoChat as { isReady?: boolean } | undefined)?.isReady === true);
    assert.equal(await page.locator('customer-chat').count(), 1, 'the loader mounted no second widget');
    assert.equal(await page.evaluate(() => customElements.get('customer-chat') !== undefined), true, 'the element is defined');
    const w = page.locator('customer-chat');
    assert.equal(await launcher(page).innerText(), 'Own label');
    await page.evaluate(() => (window.VideoChat as import('../../src/page-api.js').VideoChatApi).open());
    await w.getByText('Greeting from the loader', { exact: true }).waitFor();
    await w.getByLabel('Your name').fill('Pia');
    await w.getByRole('button', { name: 'Start chat' }).click();
    const box = w.getByRole('textbox', { name: 'Message' });
    await box.fill('Hello from a page that wrote the element');
    await box.press('Enter');
    await w.locator('chat-transcript').getByText('Hello from a page that wrote the element', { exact: true }).waitFor();
    assert.deepEqual(pageErrors, []);
  });

  it('a browser whose storage throws still gets a working widget', async () => {
    const { page } = await visit('nostorage', plainPage({ script: 'window.VideoChat = [["open"]];' }, 'nostorage'), {
      init: () => {
        for (const name of ['sessionStorage', 'localStorage']) {
          Object.defineProperty(window, name, {
            configurable: true,
            get() {
              throw new DOMException('The operation is insecure.', 'SecurityError');
            },
          });
        }
      },
    });
    assert.equal(await page.evaluate(() => { try { void sessionStorage; return 'readable'; } catch { return 'throws'; } }), 'throws');
    const w = page.locator('customer-chat');
    await dialog(page).waitFor({ state: 'visible' });
    await w.getByRole('button', { name: 'Start chat' }).click();
    const box = w.getByRole('textbox', { name: 'Message' });
    await box.fill('No storage here');
    await box.press('Enter');
    await w.locator('chat-transcript').getByText('No storage here', { exact: true }).waitFor();
    assert.deepEqual(pageErrors, []);
  });
});
