// The registry of every `vc-*` DOM event the elements fire: each declared once
// here (name → detail type, and whether the host may cancel it), typed in
// HTMLElementEventMap from this one list, dispatched by one helper. Checked by
// scripts/check-manifest.mjs (names fired per custom-elements.json vs this
// map, and the README's events tables) and by test/unit/event-registry.test.ts.
import type { Participant } from '../protocol/index.js';
import type {
  CallQuality,
  CobrowseEventDetails,
  ConnectionStatus,
  ConversationEventDetails,
  ConversationEventName,
  CustomerMatch,
  LocalMediaStatus,
  RemoteMediaStatus,
  TranscriptMessage,
  VideoMode,
} from '../session/index.js';

export type { CustomerMatch };

// ---- what the top elements report about the conversation ----

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
/** `vc-video-end`: video ended for both sides (`reason: 'local'` = this side ended it; `network`: the connection could not be kept up). */
export interface VcVideoEndDetail {
  session: string;
  reason: 'local' | 'remote';
  network?: boolean;
}
/**
 * `vc-call-quality`: how the running call is doing, measured in this browser
 * (getStats once a second) — level, round-trip time, loss, available
 * bitrate, frame rates, freezes — and what the call did about it (encoding
 * tier, video off for the network, voice breaking up, reconnecting). Fired at
 * once when the level or a step changes, else every 10 s while the call runs.
 */
export interface VcCallQualityDetail {
  quality: CallQuality;
}
/** `vc-media-state`: what this side sends (`local`) or the other side says it sends (`remote`) changed. */
export interface VcMediaStateDetail {
  local: LocalMediaStatus;
  remote: RemoteMediaStatus;
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
/** `vc-cobrowse-offer`: cobrowse was offered (pane: sent; widget: the customer is asked). */
export type VcCobrowseOfferDetail = CobrowseEventDetails['cobrowse-offer'];
/** `vc-cobrowse-answer`: the customer answered the cobrowse offer. */
export type VcCobrowseAnswerDetail = CobrowseEventDetails['cobrowse-answer'];
/** `vc-cobrowse-control`: remote control was requested, granted, denied or revoked. */
export type VcCobrowseControlDetail = CobrowseEventDetails['cobrowse-control'];
/** `vc-cobrowse-end`: cobrowse ended (`by` whom). Not `vc-cobrowse-stop`: that is the banner's request to stop. */
export type VcCobrowseEndDetail = CobrowseEventDetails['cobrowse-stop'];
/** `vc-cobrowse-action` (widget): an agent action was performed on this page, or refused (with why). */
export type VcCobrowseActionDetail = CobrowseEventDetails['cobrowse-action'];
/** `vc-panel-toggle` (widget): the chat panel opened or closed (launcher, Close, Esc, or the page API). */
export interface VcPanelToggleDetail {
  open: boolean;
}
/** `vc-offline-message` (widget): nobody was available and the visitor left a message; `id` is the broker's. */
export interface VcOfflineMessageDetail {
  id: string;
}

// ---- requests of the inner elements (the top elements handle them and stop them) ----

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
/** `vc-mute-request` (from `<media-controls>`): the user asks to mute or unmute. */
export interface VcMuteRequestDetail {
  muted: boolean;
}
/** `vc-pause-request` (from `<media-controls>`): the user asks to pause or resume video. */
export interface VcPauseRequestDetail {
  paused: boolean;
}
/** `vc-end-request` (from `<media-controls>`): End Video was pressed. */
export type VcEndRequestDetail = Record<string, never>;
/** `vc-device-request` (from `<media-controls>`): the user picked a device. */
export interface VcDeviceRequestDetail {
  kind: 'audio' | 'video';
  deviceId: string;
}
/** `vc-invite-respond` (from `<video-invite>`): the customer's choice. */
export interface VcInviteRespondDetail {
  accept: VideoMode | false;
}
/** `vc-cobrowse-consent` (from `<cobrowse-consent>`): the customer's answer to a view (`kind: 'view'`) or control request. */
export interface VcCobrowseConsentDetail {
  kind: 'view' | 'control';
  accept: boolean;
}
/** `vc-cobrowse-stop` (from `<cobrowse-banner>`): Stop pressed: `scope: 'control'` takes control back, `'cobrowse'` stops sharing the page. */
export interface VcCobrowseStopDetail {
  scope: 'control' | 'cobrowse';
}
/** `vc-menu-select` (from `<vc-menu-button>`): an item given by the `items` property was chosen. */
export interface VcMenuSelectDetail {
  id: string;
}

// ---- what <agent-console> reports ----

/** `vc-agent-session`: the console signed in (`agent`) or out (`agent: null`; also when the broker ended the session). */
export interface VcAgentSessionDetail {
  agent: { id: string; display: string } | null;
}
/** `vc-agent-presence`: the agent's presence, as the broker holds it, changed. */
export interface VcAgentPresenceDetail {
  status: 'available' | 'away';
}
/** `vc-conversation-select`: another conversation came to the front (`null`: none). */
export interface VcConversationSelectDetail {
  conversationId: string | null;
}
/**
 * `vc-console-notify` (cancelable): the console is about to chime and, with
 * the tab hidden, show a desktop notification, for a customer who started
 * waiting or a message the agent has not seen. Cancel to notify your own way.
 */
export interface VcConsoleNotifyDetail {
  kind: 'waiting' | 'message';
  conversationId: string;
  /** The customer's name. */
  name: string;
  /** The message, for `message`. */
  text?: string;
}

/** Every `vc-*` event the elements dispatch: name → detail. */
export interface VcEventMap {
  'vc-message-sent': VcMessageSentDetail;
  'vc-message-received': VcMessageReceivedDetail;
  'vc-conversation-state': VcConversationStateDetail;
  'vc-protocol-error': VcProtocolErrorDetail;
  'vc-video-invite': VcVideoInviteDetail;
  'vc-invite-answer': VcInviteAnswerDetail;
  'vc-video-start': VcVideoStartDetail;
  'vc-video-end': VcVideoEndDetail;
  'vc-media-state': VcMediaStateDetail;
  'vc-call-quality': VcCallQualityDetail;
  'vc-page-push': VcPagePushDetail;
  'vc-page-refused': VcPageRefusedDetail;
  'vc-page-opened': VcPageOpenedDetail;
  'vc-customer-search': VcCustomerSearchDetail;
  'vc-customer-link': VcCustomerLinkDetail;
  'vc-customer-linked': VcCustomerLinkedDetail;
  'vc-cobrowse-offer': VcCobrowseOfferDetail;
  'vc-cobrowse-answer': VcCobrowseAnswerDetail;
  'vc-cobrowse-control': VcCobrowseControlDetail;
  'vc-cobrowse-end': VcCobrowseEndDetail;
  'vc-cobrowse-action': VcCobrowseActionDetail;
  'vc-panel-toggle': VcPanelToggleDetail;
  'vc-offline-message': VcOfflineMessageDetail;
  'vc-compose': VcComposeDetail;
  'vc-typing': VcTypingDetail;
  'vc-page-open-request': VcPageOpenRequestDetail;
  'vc-mute-request': VcMuteRequestDetail;
  'vc-pause-request': VcPauseRequestDetail;
  'vc-end-request': VcEndRequestDetail;
  'vc-device-request': VcDeviceRequestDetail;
  'vc-invite-respond': VcInviteRespondDetail;
  'vc-cobrowse-consent': VcCobrowseConsentDetail;
  'vc-cobrowse-stop': VcCobrowseStopDetail;
  'vc-menu-select': VcMenuSelectDetail;
  'vc-agent-session': VcAgentSessionDetail;
  'vc-agent-presence': VcAgentPresenceDetail;
  'vc-conversation-select': VcConversationSelectDetail;
  'vc-console-notify': VcConsoleNotifyDetail;
}

export type VcEventName = keyof VcEventMap;

/**
 * The same names at run time, with whether the host may cancel each (a veto,
 * or "I answer this myself"). The type makes it list every name of
 * VcEventMap and nothing else.
 */
export const VC_EVENTS: { readonly [K in VcEventName]: { readonly cancelable: boolean } } = {
  'vc-message-sent': { cancelable: false },
  'vc-message-received': { cancelable: false },
  'vc-conversation-state': { cancelable: false },
  'vc-protocol-error': { cancelable: false },
  'vc-video-invite': { cancelable: false },
  'vc-invite-answer': { cancelable: false },
  'vc-video-start': { cancelable: false },
  'vc-video-end': { cancelable: false },
  'vc-media-state': { cancelable: false },
  'vc-call-quality': { cancelable: false },
  'vc-page-push': { cancelable: true },
  'vc-page-refused': { cancelable: false },
  'vc-page-opened': { cancelable: false },
  'vc-customer-search': { cancelable: true },
  'vc-customer-link': { cancelable: true },
  'vc-customer-linked': { cancelable: false },
  'vc-cobrowse-offer': { cancelable: false },
  'vc-cobrowse-answer': { cancelable: false },
  'vc-cobrowse-control': { cancelable: false },
  'vc-cobrowse-end': { cancelable: false },
  'vc-cobrowse-action': { cancelable: false },
  'vc-panel-toggle': { cancelable: false },
  'vc-offline-message': { cancelable: false },
  'vc-compose': { cancelable: true },
  'vc-typing': { cancelable: false },
  'vc-page-open-request': { cancelable: false },
  'vc-mute-request': { cancelable: false },
  'vc-pause-request': { cancelable: false },
  'vc-end-request': { cancelable: false },
  'vc-device-request': { cancelable: false },
  'vc-invite-respond': { cancelable: false },
  'vc-cobrowse-consent': { cancelable: false },
  'vc-cobrowse-stop': { cancelable: false },
  'vc-menu-select': { cancelable: false },
  'vc-agent-session': { cancelable: false },
  'vc-agent-presence': { cancelable: false },
  'vc-conversation-select': { cancelable: false },
  'vc-console-notify': { cancelable: true },
};

/** The registry as DOM events: what HTMLElementEventMap gets. */
export type VcDomEventMap = { [K in VcEventName]: CustomEvent<VcEventMap[K]> };

declare global {
  // Declared from the registry, so a name cannot be fired without being typed here.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface HTMLElementEventMap extends VcDomEventMap {}
}

/**
 * Dispatches a `vc-*` CustomEvent in house style: object detail, bubbles,
 * composed, cancelable as the registry says. Returns false when a listener
 * cancelled it.
 */
export function dispatchVcEvent<K extends VcEventName>(target: EventTarget, type: K, detail: VcEventMap[K]): boolean {
  return target.dispatchEvent(new CustomEvent<VcEventMap[K]>(type, { detail, bubbles: true, composed: true, cancelable: VC_EVENTS[type].cancelable }));
}

/** The name of a `vc-*` event whose detail can carry `D`. */
type VcNameFor<D> = { [N in VcEventName]: D extends VcEventMap[N] ? N : never }[VcEventName];

/**
 * Which core events (of a ConversationController) an element passes on, as
 * which `vc-*` event: a name outside the registry, or one whose detail does
 * not fit the core event's, does not compile.
 */
export type ForwardedEvents = { readonly [K in ConversationEventName]?: VcNameFor<ConversationEventDetails[K]> };

/** What both top elements pass on from their conversation (vc-conversation-state is made from `change`). */
export const DEFAULT_FORWARDED_EVENTS = {
  'message-received': 'vc-message-received',
  'message-sent': 'vc-message-sent',
  'protocol-error': 'vc-protocol-error',
  'video-invite': 'vc-video-invite',
  'invite-answer': 'vc-invite-answer',
  'video-start': 'vc-video-start',
  'video-end': 'vc-video-end',
  'media-state': 'vc-media-state',
  'call-quality': 'vc-call-quality',
  'page-refused': 'vc-page-refused',
  'page-opened': 'vc-page-opened',
  'customer-linked': 'vc-customer-linked',
  'cobrowse-offer': 'vc-cobrowse-offer',
  'cobrowse-answer': 'vc-cobrowse-answer',
  'cobrowse-control': 'vc-cobrowse-control',
  // Not vc-cobrowse-stop: that is the banner's request to stop.
  'cobrowse-stop': 'vc-cobrowse-end',
  'cobrowse-action': 'vc-cobrowse-action',
} as const satisfies ForwardedEvents;
