import type { CobrowseRefusal, ConversationDescriptor, NetworkStep, Participant, VideoMode } from '../protocol/index.js';
import type { NetworkStatus, QualityLevel } from './call-network.js';
import type { Coded, MessageKey, Params } from '../i18n/index.js';
import type { DeviceProblem } from '../janus/local-media.js';

export type { DeviceProblem };
import type { Observable } from '../util/typed-event-target.js';

export type { VideoMode };

/** Connection to the conversation as this machine sees it. */
export type ConnectionStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed' | 'failed';

/** Where one of our own messages is: queued locally, relayed by Janus, or acknowledged by the other side. */
export type Delivery = 'sending' | 'sent' | 'delivered';

export interface TranscriptMessage {
  kind: 'message';
  id: string;
  from: Participant;
  text: string;
  ts: number;
  mine: boolean;
  delivery: Delivery;
  /** Sender's sequence number; keeps the sender's order after resends. */
  seq: number;
}

/**
 * A line the product writes itself ("Ann joined the conversation", "Video
 * started: two-way video"). `code` and `params` say it (a key of the message
 * catalogues, src/i18n): the elements render it in the viewer's locale.
 * `text` is the same line in English, for hosts, logs and transcripts stored
 * before lines had codes (those have no `code` and render their `text`).
 */
export interface TranscriptSystemLine {
  kind: 'system';
  id: string;
  text: string;
  ts: number;
  /** The message key, e.g. `sys.video-start`. */
  code?: MessageKey;
  /** Its parameters, e.g. `{ mode: 'two-way' }` or `{ name: 'Ann' }`. */
  params?: Params;
}

/** A web page the agent sent: a card in both transcripts; the customer opens it with a click. */
export interface TranscriptPageCard {
  kind: 'page';
  id: string;
  url: string;
  title?: string;
  /** Host name shown on the card so the customer sees where it leads. */
  host: string;
  ts: number;
  mine: boolean;
  opened: boolean;
}

export type TranscriptEntry = TranscriptMessage | TranscriptSystemLine | TranscriptPageCard;

/**
 * Where the other side is, as far as this side can tell. The room only says
 * "connected" or "not connected"; a network drop, a reload and a closed tab
 * all look the same at first, so absence is 'away' (may come back) and turns
 * into 'gone' only after `peerGoneMs` of it or when the conversation ended.
 *
 * - `waiting`: not seen in the room since this page connected.
 * - `online`: in the room now.
 * - `away`: was in the room, its connection is gone: waiting for it to come back.
 * - `gone`: away longer than `peerGoneMs` (ConversationOptions), or the conversation ended.
 */
export type PeerPresence = 'waiting' | 'online' | 'away' | 'gone';

export interface PeerState {
  participant: Participant;
  /** In the room right now (`presence === 'online'`). */
  online: boolean;
  presence: PeerPresence;
  /** When this side saw the other side's connection go (presence `away` or `gone`), epoch milliseconds. */
  awaySince?: number;
  typing: boolean;
}

/** What this machine sends, as the icons must show it. */
export interface LocalMediaStatus {
  /** Microphone audio is leaving this machine (live track, not muted). */
  audio: boolean;
  /** Camera video is leaving this machine (live track, not paused). */
  video: boolean;
  muted: boolean;
  /** Paused by the person's own click. */
  paused: boolean;
  /** Off because the network could not carry it; comes back by itself (never past a pause by hand). */
  netOff?: boolean;
  /** The mode lets this side send video at all. */
  videoAllowed: boolean;
}

/**
 * What the other side says it sends (its signed `media.state`): `audio` and
 * `video` are live tracks leaving its machine; the rest says why not.
 */
export interface RemoteMediaStatus {
  audio: boolean;
  video: boolean;
  /** It muted its microphone (or started muted: the agent when the customer started video). */
  muted?: boolean;
  /** It paused its video. */
  paused?: boolean;
  /** Its devices that could not be captured: blocked, missing, busy. */
  problems?: readonly DeviceProblem[];
  /** Its video is off because of the network ("video paused: poor connection"), not by choice. */
  netOff?: boolean;
  /** How it says it receives our media. */
  rx?: QualityLevel;
  /** It has said what it sends in this video (false: its devices are still being asked for). */
  reported?: boolean;
}

export type VideoPhase = 'idle' | 'inviting' | 'invited' | 'starting' | 'active';

export interface VideoState {
  phase: VideoPhase;
  /** Mode of the running (or starting) video. */
  mode?: VideoMode;
  /** Invitation in flight: sent by the agent, or waiting for the customer's answer. */
  invite?: { id: string; mode: VideoMode };
  /** The customer's last answer to an invitation (shown to the agent). */
  answer?: { inviteId: string; accept: VideoMode | false };
  /** The customer accepted (or started) video once: later starts need no invitation. */
  consented: boolean;
  local: LocalMediaStatus;
  /** What the other side says it sends (media.state). */
  remote: RemoteMediaStatus;
  localStream?: MediaStream;
  remoteStream?: MediaStream;
  /** The agent's mic was muted because the customer started one-way: show a prompt to unmute. */
  unmutePrompt: boolean;
  /** Device trouble, in words a person can act on (English; `problemCodes` say the same as codes). */
  problems: string[];
  /** The same device trouble as codes: elements say `device.<code>` in the viewer's locale. */
  problemCodes?: readonly DeviceProblem[];
  /** Why video failed (English). */
  error?: string;
  /** The same as a code, when the core knows it (elements prefer it). */
  errorCoded?: Coded;
  /** This browser cannot capture or send video and voice (see `browserSupport`): elements say so instead of offering it. */
  unsupported?: boolean;
  /** How the running call is doing, measured here once a second (absent: no call running). */
  quality?: CallQuality;
}

/**
 * A running call's network as this side measures it (getStats, once a
 * second) and what the call did about it: `level` is the worse of how what
 * we send is doing (`send`: our uplink, and how the other side says it
 * receives us) and how what we receive is doing (`rx`).
 */
export interface CallQuality extends NetworkStatus {
  /** Round-trip time to the gateway, ms. */
  rttMs?: number;
  /** What our congestion control thinks we may send, kbit/s. */
  availableOutKbps?: number;
  /** Packet loss of what we send (Janus's reports) and what we receive, 0..1. */
  lossUp?: number;
  lossDown?: number;
  /** Our video as sent, and the other side's as received: height in pixels and frames per second. */
  sentHeight?: number;
  sentFps?: number;
  recvHeight?: number;
  recvFps?: number;
  /** Freezes of the received video since the call started. */
  freezes: number;
  /**
   * The other side's video stopped arriving here (no frame decoded for 3 s after frames came) although
   * it says it sends: our downlink cannot carry it. Shown as its video paused for the connection at
   * once, before its own word (which crosses the same congested link) arrives.
   */
  videoStalled?: boolean;
}

/**
 * Cobrowse as this side sees it. `offered`: the agent's offer waits for the
 * customer (agent side); `asked`: the customer is being asked (customer side).
 * Control likewise: `requested` (agent) / `asked` (customer) / `granted`.
 */
export type CobrowsePhase = 'idle' | 'offered' | 'asked' | 'active';
export type CobrowseControl = 'none' | 'requested' | 'asked' | 'granted';

export interface CobrowseState {
  phase: CobrowsePhase;
  control: CobrowseControl;
  /** The offer being answered (offered/asked) or that led to the running cobrowse. */
  offerId?: string;
  /** The control request being answered, or that control was granted for. */
  requestId?: string;
  /** The customer's last answer to an offer (the agent shows a decline). */
  answer?: { offerId: string; accept: boolean };
  /** Agent: the replay has the customer's page. Customer: this page is being recorded. */
  live: boolean;
  /** Agent: the customer's page as its recorder last reported it (untrusted text: render as text). */
  page?: { href: string; width: number; height: number };
  /** How the last cobrowse ended. */
  ended?: { by: 'agent' | 'customer'; reason?: string };
  /**
   * Agent: what the customer's page last said about one of our actions
   * (`code`: why it was refused); `seq` grows with each report, so a view can
   * tell a new refusal from the same one.
   */
  lastAction?: { kind: 'click' | 'input'; ok: boolean; code?: CobrowseRefusal; seq: number };
  error?: string;
}

/** What the agent sent as pages, as cards in both transcripts (the customer opens them with a click). */
export interface PagesState {
  pages: readonly TranscriptPageCard[];
}

/** The customer record this chat is linked to (agent: id and name; customer: name only). */
export interface LinkState {
  link?: { name: string; customerId?: string };
}

/**
 * A snapshot of the whole conversation, for elements that render all of it
 * (and for tests). The parts also live on the sub-controllers
 * (`video.state`, `cobrowse.state`, `pages.state`, `link.state`), which an
 * element can follow on their own.
 */
export interface ConversationState {
  status: ConnectionStatus;
  descriptor?: ConversationDescriptor;
  peer?: PeerState;
  transcript: readonly TranscriptEntry[];
  /** Human-readable reason when status is 'failed' or a reconnect is under way. */
  error?: string;
  /** Count of wire messages dropped as invalid. */
  protocolErrors: number;
  video: VideoState;
  cobrowse: CobrowseState;
  /** The customer record this chat is linked to (agent: id and name; customer: name only). */
  link?: { name: string; customerId?: string };
}

/**
 * Whether this side can write now. Messages written while connecting or
 * reconnecting wait in the outbox and go out, in order, once the connection
 * is back; only an ended or failed conversation refuses them.
 */
export function canSend(state: Pick<ConversationState, 'status'>): boolean {
  return state.status === 'connecting' || state.status === 'connected' || state.status === 'reconnecting';
}

/**
 * Whether our messages are waiting for the connection (connecting or
 * reconnecting): the transcript shows the unsent ones as "will be sent when
 * the connection is back".
 */
export function sendingHeld(state: Pick<ConversationState, 'status'>): boolean {
  return state.status === 'connecting' || state.status === 'reconnecting';
}

/** Events of `conversation.video`. */
export interface VideoEventDetails {
  /** Any change of the video state. */
  change: { video: VideoState };
  /** An invitation to video was sent (agent) or received (customer). */
  'video-invite': { inviteId: string; mode: VideoMode; from: Participant['role'] };
  /** The customer answered an invitation. */
  'invite-answer': { inviteId: string; accept: VideoMode | false };
  /** Video started on this side in `mode`. */
  'video-start': { session: string; mode: VideoMode; initiator: Participant['role'] };
  /** Video ended for both sides (`local`: this side ended it); `network`: because the connection could not be kept up. */
  'video-end': { session: string; reason: 'local' | 'remote'; network?: boolean };
  /** A step the call took for the network, by this side (`mine`) or the other: a line in both transcripts. */
  'network-step': { session: string; step: NetworkStep; mine: boolean; id: string };
  /** How the call is doing: at once when the level or a step changes, else every few seconds while the call runs. */
  'call-quality': { quality: CallQuality };
  /** What this side or the other side sends changed. */
  'media-state': { local: LocalMediaStatus; remote: RemoteMediaStatus };
}

/** Events of `conversation.cobrowse`. */
export interface CobrowseEventDetails {
  /** Any change of the cobrowse state. */
  change: { cobrowse: CobrowseState };
  /** The agent offered cobrowse (agent: sent; customer: ask for consent). */
  'cobrowse-offer': { offerId: string };
  /** The customer answered a cobrowse offer. */
  'cobrowse-answer': { offerId: string; accept: boolean };
  /** Remote control: requested by the agent, granted or denied by the customer, or revoked (Stop, Esc, navigation, idle). */
  'cobrowse-control': { requestId: string; control: 'requested' | 'granted' | 'denied' | 'revoked' };
  /** Cobrowse ended (`by`: who stopped it). */
  'cobrowse-stop': { stopId: string; by: 'agent' | 'customer'; reason?: string };
  /**
   * Customer: an agent action was performed on this page or refused (with why).
   * Agent: the customer's page reported what became of an action of ours (`code` says why it was refused).
   */
  'cobrowse-action': { kind: 'click' | 'input'; node: number; ok: boolean; reason?: string; code?: CobrowseRefusal };
}

/** Events of `conversation.pages`. */
export interface PagesEventDetails {
  change: { pages: PagesState };
  /** A page was pushed (agent: sent; customer: received and valid). */
  'page-push': { pushId: string; url: string; title?: string };
  /** A pushed page was refused (agent: before sending; customer: on receipt). */
  'page-refused': { url: string; reason: string };
  /** The customer opened a pushed page. */
  'page-opened': { pushId: string; url: string };
}

/** Events of `conversation.link`. */
export interface LinkEventDetails {
  change: { link: LinkState };
  /** The chat was linked to a customer record (customerId on the agent's side only). */
  'customer-linked': { name: string; customerId?: string };
}

/** Events of the conversation itself: its own, and every sub-controller's (but their `change`), passed on. */
export interface ConversationEventDetails
  extends Omit<VideoEventDetails, 'change'>, Omit<CobrowseEventDetails, 'change'>, Omit<PagesEventDetails, 'change'>, Omit<LinkEventDetails, 'change'> {
  /** Any change of state; detail is the new state. */
  change: { state: ConversationState };
  /** A message from the other side arrived (once per message id). */
  'message-received': { message: TranscriptMessage };
  /** A message of ours was queued for sending. */
  'message-sent': { message: TranscriptMessage };
  /** A wire message was dropped as invalid. */
  'protocol-error': { reason: string; from?: string };
  /** Cobrowse state changed; detail is the new cobrowse state. */
  'cobrowse-state': { cobrowse: CobrowseState };
}

export type ConversationEventName = keyof ConversationEventDetails;

export interface DeviceLists {
  cameras: { deviceId: string; label: string }[];
  microphones: { deviceId: string; label: string }[];
}

/** `conversation.video`: invitation, the four modes, pause, mute, devices, end. */
export interface VideoController extends Observable<VideoEventDetails> {
  readonly state: VideoState;
  /**
   * Agent: offers video (an invitation the first time, a direct start once the
   * customer has consented). Customer: starts video ('two-way' or
   * 'one-way-agent', i.e. watch the agent only).
   */
  start(mode: VideoMode): void;
  /** Customer: answers the pending invitation with a mode, or false to stay in text. */
  answer(accept: VideoMode | false): void;
  /** Ends the video for both sides (or withdraws a pending invitation); chat continues. */
  end(): void;
  setMuted(muted: boolean): void;
  setPaused(paused: boolean): Promise<void>;
  switchDevice(kind: 'audio' | 'video', deviceId: string): Promise<void>;
  listDevices(): Promise<DeviceLists>;
  /** ICE restart of the running call, media kept (the call also does it by itself when its connection drops or the network changes). */
  restartIce(): Promise<void>;
}

/** `conversation.cobrowse`: offer, consent, control, stop, and the agent's replay. */
export interface CobrowseController extends Observable<CobrowseEventDetails> {
  readonly state: CobrowseState;
  /** Agent: offers to view the customer's page; the customer is asked for consent. */
  offer(): void;
  /** Customer: answers the pending offer. Accepting starts recording this page (masked). */
  answer(accept: boolean): void;
  /** Agent: asks the customer for remote control (a second consent). */
  requestControl(): void;
  /** Customer: answers the control request; `false` while control is granted revokes it. */
  answerControl(granted: boolean): void;
  /** Either side: ends cobrowse (recording stops, listeners are removed). */
  stop(reason?: string): void;
  /**
   * Agent: replays the customer's page inside `el` (rrweb's sandboxed iframe
   * is appended to it). One target at a time; the handle detaches it.
   */
  attachReplayTarget(el: HTMLElement): ReplayTargetHandle;
}

/** `conversation.pages`: the agent pushes web pages, the customer opens them. */
export interface PagesController extends Observable<PagesEventDetails> {
  readonly state: PagesState;
  /** Agent: sends a page to the customer. Throws PageRefusedError with a clear reason if the URL is not allowed. */
  push(url: string, title?: string): void;
  /** Customer: marks a pushed page opened and returns where to go; the element navigates. */
  open(pushId: string): { url: string; sameOrigin: boolean };
}

/** `conversation.link`: the agent links the chat to a customer record; both transcripts show it. */
export interface LinkController extends Observable<LinkEventDetails> {
  readonly state: LinkState;
  /** Agent: links this chat to `record`. */
  linkTo(record: { customerId: string; name: string }): void;
}

/**
 * What elements need from a conversation: the chat's state and actions, and
 * one sub-controller per feature, each with its own state and actions.
 */
export interface ConversationController extends Observable<ConversationEventDetails> {
  readonly state: ConversationState;
  readonly video: VideoController;
  readonly cobrowse: CobrowseController;
  readonly pages: PagesController;
  readonly link: LinkController;
  /** Joins the conversation described by `descriptor`. Resolves once joined. */
  connect(descriptor: ConversationDescriptor, signal?: AbortSignal): Promise<void>;
  /**
   * Queues a chat message; returns it (delivery 'sending'). Works whenever
   * `canSend(state)`: while (re)connecting the message waits and goes out once
   * the connection is back. Throws RangeError on empty or too-long text.
   */
  send(text: string): TranscriptMessage;
  /** Tells the other side whether this side is typing. Cheap to call on every keystroke. */
  setTyping(active: boolean): void;
  /** Leaves the rooms and releases everything. Safe to call twice. */
  dispose(): void;
}

/** The agent's replay inside an element of the UI. */
export interface ReplayTargetHandle {
  /** While on, clicks in the replay highlight an element on the customer's page instead of clicking it. */
  setHighlightMode(on: boolean): void;
  /**
   * The words the replay shows (its frame title, the tooltips of masked and
   * secret fields), in the agent's language. Optional for controllers of
   * your own; the replay falls back to English.
   */
  setLabels?(labels: { frame: string; masked: string; secret: string }): void;
  /** The sandboxed replay iframe (undefined until the first snapshot arrived). */
  readonly iframe: HTMLIFrameElement | undefined;
  /** Stops replaying into the element and removes what was added to it. */
  detach(): void;
}
