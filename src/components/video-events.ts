import type { LocalMediaStatus, VideoMode } from '../session/index.js';

/** `vc-mute-request` (from `<media-controls>`): the user asks to mute or unmute. */
export interface VcMuteRequestDetail {
  muted: boolean;
}
/** `vc-pause-request` (from `<media-controls>`): the user asks to pause or resume video. */
export interface VcPauseRequestDetail {
  paused: boolean;
}
/** `vc-device-request` (from `<media-controls>`): the user picked a device. */
export interface VcDeviceRequestDetail {
  kind: 'audio' | 'video';
  deviceId: string;
}
/** `vc-invite-respond` (from `<video-invite>`): the customer's choice. */
export interface VcInviteRespondDetail {
  accept: VideoMode | false;
}
/** `vc-video-invite`: an invitation to video was sent (agent side) or received (customer side). */
export interface VcVideoInviteDetail {
  inviteId: string;
  mode: VideoMode;
  from: 'agent' | 'customer';
}
/** `vc-invite-answer`: the customer answered an invitation (`accept: false` = declined, stays in text). */
export interface VcInviteAnswerDetail {
  inviteId: string;
  accept: VideoMode | false;
}
/** `vc-video-start`: video started in `mode`; `initiator` is who asked for it. */
export interface VcVideoStartDetail {
  session: string;
  mode: VideoMode;
  initiator: 'agent' | 'customer';
}
/** `vc-video-end`: video ended for both sides (`reason: 'local'` = this side pressed End Video). */
export interface VcVideoEndDetail {
  session: string;
  reason: 'local' | 'remote';
}
/** `vc-media-state`: what this side sends (`local`) or the other side says it sends (`remote`) changed. */
export interface VcMediaStateDetail {
  local: LocalMediaStatus;
  remote: { audio: boolean; video: boolean };
}

/** `vc-page-push` (cancelable, from `<video-chat-pane>`): the agent is about to send a page; cancel to veto. */
export interface VcPagePushDetail {
  url: string;
  title?: string;
}
/** `vc-page-refused`: a pushed page was refused by the URL rules (agent: before sending; customer: on receipt). */
export interface VcPageRefusedDetail {
  url: string;
  reason: string;
}
/** `vc-page-opened`: the customer opened a pushed page. */
export interface VcPageOpenedDetail {
  pushId: string;
  url: string;
}

/** A customer record as lookups return it. */
export interface CustomerMatch {
  customerId: string;
  name: string;
  /** One line shown under the name (e.g. email), optional. */
  detail?: string;
}
/**
 * `vc-customer-search` (cancelable, from `<video-chat-pane>`): the agent searches
 * customer records. A host CRM that answers calls `preventDefault()` and then
 * `respond(matches)`; otherwise the pane asks the broker (if configured).
 */
export interface VcCustomerSearchDetail {
  query: string;
  respond(matches: CustomerMatch[]): void;
}
/** `vc-customer-link` (cancelable: cancel to veto): the agent links the chat to this record. */
export interface VcCustomerLinkDetail {
  customerId: string;
  name: string;
  conversationId: string;
}
/** `vc-customer-linked`: the link is in both transcripts (customerId on the agent's side only). */
export interface VcCustomerLinkedDetail {
  name: string;
  customerId?: string;
}

declare module './events.js' {
  interface VcEventMap {
    'vc-mute-request': VcMuteRequestDetail;
    'vc-pause-request': VcPauseRequestDetail;
    'vc-end-request': Record<string, never>;
    'vc-device-request': VcDeviceRequestDetail;
    'vc-invite-respond': VcInviteRespondDetail;
    'vc-video-invite': VcVideoInviteDetail;
    'vc-invite-answer': VcInviteAnswerDetail;
    'vc-video-start': VcVideoStartDetail;
    'vc-video-end': VcVideoEndDetail;
    'vc-media-state': VcMediaStateDetail;
    'vc-page-push': VcPagePushDetail;
    'vc-page-refused': VcPageRefusedDetail;
    'vc-page-opened': VcPageOpenedDetail;
    'vc-customer-search': VcCustomerSearchDetail;
    'vc-customer-link': VcCustomerLinkDetail;
    'vc-customer-linked': VcCustomerLinkedDetail;
  }
}

declare global {
  interface HTMLElementEventMap {
    'vc-mute-request': CustomEvent<VcMuteRequestDetail>;
    'vc-pause-request': CustomEvent<VcPauseRequestDetail>;
    'vc-end-request': CustomEvent<Record<string, never>>;
    'vc-device-request': CustomEvent<VcDeviceRequestDetail>;
    'vc-invite-respond': CustomEvent<VcInviteRespondDetail>;
    'vc-video-invite': CustomEvent<VcVideoInviteDetail>;
    'vc-invite-answer': CustomEvent<VcInviteAnswerDetail>;
    'vc-video-start': CustomEvent<VcVideoStartDetail>;
    'vc-video-end': CustomEvent<VcVideoEndDetail>;
    'vc-media-state': CustomEvent<VcMediaStateDetail>;
    'vc-page-push': CustomEvent<VcPagePushDetail>;
    'vc-page-refused': CustomEvent<VcPageRefusedDetail>;
    'vc-page-opened': CustomEvent<VcPageOpenedDetail>;
    'vc-customer-search': CustomEvent<VcCustomerSearchDetail>;
    'vc-customer-link': CustomEvent<VcCustomerLinkDetail>;
    'vc-customer-linked': CustomEvent<VcCustomerLinkedDetail>;
  }
}
