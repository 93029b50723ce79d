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

/** Starts Janus + broker, proxies /api to the broker, answers server commands. */
function realStackPlugin() {
  return {
    name: 'vc-real-stack',
    async serverStart() {
      stack = await startStack();
    },
    async serverStop() {
      await stack?.stop();
    },
    async executeCommand({ command, payload }) {
      if (command === 'vc-env') return stack.env;
      if (command === 'vc-drop-gateway') return { dropped: stack.proxy.drop(payload?.holdMs ?? 0) };
      if (command === 'vc-janus-handles') return countJanusHandles(stack.janus.adminUrl, stack.janus.adminSecret);
      return undefined;
    },
  };
}

/**
 * webrtc-adapter's ESM source imports the CommonJS `sdp` package. The dev
 * server serves files as they are, so give that one file an ESM face
 * (rollup's commonjs plugin does the same for the real build).
 */
function sdpAsEsm() {
  return {
    name: 'vc-sdp-esm',
    transform(context) {
      if (!context.path.endsWith('/node_modules/sdp/sdp.js')) return undefined;
      return { body: `const module = { exports: {} };\n${context.body}\nexport default module.exports;\n` };
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
    sdpAsEsm(),
    realStackPlugin(),
  ],
  browsers: [chromeLauncher({ launchOptions: { executablePath: findChromium(), args: chromiumFlags } })],
};
