// A participant writing its own client: it holds a valid token and its own
// certified key (nothing more), joins the TextRoom under any username it likes
// and sends whatever envelopes it likes. What real clients must withstand.
import { GatewayConnection, TextRoomChannel } from '../../src/janus/index.js';
import {
  createEnvelope,
  EnvelopeSigner,
  type BodyOf,
  type ConversationDescriptor,
  type WireType,
} from '../../src/protocol/index.js';
import { browserSigningKeys, type SigningIdentity } from '../../src/session/index.js';
import { testEnv } from './env.js';

export interface Rogue {
  /** Username it joined the room with (chosen freely). */
  username: string;
  identity: SigningIdentity;
  signer: EnvelopeSigner;
  /** Sends raw text to the room (or whispers it to `to`). */
  send(text: string, to?: string[]): Promise<void>;
  /** Signs an envelope of any type with the rogue's own key, claiming any sender. */
  seal<T extends WireType>(type: T, body: BodyOf<T>, opts?: { from?: string; id?: string; ts?: number }): Promise<string>;
  dispose(): void;
}

/**
 * Joins `descriptor`'s TextRoom with its token and pin, as `username`, signing
 * with the key this page keeps for the descriptor's participant (the one its
 * own certificate names): i.e. that participant, with a client of its own.
 */
export async function rogueClient(descriptor: ConversationDescriptor, username: string): Promise<Rogue> {
  const identity = await browserSigningKeys().load(descriptor.id, descriptor.self.role);
  if (!identity) throw new Error(`no key kept for ${descriptor.self.role} of ${descriptor.id}`);
  const env = await testEnv();
  const gateway = new GatewayConnection({ server: env.gateway, token: descriptor.token });
  await gateway.connect();
  const channel = new TextRoomChannel(gateway, {
    room: descriptor.textRoom.room,
    pin: descriptor.textRoom.pin,
    token: descriptor.token,
    username,
    display: 'Rogue',
  });
  await channel.open();
  const signer = new EnvelopeSigner(descriptor.id, identity.kid, identity.keyPair.privateKey);
  return {
    username,
    identity,
    signer,
    send: (text, to) => channel.send(text, to ? { to } : {}),
    seal: (type, body, opts = {}) => signer.seal({ ...createEnvelope(type, opts.from ?? descriptor.self.id, body, opts.id, opts.ts) }),
    dispose() {
      channel.dispose();
      gateway.dispose();
    },
  };
}

/** Counts getUserMedia calls in this page (and what they asked for) until restored. */
export function spyOnCapture(): { calls: MediaStreamConstraints[]; restore(): void } {
  const md = navigator.mediaDevices;
  const original = md.getUserMedia.bind(md);
  const calls: MediaStreamConstraints[] = [];
  md.getUserMedia = (c?: MediaStreamConstraints) => {
    calls.push(c ?? {});
    return original(c);
  };
  return { calls, restore: () => { md.getUserMedia = original; } };
}
