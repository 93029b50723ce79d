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
import { installPageApi } from './page-api.js';

interface LoaderConfig {
  broker: string;
  allowHttpPages: boolean;
  allowedPageOrigins?: string;
  identity?: string;
  color?: string;
  position?: string;
  label?: string;
  greeting?: string;
  locale?: string;
}

/** What a page may set before loader.js: `window.VideoChatSettings`. */
export type VideoChatSettings = Partial<Omit<LoaderConfig, 'allowHttpPages'>>;

declare global {
  interface Window {
    VideoChatSettings?: VideoChatSettings;
  }
}

function readConfig(script: HTMLScriptElement | null): LoaderConfig | undefined {
  const data = script?.dataset ?? {};
  const settings: VideoChatSettings = typeof window.VideoChatSettings === 'object' && window.VideoChatSettings ? window.VideoChatSettings : {};
  const pick = (k: keyof VideoChatSettings): string | undefined => {
    const value = settings[k] ?? data[k];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const broker = pick('broker');
  if (!broker) {
    console.error('[video-chat] loader.js needs a data-broker attribute, e.g. <script src=".../loader.js" data-broker="https://chat.example/" async></script>');
    return undefined;
  }
  return {
    broker: new URL(broker, location.href).href,
    allowHttpPages: data.allowHttpPages !== undefined,
    allowedPageOrigins: pick('allowedPageOrigins'),
    identity: pick('identity'),
    color: pick('color'),
    position: pick('position'),
    label: pick('label'),
    greeting: pick('greeting'),
    locale: pick('locale'),
  };
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
 * itself, sets up that one (what it sets itself wins over the loader's).
 */
function mount(config: LoaderConfig, widgetUrl: string, attach: (el: HTMLElement) => void): void {
  import(/* @vite-ignore */ widgetUrl).then(
    () => {
      const existing = document.querySelector('customer-chat');
      const el = existing ?? document.createElement('customer-chat');
      const set = (name: string, value: string | undefined) => {
        if (value !== undefined && !el.hasAttribute(name)) el.setAttribute(name, value);
      };
      set('broker-url', config.broker);
      if (config.allowHttpPages) set('allow-http-pages', '');
      set('allowed-page-origins', config.allowedPageOrigins);
      set('position', config.position === 'left' || config.position === 'right' ? config.position : undefined);
      set('label', config.label);
      set('greeting', config.greeting);
      set('locale', config.locale);
      if (config.color && !el.style.getPropertyValue('--vc-color-primary')) el.style.setProperty('--vc-color-primary', config.color);
      const w = el as HTMLElement & { identity?: string };
      if (config.identity && !w.identity) w.identity = config.identity;
      if (!existing) document.body.appendChild(el);
      attach(el);
    },
    (e: unknown) => console.error('[video-chat] could not load the chat widget', e),
  );
}

const script = document.currentScript as HTMLScriptElement | null;
// A second loader.js on the page finds the API made by the first and leaves the widget to it.
const api = installPageApi();
const config = api ? readConfig(script) : undefined;
if (api && config && script) {
  const widgetUrl = new URL('widget.js', script.src).href;
  const start = () => mount(config, widgetUrl, (el) => api.attach(el));
  if (resuming()) start();
  else if ('requestIdleCallback' in window) requestIdleCallback(start, { timeout: 3000 });
  else setTimeout(start, 500);
}
