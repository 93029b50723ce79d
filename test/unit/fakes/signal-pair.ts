// Two ends of the chat as the features see it (SignalChannel, src/chat/room.ts):
// a reliable signal reaches its sender at once (`mine`) and the other end a
// moment later, in order; ephemeral ones reach the other end only. What video,
// cobrowse, page push and link need, without rooms, signing or Janus.
import type { EphemeralType, ReliableSignalType, SignalChannel, SignalEvents, SignalMessage } from '../../../src/chat/index.js';
import { createEnvelope, type BodyOf } from '../../../src/protocol/index.js';
import { TypedEventTarget } from '../../../src/util/typed-event-target.js';

export class FakeSignals extends TypedEventTarget<SignalEvents> implements SignalChannel {
  other?: FakeSignals;
  /** Everything this end sent, in order. */
  readonly sent: SignalMessage[] = [];
  /** While false, nothing reaches the other end (a peer that is not there). */
  connected = true;

  constructor(readonly selfId: string) {
    super();
  }

  sendSignal<T extends ReliableSignalType>(type: T, body: BodyOf<T>): SignalMessage {
    const message = { ...createEnvelope(type, this.selfId, body), kid: 'k', sig: 's' } as unknown as SignalMessage;
    this.sent.push(message);
    queueMicrotask(() => this.emit('signal', { message, mine: true }));
    if (this.connected) setTimeout(() => this.other?.emit('signal', { message, mine: false }), 0);
    return message;
  }

  sendEphemeral<T extends EphemeralType>(type: T, body: BodyOf<T>): boolean {
    if (!this.connected || !this.other) return false;
    const message = { ...createEnvelope(type, this.selfId, body), kid: 'k', sig: 's' } as unknown as SignalMessage;
    this.sent.push(message);
    setTimeout(() => this.other?.emit('signal', { message, mine: false }), 0);
    return true;
  }

  /** Replays what `from` sent, as room history does for a reloaded page. */
  replay(messages: readonly SignalMessage[], mineFor: string): void {
    for (const message of messages) this.emit('signal', { message, mine: message.from === mineFor });
  }
}

export function signalPair(agentId: string, customerId: string): { agent: FakeSignals; customer: FakeSignals } {
  const agent = new FakeSignals(agentId);
  const customer = new FakeSignals(customerId);
  agent.other = customer;
  customer.other = agent;
  return { agent, customer };
}
