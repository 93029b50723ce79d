// The Janus WebSocket API, written for the two plugins this product uses
// (VideoRoom, TextRoom) and for current browsers only: no janus.js, no
// webrtc-adapter. Three pieces:
//  - JanusSocket: one 'janus-protocol' WebSocket, transactions with timeouts;
//  - JanusHandle: a plugin handle (message with JSEP, trickle, hangup, detach)
//    and its events (event, webrtcup, media, slowlink, hangup, detached);
//  - JanusPeer: a plain RTCPeerConnection tied to a handle: trickle ICE both
//    ways, offer/answer in order, ICE restart.
// Sessions (create, claim, keepalive, destroy, rebuild) are GatewayConnection's.
import { TypedEventTarget } from '../util/typed-event-target.js';

export type Json = Record<string, unknown>;

/** What Janus said no with: its code (403 unauthorized, 458 no such session, …) and reason, or a plugin's error. */
export class JanusError extends Error {
  constructor(message: string, readonly code?: number) {
    super(message);
    this.name = 'JanusError';
  }
}

/** No session by that id (gone, or never ours): a new one is needed. */
export const isSessionGone = (e: unknown): boolean => e instanceof JanusError && (e.code === 458 || /no such session/i.test(e.message));

const REQUEST_TIMEOUT_MS = 10_000;

interface Pending {
  resolve: (m: Json) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  /** A plugin message: Janus acks at once and answers with an event carrying the same transaction. */
  async: boolean;
}

/**
 * One WebSocket to Janus. Requests get a transaction and settle on Janus's
 * success/error (or, for plugin messages, the event that answers them);
 * everything else goes to `onEvent`. A closed socket fails what is pending.
 */
export class JanusSocket {
  readonly opened: Promise<void>;
  onEvent: (msg: Json) => void = () => {};
  onClose: () => void = () => {};
  private readonly ws: WebSocket;
  private readonly pending = new Map<string, Pending>();
  private seq = 0;

  constructor(url: string, private readonly token?: string) {
    // The global at call time: pages (and tests) may wrap WebSocket.
    const ws = (this.ws = new WebSocket(url, 'janus-protocol'));
    this.opened = new Promise((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error(`no connection to ${url}`));
    });
    this.opened.catch(() => {});
    ws.onmessage = (ev) => this.receive(ev.data);
    ws.onclose = () => {
      this.failPending();
      this.onClose();
    };
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(body: Json, async = false, timeoutMs = REQUEST_TIMEOUT_MS): Promise<Json> {
    return new Promise((resolve, reject) => {
      if (!this.open) return reject(new Error('not connected to the gateway'));
      const transaction = `${++this.seq}`;
      const timer = setTimeout(() => {
        this.pending.delete(transaction);
        reject(new Error(`no answer from the gateway to ${String(body.janus)}`));
      }, timeoutMs);
      this.pending.set(transaction, { resolve, reject, timer, async });
      this.ws.send(JSON.stringify({ ...body, transaction, ...(this.token ? { token: this.token } : {}) }));
    });
  }

  /**
   * Closes the socket and fails what is pending on it at once: on a dead path the close event
   * comes only when the closing handshake is answered or times out (Chromium: 60 s).
   */
  close(): void {
    this.failPending();
    if (this.ws.readyState === WebSocket.CLOSING || this.ws.readyState === WebSocket.CLOSED) return;
    try {
      this.ws.close();
    } catch {
      /* already closing */
    }
  }

  private failPending(): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error('the gateway connection was lost'));
    }
    this.pending.clear();
  }

  private receive(raw: unknown): void {
    let msg: Json;
    try {
      msg = JSON.parse(String(raw)) as Json;
    } catch {
      return;
    }
    const kind = msg.janus;
    const tx = typeof msg.transaction === 'string' ? msg.transaction : undefined;
    const p = tx === undefined ? undefined : this.pending.get(tx);
    if (p && !(kind === 'ack' && p.async)) {
      this.pending.delete(tx!);
      clearTimeout(p.timer);
      const err = msg.error as { code?: number; reason?: string } | undefined;
      if (kind === 'error') p.reject(new JanusError(err?.reason ?? 'error', err?.code));
      else p.resolve(msg);
      return;
    }
    if (kind !== 'ack' && kind !== 'success') this.onEvent(msg);
  }
}

export interface HandleEvents {
  /** A plugin event nobody was waiting for (notifications, offers Janus starts itself). */
  event: { data: Json; jsep?: RTCSessionDescriptionInit };
  /** Janus's PeerConnection for this handle is up (ICE and DTLS done). */
  webrtcup: Record<string, never>;
  media: { type: string; receiving: boolean; mid?: string };
  /** Janus sees many NACKs: `uplink` true means what we send is lossy. */
  slowlink: { uplink: boolean; lost: number; mid?: string };
  /** Janus hung up this handle's PeerConnection. */
  hangup: { reason?: string };
  /** The handle is gone on Janus. */
  detached: Record<string, never>;
  trickle: { candidate: RTCIceCandidateInit | null };
}

export interface PluginReply {
  data: Json;
  jsep?: RTCSessionDescriptionInit;
}

/** How a handle reaches its session (GatewayConnection implements it). */
export interface HandleHost {
  /** `timeoutMs`: how long to wait for Janus's answer (default REQUEST_TIMEOUT_MS). */
  request(handle: JanusHandle, body: Json, async?: boolean, timeoutMs?: number): Promise<Json>;
  forget(handle: JanusHandle): void;
}

/** A plugin handle on a Janus session. */
export class JanusHandle extends TypedEventTarget<HandleEvents> {
  private gone = false;

  constructor(private readonly host: HandleHost, readonly id: number, readonly plugin: string) {
    super();
  }

  /** Still attached (not detached, its session not replaced). */
  get alive(): boolean {
    return !this.gone;
  }

  /**
   * A plugin request, with our SDP if any. Resolves with the plugin's answer
   * (and Janus's SDP); a plugin error rejects as "<code> <reason>", no
   * answer within `timeoutMs` (default 10 s) as "no answer from the gateway".
   */
  async message(body: Json, jsep?: RTCSessionDescriptionInit, timeoutMs?: number): Promise<PluginReply> {
    const r = await this.host.request(this, { janus: 'message', body, ...(jsep ? { jsep: { type: jsep.type, sdp: jsep.sdp } } : {}) }, true, timeoutMs);
    const data = ((r.plugindata as Json | undefined)?.data ?? {}) as Json;
    if (data.error !== undefined) throw new JanusError(`${String(data.error_code ?? '')} ${String(data.error)}`.trim(), Number(data.error_code) || undefined);
    return { data, jsep: r.jsep as RTCSessionDescriptionInit | undefined };
  }

  /** One of our ICE candidates, or null when gathering is done. */
  trickle(candidate: RTCIceCandidateInit | null): void {
    this.host.request(this, { janus: 'trickle', candidate: candidate ?? { completed: true } }, true).catch(() => {});
  }

  hangup(): Promise<void> {
    return this.host.request(this, { janus: 'hangup' }).then(() => {}, () => {});
  }

  /** Detaches on Janus (which hangs up its PeerConnection too). Safe to call twice. */
  detach(): Promise<void> {
    if (this.gone) return Promise.resolve();
    const done = this.host.request(this, { janus: 'detach' }).then(() => {}, () => {});
    this.kill();
    return done;
  }

  /** Gone without a word to Janus (detached there, or its session replaced). */
  kill(): void {
    this.gone = true;
    this.host.forget(this);
  }

  /** An event Janus sent for this handle. */
  dispatch(m: Json): void {
    switch (m.janus) {
      case 'event':
        this.emit('event', { data: ((m.plugindata as Json | undefined)?.data ?? {}) as Json, jsep: m.jsep as RTCSessionDescriptionInit | undefined });
        break;
      case 'trickle': {
        const c = m.candidate as (RTCIceCandidateInit & { completed?: boolean }) | undefined;
        this.emit('trickle', { candidate: !c || c.completed ? null : c });
        break;
      }
      case 'webrtcup':
        this.emit('webrtcup', {});
        break;
      case 'media':
        this.emit('media', { type: String(m.type), receiving: m.receiving === true, mid: m.mid as string | undefined });
        break;
      case 'slowlink':
        this.emit('slowlink', { uplink: m.uplink === true, lost: Number(m.lost ?? 0), mid: m.mid as string | undefined });
        break;
      case 'hangup':
        this.emit('hangup', { reason: m.reason as string | undefined });
        break;
      case 'detached':
        this.kill();
        this.emit('detached', {});
        break;
    }
  }
}

type Send = (jsep: RTCSessionDescriptionInit) => Promise<PluginReply>;

/**
 * A PeerConnection with Janus on one handle. Our candidates trickle once the
 * SDP they belong to is on its way (Janus would park earlier ones anyway);
 * Janus's wait until its SDP is applied. Negotiations run one at a time.
 */
export class JanusPeer {
  readonly pc: RTCPeerConnection;
  private held: Array<RTCIceCandidateInit | null> | undefined = [];
  private readonly early: Array<RTCIceCandidateInit | null> = [];
  private queue: Promise<unknown> = Promise.resolve();
  private readonly off: () => void;

  constructor(private readonly handle: JanusHandle, iceServers: RTCIceServer[] = []) {
    // Janus bundles everything on one transport: gather for that one only.
    const pc = (this.pc = new RTCPeerConnection({ iceServers, bundlePolicy: 'max-bundle' }));
    pc.onicecandidate = (e) => {
      const c = e.candidate?.candidate ? e.candidate.toJSON() : null;
      if (this.held) this.held.push(c);
      else handle.trickle(c);
    };
    this.off = handle.on('trickle', ({ candidate }) => {
      if (!pc.remoteDescription) this.early.push(candidate);
      else this.addRemote(candidate);
    });
  }

  /**
   * Our offer (e.g. a publisher's); Janus's answer is applied. `iceRestart`
   * gathers new credentials; `startKbps` is where the sender's bandwidth
   * estimate starts (see withStartBitrate).
   */
  offer(send: Send, options?: RTCOfferOptions & { startKbps?: number }): Promise<PluginReply> {
    return this.serial(async () => {
      this.held ??= [];
      const offer = await this.pc.createOffer(options);
      await this.pc.setLocalDescription(offer);
      const reply = this.sent(send({ type: 'offer', sdp: offer.sdp }));
      const r = await reply;
      if (r.jsep) await this.setRemote(options?.startKbps && r.jsep.sdp ? { ...r.jsep, sdp: withStartBitrate(r.jsep.sdp, options.startKbps) } : r.jsep);
      return r;
    });
  }

  /** Janus's offer (subscriber, TextRoom) answered; `before` runs between applying it and answering. */
  answer(offer: RTCSessionDescriptionInit, send: Send, before?: () => void): Promise<PluginReply> {
    return this.serial(async () => {
      this.held ??= [];
      await this.setRemote(offer);
      before?.();
      const answer = await this.pc.createAnswer();
      await this.pc.setLocalDescription(answer);
      return this.sent(send({ type: 'answer', sdp: answer.sdp }));
    });
  }

  close(): void {
    this.off();
    this.pc.close();
  }

  /** The SDP went out (send wrote it to the socket synchronously): held candidates may follow. */
  private sent<T>(p: Promise<T>): Promise<T> {
    const held = this.held ?? [];
    this.held = undefined;
    for (const c of held) this.handle.trickle(c);
    return p;
  }

  private async setRemote(desc: RTCSessionDescriptionInit): Promise<void> {
    await this.pc.setRemoteDescription({ type: desc.type, sdp: desc.sdp });
    for (const c of this.early.splice(0)) this.addRemote(c);
  }

  private addRemote(c: RTCIceCandidateInit | null): void {
    this.pc.addIceCandidate(c ?? undefined).catch(() => {});
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }
}

/** Turns a sender's (only) encoding on or off: off, it sends nothing in any browser, with or without a track. */
export async function setSending(sender: RTCRtpSender, active: boolean): Promise<void> {
  const p = sender.getParameters();
  if (!p.encodings?.length || p.encodings.every((e) => e.active === active)) return;
  for (const e of p.encodings) e.active = active;
  await sender.setParameters(p);
}

/**
 * Janus's answer with `x-google-start-bitrate` on its video codecs: where a
 * Chromium sender's bandwidth estimate starts (default 300 kbit/s). The
 * pacer sends at a multiple of the estimate, so at 300 kbit/s the first
 * keyframe of a call trickles out over a couple of hundred milliseconds — on
 * the critical path of every video start. The estimate still falls within a
 * second or two on a link that cannot carry it (and the network ladder steps
 * down). Other browsers ignore the parameter.
 */
export function withStartBitrate(sdp: string, kbps: number): string {
  const sections = sdp.split(/\r\n(?=m=)/);
  return sections
    .map((section) => {
      if (!section.startsWith('m=video')) return section;
      const lines = section.split('\r\n');
      const codecs = new Map<string, string>();
      for (const l of lines) {
        const m = /^a=rtpmap:(\d+) (VP8|VP9|H264|AV1)\//i.exec(l);
        if (m) codecs.set(m[1], m[2]);
      }
      const out: string[] = [];
      const hasFmtp = new Set<string>();
      for (const l of lines) {
        const f = /^a=fmtp:(\d+) (.*)$/.exec(l);
        if (f && codecs.has(f[1])) {
          hasFmtp.add(f[1]);
          out.push(/x-google-start-bitrate/.test(l) ? l : `${l};x-google-start-bitrate=${kbps}`);
        } else out.push(l);
      }
      // Codecs without an fmtp line get one right after their rtpmap.
      return out
        .flatMap((l) => {
          const m = /^a=rtpmap:(\d+) /.exec(l);
          return m && codecs.has(m[1]) && !hasFmtp.has(m[1]) ? [l, `a=fmtp:${m[1]} x-google-start-bitrate=${kbps}`] : [l];
        })
        .join('\r\n');
    })
    .join('\r\n');
}
