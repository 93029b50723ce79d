import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type {
  ConnectionStatus,
  ConversationController,
  ConversationEventDetails,
  ConversationEventName,
  ConversationState,
} from '../session/index.js';
import { DEFAULT_FORWARDED_EVENTS, dispatchVcEvent, type ForwardedEvents, type VcEventMap, type VcEventName } from './events.js';

export { DEFAULT_FORWARDED_EVENTS };

export interface ConversationStateControllerOptions {
  /** Conversation id to report while the controller's state has no descriptor yet. */
  fallbackConversationId?: () => string | undefined;
  /**
   * More conversation events to re-dispatch from the host, by DOM event name
   * (e.g. `{ 'video-start': 'vc-video-start' }`). The detail is passed on as it is;
   * the name must be in the registry (events.ts) with a detail that fits.
   */
  forward?: ForwardedEvents;
  /** Called after each state change, once the host has been asked to update. */
  onChange?: (state: ConversationState) => void;
  /** Called for each message from the other side. */
  onMessageReceived?: (detail: ConversationEventDetails['message-received']) => void;
}

/**
 * Connects a Lit element to a {@link ConversationController}: re-renders the host on
 * every `change`, and re-dispatches the conversation's events from the host as
 * `vc-message-sent`, `vc-message-received`, `vc-protocol-error` (plus any in
 * `options.forward`) and `vc-conversation-state` (on status changes only), all
 * CustomEvents with `bubbles` and `composed`.
 *
 * Listens only while the host is connected; setting `controller` moves the listeners.
 */
export class ConversationStateController implements ReactiveController {
  private _controller?: ConversationController;
  private _listening = false;
  private _hostConnected = false;
  private _lastStatus?: ConnectionStatus;
  private _peerSeenOnline = false;
  private readonly _forward: ForwardedEvents;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly options: ConversationStateControllerOptions = {},
  ) {
    this._forward = { ...DEFAULT_FORWARDED_EVENTS, ...options.forward };
    host.addController(this);
  }

  /** The conversation being followed. */
  get controller(): ConversationController | undefined {
    return this._controller;
  }

  set controller(next: ConversationController | undefined) {
    if (next === this._controller) return;
    this._unlisten();
    this._controller = next;
    this._lastStatus = next?.state.status;
    this._peerSeenOnline = next?.state.peer?.online === true;
    if (this._hostConnected) this._listen();
    this.host.requestUpdate();
  }

  /** Current state of the followed conversation, if any. */
  get state(): ConversationState | undefined {
    return this._controller?.state;
  }

  /**
   * Whether the other side has been online since this controller was followed.
   * The elements render `state.peer.presence` instead, which also tells a
   * dropped connection ('away') from having left ('gone').
   */
  get peerSeenOnline(): boolean {
    return this._peerSeenOnline;
  }

  hostConnected(): void {
    this._hostConnected = true;
    this._listen();
    // Catch up with what changed while the host was detached.
    this._observe();
  }

  hostDisconnected(): void {
    this._hostConnected = false;
    this._unlisten();
  }

  /** @internal EventListenerObject entry point. */
  handleEvent(event: Event): void {
    const type = event.type as ConversationEventName;
    const detail = (event as CustomEvent<unknown>).detail;
    if (type === 'change') {
      this._observe();
      this.host.requestUpdate();
      if (this._controller) this.options.onChange?.(this._controller.state);
      return;
    }
    if (type === 'message-received' && detail) {
      this.options.onMessageReceived?.(detail as ConversationEventDetails['message-received']);
    }
    const name: VcEventName | undefined = this._forward[type];
    // The ForwardedEvents type guarantees the detail fits the registry's for that name.
    if (name && detail && typeof detail === 'object') dispatchVcEvent(this.host, name, { ...detail } as VcEventMap[typeof name]);
  }

  private _observe(): void {
    const state = this._controller?.state;
    if (!state) return;
    if (state.peer?.online) this._peerSeenOnline = true;
    if (state.status === this._lastStatus) return;
    this._lastStatus = state.status;
    const conversationId = state.descriptor?.id ?? this.options.fallbackConversationId?.() ?? '';
    const peer = state.peer?.participant ?? state.descriptor?.peer;
    dispatchVcEvent(
      this.host,
      'vc-conversation-state',
      peer ? { status: state.status, conversationId, peer } : { status: state.status, conversationId },
    );
  }

  private _listen(): void {
    if (this._listening || !this._controller) return;
    for (const type of this._types()) this._controller.addEventListener(type, this);
    this._listening = true;
  }

  private _unlisten(): void {
    if (!this._listening || !this._controller) return;
    for (const type of this._types()) this._controller.removeEventListener(type, this);
    this._listening = false;
  }

  private _types(): string[] {
    return ['change', 'message-received', ...Object.keys(this._forward).filter((t) => t !== 'message-received')];
  }
}
