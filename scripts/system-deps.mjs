#!/usr/bin/env node
// Finds the system programs the product and its tests need (Janus, Chromium).
// When one is missing and apt-get is usable (root, or sudo without a password)
// it installs it; otherwise it stops with the exact command to run. It never
// fails silently: every path ends in "ok" or a message naming what to do.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const REQUIRED = [
  { name: 'Janus WebRTC gateway', bin: 'janus', pkg: 'janus', probe: ['janus', ['--version']] },
  { name: 'Chromium', bin: 'chromium', pkg: 'chromium', probe: ['chromium', ['--version']] },
];

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

export function ensureSystemDeps({ quiet = false } = {}) {
  const missing = REQUIRED.filter((d) => !which(d.bin));
  if (missing.length === 0) {
    if (!quiet) console.log(`system deps ok: janus (${which('janus')}), chromium (${findChromium()})`);
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
  const still = REQUIRED.filter((d) => !which(d.bin));
  if (still.length) {
    console.error(`Still missing after apt-get: ${still.map((d) => d.bin).join(', ')}. Run:\n  sudo sh -c '${cmd}'`);
    process.exit(1);
  }
  console.log('system deps installed');
}

if (import.meta.url === `file://${process.argv[1]}`) ensureSystemDeps();
