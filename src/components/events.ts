import type { ConnectionStatus, TranscriptMessage } from '../session/index.js';
import type { Participant } from '../protocol/index.js';

/** `vc-message-sent`: a message of ours was queued for sending (delivery 'sending'). */
export interface VcMessageSentDetail {
  message: TranscriptMessage;
}

/** `vc-message-received`: a message from the other side arrived (once per message id). */
export interface VcMessageReceivedDetail {
  message: TranscriptMessage;
}

/** `vc-conversation-state`: the connection status changed. */
export interface VcConversationStateDetail {
  status: ConnectionStatus;
  /** Conversation id, '' while none is known. */
  conversationId: string;
  /** The other side, when known. */
  peer?: Participant;
}

/** `vc-protocol-error`: a wire message was dropped as invalid. */
export interface VcProtocolErrorDetail {
  reason: string;
  /** Sender id, when the envelope got far enough to tell. */
  from?: string;
}

/** `vc-compose` (from `<chat-composer>`): the user sends `text` (trimmed, never empty). Cancelable: cancel to keep the text in the box. */
export interface VcComposeDetail {
  text: string;
}

/** `vc-typing` (from `<chat-composer>`): the user started (throttled) or stopped typing. */
export interface VcTypingDetail {
  active: boolean;
}

/** `vc-page-open-request` (from `<chat-transcript>`): the user clicked Open on a pushed page card. */
export interface VcPageOpenRequestDetail {
  pushId: string;
  url: string;
}

/** Every `vc-*` event the chat elements dispatch, by name. */
export interface VcEventMap {
  'vc-page-open-request': VcPageOpenRequestDetail;
  'vc-message-sent': VcMessageSentDetail;
  'vc-message-received': VcMessageReceivedDetail;
  'vc-conversation-state': VcConversationStateDetail;
  'vc-protocol-error': VcProtocolErrorDetail;
  'vc-compose': VcComposeDetail;
  'vc-typing': VcTypingDetail;
}

declare global {
  interface HTMLElementEventMap {
    'vc-page-open-request': CustomEvent<VcPageOpenRequestDetail>;
    'vc-message-sent': CustomEvent<VcMessageSentDetail>;
    'vc-message-received': CustomEvent<VcMessageReceivedDetail>;
    'vc-conversation-state': CustomEvent<VcConversationStateDetail>;
    'vc-protocol-error': CustomEvent<VcProtocolErrorDetail>;
    'vc-compose': CustomEvent<VcComposeDetail>;
    'vc-typing': CustomEvent<VcTypingDetail>;
  }
}

/**
 * Dispatches a `vc-*` CustomEvent in house style (bubbles, composed).
 * Returns false when a listener cancelled a cancelable event.
 */
export function dispatchVcEvent<K extends keyof VcEventMap>(
  target: EventTarget,
  type: K,
  detail: VcEventMap[K],
  options: { cancelable?: boolean } = {},
): boolean {
  return target.dispatchEvent(
    new CustomEvent<VcEventMap[K]>(type, { detail, bubbles: true, composed: true, cancelable: options.cancelable ?? false }),
  );
}
