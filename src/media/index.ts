export * from './gateway-connection.js';
export * from './textroom-channel.js';
