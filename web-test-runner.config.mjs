// Unit tests (fakes) and integration tests (real Janus + broker) in Debian's
// Chromium with fake camera and microphone. The stack is started once for the
// whole run and stopped when the runner stops, even on failure.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { findChromium } from './scripts/system-deps.mjs';
import { chromiumFlags } from './test/helpers/chromium-flags.mjs';
import { freePort } from './scripts/janus.mjs';
import { startStack } from './test/helpers/stack.mjs';
import { countJanusHandles } from './test/helpers/janus-admin.mjs';


let stack;
let stopping = false;
const cdpSessions = new WeakMap();

/** Starts Janus + broker, proxies /api to the broker, answers server commands. */
function realStackPlugin() {
  return {
    name: 'vc-real-stack',
    async serverStart() {
      stack = await startStack();
      stack.janus.process.once('exit', (code, signal) => {
        if (stopping) return;
        // A gateway that dies mid-run must fail the run, whatever the tests saw
        // (web-test-runner calls process.exit(0 | 1); an 'exit' listener has the last word).
        process.on('exit', () => { process.exitCode = 1; });
        console.error(`\nJanus exited during the tests (code ${code}, signal ${signal}). Last log lines:\n${stack.janus.logTail().slice(-40).join('\n')}\n`);
      });
    },
    async serverStop() {
      stopping = true;
      // web-test-runner exits with the tests' verdict only once this resolves;
      // a stop that never settles would let Node end the process with code 0.
      const timeout = new Promise((resolve) => setTimeout(() => {
        console.error('Stopping the test stack took over 20 s; giving up on a clean stop.');
        resolve();
      }, 20000).unref());
      await Promise.race([stack?.stop(), timeout]);
    },
    async executeCommand({ command, payload, session }) {
      if (command === 'vc-env') return stack.env;
      // Media features @web/test-runner-commands' emulateMedia cannot set (forced-colors), through CDP.
      if (command === 'vc-emulate-media') {
        const page = session.browser.getPage(session.id);
        // The emulation lasts as long as the CDP session: keep one per page.
        let cdp = cdpSessions.get(page);
        if (!cdp) cdpSessions.set(page, (cdp = await page.createCDPSession()));
        await cdp.send('Emulation.setEmulatedMedia', { features: Object.entries(payload ?? {}).map(([name, value]) => ({ name, value: String(value) })) });
        return true;
      }
      // A real screenshot of the test page (PNG, base64), optionally clipped to { x, y, width, height }.
      if (command === 'vc-screenshot') {
        const page = session.browser.getPage(session.id);
        return page.screenshot({ encoding: 'base64', type: 'png', ...(payload?.clip ? { clip: payload.clip } : {}) });
      }
      if (command === 'vc-drop-gateway') return { dropped: stack.proxy.drop(payload?.holdMs ?? 0) };
      if (command === 'vc-janus-handles') return countJanusHandles(stack.janus.adminUrl, stack.janus.adminSecret);
      return undefined;
    },
  };
}

/** Same-origin /api for the test pages, forwarded to the broker. */
async function brokerProxy(ctx, next) {
  if (!ctx.path.startsWith('/api/')) return next();
  const chunks = [];
  for await (const c of ctx.req) chunks.push(c);
  const res = await fetch(new URL(ctx.url, stack.broker.url), {
    method: ctx.method,
    headers: Object.fromEntries(Object.entries(ctx.headers).filter(([k]) => ['content-type', 'authorization'].includes(k))),
    body: chunks.length ? Buffer.concat(chunks) : undefined,
  });
  ctx.status = res.status;
  ctx.set('content-type', res.headers.get('content-type') ?? 'application/json');
  ctx.body = Buffer.from(await res.arrayBuffer());
}

const groups = process.env.VC_TEST_GROUP ? [process.env.VC_TEST_GROUP] : undefined;

export default {
  rootDir: '.',
  port: await freePort(),
  nodeResolve: { exportConditions: ['browser', 'development'] },
  files: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
  groups: groups?.map((g) => ({ name: g, files: `test/${g}/**/*.test.ts` })),
  concurrency: 1,
  concurrentBrowsers: 1,
  testsFinishTimeout: 10 * 60 * 1000,
  testFramework: { config: { timeout: 60000 } },
  middleware: [brokerProxy],
  plugins: [
    esbuildPlugin({ ts: true, tsconfig: './tsconfig.base.json', target: 'es2022' }),
    realStackPlugin(),
  ],
  browsers: [chromeLauncher({ launchOptions: { executablePath: findChromium(), args: chromiumFlags } })],
};
