// npm entry: every element (registered on import), the framework-free core and the protocol.
export * from './components/index.js';
export * from './session/index.js';
export * from './protocol/index.js';
