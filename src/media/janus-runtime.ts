// The one place janus-gateway and webrtc-adapter enter the product. They are
// loaded on first use, so a page that only shows the launcher never pays for them.
import type { JanusJS } from 'janus-gateway';

export type JanusClass = typeof JanusJS.Janus;
export type { JanusJS };

let loading: Promise<JanusClass> | undefined;

export function loadJanus(): Promise<JanusClass> {
  const p = loading ?? (async () => {
    // The package's types describe a CommonJS module; the file it ships is ESM with a default export.
    const [janusModule, adapterModule] = await Promise.all([import('janus-gateway'), import('webrtc-adapter')]);
    const Janus = (janusModule as unknown as { default: JanusClass }).default;
    const adapter: unknown = (adapterModule as { default?: unknown }).default ?? adapterModule;
    await new Promise<void>((resolve) => {
      Janus.init({ debug: false, dependencies: Janus.useDefaultDependencies({ adapter }), callback: () => resolve() });
    });
    return Janus;
  })();
  if (!loading) {
    loading = p;
    p.catch(() => { loading = undefined; });
  }
  return p;
}
