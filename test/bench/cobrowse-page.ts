// Cobrowse figures for `npm run bench`, run inside Chromium (bundled into
// dist/bench/page.js by run.ts):
//  - delay from a customer DOM change to its appearance in the agent's
//    replay, both sides in this page over the real TextRoom;
//  - size of the demo shop checkout page's full snapshot as our pipeline
//    sends it (masked, slimmed, deflate-raw, base64), taken in the page's own
//    realm because rrweb records the document it runs in.
import { loadAgentRuntime, loadCustomerRuntime, type ChunkBody } from '../../src/cobrowse/index.js';
import type { ConversationDescriptor } from '../../src/protocol/index.js';
import { Conversation } from '../../src/session/index.js';

function waitFor(check: () => boolean, what: string, timeoutMs = 20000): Promise<void> {
  const end = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => (check() ? resolve() : Date.now() > end ? reject(new Error(`timeout: ${what}`)) : setTimeout(tick, 5));
    tick();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One cobrowse, then `runs` DOM changes on the customer's side, each timed
 * from the change to the moment the replay's document holds it (default
 * batching: a change after a quiet spell goes at once, steady changes at
 * most every 100 ms).
 */
async function cobrowseDelay(customerD: ConversationDescriptor, agentD: ConversationDescriptor, runs: number): Promise<number[]> {
  const c = new Conversation();
  const a = new Conversation();
  // The agent's replay lives in this page too: blocked so the customer's recorder leaves it out.
  const stage = document.createElement('div');
  stage.setAttribute('data-vc-block', '');
  stage.style.cssText = 'width:800px;height:600px;';
  const area = document.createElement('section');
  area.id = 'cb-area';
  area.textContent = 'customer area';
  document.body.append(area, stage);
  try {
    await Promise.all([c.connect(customerD), a.connect(agentD)]);
    await waitFor(() => c.state.peer?.online === true && a.state.peer?.online === true, 'both online');
    const handle = a.attachReplayTarget(stage);
    a.offerCobrowse();
    await waitFor(() => c.state.cobrowse?.phase === 'asked', 'asked');
    c.answerCobrowse(true);
    await waitFor(() => !!handle.iframe?.contentDocument?.getElementById('cb-area'), 'first snapshot replayed');
    const doc = handle.iframe!.contentDocument!;
    const delays: number[] = [];
    for (let i = 0; i < runs; i++) {
      await sleep(250);
      const id = `cb-mark-${i}`;
      const seen = new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`change ${i} never replayed`)), 10000);
        const obs = new MutationObserver(() => {
          if (!doc.getElementById(id)) return;
          obs.disconnect();
          clearTimeout(timer);
          resolve(performance.now());
        });
        obs.observe(doc, { subtree: true, childList: true });
      });
      const t0 = performance.now();
      const p = document.createElement('p');
      p.id = id;
      p.textContent = `change ${i}`;
      area.append(p);
      delays.push((await seen) - t0);
    }
    return delays;
  } finally {
    c.dispose();
    a.dispose();
    stage.remove();
    area.remove();
  }
}

export interface SnapshotFigures {
  /** rrweb events in the first batch (Meta + FullSnapshot). */
  events: number;
  /** JSON bytes before compression. */
  json: number;
  /** deflate-raw bytes. */
  deflated: number;
  /** base64 characters on the wire (sum of the chunks' data). */
  base64: number;
  chunks: number;
  /** Start of recording to the snapshot's chunks handed over, ms. */
  ms: number;
}

/** Our pipeline's full snapshot of the document this bundle runs in. */
async function snapshotHere(): Promise<SnapshotFigures> {
  // Through the same lazy entry points the product uses (esbuild's bundle of a
  // module that is also imported dynamically only initialises it that way).
  const [{ CobrowseRecorder }, { decodeBatch }] = await Promise.all([loadCustomerRuntime(), loadAgentRuntime()]);
  const chunks: ChunkBody[] = [];
  const t0 = performance.now();
  const rec = new CobrowseRecorder({ send: (chunk) => { chunks.push(chunk); return true; } });
  await rec.start();
  await rec.flush();
  const ms = performance.now() - t0;
  rec.stop();
  const first = chunks.filter((x) => x.seq === 0).sort((x, y) => x.part - y.part);
  const data = first.map((x) => x.data).join('');
  const events = await decodeBatch(data);
  const pad = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return { events: events.length, json: new TextEncoder().encode(JSON.stringify(events)).length, deflated: (data.length * 3) / 4 - pad, base64: data.length, chunks: first.length, ms };
}

/** Loads /demo/shop/checkout.html in a 1280×800 iframe and measures its full snapshot there. */
async function checkoutSnapshot(bundleUrl: string): Promise<SnapshotFigures> {
  const frame = document.createElement('iframe');
  frame.style.cssText = 'width:1280px;height:800px;border:0;';
  const loaded = new Promise((r) => frame.addEventListener('load', r, { once: true }));
  frame.src = '/demo/shop/checkout.html';
  document.body.append(frame);
  try {
    await loaded;
    const win = frame.contentWindow as (Window & { bench?: { snapshotHere(): Promise<SnapshotFigures> } }) | null;
    const script = frame.contentDocument!.createElement('script');
    script.type = 'module';
    script.src = bundleUrl;
    frame.contentDocument!.head.append(script);
    await waitFor(() => typeof win?.bench?.snapshotHere === 'function', 'bench bundle in the checkout page');
    return await win!.bench!.snapshotHere();
  } finally {
    frame.remove();
  }
}

export const cobrowseBenchPage = { cobrowseDelay, snapshotHere, checkoutSnapshot };
