import type { GatewayConnection } from '../janus/gateway-connection.js';
import type { CallReports, SendEncoding, StartMedia, VideoRoomCall, VideoRoomCallEvents, VideoRoomCallOptions } from '../janus/videoroom-call.js';
import { TypedEventTarget, type Observable } from '../util/typed-event-target.js';
import type { DeviceLists } from './conversation-state.js';

/** One side's call, as the video state machine drives it: VideoRoomCall on Janus, a fake in the unit tests. */
export interface VideoCall extends Observable<VideoRoomCallEvents> {
  readonly local: MediaStream;
  readonly remote: MediaStream;
  /** The other side's feed this side subscribes to (tests and diagnostics). */
  readonly subscribed: string | undefined;
  /** start() was called: capture may have happened. Before that, nothing was captured. */
  readonly isStarted: boolean;
  /** Warm start: everything that needs no capture (handles, join, negotiation with empty senders, the held subscription). */
  prepare(signal?: AbortSignal): Promise<void>;
  /** Captures and sends (after or alongside prepare, or on a parked call); `media` narrows what prepare got ready for. */
  start(signal?: AbortSignal, media?: StartMedia): Promise<void>;
  /**
   * End for the devices only: tracks stopped (lights off), nothing sent or
   * received, handles and PeerConnections kept for a later start() ("Video
   * chat again" starts warm). False when there is nothing worth keeping: stop() it then.
   */
  park(): boolean;
  /** A parked call can start again (still connected; with a video sender if `video`). */
  canRestart(video: boolean): boolean;
  stop(): void;
  setMuted(muted: boolean): void;
  setVideoPaused(paused: boolean): Promise<void>;
  /** Voice only because the network cannot carry video (and back): never past a pause by hand. */
  setNetworkVideoOff(off: boolean): Promise<void>;
  /** Encoding parameters of what we send (adaptation to the network). */
  setSendEncoding(kind: 'audio' | 'video', params: SendEncoding): Promise<void>;
  /** ICE restart of both PeerConnections. */
  restartIce(): Promise<void>;
  /** getStats of both PeerConnections and their states. */
  stats(): Promise<CallReports>;
  switchDevice(kind: 'audio' | 'video', deviceId: string): Promise<void>;
  /** The other side announced (signed) the feed it publishes. */
  setPeerFeed(feed: string): void;
  peerConnections(): RTCPeerConnection[];
}

/** Where calls are made. */
export interface VideoBackend {
  call(options: VideoRoomCallOptions): VideoCall;
  /** The gateway session was rebuilt: every running call is dead. */
  onSessionReplaced(listener: () => void): () => void;
  listDevices(): Promise<DeviceLists>;
}

type MediaModule = typeof import('../janus/media.js');
let media: Promise<MediaModule> | undefined;

/**
 * The Janus media code (VideoRoom calls, capture) is a chunk of its own: a
 * visitor who only chats never downloads it. It loads when a call is first
 * prepared or started (an invitation on screen, a click) or devices are listed.
 */
function loadMedia(): Promise<MediaModule> {
  media ??= import('../janus/media.js').catch((e: unknown) => {
    media = undefined; // a failed download may be retried by the next call
    throw e;
  });
  return media;
}

const EVENTS: readonly (keyof VideoRoomCallEvents)[] = ['local', 'remote', 'device-problem', 'published', 'joined', 'failed', 'connection', 'slowlink'];

/**
 * A VideoRoomCall whose code is still being downloaded: the same streams and
 * events from the start, every action applied once the real call exists.
 * stop() before then means it is never created.
 */
class LazyVideoRoomCall extends TypedEventTarget<VideoRoomCallEvents> implements VideoCall {
  readonly local = new MediaStream();
  readonly remote = new MediaStream();
  private real?: VideoRoomCall;
  private loading?: Promise<VideoRoomCall | undefined>;
  private started = false;
  private stopped = false;
  private muted?: boolean;

  constructor(private readonly gateway: GatewayConnection, private readonly opts: VideoRoomCallOptions) {
    super();
  }

  private load(): Promise<VideoRoomCall | undefined> {
    this.loading ??= loadMedia().then(({ VideoRoomCall }) => {
      if (this.stopped) return undefined;
      const call = new VideoRoomCall(this.gateway, this.opts, { local: this.local, remote: this.remote });
      for (const type of EVENTS) call.on(type, (detail) => this.emit(type, detail as never));
      if (this.muted !== undefined) call.setMuted(this.muted);
      this.real = call;
      return call;
    });
    return this.loading;
  }

  get subscribed(): string | undefined {
    return this.real?.subscribed;
  }

  get isStarted(): boolean {
    return this.started || !!this.real?.isStarted;
  }

  async prepare(signal?: AbortSignal): Promise<void> {
    const call = await this.load();
    signal?.throwIfAborted();
    if (!call) throw new Error('The call was stopped');
    await call.prepare(signal);
  }

  async start(signal?: AbortSignal, startMedia?: StartMedia): Promise<void> {
    this.started = true;
    const call = await this.load();
    signal?.throwIfAborted();
    if (!call) throw new Error('The call was stopped');
    await call.start(signal, startMedia);
  }

  park(): boolean {
    // Not loaded yet: nothing was prepared, nothing to keep.
    if (!this.real?.park()) return false;
    this.started = false;
    return true;
  }

  canRestart(video: boolean): boolean {
    return !this.stopped && !!this.real?.canRestart(video);
  }

  stop(): void {
    this.stopped = true;
    this.real?.stop();
  }

  setMuted(muted: boolean): void {
    if (this.real) this.real.setMuted(muted);
    else this.muted = muted;
  }

  async setVideoPaused(paused: boolean): Promise<void> {
    await (await this.load())?.setVideoPaused(paused);
  }

  async switchDevice(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    await (await this.load())?.switchDevice(kind, deviceId);
  }

  async setNetworkVideoOff(off: boolean): Promise<void> {
    await (await this.load())?.setNetworkVideoOff(off);
  }

  async setSendEncoding(kind: 'audio' | 'video', params: SendEncoding): Promise<void> {
    await (await this.load())?.setSendEncoding(kind, params);
  }

  async restartIce(): Promise<void> {
    await this.real?.restartIce();
  }

  stats(): Promise<CallReports> {
    return this.real?.stats() ?? Promise.resolve({});
  }

  setPeerFeed(feed: string): void {
    if (this.real) this.real.setPeerFeed(feed);
    else this.opts.peerFeed = feed;
  }

  peerConnections(): RTCPeerConnection[] {
    return this.real?.peerConnections() ?? [];
  }
}

/** Calls in the conversation's Janus VideoRoom, over the conversation's gateway session. */
export function janusVideoBackend(gateway: GatewayConnection): VideoBackend {
  return {
    call: (options) => new LazyVideoRoomCall(gateway, { ...options }),
    onSessionReplaced: (listener) => gateway.on('session-replaced', () => listener()),
    listDevices: async () => (await loadMedia()).listDevices(),
  };
}
