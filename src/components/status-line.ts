import type { ConversationState, CustomerEntryState } from '../session/index.js';

/** Colour of the agent pane's status dot. */
export type Tone = 'ok' | 'wait' | 'bad' | 'off';

/**
 * The agent pane's status line, from the conversation's state alone: our own
 * connection lost, the customer's connection dropped and the customer having
 * left are told apart. `connecting`/`connectError`: the pane's own connect.
 */
export function agentStatusLine(state: ConversationState | undefined, connecting: boolean, connectError: string | undefined): [string, Tone] {
  if (!state) return ['No conversation', 'off'];
  switch (state.status) {
    case 'idle':
      if (connectError) return [`Failed: ${connectError}`, 'bad'];
      return connecting ? ['Connecting…', 'wait'] : ['Not connected', 'off'];
    case 'connecting':
      return ['Connecting…', 'wait'];
    case 'connected': {
      const peer = state.peer;
      switch (peer?.presence) {
        case 'online':
          return ['Online', 'ok'];
        case 'away':
          return [`${peer.participant.display}’s connection dropped — waiting for them to come back`, 'wait'];
        case 'gone':
          return [peer.participant.role === 'customer' ? 'Customer left' : 'Agent left', 'off'];
        default:
          return ['Waiting for the customer…', 'wait'];
      }
    }
    case 'reconnecting':
      // Our own connection: the customer has not left, and what the agent writes waits for it.
      return ['Connection lost — reconnecting…', 'wait'];
    case 'closed':
      return ['Conversation ended', 'off'];
    case 'failed':
      return [`Failed: ${state.error ?? connectError ?? 'connection lost'}`, 'bad'];
  }
}

/** The customer widget's status line: what the entry is doing, then how the conversation stands. */
export function customerStatusLine(entry: CustomerEntryState, state: ConversationState | undefined): string {
  if (entry.phase === 'busy') return entry.busyText;
  if (entry.phase === 'start' || !state) return '';
  switch (state.status) {
    case 'idle':
    case 'connecting':
      return 'Connecting…';
    case 'reconnecting':
      // Our own connection: the other side has not left, and what the customer writes waits for it.
      return 'Connection lost — reconnecting…';
    case 'failed':
      return 'Connection failed';
    case 'closed':
      return 'Chat ended';
    case 'connected': {
      const peer = state.peer;
      const name = peer?.participant.display;
      switch (peer?.presence) {
        case 'online':
          return `Chatting with ${name}`;
        case 'away':
          return `${name}’s connection dropped — waiting for them to come back`;
        case 'gone':
          return `${name} left the chat`;
        default:
          return 'Waiting for an agent…';
      }
    }
  }
}
