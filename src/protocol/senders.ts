import type { Role } from './descriptor.js';
import type { WireType } from './envelope.js';

/**
 * Who may send what. Checked on receipt, in one place (EnvelopeVerifier.open),
 * against the role in the sender's broker certificate — never against a name
 * the sender chose. The README's table is checked against this one.
 */
export const SENDERS: Readonly<Record<WireType, readonly Role[]>> = {
  'chat.message': ['agent', 'customer'],
  'chat.typing': ['agent', 'customer'],
  'chat.read': ['agent', 'customer'],
  ack: ['agent', 'customer'],
  'key.cert': ['agent', 'customer'],
  // Video: the agent asks, the customer's browser answers (a click, or its own stored consent);
  // only the customer starts video by itself; either side ends it and reports what it sends.
  'video.invite': ['agent'],
  'video.answer': ['customer'],
  'video.start': ['customer'],
  'video.end': ['agent', 'customer'],
  'video.publish': ['agent', 'customer'],
  'media.state': ['agent', 'customer'],
  'media.network': ['agent', 'customer'],
  'page.push': ['agent'],
  'page.opened': ['customer'],
  'customer.linked': ['agent'],
  // Cobrowse: the customer consents and is recorded; the agent views, points and (with a grant) acts.
  'cobrowse.offer': ['agent'],
  'cobrowse.answer': ['customer'],
  'cobrowse.chunk': ['customer'],
  'cobrowse.resync': ['agent'],
  'cobrowse.pointer': ['agent'],
  'cobrowse.highlight': ['agent'],
  'cobrowse.control-request': ['agent'],
  'cobrowse.control-grant': ['customer'],
  'cobrowse.action': ['agent'],
  'cobrowse.action-result': ['customer'],
  'cobrowse.stop': ['agent', 'customer'],
};

/** May a participant in `role` send messages of `type`? */
export function maySend(type: WireType, role: Role): boolean {
  return SENDERS[type].includes(role);
}
