// npm entry: every element (registered on import), the framework-free core and the protocol.
export * from './components/index.js';
export * from './session/index.js';
export * from './protocol/index.js';
// Localisation: supply or override catalogues, codes of the core's texts.
export {
  CodedError,
  SHIPPED_LOCALES,
  directionOf,
  english,
  format,
  loadLocale,
  resetCatalogue,
  setCatalogue,
  type Catalogue,
  type Coded,
  type MessageKey,
  type PartialCatalogue,
} from './i18n/index.js';
