// What the load bench reads about the processes it measures, from /proc: CPU
// seconds (utime + stime) and resident memory of a process, or of a process and
// its children (PostgreSQL's postmaster and its backends), and the machine.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';

const TICK = 100; // USER_HZ on Linux
const PAGE = 4096;

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  cpuS: number;
  /** CPU of its children that have exited and been waited for (cutime + cstime). */
  childrenCpuS: number;
  rssBytes: number;
}

function stat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // Fields from state (3rd in the man page) on: ppid is 4th, utime 14th, stime 15th, rss 24th.
    return { pid, ppid: Number(f[1]), comm, cpuS: (Number(f[11]) + Number(f[12])) / TICK, childrenCpuS: (Number(f[13]) + Number(f[14])) / TICK, rssBytes: Number(f[21]) * PAGE };
  } catch {
    return undefined;
  }
}

function allPids(): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
}

/** Proportional set size: shared pages (PostgreSQL's shared buffers) counted once across the processes sharing them. */
function pss(pid: number): number | undefined {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A process and, with `withChildren`, its direct children (PostgreSQL's
 * postmaster and backends): CPU includes children that have exited since
 * (cutime), memory is then PSS so shared memory is not counted once per backend.
 */
export class Watched {
  constructor(
    readonly label: string,
    readonly pid: number,
    private readonly withChildren = false,
  ) {}

  sample(): { cpuS: number; rssBytes: number } {
    const own = stat(this.pid);
    let cpuS = own?.cpuS ?? 0;
    let rssBytes = own?.rssBytes ?? 0;
    if (this.withChildren) {
      cpuS += own?.childrenCpuS ?? 0;
      rssBytes = pss(this.pid) ?? rssBytes;
      for (const pid of allPids()) {
        const s = stat(pid);
        if (s && s.ppid === this.pid) {
          cpuS += s.cpuS;
          rssBytes += pss(pid) ?? s.rssBytes;
        }
      }
    }
    return { cpuS, rssBytes };
  }
}

/** The postmaster of the PostgreSQL listening on `port` (its command line names the port). */
export function postmasterOn(port: number): number | undefined {
  for (const pid of allPids()) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (cmd.some((a) => a === `port=${port}` || a.endsWith(` port=${port}`) || a.includes(`-c port=${port}`)) && stat(pid)?.comm === 'postgres') {
        const parent = stat(stat(pid)!.ppid);
        if (parent?.comm !== 'postgres') return pid;
      }
    } catch {
      // gone
    }
  }
  return undefined;
}

/** CPU used between two samples, as % of one core. */
export function cpuPercent(a: { cpuS: number }, b: { cpuS: number }, wallMs: number): number {
  return ((b.cpuS - a.cpuS) / (wallMs / 1000)) * 100;
}

function version(cmd: string, args: string[], pick: RegExp): string {
  // Some (janus --version) exit non-zero after printing it.
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.error || !out.trim()) return 'not found';
  return pick.exec(out)?.[1] ?? out.trim().split('\n')[0];
}

/** The lines every run prints first: when, on what, with which versions, and how busy the machine already was. */
export function machineHeader(extra: Record<string, string> = {}): string[] {
  const cpu = cpus();
  const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;
  const lines = [
    `Date:      ${new Date().toISOString()}`,
    `Machine:   ${cpu.length} cores (nproc ${version('nproc', [], /^(\d+)/)}; ${cpu[0]?.model ?? 'unknown CPU'}), memory ${gib(totalmem())} (${gib(freemem())} free at start), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at start`,
    `Software:  Node ${process.version}, Janus ${version('janus', ['--version'], /Janus version: \d+ \(([\d.]+)\)/)}, ${version('/usr/lib/postgresql/15/bin/postgres', ['--version'], /(PostgreSQL\) [\d.]+)/).replace(') ', ' ')}, kernel ${version('uname', ['-r'], /(.+)/)}`,
  ];
  for (const [k, v] of Object.entries(extra)) lines.push(`${`${k}:`.padEnd(10)} ${v}`);
  return lines;
}

export function quantile(xs: ArrayLike<number>, p: number): number {
  if (xs.length === 0) return NaN;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
}
