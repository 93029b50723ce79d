// Real participants for the record's tests: a signing key made like the
// browser makes it, registered with the broker (create or claim), and a
// TextRoom data channel from Node (werift, server/textroom-peer.ts) on the
// participant's own Janus session and token. What they send travels through
// Janus exactly like a browser's envelopes.
import { createHmac, randomUUID } from 'node:crypto';
import Janode, { type JanodeConnection } from 'janode';
import TextRoomPlugin from 'janode/plugins/textroom';
import * as v from '../../src/protocol/schema.js';
import {
  ClaimResponse,
  ConversationGrant,
  createEnvelope,
  EnvelopeSigner,
  exportPublicKey,
  generateSigningKeyPair,
  keyIdOf,
  RegisterKeyResponse,
  type BodyOf,
  type ConversationDescriptor,
  type UnsignedEnvelope,
  type WireType,
} from '../../src/protocol/index.js';
import type { Db } from '../../server/db.js';
import { TextRoomPeer, type RoomMessage } from '../../server/textroom-peer.js';

Janode.Logger.setLevel('none');

async function newSigner(conversationId: string) {
  const pair = await generateSigningKeyPair();
  const publicKey = await exportPublicKey(pair.publicKey);
  return { publicKey, signer: (cid = conversationId) => keyIdOf(publicKey).then((kid) => new EnvelopeSigner(cid, kid, pair.privateKey)) };
}

export class Peer {
  private connection?: JanodeConnection;
  private peer?: TextRoomPeer;
  private seq = 0;
  /** Ids of the chat messages this peer sent, in order. */
  readonly sent: string[] = [];

  private constructor(
    readonly descriptor: ConversationDescriptor,
    public signer: EnvelopeSigner,
    /** The customer's resume key (customers only). */
    readonly resumeKey: string | undefined,
    /** The agent's bearer (agents only). */
    readonly bearer: string | undefined,
  ) {}

  get id(): string {
    return this.descriptor.self.id;
  }

  get conversationId(): string {
    return this.descriptor.id;
  }

  /** A new conversation, as the shop's widget starts one. */
  static async customer(brokerUrl: string, extra: Record<string, unknown> = {}): Promise<Peer> {
    const key = await newSigner('');
    const res = await fetch(`${brokerUrl}/api/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ publicKey: key.publicKey, ...extra }),
    });
    if (res.status !== 201) throw new Error(`create: ${res.status} ${await res.text()}`);
    const grant = v.parse(ConversationGrant, await res.json());
    return new Peer(grant.descriptor, await key.signer(grant.descriptor.id), grant.resumeKey, undefined);
  }

  /** The agent claims `conversationId` with `bearer`. */
  static async agent(brokerUrl: string, conversationId: string, bearer: string): Promise<Peer> {
    const key = await newSigner(conversationId);
    const res = await fetch(`${brokerUrl}/api/conversations/${conversationId}/claim`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
      body: JSON.stringify({ publicKey: key.publicKey }),
    });
    if (res.status !== 200) throw new Error(`claim: ${res.status} ${await res.text()}`);
    const claim = v.parse(ClaimResponse, await res.json());
    return new Peer(claim.descriptor, await key.signer(), undefined, bearer);
  }

  /** The same participant (same signing key) with a new descriptor: its conversation moved to another Janus. */
  follow(descriptor: ConversationDescriptor): Peer {
    return new Peer(descriptor, this.signer, this.resumeKey, this.bearer);
  }

  /** Registers a new signing key (POST /keys) and signs with it from now on. */
  async newKey(brokerUrl: string): Promise<void> {
    const key = await newSigner(this.conversationId);
    const res = await fetch(`${brokerUrl}/api/conversations/${this.conversationId}/keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.resumeKey ?? this.bearer}` },
      body: JSON.stringify({ publicKey: key.publicKey }),
    });
    if (res.status !== 200) throw new Error(`keys: ${res.status} ${await res.text()}`);
    v.parse(RegisterKeyResponse, await res.json());
    this.signer = await key.signer();
  }

  /** Opens its own Janus session with its token and joins the conversation's TextRoom over a data channel. */
  async connect(): Promise<void> {
    const d = this.descriptor;
    this.connection = await Janode.connect({ is_admin: false, address: { url: d.gateway, token: d.token }, retry_time_secs: 1, max_retries: 0 });
    const session = await this.connection.create(15);
    const handle = await session.attach(TextRoomPlugin);
    this.peer = await TextRoomPeer.open(handle);
    await this.peer.join({
      room: String(d.textRoom.room),
      pin: d.textRoom.pin,
      token: d.token,
      username: `${this.id}~${randomUUID().slice(0, 8)}`,
      display: d.self.display,
    });
  }

  /** What the room relays to this participant after its join (its own broadcasts included). */
  onMessage(listener: (m: RoomMessage) => void): () => void {
    if (!this.peer) throw new Error('not connected');
    return this.peer.onMessage(listener);
  }

  /** Signs `type`/`body` as this participant (id and ts may be given). */
  seal<T extends WireType>(type: T, body: BodyOf<T>, id?: string): Promise<string> {
    return this.signer.seal(createEnvelope(type, this.id, body, id) as UnsignedEnvelope);
  }

  /** A chat line, broadcast to the room; returns its id. */
  async say(text: string): Promise<string> {
    const id = `m-${randomUUID().slice(0, 12)}`;
    await this.send(await this.seal('chat.message', { text, seq: this.seq++ }, id));
    this.sent.push(id);
    return id;
  }

  /** Broadcasts any text (signed or not) to the room. */
  async send(text: string): Promise<void> {
    if (!this.peer) throw new Error('not connected');
    await this.peer.send(String(this.descriptor.textRoom.room), text);
  }

  async close(): Promise<void> {
    await this.peer?.close().catch(() => {});
    await this.connection?.close().catch(() => {});
    this.peer = undefined;
    this.connection = undefined;
  }
}

/** The archive endpoint's URL for a conversation, from the broker's secret in the record (what the rooms' `post` holds). */
export async function archiveEndpoint(db: Db, brokerUrl: string, conversationId: string): Promise<string> {
  const [row] = await db.query<{ value: string }>("select value from broker_secret where name = 'archive_secret'");
  const key = createHmac('sha256', row.value).update(`archive:${conversationId}`).digest('base64url');
  return `${brokerUrl}/internal/archive/${encodeURIComponent(conversationId)}/${key}`;
}

/** What Janus POSTs for a broadcast from `username`. */
export function janusPost(room: string, username: string, text: string): string {
  return JSON.stringify({ textroom: 'message', room, from: username, date: new Date().toISOString(), text });
}

export async function waitUntil<T>(probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(value)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Transcript rows of a conversation, in archive order. */
export function transcriptRows(db: Db, conversationId: string): Promise<Array<{ message_id: string; type: string; sender_role: string; sender_id: string; wire: string }>> {
  return db.query('select message_id, type, sender_role, sender_id, wire from transcript where conversation_id = $1 order by position', [conversationId]);
}
