import type { SignalChannel, SignalEvents, SignalMessage } from '../chat/index.js';

/**
 * A part of the conversation whose module is imported on first use (video,
 * cobrowse and each side's cobrowse half, page push, the customer link), so
 * a chat that never needs it never downloads it. What the part is asked to do
 * while its module loads is kept and done in the same order once it is
 * there. A failed download drops what was asked (the part's `failed` says
 * what that means for it); the next use tries again.
 */
export class LazyPart<T extends { dispose(): void }> {
  private part?: T;
  private loading?: Promise<void>;
  private pending: Array<(part: T) => void> = [];
  private disposed = false;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly failed?: (error: unknown) => void,
  ) {}

  /** The part, once its module is there. */
  get current(): T | undefined {
    return this.part;
  }

  /** It was asked for (loaded or loading): something may be running in it. */
  get asked(): boolean {
    return this.loading !== undefined;
  }

  /** Runs `use` with the part: at once when it is loaded, else once its module is (imported now), after everything asked before. */
  use(use: (part: T) => void): void {
    if (this.disposed) return;
    if (this.part) {
      use(this.part);
      return;
    }
    this.pending.push(use);
    this.loading ??= this.start();
  }

  /** The part, loaded if need be (rejects when its module could not be loaded). */
  get(): Promise<T> {
    return new Promise((resolve, reject) => {
      if (this.disposed) reject(new Error('disposed'));
      this.use(resolve);
      void this.loading?.then(() => this.part || reject(new Error('could not load')));
    });
  }

  private async start(): Promise<void> {
    try {
      const part = await this.load();
      if (this.disposed) {
        part.dispose();
        return;
      }
      this.part = part;
      const pending = this.pending;
      this.pending = [];
      for (const use of pending) {
        try {
          use(part);
        } catch (e) {
          // One failed action must not hold back what was asked after it (a click whose error can no longer reach it).
          globalThis.reportError?.(e);
        }
      }
    } catch (e) {
      // Could not load (offline): try again on the next use.
      this.loading = undefined;
      this.pending = [];
      if (!this.disposed) this.failed?.(e);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pending = [];
    this.part?.dispose();
  }
}

/**
 * The conversation's signal channel as a lazily loaded part sees it: the part
 * subscribes as it would to the chat, but its signals come through `deliver`
 * (called from LazyPart.use, so the ones that arrived while it loaded come
 * first, in room order); sending goes straight to the chat.
 */
export function relaySignals(signals: SignalChannel): { channel: SignalChannel; deliver(message: SignalMessage, mine: boolean): void } {
  const listeners = new Set<(detail: SignalEvents['signal']) => void>();
  return {
    channel: {
      sendSignal: (type, body) => signals.sendSignal(type, body),
      sendEphemeral: (type, body) => signals.sendEphemeral(type, body),
      on: (_type, listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    deliver: (message, mine) => {
      for (const listener of [...listeners]) listener({ message, mine });
    },
  };
}
