// What the cross-browser e2e runs inside the page, in any engine (Chromium
// through playwright-core, Firefox through puppeteer-core over WebDriver BiDi,
// WebKitGTK through plain W3C WebDriver). Kept as source text, not functions:
// tsx would wrap named functions in helpers the page does not have.
//
// `window.__vc` (installed before the page's own scripts):
//   pcs    every RTCPeerConnection the page created
//   sent   every string the page sent on a data channel (what leaves the page)
//   stats  media counters summed over the open connections (getStats)
//   quality  one call-quality sample: inbound video/audio, outbound video, candidate pair (test/impair)
//   find   element by role and accessible name, text or CSS, across shadow roots
import { inflateRawSync } from 'node:zlib';

/** Element lookup across open shadow roots: role + accessible name, own text, or CSS. */
export const FINDER_SOURCE = String.raw`
function vcQuery(spec) {
  const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const matches = (value, want) => {
    if (want === undefined) return true;
    if (typeof want === 'string') return value === want;
    return new RegExp(want.re, want.flags || '').test(value);
  };
  const roleOf = (el) => {
    const r = el.getAttribute('role');
    if (r) return r.split(' ')[0];
    const t = el.localName;
    if (t === 'button') return 'button';
    if (t === 'a' && el.hasAttribute('href')) return 'link';
    if (t === 'textarea') return 'textbox';
    if (t === 'select') return 'combobox';
    if (/^h[1-6]$/.test(t)) return 'heading';
    if (t === 'input') {
      const ty = el.type || 'text';
      if (ty === 'button' || ty === 'submit' || ty === 'reset') return 'button';
      if (['text', 'email', 'search', 'tel', 'url', 'password'].includes(ty)) return 'textbox';
      return ty;
    }
    return '';
  };
  // Text content as a name: aria-hidden parts left out, slotted content followed.
  const textName = (n) => {
    if (n.nodeType === 3) return n.textContent;
    if (n.nodeType !== 1 || n.getAttribute('aria-hidden') === 'true') return '';
    const kids = n.localName === 'slot' ? n.assignedNodes({ flatten: true }) : [...n.childNodes];
    return kids.map(textName).join(' ');
  };
  const nameOf = (el) => {
    const label = el.getAttribute('aria-label');
    if (label) return norm(label);
    const by = el.getAttribute('aria-labelledby');
    if (by) {
      const root = el.getRootNode();
      return norm(by.split(/\s+/).map((id) => (root.getElementById ? root.getElementById(id) : document.getElementById(id))?.textContent || '').join(' '));
    }
    if (el.labels && el.labels.length) return norm([...el.labels].map((l) => l.textContent).join(' '));
    if (el.localName === 'input' && ['button', 'submit'].includes(el.type)) return norm(el.value);
    return norm(textName(el)) || norm(el.getAttribute('title')) || norm(el.getAttribute('placeholder'));
  };
  const ownText = (el) => norm([...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join(' '));
  const visible = (el) => {
    if (!el.getClientRects().length) return false;
    const s = getComputedStyle(el);
    return s.visibility !== 'hidden' && s.display !== 'none';
  };
  const all = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      all.push(el);
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  let scope = document;
  if (spec.within) {
    const hosts = [];
    const findHosts = (root) => {
      for (const el of root.querySelectorAll('*')) {
        if (el.matches(spec.within)) hosts.push(el);
        if (el.shadowRoot) findHosts(el.shadowRoot);
      }
    };
    findHosts(document);
    if (!hosts.length) return [];
    for (const h of hosts) { if (h.shadowRoot) walk(h.shadowRoot); walk(h); }
  } else walk(scope);
  return all.filter((el) => {
    if (spec.css && !el.matches(spec.css)) return false;
    if (spec.role && roleOf(el) !== spec.role) return false;
    if (spec.name !== undefined && !matches(nameOf(el), spec.name)) return false;
    if (spec.text !== undefined && !matches(ownText(el), spec.text)) return false;
    if (spec.visible !== false && !visible(el)) return false;
    return true;
  });
}
`;

/** Installed before the page's scripts run (init script / preload script). */
export const PROBES_SOURCE = String.raw`
(() => {
  if (window.__vc) return;
  ${FINDER_SOURCE}
  const pcs = [];
  const sent = [];
  if (typeof RTCPeerConnection === 'function') {
    window.RTCPeerConnection = new Proxy(RTCPeerConnection, {
      construct(target, args, nt) { const pc = Reflect.construct(target, args, nt); pcs.push(pc); return pc; },
    });
    const send = RTCDataChannel.prototype.send;
    RTCDataChannel.prototype.send = function (data) {
      if (typeof data === 'string') sent.push(data);
      return send.call(this, data);
    };
  }
  const stats = async () => {
    const c = { framesDecoded: 0, videoBytesReceived: 0, audioPacketsReceived: 0, totalAudioEnergy: 0, videoBytesSent: 0, audioBytesSent: 0, videoSenders: 0 };
    for (const pc of pcs) {
      if (pc.signalingState === 'closed') continue;
      const report = await pc.getStats();
      report.forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') {
          c.framesDecoded += Number(s.framesDecoded || 0);
          c.videoBytesReceived += Number(s.bytesReceived || 0);
        } else if (s.type === 'inbound-rtp' && s.kind === 'audio') {
          c.audioPacketsReceived += Number(s.packetsReceived || 0);
          c.totalAudioEnergy += Number(s.totalAudioEnergy || 0);
        } else if (s.type === 'outbound-rtp' && s.kind === 'video') {
          c.videoBytesSent += Number(s.bytesSent || 0);
          c.videoSenders += 1;
        } else if (s.type === 'outbound-rtp' && s.kind === 'audio') {
          c.audioBytesSent += Number(s.bytesSent || 0);
        }
      });
    }
    return c;
  };
  // Every <video> in the page, across shadow roots: does it play inline?
  const videosInline = () => vcQuery({ css: 'video', visible: false }).map((v) => v.playsInline);
  // An on-screen keyboard as a phone has it: the visual viewport loses the
  // bottom px (the layout viewport stays) and fires resize; 0 closes it.
  const keyboard = (px) => {
    if (px > 0) Object.defineProperty(VisualViewport.prototype, 'height', { configurable: true, get() { return window.innerHeight - px; } });
    else delete VisualViewport.prototype.height;
    window.visualViewport.dispatchEvent(new Event('resize'));
  };
  // Call quality as each side sees it (test/impair/probes.ts reads it): of all open connections, the
  // inbound video / audio and outbound video stream that moved the most bytes, the selected candidate
  // pair of the connection that sends video (else of any connection), and the remote <video> shown.
  const quality = async () => {
    const pick = (best, s, bytes) => (!best || bytes > best.bytes ? { s, bytes } : best);
    let vin, ain, vout, pair, anyPair;
    for (const pc of pcs) {
      if (pc.signalingState === 'closed') continue;
      const report = await pc.getStats();
      let sendsVideo = false;
      let selected;
      report.forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') vin = pick(vin, s, Number(s.bytesReceived || 0));
        else if (s.type === 'inbound-rtp' && s.kind === 'audio') ain = pick(ain, s, Number(s.bytesReceived || 0));
        else if (s.type === 'outbound-rtp' && s.kind === 'video') { vout = pick(vout, s, Number(s.bytesSent || 0)); sendsVideo = true; }
        else if (s.type === 'transport' && s.selectedCandidatePairId) selected = report.get(s.selectedCandidatePairId);
      });
      if (selected) {
        if (sendsVideo) pair = selected;
        anyPair = anyPair || selected;
      }
    }
    pair = pair || anyPair;
    const num = (v) => (v === undefined || v === null ? null : Number(v));
    const v = vin && vin.s;
    const a = ain && ain.s;
    const o = vout && vout.s;
    const el = vcQuery({ css: 'video.remote', visible: false })[0];
    return {
      at: Date.now(),
      inVideo: v ? { frameWidth: num(v.frameWidth), frameHeight: num(v.frameHeight), framesPerSecond: num(v.framesPerSecond), framesDecoded: num(v.framesDecoded), freezeCount: num(v.freezeCount), totalFreezesDuration: num(v.totalFreezesDuration), packetsLost: num(v.packetsLost), bytesReceived: num(v.bytesReceived) } : null,
      inAudio: a ? { packetsReceived: num(a.packetsReceived), packetsLost: num(a.packetsLost), concealedSamples: num(a.concealedSamples), totalSamplesReceived: num(a.totalSamplesReceived) } : null,
      outVideo: o ? { frameHeight: num(o.frameHeight), framesPerSecond: num(o.framesPerSecond), qualityLimitationReason: o.qualityLimitationReason || null, targetBitrate: num(o.targetBitrate), bytesSent: num(o.bytesSent) } : null,
      pair: pair ? { availableOutgoingBitrate: num(pair.availableOutgoingBitrate), currentRoundTripTime: num(pair.currentRoundTripTime) } : null,
      connections: pcs.filter((pc) => pc.signalingState !== 'closed').map((pc) => pc.connectionState),
      remoteVideo: el ? { shown: el.getClientRects().length > 0 && getComputedStyle(el).display !== 'none', frames: el.getVideoPlaybackQuality().totalVideoFrames } : null,
    };
  };
  window.__vc = { pcs, sent, stats, quality, find: vcQuery, videosInline, keyboard };
})();
`;

export interface MediaCounters {
  framesDecoded: number;
  videoBytesReceived: number;
  audioPacketsReceived: number;
  totalAudioEnergy: number;
  videoBytesSent: number;
  audioBytesSent: number;
  videoSenders: number;
}

export function diff(a: MediaCounters, b: MediaCounters): MediaCounters {
  const out = { ...b };
  for (const k of Object.keys(out) as Array<keyof MediaCounters>) if (k !== 'videoSenders') out[k] = b[k] - a[k];
  return out;
}

/**
 * The cobrowse batches among strings a page sent on its data channels:
 * TextRoom requests whose text is a `cobrowse.chunk` envelope, put back
 * together per stream and batch and inflated, as the agent's side does.
 */
export function cobrowseBatches(sent: string[]): string[] {
  const parts = new Map<string, Map<number, { parts: number; data: string }>>();
  for (const raw of sent) {
    let req: { textroom?: string; text?: string };
    try {
      req = JSON.parse(raw) as typeof req;
    } catch {
      continue;
    }
    if (req.textroom !== 'message' || typeof req.text !== 'string') continue;
    let env: { type?: string; body?: { stream: string; seq: number; part: number; parts: number; data: string } };
    try {
      env = JSON.parse(req.text) as typeof env;
    } catch {
      continue;
    }
    if (env.type !== 'cobrowse.chunk' || !env.body) continue;
    const key = `${env.body.stream}/${env.body.seq}`;
    const batch = parts.get(key) ?? new Map();
    batch.set(env.body.part, { parts: env.body.parts, data: env.body.data });
    parts.set(key, batch);
  }
  const out: string[] = [];
  for (const batch of parts.values()) {
    const n = [...batch.values()][0].parts;
    if (batch.size !== n) continue;
    const data = Array.from({ length: n }, (_, i) => batch.get(i)!.data).join('');
    out.push(inflateRawSync(Buffer.from(data, 'base64')).toString('utf8'));
  }
  return out;
}
