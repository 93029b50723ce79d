import { listDevices, VideoRoomCall, type GatewayConnection, type StartMedia, type VideoRoomCallEvents, type VideoRoomCallOptions } from '../janus/index.js';
import type { Observable } from '../util/typed-event-target.js';
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
  /** Captures and sends (after or alongside prepare); `media` narrows what prepare got ready for. */
  start(signal?: AbortSignal, media?: StartMedia): Promise<void>;
  stop(): void;
  setMuted(muted: boolean): void;
  setVideoPaused(paused: boolean): Promise<void>;
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

/** Calls in the conversation's Janus VideoRoom, over the conversation's gateway session. */
export function janusVideoBackend(gateway: GatewayConnection): VideoBackend {
  return {
    call: (options) => new VideoRoomCall(gateway, options),
    onSessionReplaced: (listener) => gateway.on('session-replaced', () => listener()),
    listDevices,
  };
}
