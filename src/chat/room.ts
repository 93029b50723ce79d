import type { BodyOf, WireMessage } from '../protocol/index.js';

/**
 * What the chat needs from a room, and nothing of how the room is carried:
 * the Janus TextRoom implements it (textroom-transport.ts), an in-memory room
 * implements it in the unit tests, so the chat's state machine (signing,
 * outbox, acks, dedupe, presence, history) runs there without Janus.
 */

/** One participant's join request. */
export interface RoomJoin {
  room: string | number;
  pin?: string;
  token?: string;
  /** Unique per connection (the room refuses a username that is still in it). */
  username: string;
  display: string;
}

export interface RoomParticipant {
  username: string;
  display?: string;
}

export interface RoomEvents {
  /** A text relayed by the room; `from` is the sender's connection name as the room saw it. */
  message: { from: string; text: string; date?: string; whisper: boolean };
  join: RoomParticipant;
  leave: { username: string };
  /** Joined and usable (after every (re)join). `participants` excludes us; the room's history follows as messages. */
  ready: { participants: RoomParticipant[] };
  /** The connection went away; open() again to rejoin. */
  down: { reason: string };
  /** The room was destroyed or we were removed: do not rejoin. */
  closed: { reason: string };
}

/** One connection to the room. */
export interface RoomChannel {
  readonly isReady: boolean;
  /** Joins (or rejoins after 'down'). */
  open(signal?: AbortSignal): Promise<void>;
  /** Sends a text to everyone (or whispers it to `to`, connection names); resolves once the room relayed it. */
  send(text: string, opts?: { to?: string[]; signal?: AbortSignal }): Promise<void>;
  /** Leaves the room and releases the connection. */
  dispose(): void;
  on<K extends keyof RoomEvents & string>(type: K, listener: (detail: RoomEvents[K]) => void): () => void;
}

/** Where rooms are joined: the gateway session as the chat sees it. */
export interface RoomTransport {
  /** Whether a join can be tried now (the gateway session is up). */
  readonly connected: boolean;
  /**
   * The session that carried the rooms was rebuilt (a restarted gateway): every
   * channel is dead and the room may have lost its history.
   */
  onSessionReplaced(listener: () => void): () => void;
  /** The session can be used again (`connected` turned true): a waiting rejoin tries at once. */
  onConnected?(listener: () => void): () => void;
  channel(join: RoomJoin): RoomChannel;
}

/**
 * Whispered to the other side's current connections only: no outbox, no ack,
 * no room history, no dedupe. For high-volume or moment-bound cobrowse traffic.
 */
export type EphemeralType = 'cobrowse.chunk' | 'cobrowse.resync' | 'cobrowse.pointer' | 'cobrowse.highlight' | 'cobrowse.action' | 'cobrowse.action-result';
/** Control messages the features (video, pages, link, cobrowse) exchange over the chat. */
export type SignalType =
  | 'video.invite' | 'video.answer' | 'video.start' | 'video.end' | 'video.publish' | 'media.state' | 'media.network' | 'page.push' | 'page.opened' | 'customer.linked'
  | 'cobrowse.offer' | 'cobrowse.answer' | 'cobrowse.control-request' | 'cobrowse.control-grant' | 'cobrowse.stop'
  | EphemeralType;
export type SignalMessage = Extract<WireMessage, { type: SignalType }>;
export type ReliableSignalType = Exclude<SignalType, EphemeralType>;

export interface SignalEvents {
  /** A control message from either side (`mine`: sent by this participant), once per id, in room order (history included). */
  signal: { message: SignalMessage; mine: boolean };
}

/**
 * What video, page push, link and cobrowse need from the chat: ChatSession
 * implements it over a room; a pair of in-memory channels implements it in the
 * unit tests of those state machines.
 */
export interface SignalChannel {
  /** Sends with the chat's guarantees (outbox until acked, in the room's history); our own copy is delivered as `mine` at once. */
  sendSignal<T extends ReliableSignalType>(type: T, body: BodyOf<T>): SignalMessage;
  /** Whispers to the other side's current connections; false when it could not go out. */
  sendEphemeral<T extends EphemeralType>(type: T, body: BodyOf<T>): boolean;
  on<K extends keyof SignalEvents & string>(type: K, listener: (detail: SignalEvents[K]) => void): () => void;
}
