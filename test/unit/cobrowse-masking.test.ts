import { expect } from '@open-wc/testing';
import {
  CobrowseRecorder,
  decodeBatch,
  isBlocked,
  isSecretField,
  maskInputValue,
  performAction,
  Reassembler,
  SECRET_MASK,
  type ChunkBody,
} from '../../src/cobrowse/index.js';

function el(html: string): HTMLElement {
  const host = document.createElement('div');
  host.innerHTML = html;
  document.body.append(host);
  return host.firstElementChild as HTMLElement;
}

afterEach(() => {
  document.body.replaceChildren();
});

describe('cobrowse masking rules', () => {
  it('secret fields get a constant mask, other values one * per character, unmask by attribute', () => {
    expect(maskInputValue('hunter2', el('<input type="password">'))).to.equal(SECRET_MASK);
    expect(maskInputValue('4111111111111111', el('<input autocomplete="cc-number">'))).to.equal(SECRET_MASK);
    expect(maskInputValue('123', el('<input autocomplete="billing cc-csc">'))).to.equal(SECRET_MASK);
    expect(maskInputValue('123456', el('<input autocomplete="one-time-code">'))).to.equal(SECRET_MASK);
    expect(maskInputValue('secret', el('<input data-vc-mask>'))).to.equal(SECRET_MASK);
    expect(maskInputValue('secret', el('<div data-vc-mask><input id="in"></div>').querySelector('input'))).to.equal(SECRET_MASK);
    expect(maskInputValue('Casey', el('<input name="name">'))).to.equal('*****');
    expect(maskInputValue('a b', el('<textarea></textarea>'))).to.equal('***');
    expect(maskInputValue('Casey', el('<input data-vc-unmask>'))).to.equal('Casey');
    expect(maskInputValue('Casey', el('<form data-vc-unmask><input></form>').querySelector('input'))).to.equal('Casey');
    // Unmask never reveals a secret field.
    expect(maskInputValue('hunter2', el('<form data-vc-unmask><input type="password"></form>').querySelector('input'))).to.equal(SECRET_MASK);
    expect(maskInputValue('4111', el('<input autocomplete="cc-number" data-vc-unmask>'))).to.equal(SECRET_MASK);
    expect(maskInputValue('x', null), 'no element: fail safe').to.equal(SECRET_MASK);
    expect(maskInputValue('', el('<input type="password">'))).to.equal('');
  });

  it('knows blocked elements and our own UI', () => {
    expect(isBlocked(el('<div data-vc-block><span>x</span></div>').querySelector('span'))).to.equal(true);
    expect(isBlocked(el('<customer-chat></customer-chat>'))).to.equal(true);
    expect(isBlocked(el('<cobrowse-banner></cobrowse-banner>'))).to.equal(true);
    expect(isBlocked(el('<p>plain</p>'))).to.equal(false);
    expect(isSecretField(el('<input type="text">'))).to.equal(false);
  });
});

describe('cobrowse recorder masks before anything is handed on', () => {
  it('the chunks of a recording never contain secrets or typed text; blocked content is absent', async () => {
    const form = el(`<form>
      <input id="name" value="Prefilled Casey">
      <input id="pw" type="password" value="Pa55-initial">
      <input id="card" autocomplete="cc-number" value="4111111111111111">
      <input id="hidden" type="hidden" value="csrf-token-abc">
      <input id="nick" data-vc-unmask value="visible-nick">
      <p data-vc-mask id="masked-text">Account 12345678</p>
      <div data-vc-block id="blocked">Blocked-secret-text</div>
    </form>`);
    const chunks: ChunkBody[] = [];
    const rec = new CobrowseRecorder({ send: (c) => { chunks.push(c); return true; }, batchMs: 20 });
    await rec.start();
    const pw = form.querySelector<HTMLInputElement>('#pw')!;
    const name = form.querySelector<HTMLInputElement>('#name')!;
    name.value = 'Typed Name';
    name.dispatchEvent(new Event('input', { bubbles: true }));
    pw.value = 'Typed-Pa55word';
    pw.dispatchEvent(new Event('input', { bubbles: true }));
    pw.setAttribute('value', 'Attr-Pa55word');
    const p = document.createElement('p');
    p.textContent = 'added later';
    form.append(p);
    await new Promise((r) => setTimeout(r, 80));
    await rec.flush();
    rec.stop();
    const r = new Reassembler();
    const texts: string[] = [];
    for (const c of chunks) {
      for (const x of r.push(c)) if (x.kind === 'batch') texts.push(JSON.stringify(await decodeBatch(x.data)));
    }
    const all = texts.join('\n');
    expect(all).to.contain('added later');
    expect(all).to.contain('visible-nick');
    expect(all).to.contain(SECRET_MASK);
    expect(all).to.contain('"**********"', 'typed name masked char by char');
    for (const secret of ['Prefilled Casey', 'Typed Name', 'Pa55-initial', 'Typed-Pa55word', 'Attr-Pa55word', '4111111111111111', 'csrf-token-abc', '12345678', 'Blocked-secret-text']) {
      expect(all, secret).not.to.contain(secret);
    }
  });

  it('stop() removes rrweb from the page: no more chunks, value setter restored', async () => {
    const input = el('<input id="x">') as HTMLInputElement;
    const before = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set;
    let sent = 0;
    const rec = new CobrowseRecorder({ send: () => { sent++; return true; }, batchMs: 10 });
    await rec.start();
    await rec.flush();
    expect(Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set, 'rrweb hooks the setter while recording').not.to.equal(before);
    rec.stop();
    const after = sent;
    input.value = 'changed';
    document.body.append(document.createElement('section'));
    await new Promise((r) => setTimeout(r, 60));
    expect(sent).to.equal(after);
    expect(Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set).to.equal(before);
    expect(rec.recording).to.equal(false);
  });
});

describe('cobrowse remote control refuses what it must', () => {
  function page() {
    const root = el(`<div>
      <input id="street" name="street">
      <input id="pw" type="password">
      <input id="card" autocomplete="cc-number">
      <input id="file" type="file">
      <input id="ro" readonly>
      <div data-vc-block><input id="blocked"></div>
      <button id="btn" type="button"><span id="inner">Go</span></button>
      <button id="off" type="button" disabled>Off</button>
      <a id="js" href="javascript:void(window.__cbJsRan = true)">js</a>
      <a id="ok" href="#anchor">ok</a>
      <script id="scr">/* nothing */</script>
      <select id="sel"><option value="a">A</option><option value="b">B</option></select>
      <p id="para">text</p>
    </div>`);
    const ids = new Map<number, Node>();
    let n = 1;
    const idOf = new Map<string, number>();
    for (const e of root.querySelectorAll('[id]')) {
      ids.set(n, e);
      idOf.set(e.id, n++);
    }
    return { resolve: (id: number) => ids.get(id) ?? null, id: (name: string) => idOf.get(name)!, root };
  }

  it('fills a normal field with input and change events, clicks a button (also via its child)', () => {
    const p = page();
    const events: string[] = [];
    const street = p.root.querySelector<HTMLInputElement>('#street')!;
    street.addEventListener('input', () => events.push('input'));
    street.addEventListener('change', () => events.push('change'));
    let clicks = 0;
    p.root.querySelector('#btn')!.addEventListener('click', () => clicks++);
    expect(performAction({ kind: 'input', node: p.id('street'), value: 'Main Street 1' }, p.resolve).ok).to.equal(true);
    expect(street.value).to.equal('Main Street 1');
    expect(events).to.deep.equal(['input', 'change']);
    expect(performAction({ kind: 'click', node: p.id('inner') }, p.resolve).ok).to.equal(true);
    expect(clicks).to.equal(1);
    expect(performAction({ kind: 'input', node: p.id('sel'), value: 'b' }, p.resolve).ok).to.equal(true);
    expect(p.root.querySelector<HTMLSelectElement>('#sel')!.value).to.equal('b');
  });

  for (const [what, action, code] of [
    ['password', { kind: 'input', target: 'pw', value: 'x' }, 'secret'],
    ['password click', { kind: 'click', target: 'pw' }, 'secret'],
    ['card number', { kind: 'input', target: 'card', value: '4111' }, 'secret'],
    ['file input', { kind: 'click', target: 'file' }, 'not-allowed'],
    ['read-only field', { kind: 'input', target: 'ro', value: 'x' }, 'read-only'],
    ['blocked field', { kind: 'input', target: 'blocked', value: 'x' }, 'blocked'],
    ['disabled button', { kind: 'click', target: 'off' }, 'disabled'],
    ['javascript: link', { kind: 'click', target: 'js' }, 'link'],
    ['script element', { kind: 'click', target: 'scr' }, 'not-clickable'],
    ['unknown option', { kind: 'input', target: 'sel', value: 'zzz' }, 'no-option'],
    ['plain paragraph', { kind: 'click', target: 'para' }, 'not-clickable'],
    ['unknown node', { kind: 'click', target: 'nope' }, 'gone'],
  ] as const) {
    it(`refuses: ${what} (${code})`, () => {
      const p = page();
      const before = p.root.innerHTML;
      const values = [...p.root.querySelectorAll('input')].map((i) => i.value);
      const r = performAction({ kind: action.kind, node: p.id(action.target) ?? 9999, ...('value' in action ? { value: action.value } : {}) }, p.resolve);
      expect(r.ok).to.equal(false);
      if (!r.ok) expect(r.reason).to.be.a('string').and.not.empty;
      if (!r.ok) expect(r.code, 'the code the agent is told').to.equal(code);
      expect(p.root.innerHTML).to.equal(before);
      expect([...p.root.querySelectorAll('input')].map((i) => i.value)).to.deep.equal(values);
      expect((window as unknown as { __cbJsRan?: boolean }).__cbJsRan).to.equal(undefined);
    });
  }
});

describe('cobrowse recorder and shadow DOM', () => {
  it('a blocked element that renders its shadow root after recording started leaks nothing; nor do fields inside it', async () => {
    const chunks: ChunkBody[] = [];
    const rec = new CobrowseRecorder({ send: (c) => { chunks.push(c); return true; }, batchMs: 10 });
    el('<main><p>page text</p></main>');
    await rec.start();
    // Like a widget (or our banner) mounting while cobrowse runs.
    const host = document.createElement('div');
    host.setAttribute('data-vc-block', '');
    document.body.append(host);
    const root = host.attachShadow({ mode: 'open' });
    root.innerHTML = '<p>Shadow-secret-text</p><textarea id="draft"></textarea><div><span>nested</span></div>';
    await new Promise((r) => setTimeout(r, 30));
    root.querySelector('p')!.textContent = 'Shadow-secret-changed';
    root.querySelector('div')!.setAttribute('data-x', 'Shadow-secret-attr');
    const draft = root.querySelector('textarea')!;
    draft.value = 'Draft-chat-message';
    draft.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    // And a visible change outside, which must still come through.
    const p = document.createElement('p');
    p.textContent = 'visible after';
    document.body.append(p);
    await new Promise((r) => setTimeout(r, 60));
    await rec.flush();
    rec.stop();
    const r = new Reassembler();
    let all = '';
    for (const c of chunks) for (const x of r.push(c)) if (x.kind === 'batch') all += JSON.stringify(await decodeBatch(x.data));
    expect(all).to.contain('visible after');
    for (const secret of ['Shadow-secret-text', 'Shadow-secret-changed', 'Shadow-secret-attr', 'Draft-chat-message', 'nested']) expect(all, secret).not.to.contain(secret);
    expect(all).not.to.contain('******************', 'not even the masked draft');
  });
});
