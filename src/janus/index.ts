export * from './gateway-connection.js';
export * from './janus-client.js';
export * from './textroom-channel.js';
export * from './videoroom-call.js';
export * from './local-media.js';
export * from './call-stats.js';
