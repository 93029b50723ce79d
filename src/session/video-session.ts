import type { ChatSession, SignalMessage } from '../chat/index.js';
import { connectionUsername } from '../chat/index.js';
import { DEVICE_PROBLEM_TEXT, listDevices, VideoRoomCall, type GatewayConnection, type LocalMediaState } from '../media/index.js';
import { sendsVideo, type ConversationDescriptor, type VideoMode } from '../protocol/index.js';
import { TypedEventTarget } from '../util/typed-event-target.js';
import type { ConversationEventDetails, LocalMediaStatus, VideoState } from './conversation-state.js';

const NO_LOCAL: LocalMediaStatus = { audio: false, video: false, muted: false, paused: false, videoAllowed: false };

export function initialVideoState(): VideoState {
  return { phase: 'idle', consented: false, local: NO_LOCAL, remote: { audio: false, video: false }, unmutePrompt: false, problems: [] };
}

type VideoEvents = Pick<ConversationEventDetails, 'video-invite' | 'invite-answer' | 'video-start' | 'video-end' | 'media-state'> & {
  change: { video: VideoState };
};

/** What the signals say should be running; media is reconciled to it. */
interface Desired {
  session: string;
  mode: VideoMode;
  startMuted: boolean;
}

/**
 * The video of one conversation: invitation and consent, the four modes,
 * pause/mute/end, restart without a second invitation. State is derived from
 * the signals in room order (so a reload replays history into the same
 * state); media is started or stopped by reconciling to that state, which
 * turns a replayed invite→answer→end into no media at all.
 */
export class VideoSession extends TypedEventTarget<VideoEvents> {
  private _state: VideoState = initialVideoState();
  private desired?: Desired;
  private call?: VideoRoomCall;
  private callSession?: string;
  private reconcileTimer?: ReturnType<typeof setTimeout>;
  private disposed = false;
  private readonly offs: Array<() => void> = [];

  constructor(
    private readonly gateway: GatewayConnection,
    private readonly chat: ChatSession,
    private readonly descriptor: ConversationDescriptor,
    private readonly peerId: () => string | undefined,
  ) {
    super();
    this.offs.push(
      chat.on('signal', ({ message, mine }) => this.onSignal(message, mine)),
      gateway.on('session-replaced', () => {
        // Our handles died with the old session: rebuild the call if video should run.
        this.stopCall();
        this.scheduleReconcile();
      }),
    );
  }

  get state(): VideoState {
    return this._state;
  }

  private get role() {
    return this.descriptor.self.role;
  }

  startVideo(mode: VideoMode): void {
    if (this.role === 'customer') {
      if (mode !== 'two-way' && mode !== 'one-way-agent') throw new RangeError(`a customer can start 'two-way' or 'one-way-agent', not '${mode}'`);
      this.chat.sendSignal('video.start', { mode, session: newSessionId() });
      return;
    }
    if (this._state.consented) {
      this.chat.sendSignal('video.start', { mode, session: newSessionId() });
    } else {
      this.chat.sendSignal('video.invite', { mode });
    }
  }

  answerInvite(accept: VideoMode | false): void {
    const invite = this._state.invite;
    if (this.role !== 'customer' || this._state.phase !== 'invited' || !invite) throw new Error('no invitation to answer');
    if (accept !== false) {
      const allowed: VideoMode[] = invite.mode === 'two-way' ? ['two-way', 'one-way-agent'] : [invite.mode];
      if (!allowed.includes(accept)) throw new RangeError(`cannot accept a ${invite.mode} invitation as ${accept}`);
    }
    this.chat.sendSignal('video.answer', { inviteId: invite.id, accept });
  }

  endVideo(): void {
    const session = this.desired?.session;
    if (!session) {
      // Withdraw a pending invitation on the agent side.
      if (this._state.phase === 'inviting') this.update({ phase: 'idle', invite: undefined });
      return;
    }
    this.chat.sendSignal('video.end', { session });
  }

  setMuted(muted: boolean): void {
    if (!this.call) return;
    this.call.setMuted(muted);
    this.update({ unmutePrompt: muted && this._state.unmutePrompt });
  }

  async setVideoPaused(paused: boolean): Promise<void> {
    await this.call?.setVideoPaused(paused);
  }

  async switchDevice(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    await this.call?.switchDevice(kind, deviceId);
  }

  listDevices() {
    return listDevices();
  }

  /** Open PeerConnections of the running call (tests and diagnostics). */
  peerConnections(): RTCPeerConnection[] {
    return this.call?.peerConnections() ?? [];
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.reconcileTimer);
    for (const off of this.offs) off();
    this.stopCall();
  }

  private onSignal(m: SignalMessage, mine: boolean): void {
    const fromRole = mine ? this.role : this.role === 'agent' ? 'customer' : 'agent';
    switch (m.type) {
      case 'video.invite': {
        if (this.desired) return; // video already running: nothing to invite to
        this.update({ phase: mine ? 'inviting' : 'invited', invite: { id: m.id, mode: m.body.mode }, answer: undefined });
        this.emit('video-invite', { inviteId: m.id, mode: m.body.mode, from: fromRole });
        break;
      }
      case 'video.answer': {
        if (this._state.invite?.id !== m.body.inviteId) return;
        const accept = m.body.accept;
        this.emit('invite-answer', { inviteId: m.body.inviteId, accept });
        if (accept === false) {
          this.update({ phase: 'idle', invite: undefined, answer: { inviteId: m.body.inviteId, accept } });
        } else {
          this.update({ consented: true, invite: undefined, answer: { inviteId: m.body.inviteId, accept } });
          this.begin({ session: m.body.inviteId, mode: accept, startMuted: false }, 'customer');
        }
        break;
      }
      case 'video.start': {
        // A start is consent when the customer sends it, and only follows consent when the agent does.
        if (fromRole === 'agent' && !this._state.consented) return;
        const startMuted = this.role === 'agent' && fromRole === 'customer' && m.body.mode === 'one-way-agent';
        this.update({ consented: true, invite: undefined });
        this.begin({ session: m.body.session, mode: m.body.mode, startMuted }, fromRole);
        break;
      }
      case 'video.end': {
        if (this.desired?.session !== m.body.session) return;
        this.desired = undefined;
        this.update({ phase: 'idle', mode: undefined, unmutePrompt: false, remote: { audio: false, video: false } });
        // Stopping is immediate (camera light off now); only starting waits for history to settle.
        this.stopCall();
        this.emit('video-end', { session: m.body.session, reason: mine ? 'local' : 'remote' });
        break;
      }
      case 'media.state': {
        if (mine) return;
        this.update({ remote: { audio: m.body.audio, video: m.body.video } });
        this.emit('media-state', { local: this._state.local, remote: this._state.remote });
        break;
      }
    }
  }

  private begin(desired: Desired, initiator: 'agent' | 'customer'): void {
    this.desired = desired;
    this.update({ phase: 'starting', mode: desired.mode, unmutePrompt: desired.startMuted, problems: [], error: undefined });
    this.emit('video-start', { session: desired.session, mode: desired.mode, initiator });
    this.scheduleReconcile();
  }

  private scheduleReconcile(): void {
    clearTimeout(this.reconcileTimer);
    // A short delay lets a burst of replayed history settle before any camera opens.
    this.reconcileTimer = setTimeout(() => void this.reconcile(), 60);
  }

  private async reconcile(): Promise<void> {
    if (this.disposed) return;
    const want = this.desired;
    if (this.callSession && this.callSession !== want?.session) this.stopCall();
    if (!want || this.callSession === want.session) return;
    const call = new VideoRoomCall(this.gateway, {
      room: this.descriptor.videoRoom.room,
      pin: this.descriptor.videoRoom.pin,
      token: this.descriptor.token,
      feedId: connectionUsername(this.descriptor.self.id),
      peerId: this.peerId() ?? '',
      display: this.descriptor.self.display,
      sendVideo: sendsVideo(this.role, want.mode),
      startMuted: want.startMuted,
    });
    this.call = call;
    this.callSession = want.session;
    call.on('local', ({ stream, state }) => this.onLocal(stream, state));
    call.on('remote', ({ stream }) => this.update({ remoteStream: stream, phase: this.desired ? 'active' : this._state.phase }));
    call.on('published', () => { if (this.desired) this.update({ phase: 'active' }); });
    call.on('device-problem', ({ problem }) => this.update({ problems: [...new Set([...this._state.problems, DEVICE_PROBLEM_TEXT[problem]])] }));
    call.on('failed', ({ reason }) => this.update({ error: reason }));
    this.update({ localStream: call.local, remoteStream: call.remote });
    try {
      await call.start();
    } catch (e) {
      if (this.call !== call) return;
      this.update({ error: `Video could not start: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  private onLocal(stream: MediaStream, s: LocalMediaState): void {
    const local: LocalMediaStatus = { audio: s.audio, video: s.video, muted: s.muted, paused: s.paused, videoAllowed: s.videoAllowed };
    const prev = this._state.local;
    this.update({ localStream: stream, local, unmutePrompt: this._state.unmutePrompt && s.muted });
    if (prev.audio !== local.audio || prev.video !== local.video) {
      // Janus does not tell the other side about mute/pause: we do.
      this.chat.sendSignal('media.state', { audio: local.audio, video: local.video });
    }
    this.emit('media-state', { local, remote: this._state.remote });
  }

  private stopCall(): void {
    const call = this.call;
    this.call = undefined;
    this.callSession = undefined;
    if (!call) return;
    call.stop();
    this.update({ local: NO_LOCAL, localStream: undefined, remoteStream: undefined });
  }

  private update(patch: Partial<VideoState>): void {
    this._state = { ...this._state, ...patch };
    this.emit('change', { video: this._state });
  }
}

function newSessionId(): string {
  return `v${globalThis.crypto.randomUUID().replace(/-/g, '').slice(0, 20)}`;
}
