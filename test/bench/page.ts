// Runs inside Chromium for `npm run bench`: our Conversation flow and a plain
// janus-gateway VideoRoom flow, timed the same way (first decoded remote
// frame on both sides), in the same page.
import JanusDefault from 'janus-gateway';
import type { JanusJS } from 'janus-gateway';
import adapter from 'webrtc-adapter';
import { GatewayConnection, TextRoomChannel } from '../../src/janus/index.js';
import { BrokerClient, Conversation } from '../../src/session/index.js';
import {
  createEnvelope,
  EnvelopeSigner,
  EnvelopeVerifier,
  exportPublicKey,
  generateSigningKeyPair,
  issueCertificate,
  type ConversationDescriptor,
} from '../../src/protocol/index.js';
import { cobrowseBenchPage } from './cobrowse-page.js';

// The package's types describe a CommonJS module; the file esbuild bundles is ESM with the class as default export.
const Janus = JanusDefault as unknown as typeof JanusJS.Janus;

function firstFrame(stream: () => MediaStream | undefined, t0: number): Promise<number> {
  return new Promise((resolve) => {
    const tick = () => {
      const s = stream();
      if (s && s.getVideoTracks().length > 0) {
        const v = document.createElement('video');
        v.muted = true;
        v.autoplay = true;
        v.playsInline = true;
        v.srcObject = s;
        document.body.append(v);
        void v.play().catch(() => {});
        v.requestVideoFrameCallback(() => {
          resolve(performance.now() - t0);
          v.remove();
        });
      } else setTimeout(tick, 5);
    };
    tick();
  });
}

function waitFor(check: () => boolean, timeoutMs = 20000): Promise<void> {
  const end = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => (check() ? resolve() : Date.now() > end ? reject(new Error('timeout')) : setTimeout(tick, 5));
    tick();
  });
}

/** Accept click to first decoded frame on both sides, through our elements' core. */
async function ourFlow(customerD: ConversationDescriptor, agentD: ConversationDescriptor): Promise<{ acceptToBoth: number; chatRoundTrip: number }> {
  const c = new Conversation();
  const a = new Conversation();
  try {
    await Promise.all([c.connect(customerD), a.connect(agentD)]);
    await waitFor(() => c.state.peer?.online === true && a.state.peer?.online === true);
    // Timed on the events the elements render from (polling would add its own interval).
    const received = (x: Conversation, text: string) => new Promise<void>((resolve) => {
      const on = (e: Event) => {
        if ((e as CustomEvent<{ message: { text: string } }>).detail.message.text !== text) return;
        x.removeEventListener('message-received', on);
        resolve();
      };
      x.addEventListener('message-received', on);
    });
    const pinged = received(a, 'ping');
    const ponged = received(c, 'pong');
    const tc = performance.now();
    c.send('ping');
    await pinged;
    a.send('pong');
    await ponged;
    const chatRoundTrip = performance.now() - tc;
    a.startVideo('two-way');
    await waitFor(() => c.state.video.phase === 'invited');
    const t0 = performance.now();
    c.answerInvite('two-way');
    const [x, y] = await Promise.all([firstFrame(() => a.state.video.remoteStream, t0), firstFrame(() => c.state.video.remoteStream, t0)]);
    return { acceptToBoth: Math.max(x, y), chatRoundTrip };
  } finally {
    c.dispose();
    a.dispose();
  }
}

let janusReady: Promise<void> | undefined;
function initJanus(): Promise<void> {
  janusReady ??= new Promise((resolve) => Janus.init({ debug: false, dependencies: Janus.useDefaultDependencies({ adapter }), callback: () => resolve() }));
  return janusReady;
}

interface PlainSide { remote: MediaStream; destroy(): void }

/** The janus-gateway demo's call flow, with no product code: publish, then subscribe to the other feed. */
async function plainSide(server: string, room: string, pin: string, token: string, id: string, peerId: string): Promise<PlainSide> {
  await initJanus();
  const janus = await new Promise<JanusJS.Janus>((resolve, reject) => {
    // token_auth: the participant token opens the session and goes with every request.
    const j: JanusJS.Janus = new Janus({ server, token, iceServers: [], success: () => resolve(j), error: (e: unknown) => reject(new Error(String(e))) });
  });
  const remote = new MediaStream();
  let privateId = 0;
  const attach = (opts: Record<string, unknown>) => new Promise<JanusJS.PluginHandle>((resolve, reject) => janus.attach({ plugin: 'janus.plugin.videoroom', token, ...opts, success: resolve, error: (e: string) => reject(new Error(e)) }));
  const subscribe = async (feed: string) => {
    const sub: JanusJS.PluginHandle = await attach({
      onmessage: (_m: unknown, jsep?: JanusJS.JSEP) => {
        if (jsep) sub.createAnswer({ jsep, tracks: [{ type: 'data', capture: false }], success: (ans: JanusJS.JSEP) => sub.send({ message: { request: 'start' }, jsep: ans }) });
      },
      onremotetrack: (track: MediaStreamTrack, _mid: string, on: boolean) => { if (on) remote.addTrack(track); },
    });
    sub.send({ message: { request: 'join', ptype: 'subscriber', room, pin, private_id: privateId, streams: [{ feed }] } });
  };
  let subscribed = false;
  const pub: JanusJS.PluginHandle = await attach({
    onmessage: (m: Record<string, unknown>, jsep?: JanusJS.JSEP) => {
      if (m.videoroom === 'joined') {
        privateId = m.private_id as number;
        pub.createOffer({
          tracks: [{ type: 'audio', capture: true, recv: false }, { type: 'video', capture: true, recv: false }],
          success: (offer: JanusJS.JSEP) => pub.send({ message: { request: 'publish' }, jsep: offer }),
        });
      }
      const list = (m.publishers as Array<{ id: string }> | undefined) ?? [];
      for (const p of list) if (p.id === peerId && !subscribed) { subscribed = true; void subscribe(p.id); }
      if (jsep) pub.handleRemoteJsep({ jsep });
    },
  });
  pub.send({ message: { request: 'join', ptype: 'publisher', room, pin, token, id, display: id } });
  return { remote, destroy: () => janus.destroy({ cleanupHandles: true }) };
}

async function plainFlow(server: string, room: string, pin: string, tokenA: string, tokenB: string): Promise<number> {
  const suffix = Math.random().toString(36).slice(2, 8);
  const idA = `plainA-${suffix}`;
  const idB = `plainB-${suffix}`;
  const t0 = performance.now();
  const [a, b] = await Promise.all([plainSide(server, room, pin, tokenA, idA, idB), plainSide(server, room, pin, tokenB, idB, idA)]);
  try {
    const [x, y] = await Promise.all([firstFrame(() => a.remote, t0), firstFrame(() => b.remote, t0)]);
    return Math.max(x, y);
  } finally {
    a.destroy();
    b.destroy();
  }
}

/**
 * One side of the plain call in its own browser context (run.ts starts both
 * at once): returns when this side decodes the other's video, as the spies
 * of two-context.ts time it (getStats framesDecoded > 0).
 */
async function plainTimed(server: string, room: string, pin: string, token: string, id: string, peerId: string): Promise<{ packet: number; decoded: number }> {
  const watching = (window as unknown as { __bench: { watch(): Promise<{ packet: number; decoded: number }> } }).__bench.watch();
  const side = plainSide(server, room, pin, token, id, peerId);
  (window as unknown as { plainStop: () => void }).plainStop = () => void side.then((x) => x.destroy());
  return watching;
}

/** Keeps a two-way call running (for CPU measurement) until stop() is called. */
async function holdCall(customerD: ConversationDescriptor, agentD: ConversationDescriptor): Promise<void> {
  const c = new Conversation();
  const a = new Conversation();
  await Promise.all([c.connect(customerD), a.connect(agentD)]);
  await waitFor(() => c.state.peer?.online === true && a.state.peer?.online === true);
  a.startVideo('two-way');
  await waitFor(() => c.state.video.phase === 'invited');
  c.answerInvite('two-way');
  await Promise.all([firstFrame(() => a.state.video.remoteStream, 0), firstFrame(() => c.state.video.remoteStream, 0)]);
  (window as unknown as { stopCall: () => void }).stopCall = () => { c.dispose(); a.dispose(); };
}

/**
 * A conversation created the way the elements do it: the customer's and the
 * agent's signing keys are made (and kept) in this page, their public halves
 * certified by the broker.
 */
async function newConversation(agentToken: string): Promise<{ customer: ConversationDescriptor; agent: ConversationDescriptor }> {
  const broker = new BrokerClient('/');
  const g = await broker.startConversation({ display: 'Bench customer' });
  const a = await broker.claim(g.descriptor.id, agentToken);
  return { customer: g.descriptor, agent: a.descriptor };
}

/** Microseconds per signature and per verification (open: parse, check signature, sender and role) of a chat message. */
async function signVerifyCost(n: number): Promise<{ signUs: number; openUs: number }> {
  const authority = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  const keys = await generateSigningKeyPair();
  const now = Math.floor(Date.now() / 1000);
  const { cert, kid } = await issueCertificate({ cid: 'bench', role: 'customer', sub: 'c-1', publicKey: await exportPublicKey(keys.publicKey), iat: now, exp: now + 600 }, authority.privateKey);
  const signer = new EnvelopeSigner('bench', kid, keys.privateKey);
  const verifier = new EnvelopeVerifier('bench', await exportPublicKey(authority.publicKey));
  await verifier.addCertificate(cert);
  const wires: string[] = [];
  let t = performance.now();
  for (let i = 0; i < n; i++) wires.push(await signer.seal(createEnvelope('chat.message', 'c-1', { text: `message number ${i}, a typical short line of chat`, seq: i })));
  const signUs = ((performance.now() - t) * 1000) / n;
  t = performance.now();
  for (const w of wires) if ((await verifier.open(w)).kind !== 'ok') throw new Error('verification failed');
  const openUs = ((performance.now() - t) * 1000) / n;
  return { signUs, openUs };
}

/**
 * The floor under the chat round trip: the same two TextRoom connections
 * with raw text, no envelope, no signature, no outbox (what the chat costs
 * above the transport is ours minus this).
 */
async function rawRoundTrip(customerD: ConversationDescriptor, agentD: ConversationDescriptor, runs: number): Promise<number[]> {
  const open = async (d: ConversationDescriptor) => {
    const gw = new GatewayConnection({ server: d.gateway, token: d.token });
    await gw.connect();
    const ch = new TextRoomChannel(gw, { room: d.textRoom.room, pin: d.textRoom.pin, token: d.token, username: `${d.self.id}~raw`, display: d.self.display });
    await ch.open();
    return { gw, ch };
  };
  const [c, a] = await Promise.all([open(customerD), open(agentD)]);
  try {
    a.ch.on('message', ({ text }) => { if (text.startsWith('ping')) void a.ch.send(`pong${text.slice(4)}`); });
    const out: number[] = [];
    for (let i = 0; i < runs; i++) {
      const got = new Promise<void>((resolve) => { const off = c.ch.on('message', ({ text }) => { if (text === `pong${i}`) { off(); resolve(); } }); });
      const t0 = performance.now();
      await c.ch.send(`ping${i}`);
      await got;
      out.push(performance.now() - t0);
    }
    return out;
  } finally {
    for (const x of [c, a]) { x.ch.dispose(); x.gw.dispose(); }
  }
}

Object.assign(window, { bench: { ourFlow, plainFlow, plainTimed, holdCall, newConversation, signVerifyCost, rawRoundTrip } });
Object.assign((window as unknown as { bench: object }).bench, cobrowseBenchPage);
