// The one place janus-gateway and webrtc-adapter enter the product. They are
// loaded on first use, so a page that only shows the launcher never pays for them.
import type { JanusJS } from 'janus-gateway';

export type JanusClass = typeof JanusJS.Janus;
export type { JanusJS };

let loading: Promise<JanusClass> | undefined;
let collectSocket: ((ws: WebSocket) => void) | undefined;

/**
 * Runs `fn` and hands every WebSocket janus-gateway opens meanwhile to
 * `collect`. janus-gateway opens its sockets synchronously inside `new Janus()`
 * and `reconnect()`, keeps no handle on them we could reach, and never closes
 * one whose claim Janus refused: their owner (GatewayConnection) must.
 */
export function collectingSockets<T>(collect: (ws: WebSocket) => void, fn: () => T): T {
  const outer = collectSocket;
  collectSocket = collect;
  try {
    return fn();
  } finally {
    collectSocket = outer;
  }
}

export function loadJanus(): Promise<JanusClass> {
  const p = loading ?? (async () => {
    // The package's types describe a CommonJS module; the file it ships is ESM with a default export.
    const [janusModule, adapterModule] = await Promise.all([import('janus-gateway'), import('webrtc-adapter')]);
    const Janus = (janusModule as unknown as { default: JanusClass }).default;
    const adapter: unknown = (adapterModule as { default?: unknown }).default ?? adapterModule;
    const dependencies = {
      ...Janus.useDefaultDependencies({ adapter }),
      // The global at call time (not at init), and every socket reported to whoever is collecting.
      newWebSocket: (server: string, protocol: string): WebSocket => {
        const ws = new WebSocket(server, protocol);
        collectSocket?.(ws);
        return ws;
      },
    };
    await new Promise<void>((resolve) => {
      Janus.init({ debug: false, dependencies, callback: () => resolve() });
    });
    return Janus;
  })();
  if (!loading) {
    loading = p;
    p.catch(() => { loading = undefined; });
  }
  return p;
}
