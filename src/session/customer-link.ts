import type { SignalChannel, SignalMessage } from '../chat/index.js';
import type { ConversationDescriptor } from '../protocol/index.js';
import { TypedEventTarget } from '../util/typed-event-target.js';
import type { LinkController, LinkEventDetails, LinkState } from './conversation-state.js';
import type { TranscriptHost } from './feature-host.js';

/**
 * The link of one conversation to a customer record (`conversation.link`):
 * the agent links, both transcripts say so, the customer's side learns the
 * record's name (never its id).
 */
export class CustomerLinkSession extends TypedEventTarget<LinkEventDetails> implements LinkController {
  private _state: LinkState = {};
  private bound?: { signals: SignalChannel; descriptor: ConversationDescriptor };
  private off?: () => void;
  /** The record id of our own link on its way: the wire carries the name only. */
  private pendingId?: string;

  constructor(private readonly host: TranscriptHost) {
    super();
  }

  bind(signals: SignalChannel, descriptor: ConversationDescriptor): void {
    this.bound = { signals, descriptor };
    this.off = signals.on('signal', ({ message, mine }) => this.onSignal(message, mine));
  }

  dispose(): void {
    this.off?.();
  }

  get state(): LinkState {
    return this._state;
  }

  linkTo(record: { customerId: string; name: string }): void {
    const bound = this.bound;
    if (!bound) throw new Error('not connected');
    if (bound.descriptor.self.role !== 'agent') throw new Error('only the agent links a chat to a customer record');
    const name = record.name.trim().slice(0, 120);
    if (!name || !record.customerId) throw new RangeError('a customer record needs an id and a name');
    this.pendingId = record.customerId;
    bound.signals.sendSignal('customer.linked', { name });
  }

  private onSignal(m: SignalMessage, mine: boolean): void {
    if (m.type !== 'customer.linked') return;
    const name = m.body.name;
    const customerId = mine ? this.pendingId ?? this._state.link?.customerId : undefined;
    this._state = { link: { name, ...(customerId ? { customerId } : {}) } };
    this.emit('change', { link: this._state });
    if (mine) this.host.systemLine('sys.link.self', { record: name }, `sys-link-${m.id}`);
    else this.host.systemLine('sys.link.peer', { name: this.host.peerName(), record: name }, `sys-link-${m.id}`);
    this.emit('customer-linked', { name, ...(customerId ? { customerId } : {}) });
  }
}
