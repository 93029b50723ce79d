#!/usr/bin/env node
// Finds the system programs the product and its tests need (Janus, Chromium;
// the tests also drive Firefox ESR and start a throwaway PostgreSQL server: `system-deps.mjs test`).
// When one is missing and apt-get is usable (root, or sudo without a password)
// it installs it; otherwise it stops with the exact command to run. It never
// fails silently: every path ends in "ok" or a message naming what to do.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** PostgreSQL's server programs (initdb, pg_ctl) are not on PATH on Debian: they live per major version here. */
function postgresServer() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const major = readdirSync(root).find((d) => existsSync(join(root, d, 'bin', 'pg_ctl')));
  return major ? join(root, major, 'bin') : null;
}

const REQUIRED = [
  { name: 'Janus WebRTC gateway', pkg: 'janus', find: () => which('janus'), needs: ['start', 'test', 'bench'] },
  { name: 'Chromium', pkg: 'chromium', find: () => findChromium(), needs: ['start', 'test'] },
  // The e2e suite also runs the main flows with Firefox on one side (puppeteer-core over WebDriver BiDi).
  { name: 'Firefox ESR (for the tests)', pkg: 'firefox-esr', find: () => findFirefox(), needs: ['test'] },
  // The impaired-network tests (test/impair) put the customer's browser in a network namespace and shape it with tc tbf.
  { name: 'iproute2 (ip, tc: impaired-network tests)', pkg: 'iproute2', find: () => which('tc') && which('ip'), needs: ['test'] },
  // npm start keeps its record in embedded PostgreSQL (PGlite); the tests also run the store on a real server.
  { name: 'PostgreSQL server (for the tests)', pkg: 'postgresql', find: postgresServer, needs: ['test', 'bench'] },
  // npm run bench:load encodes its call media once per run (VP8 and Opus, RTP-packetized) with GStreamer.
  { name: 'GStreamer command line', pkg: 'gstreamer1.0-tools', find: () => which('gst-launch-1.0'), needs: ['bench'] },
  { name: 'GStreamer base plugins (Opus)', pkg: 'gstreamer1.0-plugins-base', find: () => gstPlugin('libgstopus.so'), needs: ['bench'] },
  { name: 'GStreamer good plugins (VP8, RTP)', pkg: 'gstreamer1.0-plugins-good', find: () => gstPlugin('libgstvpx.so') && gstPlugin('libgstrtp.so'), needs: ['bench'] },
];

function gstPlugin(file) {
  for (const d of ['/usr/lib/x86_64-linux-gnu/gstreamer-1.0', '/usr/lib/aarch64-linux-gnu/gstreamer-1.0', '/usr/lib/gstreamer-1.0']) {
    if (existsSync(join(d, file))) return join(d, file);
  }
  return null;
}

function which(bin) {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function aptRunner() {
  if (!which('apt-get')) return null;
  if (typeof process.getuid === 'function' && process.getuid() === 0) return [];
  if (which('sudo') && spawnSync('sudo', ['-n', 'true']).status === 0) return ['sudo', '-n'];
  return null;
}

export function findChromium() {
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (p && existsSync(p)) return p;
  }
  return which('chromium');
}

export function findFirefox() {
  for (const p of [process.env.FIREFOX_PATH, '/usr/bin/firefox-esr']) {
    if (p && existsSync(p)) return p;
  }
  return which('firefox-esr');
}

export function ensureSystemDeps({ quiet = false, purpose = 'start' } = {}) {
  const wanted = REQUIRED.filter((d) => d.needs.includes(purpose));
  const missing = wanted.filter((d) => !d.find());
  if (missing.length === 0) {
    if (!quiet) console.log(`system deps ok: ${wanted.map((d) => `${d.pkg} (${d.find()})`).join(', ')}`);
    return;
  }
  const pkgs = missing.map((d) => d.pkg);
  const cmd = `apt-get update && apt-get install -y ${pkgs.join(' ')}`;
  const runner = aptRunner();
  if (!runner) {
    console.error(`Missing: ${missing.map((d) => d.name).join(', ')}.`);
    console.error(`Install with:\n  sudo sh -c '${cmd}'`);
    process.exit(1);
  }
  console.log(`Installing ${pkgs.join(', ')} with apt-get (missing on this machine)...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    const [pre, ...preArgs] = runner.length ? runner : ['apt-get'];
    const base = runner.length ? [...preArgs, 'apt-get'] : [];
    execFileSync(pre, [...base, 'update', '-qq'], { stdio: 'inherit', env });
    execFileSync(pre, [...base, 'install', '-y', '-qq', ...pkgs], { stdio: 'inherit', env });
  } catch {
    console.error(`apt-get failed. Install by hand with:\n  sudo sh -c '${cmd}'`);
    process.exit(1);
  }
  const still = wanted.filter((d) => !d.find());
  if (still.length) {
    console.error(`Still missing after apt-get: ${still.map((d) => d.pkg).join(', ')}. Run:\n  sudo sh -c '${cmd}'`);
    process.exit(1);
  }
  console.log('system deps installed');
}

if (import.meta.url === `file://${process.argv[1]}`) ensureSystemDeps({ purpose: ['test', 'bench'].includes(process.argv[2]) ? process.argv[2] : 'start' });
