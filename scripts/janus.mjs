#!/usr/bin/env node
// Starts the Debian Janus with the project's janus/ config on free loopback
// ports, waits until it answers, and stops it cleanly. startJanus: one Janus
// (the test runner and the e2e tests); superviseJanus: one Janus kept running,
// restarted on the same ports with the same secrets when it dies (npm start).
// Secrets are generated per run; the temporary config folder that holds them
// is removed whenever a Janus exits.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { constants as osConstants, tmpdir } from 'node:os';
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

/** The same settings for every Janus a supervisor (re)starts: ports, secrets, RTP window. */
async function settingsFor(opts) {
  const port = opts.port ?? (await freePort());
  const adminPort = opts.adminPort ?? (await freePort());
  // Each run gets its own RTP port window so parallel runs don't fight.
  const rtpBase = 20000 + (port % 400) * 100;
  // The WebSocket API's address: loopback unless told (the impaired-network tests bind it to a veth address).
  const bindIp = opts.bindIp ?? process.env.JANUS_BIND_IP ?? '127.0.0.1';
  const wsHost = bindIp === '0.0.0.0' ? '127.0.0.1' : bindIp;
  return {
    port,
    adminPort,
    adminSecret: randomBytes(18).toString('base64url'),
    adminKey: randomBytes(18).toString('base64url'),
    url: `ws://${wsHost}:${port}`,
    adminUrl: `ws://127.0.0.1:${adminPort}`,
    vars: {
      LIB_DIR: libDir(),
      DEBUG_LEVEL: String(opts.debugLevel ?? Number(process.env.JANUS_DEBUG_LEVEL ?? 3)),
      WS_PORT: String(port),
      ADMIN_WS_PORT: String(adminPort),
      BIND_IP: bindIp,
      // Interfaces or address prefixes Janus gathers ICE candidates on; empty: every IPv4 one
      // (Janus 1.1 cannot use loopback, see janus/janus.jcfg, nat).
      ICE_ENFORCE: opts.iceEnforce ?? process.env.JANUS_ICE_ENFORCE ?? '',
      RECLAIM_TIMEOUT: String(opts.reclaimTimeoutS ?? 20),
      // One port per PeerConnection: 100 is plenty for the tests; the load bench asks for thousands.
      RTP_PORT_RANGE: opts.rtpPortRange ?? `${rtpBase}-${rtpBase + 99}`,
    },
  };
}

// The shell wrapper between Node and Janus ($1: the config folder, then Janus's arguments).
// - Janus's life is tied to our stdin pipe: if this Node process dies for any reason (even
//   SIGKILL), the pipe closes, the watcher sends Janus SIGTERM (SIGKILL 5 s later), so no
//   orphan keeps a port busy.
// - Once Janus has exited, however that happened, the wrapper removes the config folder
//   (it holds the admin secret), so not even a SIGKILLed Node leaves it behind.
// - Janus runs in its own session (setsid), so a Ctrl-C in the terminal reaches Node, not
//   Janus: Node decides when Janus stops (the broker still needs it to close its rooms), and
//   a supervisor does not mistake the Ctrl-C for a crash. The wrapper ignores INT and HUP
//   for the same reason, and passes a TERM on to Janus.
// - It prints Janus's pid on stderr (a marker line Node filters out of the log).
const WRAPPER = [
  'd=$1; shift',
  'exec 3<&0',
  'setsid janus "$@" </dev/null & j=$!',
  'echo "vc-janus-pid $j" >&2',
  "trap '' INT HUP",
  "trap 'kill -TERM $j 2>/dev/null' TERM",
  '(while read -r _; do :; done <&3; kill -TERM $j 2>/dev/null; n=0; while [ $n -lt 50 ] && kill -0 $j 2>/dev/null; do sleep 0.1; n=$((n+1)); done; kill -KILL $j 2>/dev/null) >/dev/null 2>&1 & w=$!',
  // A trapped TERM interrupts wait; keep waiting until Janus is really gone.
  'while :; do wait $j; s=$?; kill -0 $j 2>/dev/null || break; done',
  'kill $w 2>/dev/null',
  'rm -rf "$d"',
  'exit $s',
].join('\n');
const PID_MARKER = /^vc-janus-pid (\d+)$/;

/**
 * Writes a fresh config folder and spawns one Janus in it. Resolves nothing: the
 * caller waits for it to answer (waitForJanus) and for `exited`.
 */
function launch(settings, log) {
  const dir = mkdtempSync(join(tmpdir(), 'vc-janus-'));
  try {
    const vars = { ...settings.vars, CONFIG_DIR: dir, ADMIN_SECRET: settings.adminSecret, ADMIN_KEY: settings.adminKey };
    for (const f of readdirSync(CONFIG_SRC)) {
      if (!f.endsWith('.jcfg')) continue;
      const text = readFileSync(join(CONFIG_SRC, f), 'utf8').replace(/@([A-Z_]+)@/g, (m, k) => vars[k] ?? m);
      writeFileSync(join(dir, f), text, { mode: 0o600 });
    }
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const child = spawn('sh', ['-c', WRAPPER, 'sh', dir, '-F', dir, '-C', join(dir, 'janus.jcfg')], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const inst = { dir, child, pid: undefined, tail: [], startedAt: Date.now(), exited: undefined };
  const onLine = (line) => {
    const m = PID_MARKER.exec(line);
    if (m && inst.pid === undefined) {
      inst.pid = Number(m[1]);
      return;
    }
    inst.tail.push(line);
    if (inst.tail.length > 200) inst.tail = inst.tail.slice(-100);
    log(line);
  };
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.on('data', (buf) => {
      const lines = (partial + String(buf)).split('\n');
      partial = lines.pop();
      for (const line of lines) if (line) onLine(line);
    });
    stream.on('end', () => {
      if (partial) onLine(partial);
      partial = '';
    });
  }
  // Writing to the pipe of a wrapper that is gone must not throw in this process.
  child.stdin.on('error', () => {});
  inst.exited = new Promise((resolve) => {
    let done = false;
    const finish = (code, signal) => {
      if (done) return;
      done = true;
      // The wrapper removes the folder itself; this covers a wrapper that was killed.
      killLeftover(inst);
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, signal });
    };
    // 'close' comes once the output pipes are drained too (the last log lines); a pipe a
    // stray process still holds must not delay the exit report for long.
    child.once('exit', (code, signal) => setTimeout(() => finish(code, signal), 500).unref());
    child.once('close', finish);
    child.once('error', () => finish(null, null));
  });
  return inst;
}

/** Whether pid is still the Janus of this config folder (not a reused pid). */
function isJanusOf(pid, dir) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(dir);
  } catch {
    return false;
  }
}

/** A Janus whose wrapper was killed on its own would keep the ports: kill it. */
function killLeftover(inst) {
  if (inst.pid !== undefined && isJanusOf(inst.pid, inst.dir)) {
    try {
      process.kill(inst.pid, 'SIGKILL');
    } catch {
      // Gone in the meantime.
    }
  }
}

/** Stops one Janus: closes its lifeline (Janus gets SIGTERM), SIGKILL if it lingers. */
function terminate(inst, graceMs = 8000) {
  if (inst.child.exitCode === null && inst.child.signalCode === null) {
    inst.child.stdin.end();
    const t = setTimeout(() => {
      killLeftover(inst);
      inst.child.kill('SIGKILL');
    }, graceMs);
    t.unref();
    void inst.exited.then(() => clearTimeout(t));
  }
  return inst.exited.then(() => {});
}

/** Launches Janus and waits until it answers; on failure stops it and throws with its last log lines. */
async function startInstance(settings, log, timeoutMs, onLaunched = () => {}) {
  const inst = launch(settings, log);
  onLaunched(inst);
  try {
    await waitForJanus(settings.url, inst.child, timeoutMs);
  } catch (e) {
    await terminate(inst, 1000);
    throw new Error(`${e.message}\n--- janus log ---\n${inst.tail.slice(-30).join('\n')}`, { cause: e });
  }
  // The wrapper prints Janus's pid before Janus starts; its line has arrived by now,
  // unless stderr is slower than a WebSocket round trip.
  for (let i = 0; i < 20 && inst.pid === undefined; i++) await new Promise((r) => setTimeout(r, 50));
  inst.readyAt = Date.now();
  return inst;
}

/**
 * One Janus on free loopback ports (or the given ones) with fresh secrets; no restart.
 * @param {{ port?: number, adminPort?: number, debugLevel?: number, reclaimTimeoutS?: number, log?: (line: string) => void }} [opts]
 */
export async function startJanus(opts = {}) {
  const settings = await settingsFor(opts);
  const inst = await startInstance(settings, opts.log ?? (() => {}), 15000);
  let stopped;
  const stop = () => (stopped ??= terminate(inst));
  const { url, adminUrl, port, adminPort, adminSecret, adminKey } = settings;
  return { url, adminUrl, port, adminPort, adminSecret, adminKey, process: inst.child, get pid() { return inst.pid; }, configDir: inst.dir, stop, logTail: () => inst.tail.slice() };
}

/** Exit status of the wrapper: Janus's own, 128 + n when a signal killed it. */
function signalOf(code) {
  if (code === null || code <= 128) return undefined;
  return Object.entries(osConstants.signals).find(([, n]) => n === code - 128)?.[0];
}

/**
 * Keeps one Janus running: the first start as startJanus (it throws if Janus does not
 * come up), then every time Janus exits it is started again on the same ports with the
 * same admin secret and admin key, in a new config folder, so a client of the old one
 * (the broker) reconnects to the same URL with the same credentials.
 *
 * Restarts back off: `initialMs` (250 ms) before the first, doubling up to `maxMs`
 * (10 s); after a Janus that stayed up `stableMs` (30 s) it starts again at `initialMs`.
 * A start fails when Janus exits or does not answer within `startTimeoutMs` (15 s);
 * after `maxStartFailures` (5) failed starts in a row (about 8 s of trying when Janus
 * fails at once) the supervisor gives up: `done` rejects with the reason.
 *
 * @param {import('./janus.d.mts').SuperviseJanusOptions} [opts]
 * @returns {Promise<import('./janus.d.mts').SupervisedJanus>}
 */
export async function superviseJanus(opts = {}) {
  const log = opts.log ?? (() => {});
  // A listener that throws must not stop the supervision.
  const report = (ev) => {
    try {
      opts.onEvent?.(ev);
    } catch (e) {
      console.error('superviseJanus: onEvent threw', e);
    }
  };
  const initialMs = opts.backoff?.initialMs ?? 250;
  const maxMs = opts.backoff?.maxMs ?? 10_000;
  const stableMs = opts.backoff?.stableMs ?? 30_000;
  const maxStartFailures = opts.maxStartFailures ?? 5;
  const startTimeoutMs = opts.startTimeoutMs ?? 15_000;
  const settings = await settingsFor(opts);

  /** The Janus running or starting now; undefined while waiting to restart. */
  let current = await startInstance(settings, log, startTimeoutMs);
  /** The Janus whose log logTail() shows: the current one, or the last one. */
  let latest = current;
  let stopping = false;
  let restarts = 0;
  let wake = () => {};
  const sleep = (ms) =>
    new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });

  let settle;
  const done = new Promise((resolve, reject) => (settle = { resolve, reject }));
  // Whoever does not wait for done must not get an unhandled rejection from it.
  done.catch(() => {});

  async function run() {
    let delay = initialMs;
    let failures = 0;
    for (;;) {
      const inst = current;
      const { code, signal } = await inst.exited;
      if (stopping) return;
      current = undefined;
      const uptimeMs = Date.now() - inst.readyAt;
      if (uptimeMs >= stableMs) delay = initialMs;
      const sig = signal ?? signalOf(code) ?? null;
      report({ type: 'exit', pid: inst.pid, code: sig ? null : code, signal: sig, uptimeMs, restartInMs: delay, logTail: inst.tail.slice(-20) });
      const downSince = Date.now();
      for (;;) {
        await sleep(delay);
        if (stopping) return;
        delay = Math.min(delay * 2, maxMs);
        try {
          await startInstance(settings, log, startTimeoutMs, (i) => {
            current = latest = i;
          });
        } catch (e) {
          current = undefined;
          if (stopping) return;
          failures++;
          if (failures >= maxStartFailures) {
            const error = new Error(`Janus could not be started ${failures} times in a row; giving up. Last attempt: ${e.message}`, { cause: e });
            report({ type: 'gave-up', error, failures });
            stopping = true;
            settle.reject(error);
            return;
          }
          report({ type: 'start-failed', error: e, failures, maxStartFailures, restartInMs: delay });
          continue;
        }
        if (stopping) return;
        failures = 0;
        restarts++;
        report({ type: 'restarted', pid: current.pid, restarts, downMs: Date.now() - downSince, url: settings.url });
        break;
      }
    }
  }
  const running = run().catch((e) => {
    stopping = true;
    settle.reject(e);
  });

  let stopped;
  const stop = () =>
    (stopped ??= (async () => {
      stopping = true;
      wake();
      if (current) await terminate(current);
      await running;
      current = undefined;
      settle.resolve();
    })());

  const { url, adminUrl, port, adminPort, adminSecret, adminKey } = settings;
  return {
    url,
    adminUrl,
    port,
    adminPort,
    adminSecret,
    adminKey,
    get pid() {
      return current?.pid;
    },
    get configDir() {
      return current?.dir;
    },
    get up() {
      return current?.readyAt !== undefined && current.child.exitCode === null;
    },
    get restarts() {
      return restarts;
    },
    done,
    stop,
    logTail: () => latest.tail.slice(),
  };
}

const seconds = (ms) => (ms < 10_000 ? `${(ms / 1000).toFixed(ms < 1000 ? 2 : 1)} s` : ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`);
const indent = (lines) => lines.map((l) => `    ${l}`).join('\n');

/**
 * One line (or a few) for a person reading the console, for each supervisor event.
 * @param {import('./janus.d.mts').SupervisorEvent} ev
 */
export function describeSupervisorEvent(ev) {
  switch (ev.type) {
    case 'exit': {
      const how = ev.signal ? `killed by ${ev.signal}` : `code ${ev.code}`;
      const tail = ev.logTail.length ? ` Last log lines:\n${indent(ev.logTail)}` : '';
      return `Janus exited (${how}) after ${seconds(ev.uptimeMs)}; restarting in ${seconds(ev.restartInMs)}.${tail}`;
    }
    case 'start-failed': {
      // The reason and the end of Janus's log; the whole tail comes with the give-up.
      const [why, ...log] = ev.error.message.split('\n');
      return `Janus did not start (${ev.failures} of at most ${ev.maxStartFailures} failed starts in a row); trying again in ${seconds(ev.restartInMs)}: ${why}\n${indent(log.slice(-5))}`;
    }
    case 'restarted':
      return `Janus is back on ${ev.url} (restart ${ev.restarts}, pid ${ev.pid}, down ${seconds(ev.downMs)}).`;
    case 'gave-up':
      return ev.error.message;
  }
  return JSON.stringify(ev);
}

// node scripts/janus.mjs [port]: a supervised Janus on its own, until Ctrl-C.
if (import.meta.url === `file://${process.argv[1]}`) {
  const port = process.argv[2] ? Number(process.argv[2]) : undefined;
  const j = await superviseJanus({ port, log: (l) => console.log(`[janus] ${l}`), onEvent: (ev) => console.error(describeSupervisorEvent(ev)) });
  console.log(`Janus ready: ${j.url} (admin ${j.adminUrl})`);
  const quit = async () => { await j.stop(); process.exit(0); };
  process.on('SIGINT', quit);
  process.on('SIGTERM', quit);
  j.done.catch(() => process.exit(1));
}
