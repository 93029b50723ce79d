import type { SignalChannel, SignalMessage } from '../chat/index.js';
import { DEVICE_PROBLEM_TEXT } from '../janus/device-problem.js';
import type { LocalMediaState } from '../janus/videoroom-call.js';
import { sendsVideo, type ConversationDescriptor, type NetworkStep, type VideoMode } from '../protocol/index.js';
import { TypedEventTarget } from '../util/typed-event-target.js';
import { CodedError, english } from '../i18n/index.js';
import { useVideoCatalogue } from '../i18n/video.js';
import { covers, mediaScope, widen, type ConsentStore } from './consent.js';
import type { CallQuality, DeviceLists, DeviceProblem, LocalMediaStatus, VideoController, VideoEventDetails, VideoState } from './conversation-state.js';
import { INVITE_TTL_MS, initialVideoState, NO_LOCAL, NO_REMOTE, WARM_AFTER_END_MS, type VideoSessionOptions } from './video-state.js';
import type { VideoBackend, VideoCall } from './video-backend.js';
import { browserSupport } from '../janus/browser-support.js';
import { readCallStats, type StatsCounters } from '../janus/call-stats.js';
import { DEFAULT_TIMINGS, NetworkPolicy, QUALITY_LEVELS, TIER_ENCODING, type NetworkAction, type NetworkTimings, type QualityLevel } from './call-network.js';

// Its errors are the video's texts (src/i18n/en-video.ts).
useVideoCatalogue();

const isCameraProblem = (p: DeviceProblem) => p === 'no-camera' || p.startsWith('camera-');

export { initialVideoState };

/** What a VideoSession runs on, from connect on. */
export interface VideoSessionLink {
  /** The chat, as the channel of the video's signals. */
  signals: SignalChannel;
  /** Where calls are made (janusVideoBackend, or a fake in tests). */
  backend: VideoBackend;
  descriptor: ConversationDescriptor;
  /** What this browser's person consented to. */
  consent: ConsentStore;
}

/** What the signals say should be running; media is reconciled to it. */
interface Desired {
  session: string;
  mode: VideoMode;
  startMuted: boolean;
}

/** A history burst settles within this long before anything is captured or answered. */
const SETTLE_MS = 60;
/** Readings (seconds) without a decoded frame, after frames came, before the other side's video counts as stalled here. */
const STALLED_READINGS = 3;

export { INVITE_TTL_MS, WARM_AFTER_END_MS };

export type { VideoSessionOptions };

/**
 * The video of one conversation: invitation and consent, the four modes,
 * pause/mute/end, restart without a second invitation. State is derived from
 * the signals in room order (so a reload replays history into the same
 * state); media is started or stopped by reconciling to that state, which
 * turns a replayed invite→answer→end into no media at all.
 *
 * Consent is local. The agent only ever asks (`video.invite`); the customer's
 * browser answers — by the customer's click, or by itself when the customer's
 * own earlier click already covers what is asked (the seed's "no second
 * invitation", for exactly the scope given: watch-only consent does not start
 * a camera). What may be captured on the customer's side is read from this
 * browser's ConsentStore, never from a message. The agent's microphone starts
 * muted unless the agent's own click in this page started the video.
 *
 * Warm start: what needs no capture is made ready before the click or answer
 * that starts the video — for an invitation on screen (warmUp), and, after
 * End, by keeping the call that ran in this page parked (camera and
 * microphone released, nothing flowing, handles and PeerConnections kept)
 * for the next video of the conversation ("Video chat again"). Consent is
 * untouched by either: the same click or the same covered answer starts
 * capture, on a warm call instead of a new one.
 */
export class VideoSession extends TypedEventTarget<VideoEventDetails> implements VideoController {
  private _state: VideoState = initialVideoState();
  private bound?: VideoSessionLink;
  private desired?: Desired;
  private call?: VideoCall;
  private callSession?: string;
  private reconcileTimer?: ReturnType<typeof setTimeout>;
  private autoTimer?: ReturnType<typeof setTimeout>;
  private disposed = false;
  private readonly offs: Array<() => void> = [];
  /** Agent: invitations this page sent (the agent's own clicks). */
  private readonly invitedHere = new Set<string>();
  /** Agent: the widest capture the customer has accepted so far. Only a UI hint: the customer's browser decides. */
  private customerScope?: 'camera' | 'microphone';
  /** Customer: an invitation this browser will answer by itself once history has settled. */
  private autoAnswer?: { id: string; mode: VideoMode };
  private readonly answered = new Set<string>();
  /** The other side's VideoRoom feed per video session, from its signed announcements. */
  private readonly peerFeeds = new Map<string, string>();
  /** The current call is up (published or receiving): 'active' as soon as it is wanted. */
  private callLive = false;
  /** Sessions this page started or answered itself: no history burst to wait for. */
  private readonly liveHere = new Set<string>();
  private warmTimer?: ReturnType<typeof setTimeout>;
  private ttlTimer?: ReturnType<typeof setTimeout>;
  private readonly warmStart: boolean;
  private readonly inviteTtlMs: number;
  private readonly warmAfterEndMs: number;
  /**
   * The call of a video that ended in this page, parked (devices released,
   * nothing flowing, handles and PeerConnections kept) for the next video of
   * this conversation: see park(). Never made for signals replayed from
   * history — only a call this page really started is ever kept.
   */
  private parked?: { call: VideoCall; feed?: string; timer: ReturnType<typeof setTimeout> };
  /** Our feed in the current call, as Janus accepted it (announced again when a parked call serves a new video). */
  private callFeed?: string;

  /** The running call has reported its capture (its first local state): from then on media.state is sent. */
  private captured = false;
  /** The last media.state this call sent (as JSON), so each change goes out once. */
  private lastReport?: string;

  // ---- the network watch of the running call ----
  private readonly network: { enabled: boolean; intervalMs: number; reportEveryMs: number; timings: NetworkTimings };
  private policy?: NetworkPolicy;
  private statsTimer?: ReturnType<typeof setTimeout>;
  private counters?: StatsCounters;
  private freezes = 0;
  /** Frames of the other side's video were decoded in this call, and for how many readings none have been since. */
  private sawFrames = false;
  private stalledFor = 0;
  /** `rx` as told to the other side, and a new level waiting to be confirmed by a second reading. */
  private rxSaid?: QualityLevel;
  private rxNext?: QualityLevel;
  private lastQualityKey?: string;
  private lastQualityAt = 0;
  private unwatchPath?: () => void;
  /** Our audio is capped for a bad link (see watchNetwork). */
  private lowAudio = false;

  constructor(options: VideoSessionOptions = {}) {
    super();
    this.warmStart = options.warmStart ?? true;
    this.inviteTtlMs = options.inviteTtlMs ?? INVITE_TTL_MS;
    this.warmAfterEndMs = options.warmAfterEndMs ?? WARM_AFTER_END_MS;
    const n = options.network ?? {};
    this.network = {
      enabled: n.enabled ?? true,
      intervalMs: n.intervalMs ?? 1000,
      reportEveryMs: n.reportEveryMs ?? 10_000,
      timings: { ...DEFAULT_TIMINGS, ...n.timings },
    };
    if (!(options.supported ?? browserSupport().video)) this._state = { ...this._state, unsupported: true };
  }

  /** Starting or accepting video in a browser that cannot capture: say so, in the viewer's language. */
  private assertSupported(): void {
    if (this._state.unsupported) throw new CodedError('video.unsupported');
  }

  /** The video is usable once the conversation connects (bind); until then its state is idle and actions throw. */
  bind(link: VideoSessionLink): void {
    if (this.bound) throw new Error('VideoSession is already bound to a conversation');
    if (this.disposed) return;
    this.bound = link;
    this.offs.push(
      link.signals.on('signal', ({ message, mine }) => this.onSignal(message, mine)),
      link.backend.onSessionReplaced(() => {
        // Our handles died with the old session: rebuild the call if video should run, or the warm state if an invitation waits.
        // A parked call is not rebuilt: the next video starts cold.
        this.dropParked();
        this.stopCall();
        this.scheduleReconcile();
        this.scheduleWarm();
      }),
    );
    if (this.role === 'customer' && this.localScope() !== undefined) this.update({ consented: true });
  }

  get state(): VideoState {
    return this._state;
  }

  private get link(): VideoSessionLink {
    if (!this.bound) throw new Error('not connected');
    return this.bound;
  }

  private get descriptor(): ConversationDescriptor {
    return this.link.descriptor;
  }

  private get role() {
    return this.descriptor.self.role;
  }

  private localScope(): 'camera' | 'microphone' | undefined {
    return this.link.consent.load(this.descriptor.id).media;
  }

  /** Customer: records what this person just clicked for. Consent only widens, and only here. */
  private grant(scope: 'camera' | 'microphone'): void {
    const { consent } = this.link;
    const record = consent.load(this.descriptor.id);
    record.media = widen(record.media, scope);
    consent.save(this.descriptor.id, record);
    this.update({ consented: true });
  }

  start(mode: VideoMode): void {
    this.assertSupported();
    if (this.role === 'customer') {
      if (mode !== 'two-way' && mode !== 'one-way-agent') throw new RangeError(`a customer can start 'two-way' or 'one-way-agent', not '${mode}'`);
      this.grant(mediaScope('customer', mode));
      const session = newSessionId();
      this.liveHere.add(session);
      this.link.signals.sendSignal('video.start', { mode, session });
      return;
    }
    const env = this.link.signals.sendSignal('video.invite', { mode });
    this.invitedHere.add(env.id);
  }

  answer(accept: VideoMode | false): void {
    const invite = this._state.invite;
    if (this.role !== 'customer' || this._state.phase !== 'invited' || !invite) throw new Error('no invitation to answer');
    if (accept !== false) {
      this.assertSupported();
      const allowed: VideoMode[] = invite.mode === 'two-way' ? ['two-way', 'one-way-agent'] : [invite.mode];
      if (!allowed.includes(accept)) throw new RangeError(`cannot accept a ${invite.mode} invitation as ${accept}`);
      this.grant(mediaScope('customer', accept));
      this.liveHere.add(invite.id);
      // This click is the consent: capture and send now, on whatever is already warm.
      if (this.callSession === invite.id && this.call) void this.startCall(this.call, invite.id, accept);
    } else if (this.callSession === invite.id) {
      // Declined: what was warmed up goes at once.
      this.stopCall();
    }
    this.link.signals.sendSignal('video.answer', { inviteId: invite.id, accept });
  }

  end(): void {
    if (!this.bound) return;
    const session = this.desired?.session ?? (this.role === 'agent' ? this._state.invite?.id : undefined);
    if (!session) return;
    // Ending a pending invitation withdraws it on both sides (its id becomes the session id if accepted).
    this.link.signals.sendSignal('video.end', { session });
  }

  setMuted(muted: boolean): void {
    if (!this.call?.isStarted) return;
    this.call.setMuted(muted);
    this.update({ unmutePrompt: muted && this._state.unmutePrompt });
  }

  async setPaused(paused: boolean): Promise<void> {
    if (!this.call?.isStarted) return;
    // A click wins over the network: a resume ends a network fallback, a pause is never undone by recovery.
    this.policy?.reset();
    await this.call.setVideoPaused(paused);
  }

  async switchDevice(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    if (this.call?.isStarted) await this.call.switchDevice(kind, deviceId);
  }

  listDevices(): Promise<DeviceLists> {
    return this.link.backend.listDevices();
  }

  /**
   * ICE restart of the running call (both PeerConnections), media and
   * tracks kept, at once: for a host that knows the network changed. The
   * call does it by itself when a connection drops, and when the browser
   * says it is online again or its connection type changed and nothing gets
   * through 2 s later.
   */
  async restartIce(): Promise<void> {
    if (this.call?.isStarted) await this.call.restartIce();
  }

  /** Open PeerConnections of the running call (tests and diagnostics); a warm call that captured nothing is not running. */
  peerConnections(): RTCPeerConnection[] {
    return this.call?.isStarted ? this.call.peerConnections() : [];
  }

  /** Open PeerConnections of a warm call waiting for an answer (tests and diagnostics). */
  warmPeerConnections(): RTCPeerConnection[] {
    return this.call && !this.call.isStarted ? this.call.peerConnections() : [];
  }

  /** The other side's feed this side subscribes to (tests and diagnostics). */
  get subscribedFeed(): string | undefined {
    return this.call?.subscribed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.reconcileTimer);
    clearTimeout(this.autoTimer);
    clearTimeout(this.warmTimer);
    clearTimeout(this.ttlTimer);
    clearTimeout(this.statsTimer);
    for (const off of this.offs) off();
    this.stopCall();
    this.dropParked();
  }

  /**
   * The conversation ended (the broker destroyed its rooms): whatever runs
   * stops at once (camera and microphone released: the light goes off),
   * nothing is kept warm or parked, a pending invitation is gone and the
   * state is idle. Janus kicks us out of the destroyed VideoRoom but does not
   * release our devices or handles: without this a call that ran when the
   * conversation ended kept capturing until the page closed it.
   */
  conversationEnded(): void {
    if (this.disposed) return;
    for (const t of [this.reconcileTimer, this.autoTimer, this.warmTimer, this.ttlTimer]) clearTimeout(t);
    this.autoAnswer = undefined;
    const session = this.desired?.session;
    this.desired = undefined;
    this.stopCall();
    this.dropParked();
    this.update({ phase: 'idle', mode: undefined, invite: undefined, unmutePrompt: false, remote: NO_REMOTE });
    if (session) this.emit('video-end', { session, reason: 'remote' });
  }

  private onSignal(m: SignalMessage, mine: boolean): void {
    switch (m.type) {
      case 'video.invite':
        this.onInvite(m.id, m.body.mode, mine);
        break;
      case 'video.answer':
        this.onAnswer(m.body.inviteId, m.body.accept, m.body.auto === true);
        break;
      case 'video.start': {
        // Only the customer starts video by itself (the role is checked on receipt).
        this.customerScope = widen(this.customerScope, mediaScope('customer', m.body.mode));
        this.update({ consented: true, invite: undefined });
        // Seed: when the customer starts, the agent's video streams at once and its microphone starts muted.
        this.begin({ session: m.body.session, mode: m.body.mode, startMuted: this.role === 'agent' }, 'customer');
        break;
      }
      case 'video.end': {
        const session = m.body.session;
        if (this.autoAnswer?.id === session) this.autoAnswer = undefined;
        if (this.desired?.session !== session) {
          // A withdrawn (or expired) invitation: what was warmed up for it goes too.
          if (this.callSession === session) this.stopCall();
          if (this._state.invite?.id === session && !this.desired) {
            this.answered.add(session);
            this.update({ phase: 'idle', invite: undefined });
          }
          return;
        }
        this.desired = undefined;
        this.update({ phase: 'idle', mode: undefined, unmutePrompt: false, remote: NO_REMOTE });
        // Stopping is immediate (camera light off now); only starting waits for history to settle.
        // The plumbing of a call that ran here stays warm for "Video chat again", unless the network is why it ended.
        if (m.body.reason === 'network') this.stopCall();
        else this.parkCall(session);
        this.emit('video-end', { session, reason: mine ? 'local' : 'remote', ...(m.body.reason === 'network' ? { network: true } : {}) });
        break;
      }
      case 'media.network':
        this.emit('network-step', { session: m.body.session, step: m.body.step, mine, id: m.id });
        break;
      case 'video.publish': {
        if (mine) return;
        this.peerFeeds.set(m.body.session, m.body.feed);
        if (this.callSession === m.body.session) this.call?.setPeerFeed(m.body.feed);
        break;
      }
      case 'media.state': {
        if (mine) return;
        const { audio, video, muted, paused, problems, net, rx } = m.body;
        this.update({
          remote: {
            audio, video, ...(muted ? { muted } : {}), ...(paused ? { paused } : {}), ...(problems?.length ? { problems } : {}),
            ...(net === 'video-off' ? { netOff: true } : {}), ...(rx ? { rx } : {}), reported: true,
          },
        });
        this.emit('media-state', { local: this._state.local, remote: this._state.remote });
        break;
      }
    }
  }

  private onInvite(id: string, mode: VideoMode, mine: boolean): void {
    if (this.desired || this.answered.has(id)) return; // video already running, or answered earlier in history
    const needed = mediaScope('customer', mode);
    if (this.role === 'agent') {
      // Sent by us (here or on an earlier page). Whether the customer is asked is the customer's browser's call;
      // we expect no question when what it accepted before covers this.
      const expectAsk = !covers(this.customerScope, needed);
      // Starting without a question: the frame opens now, in the mode of the video to come (a voice call shows no video box).
      this.update(expectAsk ? { phase: 'inviting', invite: { id, mode }, answer: undefined } : { phase: 'starting', mode, invite: { id, mode }, answer: undefined });
      if (expectAsk) this.emit('video-invite', { inviteId: id, mode, from: 'agent' });
      if (this.invitedHere.has(id)) {
        // The agent chose video by this click: its side gets ready now (no capture yet: that comes with the answer).
        this.warmUp();
        this.armTtl(id);
      }
      return;
    }
    if (mine) return;
    if (covers(this.localScope(), needed)) {
      // No second invitation for what this person already agreed to: answer once history has settled.
      this.autoAnswer = { id, mode };
      clearTimeout(this.autoTimer);
      this.autoTimer = setTimeout(() => this.answerByConsent(), SETTLE_MS);
      return;
    }
    this.autoAnswer = undefined;
    this.update({ phase: 'invited', invite: { id, mode }, answer: undefined });
    this.emit('video-invite', { inviteId: id, mode, from: 'agent' });
    this.scheduleWarm();
  }

  /** Once history has settled, warm up for the invitation on screen (nothing is captured on either side). */
  private scheduleWarm(): void {
    clearTimeout(this.warmTimer);
    if (!this.warmStart || this.disposed || !this.bound || this._state.unsupported) return;
    this.warmTimer = setTimeout(() => this.warmUp(), SETTLE_MS);
  }

  private warmUp(): void {
    const invite = this._state.invite;
    if (!this.warmStart || this.disposed || !invite || this.desired || this.callSession === invite.id) return;
    let sendVideo: boolean;
    if (this.role === 'agent') {
      // Only for an invitation of this page's own click. What the agent sends depends on the invitation only.
      if (!this.invitedHere.has(invite.id)) return;
      sendVideo = sendsVideo('agent', invite.mode);
    } else {
      if (this._state.phase !== 'invited') return;
      // Ready for the most the invitation may be accepted with; Accept narrows it.
      sendVideo = mediaScope('customer', invite.mode) === 'camera';
    }
    // "Video chat again": the call parked at the last End is already up; nothing is captured either way.
    const call = this.adoptParked(invite.id, sendVideo) ?? this.createCall(invite.id, sendVideo, false);
    call.prepare().catch(() => {
      // Not warm after all (gateway away, room refused): Accept starts cold.
      if (this.call === call && !call.isStarted) this.stopCall();
    });
    this.armTtl(invite.id);
  }

  /**
   * An invitation that waits longer than inviteTtlMs: the page that sent it
   * withdraws it; the customer's page lets its warm state go.
   */
  private armTtl(inviteId: string): void {
    clearTimeout(this.ttlTimer);
    this.ttlTimer = setTimeout(() => {
      if (this.disposed || this.desired || this._state.invite?.id !== inviteId) return;
      if (this.role === 'agent') this.link.signals.sendSignal('video.end', { session: inviteId });
      else if (this.callSession === inviteId && !this.call?.isStarted) this.stopCall();
    }, this.inviteTtlMs);
  }

  private answerByConsent(): void {
    const pending = this.autoAnswer;
    if (!pending || this.disposed || this.desired || this.answered.has(pending.id) || !covers(this.localScope(), mediaScope('customer', pending.mode))) {
      this.autoAnswer = undefined;
      return;
    }
    // Kept until our own answer comes back through onAnswer, which starts the video (at once: history has settled).
    this.liveHere.add(pending.id);
    this.link.signals.sendSignal('video.answer', { inviteId: pending.id, accept: pending.mode, auto: true });
  }

  private onAnswer(inviteId: string, accept: VideoMode | false, auto: boolean): void {
    if (this.answered.has(inviteId)) return;
    const invite = this._state.invite?.id === inviteId ? this._state.invite : this.autoAnswer?.id === inviteId ? this.autoAnswer : undefined;
    // On the agent's side an answer may come for an invitation sent before a reload whose invite scrolled out of history.
    if (!invite && this.role === 'customer') return;
    this.answered.add(inviteId);
    if (this.autoAnswer?.id === inviteId) this.autoAnswer = undefined;
    if (!auto) this.emit('invite-answer', { inviteId, accept });
    if (accept === false) {
      // The agent's call started at its click, the customer's was warm: both go.
      if (this.callSession === inviteId) this.stopCall();
      this.update({ phase: 'idle', invite: undefined, answer: { inviteId, accept } });
      return;
    }
    this.customerScope = widen(this.customerScope, mediaScope('customer', accept));
    this.update({ consented: true, invite: undefined, answer: { inviteId, accept } });
    // The agent asked: its microphone is live only if the click was made in this very page.
    this.begin({ session: inviteId, mode: accept, startMuted: this.role === 'agent' && !this.invitedHere.has(inviteId) }, 'agent');
  }

  private begin(desired: Desired, initiator: 'agent' | 'customer'): void {
    this.desired = desired;
    clearTimeout(this.ttlTimer);
    clearTimeout(this.warmTimer);
    const running = this.callSession === desired.session && this.call?.isStarted ? this.call : undefined;
    this.update({
      phase: running && this.callLive ? 'active' : 'starting',
      mode: desired.mode,
      unmutePrompt: desired.startMuted,
      // What the other side sent is said again for this video (room order: its media.state follows the start).
      remote: NO_REMOTE,
      // A call already running (started at a click) keeps what it reported.
      ...(running ? {} : { problems: [], problemCodes: [] }),
      error: undefined,
      errorCoded: undefined,
      ...(running ? { localStream: running.local, remoteStream: running.remote } : {}),
    });
    this.emit('video-start', { session: desired.session, mode: desired.mode, initiator });
    if (this.liveHere.has(desired.session) || (this.callSession === desired.session && !running)) {
      // Our own click, our own answer after history settled, or the answer to what this page warmed up for: no burst to wait for.
      clearTimeout(this.reconcileTimer);
      void this.reconcile();
    } else this.scheduleReconcile();
  }

  private scheduleReconcile(): void {
    clearTimeout(this.reconcileTimer);
    // A short delay lets a burst of replayed history settle before any camera opens.
    this.reconcileTimer = setTimeout(() => void this.reconcile(), SETTLE_MS);
  }

  private async reconcile(): Promise<void> {
    if (this.disposed) return;
    const want = this.desired;
    if (this.callSession && this.callSession !== want?.session) this.stopCall();
    if (!want || (this.callSession === want.session && this.call?.isStarted)) return;
    let sendVideo = sendsVideo(this.role, want.mode);
    if (this.role === 'customer') {
      // What this browser's person clicked for, whatever the signals say.
      const scope = this.localScope();
      if (!scope) {
        this.stopCall();
        this.update({ phase: 'idle', error: english('video.other-window'), errorCoded: { code: 'video.other-window' } });
        return;
      }
      sendVideo = sendVideo && scope === 'camera';
    }
    const warm = this.callSession === want.session ? this.call : this.adoptParked(want.session, sendVideo);
    await this.startCall(warm ?? this.createCall(want.session, sendVideo, want.startMuted), want.session, want.mode, sendVideo);
  }

  /**
   * End of a video this page ran: the call is parked rather than stopped
   * when it can be (warm start on, its plumbing up): camera and microphone
   * released at once, nothing sent or shown, its handles and PeerConnections
   * kept for the next video of this conversation until warmAfterEndMs pass,
   * the gateway session is rebuilt, the room is destroyed (the conversation
   * ended), or this session is disposed (the page's conversation closes).
   */
  private parkCall(session: string): void {
    const call = this.callSession === session && this.call?.isStarted ? this.call : undefined;
    if (!call || !this.warmStart || this.warmAfterEndMs <= 0 || this.disposed) {
      this.stopCall();
      return;
    }
    const feed = this.callFeed;
    this.releaseCall();
    this.update({ local: NO_LOCAL, localStream: undefined, remoteStream: undefined, quality: undefined });
    this.dropParked();
    if (!call.park()) {
      call.stop();
      return;
    }
    this.parked = { call, feed, timer: setTimeout(() => this.dropParked(), this.warmAfterEndMs) };
  }

  /**
   * The parked call made the call of `session`, if it can carry it (a camera
   * sender when video is to be sent, its connection still up); announced
   * again under the new session so a side that starts cold subscribes to it.
   */
  private adoptParked(session: string, sendVideo: boolean): VideoCall | undefined {
    const p = this.parked;
    if (!p) return undefined;
    this.parked = undefined;
    clearTimeout(p.timer);
    if (!p.call.canRestart(sendVideo)) {
      p.call.stop();
      return undefined;
    }
    this.stopCall();
    this.call = p.call;
    this.callSession = session;
    this.callLive = false;
    this.callFeed = p.feed;
    const peer = this.peerFeeds.get(session);
    if (peer) p.call.setPeerFeed(peer);
    if (p.feed) this.link.signals.sendSignal('video.publish', { session, feed: p.feed });
    return p.call;
  }

  private dropParked(): void {
    const p = this.parked;
    if (!p) return;
    this.parked = undefined;
    clearTimeout(p.timer);
    p.call.stop();
  }

  /** A call for `session`, wired to this session's state; started (capture) only by startCall. */
  private createCall(session: string, sendVideo: boolean, startMuted: boolean): VideoCall {
    this.stopCall();
    // One call of ours in the room at a time: a parked one that could not serve this video goes.
    this.dropParked();
    const call = this.link.backend.call({
      room: this.descriptor.videoRoom.room,
      pin: this.descriptor.videoRoom.pin,
      token: this.descriptor.token,
      feedId: `${this.descriptor.self.id.slice(0, 40)}~${globalThis.crypto.randomUUID().replace(/-/g, '')}`,
      peerFeed: this.peerFeeds.get(session),
      display: this.descriptor.self.display,
      sendVideo,
      startMuted,
      // The customer's media may reach the agent before the agent's side starts; never the other way round.
      receiveBeforeStart: this.role === 'agent',
    });
    this.call = call;
    this.callSession = session;
    this.callLive = false;
    this.callFeed = undefined;
    // The call may serve a later video too (parked, then adopted): the session is always the current one.
    const mine = () => this.call === call;
    const wanted = () => !!this.desired && this.desired.session === this.callSession;
    const live = () => {
      if (!mine()) return;
      this.callLive = true;
      if (wanted()) this.update({ phase: 'active' });
    };
    call.on('joined', ({ feed }) => {
      if (!mine() || !this.callSession) return;
      this.callFeed = feed;
      // The id is ours now (Janus refuses a second publisher with it): tell the other side, signed.
      this.link.signals.sendSignal('video.publish', { session: this.callSession, feed });
    });
    call.on('local', ({ stream, state }) => { if (mine()) this.onLocal(stream, state); });
    call.on('remote', ({ stream }) => {
      if (!mine() || !call.isStarted) return;
      if (wanted()) this.update({ remoteStream: stream });
      if (stream.getTracks().length > 0) live();
    });
    call.on('published', live);
    call.on('device-problem', ({ problem }) => {
      if (!mine()) return;
      this.setProblems([...new Set([...(this._state.problemCodes ?? []), problem])]);
      this.reportMedia();
    });
    call.on('failed', ({ reason }) => {
      if (mine()) this.update({ error: reason, errorCoded: undefined });
      // Parked and broken (the room destroyed with the conversation, Janus hung up): nothing left worth keeping.
      else if (this.parked?.call === call) this.dropParked();
    });
    call.on('connection', ({ state }) => {
      if (state === 'failed' && this.parked?.call === call) this.dropParked();
    });
    return call;
  }

  /** Captures and sends on `call` (prepared or not) for `mode`; its streams are shown once the video is wanted. */
  private async startCall(call: VideoCall, session: string, mode: VideoMode, sendVideo?: boolean): Promise<void> {
    if (call.isStarted) return;
    if (sendVideo === undefined) {
      sendVideo = sendsVideo(this.role, mode);
      if (this.role === 'customer') sendVideo = sendVideo && this.localScope() === 'camera';
    }
    if (this.desired?.session === session) this.update({ localStream: call.local, remoteStream: call.remote });
    // A parked call starts as a new one would: the agent's microphone muted unless its own click started the video.
    const muted = this.desired?.session === session && this.desired.startMuted;
    try {
      await call.start(undefined, { sendVideo, muted });
      if (this.call === call) this.watchNetwork(call, session);
    } catch (e) {
      if (this.call !== call) return;
      const reason = e instanceof Error ? e.message : String(e);
      this.update({ error: english('video.start-failed', { reason }), errorCoded: { code: 'video.start-failed', params: { reason } } });
    }
  }

  private onLocal(stream: MediaStream, s: LocalMediaState): void {
    const local: LocalMediaStatus = { audio: s.audio, video: s.video, muted: s.muted, paused: s.paused, ...(s.netOff ? { netOff: true } : {}), videoAllowed: s.videoAllowed };
    // A device that is live now has no problem any more (a camera that was busy and came back on resume).
    const codes = (this._state.problemCodes ?? []).filter((p) => !(isCameraProblem(p) ? local.video : local.audio));
    if (codes.length !== (this._state.problemCodes ?? []).length) this.setProblems(codes);
    const micProblem = codes.some((p) => !isCameraProblem(p));
    // No prompt to unmute a microphone that is not there.
    this.update({ localStream: stream, local, unmutePrompt: this._state.unmutePrompt && s.muted && !micProblem });
    // A warm call reports its empty senders before any capture: nothing to tell the other side yet.
    if (this.call?.isStarted) this.captured = true;
    this.reportMedia();
    this.emit('media-state', { local, remote: this._state.remote });
  }

  private setProblems(codes: DeviceProblem[]): void {
    this.update({ problemCodes: codes, problems: codes.map((p) => DEVICE_PROBLEM_TEXT[p]) });
  }

  /**
   * Janus does not tell the other side about mute, pause or a blocked
   * device: we do, whenever any of it changes, and once capture is done even
   * when nothing goes out (so the other side is told at once, not left waiting).
   */
  private reportMedia(): void {
    if (!this.call || !this.captured) return;
    const { audio, video, muted, paused, netOff } = this._state.local;
    const problems = this._state.problemCodes ?? [];
    const body = {
      audio, video, ...(muted ? { muted } : {}), ...(paused ? { paused } : {}), ...(problems.length ? { problems: [...problems] } : {}),
      ...(netOff ? { net: 'video-off' as const } : {}), ...(this.rxSaid ? { rx: this.rxSaid } : {}),
    };
    const text = JSON.stringify(body);
    if (text === this.lastReport) return;
    this.lastReport = text;
    this.link.signals.sendSignal('media.state', body);
  }

  private stopCall(): void {
    const call = this.releaseCall();
    if (!call) return;
    call.stop();
    this.update({ local: NO_LOCAL, localStream: undefined, remoteStream: undefined, quality: undefined });
  }

  /** The current call is no longer this session's (stopped or parked by the caller): returns it. */
  private releaseCall(): VideoCall | undefined {
    const call = this.call;
    this.call = undefined;
    this.callSession = undefined;
    this.callLive = false;
    this.callFeed = undefined;
    this.captured = false;
    this.lastReport = undefined;
    this.stopNetworkWatch();
    return call;
  }

  /**
   * Once a second while `call` runs: a getStats reading, the policy's
   * decisions applied (encoding tier, video off and back, ICE restart, give
   * up), the quality in the state and, throttled, in `call-quality`.
   */
  private watchNetwork(call: VideoCall, session: string): void {
    if (!this.network.enabled) return;
    this.stopNetworkWatch();
    const policy = (this.policy = new NetworkPolicy(this.network.timings));
    // A new network path (Wi-Fi to mobile, back online): restarted soon if nothing gets through on it (the policy
    // checks, see pathCheckAfterMs). Not while the browser is offline: a restart's request would only queue up
    // on the dead socket, and its late answer hold up the call when the path is back.
    const onPathChange = () => {
      if (this.policy === policy && globalThis.navigator?.onLine !== false) policy.pathChanged(Date.now());
    };
    const conn = (globalThis.navigator as Navigator & { connection?: EventTarget } | undefined)?.connection;
    globalThis.addEventListener?.('online', onPathChange);
    conn?.addEventListener('change', onPathChange);
    this.unwatchPath = () => {
      globalThis.removeEventListener?.('online', onPathChange);
      conn?.removeEventListener('change', onPathChange);
    };
    const tick = async () => {
      if (this.call !== call || this.policy !== policy) return;
      try {
        const reports = await call.stats();
        if (this.call !== call || this.policy !== policy) return;
        const now = Date.now();
        const { sample, counters } = readCallStats(reports, this.counters, now);
        const first = !this.counters;
        this.counters = counters;
        // The first reading only sets the counters: rates need two.
        if (!first && this._state.phase === 'active') {
          const { local, remote, problemCodes } = this._state;
          const actions = policy.tick({
            sample,
            now,
            mayVideo: local.videoAllowed && !local.paused && !(problemCodes ?? []).some(isCameraProblem),
            expectAudio: !!remote.reported && (remote.audio || !!remote.muted),
            expectVideo: remote.video,
            peerRx: remote.rx,
          });
          this.freezes += sample.recvFreezes ?? 0;
          const frames = sample.recvFramesDecoded ?? 0;
          if (frames > 0) this.sawFrames = true;
          const sent = remote.video && !remote.netOff && !remote.paused;
          this.stalledFor = sent && this.sawFrames && frames === 0 ? this.stalledFor + 1 : 0;
          const st = policy.current;
          this.applyNetwork(actions, call, session, policy);
          // Voice and chat share what is left of a bad link: audio at 16 kbit/s (Opus stays intelligible) while it is bad.
          const lowAudio = st.videoOff || st.voicePoor || remote.rx === 'poor' || remote.rx === 'bad';
          if (lowAudio !== this.lowAudio) {
            this.lowAudio = lowAudio;
            void call.setSendEncoding('audio', { maxBitrate: lowAudio ? 16_000 : 64_000 }).catch(() => {});
          }
          this.sayRx(st.rx);
          const worse = (a?: number, b?: number) => (a ?? b) === undefined ? undefined : Math.max(a ?? 0, b ?? 0);
          const quality: CallQuality = {
            ...st,
            freezes: this.freezes,
            rttMs: sample.rttMs,
            availableOutKbps: sample.availableOutKbps,
            lossUp: worse(sample.upLossVideo, sample.upLossAudio),
            lossDown: worse(sample.downLossVideo, sample.downLossAudio),
            sentHeight: sample.sentHeight,
            sentFps: sample.sentFps,
            recvHeight: sample.recvHeight,
            recvFps: sample.recvFps,
            ...(this.stalledFor >= STALLED_READINGS ? { videoStalled: true } : {}),
          };
          this.update({ quality });
          const key = `${st.level}/${st.tier}/${st.videoOff}/${st.voicePoor}/${st.reconnecting}/${!!quality.videoStalled}`;
          if (key !== this.lastQualityKey || now - this.lastQualityAt >= this.network.reportEveryMs) {
            this.lastQualityKey = key;
            this.lastQualityAt = now;
            this.emit('call-quality', { quality });
          }
        }
      } catch {
        // A reading that failed (a PeerConnection closing) is just skipped.
      }
      if (this.call === call && this.policy === policy) this.statsTimer = setTimeout(() => void tick(), this.network.intervalMs);
    };
    this.statsTimer = setTimeout(() => void tick(), this.network.intervalMs);
  }

  private stopNetworkWatch(): void {
    clearTimeout(this.statsTimer);
    this.unwatchPath?.();
    this.unwatchPath = undefined;
    this.policy = undefined;
    this.counters = undefined;
    this.freezes = 0;
    this.sawFrames = false;
    this.stalledFor = 0;
    this.rxSaid = undefined;
    this.rxNext = undefined;
    this.lowAudio = false;
    this.lastQualityKey = undefined;
  }

  private applyNetwork(actions: NetworkAction[], call: VideoCall, session: string, policy: NetworkPolicy): void {
    const say = (step: NetworkStep) => this.link.signals.sendSignal('media.network', { session, step });
    for (const a of actions) {
      switch (a.type) {
        case 'tier':
          void call.setSendEncoding('video', TIER_ENCODING[a.tier]).catch(() => {});
          break;
        case 'video-off':
        case 'video-back':
          void call.setNetworkVideoOff(a.type === 'video-off').catch(() => {});
          say(a.type);
          break;
        case 'voice-poor':
        case 'voice-back':
        case 'reconnecting':
        case 'reconnected':
          say(a.type);
          break;
        case 'ice-restart':
          // Not answered (the gateway's socket stalled or lost): the next one sooner. The call runs it again itself once the socket is back.
          void call.restartIce().catch(() => { if (this.policy === policy) policy.restartFailed(Date.now()); });
          break;
        case 'give-up':
          // Said now, delivered when the chat gets through (the outbox keeps it); the camera goes off at once here.
          this.link.signals.sendSignal('video.end', { session, reason: 'network' });
          break;
      }
    }
  }

  /**
   * How we receive, told to the other side (its sender adapts): at once when
   * it gets worse than poor or fair (the sender has to act now, and this
   * message itself may be slow on the congested link), once a new level held
   * for two readings otherwise.
   */
  private sayRx(level: QualityLevel): void {
    if (level === this.rxSaid) {
      this.rxNext = undefined;
      return;
    }
    const rank = (l?: QualityLevel) => (l ? QUALITY_LEVELS.indexOf(l) : 0);
    const urgent = rank(level) >= rank('poor') && rank(level) > rank(this.rxSaid);
    if (!urgent && this.rxNext !== level) {
      this.rxNext = level;
      return;
    }
    this.rxSaid = level;
    this.rxNext = undefined;
    this.reportMedia();
  }

  private update(patch: Partial<VideoState>): void {
    this._state = { ...this._state, ...patch };
    this.emit('change', { video: this._state });
  }
}

function newSessionId(): string {
  return `v${globalThis.crypto.randomUUID().replace(/-/g, '').slice(0, 20)}`;
}
