// What loader.js puts in `window.VideoChat` at once: every call waits in a
// queue until the widget is mounted and widget.js puts the real API in its
// place (page-api.ts). Kept to a few lines: it is on every page.
import type { VideoChatApi } from './page-api.js';

const METHODS = ['open', 'close', 'toggle', 'identify', 'reset', 'on', 'off', 'ready'] as const;

/**
 * Makes the stub, taking over an array a page filled before loader.js ran;
 * returns its queue. Undefined when another loader.js already made one (that
 * one mounts the widget).
 */
export function installPageApiStub(): unknown[] | undefined {
  const before = window.VideoChat;
  if (before && !Array.isArray(before)) return undefined;
  const queue: unknown[] = Array.isArray(before) ? [...before] : [];
  // A page that kept the stub itself still reaches the widget once the real API is in place.
  const push = (...calls: unknown[]) => {
    const api = window.VideoChat;
    if (!api || Array.isArray(api) || (api as unknown) === stub) queue.push(...calls);
    else (api as { push(...c: unknown[]): void }).push(...calls);
  };
  const stub: Record<string, unknown> = { isReady: false, push };
  for (const m of METHODS) stub[m] = (...args: unknown[]) => push([m, ...args]);
  window.VideoChat = stub as unknown as VideoChatApi;
  return queue;
}
