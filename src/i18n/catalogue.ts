// The catalogues: English built in, German, Spanish and Arabic shipped and
// loaded on first use (each its own chunk), and whatever the webmaster adds
// or overrides with setCatalogue(). Lookups fall back message by message:
// the locale's overrides, its catalogue, the base language's (de-AT → de),
// then English. English comes in parts: en.ts (what the customer's widget
// shows until video or cobrowse, and the core's lines) is built in;
// en-agent.ts (the agent's elements), en-video.ts (the video's elements and
// core), en-cobrowse.ts (the customer's cobrowse prompts) and en-offline.ts
// (the customer's message form) are added by useAgentCatalogue(),
// useVideoCatalogue(), useCobrowseCatalogue() and useOfflineCatalogue()
// (./agent.ts, ./video.ts, ./cobrowse.ts, ./offline.ts) in the modules that
// need them, so the chat's bundle does not carry them. The shipped languages translate all
// of them in full.
import { en } from './en.js';
import type { enAgent } from './en-agent.js';
import type { enCobrowse } from './en-cobrowse.js';
import type { enOffline } from './en-offline.js';
import type { enVideo } from './en-video.js';
import { formatMessage, type MessageParams, type Params } from './format.js';

export type { Params, ParamValue, MessageParams } from './format.js';

/** English, all parts (each part but en.ts is there at run time once its use…Catalogue() ran). */
type English = typeof en & typeof enAgent & typeof enVideo & typeof enCobrowse & typeof enOffline;
/** Every message key. */
export type MessageKey = keyof English;
/** The parameters a message takes (from its English text). */
export type ParamsOf<K extends MessageKey> = MessageParams<English[K]>;
/** A full catalogue: every key of English, in another language. */
export type Catalogue = { readonly [K in MessageKey]: string };
/** Part of a catalogue: what a webmaster overrides or adds. */
export type PartialCatalogue = { readonly [K in MessageKey]?: string };

/** A text the core produced as a code, rendered in the viewer's locale (its `text` stays English for hosts and logs). */
export interface Coded<K extends MessageKey = MessageKey> {
  code: K;
  params?: Params;
}

/** The locales shipped with the elements, English first. */
export const SHIPPED_LOCALES = ['en', 'de', 'es', 'ar'] as const;

const shipped: Record<string, () => Promise<{ default: Catalogue }>> = {
  de: () => import('./locales/de.js'),
  es: () => import('./locales/es.js'),
  ar: () => import('./locales/ar.js'),
};

/** The English messages known so far: en.ts, plus each other part once a module that needs it added it (addEnglish). */
const english_: Partial<Record<MessageKey, string>> = { ...en };

/** Loaded catalogues (shipped or supplied), by lower-case locale tag. */
const catalogues = new Map<string, PartialCatalogue>([['en', english_]]);
/** Single messages overridden by the page, by locale. */
const overrides = new Map<string, PartialCatalogue>();
/** Supplied loaders (setCatalogue with a function), not yet run. */
const loaders = new Map<string, () => Promise<PartialCatalogue>>();
const loading = new Map<string, Promise<void>>();
const listeners = new Set<() => void>();

const norm = (locale: string) => locale.trim().replace(/_/g, '-').toLowerCase();

/** Calls `fn` whenever a catalogue arrives or changes; returns the unsubscribe. */
export function onCatalogueChange(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function changed(): void {
  for (const fn of [...listeners]) fn();
}

/**
 * Supplies or overrides messages for `locale`: an object (merged over what
 * is there, so one message can be overridden), or a function that loads one
 * (run the first time an element needs the locale). `setCatalogue('fr', …)`
 * adds French; `setCatalogue('en', { 'widget.label': 'Talk to us' })`
 * changes one English text. Elements showing the locale re-render.
 */
export function setCatalogue(locale: string, messages: PartialCatalogue | (() => Promise<PartialCatalogue>)): void {
  const key = norm(locale);
  if (typeof messages === 'function') {
    loaders.set(key, messages);
    loading.delete(key);
    changed();
    return;
  }
  overrides.set(key, { ...overrides.get(key), ...messages });
  changed();
}

/** Forgets what setCatalogue supplied for `locale` (or for every locale). */
export function resetCatalogue(locale?: string): void {
  for (const key of locale ? [norm(locale)] : [...overrides.keys(), ...loaders.keys()]) {
    overrides.delete(key);
    loaders.delete(key);
    if (key in shipped) {
      catalogues.delete(key);
      loading.delete(key);
    } else if (key !== 'en') catalogues.delete(key);
  }
  changed();
}

/** The candidates for a locale tag, most specific first: de-AT → de-at, de. */
function chain(locale: string): string[] {
  const key = norm(locale);
  const base = key.split('-')[0];
  return base && base !== key ? [key, base] : [key];
}

function known(key: string): boolean {
  return key === 'en' || catalogues.has(key) || overrides.has(key) || loaders.has(key) || key in shipped;
}

/**
 * Loads the catalogue a locale needs (a shipped one, or a supplied loader);
 * resolves once it is there. Unknown locales resolve at once (English is used).
 */
export function loadLocale(locale: string): Promise<void> {
  const key = chain(locale).find(known);
  if (!key || catalogues.has(key) || (!loaders.has(key) && !(key in shipped))) return Promise.resolve();
  let p = loading.get(key);
  if (!p) {
    const load = loaders.get(key) ?? (async () => (await shipped[key]()).default);
    p = load().then(
      (messages) => {
        catalogues.set(key, messages);
        changed();
      },
      (err: unknown) => {
        loading.delete(key);
        console.warn(`[video-chat] the ${key} catalogue could not be loaded; English is shown`, err);
      },
    );
    loading.set(key, p);
  }
  return p;
}

/**
 * The locale the elements can show for a requested one now: itself, its base
 * language (de-AT → de), or 'en'; only what is loaded (or overridden) counts.
 */
export function availableLocale(requested: string | undefined): string {
  if (!requested) return 'en';
  for (const key of chain(requested)) {
    if (catalogues.has(key) || overrides.has(key)) return key;
  }
  return 'en';
}

/** Whether a catalogue for the locale is on its way or can be loaded (so a re-render will follow). */
export function canLoad(requested: string): boolean {
  return chain(requested).some((key) => !catalogues.has(key) && (loaders.has(key) || key in shipped));
}

/** The text of `key` in `locale`, with its parameters filled in. */
export function format<K extends MessageKey>(locale: string, key: K, ...[params]: keyof ParamsOf<K> extends never ? [params?: Params] : [params: ParamsOf<K>]): string {
  for (const loc of [...chain(locale), 'en']) {
    const text = overrides.get(loc)?.[key] ?? catalogues.get(loc)?.[key];
    if (text !== undefined) {
      try {
        return formatMessage(loc, text, params as Params | undefined);
      } catch (err) {
        // A broken supplied translation must not break the element: English is shown.
        console.warn(`[video-chat] message ${key} in ${loc} is malformed`, err);
      }
    }
  }
  // A key of a part not added (an agent message without useAgentCatalogue(), …): its key is better than nothing.
  return formatMessage('en', english_[key] ?? key, params as Params | undefined);
}

/** A Coded text in `locale`. */
export function formatCoded(locale: string, coded: Coded): string {
  return format(locale, coded.code, coded.params as never);
}

/** The English text of a code: what the core keeps as `text` for hosts, logs and old stored transcripts. */
export function english<K extends MessageKey>(key: K, ...params: keyof ParamsOf<K> extends never ? [params?: Params] : [params: ParamsOf<K>]): string {
  return format('en', key, ...params);
}

const RTL = new Set(['ar', 'arc', 'ckb', 'dv', 'fa', 'he', 'iw', 'ks', 'ku', 'ps', 'sd', 'ug', 'ur', 'yi']);

/** Writing direction of a locale ('rtl' for Arabic, Hebrew, Persian, Urdu, …). */
export function directionOf(locale: string): 'ltr' | 'rtl' {
  const base = norm(locale).split('-')[0];
  return RTL.has(base) ? 'rtl' : 'ltr';
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
/** Date/time formatting in a locale: `style` 'time' (hh:mm) or 'full' (date and time). */
export function formatDate(locale: string, when: Date | number, style: 'time' | 'full'): string {
  const key = `${locale}|${style}`;
  let f = dateFormats.get(key);
  if (!f) {
    // The browser's own region when it speaks the same language (en-GB keeps 24 h clocks).
    const browser = globalThis.navigator?.language;
    const tag = browser && norm(browser).split('-')[0] === norm(locale).split('-')[0] ? browser : locale;
    f = new Intl.DateTimeFormat(tag, style === 'time' ? { hour: '2-digit', minute: '2-digit' } : { dateStyle: 'medium', timeStyle: 'short' });
    dateFormats.set(key, f);
  }
  return f.format(when);
}

/** Whether `key` is a message of this version (a stored line from a newer one may not be). */
export function isMessageKey(key: unknown): key is MessageKey {
  return typeof key === 'string' && Object.prototype.hasOwnProperty.call(english_, key);
}

/** Every key, in English order (for tests and tools); another part's keys are in it once its use…Catalogue() ran. */
export const MESSAGE_KEYS = Object.keys(en) as MessageKey[];

/** Adds a part of the English catalogue (en-agent.ts, en-video.ts, en-cobrowse.ts, en-offline.ts, through their use…Catalogue()); once per part. */
export function addEnglish(messages: PartialCatalogue): void {
  const added = (Object.keys(messages) as MessageKey[]).filter((k) => !(k in english_));
  if (!added.length) return;
  Object.assign(english_, messages);
  MESSAGE_KEYS.push(...added);
  changed();
}

/** The English catalogue. */
export { en };
