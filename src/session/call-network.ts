// What a call does about its network, decided once a second from a getStats
// reading (src/janus/call-stats.ts) and what the other side says about how our
// media reaches it. Pure: no timers, no WebRTC, the clock comes in with each
// reading, so the unit tests drive it through whole scripts of readings.
//
// The ladder, for what this side sends:
//   tier 0 (as captured) → tier 1 (half resolution, 15 fps, 300 kbit/s)
//   → tier 2 (quarter resolution, 10 fps, 120 kbit/s) → video off (voice only)
// Each step down needs a few bad readings in a row, each step up many good
// ones, and video coming back after a fallback waits longer every time it
// had to fall back again soon (hysteresis, so a marginal link does not flap).
// Audio is never touched by the ladder: voice is what a call falls back to.
// What this side receives is only reported (`rx`): the sender adapts, since
// in a one-to-one VideoRoom call the sender's encoding is what reaches the one
// receiver (no simulcast, see README "Calls on a bad network").
import type { CallSample } from '../janus/call-stats.js';

/** How a direction of the call is doing, best first. */
export type QualityLevel = 'good' | 'fair' | 'poor' | 'bad';
export const QUALITY_LEVELS: readonly QualityLevel[] = ['good', 'fair', 'poor', 'bad'];

export type SendTier = 0 | 1 | 2;

/** Encoding parameters per tier (RTCRtpEncodingParameters), applied on the video sender. */
export const TIER_ENCODING: Record<SendTier, { scaleResolutionDownBy: number; maxFramerate: number; maxBitrate: number }> = {
  0: { scaleResolutionDownBy: 1, maxFramerate: 30, maxBitrate: 1_500_000 },
  1: { scaleResolutionDownBy: 2, maxFramerate: 15, maxBitrate: 300_000 },
  2: { scaleResolutionDownBy: 4, maxFramerate: 10, maxBitrate: 120_000 },
};

/** Timings of the ladder (defaults below; tests and the bench may shorten them). */
export interface NetworkTimings {
  /** Bad readings in a row before a step down. */
  stepDownAfter: number;
  /** Bad readings in a row at the lowest tier before video goes off. */
  fallBackAfter: number;
  /** Good readings in a row before a step up. */
  stepUpAfter: number;
  /** First wait (good readings) before video comes back after a fallback; doubles up to `maxVideoBackAfter`. */
  videoBackAfter: number;
  maxVideoBackAfter: number;
  /** Bad readings in a row of what we receive before "voice may break up", and good ones before it is lifted. */
  voicePoorAfter: number;
  voiceBackAfter: number;
  /** A PeerConnection disconnected this long triggers an ICE restart; restarts repeat every `restartEveryMs`. */
  restartAfterMs: number;
  restartEveryMs: number;
  /** A restart that failed (Janus did not answer) is followed by the next this soon, not `restartEveryMs` later. */
  restartRetryMs: number;
  /**
   * The browser said its network changed (back online, a new connection type): the reading this long
   * after decides. Nothing received in it, or a PeerConnection down: ICE restart at once. Media flowing
   * again: nothing to do (a restart then would only wait for the signalling socket's retransmissions).
   */
  pathCheckAfterMs: number;
  /** Still not connected after this long: the video ends (chat goes on). */
  giveUpAfterMs: number;
}

export const DEFAULT_TIMINGS: NetworkTimings = {
  stepDownAfter: 2,
  fallBackAfter: 4,
  stepUpAfter: 8,
  videoBackAfter: 6,
  maxVideoBackAfter: 60,
  voicePoorAfter: 3,
  voiceBackAfter: 4,
  restartAfterMs: 2_000,
  restartEveryMs: 6_000,
  restartRetryMs: 1_000,
  pathCheckAfterMs: 2_000,
  giveUpAfterMs: 30_000,
};

/** What the policy knows besides the reading. */
export interface NetworkInput {
  sample: CallSample;
  now: number;
  /** This side may send video now (the mode and the person's consent allow it, and it is not paused by hand). */
  mayVideo: boolean;
  /** The other side says it sends audio / video (its media.state), so their absence here means loss. */
  expectAudio: boolean;
  expectVideo: boolean;
  /** How the other side says it receives us (its media.state `rx`). */
  peerRx?: QualityLevel;
}

export type NetworkAction =
  | { type: 'tier'; tier: SendTier }
  | { type: 'video-off' }
  | { type: 'video-back' }
  | { type: 'voice-poor' }
  | { type: 'voice-back' }
  | { type: 'reconnecting' }
  | { type: 'ice-restart' }
  | { type: 'reconnected' }
  | { type: 'give-up' };

/** The policy's view of the call, for the indicator and `vc-call-quality`. */
export interface NetworkStatus {
  /** Overall: the worse of how we send and how we receive. */
  level: QualityLevel;
  /** How what we send is doing (our uplink, and how the other side receives it). */
  send: QualityLevel;
  /** How what we receive is doing (told to the other side as `rx`). */
  rx: QualityLevel;
  tier: SendTier;
  /** Our video is off because of the network (not by hand). */
  videoOff: boolean;
  voicePoor: boolean;
  reconnecting: boolean;
}

const worst = (...ls: Array<QualityLevel | undefined>): QualityLevel =>
  ls.reduce<QualityLevel>((w, l) => (l && QUALITY_LEVELS.indexOf(l) > QUALITY_LEVELS.indexOf(w) ? l : w), 'good');
const atLeast = (l: QualityLevel, than: QualityLevel) => QUALITY_LEVELS.indexOf(l) >= QUALITY_LEVELS.indexOf(than);
const connected = (s?: RTCPeerConnectionState) => s === undefined || s === 'connected' || s === 'new' || s === 'connecting';
/** The other side sends something, and none of it reached us in the interval. */
const nothingArrives = (s: CallSample, input: NetworkInput) => (input.expectAudio || input.expectVideo) && !(s.recvAudioPackets ?? 0) && !(s.recvFramesDecoded ?? 0);

/** How what we receive is doing, from the reading alone. */
export function receiveLevel(s: CallSample, expectAudio: boolean, expectVideo: boolean): { level: QualityLevel; audio: QualityLevel } {
  let audio: QualityLevel = 'good';
  if (expectAudio) {
    const loss = s.downLossAudio ?? 0;
    const concealed = s.audioConcealed ?? 0;
    if (s.recvAudioPackets === 0 || loss > 0.2 || concealed > 0.4) audio = 'bad';
    else if (loss > 0.08 || concealed > 0.15) audio = 'poor';
    else if (loss > 0.02 || concealed > 0.05) audio = 'fair';
  }
  let video: QualityLevel = 'good';
  if (expectVideo && s.recvFramesDecoded !== undefined) {
    const fps = s.recvFps ?? 0;
    const loss = s.downLossVideo ?? 0;
    // The lowest tier sends 10 fps: that is "fair" at worst, or a sender there could never be told it may climb.
    if (s.recvFramesDecoded === 0) video = 'bad';
    else if (fps < 5 || loss > 0.12 || (s.recvFreezes ?? 0) > 0) video = 'poor';
    else if (fps < 8 || loss > 0.04) video = 'fair';
  }
  const link = connected(s.subscriberState) ? 'good' : 'bad';
  return { level: worst(audio, video, link), audio: worst(audio, link) };
}

/** The bandwidth (kbit/s) below which a tier cannot be kept: its floor. Under tier 2's, video goes off. */
export const TIER_FLOOR_KBPS: Record<SendTier, number> = { 0: 450, 1: 180, 2: 90 };

/**
 * How what we send is doing at `tier`, from our side of the link: poor when
 * the congestion controller's estimate is under the tier's floor or Janus
 * reports heavy loss.
 */
export function sendLevel(s: CallSample, sendingVideo: boolean, tier: SendTier = 0): QualityLevel {
  if (!connected(s.publisherState)) return 'bad';
  const audioLoss = s.upLossAudio ?? 0;
  let level: QualityLevel = audioLoss > 0.2 ? 'bad' : audioLoss > 0.08 ? 'poor' : audioLoss > 0.02 ? 'fair' : 'good';
  if (sendingVideo) {
    const out = s.availableOutKbps;
    const loss = s.upLossVideo ?? 0;
    const v: QualityLevel =
      (out !== undefined && out < TIER_FLOOR_KBPS[2] * 0.7) || loss > 0.2 ? 'bad'
        : (out !== undefined && out < TIER_FLOOR_KBPS[tier]) || loss > 0.08 ? 'poor'
          : loss > 0.03 || (tier === 0 && s.qualityLimitation === 'bandwidth') ? 'fair'
            : 'good';
    level = worst(level, v);
  }
  return level;
}

/**
 * Room to climb from `tier`: clean, and the estimate has reached what the
 * tier is capped at (while capped, the estimate cannot show more; the next
 * tier is a probe, and a failed probe steps back down).
 */
function roomToClimb(s: CallSample, tier: SendTier): boolean {
  if (tier === 0) return false;
  const out = s.availableOutKbps;
  return (s.upLossVideo ?? 0) < 0.02 && out !== undefined && out >= 0.95 * (TIER_ENCODING[tier].maxBitrate / 1000);
}

/**
 * The decisions, one reading at a time. Readings come about once a second;
 * counts of readings are the unit of the ladder's patience.
 */
export class NetworkPolicy {
  private tier: SendTier = 0;
  private videoOff = false;
  private voicePoor = false;
  private reconnectingSince?: number;
  /** Since when nothing of the other side's arrives although our own link is up (its network dropped). */
  private silentSince?: number;
  private lastRestart = 0;
  /** When the browser last said its network changed, until the reading that checks the path. */
  private pathChangedAt?: number;
  private down = 0;
  private up = 0;
  private voiceBad = 0;
  private voiceGood = 0;
  private offFor = 0;
  /** Good readings needed before video comes back: grows when a comeback fails soon. */
  private backAfter: number;
  private backAt?: number;
  /** Clean readings needed before a climb: doubles when a climb has to step back down soon (a failed probe). */
  private upAfter: number;
  private climbedAt?: number;
  private status: NetworkStatus = { level: 'good', send: 'good', rx: 'good', tier: 0, videoOff: false, voicePoor: false, reconnecting: false };

  constructor(private readonly t: NetworkTimings = DEFAULT_TIMINGS) {
    this.backAfter = t.videoBackAfter;
    this.upAfter = t.stepUpAfter;
  }

  get current(): NetworkStatus {
    return this.status;
  }

  /** The person paused or resumed by hand, or the mode changed: a network fallback is over (never undone by recovery). */
  reset(): void {
    this.videoOff = false;
    this.offFor = 0;
    this.down = 0;
    this.up = 0;
  }

  /**
   * The browser says its network changed (back online, a new connection type; not when it went
   * offline: nothing could be negotiated then). See `pathCheckAfterMs`.
   */
  pathChanged(now: number): void {
    this.pathChangedAt = now;
  }

  /** The ICE restart asked for last failed (Janus did not answer): the next may come `restartRetryMs` after `now`. */
  restartFailed(now: number): void {
    this.lastRestart = Math.min(this.lastRestart, now - this.t.restartEveryMs + this.t.restartRetryMs);
  }

  tick(input: NetworkInput): NetworkAction[] {
    const { sample: s, now } = input;
    const actions: NetworkAction[] = [];

    // ---- the link itself: ICE restart before giving up ----
    const linkUp = connected(s.publisherState) && connected(s.subscriberState);
    // A new network path: restarted only if nothing gets through on it (after a short cut media comes back by itself).
    if (this.pathChangedAt !== undefined && now - this.pathChangedAt >= this.t.pathCheckAfterMs) {
      this.pathChangedAt = undefined;
      if (!linkUp || nothingArrives(s, input)) {
        actions.push({ type: 'ice-restart' });
        this.lastRestart = now;
      }
    }
    if (!linkUp) {
      this.reconnectingSince ??= now;
      const down = now - this.reconnectingSince;
      if (down >= this.t.giveUpAfterMs) {
        this.reconnectingSince = undefined;
        this.update(input, 'bad', 'bad', false);
        // Not a path check's restart as well: the call ends.
        return [{ type: 'give-up' }];
      }
      if (down >= this.t.restartAfterMs) {
        if (!this.status.reconnecting) actions.push({ type: 'reconnecting' });
        if (now - this.lastRestart >= this.t.restartEveryMs) {
          actions.push({ type: 'ice-restart' });
          this.lastRestart = now;
        }
        this.update(input, 'bad', 'bad', true);
        return actions;
      }
      this.update(input, 'bad', 'bad', this.status.reconnecting);
      return actions;
    }
    // Our link is up, but the other side's media stopped arriving (its network dropped, or Janus lost it):
    // the same "Reconnecting" and the same limit, without restarts of ours (nothing is wrong here).
    const silent = nothingArrives(s, input);
    if (silent) {
      this.silentSince ??= now;
      const quiet = now - this.silentSince;
      if (quiet >= this.t.giveUpAfterMs) {
        this.silentSince = undefined;
        actions.push({ type: 'give-up' });
        this.update(input, 'bad', 'bad', false);
        return actions;
      }
      // Nothing arrives at all: that is not voice breaking up, nor a reason to step our video down.
      const reconnecting = this.status.reconnecting || quiet >= this.t.restartAfterMs + 1000;
      if (reconnecting && !this.status.reconnecting) actions.push({ type: 'reconnecting' });
      this.update(input, sendLevel(s, input.mayVideo && !this.videoOff, this.tier), 'bad', reconnecting);
      return actions;
    }
    this.silentSince = undefined;
    if (this.reconnectingSince !== undefined || (this.status.reconnecting && !silent)) {
      this.reconnectingSince = undefined;
      if (this.status.reconnecting) actions.push({ type: 'reconnected' });
      // The path changed: start the ladder afresh from the readings to come.
      this.down = 0;
      this.up = 0;
    }

    const rx = receiveLevel(s, input.expectAudio, input.expectVideo);
    const sendingVideo = input.mayVideo && !this.videoOff;
    const send = worst(sendLevel(s, sendingVideo, this.tier), sendingVideo ? input.peerRx : undefined);

    // ---- what we receive: voice breaking up is said, nothing is switched ----
    if (atLeast(rx.audio, 'poor')) {
      this.voiceGood = 0;
      if (++this.voiceBad >= this.t.voicePoorAfter && !this.voicePoor) {
        this.voicePoor = true;
        actions.push({ type: 'voice-poor' });
      }
    } else {
      this.voiceBad = 0;
      if (this.voicePoor && ++this.voiceGood >= this.t.voiceBackAfter) {
        this.voicePoor = false;
        this.voiceGood = 0;
        actions.push({ type: 'voice-back' });
      }
    }

    // ---- what we send: the ladder ----
    if (!input.mayVideo) {
      // Paused by hand, watch-only, voice: nothing to adapt, and a network fallback is forgotten.
      this.videoOff = false;
      this.down = this.up = this.offFor = 0;
    } else if (this.videoOff) {
      // Voice only for the network. Video comes back once voice has been clean for long enough — and the
      // queues are empty (a round trip under 400 ms): a comeback tried on a link still full would fail and,
      // failing soon, double the wait for the real one.
      const clean = !atLeast(send, 'poor') && (input.peerRx === undefined || !atLeast(input.peerRx, 'poor')) && (s.rttMs === undefined || s.rttMs < 400);
      this.offFor = clean ? this.offFor + 1 : 0;
      if (this.offFor >= this.backAfter) {
        this.videoOff = false;
        this.offFor = 0;
        this.down = this.up = 0;
        this.backAt = now;
        // Back at the lowest tier: the ladder climbs from there.
        this.tier = 2;
        actions.push({ type: 'tier', tier: 2 }, { type: 'video-back' });
      }
    } else if (atLeast(send, 'poor')) {
      this.up = 0;
      this.down++;
      if (this.tier < 2 && this.down >= this.t.stepDownAfter) {
        // Nothing gets through at all (bad, not just poor): straight to the lowest tier, no stop in between.
        this.tier = send === 'bad' ? 2 : ((this.tier + 1) as SendTier);
        this.down = 0;
        if (this.climbedAt !== undefined && now - this.climbedAt < 20_000) this.upAfter = Math.min(this.upAfter * 2, 64);
        this.climbedAt = undefined;
        actions.push({ type: 'tier', tier: this.tier });
      } else if (this.tier === 2 && this.down >= this.t.fallBackAfter) {
        this.videoOff = true;
        this.down = 0;
        // A comeback that did not last: wait longer next time.
        const shortLived = this.backAt !== undefined && now - this.backAt < 30_000;
        this.backAfter = shortLived ? Math.min(this.t.maxVideoBackAfter, this.backAfter * 2) : this.t.videoBackAfter;
        actions.push({ type: 'video-off' });
      }
    } else {
      this.down = 0;
      const climb = send === 'good' && roomToClimb(s, this.tier);
      if (climb && ++this.up >= this.upAfter) {
        this.tier = (this.tier - 1) as SendTier;
        this.up = 0;
        this.climbedAt = now;
        actions.push({ type: 'tier', tier: this.tier });
      } else if (!climb) this.up = 0;
    }

    this.update(input, send, rx.level, false);
    return actions;
  }

  private update(input: NetworkInput, send: QualityLevel, rx: QualityLevel, reconnecting: boolean): void {
    // With our video off for the network the call is at best fair, however clean the voice.
    const level = worst(send, rx, this.videoOff || this.voicePoor ? 'poor' : 'good', this.tier > 0 && input.mayVideo ? 'fair' : 'good');
    this.status = { level: reconnecting ? 'bad' : level, send, rx, tier: this.tier, videoOff: this.videoOff, voicePoor: this.voicePoor, reconnecting };
  }
}
