export * from './chat-session.js';
export * from './outbox.js';
export * from './participant-id.js';
export * from './room.js';
export * from './textroom-transport.js';
