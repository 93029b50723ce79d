import type { Coded } from '../i18n/index.js';
import type { ConversationState, CustomerEntryState } from '../session/index.js';

/** Colour of the agent pane's status dot. */
export type Tone = 'ok' | 'wait' | 'bad' | 'off';

/**
 * The agent pane's status line, from the conversation's state alone: our own
 * connection lost, the customer's connection dropped and the customer having
 * left are told apart. `connecting`/`connectError`: the pane's own connect.
 * A code: the pane says it in its locale (`reason`s are the core's own words).
 */
export function agentStatusLine(state: ConversationState | undefined, connecting: boolean, connectError: string | undefined): [Coded, Tone] {
  if (!state) return [{ code: 'status.no-conversation' }, 'off'];
  switch (state.status) {
    case 'idle':
      if (connectError) return [{ code: 'status.failed-because', params: { reason: connectError } }, 'bad'];
      return connecting ? [{ code: 'status.connecting' }, 'wait'] : [{ code: 'status.not-connected' }, 'off'];
    case 'connecting':
      return [{ code: 'status.connecting' }, 'wait'];
    case 'connected': {
      const peer = state.peer;
      switch (peer?.presence) {
        case 'online':
          return [{ code: 'status.online' }, 'ok'];
        case 'away':
          return [{ code: 'status.peer-dropped', params: { name: peer.participant.display } }, 'wait'];
        case 'gone':
          return [{ code: peer.participant.role === 'customer' ? 'status.customer-left' : 'status.agent-left' }, 'off'];
        default:
          return [{ code: 'status.waiting-customer' }, 'wait'];
      }
    }
    case 'reconnecting':
      // Our own connection: the customer has not left, and what the agent writes waits for it.
      return [{ code: 'status.reconnecting' }, 'wait'];
    case 'closed':
      return [{ code: 'status.conversation-ended' }, 'off'];
    case 'failed': {
      const reason = state.error ?? connectError;
      return [reason ? { code: 'status.failed-because', params: { reason } } : { code: 'status.failed-lost' }, 'bad'];
    }
  }
}

/** The customer widget's status line: what the entry is doing, then how the conversation stands (undefined: none). */
export function customerStatusLine(entry: CustomerEntryState, state: ConversationState | undefined): Coded | string | undefined {
  if (entry.phase === 'busy') return entry.busyCoded ?? entry.busyText;
  if (entry.phase === 'start' || !state) return undefined;
  switch (state.status) {
    case 'idle':
    case 'connecting':
      return { code: 'status.connecting' };
    case 'reconnecting':
      // Our own connection: the other side has not left, and what the customer writes waits for it.
      return { code: 'status.reconnecting' };
    case 'failed':
      return { code: 'status.failed' };
    case 'closed':
      return { code: 'status.chat-ended' };
    case 'connected': {
      const peer = state.peer;
      const name = peer?.participant.display ?? '';
      switch (peer?.presence) {
        case 'online':
          return { code: 'status.chatting-with', params: { name } };
        case 'away':
          return { code: 'status.peer-dropped', params: { name } };
        case 'gone':
          return { code: 'status.peer-left-chat', params: { name } };
        default:
          return { code: 'status.waiting-agent' };
      }
    }
  }
}
