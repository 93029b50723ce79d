import { withAbort } from '../util/abort.js';
import { TypedEventTarget } from '../util/typed-event-target.js';
import type { GatewayConnection } from './gateway-connection.js';
import { JanusPeer, setSending, type JanusHandle, type Json } from './janus-client.js';
import { capture, captureAudio, captureVideo, classifyCameraError, type DeviceProblem } from './local-media.js';

export interface VideoRoomCallOptions {
  room: string | number;
  pin?: string;
  token?: string;
  /** Our publisher id in the room: random, announced to the other side in a signed message once it is ours. */
  feedId: string;
  /**
   * The other side's feed, as its signed announcement named it (setPeerFeed
   * when it arrives later). Feed ids are chosen by clients and prove nothing,
   * so no other publisher is ever subscribed to, whatever its id looks like.
   */
  peerFeed?: string;
  display: string;
  /** The mode lets this side send video (before start: that it may; start can narrow it). */
  sendVideo: boolean;
  startMuted?: boolean;
  /**
   * Let the other side's media in before start() (default: no). Held, the
   * subscription is negotiated but Janus relays nothing to us until start():
   * what the other side sends does not reach a browser that has not accepted.
   */
  receiveBeforeStart?: boolean;
  audioDeviceId?: string;
  videoDeviceId?: string;
}

export interface LocalMediaState {
  /** A live microphone track is being sent and is not muted. */
  audio: boolean;
  /** A live camera track is being sent (not paused). */
  video: boolean;
  muted: boolean;
  /** Paused by the person's own click. */
  paused: boolean;
  /** Switched off because the network could not carry it (comes back by itself, never past a pause by hand). */
  netOff: boolean;
  /** Mode allows video from this side. */
  videoAllowed: boolean;
}

/** What start() sends, when the answer narrows what prepare() got ready for. */
export interface StartMedia {
  /**
   * false: no camera even though the call was prepared for one (e.g. "watch
   * the agent only"); true: the camera again on a parked call that was last
   * started without one (only if it was prepared with a video sender).
   */
  sendVideo?: boolean;
  /** The microphone starts muted (a parked call starts again as a new one would). */
  muted?: boolean;
}

export interface VideoRoomCallEvents {
  local: { stream: MediaStream; state: LocalMediaState };
  remote: { stream: MediaStream };
  'device-problem': { problem: DeviceProblem };
  /** The publisher is up (media flowing to Janus) */
  published: Record<string, never>;
  /** Janus accepted our publisher under `feed`: the id is ours now and can be announced. */
  joined: { feed: string };
  /** Something broke that needs a restart of the call (ICE failing is not this: the caller restarts ICE, see `connection`). */
  failed: { reason: string };
  /** A PeerConnection's state changed (for reconnect UI and ICE restart). */
  connection: { pc: 'publisher' | 'subscriber'; state: RTCPeerConnectionState };
  /** Janus sees heavy loss on a stream: `uplink` true means what we send. */
  slowlink: { uplink: boolean; lost: number; mid?: string };
}

/** What stats() returns: each PeerConnection's report and state (absent: no such PeerConnection). */
export interface CallReports {
  publisher?: RTCStatsReport;
  subscriber?: RTCStatsReport;
  publisherState?: RTCPeerConnectionState;
  subscriberState?: RTCPeerConnectionState;
}

/** The encoding parameters a sender may be tuned with (adaptation to the network). */
export type SendEncoding = Pick<RTCRtpEncodingParameters, 'maxBitrate' | 'maxFramerate' | 'scaleResolutionDownBy'>;

const JOIN_PUBLISHER = 'publisher';
/**
 * How long an ICE restart waits for each of Janus's answers before it is given up, so that the next may
 * start: on a path that just came back, a request written to the old socket waits for TCP's backed-off
 * retransmission, and Janus answered a second restart of a subscription while the first was still being
 * negotiated with nothing at all (seen in the impaired-network test).
 */
const RESTART_ANSWER_MS = 4000;
/** Where our video sender's bandwidth estimate starts (Chromium's default is 300): see withStartBitrate. */
const START_KBPS = 1000;

/**
 * One side of a conversation's video: publishes this side's tracks to the
 * VideoRoom and subscribes to the other side's feed.
 *
 * Warm start: prepare() does everything that needs no camera (handles,
 * join, a publisher PeerConnection with ICE/DTLS up whose senders carry no
 * track and are switched off, the subscription to the other side negotiated
 * but held at Janus); start() then captures and sends (replaceTrack, encoding
 * on, Janus told to relay), capture running alongside whatever signalling is
 * still under way. start() alone does both, in parallel.
 *
 * Pause sends nothing in any browser: the sender's encoding is switched off,
 * its track removed and stopped (light off), Janus told send:false; resume
 * captures again on the same sender, no renegotiation. Mute silences the
 * microphone track. stop() releases everything and is idempotent.
 *
 * park() is End for the devices only ("Video chat again" starts warm): both
 * tracks stopped, nothing sent either way, handles and PeerConnections kept;
 * start() then captures and sends on them again, as after prepare().
 */
export class VideoRoomCall extends TypedEventTarget<VideoRoomCallEvents> {
  private publisher?: JanusHandle;
  private pub?: JanusPeer;
  private audioTx?: RTCRtpTransceiver;
  private videoTx?: RTCRtpTransceiver;
  private subscriber?: JanusHandle;
  private sub?: JanusPeer;
  private subscribedFeed?: string;
  /** The subscription is negotiated but Janus relays nothing yet (not started). */
  private held = false;
  /** Publishers in the room right now, as Janus lists them. */
  private readonly publishers = new Set<string>();
  private privateId?: number;
  private audioTrack?: MediaStreamTrack;
  private videoTrack?: MediaStreamTrack;
  private readonly localStream: MediaStream;
  private readonly remoteStream: MediaStream;
  private muted: boolean;
  private paused = false;
  private netOff = false;
  /** Encoding parameters the network asked for, applied again to each new video track. */
  private videoEncoding?: SendEncoding;
  private stopped = false;
  private started = false;
  private up = false;
  private announced = false;
  private preparing?: Promise<void>;
  /** prepare() is done: the publisher is negotiated (what park() needs to keep). */
  private ready = false;
  /** The call was prepared with a video sender (what a parked call may send again). */
  private readonly videoCapable: boolean;
  /** Bumped by park(): a capture that was under way when the call was parked is let go, not sent. */
  private epoch = 0;
  /** Parked: Janus was told send:false for our streams, to be told send:true by the next start(). */
  private offAtJanus = false;
  /** Parked: our senders being emptied (start() waits for it before putting tracks on them). */
  private quieting?: Promise<unknown>;
  /** Remote tracks taken out of the remote stream by park(): they rejoin once media arrives on them again. */
  private readonly parkedRemote = new Set<MediaStreamTrack>();
  private returnTimer?: ReturnType<typeof setTimeout>;
  private readonly lifetime = new AbortController();
  /** The ICE restart under way: one at a time, a restart asked for meanwhile is that one. */
  private restarting?: Promise<void>;
  private restarts = 0;
  /** The last ICE restart was not answered: it runs again as soon as the gateway's session is back on a new socket. */
  private restartOwed = false;
  private readonly offReclaimed: () => void;

  /** `streams`: the local and remote streams to fill (default: new ones), for a caller that handed them out before this call existed. */
  constructor(private readonly gateway: GatewayConnection, private readonly opts: VideoRoomCallOptions, streams?: { local: MediaStream; remote: MediaStream }) {
    super();
    this.muted = opts.startMuted ?? false;
    this.videoCapable = opts.sendVideo;
    this.localStream = streams?.local ?? new MediaStream();
    this.remoteStream = streams?.remote ?? new MediaStream();
    this.offReclaimed = gateway.on('reclaimed', () => { if (this.restartOwed) void this.restartIce().catch(() => {}); });
  }

  get local(): MediaStream {
    return this.localStream;
  }

  get remote(): MediaStream {
    return this.remoteStream;
  }

  /** start() was called: capture may have happened. Before that, nothing was captured. */
  get isStarted(): boolean {
    return this.started;
  }

  get state(): LocalMediaState {
    return {
      audio: !!this.audioTrack && this.audioTrack.readyState === 'live' && !this.muted,
      video: !!this.videoTrack && this.videoTrack.readyState === 'live' && !this.paused && !this.netOff,
      muted: this.muted,
      paused: this.paused,
      netOff: this.netOff,
      videoAllowed: this.opts.sendVideo,
    };
  }

  /** PeerConnections this call holds (publisher, subscriber): for stats and leak checks. */
  peerConnections(): RTCPeerConnection[] {
    return [this.pub?.pc, this.sub?.pc].filter((pc): pc is RTCPeerConnection => !!pc && pc.connectionState !== 'closed');
  }

  /** Everything that needs no capture: see the class comment. Safe to call more than once. */
  prepare(signal?: AbortSignal): Promise<void> {
    this.preparing ??= this.doPrepare();
    // A parked call made ready for a new video: the other side's media may come in before start(), as for a new call.
    if (this.opts.receiveBeforeStart) this.release();
    return withAbort(this.preparing, signal);
  }

  private async doPrepare(): Promise<void> {
    const signal = this.lifetime.signal;
    const handle = await this.gateway.attach('janus.plugin.videoroom', signal);
    this.publisher = handle;
    handle.on('event', ({ data }) => this.onPublisherEvent(data));
    handle.on('webrtcup', () => {
      this.up = true;
      this.maybePublished();
    });
    handle.on('slowlink', (d) => this.emit('slowlink', d));
    handle.on('hangup', ({ reason }) => { if (!this.stopped) this.emit('failed', { reason: `publisher hung up: ${reason ?? 'no reason'}` }); });
    const { data: joined } = await withAbort(handle.message({
      request: 'join',
      ptype: JOIN_PUBLISHER,
      room: this.opts.room,
      id: this.opts.feedId,
      display: this.opts.display,
      ...(this.opts.pin ? { pin: this.opts.pin } : {}),
      ...(this.opts.token ? { token: this.opts.token } : {}),
    }), signal);
    this.privateId = Number(joined.private_id);
    this.emit('joined', { feed: String(joined.id) });
    for (const p of (joined.publishers as Array<{ id: string }> | undefined) ?? []) this.publishers.add(String(p.id));
    this.maybeSubscribe();
    const peer = (this.pub = new JanusPeer(handle, this.gateway.iceServers));
    this.watch(peer.pc, 'publisher');
    // Senders without a track and switched off: negotiated now, they send nothing until start().
    const init: RTCRtpTransceiverInit = { direction: 'sendonly', sendEncodings: [{ active: false }] };
    this.audioTx = peer.pc.addTransceiver('audio', init);
    if (this.opts.sendVideo) this.videoTx = peer.pc.addTransceiver('video', init);
    await withAbort(peer.offer((jsep) => handle.message({ request: 'publish' }, jsep), { startKbps: START_KBPS }), signal);
    this.ready = true;
  }

  /**
   * Captures what the mode needs and sends it. The capture runs alongside
   * prepare() (or what is left of it); the held subscription is released at
   * once. `media` narrows what prepare() got ready for.
   */
  async start(signal?: AbortSignal, media: StartMedia = {}): Promise<void> {
    if (this.started || this.stopped) return;
    this.started = true;
    const epoch = this.epoch;
    // Never more video than there is a sender for (decided when the publisher was negotiated).
    if (media.sendVideo !== undefined) this.opts.sendVideo = media.sendVideo && (this.pub ? !!this.videoTx : this.videoCapable);
    if (media.muted !== undefined) this.muted = media.muted;
    const preparing = this.prepare();
    preparing.catch(() => {});
    this.release();
    // Parked: Janus relays our streams again before the first (key)frame arrives; the devices open meanwhile.
    const told = this.offAtJanus && this.relay(true, this.opts.sendVideo);
    this.offAtJanus = false;
    const got = await withAbort(capture({ audio: true, video: this.opts.sendVideo, audioDeviceId: this.opts.audioDeviceId, videoDeviceId: this.opts.videoDeviceId }), signal);
    if (this.stopped || this.epoch !== epoch) {
      got.audio?.stop();
      got.video?.stop();
      return;
    }
    for (const problem of got.problems) this.emit('device-problem', { problem });
    this.audioTrack = got.audio;
    this.videoTrack = got.video;
    if (this.audioTrack) {
      this.audioTrack.enabled = !this.muted;
      this.localStream.addTrack(this.audioTrack);
    }
    if (this.videoTrack) this.localStream.addTrack(this.videoTrack);
    this.emitLocal();
    await withAbort(preparing, signal);
    await Promise.all([told, this.quieting]);
    // Parked meanwhile: park() has stopped these tracks already.
    if (this.stopped || this.epoch !== epoch) return;
    await Promise.all([this.send(this.audioTx, this.audioTrack), this.send(this.videoTx, this.videoTrack)]);
    // Janus relays only what is sent: a video stream with no camera behind it (watch-only, no camera) is off there too.
    const mid = this.videoTx?.mid;
    if (mid && !this.videoTrack) this.configure([{ mid, send: false }]);
    this.maybePublished();
  }

  /** Puts `track` on a prepared sender and switches its encoding on (or off without a track). */
  private async send(tx: RTCRtpTransceiver | undefined, track: MediaStreamTrack | undefined): Promise<void> {
    if (!tx || this.stopped) return;
    await tx.sender.replaceTrack(track ?? null);
    await setSending(tx.sender, !!track);
  }

  private configure(streams: Json[]): Promise<unknown> {
    return this.publisher?.message({ request: 'configure', streams }).catch(() => {}) ?? Promise.resolve();
  }

  private maybePublished(): void {
    if (!this.started || !this.up || this.announced || this.stopped) return;
    this.announced = true;
    this.emit('published', {});
  }

  /**
   * End for the devices, not for the plumbing: camera and microphone are
   * released at once (tracks stopped: lights off), the senders emptied and
   * switched off, Janus told send:false for our streams and to hold the
   * subscription (nothing flows either way, nothing is shown), while the
   * handles, the room join and both PeerConnections (ICE/DTLS up) stay for
   * the next start(). Resets what a new call starts without (pause, network
   * fallback and encoding, mute). False when there is nothing worth keeping
   * (not prepared yet, stopped, its connection gone): then stop() it.
   */
  park(): boolean {
    if (this.stopped || !this.ready || !this.publisher?.alive || this.pub?.pc.connectionState === 'failed') return false;
    this.epoch++;
    this.started = false;
    this.announced = false;
    this.paused = false;
    this.netOff = false;
    this.videoEncoding = undefined;
    this.muted = this.opts.startMuted ?? false;
    for (const t of [this.audioTrack, this.videoTrack]) {
      if (!t) continue;
      t.stop();
      this.localStream.removeTrack(t);
    }
    this.audioTrack = undefined;
    this.videoTrack = undefined;
    this.quieting = Promise.all([this.audioTx, this.videoTx].map((tx) => tx && quiet(tx.sender))).catch(() => {});
    void this.relay(false, false);
    this.offAtJanus = true;
    this.hold();
    // Chromium does not mute a receiver's track while nothing arrives: out of the remote stream until media comes again.
    clearTimeout(this.returnTimer);
    for (const t of this.remoteStream.getTracks()) {
      this.remoteStream.removeTrack(t);
      this.parkedRemote.add(t);
    }
    this.emit('remote', { stream: this.remoteStream });
    this.emitLocal();
    return true;
  }

  /**
   * A parked call can start again, sending video if `video` (it has a video
   * sender). A connection that failed while parked is reported ('connection')
   * for the caller to stop the call.
   */
  canRestart(video: boolean): boolean {
    return this.offAtJanus && !this.started && !this.stopped && !!this.publisher?.alive && (!video || !!this.videoTx);
  }

  /** Tells Janus whether to relay each of our streams. */
  private relay(audio: boolean, video: boolean): Promise<unknown> {
    return this.configure([[this.audioTx, audio] as const, [this.videoTx, video] as const].flatMap(([tx, send]) => (tx?.mid ? [{ mid: tx.mid, send }] : [])));
  }

  /** Mute: the track stays but carries silence, so unmute is instant. */
  setMuted(muted: boolean): void {
    this.muted = muted;
    if (this.audioTrack) this.audioTrack.enabled = !muted;
    this.emitLocal();
  }

  /**
   * Pause switches the sender's encoding off and stops the camera (light off,
   * no bytes in any browser, Janus told send:false); resume tells Janus first,
   * captures meanwhile, then sends on the same sender: no renegotiation.
   * A resume by hand also ends a network fallback (the person asked for video).
   */
  async setVideoPaused(paused: boolean): Promise<void> {
    if (!this.opts.sendVideo || paused === this.paused) return;
    // No camera to pause (it failed at start): "paused" would be a label and nothing else.
    if (paused && !this.videoTrack && !this.netOff) return;
    this.paused = paused;
    if (!paused) this.netOff = false;
    await this.applyVideo(!paused);
  }

  /**
   * The network cannot carry our video: voice only, camera released, the same
   * way as a pause. Switching it back on captures again only if the person
   * has not paused by hand meanwhile and the mode still sends video.
   */
  async setNetworkVideoOff(off: boolean): Promise<void> {
    if (!this.opts.sendVideo || off === this.netOff) return;
    this.netOff = off;
    await this.applyVideo();
  }

  /** Brings the camera and sender in line with paused/netOff. */
  private async applyVideo(resumedByHand = false): Promise<void> {
    const want = this.opts.sendVideo && !this.paused && !this.netOff && this.started;
    const tx = this.videoTx;
    const mid = tx?.mid ?? undefined;
    if (!want) {
      if (!this.videoTrack) {
        this.emitLocal();
        return;
      }
      if (tx) {
        await setSending(tx.sender, false);
        await tx.sender.replaceTrack(null);
      }
      this.videoTrack.stop();
      this.localStream.removeTrack(this.videoTrack);
      this.videoTrack = undefined;
      if (mid) void this.configure([{ mid, send: false }]);
      this.emitLocal();
      return;
    }
    if (this.videoTrack || this.stopped) return;
    const epoch = this.epoch;
    // Janus relays again before the first (key)frame arrives; the camera opens meanwhile.
    const told = mid ? this.configure([{ mid, send: true }]) : Promise.resolve();
    let track: MediaStreamTrack;
    try {
      track = await captureVideo(this.opts.videoDeviceId);
    } catch (e) {
      if (mid) void this.configure([{ mid, send: false }]);
      // A resume by hand that found no camera stays paused (the button says so); a network comeback just stays off.
      if (resumedByHand) this.paused = true;
      this.emit('device-problem', { problem: classifyCameraError(e) });
      return;
    }
    // Paused again, stopped, parked or switched off while the camera opened.
    if (this.stopped || this.epoch !== epoch || this.paused || this.netOff || this.videoTrack) {
      track.stop();
      if (!this.stopped) this.emitLocal();
      return;
    }
    this.videoTrack = track;
    this.localStream.addTrack(track);
    await told;
    await this.send(tx, track);
    if (this.videoEncoding) await this.setSendEncoding('video', this.videoEncoding).catch(() => {});
    this.emitLocal();
  }

  async switchDevice(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    // Parked while the device opened: the new track is not ours to send.
    const epoch = this.epoch;
    if (kind === 'video') {
      this.opts.videoDeviceId = deviceId;
      if (this.paused || !this.videoTrack) return;
      const track = await captureVideo(deviceId);
      if (this.epoch !== epoch) return track.stop();
      const old = this.videoTrack;
      await this.videoTx?.sender.replaceTrack(track);
      old.stop();
      this.localStream.removeTrack(old);
      this.localStream.addTrack(track);
      this.videoTrack = track;
    } else {
      this.opts.audioDeviceId = deviceId;
      const track = await captureAudio(deviceId);
      if (this.epoch !== epoch) return track.stop();
      track.enabled = !this.muted;
      const old = this.audioTrack;
      await this.audioTx?.sender.replaceTrack(track);
      old?.stop();
      if (old) this.localStream.removeTrack(old);
      this.localStream.addTrack(track);
      this.audioTrack = track;
    }
    this.emitLocal();
  }

  /**
   * ICE restart of both PeerConnections (the network path changed or
   * failed): the publisher offers new credentials, Janus re-offers the
   * subscription with new ones. Media and tracks stay as they are. One at a
   * time (asked again meanwhile, the one under way is the answer); rejects
   * when Janus did not answer within a few seconds, and is then run again
   * as soon as the gateway's session is back on a new socket (the gateway
   * checks its socket at once and replaces it if it is dead). Asked for
   * while the gateway is reconnecting, it waits for that in the same way.
   * Each one is logged (console.debug '[vc ice] …').
   */
  restartIce(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.gateway.status === 'reconnecting') {
      this.restartOwed = true;
      return Promise.resolve();
    }
    this.restarting ??= this.doRestartIce().finally(() => { this.restarting = undefined; });
    return this.restarting;
  }

  private async doRestartIce(): Promise<void> {
    const n = ++this.restarts;
    const begun = Date.now();
    const tasks: Array<Promise<unknown>> = [];
    const { publisher, pub, subscriber, sub } = this;
    if (publisher && pub) tasks.push(pub.offer((jsep) => publisher.message({ request: 'configure' }, jsep, RESTART_ANSWER_MS), { iceRestart: true }));
    if (subscriber && sub) {
      tasks.push(subscriber.message({ request: 'configure', restart: true }, undefined, RESTART_ANSWER_MS).then(({ jsep }) => jsep && this.answerSubscription(subscriber, sub, jsep, RESTART_ANSWER_MS)));
    }
    const failed = (await Promise.allSettled(tasks)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
    this.restartOwed = !!failed && !this.stopped;
    // No answer: the socket may be dead for good (an old path's connection), not just slow. Replaced if so, then 'reclaimed'.
    if (this.restartOwed) this.gateway.probe();
    console.debug(`[vc ice] restart ${n}: ${failed ? String(failed.reason) : 'answered'} in ${Date.now() - begun} ms; publisher ${pub?.pc.connectionState}, subscriber ${sub?.pc.connectionState}`);
    if (failed) throw failed.reason;
  }

  /** Encoding parameters of what we send (bitrate, frame rate, downscaling), e.g. to adapt to the network. */
  async setSendEncoding(kind: 'audio' | 'video', params: SendEncoding): Promise<void> {
    if (kind === 'video') this.videoEncoding = params;
    const sender = (kind === 'audio' ? this.audioTx : this.videoTx)?.sender;
    if (!sender) return;
    const p = sender.getParameters();
    if (!p.encodings?.length) return;
    for (const e of p.encodings) Object.assign(e, params);
    await sender.setParameters(p);
  }

  /** getStats of each PeerConnection (RTT, loss, bitrate, frames) and their connection states. */
  async stats(): Promise<CallReports> {
    const { pub, sub } = this;
    const [publisher, subscriber] = await Promise.all([pub?.pc.getStats(), sub?.pc.getStats()]);
    return { publisher, subscriber, publisherState: pub?.pc.connectionState, subscriberState: sub?.pc.connectionState };
  }

  /** Leaves the room, closes both PeerConnections and stops every track. Safe to call twice. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.lifetime.abort();
    this.offReclaimed();
    clearTimeout(this.returnTimer);
    for (const t of [this.audioTrack, this.videoTrack, ...this.localStream.getTracks(), ...this.remoteStream.getTracks(), ...this.parkedRemote]) t?.stop();
    this.parkedRemote.clear();
    for (const t of this.localStream.getTracks()) this.localStream.removeTrack(t);
    for (const t of this.remoteStream.getTracks()) this.remoteStream.removeTrack(t);
    this.audioTrack = undefined;
    this.videoTrack = undefined;
    this.pub?.close();
    this.sub?.close();
    const publisher = this.publisher;
    if (publisher?.alive) void publisher.message({ request: 'leave' }).catch(() => {});
    void publisher?.detach();
    void this.subscriber?.detach();
    this.subscriber = undefined;
    this.publisher = undefined;
  }

  private watch(pc: RTCPeerConnection, which: 'publisher' | 'subscriber'): void {
    // ICE failing is not the end of the call: the session restarts ICE (restartIce) and gives up only after a while.
    pc.addEventListener('connectionstatechange', () => {
      if (!this.stopped) this.emit('connection', { pc: which, state: pc.connectionState });
    });
  }

  private onPublisherEvent(data: Json): void {
    if (data.videoroom !== 'event') return;
    if (data.error) this.emit('failed', { reason: `VideoRoom: ${String(data.error)}` });
    if (Array.isArray(data.publishers)) {
      for (const p of data.publishers as Array<{ id: string }>) this.publishers.add(String(p.id));
      this.maybeSubscribe();
    }
    const gone = data.unpublished ?? data.leaving;
    if (gone !== undefined) {
      this.publishers.delete(String(gone));
      if (String(gone) === this.subscribedFeed) this.dropSubscriber();
    }
  }

  /** The other side announced (in a signed message) that its feed is `feed`. */
  setPeerFeed(feed: string): void {
    if (this.opts.peerFeed === feed) return;
    this.opts.peerFeed = feed;
    if (this.subscribedFeed && this.subscribedFeed !== feed) this.dropSubscriber();
    this.maybeSubscribe();
  }

  /** Subscribes once the announced feed is actually published in the room. */
  private maybeSubscribe(): void {
    const feed = this.opts.peerFeed;
    if (!feed || this.stopped || feed === this.subscribedFeed || !this.publishers.has(feed) || this.privateId === undefined) return;
    if (this.subscribedFeed) this.dropSubscriber();
    this.subscribedFeed = feed;
    void this.subscribe(feed).catch((e: unknown) => {
      if (!this.stopped && this.subscribedFeed === feed) this.emit('failed', { reason: `subscribe failed: ${e instanceof Error ? e.message : String(e)}` });
    });
  }

  /** The feed we subscribe to (tests and diagnostics). */
  get subscribed(): string | undefined {
    return this.subscribedFeed;
  }

  private async subscribe(feed: string): Promise<void> {
    const handle = await this.gateway.attach('janus.plugin.videoroom', this.lifetime.signal);
    if (this.stopped || this.subscribedFeed !== feed) {
      void handle.detach();
      return;
    }
    this.subscriber = handle;
    const peer = (this.sub = new JanusPeer(handle, this.gateway.iceServers));
    this.watch(peer.pc, 'subscriber');
    peer.pc.ontrack = ({ track }) => this.onRemoteTrack(handle, track);
    handle.on('event', ({ data, jsep }) => {
      if (data.error && data.videoroom === 'event') this.emit('failed', { reason: `VideoRoom subscriber: ${String(data.error)}` });
      // Offers Janus sends by itself (the publisher left, a postponed restart).
      if (jsep?.type === 'offer') void this.answerSubscription(handle, peer, jsep).catch(() => {});
    });
    const { jsep } = await handle.message({
      request: 'join',
      ptype: 'subscriber',
      room: this.opts.room,
      private_id: this.privateId,
      streams: [{ feed }],
      ...(this.opts.pin ? { pin: this.opts.pin } : {}),
    });
    if (!jsep) throw new Error('Janus sent no offer for the subscription');
    if (!this.started && !this.opts.receiveBeforeStart) {
      // Warm: negotiated now, relayed from start() on (Janus sends a keyframe request then).
      this.held = true;
      void handle.message({ request: 'configure', streams: [{ send: false }] }).catch(() => {});
    }
    await this.answerSubscription(handle, peer, jsep);
  }

  private async answerSubscription(handle: JanusHandle, peer: JanusPeer, offer: RTCSessionDescriptionInit, timeoutMs?: number): Promise<void> {
    await peer.answer(offer, (jsep) => handle.message({ request: 'start' }, jsep, timeoutMs));
    // Streams Janus no longer offers (their publisher stream went away) leave the remote stream.
    let changed = false;
    for (const tx of peer.pc.getTransceivers()) {
      const track = tx.receiver.track;
      if ((tx.currentDirection === 'inactive' || tx.currentDirection === 'stopped') && this.remoteStream.getTracks().includes(track)) {
        this.remoteStream.removeTrack(track);
        changed = true;
      }
    }
    if (changed) this.emit('remote', { stream: this.remoteStream });
  }

  /** The held subscription starts relaying. */
  private release(): void {
    if (!this.held || !this.subscriber) return;
    this.held = false;
    void this.subscriber.message({ request: 'configure', streams: [{ send: true }] }).catch(() => {});
    this.watchReturn();
  }

  /** Janus relays nothing to us on the subscription (parked) until release(). */
  private hold(): void {
    if (this.held || !this.subscriber) return;
    this.held = true;
    void this.subscriber.message({ request: 'configure', streams: [{ send: false }] }).catch(() => {});
  }

  /**
   * After a parked call's subscription is released: each remote track park()
   * took out rejoins the remote stream once packets arrive on it again, so
   * nothing is shown before media really flows (as with a new call's muted
   * tracks). Polled at 20 ms for the first seconds (the first keyframe), then
   * every 500 ms for a stream that comes later (the other side's camera).
   */
  private watchReturn(): void {
    const { sub, subscriber: handle, epoch } = this;
    const begun = Date.now();
    const before = new Map<MediaStreamTrack, number>();
    const tick = async () => {
      for (const r of sub?.pc.getReceivers() ?? []) {
        const t = r.track;
        if (!this.parkedRemote.has(t)) continue;
        // Per receiver: the portable way to the packets of one track (Firefox has no trackIdentifier to match by).
        let n = 0;
        (await r.getStats().catch(() => new Map())).forEach((s: { type: string; packetsReceived: number }) => {
          if (s.type === 'inbound-rtp') n += s.packetsReceived;
        });
        if (this.epoch !== epoch) return;
        if (n > (before.get(t) ?? Infinity)) {
          this.parkedRemote.delete(t);
          this.addRemote(handle!, t);
        }
        before.set(t, n);
      }
      if (this.subscriber === handle && this.epoch === epoch && this.parkedRemote.size) {
        this.returnTimer = setTimeout(() => void tick(), Date.now() - begun < 5000 ? 20 : 500);
      }
    };
    void tick();
  }

  /**
   * A remote track joins the remote stream once media arrives on it (so a
   * stream the other side never sends, like a watch-only customer's video,
   * never shows) and stays until it ends or Janus stops offering it.
   */
  private onRemoteTrack(handle: JanusHandle, track: MediaStreamTrack): void {
    const add = () => this.addRemote(handle, track);
    if (track.muted) track.addEventListener('unmute', add, { once: true });
    else add();
    track.addEventListener('ended', () => {
      if (!this.remoteStream.getTracks().includes(track)) return;
      this.remoteStream.removeTrack(track);
      this.emit('remote', { stream: this.remoteStream });
    }, { once: true });
  }

  private addRemote(handle: JanusHandle, track: MediaStreamTrack): void {
    if (this.subscriber !== handle || track.readyState === 'ended' || this.remoteStream.getTracks().includes(track)) return;
    for (const t of this.remoteStream.getTracks()) if (t.kind === track.kind) this.remoteStream.removeTrack(t);
    this.remoteStream.addTrack(track);
    this.emit('remote', { stream: this.remoteStream });
  }

  private dropSubscriber(): void {
    const h = this.subscriber;
    const peer = this.sub;
    this.subscriber = undefined;
    this.sub = undefined;
    this.subscribedFeed = undefined;
    this.held = false;
    clearTimeout(this.returnTimer);
    this.parkedRemote.clear();
    for (const t of this.remoteStream.getTracks()) this.remoteStream.removeTrack(t);
    this.emit('remote', { stream: this.remoteStream });
    peer?.close();
    void h?.detach();
  }

  private emitLocal(): void {
    this.emit('local', { stream: this.localStream, state: this.state });
  }
}

/** A parked sender: no track, switched off, and back to the encoding a new call starts with (no network tuning). */
async function quiet(sender: RTCRtpSender): Promise<void> {
  const p = sender.getParameters();
  for (const e of p.encodings ?? []) {
    e.active = false;
    delete e.maxBitrate;
    delete e.maxFramerate;
    delete e.scaleResolutionDownBy;
  }
  if (p.encodings?.length) await sender.setParameters(p);
  await sender.replaceTrack(null);
}
