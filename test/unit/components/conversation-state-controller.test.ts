import { expect, fixture, html } from '@open-wc/testing';
import { LitElement } from 'lit';
import { ConversationStateController } from '../../../src/components/conversation-state-controller.js';
import { CUSTOMER, FakeConversation, makeDescriptor } from '../fakes/fake-conversation.js';

class HostElement extends LitElement {
  readonly conv = new ConversationStateController(this, { forward: { 'video-start': 'vc-video-start' } });
  renders = 0;
  protected override render() {
    this.renders++;
    return html`${this.conv.state?.status ?? 'none'}`;
  }
}
customElements.define('test-conversation-host', HostElement);

function record(target: EventTarget, type: string): CustomEvent[] {
  const seen: CustomEvent[] = [];
  target.addEventListener(type, (e) => seen.push(e as CustomEvent));
  return seen;
}

describe('ConversationStateController', () => {
  it('re-renders the host on change and stops listening when the host is removed', async () => {
    const el = await fixture<HostElement>(html`<test-conversation-host></test-conversation-host>`);
    const fake = new FakeConversation({ status: 'connecting', descriptor: makeDescriptor() });
    el.conv.controller = fake;
    await el.updateComplete;
    expect(el.shadowRoot!.textContent).to.equal('connecting');
    fake.setState({ status: 'connected' });
    await el.updateComplete;
    expect(el.shadowRoot!.textContent).to.equal('connected');

    const states = record(el, 'vc-conversation-state');
    el.remove();
    fake.setState({ status: 'reconnecting' });
    expect(states).to.have.length(0);
    // Re-attached: catches up with the status change it missed.
    document.body.append(el);
    expect(states.map((e) => e.detail.status)).to.deep.equal(['reconnecting']);
    el.remove();
  });

  it('moves its listeners when the controller is replaced', async () => {
    const el = await fixture<HostElement>(html`<test-conversation-host></test-conversation-host>`);
    const a = new FakeConversation({ status: 'connected', descriptor: makeDescriptor() });
    const b = new FakeConversation({ status: 'connected', descriptor: makeDescriptor({ id: 'conv-2' }) });
    el.conv.controller = a;
    el.conv.controller = b;
    const received = record(el, 'vc-message-received');
    a.receive('from a');
    b.receive('from b');
    expect(received.map((e) => e.detail.message.text)).to.deep.equal(['from b']);
  });

  it('forwards extra events given in options, detail as it is', async () => {
    const el = await fixture<HostElement>(html`<test-conversation-host></test-conversation-host>`);
    const fake = new FakeConversation({ status: 'connected', descriptor: makeDescriptor() });
    el.conv.controller = fake;
    const started = record(el, 'vc-video-start');
    fake.dispatchEvent(new CustomEvent('video-start', { detail: { session: 's1', mode: 'two-way', initiator: 'agent' } }));
    expect(started).to.have.length(1);
    expect(started[0].detail).to.deep.equal({ session: 's1', mode: 'two-way', initiator: 'agent' });
    expect(started[0].bubbles && started[0].composed).to.equal(true);
  });

  it('remembers whether the peer has been online', async () => {
    const el = await fixture<HostElement>(html`<test-conversation-host></test-conversation-host>`);
    const fake = new FakeConversation({ status: 'connected', descriptor: makeDescriptor(), peer: { participant: CUSTOMER, online: false, presence: 'waiting', typing: false } });
    el.conv.controller = fake;
    expect(el.conv.peerSeenOnline).to.equal(false);
    fake.setPeer(CUSTOMER, true);
    fake.setPeer(CUSTOMER, false);
    expect(el.conv.peerSeenOnline).to.equal(true);
  });
});
