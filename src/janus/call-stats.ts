// One reading of a call's getStats, reduced to what the network policy needs.
// getStats reports are maps of cumulative counters: a reading keeps the
// counters it saw so the next one can turn them into rates over the interval.
// This file knows the WebRTC stats vocabulary (outbound-rtp, remote-inbound-rtp,
// inbound-rtp, candidate-pair); what the numbers mean for the call is
// src/session/call-network.ts's business.

/** Cumulative counters kept between two readings. */
export interface StatsCounters {
  at: number;
  videoBytesSent?: number;
  videoFramesDecoded?: number;
  videoPacketsReceived?: number;
  videoPacketsLost?: number;
  audioPacketsReceived?: number;
  audioPacketsLost?: number;
  audioConcealed?: number;
  audioSamples?: number;
  freezeCount?: number;
}

/** One reading over the interval since the last one. Absent fields: nothing to measure (no such stream). */
export interface CallSample {
  /** Round-trip time to Janus, ms (the publisher's candidate pair, else the subscriber's). */
  rttMs?: number;
  /** What the sender's congestion control thinks it may send, kbit/s. */
  availableOutKbps?: number;
  /** Our video as it leaves: bitrate (kbit/s), frame height, frames per second, and why the encoder holds back. */
  sentVideoKbps?: number;
  sentHeight?: number;
  sentFps?: number;
  qualityLimitation?: string;
  /** Loss Janus reports for what we send (0..1, its receiver reports). */
  upLossVideo?: number;
  upLossAudio?: number;
  /** The other side's video as it reaches us. */
  recvFps?: number;
  recvHeight?: number;
  /** Frames decoded in the interval (0 with video expected: frozen). */
  recvFramesDecoded?: number;
  /** Freezes (WebRTC's freeze detection) that began in the interval. */
  recvFreezes?: number;
  /** Loss of what reaches us (0..1) over the interval. */
  downLossVideo?: number;
  downLossAudio?: number;
  /** Audio packets received in the interval, and the share of samples concealed (0..1). */
  recvAudioPackets?: number;
  audioConcealed?: number;
  /** Connection states of the two PeerConnections. */
  publisherState?: RTCPeerConnectionState;
  subscriberState?: RTCPeerConnectionState;
}

type Stat = Record<string, unknown> & { type: string; kind?: string };
/** Janus sends a receiver report about every second per stream it receives. */
const STALE_REPORT_MS = 2500;
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const delta = (now: number | undefined, before: number | undefined): number | undefined =>
  now === undefined ? undefined : Math.max(0, now - (before ?? 0));
const lossOf = (lost: number | undefined, received: number | undefined): number | undefined =>
  lost === undefined || received === undefined || lost + received === 0 ? undefined : lost / (lost + received);

function all(report: RTCStatsReport | undefined): Stat[] {
  const out: Stat[] = [];
  report?.forEach((s: Stat) => out.push(s));
  return out;
}

/** The nominated (selected) candidate pair of a report. */
function selectedPair(stats: Stat[]): Stat | undefined {
  const transport = stats.find((s) => s.type === 'transport' && typeof s.selectedCandidatePairId === 'string');
  if (transport) return stats.find((s) => s.id === transport.selectedCandidatePairId);
  return stats.find((s) => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded');
}

/**
 * A reading from the publisher's and subscriber's reports. `before` is the
 * previous reading's counters (none: rates over the whole call so far are
 * not asked for, so rate fields stay absent on the first reading).
 */
export function readCallStats(
  reports: { publisher?: RTCStatsReport; subscriber?: RTCStatsReport; publisherState?: RTCPeerConnectionState; subscriberState?: RTCPeerConnectionState },
  before: StatsCounters | undefined,
  now: number,
): { sample: CallSample; counters: StatsCounters } {
  const pub = all(reports.publisher);
  const sub = all(reports.subscriber);
  const sample: CallSample = { publisherState: reports.publisherState, subscriberState: reports.subscriberState };
  const counters: StatsCounters = { at: now };
  const seconds = before ? (now - before.at) / 1000 : 0;

  const pubPair = selectedPair(pub);
  const subPair = selectedPair(sub);
  const rtt = num(pubPair?.currentRoundTripTime) ?? num(subPair?.currentRoundTripTime);
  if (rtt !== undefined) sample.rttMs = Math.round(rtt * 1000);
  const out = num(pubPair?.availableOutgoingBitrate);
  if (out !== undefined) sample.availableOutKbps = Math.round(out / 1000);

  const outVideo = pub.find((s) => s.type === 'outbound-rtp' && s.kind === 'video');
  if (outVideo) {
    counters.videoBytesSent = num(outVideo.bytesSent);
    sample.sentHeight = num(outVideo.frameHeight);
    sample.sentFps = num(outVideo.framesPerSecond);
    if (typeof outVideo.qualityLimitationReason === 'string') sample.qualityLimitation = outVideo.qualityLimitationReason;
    const bytes = delta(counters.videoBytesSent, before?.videoBytesSent);
    if (before && seconds > 0 && bytes !== undefined) sample.sentVideoKbps = Math.round((bytes * 8) / seconds / 1000);
  }
  // A receiver report's timestamp is when it arrived (the report's other stats carry the time of getStats):
  // one much older than that means Janus's reports stopped reaching us (on a clean link Janus reports every
  // second, through a pause too; under congestion its RTCP is late or lost), and its loss is of then, not
  // now — counted now, it made a comeback after a fallback look bad at once.
  const reportTime = Math.max(...pub.map((s) => num(s.timestamp) ?? 0));
  for (const s of pub) {
    if (s.type !== 'remote-inbound-rtp') continue;
    const lost = num(s.fractionLost);
    const at = num(s.timestamp);
    if (lost === undefined || (at !== undefined && reportTime - at > STALE_REPORT_MS)) continue;
    if (s.kind === 'video') sample.upLossVideo = lost;
    else if (s.kind === 'audio') sample.upLossAudio = lost;
  }

  const inVideo = sub.find((s) => s.type === 'inbound-rtp' && s.kind === 'video');
  if (inVideo) {
    counters.videoFramesDecoded = num(inVideo.framesDecoded);
    counters.videoPacketsReceived = num(inVideo.packetsReceived);
    counters.videoPacketsLost = num(inVideo.packetsLost);
    counters.freezeCount = num(inVideo.freezeCount);
    sample.recvHeight = num(inVideo.frameHeight);
    if (before) {
      sample.recvFramesDecoded = delta(counters.videoFramesDecoded, before.videoFramesDecoded);
      sample.recvFreezes = delta(counters.freezeCount, before.freezeCount);
      sample.downLossVideo = lossOf(delta(counters.videoPacketsLost, before.videoPacketsLost), delta(counters.videoPacketsReceived, before.videoPacketsReceived));
      // framesPerSecond is absent while nothing is decoded: the decoded count over the interval says the truth.
      if (seconds > 0 && sample.recvFramesDecoded !== undefined) sample.recvFps = Math.round(sample.recvFramesDecoded / seconds);
    }
  }
  const inAudio = sub.find((s) => s.type === 'inbound-rtp' && s.kind === 'audio');
  if (inAudio) {
    counters.audioPacketsReceived = num(inAudio.packetsReceived);
    counters.audioPacketsLost = num(inAudio.packetsLost);
    counters.audioConcealed = num(inAudio.concealedSamples);
    counters.audioSamples = num(inAudio.totalSamplesReceived);
    if (before) {
      sample.recvAudioPackets = delta(counters.audioPacketsReceived, before.audioPacketsReceived);
      sample.downLossAudio = lossOf(delta(counters.audioPacketsLost, before.audioPacketsLost), sample.recvAudioPackets);
      const samples = delta(counters.audioSamples, before.audioSamples);
      const concealed = delta(counters.audioConcealed, before.audioConcealed);
      if (samples && concealed !== undefined) sample.audioConcealed = Math.min(1, concealed / samples);
    }
  }
  return { sample, counters };
}
