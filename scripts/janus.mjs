#!/usr/bin/env node
// Starts the Debian Janus with the project's janus/ config on free loopback
// ports, waits until it answers, and stops it cleanly. Used by npm start, the
// test runner and the e2e tests. Secrets are generated per run.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const here = dirname(fileURLToPath(import.meta.url));
const CONFIG_SRC = join(here, '..', 'janus');

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function libDir() {
  for (const d of ['/usr/lib/x86_64-linux-gnu/janus', '/usr/lib/aarch64-linux-gnu/janus', '/usr/lib/janus', '/opt/janus/lib/janus']) {
    if (existsSync(join(d, 'plugins'))) return d;
  }
  throw new Error('Janus plugins folder not found; install Janus with: sudo apt-get install -y janus');
}

/** Waits for Janus's WebSocket API to answer an "info" request. */
async function waitForJanus(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let lastErr;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`janus exited with code ${child.exitCode} before answering`);
    try {
      await new Promise((resolve, reject) => {
        const ws = new WebSocket(url, 'janus-protocol');
        const t = setTimeout(() => { ws.close(); reject(new Error('timeout')); }, 1000);
        ws.onopen = () => ws.send(JSON.stringify({ janus: 'info', transaction: 'ready' }));
        ws.onmessage = (ev) => {
          clearTimeout(t);
          ws.close();
          if (JSON.parse(String(ev.data)).janus === 'server_info') resolve();
          else reject(new Error('bad answer'));
        };
        ws.onerror = () => { clearTimeout(t); reject(new Error('connect failed')); };
      });
      return;
    } catch (e) {
      lastErr = e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`janus did not answer on ${url} within ${timeoutMs} ms (${lastErr?.message})`);
}

/**
 * @param {{ port?: number, adminPort?: number, debugLevel?: number, reclaimTimeoutS?: number, log?: (line: string) => void }} [opts]
 */
export async function startJanus(opts = {}) {
  const port = opts.port ?? (await freePort());
  const adminPort = opts.adminPort ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'vc-janus-'));
  const adminSecret = randomBytes(18).toString('base64url');
  const adminKey = randomBytes(18).toString('base64url');
  // Each run gets its own RTP port window so parallel runs don't fight.
  const rtpBase = 20000 + (port % 400) * 100;
  const vars = {
    CONFIG_DIR: dir,
    LIB_DIR: libDir(),
    DEBUG_LEVEL: String(opts.debugLevel ?? Number(process.env.JANUS_DEBUG_LEVEL ?? 3)),
    ADMIN_SECRET: adminSecret,
    ADMIN_KEY: adminKey,
    WS_PORT: String(port),
    ADMIN_WS_PORT: String(adminPort),
    BIND_IP: process.env.JANUS_BIND_IP ?? '127.0.0.1',
    // Interfaces or address prefixes Janus gathers ICE candidates on; empty: every IPv4 one
    // (Janus 1.1 cannot use loopback, see janus/janus.jcfg, nat).
    ICE_ENFORCE: process.env.JANUS_ICE_ENFORCE ?? '',
    RECLAIM_TIMEOUT: String(opts.reclaimTimeoutS ?? 20),
    RTP_PORT_RANGE: `${rtpBase}-${rtpBase + 99}`,
  };
  for (const f of readdirSync(CONFIG_SRC)) {
    if (!f.endsWith('.jcfg')) continue;
    const text = readFileSync(join(CONFIG_SRC, f), 'utf8').replace(/@([A-Z_]+)@/g, (m, k) => vars[k] ?? m);
    writeFileSync(join(dir, f), text, { mode: 0o600 });
  }
  // The shell wrapper ties Janus's life to our stdin pipe: if this Node process
  // dies for any reason (even SIGKILL), the pipe closes and Janus is stopped,
  // so no orphan keeps a port busy.
  const janusArgs = ['-F', dir, '-C', join(dir, 'janus.jcfg')];
  const wrapper = 'exec 3<&0; janus "$@" </dev/null & j=$!; (cat <&3 >/dev/null; kill -TERM $j 2>/dev/null) & w=$!; wait $j; s=$?; kill $w 2>/dev/null; exit $s';
  const child = spawn('sh', ['-c', wrapper, 'sh', ...janusArgs], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const log = opts.log ?? (() => {});
  let tail = [];
  const onData = (buf) => {
    for (const line of String(buf).split('\n')) {
      if (!line) continue;
      tail.push(line);
      if (tail.length > 200) tail = tail.slice(-100);
      log(line);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const url = `ws://127.0.0.1:${port}`;
  try {
    await waitForJanus(url, child, 15000);
  } catch (e) {
    child.stdin.end();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${e.message}\n--- janus log ---\n${tail.slice(-30).join('\n')}`, { cause: e });
  }
  let stopped;
  const stop = () => {
    stopped ??= new Promise((resolve) => {
      const done = () => { rmSync(dir, { recursive: true, force: true }); resolve(); };
      if (child.exitCode !== null) return done();
      child.once('exit', done);
      child.stdin.end();
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
    return stopped;
  };
  return { url, adminUrl: `ws://127.0.0.1:${adminPort}`, port, adminPort, adminSecret, adminKey, process: child, stop, logTail: () => tail.slice() };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = process.argv[2] ? Number(process.argv[2]) : undefined;
  const j = await startJanus({ port, log: (l) => console.log(`[janus] ${l}`) });
  console.log(`Janus ready: ${j.url} (admin ${j.adminUrl})`);
  const quit = async () => { await j.stop(); process.exit(0); };
  process.on('SIGINT', quit);
  process.on('SIGTERM', quit);
}
