import { withAbort } from '../util/abort.js';
import { TypedEventTarget } from '../util/typed-event-target.js';
import type { GatewayConnection } from './gateway-connection.js';
import type { JanusJS } from './janus-runtime.js';
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
  sendVideo: boolean;
  startMuted?: boolean;
  audioDeviceId?: string;
  videoDeviceId?: string;
}

export interface LocalMediaState {
  /** A live microphone track is being sent and is not muted. */
  audio: boolean;
  /** A live camera track is being sent (not paused). */
  video: boolean;
  muted: boolean;
  paused: boolean;
  /** Mode allows video from this side. */
  videoAllowed: boolean;
}

export interface VideoRoomCallEvents {
  local: { stream: MediaStream; state: LocalMediaState };
  remote: { stream: MediaStream };
  'device-problem': { problem: DeviceProblem };
  /** The publisher is up (media flowing to Janus) */
  published: Record<string, never>;
  /** Janus accepted our publisher under `feed`: the id is ours now and can be announced. */
  joined: { feed: string };
  /** Something broke that needs a restart of the call. */
  failed: { reason: string };
}

interface JoinedEvent {
  id: string;
  private_id: number;
  publishers?: Publisher[];
}

interface Publisher {
  id: string;
  display?: string;
}

/**
 * One side of a conversation's video: publishes this side's tracks to the
 * VideoRoom and subscribes to the other side's feed. Pause really stops the
 * camera (track stopped, sender emptied, Janus told send:false); mute silences
 * the microphone track. stop() releases everything and is idempotent.
 */
export class VideoRoomCall extends TypedEventTarget<VideoRoomCallEvents> {
  private publisher?: JanusJS.PluginHandle;
  private subscriber?: JanusJS.PluginHandle;
  private subscribedFeed?: string;
  /** Publishers in the room right now, as Janus lists them. */
  private readonly publishers = new Set<string>();
  private privateId?: number;
  private audioTrack?: MediaStreamTrack;
  private videoTrack?: MediaStreamTrack;
  private readonly localStream = new MediaStream();
  private readonly remoteStream = new MediaStream();
  private muted: boolean;
  private paused = false;
  private stopped = false;
  private joinWaiter?: { resolve: (j: JoinedEvent) => void; reject: (e: Error) => void };

  constructor(private readonly gateway: GatewayConnection, private readonly opts: VideoRoomCallOptions) {
    super();
    this.muted = opts.startMuted ?? false;
  }

  get local(): MediaStream {
    return this.localStream;
  }

  get remote(): MediaStream {
    return this.remoteStream;
  }

  get state(): LocalMediaState {
    return {
      audio: !!this.audioTrack && this.audioTrack.readyState === 'live' && !this.muted,
      video: !!this.videoTrack && this.videoTrack.readyState === 'live' && !this.paused,
      muted: this.muted,
      paused: this.paused,
      videoAllowed: this.opts.sendVideo,
    };
  }

  /** PeerConnections this call holds (publisher, subscriber): for stats and leak checks. */
  peerConnections(): RTCPeerConnection[] {
    return [this.publisher, this.subscriber].map((h) => h?.webrtcStuff?.pc).filter((pc): pc is RTCPeerConnection => !!pc);
  }

  async start(signal?: AbortSignal): Promise<void> {
    const got = await withAbort(capture({ audio: true, video: this.opts.sendVideo, audioDeviceId: this.opts.audioDeviceId, videoDeviceId: this.opts.videoDeviceId }), signal);
    if (this.stopped) {
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

    const handle = await this.gateway.attach({
      plugin: 'janus.plugin.videoroom',
      onmessage: (msg: JanusJS.Message, jsep?: JanusJS.JSEP) => this.onPublisherMessage(msg as Record<string, unknown>, jsep),
      webrtcState: (up: boolean) => { if (up) this.emit('published', {}); },
      iceState: (s: string) => { if (s === 'failed') this.emit('failed', { reason: 'publisher ICE failed' }); },
    }, signal);
    this.publisher = handle;
    if (this.stopped) return this.stop();
    const joined = await withAbort(new Promise<JoinedEvent>((resolve, reject) => {
      this.joinWaiter = { resolve, reject };
      handle.send({
        message: {
          request: 'join',
          ptype: 'publisher',
          room: this.opts.room,
          id: this.opts.feedId,
          display: this.opts.display,
          ...(this.opts.pin ? { pin: this.opts.pin } : {}),
          ...(this.opts.token ? { token: this.opts.token } : {}),
        },
      });
    }), signal);
    this.privateId = joined.private_id;
    this.emit('joined', { feed: String(joined.id) });
    for (const p of joined.publishers ?? []) this.publishers.add(String(p.id));
    this.maybeSubscribe();
    await this.publish(signal);
  }

  private publish(signal?: AbortSignal): Promise<void> {
    const handle = this.publisher;
    if (!handle) return Promise.resolve();
    const tracks: JanusJS.TrackOption[] = [];
    if (this.audioTrack) tracks.push({ type: 'audio', capture: this.audioTrack, recv: false });
    if (this.videoTrack) tracks.push({ type: 'video', capture: this.videoTrack, recv: false });
    if (tracks.length === 0) return Promise.resolve(); // nothing to send: we still watch and listen
    return withAbort(new Promise<void>((resolve, reject) => {
      handle.createOffer({
        tracks,
        success: (jsep: JanusJS.JSEP) => {
          handle.send({ message: { request: 'publish' }, jsep });
          resolve();
        },
        error: (err: Error) => reject(new Error(`publish failed: ${err.message ?? String(err)}`)),
      });
    }), signal);
  }

  /** Mute: the track stays but carries silence, so unmute is instant. */
  setMuted(muted: boolean): void {
    this.muted = muted;
    if (this.audioTrack) this.audioTrack.enabled = !muted;
    this.emitLocal();
  }

  /** Pause stops the camera (light off, no bytes); resume captures it again on the same sender, no renegotiation. */
  async setVideoPaused(paused: boolean): Promise<void> {
    if (!this.opts.sendVideo || paused === this.paused) return;
    // No camera to pause (it failed at start): "paused" would be a label and nothing else.
    if (paused && !this.videoTrack) return;
    const sender = this.videoSender();
    const mid = this.videoMid();
    if (paused) {
      this.paused = true;
      await sender?.replaceTrack(null);
      if (this.videoTrack) {
        this.videoTrack.stop();
        this.localStream.removeTrack(this.videoTrack);
        this.videoTrack = undefined;
      }
      if (mid !== undefined) this.publisher?.send({ message: { request: 'configure', streams: [{ mid, send: false }] } });
      this.emitLocal();
      return;
    }
    let track: MediaStreamTrack;
    try {
      track = await captureVideo(this.opts.videoDeviceId);
    } catch (e) {
      this.emit('device-problem', { problem: classifyCameraError(e) });
      return;
    }
    if (this.stopped) {
      track.stop();
      return;
    }
    this.paused = false;
    this.videoTrack = track;
    this.localStream.addTrack(track);
    if (sender) {
      await sender.replaceTrack(track);
      if (mid !== undefined) this.publisher?.send({ message: { request: 'configure', streams: [{ mid, send: true }] } });
    } else {
      // Video never got to Janus (camera failed at start): add it with a renegotiation.
      this.publisher?.replaceTracks({ tracks: [{ type: 'video', capture: track, recv: false, add: true }] as JanusJS.TrackOption[] });
    }
    this.emitLocal();
  }

  async switchDevice(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    if (kind === 'video') {
      this.opts.videoDeviceId = deviceId;
      if (this.paused || !this.videoTrack) return;
      const track = await captureVideo(deviceId);
      const old = this.videoTrack;
      await this.videoSender()?.replaceTrack(track);
      old.stop();
      this.localStream.removeTrack(old);
      this.localStream.addTrack(track);
      this.videoTrack = track;
    } else {
      this.opts.audioDeviceId = deviceId;
      const track = await captureAudio(deviceId);
      track.enabled = !this.muted;
      const old = this.audioTrack;
      await this.audioSender()?.replaceTrack(track);
      old?.stop();
      if (old) this.localStream.removeTrack(old);
      this.localStream.addTrack(track);
      this.audioTrack = track;
    }
    this.emitLocal();
  }

  /** Leaves the room, closes both PeerConnections and stops every track. Safe to call twice. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.joinWaiter?.reject(new Error('call stopped'));
    for (const t of [this.audioTrack, this.videoTrack, ...this.localStream.getTracks(), ...this.remoteStream.getTracks()]) t?.stop();
    for (const t of this.localStream.getTracks()) this.localStream.removeTrack(t);
    for (const t of this.remoteStream.getTracks()) this.remoteStream.removeTrack(t);
    this.audioTrack = undefined;
    this.videoTrack = undefined;
    for (const h of [this.subscriber, this.publisher]) {
      if (!h) continue;
      try {
        if (h === this.publisher) h.send({ message: { request: 'leave' } });
        h.hangup(true);
        h.detach();
      } catch { /* session already gone */ }
    }
    this.subscriber = undefined;
    this.publisher = undefined;
  }

  private onPublisherMessage(msg: Record<string, unknown>, jsep?: JanusJS.JSEP): void {
    const kind = msg.videoroom;
    if (kind === 'joined') {
      this.joinWaiter?.resolve(msg as unknown as JoinedEvent);
      this.joinWaiter = undefined;
    } else if (kind === 'event') {
      if (msg.error) {
        const err = new Error(`VideoRoom: ${String(msg.error)}`);
        if (this.joinWaiter) {
          this.joinWaiter.reject(err);
          this.joinWaiter = undefined;
        } else this.emit('failed', { reason: err.message });
      }
      if (Array.isArray(msg.publishers)) {
        for (const p of msg.publishers as Publisher[]) this.publishers.add(String(p.id));
        this.maybeSubscribe();
      }
      const gone = msg.unpublished ?? msg.leaving;
      if (gone !== undefined) {
        this.publishers.delete(String(gone));
        if (String(gone) === this.subscribedFeed) this.dropSubscriber();
      }
    }
    if (jsep) this.publisher?.handleRemoteJsep({ jsep });
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
    void this.subscribe(feed).catch((e: unknown) => this.emit('failed', { reason: `subscribe failed: ${e instanceof Error ? e.message : String(e)}` }));
  }

  /** The feed we subscribe to (tests and diagnostics). */
  get subscribed(): string | undefined {
    return this.subscribedFeed;
  }

  private async subscribe(feed: string): Promise<void> {
    const handle = await this.gateway.attach({
      plugin: 'janus.plugin.videoroom',
      onmessage: (msg: JanusJS.Message, jsep?: JanusJS.JSEP) => {
        const m = msg as Record<string, unknown>;
        if (m.error && m.videoroom === 'event') this.emit('failed', { reason: `VideoRoom subscriber: ${String(m.error)}` });
        if (!jsep) return;
        handle.createAnswer({
          jsep,
          tracks: [{ type: 'data', capture: false }],
          success: (answer: JanusJS.JSEP) => handle.send({ message: { request: 'start' }, jsep: answer }),
          error: (err: string) => this.emit('failed', { reason: `subscriber answer failed: ${err}` }),
        });
      },
      onremotetrack: (track: MediaStreamTrack, _mid: string, on: boolean) => {
        if (this.subscriber !== handle) return;
        if (on) {
          for (const t of this.remoteStream.getTracks()) if (t.kind === track.kind && t !== track) this.remoteStream.removeTrack(t);
          if (!this.remoteStream.getTracks().includes(track)) this.remoteStream.addTrack(track);
        } else {
          this.remoteStream.removeTrack(track);
        }
        this.emit('remote', { stream: this.remoteStream });
      },
    });
    if (this.stopped || this.subscribedFeed !== feed) {
      handle.detach();
      return;
    }
    this.subscriber = handle;
    handle.send({
      message: {
        request: 'join',
        ptype: 'subscriber',
        room: this.opts.room,
        private_id: this.privateId,
        streams: [{ feed }],
        ...(this.opts.pin ? { pin: this.opts.pin } : {}),
      },
    });
  }

  private dropSubscriber(): void {
    const h = this.subscriber;
    this.subscriber = undefined;
    this.subscribedFeed = undefined;
    for (const t of this.remoteStream.getTracks()) this.remoteStream.removeTrack(t);
    this.emit('remote', { stream: this.remoteStream });
    try {
      h?.hangup(true);
      h?.detach();
    } catch { /* already gone */ }
  }

  private videoSender(): RTCRtpSender | undefined {
    const pc = this.publisher?.webrtcStuff?.pc;
    return pc?.getTransceivers().find((t) => t.receiver.track?.kind === 'video' && t.direction !== 'inactive')?.sender;
  }

  private audioSender(): RTCRtpSender | undefined {
    const pc = this.publisher?.webrtcStuff?.pc;
    return pc?.getTransceivers().find((t) => t.receiver.track?.kind === 'audio')?.sender;
  }

  private videoMid(): string | undefined {
    const pc = this.publisher?.webrtcStuff?.pc;
    return pc?.getTransceivers().find((t) => t.receiver.track?.kind === 'video')?.mid ?? undefined;
  }

  private emitLocal(): void {
    this.emit('local', { stream: this.localStream, state: this.state });
  }
}
