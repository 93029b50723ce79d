// Two participants of one conversation, certified by one authority made here,
// each with a ChatSession on the same in-memory room: the chat's real signing,
// verification, outbox and dedupe, without a broker or Janus.
import { ChatSession, type ChatAuth, type ChatSessionOptions } from '../../../src/chat/index.js';
import {
  EnvelopeSigner,
  EnvelopeVerifier,
  exportPublicKey,
  generateSigningKeyPair,
  issueCertificate,
  keyIdOf,
  type ConversationDescriptor,
  type Participant,
} from '../../../src/protocol/index.js';
import { MemoryRoom } from './memory-room.js';

export const AGENT: Participant = { role: 'agent', id: 'agent-1', display: 'Ann' };
export const CUSTOMER: Participant = { role: 'customer', id: 'cust-1', display: 'Carl' };

export interface Certified {
  descriptor: ConversationDescriptor;
  auth: () => Promise<ChatAuth>;
}

/** Descriptors and signing material for the agent and the customer of conversation `id`. */
export async function certifiedPair(id = `conv-${crypto.randomUUID().slice(0, 8)}`): Promise<{ agent: Certified; customer: Certified }> {
  const authority = await generateSigningKeyPair();
  const authorityJwk = await exportPublicKey(authority.publicKey);
  const now = Math.floor(Date.now() / 1000);
  const keys = new Map<Participant, { pair: CryptoKeyPair; cert: string; kid: string }>();
  for (const p of [AGENT, CUSTOMER]) {
    const pair = await generateSigningKeyPair();
    const publicKey = await exportPublicKey(pair.publicKey);
    const { cert } = await issueCertificate({ cid: id, role: p.role, sub: p.id, publicKey, iat: now, exp: now + 3600 }, authority.privateKey);
    keys.set(p, { pair, cert, kid: await keyIdOf(publicKey) });
  }
  const certs = [...keys.values()].map((k) => k.cert);
  const make = (self: Participant, peer: Participant): Certified => {
    const descriptor: ConversationDescriptor = {
      id,
      gateway: 'ws://127.0.0.1:1',
      textRoom: { room: 'text-1' },
      videoRoom: { room: 'video-1' },
      self,
      peer,
      auth: { authority: authorityJwk, certs },
    };
    const own = keys.get(self)!;
    return {
      descriptor,
      auth: async () => {
        const verifier = new EnvelopeVerifier(id, authorityJwk);
        for (const c of certs) await verifier.addCertificate(c);
        return { signer: new EnvelopeSigner(id, own.kid, own.pair.privateKey), verifier, cert: own.cert };
      },
    };
  };
  return { agent: make(AGENT, CUSTOMER), customer: make(CUSTOMER, AGENT) };
}

/** The agent's and the customer's ChatSession on one MemoryRoom, not yet joined. */
export async function chatPair(options: ChatSessionOptions = {}): Promise<{ room: MemoryRoom; agent: ChatSession; customer: ChatSession; certified: { agent: Certified; customer: Certified } }> {
  const certified = await certifiedPair();
  const room = new MemoryRoom();
  const agent = new ChatSession(room.transport(), certified.agent.descriptor, await certified.agent.auth(), options);
  const customer = new ChatSession(room.transport(), certified.customer.descriptor, await certified.customer.auth(), options);
  return { room, agent, customer, certified };
}

export async function waitFor(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
