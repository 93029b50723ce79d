// A child process of the load bench (load.ts): headless participants, both
// sides of each of its conversations. Each participant is what a browser is to
// the broker and to Janus: its own ECDSA P-256 key registered at create or
// claim, its own Janus session with its own token, a TextRoom data channel
// (werift, server/textroom-peer.ts), and signed envelopes. Received chat
// messages are verified (EnvelopeVerifier, as the elements do) and acked with a
// signed whisper, as the elements do.
//
// Both sides of a conversation live in the same process, so send and receive
// times come from one clock (performance.now()).
//
// Commands arrive over IPC from load.ts; each answers once.
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Janode, { type JanodeConnection } from 'janode';
import TextRoomPlugin from 'janode/plugins/textroom';
import * as v from '../../src/protocol/schema.js';
import {
  ClaimResponse,
  ConversationGrant,
  createEnvelope,
  EnvelopeSigner,
  EnvelopeVerifier,
  exportPublicKey,
  generateSigningKeyPair,
  keyIdOf,
  type ConversationDescriptor,
  type UnsignedEnvelope,
} from '../../src/protocol/index.js';
import { TextRoomPeer, type RoomMessage } from '../../server/textroom-peer.js';

Janode.Logger.setLevel('none');

export type WorkerCommand =
  | { cmd: 'open'; broker: string; agentTokens: string[]; concurrency: number }
  | { cmd: 'join'; concurrency: number }
  | { cmd: 'chat'; durationMs: number; intervalMs: number; graceMs: number }
  | { cmd: 'close' };

export interface OpenResult {
  opened: number;
  createMs: number[];
  claimMs: number[];
  failures: string[];
}
export interface JoinResult {
  joined: number;
  joinMs: number[];
  failures: string[];
}
export interface ChatResult {
  /** Send to verified receipt, ms: customer to agent, agent to customer. */
  toAgent: number[];
  toCustomer: number[];
  sent: number;
  received: number;
  /** Sent but not received by the end of the grace period. */
  missing: number;
  invalid: number;
  sendErrors: string[];
  /** This process's event-loop delay, so slow participants can be told from a slow broker or Janus. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

async function keyed(cid: string) {
  const pair = await generateSigningKeyPair();
  const publicKey = await exportPublicKey(pair.publicKey);
  const kid = await keyIdOf(publicKey);
  return { publicKey, signer: (conversationId = cid) => new EnvelopeSigner(conversationId, kid, pair.privateKey) };
}

async function postJson(url: string, body: unknown, bearer?: string): Promise<{ status: number; json: unknown; text: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

class Side {
  connection?: JanodeConnection;
  peer?: TextRoomPeer;
  username = '';
  verifier!: EnvelopeVerifier;
  seq = 0;

  constructor(
    readonly descriptor: ConversationDescriptor,
    readonly signer: EnvelopeSigner,
  ) {}

  get id(): string {
    return this.descriptor.self.id;
  }

  get room(): string {
    return String(this.descriptor.textRoom.room);
  }

  async join(): Promise<void> {
    const d = this.descriptor;
    this.connection = await Janode.connect({ is_admin: false, address: { url: d.gateway, token: d.token }, retry_time_secs: 1, max_retries: 0 });
    const session = await this.connection.create(25);
    const handle = await session.attach(TextRoomPlugin);
    this.peer = await TextRoomPeer.open(handle, { openTimeoutMs: 30_000, requestTimeoutMs: 30_000 });
    this.username = `${this.id}~${randomUUID().slice(0, 8)}`;
    await this.peer.join({ room: this.room, pin: d.textRoom.pin, token: d.token, username: this.username, display: d.self.display });
  }

  seal(env: UnsignedEnvelope): Promise<string> {
    return this.signer.seal(env);
  }

  async close(): Promise<void> {
    await this.peer?.close().catch(() => {});
    await this.connection?.close().catch(() => {});
  }
}

interface Conversation {
  id: string;
  customer: Side;
  agent: Side;
}

const conversations: Conversation[] = [];
let joinedUpTo = 0;

/** Runs `fn` over `items`, `concurrency` at a time. */
async function pool<T>(items: T[], concurrency: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

async function open(cmd: Extract<WorkerCommand, { cmd: 'open' }>): Promise<OpenResult> {
  const result: OpenResult = { opened: 0, createMs: [], claimMs: [], failures: [] };
  await pool(cmd.agentTokens, cmd.concurrency, async (token) => {
    try {
      const ck = await keyed('');
      let t = performance.now();
      const created = await postJson(`${cmd.broker}/api/conversations`, { publicKey: ck.publicKey, display: 'Load visitor' });
      if (created.status !== 201) throw new Error(`create ${created.status}: ${created.text.slice(0, 200)}`);
      result.createMs.push(performance.now() - t);
      const grant = v.parse(ConversationGrant, created.json);
      const cid = grant.descriptor.id;
      const ak = await keyed(cid);
      t = performance.now();
      const claimed = await postJson(`${cmd.broker}/api/conversations/${cid}/claim`, { publicKey: ak.publicKey }, token);
      if (claimed.status !== 200) throw new Error(`claim ${claimed.status}: ${claimed.text.slice(0, 200)}`);
      result.claimMs.push(performance.now() - t);
      const claim = v.parse(ClaimResponse, claimed.json);
      const customer = new Side(grant.descriptor, ck.signer(cid));
      const agent = new Side(claim.descriptor, ak.signer());
      // The claim's descriptor carries both certificates; each side verifies the other with them.
      for (const side of [customer, agent]) {
        side.verifier = new EnvelopeVerifier(cid, claim.descriptor.auth!.authority);
        for (const cert of claim.descriptor.auth!.certs) await side.verifier.addCertificate(cert);
      }
      conversations.push({ id: cid, customer, agent });
      result.opened++;
    } catch (e) {
      result.failures.push(e instanceof Error ? e.message : String(e));
    }
  });
  return result;
}

async function join(cmd: Extract<WorkerCommand, { cmd: 'join' }>): Promise<JoinResult> {
  const result: JoinResult = { joined: 0, joinMs: [], failures: [] };
  const fresh = conversations.slice(joinedUpTo);
  joinedUpTo = conversations.length;
  const sides = fresh.flatMap((c) => [c.customer, c.agent]);
  await pool(sides, cmd.concurrency, async (side) => {
    const t = performance.now();
    try {
      await side.join();
      result.joinMs.push(performance.now() - t);
      result.joined++;
    } catch (e) {
      result.failures.push(`join ${side.descriptor.self.role}: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  return result;
}

async function chat(cmd: Extract<WorkerCommand, { cmd: 'chat' }>): Promise<ChatResult> {
  const result: ChatResult = { toAgent: [], toCustomer: [], sent: 0, received: 0, missing: 0, invalid: 0, sendErrors: [], loopDelayP99Ms: 0, loopDelayMaxMs: 0 };
  const sentAt = new Map<string, number>();
  const unsubscribe: Array<() => void> = [];
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const live = conversations.filter((c) => c.customer.peer && c.agent.peer);

  for (const c of live) {
    for (const [me, other, into] of [
      [c.agent, c.customer, result.toAgent],
      [c.customer, c.agent, result.toCustomer],
    ] as const) {
      unsubscribe.push(
        me.peer!.onMessage((m: RoomMessage) => {
          if (m.whisper || !m.from.startsWith(`${other.id}~`)) return;
          void me.verifier.open(m.text).then(async (opened) => {
            if (opened.kind !== 'ok') {
              result.invalid++;
              return;
            }
            const t0 = sentAt.get(opened.message.id);
            if (t0 === undefined) return;
            sentAt.delete(opened.message.id);
            into.push(performance.now() - t0);
            result.received++;
            // The delivery acknowledgement the elements send back, a signed whisper.
            const ack = await me.seal(createEnvelope('ack', me.id, { ids: [opened.message.id] }) as UnsignedEnvelope);
            me.peer?.send(me.room, ack, m.from).catch(() => {});
          });
        }),
      );
    }
  }

  const end = performance.now() + cmd.durationMs;
  const timers: NodeJS.Timeout[] = [];
  const say = async (side: Side) => {
    const id = `m-${randomUUID().slice(0, 12)}`;
    const text = await side.seal(createEnvelope('chat.message', side.id, { text: `Load test message ${side.seq} from ${side.descriptor.self.role}`, seq: side.seq++ }, id) as UnsignedEnvelope);
    sentAt.set(id, performance.now());
    result.sent++;
    side.peer!.send(side.room, text).catch((e: unknown) => {
      if (result.sendErrors.length < 20) result.sendErrors.push(e instanceof Error ? e.message : String(e));
      else result.sendErrors.length++;
    });
  };
  for (const c of live) {
    for (const side of [c.customer, c.agent]) {
      // Every participant sends every intervalMs, starting at a random point of the first interval.
      const tick = () => {
        if (performance.now() >= end) return;
        void say(side);
        timers.push(setTimeout(tick, cmd.intervalMs));
      };
      timers.push(setTimeout(tick, Math.random() * cmd.intervalMs));
    }
  }
  await new Promise((r) => setTimeout(r, cmd.durationMs));
  for (const t of timers) clearTimeout(t);
  const graceEnd = performance.now() + cmd.graceMs;
  while (sentAt.size > 0 && performance.now() < graceEnd) await new Promise((r) => setTimeout(r, 50));
  result.missing = sentAt.size;
  for (const u of unsubscribe) u();
  delay.disable();
  result.loopDelayP99Ms = delay.percentile(99) / 1e6;
  result.loopDelayMaxMs = delay.max / 1e6;
  return result;
}

async function closeAll(): Promise<void> {
  await pool(conversations.flatMap((c) => [c.customer, c.agent]), 32, (s) => s.close());
}

process.on('message', (msg: WorkerCommand & { seq: number }) => {
  const run = async () => {
    switch (msg.cmd) {
      case 'open':
        return open(msg);
      case 'join':
        return join(msg);
      case 'chat':
        return chat(msg);
      case 'close':
        await closeAll();
        return {};
    }
  };
  run().then(
    (result) => process.send!({ seq: msg.seq, result }),
    (e: unknown) => process.send!({ seq: msg.seq, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
  );
});
process.on('disconnect', () => process.exit(0));
