import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/components/cobrowse-consent/cobrowse-consent.js';
import '../../src/components/cobrowse-banner/cobrowse-banner.js';
import '../../src/components/cobrowse-view/cobrowse-view.js';
import type { CobrowseBanner } from '../../src/components/cobrowse-banner/cobrowse-banner.js';
import type { CobrowseConsent } from '../../src/components/cobrowse-consent/cobrowse-consent.js';
import type { CobrowseView } from '../../src/components/cobrowse-view/cobrowse-view.js';
import type { CobrowseState } from '../../src/session/index.js';
import { CUSTOMER, FakeConversation, makeDescriptor } from './fakes/fake-conversation.js';

describe('<cobrowse-consent>', () => {
  for (const kind of ['view', 'control'] as const) {
    it(`${kind}: accessible alertdialog that takes focus and answers`, async () => {
      const el = await fixture<CobrowseConsent>(html`<cobrowse-consent kind=${kind} peer-name="Ann"></cobrowse-consent>`);
      await expect(el).to.be.accessible();
      const dialog = el.shadowRoot!.querySelector('[role="alertdialog"]')!;
      expect(dialog.getAttribute('aria-labelledby')).to.equal('title');
      expect(el.shadowRoot!.activeElement?.getAttribute('part')).to.equal('accept');
      expect(dialog.textContent).to.contain('Ann');
      const accepted = oneEvent(el, 'vc-cobrowse-consent');
      el.shadowRoot!.querySelector<HTMLButtonElement>('[part="accept"]')!.click();
      expect((await accepted).detail).to.deep.equal({ kind, accept: true });
      const declined = oneEvent(el, 'vc-cobrowse-consent');
      dialog.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
      expect((await declined).detail).to.deep.equal({ kind, accept: false });
    });
  }
});

describe('<cobrowse-banner>', () => {
  it('viewing: accessible, one Stop that stops sharing', async () => {
    const el = await fixture<CobrowseBanner>(html`<cobrowse-banner peer-name="Ann"></cobrowse-banner>`);
    await expect(el).to.be.accessible();
    expect(el.shadowRoot!.textContent).to.contain('Ann is viewing this page');
    expect(el.shadowRoot!.querySelector('[part="stop-control"]')).to.equal(null);
    const ev = oneEvent(el, 'vc-cobrowse-stop');
    el.shadowRoot!.querySelector<HTMLButtonElement>('[part="stop"]')!.click();
    expect((await ev).detail).to.deep.equal({ scope: 'cobrowse' });
  });

  it('controlling: accessible, Stop control takes control back', async () => {
    const el = await fixture<CobrowseBanner>(html`<cobrowse-banner mode="controlling" fixed></cobrowse-banner>`);
    await expect(el).to.be.accessible();
    expect(el.shadowRoot!.textContent).to.contain('Agent is controlling this page');
    expect(getComputedStyle(el).position).to.equal('fixed');
    const ev = oneEvent(el, 'vc-cobrowse-stop');
    el.shadowRoot!.querySelector<HTMLButtonElement>('[part="stop-control"]')!.click();
    expect((await ev).detail).to.deep.equal({ scope: 'control' });
  });
});

describe('<cobrowse-view>', () => {
  const cobrowse = (patch: Partial<CobrowseState>): CobrowseState => ({ phase: 'idle', control: 'none', live: false, ...patch });

  it('is accessible in each phase and says what is going on', async () => {
    const fake = new FakeConversation({ status: 'connected', descriptor: makeDescriptor(), peer: { participant: CUSTOMER, online: true, presence: 'online', typing: false }, cobrowse: cobrowse({}) });
    const el = await fixture<CobrowseView>(html`<cobrowse-view .controller=${fake}></cobrowse-view>`);
    await expect(el).to.be.accessible();
    expect(el.shadowRoot!.querySelector('[part="status"]')!.textContent).to.contain('Cobrowse is off');
    fake.setState({ cobrowse: cobrowse({ phase: 'offered', offerId: 'o1' }) });
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part="status"]')!.textContent).to.contain('Waiting for Carl');
    await expect(el).to.be.accessible();
    fake.setState({ cobrowse: cobrowse({ phase: 'active', offerId: 'o1', live: false }) });
    await el.updateComplete;
    await expect(el).to.be.accessible();
    expect(el.shadowRoot!.querySelector('[part="status"]')!.textContent).to.contain('Connecting');
  });
});
