/**
 * Wraps `window.WebSocket` so a test can count the sockets its page really
 * holds, whoever opened them (janus-gateway opens its own). Install it before
 * anything connects: libraries may keep a reference to the constructor.
 */
export interface SocketTracker {
  /** Sockets to URLs starting with `prefix` that are open or still connecting. */
  live(prefix?: string): number;
  /** Every socket ever created to URLs starting with `prefix`. */
  created(prefix?: string): number;
  /** Puts the real constructor back. */
  restore(): void;
}

export function trackWebSockets(): SocketTracker {
  const Real = window.WebSocket;
  const sockets: WebSocket[] = [];
  class TrackedWebSocket extends Real {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      sockets.push(this);
    }
  }
  window.WebSocket = TrackedWebSocket;
  const matching = (prefix: string) => sockets.filter((s) => s.url.startsWith(prefix));
  return {
    live: (prefix = '') => matching(prefix).filter((s) => s.readyState === Real.OPEN || s.readyState === Real.CONNECTING).length,
    created: (prefix = '') => matching(prefix).length,
    restore: () => {
      window.WebSocket = Real;
    },
  };
}
