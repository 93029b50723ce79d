// Which locale an element shows, from the page: the closest `locale` or
// `lang` attribute on the element or its ancestors (crossing shadow roots,
// as the language of any HTML content is found), so <html lang> is the
// default and one pane can differ from the page around it. Framework-free:
// the Lit side (src/components/locale-controller.ts) re-renders with it.
import { availableLocale, canLoad, directionOf, loadLocale, onCatalogueChange } from './catalogue.js';

/** The requested locale of `el`: its own or its closest ancestor's `locale`, else `lang` attribute, else 'en'. */
export function requestedLocale(el: Element, own?: string): string {
  if (own?.trim()) return own.trim();
  let node: Element | null = el;
  while (node) {
    const own = node.getAttribute('locale')?.trim() || node.getAttribute('lang')?.trim();
    if (own) return own;
    node = node.parentElement ?? ((node.getRootNode() as ShadowRoot).host ?? null);
  }
  return 'en';
}

/** What an element shows: the locale (loaded, else English meanwhile) and its writing direction. */
export interface ResolvedLocale {
  locale: string;
  dir: 'ltr' | 'rtl';
  /** A catalogue for the requested locale is loading: the element updates when it is there. */
  pending: boolean;
}

export function resolveLocale(el: Element, own?: string): ResolvedLocale {
  const requested = requestedLocale(el, own);
  const pending = canLoad(requested);
  if (pending) void loadLocale(requested);
  const locale = availableLocale(requested);
  return { locale, dir: directionOf(locale), pending };
}

/** Something that shows text and must look again when a locale may have changed. */
export interface LocaleSubscriber {
  localeMayHaveChanged(): void;
}

const subscribers = new Set<LocaleSubscriber>();
let observer: MutationObserver | undefined;
let offCatalogue: (() => void) | undefined;
let queued = false;

/** Tells every subscriber (once per microtask) to look at its locale again. */
export function notifyLocaleChange(): void {
  if (queued) return;
  queued = true;
  queueMicrotask(() => {
    queued = false;
    for (const s of [...subscribers]) s.localeMayHaveChanged();
  });
}

/**
 * Follows what can change an element's locale: a `lang`/`locale` attribute
 * anywhere in the page (one MutationObserver for all), and catalogues that
 * arrive or are overridden. Elements inside shadow roots are told by the
 * element whose locale changed (notifyLocaleChange).
 */
export function subscribeLocale(s: LocaleSubscriber): () => void {
  subscribers.add(s);
  if (!observer && typeof MutationObserver !== 'undefined' && globalThis.document) {
    observer = new MutationObserver(notifyLocaleChange);
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['lang', 'locale'], subtree: true });
    offCatalogue = onCatalogueChange(notifyLocaleChange);
  }
  return () => {
    subscribers.delete(s);
    if (subscribers.size === 0) {
      observer?.disconnect();
      observer = undefined;
      offCatalogue?.();
      offCatalogue = undefined;
    }
  };
}
