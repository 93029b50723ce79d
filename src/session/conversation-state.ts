import type { ConversationDescriptor, Participant } from '../protocol/index.js';

/** Connection to the conversation as this machine sees it. */
export type ConnectionStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed' | 'failed';

/** Where one of our own messages is: queued locally, relayed by Janus, or acknowledged by the other side. */
export type Delivery = 'sending' | 'sent' | 'delivered';

export interface TranscriptMessage {
  kind: 'message';
  id: string;
  from: Participant;
  text: string;
  ts: number;
  mine: boolean;
  delivery: Delivery;
  /** Sender's sequence number; keeps the sender's order after resends. */
  seq: number;
}

/** A line the product writes itself ("Agent Ann joined", later "Video started"). */
export interface TranscriptSystemLine {
  kind: 'system';
  id: string;
  text: string;
  ts: number;
}

export type TranscriptEntry = TranscriptMessage | TranscriptSystemLine;

export interface PeerState {
  participant: Participant;
  online: boolean;
  typing: boolean;
}

export interface ConversationState {
  status: ConnectionStatus;
  descriptor?: ConversationDescriptor;
  peer?: PeerState;
  transcript: readonly TranscriptEntry[];
  /** Human-readable reason when status is 'failed' or a reconnect is under way. */
  error?: string;
  /** Count of wire messages dropped as invalid. */
  protocolErrors: number;
}

export interface ConversationEventDetails {
  /** Any change of state; detail is the new state. */
  change: { state: ConversationState };
  /** A message from the other side arrived (once per message id). */
  'message-received': { message: TranscriptMessage };
  /** A message of ours was queued for sending. */
  'message-sent': { message: TranscriptMessage };
  /** A wire message was dropped as invalid. */
  'protocol-error': { reason: string; from?: string };
}

export type ConversationEventName = keyof ConversationEventDetails;

/** What elements need from a conversation: state to render and actions to call. */
export interface ConversationController extends EventTarget {
  readonly state: ConversationState;
  /** Joins the conversation described by `descriptor`. Resolves once joined. */
  connect(descriptor: ConversationDescriptor, signal?: AbortSignal): Promise<void>;
  /** Queues a chat message; returns it (delivery 'sending'). Throws RangeError on empty or too-long text. */
  send(text: string): TranscriptMessage;
  /** Tells the other side whether this side is typing. Cheap to call on every keystroke. */
  setTyping(active: boolean): void;
  /** Leaves the rooms and releases everything. Safe to call twice. */
  dispose(): void;
}
