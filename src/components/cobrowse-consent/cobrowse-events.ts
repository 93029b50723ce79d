import type { ConversationEventDetails } from '../../session/index.js';

/** DOM events of the cobrowse elements (`<cobrowse-consent>`, `<cobrowse-banner>`). */

/** `vc-cobrowse-respond` (from `<cobrowse-consent>`): the customer's answer to a view (`kind: 'view'`) or control request. */
export interface VcCobrowseRespondDetail {
  kind: 'view' | 'control';
  accept: boolean;
}

/** `vc-cobrowse-stop-request` (from `<cobrowse-banner>`): Stop pressed: `scope: 'control'` takes control back, `'cobrowse'` stops sharing the page. */
export interface VcCobrowseStopRequestDetail {
  scope: 'control' | 'cobrowse';
}

/**
 * Conversation cobrowse events as DOM events, for hosts that forward them
 * (e.g. `ConversationStateController`'s `forward` option) so a CRM can log
 * them. Details are the conversation's.
 */
export type VcCobrowseOfferDetail = ConversationEventDetails['cobrowse-offer'];
export type VcCobrowseAnswerDetail = ConversationEventDetails['cobrowse-answer'];
export type VcCobrowseControlDetail = ConversationEventDetails['cobrowse-control'];
export type VcCobrowseStopDetail = ConversationEventDetails['cobrowse-stop'];
export type VcCobrowseActionDetail = ConversationEventDetails['cobrowse-action'];

/** Suggested DOM names for forwarding the conversation's cobrowse events. */
export const COBROWSE_FORWARDED_EVENTS = {
  'cobrowse-offer': 'vc-cobrowse-offer',
  'cobrowse-answer': 'vc-cobrowse-answer',
  'cobrowse-control': 'vc-cobrowse-control',
  'cobrowse-stop': 'vc-cobrowse-stop',
  'cobrowse-action': 'vc-cobrowse-action',
} as const;

declare global {
  interface HTMLElementEventMap {
    'vc-cobrowse-respond': CustomEvent<VcCobrowseRespondDetail>;
    'vc-cobrowse-stop-request': CustomEvent<VcCobrowseStopRequestDetail>;
    'vc-cobrowse-offer': CustomEvent<VcCobrowseOfferDetail>;
    'vc-cobrowse-answer': CustomEvent<VcCobrowseAnswerDetail>;
    'vc-cobrowse-control': CustomEvent<VcCobrowseControlDetail>;
    'vc-cobrowse-stop': CustomEvent<VcCobrowseStopDetail>;
    'vc-cobrowse-action': CustomEvent<VcCobrowseActionDetail>;
  }
}

/** Dispatches a cobrowse element event in house style (bubbles, composed). */
export function dispatchCobrowseEvent<K extends 'vc-cobrowse-respond' | 'vc-cobrowse-stop-request'>(
  target: EventTarget,
  type: K,
  detail: K extends 'vc-cobrowse-respond' ? VcCobrowseRespondDetail : VcCobrowseStopRequestDetail,
): boolean {
  return target.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
}
