export * from './conversation-state.js';
export * from './conversation.js';
export * from './broker-client.js';
export * from './transcript.js';
export * from './cobrowse-session.js';
export * from './consent.js';
export * from './signing-keys.js';
