// Cobrowse end to end on a real Janus TextRoom: the customer's page is a
// same-origin iframe with its own realm (its own Conversation, rrweb and
// RTCDataChannel), the agent is this test document with a <cobrowse-view>.
// Every data-channel message of both realms is captured and searched,
// compressed chunks decoded, for what must never leave the customer's page.
import { expect, fixture, html } from '@open-wc/testing';
import { resetMouse, sendKeys, sendMouse } from '@web/test-runner-commands';
import { Reassembler, decodeBatch, encodeBatch, SECRET_MASK, type RecordedEvent } from '../../src/cobrowse/index.js';
import '../../src/components/cobrowse-view/cobrowse-view.js';
import '../../src/components/cobrowse-consent/cobrowse-consent.js';
import '../../src/components/cobrowse-banner/cobrowse-banner.js';
import type { CobrowseView } from '../../src/components/cobrowse-view/cobrowse-view.js';
import type { CobrowseConsent } from '../../src/components/cobrowse-consent/cobrowse-consent.js';
import type { CobrowseBanner } from '../../src/components/cobrowse-banner/cobrowse-banner.js';
import { parseEnvelope, type ConversationDescriptor } from '../../src/protocol/index.js';
import { Conversation } from '../../src/session/index.js';
import { newConversation, waitFor } from '../helpers/env.js';

const PASSWORD = 'Hunter2-Pa55word';
const CARD = '4111 1111 1111 1111';
const NAME = 'Casey Jones';
const BLOCKED_TEXT = 'Blocked-secret-text';

type AnyWindow = Window & typeof globalThis & Record<string, unknown>;

interface ListenerEntry { target: EventTarget; type: string; listener: unknown; capture: boolean }
interface Tracker { listeners: ListenerEntry[]; observers: Set<MutationObserver>; valueSetter?: unknown }

/** Every string sent or received on any RTCDataChannel of a realm goes into `log`. */
function captureDataChannels(win: AnyWindow, log: string[]): void {
  const proto = win.RTCDataChannel.prototype;
  if ((proto as unknown as Record<string, unknown>).__cbCaptured) return;
  (proto as unknown as Record<string, unknown>).__cbCaptured = true;
  const send = proto.send;
  proto.send = function (this: RTCDataChannel, data: string | Blob | ArrayBuffer | ArrayBufferView) {
    if (typeof data === 'string') log.push(data);
    else log.push(`[binary ${String(data)}]`);
    return send.call(this, data as never);
  } as typeof proto.send;
  const desc = Object.getOwnPropertyDescriptor(proto, 'onmessage')!;
  Object.defineProperty(proto, 'onmessage', {
    configurable: true,
    get: desc.get,
    set(this: RTCDataChannel, fn: ((ev: MessageEvent) => unknown) | null) {
      desc.set!.call(this, fn && ((ev: MessageEvent) => {
        log.push(typeof ev.data === 'string' ? ev.data : `[binary ${String(ev.data)}]`);
        return fn.call(this, ev);
      }));
    },
  });
  const add = proto.addEventListener;
  proto.addEventListener = function (this: RTCDataChannel, type: string, l: EventListenerOrEventListenerObject, o?: boolean | AddEventListenerOptions) {
    if (type === 'message') add.call(this, type, (ev: Event) => log.push(String((ev as MessageEvent).data)), o);
    return add.call(this, type, l, o);
  } as typeof proto.addEventListener;
}

/** Live page listeners and mutation observers of a realm (to prove Stop leaves nothing behind). */
function trackListeners(win: AnyWindow): Tracker {
  const t: Tracker = { listeners: [], observers: new Set(), valueSetter: Object.getOwnPropertyDescriptor(win.HTMLInputElement.prototype, 'value')?.set };
  const isPage = (x: EventTarget) => x === win || x instanceof win.Node;
  const proto = win.EventTarget.prototype;
  const add = proto.addEventListener;
  const remove = proto.removeEventListener;
  const capOf = (o?: boolean | EventListenerOptions) => (typeof o === 'boolean' ? o : !!o?.capture);
  const drop = (target: EventTarget, type: string, listener: unknown, capture: boolean) => {
    const i = t.listeners.findIndex((e) => e.target === target && e.type === type && e.listener === listener && e.capture === capture);
    if (i >= 0) t.listeners.splice(i, 1);
  };
  proto.addEventListener = function (this: EventTarget, type: string, listener: EventListenerOrEventListenerObject | null, o?: boolean | AddEventListenerOptions) {
    if (listener && isPage(this)) {
      const capture = capOf(o);
      if (!t.listeners.some((e) => e.target === this && e.type === type && e.listener === listener && e.capture === capture)) {
        t.listeners.push({ target: this, type, listener, capture });
        const signal = typeof o === 'object' ? o.signal : undefined;
        signal?.addEventListener('abort', () => drop(this, type, listener, capture));
      }
    }
    return add.call(this, type, listener, o);
  };
  proto.removeEventListener = function (this: EventTarget, type: string, listener: EventListenerOrEventListenerObject | null, o?: boolean | EventListenerOptions) {
    if (listener) drop(this, type, listener, capOf(o));
    return remove.call(this, type, listener, o);
  };
  const mo = win.MutationObserver.prototype;
  const observe = mo.observe;
  const disconnect = mo.disconnect;
  mo.observe = function (this: MutationObserver, ...args: Parameters<MutationObserver['observe']>) {
    t.observers.add(this);
    return observe.apply(this, args);
  };
  mo.disconnect = function (this: MutationObserver) {
    t.observers.delete(this);
    return disconnect.call(this);
  };
  return t;
}

const agentLog: string[] = [];
const customerLog: string[] = [];
const top = window as unknown as AnyWindow;

// The customer's page: a checkout form with a normal field, a password, a card
// number, a blocked element, an <img onerror> and inline scripts that would
// set a flag in this (the agent's) document if they ever ran in the replay.
const CUSTOMER_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Checkout</title>
<script>window.__customer = true; window.__tracker = parent.__cbBoot(window);</script>
<script>window.__inlineRan = true; if (!window.__customer) top.__cbXss = 'inline script';</script>
<style>body{font:14px system-ui,sans-serif;margin:8px} label{display:block;margin:4px 0} button{padding:6px 14px}</style>
</head><body>
<h1 id="title">Checkout</h1>
<p id="loaded"></p>
<form id="f" onsubmit="return false">
  <label>Name <input id="name" name="name" autocomplete="name"></label>
  <label>Password <input id="pw" type="password" autocomplete="current-password"></label>
  <label>Card <input id="card" name="cc-number" autocomplete="cc-number" inputmode="numeric"></label>
  <label>Street <input id="street" name="street" autocomplete="shipping street-address"></label>
  <label>Nickname <input id="nick" data-vc-unmask></label>
  <div id="blocked" data-vc-block>${BLOCKED_TEXT}</div>
  <button type="button" id="btn">Apply coupon</button>
  <p id="out"></p>
  <ul id="list"></ul>
</form>
<img id="xss" alt="" src="data:image/png;base64,AAAA" onerror="window.__imgErrorRan = true; if (!window.__customer) top.__cbXss = 'img onerror'">
<script>
  document.getElementById('loaded').textContent = 'Load ' + (parent.__cbLoads = (parent.__cbLoads || 0) + 1);
  document.getElementById('btn').addEventListener('click', () => { document.getElementById('out').textContent = 'Coupon applied'; });
</script>
<script type="module">
  const { Conversation, sessionConsentStore } = await import('/src/session/index.ts');
  // Like the widget: what the customer consented to survives this tab's reloads and navigation.
  const c = new Conversation({ consent: sessionConsentStore(), cobrowse: { batchMs: 40, ...parent.__cbCustomerOptions } });
  window.__conv = c;
  await c.connect(parent.__cbCustomerDescriptor);
  window.__ready = true;
</script>
</body></html>`;

interface Customer {
  frame: HTMLIFrameElement;
  win: () => AnyWindow;
  doc: () => Document;
  conv: () => Conversation;
  tracker: () => Tracker;
  reload(): Promise<void>;
}

async function openCustomer(descriptor: ConversationDescriptor, options: Record<string, unknown> = {}): Promise<Customer> {
  top.__cbCustomerDescriptor = descriptor;
  top.__cbCustomerOptions = options;
  top.__cbLoads = 0;
  top.__cbBoot = (w: AnyWindow) => {
    captureDataChannels(w, customerLog);
    return trackListeners(w);
  };
  const frame = document.createElement('iframe');
  frame.title = 'Customer page';
  frame.style.cssText = 'position:absolute;left:0;top:520px;width:600px;height:400px;border:1px solid #999';
  frame.srcdoc = CUSTOMER_PAGE;
  document.body.append(frame);
  const win = () => frame.contentWindow as AnyWindow;
  const ready = () => waitFor(() => win()?.__ready === true, 'customer page connected', 20000);
  await ready();
  return {
    frame,
    win,
    doc: () => frame.contentDocument!,
    conv: () => win().__conv as Conversation,
    tracker: () => win().__tracker as Tracker,
    async reload() {
      // The WindowProxy survives navigation; the document does not.
      const old = frame.contentDocument;
      frame.contentWindow!.location.reload();
      await waitFor(() => frame.contentDocument !== old && win()?.__ready === true, 'customer page reloaded', 20000);
    },
  };
}

/** Every captured string plus the decoded JSON of every complete cobrowse batch in it. */
async function wireTexts(log: readonly string[]): Promise<{ raw: string; decoded: string[]; chunks: number }> {
  const r = new Reassembler();
  const decoded: string[] = [];
  let chunks = 0;
  const seen = new Set<string>();
  for (const raw of log) {
    let outer: { text?: unknown };
    try {
      outer = JSON.parse(raw) as { text?: unknown };
    } catch {
      continue;
    }
    if (typeof outer.text !== 'string') continue;
    let signed: Record<string, unknown>;
    try {
      signed = JSON.parse(outer.text) as Record<string, unknown>;
    } catch {
      continue;
    }
    // The schema is the envelope's without its signature.
    delete signed.sig;
    const env = parseEnvelope(signed);
    if (!env.ok || env.message.type !== 'cobrowse.chunk') continue;
    // Sent and echoed copies of one message: count it once.
    if (seen.has(env.message.id)) continue;
    seen.add(env.message.id);
    chunks++;
    for (const x of r.push(env.message.body)) if (x.kind === 'batch') decoded.push(JSON.stringify(await decodeBatch(x.data)));
  }
  return { raw: log.join('\n'), decoded, chunks };
}

function sentTypes(log: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of log) {
    try {
      const outer = JSON.parse(raw) as { textroom?: string; text?: string };
      if (outer.textroom !== 'message' || typeof outer.text !== 'string') continue;
      const env = JSON.parse(outer.text) as { type?: string };
      if (env.type) out.push(env.type);
    } catch {
      // not ours
    }
  }
  return out;
}

describe('cobrowse over a real Janus TextRoom', function () {
  this.timeout(90000);
  const open: Array<{ dispose(): void }> = [];
  const frames: HTMLIFrameElement[] = [];

  before(() => captureDataChannels(top, agentLog));
  afterEach(async () => {
    for (const c of open.splice(0)) c.dispose();
    for (const f of frames.splice(0)) {
      (f.contentWindow as AnyWindow | null)?.__conv && ((f.contentWindow as AnyWindow).__conv as Conversation).dispose();
      f.remove();
    }
    agentLog.length = 0;
    customerLog.length = 0;
    delete top.__cbXss;
    await resetMouse();
  });

  async function pair(customerOptions: Record<string, unknown> = {}) {
    const { customer, agent } = await newConversation();
    const cust = await openCustomer(customer.descriptor, customerOptions);
    frames.push(cust.frame);
    const a = new Conversation();
    open.push(a);
    await a.connect(agent);
    await waitFor(() => cust.conv().state.peer?.online === true && a.state.peer?.online === true, 'both online');
    const view = await fixture<CobrowseView>(html`<cobrowse-view .controller=${a} style="display:block;width:600px;--vc-cobrowse-height:420px"></cobrowse-view>`);
    const replay = () => view.replayFrame?.contentDocument ?? undefined;
    return { a, cust, c: cust.conv, view, replay, agentDescriptor: agent };
  }

  async function startCobrowse(p: Awaited<ReturnType<typeof pair>>) {
    p.a.offerCobrowse();
    await waitFor(() => p.c().state.cobrowse?.phase === 'asked', 'customer asked');
    p.c().answerCobrowse(true);
    await waitFor(() => p.a.state.cobrowse?.live === true && p.replay()?.getElementById('title') !== null && p.replay()?.getElementById('title') !== undefined, 'replay shows the page', 20000);
  }

  /** Page coordinates of the centre of `el` (inside the replay iframe), for real mouse input. */
  function pointOf(view: CobrowseView, el: Element): [number, number] {
    const frame = view.replayFrame!;
    const fr = frame.getBoundingClientRect();
    const scale = fr.width / Number(frame.getAttribute('width'));
    const r = el.getBoundingClientRect();
    return [Math.round(fr.left + (r.left + r.width / 2) * scale), Math.round(fr.top + (r.top + r.height / 2) * scale)];
  }

  it('consent first; then the replay shows the page, masked, with live DOM changes, and no secret on the wire', async () => {
    const p = await pair();
    const { a, c, view, replay } = p;
    a.offerCobrowse();
    await waitFor(() => c().state.cobrowse?.phase === 'asked', 'customer asked');
    expect(a.state.cobrowse?.phase).to.equal('offered');
    // The customer's consent prompt, wired as the widget wires it.
    const prompt = await fixture<CobrowseConsent>(html`<cobrowse-consent kind="view" @vc-cobrowse-consent=${(e: CustomEvent<{ accept: boolean }>) => c().answerCobrowse(e.detail.accept)}></cobrowse-consent>`);
    await new Promise((r) => setTimeout(r, 400));
    expect(sentTypes(customerLog), 'nothing recorded before consent').not.to.include('cobrowse.chunk');
    expect(c().state.cobrowse?.live).to.equal(false);
    prompt.shadowRoot!.querySelector<HTMLButtonElement>('[part="accept"]')!.click();
    await waitFor(() => a.state.cobrowse?.phase === 'active' && c().state.cobrowse?.live === true, 'active on both sides');
    await waitFor(() => !!replay()?.getElementById('title'), 'replay shows the customer page', 20000);
    expect(replay()!.getElementById('title')!.textContent).to.equal('Checkout');
    expect(a.state.cobrowse?.page?.href).to.match(/^about:srcdoc|^http/);

    // The customer types; the agent sees masks.
    const cdoc = p.cust.doc();
    for (const [id, text] of [['name', NAME], ['pw', PASSWORD], ['card', CARD], ['nick', 'Cas']] as const) {
      cdoc.getElementById(id)!.focus();
      await sendKeys({ type: text });
    }
    expect((cdoc.getElementById('pw') as HTMLInputElement).value).to.equal(PASSWORD);
    const value = (id: string) => (replay()?.getElementById(id) as HTMLInputElement | null)?.value;
    await waitFor(() => value('name') === '*'.repeat(NAME.length), 'typed name masked in the replay');
    await waitFor(() => value('pw') === SECRET_MASK && value('card') === SECRET_MASK && value('nick') === 'Cas', 'secret fields masked, unmasked field shown');
    expect(replay()!.getElementById('blocked')?.textContent ?? '').not.to.contain(BLOCKED_TEXT);

    // DOM changes arrive.
    const li = cdoc.createElement('li');
    li.textContent = 'Item added by the customer';
    cdoc.getElementById('list')!.append(li);
    await waitFor(() => replay()?.getElementById('list')?.textContent?.includes('Item added by the customer') === true, 'DOM change in the replay');
    cdoc.getElementById('title')!.textContent = 'Checkout – step 2';
    await waitFor(() => replay()?.getElementById('title')?.textContent === 'Checkout – step 2', 'text change in the replay');

    // Nothing secret on the wire, on either side, compressed or not.
    await c().flushCobrowse();
    await new Promise((r) => setTimeout(r, 300));
    for (const [side, log] of [['customer', customerLog], ['agent', agentLog]] as const) {
      const w = await wireTexts(log);
      expect(w.chunks, `${side} saw chunks`).to.be.greaterThan(0);
      expect(w.decoded.join('\n'), `${side} decoded chunks`).to.contain('Item added by the customer');
      const all = `${w.raw}\n${w.decoded.join('\n')}`;
      for (const secret of [PASSWORD, CARD, CARD.replace(/ /g, ''), NAME, BLOCKED_TEXT]) expect(all.includes(secret), `${side}: ${secret} on the wire`).to.equal(false);
    }

    // The recorded page's scripts ran nowhere but in the customer's page (where they are live code).
    expect(replay()!.getElementById('xss')).to.exist;
    await new Promise((r) => setTimeout(r, 500));
    expect(p.cust.win().__imgErrorRan, 'the handler is live in the customer page').to.equal(true);
    expect(p.cust.win().__inlineRan).to.equal(true);
    expect(top.__cbXss).to.equal(undefined);
    expect(view.replayFrame!.contentWindow as unknown as AnyWindow).not.to.have.property('__imgErrorRan');
    const sandbox = view.replayFrame!.getAttribute('sandbox') ?? '';
    expect(sandbox.split(/\s+/)).to.deep.equal(['allow-same-origin']);
    expect(view.replayFrame!.sandbox.contains('allow-scripts')).to.equal(false);
    expect(replay()!.querySelectorAll('script')).to.have.length(0);
  });

  it('a hostile snapshot (scripts, inline handlers, javascript: links) runs nothing in the agent document', async () => {
    const p = await pair();
    await startCobrowse(p);
    const now = Date.now();
    const el = (id: number, tagName: string, attributes: Record<string, string>, childNodes: unknown[] = [], extra: Record<string, unknown> = {}) => ({ type: 2, id, tagName, attributes, childNodes, ...extra });
    const text = (id: number, textContent: string) => ({ type: 3, id, textContent });
    const crafted: RecordedEvent[] = [
      { type: 4, timestamp: now, data: { href: 'https://evil.example/', width: 600, height: 400 } },
      {
        type: 2,
        timestamp: now + 1,
        data: {
          initialOffset: { left: 0, top: 0 },
          node: { type: 0, id: 1, childNodes: [
            { type: 1, id: 2, name: 'html', publicId: '', systemId: '' },
            el(3, 'html', {}, [
              el(4, 'head', {}, [el(5, 'script', {}, [text(6, "top.__cbXss = 'crafted script'")])]),
              el(7, 'body', { onload: "top.__cbXss = 'body onload'" }, [
                el(8, 'img', { src: 'data:image/png;base64,AAAA', onerror: "top.__cbXss = 'crafted img'" }),
                el(9, 'svg', { onload: "top.__cbXss = 'svg onload'" }, [], { isSVG: true }),
                el(10, 'iframe', { srcdoc: "<script>top.__cbXss = 'nested'</script>" }),
                el(11, 'a', { id: 'evil', href: "javascript:top.__cbXss = 'link'" }, [text(12, 'click me')]),
                el(13, 'p', { id: 'crafted' }, [text(14, 'crafted page')]),
                el(15, 'form', { id: 'evil-form', action: 'javascript:top.__cbXss = "form"' }, [el(16, 'button', { id: 'evil-submit', type: 'submit' }, [text(17, 'go')])]),
              ]),
            ]),
          ] },
        },
      },
    ];
    // A tampered customer client: straight onto the wire, past the recorder.
    const chat = (p.c() as unknown as { chat: { sendEphemeral(t: string, b: unknown): boolean } }).chat;
    for (const chunk of await encodeBatch(crafted, 'sEvil', 0)) expect(chat.sendEphemeral('cobrowse.chunk', chunk)).to.equal(true);
    await waitFor(() => p.replay()?.getElementById('crafted')?.textContent === 'crafted page', 'crafted page replayed');
    const doc = p.replay()!;
    (doc.getElementById('evil') as HTMLAnchorElement).click();
    (doc.getElementById('evil-submit') as HTMLButtonElement).click();
    await new Promise((r) => setTimeout(r, 800));
    expect(top.__cbXss).to.equal(undefined);
    // Neither the link nor the form navigated the replay away.
    expect(p.replay()).to.equal(doc);
    expect(doc.getElementById('crafted')?.textContent).to.equal('crafted page');
    expect(p.view.replayFrame!.contentWindow!.location.href).not.to.match(/evil|javascript/);
    // The real page takes over again: its next batch shows the agent a gap, the agent asks for a fresh snapshot.
    p.cust.doc().getElementById('list')!.append(p.cust.doc().createElement('li'));
    await waitFor(() => !!p.replay()?.getElementById('title'), 'real page back', 20000);
    expect(top.__cbXss).to.equal(undefined);
  });

  it('remote control only after the second consent; Esc and Stop take it back; Stop removes every listener', async () => {
    const p = await pair();
    const { a, c, view, replay, cust } = p;
    const tracker = cust.tracker();
    const baseListeners = tracker.listeners.slice();
    const baseObservers = new Set(tracker.observers);
    await startCobrowse(p);
    const cdoc = cust.doc();
    const out = () => cdoc.getElementById('out')!.textContent;
    const street = () => (cdoc.getElementById('street') as HTMLInputElement).value;
    const actions: Array<{ ok: boolean; reason?: string }> = [];
    c().addEventListener('cobrowse-action', (e) => actions.push((e as CustomEvent<{ ok: boolean; reason?: string }>).detail));
    const session = (c() as unknown as { cobrowse: { recording?: { stream: string; idOf(n: Node): number } } }).cobrowse;
    const rec = () => session.recording!;
    const tamper = (kind: 'click' | 'input', target: string, value?: string) =>
      (a as unknown as { chat: { sendEphemeral(t: string, b: unknown): boolean } }).chat.sendEphemeral('cobrowse.action', {
        stream: rec().stream, kind, node: rec().idOf(cdoc.getElementById(target)!), ...(value !== undefined ? { value } : {}),
      });

    // Without a grant: a real click on the replayed button only points/highlights; a tampered action is refused.
    await sendMouse({ type: 'click', position: pointOf(view, replay()!.getElementById('btn')!) });
    await waitFor(() => {
      const overlay = cdoc.querySelector('[data-vc-cobrowse-ui="overlay"]');
      const box = overlay?.shadowRoot?.querySelector<HTMLElement>('.highlight');
      return box?.style.display === 'block';
    }, 'customer sees the highlight');
    expect(cdoc.querySelector('[data-vc-cobrowse-ui="overlay"]')!.shadowRoot!.querySelector<HTMLElement>('.pointer')!.style.display, 'agent pointer shown').to.equal('block');
    tamper('click', 'btn');
    tamper('input', 'street', 'Sneaky');
    await waitFor(() => actions.length === 2, 'refusals');
    expect(actions.every((x) => !x.ok && x.reason === 'control is not granted')).to.equal(true);
    expect(out()).to.equal('');
    expect(street()).to.equal('');

    // Second consent.
    a.requestControl();
    await waitFor(() => c().state.cobrowse?.control === 'asked', 'customer asked for control');
    expect(a.state.cobrowse?.control).to.equal('requested');
    c().answerControl(true);
    await waitFor(() => a.state.cobrowse?.control === 'granted' && view.control, 'agent has control');

    // The agent clicks the button and fills the shipping street, in the replay, with real input.
    await sendMouse({ type: 'click', position: pointOf(view, replay()!.getElementById('btn')!) });
    await waitFor(() => out() === 'Coupon applied', 'click performed on the customer page');
    await sendMouse({ type: 'click', position: pointOf(view, replay()!.getElementById('street')!) });
    await sendKeys({ type: 'Main Street 1' });
    await waitFor(() => street() === 'Main Street 1', 'field filled on the customer page');
    expect((cdoc.getElementById('street') as HTMLInputElement).value).to.equal('Main Street 1');
    await waitFor(() => a.state.cobrowse?.lastAction?.ok === true, 'the agent told the fill went through');

    // Masked fields are marked in the agent's replay: * per character (masked), a constant mask (secret), or shown.
    const mark = (id: string) => [replay()!.getElementById(id)!.getAttribute('data-vc-masked'), replay()!.getElementById(id)!.getAttribute('title')];
    await waitFor(() => mark('name')[0] === 'masked', 'masked fields marked');
    expect(mark('name')).to.deep.equal(['masked', 'Masked: you see * for each character the customer types']);
    expect(mark('street')[0]).to.equal('masked');
    expect(mark('pw')).to.deep.equal(['secret', 'Protected field: never shown, never filled remotely']);
    expect(mark('card')[0], 'a payment field (its autocomplete is read from the recording: the replay sets "off")').to.equal('secret');
    expect(mark('nick')[0], 'data-vc-unmask: shown as typed, no mark').to.equal(null);
    expect(getComputedStyle(replay()!.getElementById('name')!).outlineStyle).to.equal('dashed');
    expect(view.shadowRoot!.querySelector('[part="legend"]')!.textContent).to.contain('Fields with a dashed outline are masked');

    // Typing into the password in the replay: the customer's page refuses, and the agent is told why.
    await sendMouse({ type: 'click', position: pointOf(view, replay()!.getElementById('pw')!) });
    await sendKeys({ type: 'nope' });
    await waitFor(() => a.state.cobrowse?.lastAction?.ok === false, 'the agent told of the refusal');
    expect(a.state.cobrowse?.lastAction).to.include({ kind: 'input', code: 'secret' });
    await view.updateComplete;
    const refusal = view.shadowRoot!.querySelector('[part="refusal"]')!;
    expect(refusal.getAttribute('role')).to.equal('alert');
    expect(refusal.textContent).to.contain('Your typing was not done on');
    expect(refusal.textContent).to.contain('protected fields are never filled or clicked remotely');
    expect((cdoc.getElementById('pw') as HTMLInputElement).value).to.equal('');

    // Never the password, the card number or a blocked element, even with control.
    actions.length = 0;
    tamper('input', 'pw', 'attacker-pw');
    tamper('click', 'pw');
    tamper('input', 'card', '4000000000000002');
    tamper('click', 'blocked');
    await waitFor(() => actions.length === 4, 'four refusals');
    expect(actions.map((x) => x.ok)).to.deep.equal([false, false, false, false]);
    expect((cdoc.getElementById('pw') as HTMLInputElement).value).to.equal('');
    expect((cdoc.getElementById('card') as HTMLInputElement).value).to.equal('');

    // Esc on the customer's page: control ends at once.
    cdoc.getElementById('out')!.textContent = '';
    cdoc.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await waitFor(() => c().state.cobrowse?.control === 'none' && a.state.cobrowse?.control === 'none' && !view.control, 'control revoked by Esc');
    actions.length = 0;
    tamper('click', 'btn');
    await waitFor(() => actions.length === 1, 'refusal after Esc');
    expect(actions[0].ok).to.equal(false);
    await sendMouse({ type: 'click', position: pointOf(view, replay()!.getElementById('btn')!) });
    await new Promise((r) => setTimeout(r, 600));
    expect(out()).to.equal('');

    // Grant again, then the banner's Stop control.
    a.requestControl();
    await waitFor(() => c().state.cobrowse?.control === 'asked', 'asked again');
    c().answerControl(true);
    await waitFor(() => a.state.cobrowse?.control === 'granted', 'granted again');
    const banner = await fixture<CobrowseBanner>(html`<cobrowse-banner mode="controlling" @vc-cobrowse-stop=${(e: CustomEvent<{ scope: string }>) => (e.detail.scope === 'control' ? c().answerControl(false) : c().stopCobrowse())}></cobrowse-banner>`);
    banner.shadowRoot!.querySelector<HTMLButtonElement>('[part="stop-control"]')!.click();
    await waitFor(() => a.state.cobrowse?.control === 'none' && c().state.cobrowse?.control === 'none', 'control stopped from the banner');
    actions.length = 0;
    tamper('input', 'street', 'after stop');
    await waitFor(() => actions.length === 1, 'refusal after Stop');
    expect(street()).to.equal('Main Street 1');

    // Stop sharing: recording ends, everything it added to the page is gone.
    banner.mode = 'viewing';
    await banner.updateComplete;
    banner.shadowRoot!.querySelector<HTMLButtonElement>('[part="stop"]')!.click();
    await waitFor(() => a.state.cobrowse?.phase === 'idle' && c().state.cobrowse?.phase === 'idle' && c().state.cobrowse?.live === false, 'stopped on both sides');
    const added = tracker.listeners.filter((e) => !baseListeners.includes(e));
    expect(added.map((e) => `${e.type} on ${String(e.target)}`), 'listeners left behind').to.deep.equal([]);
    expect([...tracker.observers].filter((o) => !baseObservers.has(o)), 'observers left behind').to.have.length(0);
    expect(Object.getOwnPropertyDescriptor(cust.win().HTMLInputElement.prototype, 'value')?.set, 'rrweb setter hook removed').to.equal(tracker.valueSetter);
    expect(cdoc.querySelector('[data-vc-cobrowse-ui]'), 'overlay removed').to.equal(null);
    const chunksBefore = sentTypes(customerLog).filter((t) => t === 'cobrowse.chunk').length;
    cdoc.getElementById('list')!.append(cdoc.createElement('li'));
    (cdoc.getElementById('name') as HTMLInputElement).value = 'after stop';
    await new Promise((r) => setTimeout(r, 500));
    expect(sentTypes(customerLog).filter((t) => t === 'cobrowse.chunk').length, 'nothing recorded after Stop').to.equal(chunksBefore);
    expect(view.replayFrame, 'replay cleared').to.equal(undefined);
  });

  it('navigation: consent survives and the replay follows the new page; control does not', async () => {
    const p = await pair();
    const { a, c, cust, replay } = p;
    await startCobrowse(p);
    await waitFor(() => replay()?.getElementById('loaded')?.textContent === 'Load 1', 'first page');
    a.requestControl();
    await waitFor(() => c().state.cobrowse?.control === 'asked', 'asked');
    c().answerControl(true);
    await waitFor(() => a.state.cobrowse?.control === 'granted', 'granted');
    await cust.reload();
    await waitFor(() => c().state.cobrowse?.phase === 'active' && c().state.cobrowse?.live === true, 'new page records again without asking', 20000);
    expect(c().state.cobrowse?.control).to.equal('none');
    await waitFor(() => replay()?.getElementById('loaded')?.textContent === 'Load 2', 'agent sees the new page', 20000);
    await waitFor(() => a.state.cobrowse?.control === 'none', 'agent lost control with the navigation');
    expect(a.state.cobrowse?.phase).to.equal('active');
    const li = cust.doc().createElement('li');
    li.textContent = 'on the new page';
    cust.doc().getElementById('list')!.append(li);
    await waitFor(() => replay()?.getElementById('list')?.textContent?.includes('on the new page') === true, 'changes on the new page replayed');
  });

  it('a lost chunk makes the agent ask for a fresh snapshot and the replay catches up', async () => {
    const p = await pair();
    const { c, cust, replay } = p;
    await startCobrowse(p);
    const chat = (c() as unknown as { chat: { sendEphemeral(t: string, b: unknown): boolean } }).chat;
    const original = chat.sendEphemeral.bind(chat);
    let dropped = 0;
    chat.sendEphemeral = (t: string, b: unknown) => {
      if (t === 'cobrowse.chunk' && dropped === 0) {
        dropped++;
        return true;
      }
      return original(t, b);
    };
    const add = (text: string) => {
      const li = cust.doc().createElement('li');
      li.textContent = text;
      cust.doc().getElementById('list')!.append(li);
    };
    add('lost on the way');
    await c().flushCobrowse();
    await new Promise((r) => setTimeout(r, 100));
    add('after the gap');
    await waitFor(() => (replay()?.getElementById('list')?.textContent ?? '').includes('after the gap'), 'replay caught up', 20000);
    expect(replay()!.getElementById('list')!.textContent).to.contain('lost on the way');
    expect(dropped).to.equal(1);
    expect(sentTypes(agentLog)).to.include('cobrowse.resync');
  });

  it('an agent reload finds the running cobrowse in history and gets a fresh snapshot without asking the customer again', async () => {
    const p = await pair();
    await startCobrowse(p);
    const li = p.cust.doc().createElement('li');
    li.textContent = 'before the agent reloaded';
    p.cust.doc().getElementById('list')!.append(li);
    await waitFor(() => p.replay()?.getElementById('list')?.textContent?.includes('before the agent reloaded') === true, 'first view');
    p.view.remove();
    p.a.dispose();
    const a2 = new Conversation();
    open.push(a2);
    await a2.connect(p.agentDescriptor);
    await waitFor(() => a2.state.cobrowse?.phase === 'active', 'cobrowse restored from history');
    const view2 = await fixture<CobrowseView>(html`<cobrowse-view .controller=${a2} style="display:block;width:600px"></cobrowse-view>`);
    await waitFor(() => view2.replayFrame?.contentDocument?.getElementById('list')?.textContent?.includes('before the agent reloaded') === true, 'replay after the agent reloaded', 20000);
    expect(p.c().state.cobrowse?.phase).to.equal('active');
    expect(p.c().state.cobrowse?.control).to.equal('none');
  });

  it('control ends by itself after the idle time without agent actions', async () => {
    const p = await pair({ controlIdleMs: 1500 });
    await startCobrowse(p);
    p.a.requestControl();
    await waitFor(() => p.c().state.cobrowse?.control === 'asked', 'asked');
    p.c().answerControl(true);
    await waitFor(() => p.a.state.cobrowse?.control === 'granted', 'granted');
    await waitFor(() => p.a.state.cobrowse?.control === 'none' && p.c().state.cobrowse?.control === 'none', 'revoked after idle', 6000);
    expect(p.a.state.transcript.some((e) => e.kind === 'system' && e.text === 'Remote control ended')).to.equal(true);
  });
});
