import type { SignalChannel } from '../chat/index.js';
import type { GatewayConnection } from '../janus/gateway-connection.js';
import { browserSupport } from '../janus/browser-support.js';
import type { ConversationDescriptor, VideoMode } from '../protocol/index.js';
import { CodedError } from '../i18n/index.js';
import { TypedEventTarget } from '../util/typed-event-target.js';
import type { ConsentStore } from './consent.js';
import type { DeviceLists, VideoController, VideoEventDetails, VideoState } from './conversation-state.js';
import { LazyPart, relaySignals } from './lazy-part.js';
import { initialVideoState, type VideoSessionOptions } from './video-state.js';
import type { VideoSession } from './video-session.js';

/** What the conversation's video runs on, from connect on. */
export interface LazyVideoLink {
  signals: SignalChannel;
  gateway: GatewayConnection;
  descriptor: ConversationDescriptor;
  consent: ConsentStore;
}

const EVENTS: readonly (keyof VideoEventDetails)[] = ['change', 'video-invite', 'invite-answer', 'video-start', 'video-end', 'network-step', 'call-quality', 'media-state'];

/**
 * `conversation.video`: a VideoSession (video-session.ts, with its Janus
 * backend: video-core.ts) whose code is a chunk of its own, imported on the first video
 * signal (an invitation: the warm start begins as soon as it is there), on a
 * start, or at connect when this browser's person already consented to video
 * in this conversation (a reload in a call). A visitor who only chats never
 * downloads it. Until then its state is idle; signals that arrive meanwhile
 * reach it in room order (LazyPart), as do actions.
 */
export class LazyVideoSession extends TypedEventTarget<VideoEventDetails> implements VideoController {
  private _state: VideoState;
  private part?: LazyPart<VideoSession>;
  private role?: ConversationDescriptor['self']['role'];
  private off?: () => void;

  constructor(private readonly options: VideoSessionOptions = {}) {
    super();
    this._state = initialVideoState();
    if (!(options.supported ?? browserSupport().video)) this._state = { ...this._state, unsupported: true };
  }

  bind(link: LazyVideoLink): void {
    if (this.part) throw new Error('VideoSession is already bound to a conversation');
    this.role = link.descriptor.self.role;
    const relay = relaySignals(link.signals);
    const part = new LazyPart(
      async () => {
        const { VideoSession, janusVideoBackend } = await import('./video-core.js');
        const video = new VideoSession(this.options);
        for (const type of EVENTS) {
          video.on(type, (detail) => {
            if (type === 'change') this._state = video.state;
            this.emit(type, detail as never);
          });
        }
        video.bind({ signals: relay.channel, backend: janusVideoBackend(link.gateway), descriptor: link.descriptor, consent: link.consent });
        return video;
      },
      (e) => this.update({ error: e instanceof Error ? e.message : String(e) }),
    );
    this.part = part;
    this.off = link.signals.on('signal', ({ message, mine }) => {
      if (message.type.startsWith('video.') || message.type.startsWith('media.')) part.use(() => relay.deliver(message, mine));
    });
    // A reload in a video this browser agreed to: its state says so from the start, and history will start it again.
    if (link.descriptor.self.role === 'customer' && link.consent.load(link.descriptor.id).media !== undefined) part.use(() => {});
  }

  get state(): VideoState {
    return this._state;
  }

  private get bound(): LazyPart<VideoSession> {
    if (!this.part) throw new Error('not connected');
    return this.part;
  }

  start(mode: VideoMode): void {
    if (this.part?.current) return this.part.current.start(mode);
    // What VideoSession.start checks before anything else, so a refusal is still thrown at the click.
    if (this._state.unsupported) throw new CodedError('video.unsupported');
    const part = this.bound;
    if (this.role === 'customer' && mode !== 'two-way' && mode !== 'one-way-agent') throw new RangeError(`a customer can start 'two-way' or 'one-way-agent', not '${mode}'`);
    part.use((video) => video.start(mode));
  }

  answer(accept: VideoMode | false): void {
    // Only a loaded session can have an invitation on screen.
    const video = this.part?.current;
    if (!video) throw new Error('no invitation to answer');
    video.answer(accept);
  }

  end(): void {
    if (this.part?.asked) this.part.use((video) => video.end());
  }

  setMuted(muted: boolean): void {
    if (this.part?.asked) this.part.use((video) => video.setMuted(muted));
  }

  async setPaused(paused: boolean): Promise<void> {
    if (this.part?.asked) await (await this.part.get()).setPaused(paused);
  }

  async switchDevice(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    if (this.part?.asked) await (await this.part.get()).switchDevice(kind, deviceId);
  }

  async restartIce(): Promise<void> {
    if (this.part?.asked) await (await this.part.get()).restartIce();
  }

  async listDevices(): Promise<DeviceLists> {
    return (await this.bound.get()).listDevices();
  }

  /** The conversation ended: a loaded session stops everything (VideoSession.conversationEnded); one never loaded has nothing running. */
  conversationEnded(): void {
    if (this.part?.asked) this.part.use((video) => video.conversationEnded());
  }

  /** Open PeerConnections of the running call (tests and diagnostics). */
  peerConnections(): RTCPeerConnection[] {
    return this.part?.current?.peerConnections() ?? [];
  }

  /** Open PeerConnections of a warm call waiting for an answer (tests and diagnostics). */
  warmPeerConnections(): RTCPeerConnection[] {
    return this.part?.current?.warmPeerConnections() ?? [];
  }

  /** The other side's feed this side subscribes to (tests and diagnostics). */
  get subscribedFeed(): string | undefined {
    return this.part?.current?.subscribedFeed;
  }

  dispose(): void {
    this.off?.();
    this.part?.dispose();
  }

  private update(patch: Partial<VideoState>): void {
    this._state = { ...this._state, ...patch };
    this.emit('change', { video: this._state });
  }
}
