// npm run bench:load: what one box holds (issue 15). Figures, not pass/fail.
//
// Everything runs on this machine, each part in its own process so /proc can
// tell their CPU and memory apart:
//   - PostgreSQL 15 (a throwaway server, test/helpers/postgres.mjs),
//   - Janus 1.1 (scripts/janus.mjs, the project's config, a 20,000-port RTP range),
//   - the broker as it ships: compiled (npm run build:server), started from
//     dist-server/server/main.js with a --config file,
//   - participant processes (load-worker.ts; one per core by default): headless
//     customers and agents, each with its own signing key registered at create or
//     claim, its own Janus session and token, and a werift TextRoom data channel.
//
// Part 1, conversations: for N = 100, 500, 1,000, 2,000 open conversations
// (grown step by step), create + claim throughput, then a chat window in which
// every participant sends a signed chat message every LOAD_CHAT_INTERVAL_S
// seconds; the other side verifies it and acks it (signed whisper), as the
// elements do. Latency is send to verified receipt, both sides in one process.
// Agent consoles (LOAD_CONSOLES) follow the queue stream throughout.
// Part 2, the queue stream: bytes per change at 100 and 2,000 waiting, on a
// fresh broker (load-queue-bytes.ts).
// Part 3, calls (load-media.ts): two-way calls with looped pre-encoded VP8/Opus.
//
// Knobs (environment): LOAD_STEPS=100,500,1000,2000  LOAD_CHAT_SECONDS=20
// LOAD_CHAT_INTERVAL_S=10  LOAD_WORKERS=<nproc>  LOAD_CONSOLES=2
// LOAD_QUEUE_WAITING=100,2000  LOAD_CALLS=5,10,25,50  LOAD_CALL_SECONDS=15
// LOAD_PARTS=chat,queue,calls (any subset)
import { spawn, type ChildProcess, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startJanus, type RunningJanus } from '../../scripts/janus.mjs';
import { signAgentToken } from '../../server/agent-auth.js';
import { startPostgres, type RunningPostgres } from '../helpers/postgres.mjs';
import { callsBench } from './load-media.js';
import { cpuPercent, machineHeader, postmasterOn, quantile, Watched } from './load-proc.js';
import { QueueListener, queueBytesPerChange } from './load-queue-bytes.js';
import type { ChatResult, JoinResult, OpenResult, WorkerCommand } from './load-worker.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const env = process.env;
const list = (s: string) => s.split(',').map((x) => Number(x.trim())).filter((n) => n > 0);
const STEPS = list(env.LOAD_STEPS ?? '100,500,1000,2000');
const CHAT_MS = Number(env.LOAD_CHAT_SECONDS ?? 20) * 1000;
const INTERVAL_MS = Number(env.LOAD_CHAT_INTERVAL_S ?? 10) * 1000;
const WORKERS = Number(env.LOAD_WORKERS ?? cpus().length);
const CONSOLES = Number(env.LOAD_CONSOLES ?? 2);
const QUEUE_WAITING = list(env.LOAD_QUEUE_WAITING ?? '100,2000');
const CALLS = list(env.LOAD_CALLS ?? '5,10,25,50');
const CALL_MS = Number(env.LOAD_CALL_SECONDS ?? 15) * 1000;
const PARTS = new Set((env.LOAD_PARTS ?? 'chat,queue,calls').split(',').map((s) => s.trim()));
/** Conversations per agent: a contact-centre agent takes a few chats at once. */
const PER_AGENT = 4;
const P99_LIMIT_MS = 100;

const AGENT_SECRET = randomBytes(32).toString('base64url');
const agentTokens = new Map<number, string>();
function agentToken(i: number): string {
  let t = agentTokens.get(i);
  if (!t) {
    t = signAgentToken({ sub: `load-agent-${i}`, name: `Agent ${i}`, exp: Math.floor(Date.now() / 1000) + 6 * 3600 }, AGENT_SECRET);
    agentTokens.set(i, t);
  }
  return t;
}

// ---- processes ----------------------------------------------------------------------------

interface BrokerProcess {
  url: string;
  child: ChildProcess;
  watched: Watched;
  stop(): Promise<void>;
}

async function startBrokerProcess(work: string, name: string, config: Record<string, unknown>): Promise<BrokerProcess> {
  const file = join(work, `${name}.json`);
  writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
  const logFile = join(work, `${name}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, [join(repo, 'dist-server', 'server', 'main.js'), '--config', file], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: env.PATH ?? '/usr/bin:/bin', HOME: work } });
  // However this run ends (an exception, Ctrl-C), no broker outlives it.
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  child.once('exit', () => process.off('exit', reap));
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`broker did not start within 30 s:\n${out}`)), 30_000);
    const onData = (b: Buffer) => {
      out += String(b);
      const m = /Broker ready: (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (b: Buffer) => (out += String(b)));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`broker exited (${code}) before it was ready:\n${out}`));
    });
  });
  return {
    url,
    child,
    watched: new Watched('broker', child.pid!),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      log.end();
    },
  };
}

class Worker {
  private seq = 0;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  readonly child: ChildProcess;
  readonly watched: Watched;

  constructor(index: number) {
    // Thousands of werift peer connections: more heap than Node's default.
    this.child = spawn(process.execPath, ['--max-old-space-size=8192', '--import', 'tsx', join(repo, 'test', 'bench', 'load-worker.ts')], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], cwd: repo });
    this.watched = new Watched(`participants ${index}`, this.child.pid!);
    this.child.on('message', (m: { seq: number; result?: unknown; error?: string }) => {
      const p = this.pending.get(m.seq);
      if (!p) return;
      this.pending.delete(m.seq);
      if (m.error) p.reject(new Error(`worker ${index}: ${m.error}`));
      else p.resolve(m.result);
    });
    this.child.once('exit', (code, signal) => {
      for (const p of this.pending.values()) p.reject(new Error(`worker ${index} exited (${code ?? signal})`));
      this.pending.clear();
    });
  }

  call<T>(command: WorkerCommand): Promise<T> {
    const seq = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(seq, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ ...command, seq });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    await this.call({ cmd: 'close' }).catch(() => {});
    this.child.disconnect();
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

// ---- figures ------------------------------------------------------------------------------

const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
const ms = (n: number) => (Number.isFinite(n) ? `${n.toFixed(n < 10 ? 1 : 0)} ms` : '–');

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  return [line(header), `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.map(line)];
}

interface StepFigures {
  n: number;
  createClaimPerS: number;
  createP50: number;
  claimP50: number;
  joinPerS: number;
  msgsPerS: number;
  p50: number;
  p99: number;
  p99ToAgent: number;
  p99ToCustomer: number;
  brokerRssPerConv: number;
  janusRssPerConv: number;
  brokerRss: number;
  janusRss: number;
  pgRss: number;
  brokerCpu: number;
  janusCpu: number;
  pgCpu: number;
  workersCpu: number;
  workersRss: number;
  brokerCpuMsPerOpen: number;
  loopDelayP99: number;
  consoleBytesPerOpen: number;
  failures: string[];
}

// ---- part 1: conversations -----------------------------------------------------------------

async function conversationsBench(work: string, janus: RunningJanus, pg: RunningPostgres, lines: string[]): Promise<void> {
  const maxN = Math.max(...STEPS);
  const broker = await startBrokerProcess(work, 'broker-chat', {
    janusUrl: janus.url,
    janusAdminUrl: janus.adminUrl,
    janusAdminSecret: janus.adminSecret,
    janusAdminKey: janus.adminKey,
    databaseUrl: pg.createDatabase('load_chat'),
    port: 0,
    staticRoot: 'none',
    agentTokenSecret: AGENT_SECRET,
    // Every participant comes from 127.0.0.1: the per-client limits would stop the bench, not the box.
    maxOpenConversations: maxN + 100,
    openCaps: { perClient: maxN + 50, perNetwork: maxN + 50 },
    rateLimits: { create: false, login: false, post: false },
  });
  const janusW = new Watched('janus', janus.pid!);
  const pgPid = postmasterOn(pg.port);
  const pgW = pgPid ? new Watched('postgres', pgPid, true) : undefined;
  const workers = Array.from({ length: WORKERS }, (_, i) => new Worker(i));
  const consoles: QueueListener[] = [];
  const figures: StepFigures[] = [];
  try {
    for (let i = 0; i < CONSOLES; i++) {
      const c = new QueueListener();
      await c.start(broker.url, agentToken(100_000 + i));
      consoles.push(c);
    }
    await new Promise((r) => setTimeout(r, 2000));
    const sampleAll = () => ({ at: performance.now(), broker: broker.watched.sample(), janus: janusW.sample(), pg: pgW?.sample() ?? { cpuS: 0, rssBytes: 0 }, workers: workers.map((w) => w.watched.sample()) });
    const base = sampleAll();
    let open = 0;
    for (const n of STEPS) {
      const add = n - open;
      if (add <= 0) continue;
      process.stdout.write(`  ${n} open conversations: creating and claiming ${add}…`);
      const failures: string[] = [];
      // Conversation k goes to agent k / PER_AGENT; spread round-robin over the workers.
      const perWorker: string[][] = workers.map(() => []);
      for (let k = open; k < n; k++) perWorker[k % workers.length].push(agentToken(Math.floor(k / PER_AGENT)));
      const consoleBytes0 = consoles.reduce((a, c) => a + c.bytes, 0);
      const s0 = sampleAll();
      const opened = await Promise.all(workers.map((w, i) => w.call<OpenResult>({ cmd: 'open', broker: broker.url, agentTokens: perWorker[i], concurrency: 8 })));
      const s1 = sampleAll();
      const openWall = s1.at - s0.at;
      for (const o of opened) failures.push(...o.failures.map((f) => `open: ${f}`));
      const consoleBytes = consoles.reduce((a, c) => a + c.bytes, 0) - consoleBytes0;
      process.stdout.write(` ${(openWall / 1000).toFixed(1)} s; joining ${2 * add} participants…`);
      const joined = await Promise.all(workers.map((w) => w.call<JoinResult>({ cmd: 'join', concurrency: 16 })));
      const s2 = sampleAll();
      for (const j of joined) failures.push(...j.failures.map((f) => `join: ${f}`));
      process.stdout.write(` ${((s2.at - s1.at) / 1000).toFixed(1)} s; chatting ${CHAT_MS / 1000} s…`);
      await new Promise((r) => setTimeout(r, 3000));
      const c0 = sampleAll();
      const chats = await Promise.all(workers.map((w) => w.call<ChatResult>({ cmd: 'chat', durationMs: CHAT_MS, intervalMs: INTERVAL_MS, graceMs: 5000 })));
      const c1 = sampleAll();
      // CPU over the chat window only (the grace period after it is idle for the most part).
      const chatWall = CHAT_MS;
      const toAgent = chats.flatMap((c) => c.toAgent);
      const toCustomer = chats.flatMap((c) => c.toCustomer);
      const all = [...toAgent, ...toCustomer];
      const sent = chats.reduce((a, c) => a + c.sent, 0);
      for (const c of chats) {
        if (c.missing) failures.push(`chat: ${c.missing} of ${c.sent} messages not delivered within 5 s`);
        if (c.invalid) failures.push(`chat: ${c.invalid} messages failed verification`);
        if (c.sendErrors.length) failures.push(`chat: ${c.sendErrors.length} sends failed (${c.sendErrors[0]})`);
      }
      open = n;
      const f: StepFigures = {
        n,
        createClaimPerS: (opened.reduce((a, o) => a + o.opened, 0) / openWall) * 1000,
        createP50: quantile(opened.flatMap((o) => o.createMs), 0.5),
        claimP50: quantile(opened.flatMap((o) => o.claimMs), 0.5),
        joinPerS: (joined.reduce((a, j) => a + j.joined, 0) / (s2.at - s1.at)) * 1000,
        msgsPerS: (sent / chatWall) * 1000,
        p50: quantile(all, 0.5),
        p99: quantile(all, 0.99),
        p99ToAgent: quantile(toAgent, 0.99),
        p99ToCustomer: quantile(toCustomer, 0.99),
        brokerRss: c0.broker.rssBytes,
        janusRss: c0.janus.rssBytes,
        pgRss: c0.pg.rssBytes,
        brokerRssPerConv: (c0.broker.rssBytes - base.broker.rssBytes) / n,
        janusRssPerConv: (c0.janus.rssBytes - base.janus.rssBytes) / n,
        brokerCpu: cpuPercent(c0.broker, c1.broker, c1.at - c0.at),
        janusCpu: cpuPercent(c0.janus, c1.janus, c1.at - c0.at),
        pgCpu: cpuPercent(c0.pg, c1.pg, c1.at - c0.at),
        workersCpu: workers.reduce((a, _, i) => a + cpuPercent(c0.workers[i], c1.workers[i], c1.at - c0.at), 0),
        workersRss: c0.workers.reduce((a, w) => a + w.rssBytes, 0),
        brokerCpuMsPerOpen: ((s1.broker.cpuS - s0.broker.cpuS) * 1000) / add,
        loopDelayP99: Math.max(...chats.map((c) => c.loopDelayP99Ms)),
        consoleBytesPerOpen: CONSOLES ? consoleBytes / CONSOLES / add : 0,
        failures,
      };
      figures.push(f);
      console.log(` p50 ${ms(f.p50)}, p99 ${ms(f.p99)}${failures.length ? `, ${failures.length} failure(s)` : ''}`);
      if (failures.length > 0) {
        for (const x of failures.slice(0, 5)) console.log(`    ${x}`);
        console.log('  (stopping here: the next step would only fail harder)');
        break;
      }
    }
  } finally {
    for (const c of consoles) await c.stop();
    await Promise.all(workers.map((w) => w.stop()));
    await broker.stop();
  }

  const limit = figures.find((f) => f.failures.length > 0 || f.p99 > P99_LIMIT_MS);
  lines.push('', `Conversations: N open, claimed and chatting (every participant sends a signed message every ${INTERVAL_MS / 1000} s, the other side verifies and acks it; ${CONSOLES} agent console(s) follow the queue stream; ${WORKERS} participant processes)`);
  lines.push(
    ...table(
      ['N open', 'create+claim /s', 'create / claim p50', 'joins /s', 'chat msg/s', 'delivery p50', 'p99', 'p99 →agent / →customer', 'failures'],
      figures.map((f) => [String(f.n), f.createClaimPerS.toFixed(0), `${ms(f.createP50)} / ${ms(f.claimP50)}`, f.joinPerS.toFixed(0), f.msgsPerS.toFixed(0), ms(f.p50), ms(f.p99), `${ms(f.p99ToAgent)} / ${ms(f.p99ToCustomer)}`, String(f.failures.length)]),
    ),
  );
  lines.push('', 'Resources while chatting (CPU in % of one core over the chat window; memory resident, per open conversation above the idle broker and Janus)');
  lines.push(
    ...table(
      ['N open', 'broker CPU', 'Janus CPU', 'PostgreSQL CPU', 'participants CPU', 'broker RSS (per conv.)', 'Janus RSS (per conv.)', 'PostgreSQL PSS', 'broker CPU per create+claim', 'console stream per create+claim', 'participants RSS', 'participants loop p99'],
      figures.map((f) => [
        String(f.n),
        `${f.brokerCpu.toFixed(0)}%`,
        `${f.janusCpu.toFixed(0)}%`,
        `${f.pgCpu.toFixed(0)}%`,
        `${f.workersCpu.toFixed(0)}%`,
        `${mib(f.brokerRss)} (${kib(f.brokerRssPerConv)})`,
        `${mib(f.janusRss)} (${kib(f.janusRssPerConv)})`,
        mib(f.pgRss),
        `${f.brokerCpuMsPerOpen.toFixed(1)} ms`,
        kib(f.consoleBytesPerOpen),
        mib(f.workersRss),
        ms(f.loopDelayP99),
      ]),
    ),
  );
  const slowGenerator = figures.filter((f) => f.loopDelayP99 > 50).map((f) => f.n);
  if (slowGenerator.length > 0) {
    lines.push(`Caution at N = ${slowGenerator.join(', ')}: the participants' own event loop was late by more than 50 ms (p99), so those latencies include the load generator's delay, not only the broker's and Janus's.`);
  }
  const last = figures.at(-1);
  if (last) lines.push(`Per open conversation at ${last.n}: broker ${(last.brokerCpu / last.n).toFixed(3)}% of a core and ${kib(last.brokerRssPerConv)}, Janus ${(last.janusCpu / last.n).toFixed(3)}% and ${kib(last.janusRssPerConv)} (at this chat rate).`);
  lines.push(
    limit
      ? `First N where delivery p99 > ${P99_LIMIT_MS} ms or anything failed: ${limit.n}${limit.failures.length ? ` (${limit.failures[0]})` : ` (p99 ${ms(limit.p99)})`}`
      : `Delivery p99 stayed under ${P99_LIMIT_MS} ms with nothing failed up to ${figures.at(-1)?.n ?? 0} open conversations (the largest step run).`,
  );
}

// ---- part 2: the queue stream --------------------------------------------------------------

async function queueBench(work: string, janus: RunningJanus, pg: RunningPostgres, lines: string[]): Promise<void> {
  const maxWaiting = Math.max(...QUEUE_WAITING);
  const broker = await startBrokerProcess(work, 'broker-queue', {
    janusUrl: janus.url,
    janusAdminUrl: janus.adminUrl,
    janusAdminSecret: janus.adminSecret,
    janusAdminKey: janus.adminKey,
    databaseUrl: pg.createDatabase('load_queue'),
    port: 0,
    staticRoot: 'none',
    agentTokenSecret: AGENT_SECRET,
    maxOpenConversations: maxWaiting + 500,
    openCaps: { perClient: maxWaiting + 400, perNetwork: maxWaiting + 400 },
    rateLimits: { create: false, login: false, post: false },
    backfillConcurrency: 0,
  });
  const rows: string[][] = [];
  try {
    let have = 0;
    for (const waiting of QUEUE_WAITING) {
      process.stdout.write(`  queue stream at ${waiting} waiting…`);
      const r = await queueBytesPerChange({ broker: broker.url, agentToken: agentToken(200_000), claimToken: agentToken(200_001), waiting, alreadyWaiting: have });
      have = waiting + r.changes / 2;
      console.log(` ${kib(r.bytesPerChange)} per change`);
      rows.push([String(waiting), kib(r.snapshotBytes), `${r.changes} (${r.events} events)`, kib(r.bytesPerChange)]);
    }
  } finally {
    await broker.stop();
  }
  lines.push('', 'Queue stream: bytes one agent console receives per change (a conversation added, then claimed), measured through the SSE stream');
  lines.push(...table(['waiting', 'first event on connect', 'changes', 'bytes per change'], rows));
}

// ---- main ---------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = Date.now();
  console.log('npm run bench:load: what one box holds (issue 15)\n');
  const header = machineHeader({ Settings: `steps ${STEPS.join(', ')}; chat window ${CHAT_MS / 1000} s, a message per participant every ${INTERVAL_MS / 1000} s; ${WORKERS} participant processes; ${CONSOLES} queue console(s); calls ${CALLS.join(', ')} for ${CALL_MS / 1000} s` });
  for (const l of header) console.log(l);
  console.log('\nBuilding the broker (npm run build:server)…');
  execFileSync(process.execPath, [join(repo, 'scripts', 'build-server.mjs')], { stdio: 'inherit', cwd: repo });
  const work = mkdtempSync(join(tmpdir(), 'vc-load-'));
  let janus: RunningJanus | undefined;
  let pg: RunningPostgres | undefined;
  const lines: string[] = [];
  // Each part gets a Janus of its own, so what one part left in Janus's memory does not count in the next.
  const withJanus = async (fn: (j: RunningJanus) => Promise<void>) => {
    janus = await startJanus({ rtpPortRange: '20000-40000', debugLevel: 4 });
    try {
      await fn(janus);
    } finally {
      await janus.stop();
      janus = undefined;
    }
  };
  try {
    pg = await startPostgres();
    const db = pg;
    if (PARTS.has('chat')) {
      console.log('\nPart 1: conversations');
      await withJanus((j) => conversationsBench(work, j, db, lines));
    }
    if (PARTS.has('queue')) {
      console.log('\nPart 2: the queue stream');
      await withJanus((j) => queueBench(work, j, db, lines));
    }
    if (PARTS.has('calls')) {
      console.log('\nPart 3: calls');
      await withJanus(async (j) => {
        lines.push(...(await callsBench({ work, janus: j, pg: db, calls: CALLS, durationMs: CALL_MS, agentToken, agentSecret: AGENT_SECRET, startBroker: (name, config) => startBrokerProcess(work, name, config) })));
      });
    }
  } finally {
    await janus?.stop();
    await pg?.stop();
    rmSync(work, { recursive: true, force: true });
  }
  console.log(`\n${'='.repeat(80)}\n${header.join('\n')}`);
  for (const l of lines) console.log(l);
  console.log(`\nLoad average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (the bench itself included); ${((Date.now() - started) / 60_000).toFixed(1)} min in all.`);
}

// Ctrl-C: exit, so the 'exit' hooks stop the brokers and PostgreSQL (Janus and the workers follow their pipes).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
await main();
process.exit(0);
