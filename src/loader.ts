// Script-tag entry. Kept tiny on purpose: it reads its data-* attributes (or
// a settings object the page set before it), makes the page API
// (window.VideoChat, page-api.ts) and, once the page is idle, loads the widget
// bundle next to it and mounts <customer-chat>. The Janus client is loaded
// later still, when a chat starts.
//
//   <script src="https://cdn.example/vc/loader.js" data-broker="https://chat.example/" async></script>
//
// Attributes: data-broker (required): base URL of the broker that starts
// conversations; data-color: brand colour (launcher, title bar, own bubbles);
// data-position: left or right; data-label: the launcher's text;
// data-greeting: the text above the start form; data-locale: en, de, es, ar…
// (default: the page's lang); data-allow-http-pages: accept pushed http:
// pages (local demos only); data-allowed-page-origins: space-separated
// origins pushed pages must come from; data-identity: the signed identity of
// the site's logged-in user (or VideoChat.identify() before the chat starts).
// window.VideoChatSettings = { broker, color, position, label, greeting,
// locale, identity, allowedPageOrigins } set before the script wins over the
// attributes.
import { installPageApiStub } from './page-api-stub.js';

/** What a page may set before loader.js: `window.VideoChatSettings` (strings, as the data- attributes). */
export interface VideoChatSettings {
  broker?: string;
  color?: string;
  position?: string;
  label?: string;
  greeting?: string;
  locale?: string;
  identity?: string;
  allowedPageOrigins?: string;
}

declare global {
  interface Window {
    VideoChatSettings?: VideoChatSettings;
  }
}

/** Settings and the <customer-chat> attribute each one sets (identity and color are set otherwise). */
const ATTRIBUTES = { broker: 'broker-url', position: 'position', label: 'label', greeting: 'greeting', locale: 'locale', allowedPageOrigins: 'allowed-page-origins', identity: '', color: '' } as const;
type Config = { -readonly [K in keyof typeof ATTRIBUTES]?: string } & { allowHttpPages: boolean };

function readConfig(script: HTMLScriptElement | null): Config | undefined {
  const data = script?.dataset ?? {};
  const settings = window.VideoChatSettings ?? {};
  const config: Config = { allowHttpPages: data.allowHttpPages !== undefined };
  for (const k of Object.keys(ATTRIBUTES) as Array<keyof typeof ATTRIBUTES>) {
    const value = settings[k] ?? data[k];
    if (typeof value === 'string' && value) config[k] = value;
  }
  if (!config.broker) {
    console.error('[video-chat] loader.js needs a data-broker attribute, e.g. <script src=".../loader.js" data-broker="https://chat.example/" async></script>');
    return undefined;
  }
  config.broker = new URL(config.broker, location.href).href;
  return config;
}

/** A conversation in progress (reload, navigation) comes back at once. Storage that throws (blocked) has none. */
function resuming(): boolean {
  try {
    return Object.keys(sessionStorage).some((k) => k.startsWith('vc-conversation:'));
  } catch {
    return false;
  }
}

/**
 * Loads the widget and mounts <customer-chat>, or, when the page wrote one
 * itself, sets up that one (what it sets itself wins over the loader's); then
 * the page API takes over the calls queued meanwhile.
 */
function mount(config: Config, widgetUrl: string, queue: unknown[]): void {
  import(/* @vite-ignore */ widgetUrl).then(
    (widget: { adoptPageApi(el: HTMLElement, queued: unknown[]): unknown }) => {
      const existing = document.querySelector('customer-chat');
      const el = (existing ?? document.createElement('customer-chat')) as HTMLElement & { identity?: string };
      for (const [k, name] of Object.entries(ATTRIBUTES)) {
        const value = config[k as keyof typeof ATTRIBUTES];
        if (name && value && !el.hasAttribute(name) && (k !== 'position' || value === 'left' || value === 'right')) el.setAttribute(name, value);
      }
      if (config.allowHttpPages && !el.hasAttribute('allow-http-pages')) el.setAttribute('allow-http-pages', '');
      if (config.color && !el.style.getPropertyValue('--vc-color-primary')) el.style.setProperty('--vc-color-primary', config.color);
      if (config.identity && !el.identity) el.identity = config.identity;
      if (!existing) document.body.appendChild(el);
      widget.adoptPageApi(el, queue);
    },
    (e: unknown) => console.error('[video-chat] could not load the chat widget', e),
  );
}

const script = document.currentScript as HTMLScriptElement | null;
// A second loader.js on the page finds the API made by the first and leaves the widget to it.
const queue = installPageApiStub();
const config = queue ? readConfig(script) : undefined;
if (queue && config && script) {
  const widgetUrl = new URL('widget.js', script.src).href;
  const start = () => mount(config, widgetUrl, queue);
  if (resuming()) start();
  else if ('requestIdleCallback' in window) requestIdleCallback(start, { timeout: 3000 });
  else setTimeout(start, 500);
}
