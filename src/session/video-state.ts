import type { NetworkTimings } from './call-network.js';
import type { LocalMediaStatus, RemoteMediaStatus, VideoState } from './conversation-state.js';

// What the video's state starts from and its options: apart from
// video-session.ts, so the conversation can show an idle video (and know its
// options) before the video's own code is loaded (lazy-video.ts).

export const NO_LOCAL: LocalMediaStatus = { audio: false, video: false, muted: false, paused: false, videoAllowed: false };
export const NO_REMOTE: RemoteMediaStatus = { audio: false, video: false };

export function initialVideoState(): VideoState {
  return { phase: 'idle', consented: false, local: NO_LOCAL, remote: NO_REMOTE, unmutePrompt: false, problems: [] };
}

/** Default of VideoSessionOptions.inviteTtlMs. */
export const INVITE_TTL_MS = 120_000;

/**
 * Default of VideoSessionOptions.warmAfterEndMs: 3 minutes. Long enough for
 * the usual "let me show you that again" within a conversation; short
 * enough that a conversation that stays in text does not keep two handles
 * and two idle PeerConnections per side at Janus for long (memory, ICE
 * consent checks; about what a call costs Janus minus its forwarding), so
 * a box's capacity for calls is not taken by calls that are over.
 */
export const WARM_AFTER_END_MS = 180_000;

export interface VideoSessionOptions {
  /**
   * Warm start (default on): while an invitation is pending, everything that
   * needs no capture is made ready — on the customer's side the VideoRoom
   * handles, the join, a publisher PeerConnection with ICE/DTLS up whose
   * senders carry no track, and the subscription to the agent's feed
   * (negotiated, held at Janus, not rendered); on the agent's side its whole
   * call, from its own click. Accept then only captures and sends. The same
   * after End (see warmAfterEndMs): the next video ("Video chat again", the
   * customer's own start) only captures and sends.
   */
  warmStart?: boolean;
  /**
   * How long the call of a video that ended stays warm for the next one
   * (with warmStart): camera and microphone released at End, nothing sent
   * or shown, the handles and PeerConnections kept. Let go after this long,
   * when the gateway session is rebuilt, when the room is destroyed (the
   * conversation ended) or when the conversation is disposed. Default
   * WARM_AFTER_END_MS (3 minutes); 0 stops the call at End.
   */
  warmAfterEndMs?: number;
  /**
   * How long an invitation waits for an answer. The inviting page withdraws
   * it after this long (both sides tear down what was warmed up for it); a
   * customer's page lets its warm state go after this long even if nobody
   * withdraws it (Accept then starts cold). Default INVITE_TTL_MS (2 minutes).
   */
  inviteTtlMs?: number;
  /**
   * Whether this browser can capture and send video and voice (default:
   * `browserSupport().video`). Without it the state says `unsupported`, the
   * customer can only decline an invitation, and nothing is warmed up.
   */
  supported?: boolean;
  /**
   * The network watch of a running call (default on): a getStats reading
   * every `intervalMs` (1 s), the ladder's patience in readings
   * (`timings`, see call-network.ts), and `vc-call-quality` at most every
   * `reportEveryMs` (10 s) when nothing changed.
   */
  network?: { enabled?: boolean; intervalMs?: number; reportEveryMs?: number; timings?: Partial<NetworkTimings> };
}
