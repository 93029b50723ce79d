// window.VideoChat (src/page-api.ts, and loader.js's stub page-api-stub.ts)
// on a stand-in for <customer-chat>: calls made before the widget is mounted
// wait and run in order on it; afterwards they act at once; an array a page
// filled before loader.js is taken over.
import { expect } from '@open-wc/testing';
import { adoptPageApi, createPageApi, type VideoChatApi } from '../../src/page-api.js';
import { installPageApiStub } from '../../src/page-api-stub.js';

/** Records what the API asks of the element. */
class StandIn extends HTMLElement {
  calls: string[] = [];
  identity?: string;
  visitorName?: string;
  show(): void { this.calls.push('show'); }
  hide(): void { this.calls.push('hide'); }
  toggle(): void { this.calls.push('toggle'); }
  reset(): void { this.calls.push('reset'); }
}
customElements.define('page-api-stand-in', StandIn);

const toggle = (el: Element, open: boolean) => el.dispatchEvent(new CustomEvent('vc-panel-toggle', { detail: { open } }));

describe('page API (window.VideoChat)', () => {
  afterEach(() => {
    delete window.VideoChat;
  });

  it('queues every call until the widget is mounted, then runs them in order; afterwards at once', () => {
    const api = createPageApi();
    const heard: boolean[] = [];
    const readyWith: string[] = [];
    const listener = (d: { open: boolean }) => heard.push(d.open);
    api.on('vc-panel-toggle', listener);
    api.identify({ identity: 'signed.identity', name: 'Kim' });
    api.open();
    api.close();
    api.toggle();
    api.reset();
    api.ready((w) => readyWith.push(w.localName));
    expect(api.isReady).to.equal(false);
    const el = document.createElement('page-api-stand-in') as StandIn;
    expect(el.calls, 'nothing before attach').to.deep.equal([]);
    api.attach(el);
    expect(api.isReady).to.equal(true);
    expect(el.calls).to.deep.equal(['show', 'hide', 'toggle', 'reset']);
    expect([el.identity, el.visitorName]).to.deep.equal(['signed.identity', 'Kim']);
    expect(readyWith).to.deep.equal(['page-api-stand-in']);
    toggle(el, true);
    expect(heard).to.deep.equal([true]);

    api.open();
    api.push(['close']);
    expect(el.calls.slice(4)).to.deep.equal(['show', 'hide']);
    api.identify({ identity: '' });
    expect(el.identity, "'' clears").to.equal(undefined);
    expect(el.visitorName, 'untouched when not given').to.equal('Kim');
    api.off('vc-panel-toggle', listener);
    toggle(el, false);
    expect(heard).to.deep.equal([true]);
    api.ready((w) => readyWith.push(`again ${w.localName}`));
    expect(readyWith).to.deep.equal(['page-api-stand-in', 'again page-api-stand-in']);
  });

  it('an off() while still queued takes the on() out of the queue', () => {
    const api = createPageApi();
    const heard: boolean[] = [];
    const listener = (d: { open: boolean }) => heard.push(d.open);
    api.on('vc-panel-toggle', listener);
    api.off('vc-panel-toggle', listener);
    const el = document.createElement('page-api-stand-in');
    api.attach(el);
    toggle(el, true);
    expect(heard).to.deep.equal([]);
  });

  it("loader.js's stub takes over an array a page filled before it and keeps every call; the widget's API runs them in order; a second loader keeps the first", () => {
    const heard: boolean[] = [];
    window.VideoChat = [['open'], ['on', 'vc-panel-toggle', (d: { open: boolean }) => heard.push(d.open)], 'junk'];
    const queue = installPageApiStub()!;
    expect(installPageApiStub(), 'a second loader').to.equal(undefined);
    const stub = window.VideoChat as unknown as VideoChatApi;
    expect(stub.isReady).to.equal(false);
    stub.toggle();
    stub.identify({ name: 'Kim' });
    stub.push(['close']);
    const el = document.createElement('page-api-stand-in') as StandIn;
    expect(el.calls, 'nothing before the widget is there').to.deep.equal([]);
    const api = adoptPageApi(el, queue);
    expect(window.VideoChat).to.equal(api);
    expect(api.isReady).to.equal(true);
    expect(el.calls).to.deep.equal(['show', 'toggle', 'hide']);
    expect(el.visitorName).to.equal('Kim');
    toggle(el, false);
    expect(heard).to.deep.equal([false]);
    (window.VideoChat as unknown as VideoChatApi).open();
    expect(el.calls).to.deep.equal(['show', 'toggle', 'hide', 'show']);
    stub.close();
    expect(el.calls, 'the stub a page kept reaches the widget too').to.deep.equal(['show', 'toggle', 'hide', 'show', 'hide']);
  });
});
