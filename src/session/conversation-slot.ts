import type { ConversationDescriptor } from '../protocol/index.js';
import { TypedEventTarget } from '../util/typed-event-target.js';
import type { ConversationController } from './conversation-state.js';

export interface ConversationSlotState {
  /** The conversation shown: the injected one, or the slot's own. */
  controller?: ConversationController;
  /** A connect is under way. */
  connecting: boolean;
  /** Why the last connect failed. */
  error?: string;
}

/**
 * "Own or injected": the one conversation a UI shows. Either the host hands
 * one in (`use(controller)`: the host manages it, it is never disposed here),
 * or the slot makes its own when asked to connect, and disposes it when it is
 * replaced or released. Every connect takes its own AbortSignal; a newer
 * connect or a release aborts the older one. Framework-free: the elements'
 * ConversationHost and the widget's CustomerEntry both run on it.
 */
export class ConversationSlot extends TypedEventTarget<{ change: { slot: ConversationSlotState } }> {
  private _state: ConversationSlotState = { connecting: false };
  private injected?: ConversationController;
  private own?: ConversationController;
  private abort?: AbortController;

  constructor(
    /** Makes the slot's own conversation. */
    private readonly create: () => ConversationController,
  ) {
    super();
  }

  get state(): ConversationSlotState {
    return this._state;
  }

  get controller(): ConversationController | undefined {
    return this._state.controller;
  }

  /** Whether the conversation shown was handed in (and so is the host's to dispose). */
  get isInjected(): boolean {
    return this.injected !== undefined && this._state.controller === this.injected;
  }

  /**
   * Shows `injected` as it is (or nothing): any connect under way stops and
   * the slot's own conversation is disposed.
   */
  use(injected: ConversationController | undefined): void {
    this.stop();
    this.injected = injected;
    this.set({ controller: injected, connecting: false, error: undefined });
  }

  /**
   * Connects with `descriptor`: the injected conversation, or a fresh own one
   * (the previous own one is disposed first: a Conversation connects once).
   * Resolves when connected, or when a newer connect or a release took over;
   * rejects with the connect's error, which `state.error` also says.
   */
  async connect(descriptor: ConversationDescriptor): Promise<void> {
    this.stop();
    const abort = new AbortController();
    this.abort = abort;
    let target = this.injected;
    if (!target) target = this.own = this.create();
    this.set({ controller: target, connecting: true, error: undefined });
    try {
      await target.connect(descriptor, abort.signal);
      if (this.abort === abort) this.set({ connecting: false });
    } catch (err) {
      if (abort.signal.aborted || this.abort !== abort) return;
      this.set({ connecting: false, error: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  }

  /** Stops showing anything: aborts a connect, disposes the own conversation (never an injected one). */
  release(): void {
    this.use(undefined);
  }

  private stop(): void {
    this.abort?.abort();
    this.abort = undefined;
    const own = this.own;
    this.own = undefined;
    // Not followed any more before it is disposed: its closing is not news.
    if (own && this._state.controller === own) this.set({ controller: undefined, connecting: false });
    own?.dispose();
  }

  private set(patch: Partial<ConversationSlotState>): void {
    const next = { ...this._state, ...patch };
    if (next.controller === this._state.controller && next.connecting === this._state.connecting && next.error === this._state.error) return;
    this._state = next;
    this.emit('change', { slot: next });
  }
}
