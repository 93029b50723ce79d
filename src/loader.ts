// Script-tag entry. Kept tiny on purpose: it reads its data-* attributes and,
// once the page is idle, loads the widget bundle next to it and mounts
// <customer-chat>. The Janus client is loaded later still, when a chat starts.
//
//   <script src="https://cdn.example/vc/loader.js" data-broker="https://chat.example/" async></script>
//
// Attributes: data-broker (required): base URL of the broker that starts
// conversations; data-allow-http-pages: accept pushed http: pages (local demos
// only); data-allowed-page-origins: space-separated origins pushed pages must
// come from; data-identity: the signed identity of the site's logged-in user
// (or set customerChat.identity from script before the chat starts).

interface LoaderConfig {
  broker: string;
  allowHttpPages: boolean;
  allowedPageOrigins?: string;
  identity?: string;
}

function readConfig(script: HTMLScriptElement | null): LoaderConfig | undefined {
  const broker = script?.dataset.broker;
  if (!script || !broker) {
    console.error('[video-chat] loader.js needs a data-broker attribute, e.g. <script src=".../loader.js" data-broker="https://chat.example/" async></script>');
    return undefined;
  }
  return {
    broker: new URL(broker, location.href).href,
    allowHttpPages: script.dataset.allowHttpPages !== undefined,
    allowedPageOrigins: script.dataset.allowedPageOrigins,
    identity: script.dataset.identity,
  };
}

function mount(config: LoaderConfig, widgetUrl: string): void {
  if (document.querySelector('customer-chat')) return;
  import(/* @vite-ignore */ widgetUrl).then(
    () => {
      const el = document.createElement('customer-chat');
      el.setAttribute('broker-url', config.broker);
      if (config.allowHttpPages) el.setAttribute('allow-http-pages', '');
      if (config.allowedPageOrigins) el.setAttribute('allowed-page-origins', config.allowedPageOrigins);
      if (config.identity) (el as HTMLElement & { identity?: string }).identity = config.identity;
      document.body.appendChild(el);
    },
    (e: unknown) => console.error('[video-chat] could not load the chat widget', e),
  );
}

const script = document.currentScript as HTMLScriptElement | null;
const config = readConfig(script);
if (config && script) {
  const widgetUrl = new URL('widget.js', script.src).href;
  // A conversation in progress (reload, navigation) comes back at once; otherwise wait for idle.
  const resuming = Object.keys(sessionStorage).some((k) => k.startsWith('vc-conversation:'));
  const start = () => mount(config, widgetUrl);
  if (resuming) start();
  else if ('requestIdleCallback' in window) requestIdleCallback(start, { timeout: 3000 });
  else setTimeout(start, 500);
}
