// A real WebRTC peer for the broker's Janus tests: Debian's Chromium driving the raw
// Janus API from a blank page, with no client library filling anything in. Some
// checks only mean something once media or a data channel is up: a recording only
// opens its file when RTP arrives, and a TextRoom join travels over the data channel.
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';

export interface PublishRequest {
  gateway: string;
  token: string;
  room: string;
  pin: string;
  /** How the recording is asked for: in the join itself, or in the first configure/publish. */
  via: 'joinandconfigure' | 'configure' | 'publish';
  /** Extra fields of that request (e.g. record, filename). */
  extra: Record<string, unknown>;
}

export interface PublishResult {
  /** The VideoRoom's answer to the request that carried `extra`. */
  answer: Record<string, unknown>;
  /** RTCPeerConnection.connectionState after waiting for media. */
  state: string;
  /** Outbound RTP packets the browser sent (audio + video). */
  packetsSent: number;
  /** The candidate lines of the browser's offer (for failure messages). */
  offered: string[];
}

export interface TextRoomJoin {
  gateway: string;
  token: string;
  room: string;
  pin: string;
  username: string;
}

/** One Chromium, one blank page; each call opens its own Janus session in it, which stays until close(). */
export class JanusBrowser {
  private constructor(
    private readonly browser: Browser,
    private readonly page: Page,
  ) {}

  static async launch(): Promise<JanusBrowser> {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      // tsx compiles with esbuild's keepNames, which wraps functions in __name(); the page has none.
      await page.evaluate('globalThis.__name = (f) => f');
      await page.evaluate(installClient);
      return new JanusBrowser(browser, page);
    } catch (e) {
      await browser.close();
      throw e;
    }
  }

  /** Publishes a canvas and an oscillator to a VideoRoom, sending `extra` with the request `via`. */
  publish(req: PublishRequest): Promise<PublishResult> {
    return this.page.evaluate((r) => (window as unknown as ClientWindow).vcTest.publish(r), req);
  }

  /** Joins a TextRoom over its data channel, as the elements do; resolves with the plugin's answer. */
  joinTextRoom(req: TextRoomJoin): Promise<Record<string, unknown>> {
    return this.page.evaluate((r) => (window as unknown as ClientWindow).vcTest.joinTextRoom(r), req);
  }

  /** Ends every Janus session this page opened (hang up, destroy) without closing the browser. */
  hangUpAll(): Promise<void> {
    return this.page.evaluate(() => (window as unknown as ClientWindow).vcTest.hangUpAll());
  }

  async close(): Promise<void> {
    await this.hangUpAll().catch(() => {});
    await this.browser.close();
  }
}

interface ClientWindow {
  vcTest: {
    publish(r: PublishRequest): Promise<PublishResult>;
    joinTextRoom(r: TextRoomJoin): Promise<Record<string, unknown>>;
    hangUpAll(): Promise<void>;
  };
}

type JanusMessage = { janus: string; transaction?: string; data?: { id: number }; plugindata?: { data: Record<string, unknown> }; jsep?: RTCSessionDescriptionInit; error?: { reason: string } };

/** Runs in the page: a minimal Janus client over WebSocket (no janus.js). */
function installClient(): void {
  const open: Array<() => Promise<void>> = [];
  let tx = 0;

  async function connect(gateway: string, token: string) {
    const ws = new WebSocket(gateway, 'janus-protocol');
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error(`cannot open ${gateway}`));
    });
    const pending = new Map<string, (m: JanusMessage) => void>();
    ws.onmessage = (ev) => {
      const m = JSON.parse(String(ev.data)) as JanusMessage;
      const done = m.transaction ? pending.get(m.transaction) : undefined;
      if (!done || m.janus === 'ack') return;
      pending.delete(m.transaction!);
      done(m);
    };
    const request = (body: Record<string, unknown>) =>
      new Promise<JanusMessage>((resolve, reject) => {
        const transaction = `p${++tx}`;
        const timer = setTimeout(() => reject(new Error(`no answer to ${JSON.stringify(body)}`)), 10_000);
        pending.set(transaction, (m) => {
          clearTimeout(timer);
          if (m.janus === 'error') reject(new Error(m.error?.reason ?? 'error'));
          else resolve(m);
        });
        ws.send(JSON.stringify({ ...body, transaction, token }));
      });
    const session = (await request({ janus: 'create' })).data!.id;
    const keepalive = setInterval(() => void request({ janus: 'keepalive', session_id: session }).catch(() => {}), 20_000);
    const attach = async (plugin: string) => (await request({ janus: 'attach', plugin, session_id: session })).data!.id;
    const message = (handle: number, body: Record<string, unknown>, jsep?: RTCSessionDescriptionInit) =>
      request({ janus: 'message', session_id: session, handle_id: handle, body, ...(jsep ? { jsep } : {}) });
    const close = async () => {
      clearInterval(keepalive);
      await request({ janus: 'destroy', session_id: session }).catch(() => {});
      ws.close();
    };
    return { attach, message, close };
  }

  function gathered(pc: RTCPeerConnection): Promise<void> {
    if (pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
      setTimeout(resolve, 3000);
    });
  }

  function until(check: () => boolean, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t0 = Date.now();
      const tick = () => (check() || Date.now() - t0 > ms ? resolve() : setTimeout(tick, 50));
      tick();
    });
  }

  function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
    return Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(what)), ms))]);
  }

  function pluginData(m: JanusMessage): Record<string, unknown> {
    const data = m.plugindata?.data ?? {};
    if (data.error !== undefined) throw new Error(`${String(data.error_code)} ${String(data.error)}`);
    return data;
  }

  async function publish(r: PublishRequest): Promise<PublishResult> {
    const janus = await connect(r.gateway, r.token);
    const pc = new RTCPeerConnection();
    open.push(async () => {
      pc.close();
      await janus.close();
    });
    const canvas = document.createElement('canvas');
    canvas.width = 160;
    canvas.height = 120;
    const g = canvas.getContext('2d')!;
    let frame = 0;
    setInterval(() => {
      g.fillStyle = `hsl(${frame++ % 360} 80% 50%)`;
      g.fillRect(0, 0, 160, 120);
    }, 50);
    const audio = new AudioContext();
    const osc = audio.createOscillator();
    const dest = audio.createMediaStreamDestination();
    osc.connect(dest);
    osc.start();
    for (const t of [...dest.stream.getAudioTracks(), ...canvas.captureStream(20).getVideoTracks()]) pc.addTrack(t);
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const offer = { type: 'offer' as const, sdp: pc.localDescription!.sdp };
    const handle = await janus.attach('janus.plugin.videoroom');
    const join = { request: 'join', ptype: 'publisher', room: r.room, pin: r.pin, token: r.token, display: 'probe' };
    let reply: JanusMessage;
    if (r.via === 'joinandconfigure') {
      reply = await janus.message(handle, { ...join, request: 'joinandconfigure', ...r.extra }, offer);
    } else {
      pluginData(await janus.message(handle, join));
      reply = await janus.message(handle, { request: r.via, audio: true, video: true, ...r.extra }, offer);
    }
    const answer = pluginData(reply);
    if (!reply.jsep) throw new Error(`no SDP answer: ${JSON.stringify(answer)}`);
    await pc.setRemoteDescription(reply.jsep);
    await until(() => pc.connectionState === 'connected' || pc.connectionState === 'failed', 10_000);
    // Long enough for the first RTP to reach Janus (a recorder opens its file then).
    await new Promise((res) => setTimeout(res, 1500));
    let packetsSent = 0;
    (await pc.getStats()).forEach((s: { type: string; packetsSent?: number }) => {
      if (s.type === 'outbound-rtp') packetsSent += s.packetsSent ?? 0;
    });
    const offered = offer.sdp.split('\r\n').filter((l) => l.startsWith('a=candidate:'));
    return { answer, state: pc.connectionState, packetsSent, offered };
  }

  async function joinTextRoom(r: TextRoomJoin): Promise<Record<string, unknown>> {
    const janus = await connect(r.gateway, r.token);
    const pc = new RTCPeerConnection();
    open.push(async () => {
      pc.close();
      await janus.close();
    });
    const handle = await janus.attach('janus.plugin.textroom');
    const setup = await janus.message(handle, { request: 'setup' });
    if (!setup.jsep) throw new Error('TextRoom setup sent no offer');
    await pc.setRemoteDescription(setup.jsep);
    // The answerer opens the channel itself, as janus.js does (Janus waits for one).
    const ch = pc.createDataChannel('JanusDataChannel', { ordered: true });
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    await janus.message(handle, { request: 'ack' }, { type: 'answer', sdp: pc.localDescription!.sdp });
    await within(
      new Promise<void>((resolve) => (ch.readyState === 'open' ? resolve() : (ch.onopen = () => resolve()))),
      10_000,
      `TextRoom data channel did not open (ICE ${pc.iceConnectionState})`,
    );
    const transaction = `j${++tx}`;
    const answer = new Promise<Record<string, unknown>>((resolve) => {
      ch.addEventListener('message', (ev) => {
        const m = JSON.parse(String(ev.data)) as Record<string, unknown>;
        if (m.transaction === transaction) resolve(m);
      });
    });
    ch.send(JSON.stringify({ textroom: 'join', transaction, room: r.room, pin: r.pin, token: r.token, username: r.username, display: r.username }));
    return within(answer, 10_000, 'no answer to the TextRoom join');
  }

  async function hangUpAll(): Promise<void> {
    await Promise.all(open.splice(0).map((f) => f().catch(() => {})));
  }

  (window as unknown as ClientWindow).vcTest = { publish, joinTextRoom, hangUpAll };
}
