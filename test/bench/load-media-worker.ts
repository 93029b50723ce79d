// A child process of the calls bench (load-media.ts): both sides of its two-way
// calls, no browser. Each side publishes into its conversation's VideoRoom (its
// own token, pin and Janus session, as the elements do) with werift: a VP8 and an
// Opus stream looped from RTP files made once by GStreamer, paced by their RTP
// timestamps; and subscribes to the other side's feed (require_pvtid: with its
// publisher's private_id), counting what arrives: packets, sequence gaps and
// RFC 3550 interarrival jitter.
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Janode, { type JanodeConnection } from 'janode';
import VideoRoomPlugin from 'janode/plugins/videoroom';
import { RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket, type RTCRtpTransceiver } from 'werift';
import type { ConversationDescriptor } from '../../src/protocol/index.js';

Janode.Logger.setLevel('none');

export type MediaCommand =
  | { cmd: 'load'; videoFile: string; audioFile: string }
  | { cmd: 'setup'; calls: Array<{ customer: ConversationDescriptor; agent: ConversationDescriptor }> }
  | { cmd: 'measure'; durationMs: number }
  | { cmd: 'close' };

export interface StreamFigures {
  kind: 'audio' | 'video';
  /** Every packet that arrived, retransmissions included. */
  received: number;
  /** Distinct sequence numbers that arrived. */
  unique: number;
  expected: number;
  jitterMs: number;
}
export interface MeasureResult {
  sent: number;
  streams: StreamFigures[];
  loopDelayP99Ms: number;
}
export interface SetupResult {
  ok: number;
  failures: string[];
}

// ---- the looped source ------------------------------------------------------------------

interface Clip {
  clockRate: number;
  packets: Array<{ header: RtpHeader; payload: Buffer; atMs: number; seqIndex: number }>;
  /** One loop, ms and clock units (the last frame lasts as long as the one before it). */
  loopMs: number;
  loopTs: number;
}

/** RTP packets framed as GStreamer's rtpstreampay writes them (RFC 4571: 16-bit length, packet). */
function loadClip(file: string, clockRate: number): Clip {
  const buf = readFileSync(file);
  const raw: RtpPacket[] = [];
  for (let o = 0; o + 2 <= buf.length; ) {
    const len = buf.readUInt16BE(o);
    raw.push(RtpPacket.deSerialize(buf.subarray(o + 2, o + 2 + len)));
    o += 2 + len;
  }
  if (raw.length === 0) throw new Error(`${file}: no RTP packets`);
  const ts0 = raw[0].header.timestamp;
  const stamps = [...new Set(raw.map((p) => p.header.timestamp))];
  const step = stamps.length > 1 ? stamps[stamps.length - 1] - stamps[stamps.length - 2] : clockRate / 50;
  const loopTs = raw[raw.length - 1].header.timestamp - ts0 + step;
  return {
    clockRate,
    packets: raw.map((p, i) => ({ header: p.header, payload: p.payload, atMs: ((p.header.timestamp - ts0) / clockRate) * 1000, seqIndex: i })),
    loopMs: (loopTs / clockRate) * 1000,
    loopTs,
  };
}

let video: Clip;
let audio: Clip;
let sent = 0;

class LoopedSender {
  private loop = 0;
  private next = 0;
  private readonly ts0 = Math.floor(Math.random() * 2 ** 31);
  private readonly seq0 = Math.floor(Math.random() * 65536);

  constructor(
    private readonly clip: Clip,
    private readonly transceiver: RTCRtpTransceiver,
    private readonly startMs: number,
  ) {}

  /** Sends every packet due by `now`. */
  pump(now: number): void {
    const { packets, loopMs, loopTs } = this.clip;
    for (;;) {
      const p = packets[this.next];
      if (this.startMs + this.loop * loopMs + p.atMs > now) return;
      const header = new RtpHeader({
        marker: p.header.marker,
        payloadType: p.header.payloadType,
        sequenceNumber: (this.seq0 + this.loop * packets.length + p.seqIndex) & 0xffff,
        timestamp: (this.ts0 + this.loop * loopTs + (p.header.timestamp - packets[0].header.timestamp)) >>> 0,
      });
      void this.transceiver.sender.sendRtp(new RtpPacket(header, p.payload));
      sent++;
      if (++this.next === packets.length) {
        this.next = 0;
        this.loop++;
      }
    }
  }
}

// ---- the receiving side -----------------------------------------------------------------

class StreamStats {
  received = 0;
  /** Packets counted once per sequence number in the window (NACK retransmissions and duplicates left out). */
  unique = 0;
  private readonly seenIn = new Uint16Array(65536);
  private epoch = 1;
  private cycles = 0;
  private maxSeq = -1;
  private baseExt = -1;
  private jitter = 0;
  private lastTransit?: number;
  private mark = { received: 0, ext: 0 };

  constructor(
    readonly kind: 'audio' | 'video',
    private readonly clockRate: number,
  ) {}

  private get ext(): number {
    return this.cycles + this.maxSeq;
  }

  onPacket(seq: number, timestamp: number): void {
    this.received++;
    if (this.seenIn[seq] !== this.epoch) {
      this.seenIn[seq] = this.epoch;
      this.unique++;
    }
    if (this.maxSeq < 0) {
      this.maxSeq = seq;
      this.baseExt = seq;
    } else {
      const delta = (seq - this.maxSeq + 65536) % 65536;
      if (delta > 0 && delta < 32768) {
        if (seq < this.maxSeq) this.cycles += 65536;
        this.maxSeq = seq;
      }
    }
    // RFC 3550 6.4.1: transit = arrival - timestamp, in clock units; J += (|D| - J) / 16.
    const arrival = (performance.now() / 1000) * this.clockRate;
    const transit = arrival - timestamp;
    if (this.lastTransit !== undefined) {
      let d = Math.abs(transit - this.lastTransit);
      if (d > 2 ** 31) d = Math.abs(d - 2 ** 32);
      this.jitter += (d - this.jitter) / 16;
    }
    this.lastTransit = transit;
  }

  startWindow(): void {
    this.epoch = (this.epoch % 65535) + 1;
    this.unique = 0;
    this.mark = { received: this.received, ext: this.maxSeq < 0 ? -1 : this.ext };
  }

  window(): StreamFigures {
    const fromExt = this.mark.ext < 0 ? this.baseExt - 1 : this.mark.ext;
    return { kind: this.kind, received: this.received - this.mark.received, unique: this.unique, expected: this.maxSeq < 0 ? 0 : this.ext - fromExt, jitterMs: (this.jitter / this.clockRate) * 1000 };
  }
}

// ---- participants -----------------------------------------------------------------------

const codecs = {
  video: [new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000, payloadType: 96, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }] })],
  audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: 111 })],
};

interface Side {
  descriptor: ConversationDescriptor;
  connection: JanodeConnection;
  feed: string | number;
  privateId: number;
  pcs: RTCPeerConnection[];
}

const sides: Side[] = [];
const senders: LoopedSender[] = [];
const inbound: StreamStats[] = [];

async function publish(d: ConversationDescriptor): Promise<Side> {
  const connection = await Janode.connect({ is_admin: false, address: { url: d.gateway, token: d.token }, retry_time_secs: 1, max_retries: 0 });
  const session = await connection.create(25);
  const handle = await session.attach(VideoRoomPlugin);
  const joined = await handle.joinPublisher({ room: String(d.videoRoom.room), pin: d.videoRoom.pin, token: d.token, display: d.self.display });
  const pc = new RTCPeerConnection({ codecs });
  const v = pc.addTransceiver('video', { direction: 'sendonly' });
  const a = pc.addTransceiver('audio', { direction: 'sendonly' });
  await pc.setLocalDescription(await pc.createOffer());
  const res = (await (handle as unknown as { publish(p: unknown): Promise<{ jsep?: { type: 'answer'; sdp: string } }> }).publish({ audio: true, video: true, jsep: { type: 'offer', sdp: pc.localDescription!.sdp } })) ?? {};
  if (!res.jsep) throw new Error('VideoRoom sent no answer to the publish offer');
  await pc.setRemoteDescription(res.jsep);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('publisher did not connect within 20 s')), 20_000);
    if (pc.connectionState === 'connected') {
      clearTimeout(timer);
      resolve();
    }
    pc.connectionStateChange.subscribe((s) => {
      if (s === 'connected') {
        clearTimeout(timer);
        resolve();
      } else if (s === 'failed') {
        clearTimeout(timer);
        reject(new Error('publisher connection failed'));
      }
    });
  });
  // Each stream starts at a random point of its first second, so calls do not send in step.
  const start = performance.now() + Math.random() * 1000;
  senders.push(new LoopedSender(video, v, start), new LoopedSender(audio, a, start));
  return { descriptor: d, connection, feed: joined.feed, privateId: joined.private_id, pcs: [pc] };
}

async function subscribe(me: Side, other: Side): Promise<void> {
  const d = me.descriptor;
  const session = await me.connection.create(25);
  const handle = await session.attach(VideoRoomPlugin);
  const h = handle as unknown as {
    joinSubscriber(p: unknown): Promise<{ jsep?: { type: 'offer'; sdp: string } }>;
    start(p: unknown): Promise<unknown>;
  };
  const joined = await h.joinSubscriber({ room: String(d.videoRoom.room), pin: d.videoRoom.pin, token: d.token, private_id: me.privateId, streams: [{ feed: other.feed }] });
  if (!joined.jsep) throw new Error('VideoRoom sent no offer to the subscriber');
  const pc = new RTCPeerConnection({ codecs });
  pc.onTransceiverAdded.subscribe((t) => {
    t.onTrack.subscribe((track) => {
      const kind = track.kind === 'audio' ? 'audio' : 'video';
      const stats = new StreamStats(kind, kind === 'audio' ? 48000 : 90000);
      inbound.push(stats);
      track.onReceiveRtp.subscribe((rtp) => stats.onPacket(rtp.header.sequenceNumber, rtp.header.timestamp));
    });
  });
  await pc.setRemoteDescription(joined.jsep);
  await pc.setLocalDescription(await pc.createAnswer());
  await h.start({ jsep: { type: 'answer', sdp: pc.localDescription!.sdp } });
  me.pcs.push(pc);
}

let pumpTimer: NodeJS.Timeout | undefined;

async function setup(cmd: Extract<MediaCommand, { cmd: 'setup' }>): Promise<SetupResult> {
  const result: SetupResult = { ok: 0, failures: [] };
  pumpTimer ??= setInterval(() => {
    const now = performance.now();
    for (const s of senders) s.pump(now);
  }, 5);
  await Promise.all(
    cmd.calls.map(async (call) => {
      try {
        const customer = await publish(call.customer);
        const agent = await publish(call.agent);
        sides.push(customer, agent);
        await subscribe(customer, agent);
        await subscribe(agent, customer);
        result.ok++;
      } catch (e) {
        result.failures.push(e instanceof Error ? e.message : String(e));
      }
    }),
  );
  return result;
}

async function measure(cmd: Extract<MediaCommand, { cmd: 'measure' }>): Promise<MeasureResult> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  for (const s of inbound) s.startWindow();
  const sent0 = sent;
  await new Promise((r) => setTimeout(r, cmd.durationMs));
  delay.disable();
  return { sent: sent - sent0, streams: inbound.map((s) => s.window()), loopDelayP99Ms: delay.percentile(99) / 1e6 };
}

process.on('message', (msg: MediaCommand & { seq: number }) => {
  const run = async (): Promise<unknown> => {
    switch (msg.cmd) {
      case 'load':
        video = loadClip(msg.videoFile, 90000);
        audio = loadClip(msg.audioFile, 48000);
        return { videoPackets: video.packets.length, audioPackets: audio.packets.length, loopMs: video.loopMs };
      case 'setup':
        return setup(msg);
      case 'measure':
        return measure(msg);
      case 'close':
        clearInterval(pumpTimer);
        for (const s of sides) {
          for (const pc of s.pcs) await pc.close().catch(() => {});
          await s.connection.close().catch(() => {});
        }
        return {};
    }
  };
  run().then(
    (result) => process.send!({ seq: msg.seq, result }),
    (e: unknown) => process.send!({ seq: msg.seq, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
  );
});
process.on('disconnect', () => process.exit(0));
