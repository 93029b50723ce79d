// The page API of the script-tag widget, `window.VideoChat` (README
// "Embedding", "The page API"). loader.js makes a stub at once
// (page-api-stub.ts) that keeps every call in order; once the widget is
// mounted, widget.js puts this API in its place and runs what the stub kept.
// A page can queue calls even before loader.js runs, with an array:
//
//   window.VideoChat = window.VideoChat || [];
//   VideoChat.push(['on', 'vc-panel-toggle', (d) => console.log(d.open)]);
//
// Kept free of Lit and of the elements' code (types only).
import type { VcEventMap, VcEventName } from './components/events.js';

/** What `identify()` takes: the signed identity the site's server made (README "Visitor identity"), and the name to fill in. */
export interface VideoChatIdentity {
  /** `base64url(JSON{userId, name?, exp}).base64url(HMAC)`, made on the site's server. */
  identity?: string;
  /** The visitor's name, filled into the start and message forms. */
  name?: string;
}

/** A listener of `on()`: the event's detail, and the event. */
export type VideoChatListener<K extends VcEventName> = (detail: VcEventMap[K], event: CustomEvent<VcEventMap[K]>) => void;

/** What `on()`/`off()` and `ready()` get called with, as a queued call. */
export type VideoChatCall =
  | ['open']
  | ['close']
  | ['toggle']
  | ['reset']
  | ['identify', VideoChatIdentity]
  | ['on', VcEventName, VideoChatListener<VcEventName>]
  | ['off', VcEventName, VideoChatListener<VcEventName>]
  | ['ready', (widget: HTMLElement) => void];

/** `window.VideoChat` once loader.js ran. */
export interface VideoChatApi {
  /** Opens the chat panel (focus goes into it). */
  open(): void;
  /** Closes the panel (focus goes back to the launcher). */
  close(): void;
  toggle(): void;
  /** The site's logged-in user: a signed identity (sent when the chat starts) and/or the name to fill in. */
  identify(who: VideoChatIdentity): void;
  /** The visitor logged out: ends and forgets their conversation, identity and name here. */
  reset(): void;
  /** Listens to a widget event (README "Events"), e.g. `vc-panel-toggle`, `vc-message-received`, `vc-offline-message`. */
  on<K extends VcEventName>(type: K, listener: VideoChatListener<K>): void;
  off<K extends VcEventName>(type: K, listener: VideoChatListener<K>): void;
  /** Calls `fn` with the `<customer-chat>` element once it is mounted (at once if it is). */
  ready(fn: (widget: HTMLElement) => void): void;
  /** The queue's way in: `push(['open'])` is `open()`. */
  push(...calls: VideoChatCall[]): void;
  /** Whether the widget is mounted and takes calls directly. */
  readonly isReady: boolean;
}

/** What the API needs of `<customer-chat>`. */
interface Widget extends HTMLElement {
  show(): void;
  hide(): void;
  toggle(): void;
  reset(): void;
  identity?: string;
  visitorName?: string;
}

declare global {
  interface Window {
    VideoChat?: VideoChatApi | unknown[];
  }
}

export function createPageApi(): VideoChatApi & { attach(widget: HTMLElement): void } {
  let widget: Widget | undefined;
  const pending: VideoChatCall[] = [];
  const wrapped = new Map<VideoChatListener<VcEventName>, Map<string, EventListener>>();

  const run = (w: Widget, call: VideoChatCall): void => {
    switch (call[0]) {
      case 'open':
        return w.show();
      case 'close':
        return w.hide();
      case 'toggle':
        return w.toggle();
      case 'reset':
        return w.reset();
      case 'identify': {
        const who = call[1] ?? {};
        if (who.identity !== undefined) w.identity = who.identity || undefined;
        if (who.name !== undefined) w.visitorName = who.name || undefined;
        return;
      }
      case 'on': {
        const [, type, fn] = call;
        const byType = wrapped.get(fn) ?? new Map<string, EventListener>();
        if (byType.has(type)) return;
        const l: EventListener = (e) => fn((e as CustomEvent<VcEventMap[VcEventName]>).detail, e as CustomEvent<VcEventMap[VcEventName]>);
        byType.set(type, l);
        wrapped.set(fn, byType);
        return w.addEventListener(type, l);
      }
      case 'off': {
        const [, type, fn] = call;
        const l = wrapped.get(fn)?.get(type);
        if (!l) return;
        wrapped.get(fn)!.delete(type);
        return w.removeEventListener(type, l);
      }
      case 'ready':
        return call[1](w);
    }
  };

  const push = (...calls: VideoChatCall[]): void => {
    for (const call of calls) {
      if (!Array.isArray(call) || typeof call[0] !== 'string') continue;
      if (!widget) {
        // An `off` of a listener still queued takes it out of the queue.
        if (call[0] === 'off') {
          const at = pending.findIndex((p) => p[0] === 'on' && p[1] === call[1] && p[2] === call[2]);
          if (at >= 0) {
            pending.splice(at, 1);
            continue;
          }
        }
        pending.push(call);
        continue;
      }
      try {
        run(widget, call);
      } catch (e) {
        console.error(`[video-chat] VideoChat.${call[0]}() failed`, e);
      }
    }
  };

  return {
    open: () => push(['open']),
    close: () => push(['close']),
    toggle: () => push(['toggle']),
    reset: () => push(['reset']),
    identify: (who) => push(['identify', who]),
    on: (type, listener) => push(['on', type, listener as VideoChatListener<VcEventName>]),
    off: (type, listener) => push(['off', type, listener as VideoChatListener<VcEventName>]),
    ready: (fn) => push(['ready', fn]),
    push,
    get isReady() {
      return widget !== undefined;
    },
    attach(el: HTMLElement) {
      widget = el as Widget;
      push(...pending.splice(0));
    },
  };
}

/**
 * Puts the API in `window.VideoChat` for the mounted widget, in place of
 * loader.js's stub, and runs the calls the stub kept (in order).
 */
export function adoptPageApi(widget: HTMLElement, queued: readonly unknown[] = []): VideoChatApi {
  const api = createPageApi();
  api.attach(widget);
  window.VideoChat = api;
  api.push(...(queued as VideoChatCall[]));
  return api;
}
