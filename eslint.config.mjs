import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import lit from 'eslint-plugin-lit';
import wc from 'eslint-plugin-wc';

// The layering rules of src/ (imports only point downwards):
//   components → session → chat, cobrowse → janus → protocol, util → i18n
// Flat config replaces a rule's options block by block instead of merging them,
// so each folder gets ONE block that lists every restriction that holds there
// (built from the pieces below). test/lint-guards.test.mjs proves each one fails
// on a violating file.

/** janus-gateway and its adapter: the Janus transport (src/janus) only. */
const TRANSPORT_DEPS = ['janus-gateway', 'janus-gateway/*', 'webrtc-adapter', 'webrtc-adapter/*'];
const transportOnly = { group: TRANSPORT_DEPS, message: 'Only src/janus may import janus-gateway (and webrtc-adapter).' };
const noLit = { group: ['lit', 'lit/*', '@lit/*'], message: 'The core is framework-free: Lit stays in src/components.' };
const below = (...folders) => ({
  group: folders.map((f) => `**/${f}/**`),
  message: `Layers import downwards only: not from ${folders.map((f) => `src/${f}`).join(', ')} here.`,
});
/** Components get conversations through controllers or the session layer's factories, never by building them. */
const componentBans = [
  { group: ['**/janus/**', '**/chat/**', '**/cobrowse/**'], message: 'Components render state from src/session: no transport, chat or cobrowse internals.' },
  { group: ['**/session/conversation.js', '**/session/broker-client.js'], message: 'Components do not build Conversation or BrokerClient: use a controller or createConversation / CustomerEntry from src/session.' },
  { group: ['**/session/index.js', '**/session/**'], importNames: ['Conversation', 'BrokerClient'], message: 'Components do not build Conversation or BrokerClient: use a controller or createConversation / CustomerEntry from src/session.' },
];

const dynamicTransport = [
  { selector: 'ImportExpression[source.value=/^(janus-gateway|webrtc-adapter)/]', message: 'Only src/janus may import janus-gateway, statically or dynamically.' },
  { selector: 'TSImportType[source.value=/^(janus-gateway|webrtc-adapter)/]', message: 'Only src/janus may refer to janus-gateway.' },
];
const dynamicInternals = [
  { selector: 'ImportExpression[source.value=/\\/(janus|chat|cobrowse)\\//]', message: 'Components render state from src/session: no transport, chat or cobrowse internals.' },
];

/** Per folder: what it may not import. */
const LAYERS = [
  { files: ['src/components/**/*.ts'], patterns: [transportOnly, ...componentBans], syntax: [...dynamicTransport, ...dynamicInternals] },
  { files: ['src/session/**/*.ts'], patterns: [transportOnly, noLit, below('components')], syntax: dynamicTransport },
  { files: ['src/chat/**/*.ts'], patterns: [transportOnly, noLit, below('components', 'session', 'cobrowse')], syntax: dynamicTransport },
  { files: ['src/cobrowse/**/*.ts'], patterns: [transportOnly, noLit, below('components', 'session', 'chat', 'janus')], syntax: dynamicTransport },
  { files: ['src/janus/**/*.ts'], patterns: [noLit, below('components', 'session', 'chat', 'cobrowse')], syntax: [] },
  { files: ['src/protocol/**/*.ts'], patterns: [transportOnly, noLit, below('components', 'session', 'chat', 'cobrowse', 'janus')], syntax: dynamicTransport },
  { files: ['src/util/**/*.ts'], patterns: [transportOnly, noLit, below('components', 'session', 'chat', 'cobrowse', 'janus', 'protocol')], syntax: dynamicTransport },
  // Catalogues and the formatter: a leaf every layer may use (the core writes its English texts with it).
  { files: ['src/i18n/**/*.ts'], patterns: [transportOnly, noLit, below('components', 'session', 'chat', 'cobrowse', 'janus', 'protocol', 'util')], syntax: dynamicTransport },
  { files: ['src/*.ts'], patterns: [transportOnly], syntax: dynamicTransport },
];

export default tseslint.config(
  { ignores: ['dist/**', 'dist-server/**', 'node_modules/**', 'custom-elements.json', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts'],
    plugins: { lit, wc },
    rules: {
      ...lit.configs.recommended.rules,
      ...wc.configs.recommended.rules,
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  ...LAYERS.map(({ files, patterns, syntax }) => ({
    files,
    rules: {
      'no-restricted-imports': ['error', { patterns }],
      'no-restricted-syntax': syntax.length ? ['error', ...syntax] : 'off',
    },
  })),
  {
    files: ['scripts/**/*.mjs', 'test/helpers/**/*.mjs', 'test/*.mjs', '*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly', fetch: 'readonly' } },
  },
  {
    files: ['demo/**/*.js'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', localStorage: 'readonly', sessionStorage: 'readonly', location: 'readonly', fetch: 'readonly', EventSource: 'readonly', customElements: 'readonly', console: 'readonly', crypto: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', HTMLElement: 'readonly', requestAnimationFrame: 'readonly', navigator: 'readonly', history: 'readonly' } },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-unused-expressions': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
