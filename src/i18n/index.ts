// Localisation of the elements: message catalogues (English built in; German,
// Spanish and Arabic loaded on first use; any other supplied by the page),
// a typed formatter, and per-element locale resolution. No Lit, no DOM
// needed for formatting: the core writes its English texts with it too.
export {
  SHIPPED_LOCALES,
  MESSAGE_KEYS,
  availableLocale,
  directionOf,
  en,
  english,
  isMessageKey,
  format,
  formatCoded,
  formatDate,
  loadLocale,
  onCatalogueChange,
  resetCatalogue,
  setCatalogue,
  type Catalogue,
  type Coded,
  type MessageKey,
  type MessageParams,
  type ParamValue,
  type Params,
  type ParamsOf,
  type PartialCatalogue,
} from './catalogue.js';
export { formatMessage, parseMessage, placeholdersOf } from './format.js';
export { useAgentCatalogue } from './agent.js';
export { useVideoCatalogue } from './video.js';
export { useCobrowseCatalogue } from './cobrowse.js';
export { useOfflineCatalogue } from './offline.js';
export { CodedError, codedOf } from './coded-error.js';
export { notifyLocaleChange, requestedLocale, resolveLocale, subscribeLocale, type LocaleSubscriber, type ResolvedLocale } from './dom.js';
