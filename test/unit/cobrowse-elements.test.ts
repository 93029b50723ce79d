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

  it('live: the stage takes the customer’s viewport’s shape within the view’s width, and a legend says what masked marks mean', async () => {
    const fake = new FakeConversation({ status: 'connected', descriptor: makeDescriptor(), peer: { participant: CUSTOMER, online: true, presence: 'online', typing: false }, cobrowse: cobrowse({ phase: 'active', offerId: 'o1', live: true, page: { href: 'https://shop.example/', width: 1280, height: 800 } }) });
    const el = await fixture<CobrowseView>(html`<div style="width: 480px"><cobrowse-view .controller=${fake}></cobrowse-view></div>`).then((d) => d.firstElementChild as CobrowseView);
    const stage = el.shadowRoot!.querySelector<HTMLElement>('[part="stage"]')!;
    const box = stage.getBoundingClientRect();
    expect(box.width).to.be.at.most(480);
    expect(box.height / box.width).to.be.closeTo(800 / 1280, 0.02);
    expect(el.shadowRoot!.querySelector('[part="legend"]')!.textContent).to.contain('Fields with a dashed outline are masked');
    await expect(el).to.be.accessible();
  });

  it('a refused action is shown to the agent with why, until dismissed; a new refusal shows again', async () => {
    const live = { phase: 'active', offerId: 'o1', live: true, control: 'granted', page: { href: 'https://shop.example/', width: 1280, height: 800 } } as const;
    const fake = new FakeConversation({ status: 'connected', descriptor: makeDescriptor(), peer: { participant: CUSTOMER, online: true, presence: 'online', typing: false }, cobrowse: cobrowse({ ...live, lastAction: { kind: 'input', ok: false, code: 'secret', seq: 1 } }) });
    const el = await fixture<CobrowseView>(html`<cobrowse-view .controller=${fake}></cobrowse-view>`);
    const alert = () => el.shadowRoot!.querySelector<HTMLElement>('[part="refusal"]');
    expect(alert()!.getAttribute('role')).to.equal('alert');
    expect(alert()!.textContent).to.contain('Your typing was not done on Carl’s page: password, payment and other protected fields are never filled or clicked remotely.');
    await expect(el).to.be.accessible();
    alert()!.querySelector('button')!.click();
    await el.updateComplete;
    expect(alert()).to.equal(null);
    fake.setState({ cobrowse: cobrowse({ ...live, lastAction: { kind: 'click', ok: false, code: 'disabled', seq: 2 } }) });
    await el.updateComplete;
    expect(alert()!.textContent).to.contain('Your click was not done on Carl’s page: that element is disabled.');
    fake.setState({ cobrowse: cobrowse({ ...live, lastAction: { kind: 'click', ok: true, seq: 3 } }) });
    await el.updateComplete;
    expect(alert(), 'an action that went through clears it').to.equal(null);
  });
});
