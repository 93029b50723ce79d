export * from './chat-session.js';
export * from './outbox.js';
export * from './participant-id.js';
