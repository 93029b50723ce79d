import type { MessageKey, Params } from '../i18n/index.js';
import type { TranscriptEntry } from './conversation-state.js';

/**
 * What a feature of the conversation (page push, link, video and cobrowse
 * lines) may do with the conversation's transcript: the Conversation
 * implements it, so each feature's module owns its own messages while the
 * transcript stays one list in one order.
 */
export interface TranscriptHost {
  transcript(): readonly TranscriptEntry[];
  /** Replaces the transcript (the conversation saves it and tells its listeners). */
  setTranscript(entries: readonly TranscriptEntry[]): void;
  /** Adds a line the product writes itself, as a catalogue code with parameters (its English text is kept too); once per `id`. */
  systemLine(code: MessageKey, params: Params, id?: string): void;
  /** The other side's display name, or "The customer" / "The agent". */
  peerName(): string;
  /** A wire message was refused (counted and reported as 'protocol-error'). */
  protocolError(reason: string): void;
}
