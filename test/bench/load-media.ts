// Part 3 of npm run bench:load: concurrent two-way calls through one Janus, with
// no browser. The media is made once per run by GStreamer into the run's temporary
// folder (10 s of 640x360 30 fps VP8 at about 500 kbit/s with motion, and 20 ms
// Opus frames at 32 kbit/s, both already RTP-packetized by GStreamer's payloaders
// and framed with rtpstreampay); load-media-worker.ts loops them into the
// VideoRoom from werift publishers and subscribes each side to the other.
//
// For 5, 10, 25 and 50 calls (grown step by step): Janus CPU and memory per call,
// packets Janus forwarded per second (received by all subscribers), receiver loss
// and jitter, and the first N where forwarding falls behind: loss over 1 %, mean
// jitter over 30 ms, or a call that could not be set up. The participants run on
// the same two cores; their CPU and event-loop delay are printed so a saturated
// generator is not taken for a saturated Janus.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as v from '../../src/protocol/schema.js';
import type { RunningJanus } from '../../scripts/janus.mjs';
import { ClaimResponse, ConversationGrant, exportPublicKey, generateSigningKeyPair, type ConversationDescriptor } from '../../src/protocol/index.js';
import type { RunningPostgres } from '../helpers/postgres.mjs';
import type { MeasureResult, MediaCommand, SetupResult } from './load-media-worker.js';
import { cpuPercent, quantile, Watched } from './load-proc.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const LOSS_LIMIT = 0.01;
const JITTER_LIMIT_MS = 30;

export interface CallsBenchOptions {
  work: string;
  janus: RunningJanus;
  pg: RunningPostgres;
  calls: number[];
  durationMs: number;
  agentToken(i: number): string;
  agentSecret: string;
  startBroker(name: string, config: Record<string, unknown>): Promise<{ url: string; watched: Watched; stop(): Promise<void> }>;
}

/** GStreamer pipelines that write RTP packets (RFC 4571 framing) into `file`. */
function encodeMedia(work: string): { videoFile: string; audioFile: string; describe: string } {
  const videoFile = join(work, 'video-vp8.rtp');
  const audioFile = join(work, 'audio-opus.rtp');
  const gst = (pipeline: string) => {
    const r = spawnSync('gst-launch-1.0', ['-q', ...pipeline.split(' ')], { encoding: 'utf8' });
    if (r.error || r.status !== 0) {
      throw new Error(
        `GStreamer could not encode the bench media (${r.error?.message ?? r.stderr.trim()}). Install it with: apt-get install -y gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good (npm run bench:load does when it runs as root)`,
      );
    }
  };
  gst(`videotestsrc num-buffers=300 pattern=smpte horizontal-speed=4 ! video/x-raw,width=640,height=360,framerate=30/1 ! vp8enc target-bitrate=500000 end-usage=cbr deadline=1 cpu-used=8 keyframe-max-dist=60 ! rtpvp8pay pt=96 mtu=1200 picture-id-mode=15-bit ! rtpstreampay ! filesink location=${videoFile}`);
  gst(`audiotestsrc num-buffers=500 samplesperbuffer=960 wave=ticks ! audio/x-raw,rate=48000,channels=2 ! opusenc bitrate=32000 frame-size=20 ! rtpopuspay pt=111 ! rtpstreampay ! filesink location=${audioFile}`);
  return { videoFile, audioFile, describe: 'VP8 640x360 30 fps ~500 kbit/s (keyframe every 2 s) + Opus 20 ms 32 kbit/s, looped every 10 s' };
}

class MediaWorker {
  private seq = 0;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  readonly child: ChildProcess;
  readonly watched: Watched;

  constructor(index: number) {
    this.child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'test', 'bench', 'load-media-worker.ts')], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], cwd: repo });
    this.watched = new Watched(`media participants ${index}`, this.child.pid!);
    this.child.on('message', (m: { seq: number; result?: unknown; error?: string }) => {
      const p = this.pending.get(m.seq);
      if (!p) return;
      this.pending.delete(m.seq);
      if (m.error) p.reject(new Error(`media worker ${index}: ${m.error}`));
      else p.resolve(m.result);
    });
    this.child.once('exit', (code, signal) => {
      for (const p of this.pending.values()) p.reject(new Error(`media worker ${index} exited (${code ?? signal})`));
      this.pending.clear();
    });
  }

  call<T>(command: MediaCommand): Promise<T> {
    const seq = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(seq, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ ...command, seq });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    await Promise.race([this.call({ cmd: 'close' }), new Promise((r) => setTimeout(r, 10_000))]).catch(() => {});
    this.child.disconnect();
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

async function post(url: string, body: unknown, bearer?: string): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) }, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${new URL(url).pathname}: ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text) as unknown;
}

/** A conversation created and claimed through the broker: both sides' descriptors (tokens, VideoRoom pin). */
async function conversation(broker: string, agentToken: string): Promise<{ customer: ConversationDescriptor; agent: ConversationDescriptor }> {
  const key = async () => exportPublicKey((await generateSigningKeyPair()).publicKey);
  const grant = v.parse(ConversationGrant, await post(`${broker}/api/conversations`, { publicKey: await key(), display: 'Caller' }));
  const claim = v.parse(ClaimResponse, await post(`${broker}/api/conversations/${grant.descriptor.id}/claim`, { publicKey: await key() }, agentToken));
  return { customer: grant.descriptor, agent: claim.descriptor };
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

export async function callsBench(opts: CallsBenchOptions): Promise<string[]> {
  const media = encodeMedia(opts.work);
  const maxCalls = Math.max(...opts.calls);
  const broker = await opts.startBroker('broker-calls', {
    janusUrl: opts.janus.url,
    janusAdminUrl: opts.janus.adminUrl,
    janusAdminSecret: opts.janus.adminSecret,
    janusAdminKey: opts.janus.adminKey,
    databaseUrl: opts.pg.createDatabase('load_calls'),
    port: 0,
    staticRoot: 'none',
    agentTokenSecret: opts.agentSecret,
    maxOpenConversations: maxCalls + 100,
    openCaps: { perClient: maxCalls + 50, perNetwork: maxCalls + 50 },
    rateLimits: { create: false, login: false, post: false },
  });
  const janusW = new Watched('janus', opts.janus.pid!);
  const workers = Array.from({ length: cpus().length }, (_, i) => new MediaWorker(i));
  const rows: string[][] = [];
  let behind: { n: number; why: string } | undefined;
  let perCall = '';
  try {
    const loaded = await Promise.all(workers.map((w) => w.call<{ videoPackets: number; audioPackets: number }>({ cmd: 'load', videoFile: media.videoFile, audioFile: media.audioFile })));
    console.log(`  media: ${media.describe}; ${loaded[0].videoPackets} video and ${loaded[0].audioPackets} audio packets a loop`);
    await new Promise((r) => setTimeout(r, 1000));
    const base = janusW.sample();
    let open = 0;
    for (const n of opts.calls) {
      const add = n - open;
      if (add <= 0) continue;
      process.stdout.write(`  ${n} calls: setting up ${add}…`);
      const calls = [];
      for (let i = 0; i < add; i++) calls.push(await conversation(broker.url, opts.agentToken(300_000 + open + i)));
      const perWorker: Array<typeof calls> = workers.map(() => []);
      calls.forEach((c, i) => perWorker[i % workers.length].push(c));
      const setups = await Promise.all(workers.map((w, i) => w.call<SetupResult>({ cmd: 'setup', calls: perWorker[i] })));
      const failures = setups.flatMap((s) => s.failures);
      open = n;
      // Let subscribers get their first keyframe and the streams settle.
      await new Promise((r) => setTimeout(r, 3000));
      process.stdout.write(` measuring ${opts.durationMs / 1000} s…`);
      const j0 = janusW.sample();
      const w0 = workers.map((w) => w.watched.sample());
      const t0 = performance.now();
      const measured = await Promise.all(workers.map((w) => w.call<MeasureResult>({ cmd: 'measure', durationMs: opts.durationMs })));
      const wall = performance.now() - t0;
      const j1 = janusW.sample();
      const w1 = workers.map((w) => w.watched.sample());
      const streams = measured.flatMap((m) => m.streams);
      const received = streams.reduce((a, s) => a + s.received, 0);
      const expected = streams.reduce((a, s) => a + s.expected, 0);
      const sent = measured.reduce((a, m) => a + m.sent, 0);
      const unique = streams.reduce((a, s) => a + s.unique, 0);
      const loss = expected > 0 ? Math.max(0, 1 - unique / expected) : 1;
      const jitters = streams.map((s) => s.jitterMs);
      const videoJitter = streams.filter((s) => s.kind === 'video').map((s) => s.jitterMs);
      const meanJitter = jitters.reduce((a, b) => a + b, 0) / Math.max(1, jitters.length);
      const janusCpu = cpuPercent(j0, j1, wall);
      const workersCpu = workers.reduce((a, _, i) => a + cpuPercent(w0[i], w1[i], wall), 0);
      const loopP99 = Math.max(...measured.map((m) => m.loopDelayP99Ms));
      const janusRssPerCall = (j1.rssBytes - base.rssBytes) / n;
      const why =
        failures.length > 0 ? `${failures.length} call(s) not set up (${failures[0]})`
        : streams.length < 4 * n ? `${4 * n - streams.length} of ${4 * n} streams never arrived`
        : loss > LOSS_LIMIT ? `loss ${(loss * 100).toFixed(1)} %`
        : received < 0.97 * sent ? `forwarded ${((received / sent) * 100).toFixed(0)} % of what was sent`
        : meanJitter > JITTER_LIMIT_MS ? `mean jitter ${meanJitter.toFixed(0)} ms`
        : undefined;
      // A generator whose own event loop runs late drops and delays packets itself (its socket buffers overflow):
      // such a row says more about the participants than about Janus.
      const generatorBound = loopP99 > 100 || workersCpu > 85 * workers.length;
      const verdict = why ? `${why}${generatorBound ? ' (participants saturated)' : ''}` : generatorBound ? 'ok (participants saturated)' : 'ok';
      if (why && !behind) behind = { n, why: verdict };
      perCall = `Janus ${(janusCpu / n).toFixed(1)}% of a core and ${(janusRssPerCall / 1024).toFixed(0)} KiB per call at ${n} calls`;
      rows.push([
        String(n),
        `${janusCpu.toFixed(0)}% (${(janusCpu / n).toFixed(1)}%)`,
        `${mib(j1.rssBytes)} (${(janusRssPerCall / 1024).toFixed(0)} KiB)`,
        ((sent / wall) * 1000).toFixed(0),
        ((received / wall) * 1000).toFixed(0),
        `${(loss * 100).toFixed(2)} %`,
        `${quantile(jitters, 0.5).toFixed(1)} / ${quantile(videoJitter, 0.99).toFixed(1)} ms`,
        `${workersCpu.toFixed(0)}%`,
        `${loopP99.toFixed(0)} ms`,
        verdict,
      ]);
      console.log(` forwarded ${((received / wall) * 1000).toFixed(0)} packets/s, loss ${(loss * 100).toFixed(2)} %, Janus ${janusCpu.toFixed(0)}%${why ? ` — ${why}` : ''}`);
      if (failures.length > 0) break;
    }
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await broker.stop();
  }
  const widths = [5, 16, 18, 12, 16, 8, 20, 14, 10, 10];
  const header = ['calls', 'Janus CPU (per call)', 'Janus RSS (per call)', 'sent pkt/s', 'forwarded pkt/s', 'loss', 'jitter p50 / video p99', 'participants CPU', 'their loop p99', 'verdict'];
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(Math.max(widths[i], header[i].length)) : c.padStart(Math.max(widths[i], header[i].length)))).join(' | ')} |`;
  return [
    '',
    `Calls: two-way calls through one Janus (${media.describe}; each side publishes and subscribes to the other; ${workers.length} participant processes)`,
    fmt(header),
    `|${header.map((h, i) => `${'-'.repeat(Math.max(widths[i], h.length) + 1)}${i === 0 ? '-' : ':'}`).join('|')}|`,
    ...rows.map(fmt),
    perCall ? `Per call: ${perCall}. Forwarded = packets all subscribers received; sent = packets all publishers sent. Jitter is taken when the participant's event loop handles a packet: with its loop late (their loop p99), jitter includes the generator's delay.` : '',
    behind ? `First N where forwarding fell behind (loss > ${LOSS_LIMIT * 100} %, forwarded < 97 % of sent, mean jitter > ${JITTER_LIMIT_MS} ms, or a call failed): ${behind.n} (${behind.why})` : `Forwarding kept up (loss ≤ ${LOSS_LIMIT * 100} %, mean jitter ≤ ${JITTER_LIMIT_MS} ms) up to ${Math.max(...opts.calls)} calls (the largest step run).`,
  ];
}
