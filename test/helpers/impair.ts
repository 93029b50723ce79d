// An impaired network path between the customer's browser and the server, on
// this machine: the customer's Chromium runs in its own network namespace,
// joined to the root namespace (Janus, broker, the test) by a veth pair (the
// agent's browser gets an unshaped one of its own: test/impair/call.ts). tbf on each end's egress shapes one direction: the host end's
// egress is the customer's downlink, the customer end's egress the uplink.
// netem is not in this kernel, so: bandwidth (tbf) and outages (link down).
//
// Needs root and iproute2. Names carry this process's pid (namespace
// vcq<pid>_<k>, interfaces vqh<pid>_<k> / vqc<pid>_<k>); at start, whatever a
// dead process of ours left behind is deleted, and everything is torn down on
// dispose(), on process exit and on SIGINT/SIGTERM.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { findChromium } from '../../scripts/system-deps.mjs';
import { launchChromium } from './browser.js';

export interface Rates {
  /** Customer → server, kbit/s. */
  up?: number;
  /** Server → customer, kbit/s. */
  down?: number;
}

export interface ImpairedLink {
  /** The customer's network namespace. */
  ns: string;
  /** Root-namespace end (Janus and the broker listen here). */
  hostIf: string;
  customerIf: string;
  hostIp: string;
  customerIp: string;
  /** Token-bucket limits per direction; a direction left out is unshaped. */
  shape(rates: Rates): void;
  unshape(): void;
  /** Path interruption: the host end's link goes down (both directions drop). */
  cut(): void;
  /** The link back up, with its routes. */
  restore(): void;
  /**
   * Makes an address of the root namespace (another link's host end, say) reachable from inside this
   * namespace, through this link: a local address there is delivered whatever the state of its own link.
   */
  reach(address: string): void;
  /** The qdiscs as tc reports them, for logs. */
  describe(): string;
  dispose(): void;
}

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
function tryIp(...args: string[]): boolean {
  try {
    ip(...args);
    return true;
  } catch {
    return false;
  }
}
function inNs(ns: string, cmd: string, ...args: string[]): string {
  return execFileSync('ip', ['netns', 'exec', ns, cmd, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const OWN = /^vcq(\d+)_\d+$/;
const OWN_IF = /^vq[hc](\d+)_\d+$/;

/** Namespaces and root-namespace interfaces a dead run of this helper left behind. */
export function deleteStale(): void {
  for (const line of ip('netns', 'list').split('\n')) {
    const name = line.split(' ')[0];
    const m = OWN.exec(name);
    if (m && !alive(Number(m[1]))) tryIp('netns', 'del', name);
  }
  for (const name of existsSync('/sys/class/net') ? readdirSync('/sys/class/net') : []) {
    const m = OWN_IF.exec(name);
    if (m && !alive(Number(m[1]))) tryIp('link', 'del', name);
  }
}

/** A /30 subnet 10.77.N.0 no interface on this machine uses yet, N from the pid. */
function freeSubnet(): number {
  const used = ip('-4', '-o', 'addr', 'show');
  const start = process.pid % 250;
  for (let i = 0; i < 250; i++) {
    const n = ((start + i) % 250) + 1;
    if (!used.includes(`10.77.${n}.`)) return n;
  }
  throw new Error('no free 10.77.N.0/30 subnet');
}

let counter = 0;
const live = new Set<ImpairedLink>();
let handlersInstalled = false;
function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    for (const l of [...live]) l.dispose();
  });
  for (const [sig, n] of [['SIGINT', 2], ['SIGTERM', 15]] as const) {
    process.once(sig, () => {
      for (const l of [...live]) l.dispose();
      // Alone: die of the signal as if nobody listened. Playwright listens too (it closes its browsers
      // and then exits, within 30 s); don't wait that long.
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
      else setTimeout(() => process.exit(128 + n), 5000).unref();
    });
  }
}

export function createImpairedLink(): ImpairedLink {
  deleteStale();
  installHandlers();
  const k = ++counter;
  const ns = `vcq${process.pid}_${k}`;
  const hostIf = `vqh${process.pid}_${k}`;
  const customerIf = `vqc${process.pid}_${k}`;
  if (hostIf.length > 15) throw new Error(`interface name too long: ${hostIf}`);
  const n = freeSubnet();
  const hostIp = `10.77.${n}.1`;
  const customerIp = `10.77.${n}.2`;
  const subnet = `10.77.${n}.0/30`;
  let disposed = false;

  const routesBack = () => {
    if (!ip('route', 'show', 'dev', hostIf).includes(subnet.split('/')[0])) tryIp('route', 'replace', subnet, 'dev', hostIf, 'src', hostIp);
    if (!inNs(ns, 'ip', 'route', 'show', 'dev', customerIf).includes(subnet.split('/')[0])) inNs(ns, 'ip', 'route', 'replace', subnet, 'dev', customerIf, 'src', customerIp);
  };
  const tbf = (dev: string, kbit: number | undefined, where: 'host' | 'ns') => {
    const run = (...a: string[]) => (where === 'host' ? execFileSync('tc', a, { stdio: ['ignore', 'pipe', 'pipe'] }) : inNs(ns, 'tc', ...a));
    if (kbit === undefined) {
      try {
        run('qdisc', 'del', 'dev', dev, 'root');
      } catch {
        // no qdisc of ours there
      }
      return;
    }
    // 16 kbit of burst (2000 bytes: more than one MTU), 200 ms of queue: a home line's buffer, not a bufferbloat one.
    run('qdisc', 'replace', 'dev', dev, 'root', 'tbf', 'rate', `${kbit}kbit`, 'burst', '16kbit', 'latency', '200ms');
  };

  const link: ImpairedLink = {
    ns,
    hostIf,
    customerIf,
    hostIp,
    customerIp,
    shape({ up, down }) {
      tbf(hostIf, down, 'host');
      tbf(customerIf, up, 'ns');
    },
    unshape() {
      tbf(hostIf, undefined, 'host');
      tbf(customerIf, undefined, 'ns');
    },
    cut() {
      ip('link', 'set', 'dev', hostIf, 'down');
    },
    restore() {
      ip('link', 'set', 'dev', hostIf, 'up');
      // The kernel puts the connected routes back with the link; check, and add them if not.
      for (let i = 0; i < 20; i++) {
        if (ip('link', 'show', 'dev', hostIf).includes('LOWER_UP')) break;
        execFileSync('sleep', ['0.05']);
      }
      routesBack();
    },
    reach(address) {
      inNs(ns, 'ip', 'route', 'replace', `${address}/32`, 'via', hostIp, 'dev', customerIf);
    },
    describe() {
      const q = (s: string) => s.split('\n').filter((l) => l.includes('tbf') || l.includes('noqueue')).join(' ').trim() || '-';
      try {
        return `down(${hostIf}): ${q(execFileSync('tc', ['qdisc', 'show', 'dev', hostIf], { encoding: 'utf8' }))}; up(${customerIf}): ${q(inNs(ns, 'tc', 'qdisc', 'show', 'dev', customerIf))}`;
      } catch (e) {
        return String(e);
      }
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      live.delete(link);
      // Deleting the namespace takes the veth pair with it (once no process runs in it any more);
      // the host end goes now in any case.
      tryIp('netns', 'del', ns);
      tryIp('link', 'del', hostIf);
    },
  };
  try {
    ip('netns', 'add', ns);
    live.add(link);
    ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', customerIf);
    ip('link', 'set', customerIf, 'netns', ns);
    ip('addr', 'add', `${hostIp}/30`, 'dev', hostIf);
    ip('link', 'set', hostIf, 'up');
    inNs(ns, 'ip', 'link', 'set', 'lo', 'up');
    inNs(ns, 'ip', 'addr', 'add', `${customerIp}/30`, 'dev', customerIf);
    inNs(ns, 'ip', 'link', 'set', customerIf, 'up');
  } catch (e) {
    link.dispose();
    throw e;
  }
  return link;
}

/** The flag that makes http://<addr>:<port> a secure context (getUserMedia) for Chromium. */
export function secureOriginFlag(origin: string): string {
  return `--unsafely-treat-insecure-origin-as-secure=${origin}`;
}

/**
 * Chromium (as test/helpers/browser.ts starts it) inside network namespace `ns`:
 * through a wrapper that enters the namespace; playwright talks to it over a pipe,
 * so no TCP crosses the namespaces for the automation itself.
 */
export async function launchChromiumIn(ns: string, extraArgs: string[] = []): Promise<Browser> {
  const dir = mkdtempSync(join(tmpdir(), 'vc-impair-'));
  const wrapper = join(dir, 'chromium-in-ns');
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${ns} ${findChromium() ?? '/usr/bin/chromium'} "$@"\n`);
  chmodSync(wrapper, 0o700);
  try {
    return await launchChromium({ executablePath: wrapper, args: extraArgs });
  } finally {
    // exec has replaced the shell by now; the file is no longer needed.
    rmSync(dir, { recursive: true, force: true });
  }
}
