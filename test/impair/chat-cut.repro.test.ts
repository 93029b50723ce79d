// Chat across a 60 s cut of the customer's link: both sides send numbered
// messages (two a second) through the real elements; the customer's link
// (test/helpers/impair.ts) is cut for 60 s and restored; how long after the
// link is back does each side's chat show on the other screen, and does the
// broker's record get the customer's messages? The customer's page logs its
// PeerConnections' ICE and connection states and its gateway sockets (an init
// script), and the test logs the element's status, so a failure prints one
// timeline of what the product did.
//
// Not in npm test (the 60 s cut of test/impair/call.e2e.test.ts checks the same
// with video running, within the same limit); a tool for when chat recovery
// regresses. Run (root, iproute2): node scripts/build.mjs && node --import tsx --test test/impair/chat-cut.repro.test.ts
// VC_CUT_VIDEO=1: with a two-way video call running (default: chat only).
// VC_CUT_MS: the cut's length (default 60000); VC_BEFORE_MS: chat before the cut (default 5000). VC_IMPAIR_LOG=1: the timeline even when it passes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { archived, sender, shown } from '../e2e/numbered.js';
import { startImpairedCall, type ImpairedCall } from './call.js';

/** Chat has to come back this soon after the link does, both ways. */
const BACK_WITHIN_MS = 10_000;
/** Everything sent before the link came back is on the other screen this soon after. */
const ALL_WITHIN_MS = 15_000;
const CUT_MS = Number(process.env.VC_CUT_MS ?? 60_000);
const VIDEO = process.env.VC_CUT_VIDEO === '1';
/** How long the chat runs before the cut (the gateway's keepalive comes every 25 s). */
const BEFORE_MS = Number(process.env.VC_BEFORE_MS ?? 5000);
const LOG = process.env.VC_IMPAIR_LOG === '1';

/** In the customer's page: every PeerConnection's and gateway socket's changes, with the time (window.__cut.log). */
const WATCH_SOURCE = String.raw`
(() => {
  if (window.__cut) return;
  const log = [];
  const note = (text) => log.push([Date.now(), text]);
  window.__cut = { log };
  addEventListener('online', () => note('window online'));
  addEventListener('offline', () => note('window offline'));
  let pcN = 0;
  const PC = window.RTCPeerConnection;
  if (typeof PC === 'function') {
    window.RTCPeerConnection = new Proxy(PC, {
      construct(target, args, nt) {
        const pc = Reflect.construct(target, args, nt);
        const id = 'pc' + (++pcN);
        let kind = '?';
        const state = () => id + '(' + kind + ') ice=' + pc.iceConnectionState + ' conn=' + pc.connectionState;
        note(id + ' created');
        pc.addEventListener('iceconnectionstatechange', () => note(state()));
        pc.addEventListener('connectionstatechange', () => note(state()));
        pc.addEventListener('track', () => { kind = 'media'; });
        const dc = pc.createDataChannel;
        pc.createDataChannel = function (...a) {
          kind = 'textroom';
          const ch = dc.apply(this, a);
          ch.addEventListener('open', () => note(id + ' datachannel open'));
          ch.addEventListener('close', () => note(id + ' datachannel close'));
          return ch;
        };
        const close = pc.close;
        pc.close = function () { note(id + '(' + kind + ') closed by the page'); return close.call(this); };
        return pc;
      },
    });
  }
  let wsN = 0;
  const WS = window.WebSocket;
  window.WebSocket = new Proxy(WS, {
    construct(target, args, nt) {
      const ws = Reflect.construct(target, args, nt);
      if (args[1] !== 'janus-protocol') return ws;
      const id = 'ws' + (++wsN);
      note(id + ' new');
      ws.addEventListener('open', () => note(id + ' open'));
      ws.addEventListener('error', () => note(id + ' error'));
      ws.addEventListener('close', (e) => note(id + ' onclose code=' + e.code));
      const keepalives = new Set();
      ws.addEventListener('message', (e) => {
        try {
          const m = JSON.parse(e.data);
          if (m.janus === 'ack' && keepalives.delete(m.transaction)) note(id + ' <- ack (keepalive)');
          else if (m.janus !== 'ack' && m.janus !== 'event' && m.janus !== 'trickle') note(id + ' <- ' + m.janus + (m.error ? ' ' + m.error.code + ' ' + m.error.reason : ''));
        } catch {}
      });
      const send = ws.send;
      ws.send = function (data) {
        try {
          const m = JSON.parse(data);
          if (m.janus === 'keepalive') keepalives.add(m.transaction);
          if (m.janus !== 'trickle') note(id + ' -> ' + m.janus + (m.body && m.body.request ? ' ' + m.body.request : ''));
        } catch {}
        return send.call(this, data);
      };
      const close = ws.close;
      ws.close = function (...a) { note(id + ' close() readyState=' + ws.readyState); return close.apply(this, a); };
      return ws;
    },
  });
})();
`;

describe(`chat across a ${CUT_MS / 1000} s cut of the customer's link${VIDEO ? ' (video call running)' : ''}`, () => {
  let call: ImpairedCall;
  let senders: { customer: ReturnType<typeof sender>; agent: ReturnType<typeof sender> };

  before(async () => {
    call = await startImpairedCall('Vera', { video: VIDEO, customerInit: WATCH_SOURCE });
    senders = { customer: sender(call.customer, call.widget(), 'c', 500), agent: sender(call.agent, call.pane(), 'a', 500) };
  });

  after(async () => {
    await Promise.allSettled([senders?.customer.stop(), senders?.agent.stop()]);
    await call?.close();
  });

  it('chat is back both ways within seconds of the link, and the broker records what the customer sent', async () => {
    const { customer, widget, pane, link } = call;
    /** When each text first showed on each screen. */
    const seen = { customer: new Map<string, number>(), agent: new Map<string, number>() };
    const events: Array<[number, string]> = [];
    let lastStatus = '';
    const sample = async () => {
      const now = Date.now();
      const [onCustomer, onAgent, st] = await Promise.all([
        shown(widget()).catch(() => [] as string[]),
        shown(pane()).catch(() => [] as string[]),
        widget().evaluate((el: HTMLElement & { state?: { status?: string; error?: string } }) => `${el.state?.status ?? '?'}${el.state?.error ? ` (${el.state.error})` : ''}`).catch(() => '?'),
      ]);
      for (const t of onCustomer) if (!seen.customer.has(t)) seen.customer.set(t, now);
      for (const t of onAgent) if (!seen.agent.has(t)) seen.agent.set(t, now);
      if (st !== lastStatus) events.push([now, `customer-chat status ${st}`]);
      lastStatus = st;
    };
    const hold = async (ms: number, until?: () => boolean) => {
      const end = Date.now() + ms;
      while (Date.now() < end && !until?.()) {
        await sample();
        await new Promise((r) => setTimeout(r, 500));
      }
    };

    await hold(BEFORE_MS);
    const cutAt = Date.now();
    link.cut();
    events.push([cutAt, 'LINK CUT']);
    await hold(CUT_MS);
    const restoredAt = Date.now();
    link.restore();
    events.push([restoredAt, 'LINK RESTORED']);
    // Until everything sent up to 5 s after the restore is on the other screen (and 10 s at least), or 90 s.
    const allThere = () => {
      if (Date.now() < restoredAt + 10_000) return false;
      const upTo = restoredAt + 5000;
      return senders.customer.sent.filter((m) => m.at < upTo).every((m) => seen.agent.has(m.text))
        && senders.agent.sent.filter((m) => m.at < upTo).every((m) => seen.customer.has(m.text));
    };
    await hold(90_000, allThere);
    await sample();
    await Promise.allSettled([senders.customer.stop(), senders.agent.stop()]);

    // Page log, merged with ours.
    const pageLog = await customer.evaluate(() => (window as unknown as { __cut: { log: Array<[number, string]> } }).__cut.log);
    const rel = (t: number) => `${((t - restoredAt) / 1000).toFixed(1).padStart(6)} s`;
    const fromCut = <T extends { at: number }>(xs: T[]) => xs.filter((m) => m.at >= cutAt);
    // First time something sent since the cut showed on the other screen, per direction.
    const firstShown = (msgs: Array<{ text: string; at: number }>, screen: Map<string, number>) => {
      const times = fromCut(msgs).map((m) => screen.get(m.text)).filter((t): t is number => t !== undefined);
      return times.length ? Math.min(...times) : undefined;
    };
    const up = firstShown(senders.customer.sent, seen.agent);
    const down = firstShown(senders.agent.sent, seen.customer);
    const lastOf = (msgs: Array<{ text: string; at: number }>, screen: Map<string, number>) => {
      const before = fromCut(msgs).filter((m) => m.at < restoredAt);
      const missing = before.filter((m) => !screen.has(m.text)).map((m) => m.text);
      const times = before.map((m) => screen.get(m.text)).filter((t): t is number => t !== undefined);
      const worst = Math.max(0, ...fromCut(msgs).filter((m) => screen.has(m.text)).map((m) => screen.get(m.text)! - m.at));
      return { n: before.length, missing, allAt: missing.length ? undefined : Math.max(restoredAt, ...times), worst };
    };
    const upAll = lastOf(senders.customer.sent, seen.agent);
    const downAll = lastOf(senders.agent.sent, seen.customer);
    for (const [t, s] of [[up, 'first customer message since the cut on the agent\'s screen'], [down, 'first agent message since the cut on the customer\'s screen']] as const) {
      if (t !== undefined) events.push([t, s]);
    }
    // The broker's record of the customer's messages sent during the cut.
    const id = await widget().evaluate((el: HTMLElement & { state?: { descriptor?: { id: string } } }) => el.state?.descriptor?.id);
    const login = await fetch(`${call.base}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: call.stack.env.agent.username, password: call.stack.env.agent.password }) });
    const { token } = (await login.json()) as { token: string };
    const record = id ? await archived(call.base, id, token) : [];
    const unrecorded = fromCut(senders.customer.sent).filter((m) => m.at < restoredAt && !record.includes(m.text)).map((m) => m.text);

    const fmt = (t: number | undefined) => (t === undefined ? 'never' : `${((t - restoredAt) / 1000).toFixed(1)} s`);
    const summary = [
      `cut ${CUT_MS / 1000} s${VIDEO ? ' with video' : ', chat only'}; times from the link's restore:`,
      `customer → agent: first message since the cut shown after ${fmt(up)}, all ${upAll.n} sent during the cut after ${fmt(upAll.allAt)}${upAll.missing.length ? ` (missing ${upAll.missing.join(',')})` : ''}, worst delay ${(upAll.worst / 1000).toFixed(1)} s`,
      `agent → customer: first message since the cut shown after ${fmt(down)}, all ${downAll.n} sent during the cut after ${fmt(downAll.allAt)}${downAll.missing.length ? ` (missing ${downAll.missing.join(',')})` : ''}, worst delay ${(downAll.worst / 1000).toFixed(1)} s`,
      `broker's record: ${unrecorded.length ? `missing ${unrecorded.join(',')}` : 'has every customer message sent during the cut'}`,
    ].join('\n');
    const timeline = [...events, ...pageLog.filter(([t]) => t >= cutAt - 30_000)].sort((a, b) => a[0] - b[0]).map(([t, s]) => `${rel(t)}  ${s}`).join('\n');
    console.log(summary);
    let ok = false;
    try {
      assert.ok(up !== undefined && up - restoredAt <= BACK_WITHIN_MS, `customer → agent back within ${BACK_WITHIN_MS} ms (${fmt(up)})`);
      assert.ok(down !== undefined && down - restoredAt <= BACK_WITHIN_MS, `agent → customer back within ${BACK_WITHIN_MS} ms (${fmt(down)})`);
      assert.ok(upAll.allAt !== undefined && upAll.allAt - restoredAt <= ALL_WITHIN_MS, `customer → agent: all sent during the cut shown within ${ALL_WITHIN_MS} ms (${fmt(upAll.allAt)})`);
      assert.ok(downAll.allAt !== undefined && downAll.allAt - restoredAt <= ALL_WITHIN_MS, `agent → customer: all sent during the cut shown within ${ALL_WITHIN_MS} ms (${fmt(downAll.allAt)})`);
      assert.deepEqual(unrecorded, [], 'the broker recorded every customer message sent during the cut');
      ok = true;
    } finally {
      if (!ok || LOG) console.log(`--- timeline (customer's page and the test) ---\n${timeline}`);
    }
  });
});
