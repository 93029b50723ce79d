import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ConversationDescriptor } from '../protocol/index.js';
import { ConversationSlot, type ConversationController, type ConversationState } from '../session/index.js';
import { ConversationStateController, type ConversationStateControllerOptions } from './conversation-state-controller.js';

export interface ConversationHostOptions extends ConversationStateControllerOptions {
  /** Makes the element's own conversation (a descriptor and no injected controller). */
  create?: () => ConversationController;
  /** Or: follow a slot someone else drives (the widget's CustomerEntry). */
  slot?: ConversationSlot;
}

/**
 * The one lifecycle of "own or injected conversation" for the top elements
 * (Lit ReactiveController): the element shows either the `controller` its
 * host injected (never disposed here) or its own conversation made from a
 * descriptor, connected while the element is in the page, released when it
 * leaves or its inputs change. It re-renders the element on every change and
 * passes the conversation's events on as `vc-*` events
 * (ConversationStateController).
 */
export class ConversationHost implements ReactiveController {
  readonly slot: ConversationSlot;
  private readonly follow: ConversationStateController;
  private inputs?: { injected?: ConversationController; descriptor?: ConversationDescriptor };
  private applied?: ConversationHost['inputs'];
  private connected = false;

  constructor(private readonly host: ReactiveControllerHost & HTMLElement, options: ConversationHostOptions) {
    const { create, slot, ...follow } = options;
    this.slot = slot ?? new ConversationSlot(create ?? (() => { throw new Error('ConversationHost needs `create` or `slot`'); }));
    this.follow = new ConversationStateController(host, follow);
    this.slot.on('change', () => {
      this.follow.controller = this.slot.controller;
      host.requestUpdate();
    });
    host.addController(this);
  }

  /** The conversation shown. */
  get controller(): ConversationController | undefined {
    return this.slot.controller;
  }

  get state(): ConversationState | undefined {
    return this.slot.controller?.state;
  }

  /** A connect is under way. */
  get connecting(): boolean {
    return this.slot.state.connecting;
  }

  /** Why the last connect failed. */
  get connectError(): string | undefined {
    return this.slot.state.error;
  }

  /**
   * Shows `injected` (connected with `descriptor` only while it is idle), or
   * else an own conversation connected with `descriptor`. Call it from
   * `willUpdate` with the element's properties; unchanged inputs do nothing.
   */
  show(injected: ConversationController | undefined, descriptor: ConversationDescriptor | undefined): void {
    this.inputs = { injected, descriptor };
    this.apply();
  }

  /** Connects again after a failure: the injected conversation, or a fresh own one. */
  retry(): void {
    const descriptor = this.inputs?.descriptor;
    if (descriptor) void this.slot.connect(descriptor).catch(() => { /* in slot.state.error */ });
  }

  hostConnected(): void {
    this.connected = true;
    this.apply();
  }

  hostDisconnected(): void {
    this.connected = false;
    this.applied = undefined;
    this.slot.release();
  }

  private apply(): void {
    const inputs = this.inputs;
    if (!this.connected || !inputs) return;
    if (this.applied && this.applied.injected === inputs.injected && this.applied.descriptor === inputs.descriptor) return;
    this.applied = inputs;
    const { injected, descriptor } = inputs;
    this.slot.use(injected);
    if (descriptor && (!injected || injected.state.status === 'idle')) {
      void this.slot.connect(descriptor).catch(() => { /* in slot.state.error */ });
    }
  }
}
