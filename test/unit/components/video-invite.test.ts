import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../../src/components/video-invite/video-invite.js';
import type { VideoInvite } from '../../../src/components/video-invite/video-invite.js';

function buttons(el: VideoInvite): string[] {
  return [...el.shadowRoot!.querySelectorAll('button')].map((b) => b.textContent!.trim());
}

describe('<video-invite>', () => {
  it('a two-way offer gives three choices, focuses the first and passes axe', async () => {
    const el = await fixture<VideoInvite>(html`<video-invite mode="two-way" peer-name="Ann"></video-invite>`);
    expect(buttons(el)).to.deep.equal(['Accept video', 'Watch Ann only', 'Decline, stay in chat']);
    expect(el.shadowRoot!.activeElement?.textContent?.trim()).to.equal('Accept video');
    expect(el.shadowRoot!.querySelector('[role="alertdialog"]')!.getAttribute('aria-labelledby')).to.equal('title');
    await expect(el).to.be.accessible();
  });

  for (const mode of ['one-way-customer', 'voice'] as const) {
    it(`a ${mode} offer: accept or decline, axe clean`, async () => {
      const el = await fixture<VideoInvite>(html`<video-invite mode=${mode} peer-name="Ann"></video-invite>`);
      expect(buttons(el)).to.have.length(2);
      await expect(el).to.be.accessible();
    });
  }

  it('reports the choice: two-way, one-way, decline', async () => {
    const el = await fixture<VideoInvite>(html`<video-invite mode="two-way"></video-invite>`);
    const [accept, oneWay, decline] = el.shadowRoot!.querySelectorAll('button');
    setTimeout(() => accept.click());
    expect((await oneEvent(el, 'vc-invite-respond')).detail).to.deep.equal({ accept: 'two-way' });
    setTimeout(() => oneWay.click());
    expect((await oneEvent(el, 'vc-invite-respond')).detail).to.deep.equal({ accept: 'one-way-agent' });
    setTimeout(() => decline.click());
    expect((await oneEvent(el, 'vc-invite-respond')).detail).to.deep.equal({ accept: false });
  });
});
