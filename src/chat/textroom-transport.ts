import type { GatewayConnection } from '../janus/gateway-connection.js';
import { TextRoomChannel } from '../janus/textroom-channel.js';
import type { RoomJoin, RoomTransport } from './room.js';

/** Rooms over a Janus gateway session: each channel is a TextRoom data channel. */
export function textRoomTransport(gateway: GatewayConnection): RoomTransport {
  return {
    get connected() {
      return gateway.status === 'connected';
    },
    onSessionReplaced: (listener) => gateway.on('session-replaced', () => listener()),
    onConnected: (listener) => gateway.on('status', ({ status }) => { if (status === 'connected') listener(); }),
    channel: (join: RoomJoin) => new TextRoomChannel(gateway, join),
  };
}
