// A VideoBackend whose calls are fakes: they "join" and "publish" at once and
// record what the video state machine asked of them.
import type { CallReports, DeviceProblem, SendEncoding, StartMedia, VideoRoomCallEvents, VideoRoomCallOptions } from '../../../src/janus/index.js';
import type { DeviceLists, VideoBackend, VideoCall } from '../../../src/session/index.js';
import { TypedEventTarget } from '../../../src/util/typed-event-target.js';

export class FakeCall extends TypedEventTarget<VideoRoomCallEvents> implements VideoCall {
  readonly local = new MediaStream();
  readonly remote = new MediaStream();
  subscribed: string | undefined;
  stopped = false;
  muted: boolean;
  paused = false;
  netOff = false;
  /** What the network policy asked of this call, in order. */
  readonly encodings: SendEncoding[] = [];
  iceRestarts = 0;
  /** restartIce() rejects, as VideoRoomCall's does when Janus does not answer. */
  restartFails = false;
  /** What stats() answers (a test scripts the network through it). */
  reports: () => CallReports = () => ({});

  /** Devices that "fail" at start, as VideoRoomCall reports them (before its first local state). */
  private problems: DeviceProblem[];

  constructor(readonly options: VideoRoomCallOptions, problems: DeviceProblem[] = []) {
    super();
    this.problems = problems;
    this.muted = options.startMuted ?? false;
    this.subscribed = options.peerFeed;
    this.videoCapable = options.sendVideo;
  }

  isStarted = false;
  prepared = false;
  /** Parked at an End (kept for the next video, nothing captured); cleared by the next start. */
  parked = false;
  /** Times start() captured (a parked call starts again on the same call). */
  starts = 0;
  /** The video sender it was prepared with (what a parked call may send again). */
  private readonly videoCapable: boolean;

  async prepare(): Promise<void> {
    if (this.prepared) return;
    this.prepared = true;
    this.emit('joined', { feed: this.options.feedId });
  }

  async start(_signal?: AbortSignal, media: StartMedia = {}): Promise<void> {
    if (this.isStarted || this.stopped) return;
    this.isStarted = true;
    this.parked = false;
    this.starts++;
    if (media.sendVideo !== undefined) this.options.sendVideo = media.sendVideo && this.videoCapable;
    if (media.muted !== undefined) this.muted = media.muted;
    await this.prepare();
    for (const problem of this.problems) this.emit('device-problem', { problem });
    this.emitLocal();
    this.emit('published', {});
  }

  park(): boolean {
    if (this.stopped || !this.prepared) return false;
    this.isStarted = false;
    this.parked = true;
    this.paused = false;
    this.netOff = false;
    return true;
  }

  canRestart(video: boolean): boolean {
    return this.parked && !this.stopped && (!video || this.videoCapable);
  }

  stop(): void {
    this.stopped = true;
  }

  setMuted(muted: boolean): void {
    this.muted = muted;
    this.emitLocal();
  }

  async setVideoPaused(paused: boolean): Promise<void> {
    if (paused && !this.hasCamera) return;
    this.paused = paused;
    if (!paused) this.netOff = false;
    this.emitLocal();
  }

  async switchDevice(): Promise<void> {}

  async setNetworkVideoOff(off: boolean): Promise<void> {
    if (!this.options.sendVideo) return;
    this.netOff = off;
    this.emitLocal();
  }

  async setSendEncoding(kind: 'audio' | 'video', params: SendEncoding): Promise<void> {
    if (kind === 'video') this.encodings.push(params);
  }

  async restartIce(): Promise<void> {
    this.iceRestarts++;
    if (this.restartFails) throw new Error('no answer from the gateway to message');
  }

  async stats(): Promise<CallReports> {
    return this.reports();
  }

  setPeerFeed(feed: string): void {
    this.subscribed = feed;
  }

  peerConnections(): RTCPeerConnection[] {
    return [];
  }

  private get hasCamera(): boolean {
    return this.options.sendVideo && !this.problems.some((p) => p === 'no-camera' || p.startsWith('camera-'));
  }

  private get hasMicrophone(): boolean {
    return !this.problems.some((p) => p === 'no-microphone' || p.startsWith('microphone-'));
  }

  private emitLocal(): void {
    const video = this.hasCamera && !this.paused && !this.netOff;
    const audio = this.hasMicrophone && !this.muted;
    this.emit('local', { stream: this.local, state: { audio, video, muted: this.muted, paused: this.paused, netOff: this.netOff, videoAllowed: this.options.sendVideo } });
  }
}

export class FakeVideoBackend implements VideoBackend {
  readonly calls: FakeCall[] = [];
  /** Devices every new call of this backend fails to capture. */
  problems: DeviceProblem[] = [];
  private readonly replaced = new Set<() => void>();

  call(options: VideoRoomCallOptions): VideoCall {
    const call = new FakeCall(options, this.problems);
    this.calls.push(call);
    return call;
  }

  onSessionReplaced(listener: () => void): () => void {
    this.replaced.add(listener);
    return () => this.replaced.delete(listener);
  }

  /** The gateway session was rebuilt. */
  replaceSession(): void {
    for (const l of this.replaced) l();
  }

  listDevices(): Promise<DeviceLists> {
    return Promise.resolve({ cameras: [], microphones: [] });
  }

  /** Calls still running (started: capture happened; warm ones are not running). */
  get live(): FakeCall[] {
    return this.calls.filter((c) => !c.stopped && c.isStarted);
  }

  /** Calls prepared or running and not stopped. */
  get open(): FakeCall[] {
    return this.calls.filter((c) => !c.stopped);
  }
}
