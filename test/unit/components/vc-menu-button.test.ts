import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../../src/components/vc-menu-button/vc-menu-button.js';
import type { VcMenuButton } from '../../../src/components/vc-menu-button/vc-menu-button.js';

const button = (el: VcMenuButton) => el.shadowRoot!.querySelector<HTMLButtonElement>('button[aria-haspopup="menu"]')!;
const menu = (el: VcMenuButton) => el.shadowRoot!.querySelector<HTMLElement>('[role="menu"]')!;
/** Text of what has focus: an item of `items` (in the shadow root) or a slotted one. */
const focusedText = (el: VcMenuButton) => ((el.shadowRoot!.activeElement ?? document.activeElement)?.textContent ?? '').trim();

async function slotted(): Promise<VcMenuButton> {
  const el = await fixture<VcMenuButton>(html`<vc-menu-button label="Actions">
    <button id="one">One</button>
    <button id="two" disabled>Two</button>
    <a id="three" href="#three">Three</a>
    <div id="four" aria-disabled="true">Four</div>
    <div id="five">Five</div>
  </vc-menu-button>`);
  await el.updateComplete;
  return el;
}

describe('<vc-menu-button>', () => {
  it('is a labelled menu button, closed, whose slotted items become menu items', async () => {
    const el = await slotted();
    expect(button(el).getAttribute('aria-haspopup')).to.equal('menu');
    expect(button(el).getAttribute('aria-expanded')).to.equal('false');
    expect(button(el).textContent).to.contain('Actions');
    expect(menu(el).hidden).to.equal(true);
    expect(menu(el).getAttribute('aria-label')).to.equal('Actions');
    for (const item of el.querySelectorAll('#one, #two, #three, #four, #five')) {
      expect(item.getAttribute('role')).to.equal('menuitem');
      expect(item.getAttribute('tabindex')).to.equal('-1');
    }
    await expect(el).to.be.accessible();
  });

  for (const key of ['Enter', ' ', 'ArrowDown'] as const) {
    it(`${key === ' ' ? 'Space' : key} opens the menu and focuses the first item`, async () => {
      const el = await slotted();
      button(el).focus();
      await sendKeys({ press: key === ' ' ? 'Space' : key });
      await el.updateComplete;
      expect(button(el).getAttribute('aria-expanded')).to.equal('true');
      expect(menu(el).hidden).to.equal(false);
      expect(document.activeElement!.id).to.equal('one');
      await expect(el).to.be.accessible();
    });
  }

  it('ArrowUp opens at the last item; arrows wrap and skip disabled items; Home and End jump', async () => {
    const el = await slotted();
    button(el).focus();
    await sendKeys({ press: 'ArrowUp' });
    await el.updateComplete;
    expect(document.activeElement!.id).to.equal('five');
    await sendKeys({ press: 'ArrowDown' });
    expect(document.activeElement!.id).to.equal('one'); // wraps
    await sendKeys({ press: 'ArrowDown' });
    expect(document.activeElement!.id).to.equal('three'); // #two is disabled
    await sendKeys({ press: 'ArrowDown' });
    expect(document.activeElement!.id).to.equal('five'); // #four is aria-disabled
    await sendKeys({ press: 'Home' });
    expect(document.activeElement!.id).to.equal('one');
    await sendKeys({ press: 'End' });
    expect(document.activeElement!.id).to.equal('five');
    await sendKeys({ press: 'ArrowUp' });
    expect(document.activeElement!.id).to.equal('three');
  });

  it('Escape closes and returns focus to the button; Tab closes and moves on', async () => {
    const el = await slotted();
    button(el).focus();
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    await sendKeys({ press: 'Escape' });
    await el.updateComplete;
    expect(menu(el).hidden).to.equal(true);
    expect(el.shadowRoot!.activeElement === button(el), 'focus is on the button').to.equal(true);
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(menu(el).hidden).to.equal(false);
    await sendKeys({ press: 'Tab' });
    await el.updateComplete;
    expect(menu(el).hidden).to.equal(true);
  });

  it('Enter on an item that is not a button clicks it; choosing an item closes the menu and returns focus', async () => {
    const el = await slotted();
    let clicked = '';
    el.querySelector('#five')!.addEventListener('click', () => (clicked = 'five'));
    button(el).focus();
    await sendKeys({ press: 'ArrowUp' });
    await el.updateComplete;
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(clicked).to.equal('five');
    expect(menu(el).hidden).to.equal(true);
    expect(el.shadowRoot!.activeElement === button(el), 'focus is on the button').to.equal(true);
  });

  it('a click outside closes it; a click on the button toggles it', async () => {
    const el = await slotted();
    button(el).click();
    await el.updateComplete;
    expect(menu(el).hidden).to.equal(false);
    document.body.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true, composed: true }));
    await el.updateComplete;
    expect(menu(el).hidden).to.equal(true);
    button(el).click();
    await el.updateComplete;
    button(el).click();
    await el.updateComplete;
    expect(menu(el).hidden).to.equal(true);
  });

  it('items from the property come first, skip disabled ones, and fire vc-menu-select', async () => {
    const el = await fixture<VcMenuButton>(html`<vc-menu-button label="More" .items=${[
      { id: 'a', label: 'Alpha' },
      { id: 'b', label: 'Beta', disabled: true },
      { id: 'c', label: 'Gamma' },
    ]}><button>Slotted</button></vc-menu-button>`);
    button(el).focus();
    await sendKeys({ press: 'ArrowDown' });
    await el.updateComplete;
    expect(focusedText(el)).to.equal('Alpha');
    await sendKeys({ press: 'ArrowDown' });
    expect(focusedText(el)).to.equal('Gamma');
    await sendKeys({ press: 'ArrowDown' });
    expect(focusedText(el)).to.equal('Slotted');
    await sendKeys({ press: 'ArrowUp' });
    const chosen = oneEvent(el, 'vc-menu-select');
    await sendKeys({ press: 'Enter' });
    const e = await chosen;
    expect(e.detail).to.deep.equal({ id: 'c' });
    expect(e.bubbles && e.composed).to.equal(true);
    await el.updateComplete;
    expect(menu(el).hidden).to.equal(true);
    await expect(el).to.be.accessible();
  });
});
