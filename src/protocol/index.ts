export * from './envelope.js';
export * from './descriptor.js';
export * from './broker-api.js';
export * from './offline.js';
export * from './page-url.js';
export * from './signing.js';
export * from './senders.js';
export * from './presence.js';
