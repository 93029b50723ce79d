// The customer's cobrowse banner as the widget shows it (`fixed`): a pill that
// never covers the site's own navigation, and that the visitor can move.
import { expect, fixture, html, nextFrame, oneEvent } from '@open-wc/testing';
import { resetMouse, sendKeys, sendMouse, setViewport } from '@web/test-runner-commands';
import '../../../src/components/cobrowse-banner/cobrowse-banner.js';
import type { CobrowseBanner } from '../../../src/components/cobrowse-banner/cobrowse-banner.js';

const center = (el: Element) => {
  const r = el.getBoundingClientRect();
  return { x: Math.round(r.left + r.width / 2), y: Math.round(r.top + r.height / 2) };
};
const rectOf = (el: Element) => el.getBoundingClientRect();
const overlaps = (a: DOMRect, b: DOMRect) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

/** A site like the demo shop: a header with its navigation at the top, content, a footer. */
async function site(mode: 'viewing' | 'controlling' = 'viewing') {
  const page = await fixture<HTMLDivElement>(html`<div>
    <header class="site-header" style="display: flex; gap: 1rem; padding: .75rem 1.25rem; border-bottom: 1px solid #ccc">
      <a class="brand" href="#home">Homeware Co.</a>
      <nav aria-label="Shop" style="margin-inline-start: auto"><a href="#catalog">Catalog</a> <a id="checkout" href="#checkout">Checkout</a></nav>
    </header>
    <main style="min-height: 2000px"><h1>Catalog</h1></main>
    <cobrowse-banner fixed mode=${mode} peer-name="Ann"></cobrowse-banner>
  </div>`);
  const banner = page.querySelector<CobrowseBanner>('cobrowse-banner')!;
  await banner.updateComplete;
  await nextFrame();
  return { page, banner, bar: banner.shadowRoot!.querySelector<HTMLElement>('[part="bar"]')! };
}

describe('<cobrowse-banner fixed>', () => {
  before(() => setViewport({ width: 1024, height: 700 }));
  afterEach(() => resetMouse());

  for (const mode of ['viewing', 'controlling'] as const) {
    it(`${mode}: covers no link of the site's header, and a real click on one reaches it`, async () => {
      const { page, bar } = await site(mode);
      for (const link of page.querySelectorAll('header a')) {
        expect(overlaps(rectOf(bar), rectOf(link)), `${link.textContent} is covered`).to.equal(false);
        const c = center(link);
        expect(document.elementFromPoint(c.x, c.y) === link, `${link.textContent} is what a click there hits`).to.equal(true);
      }
      const checkout = page.querySelector<HTMLAnchorElement>('#checkout')!;
      let clicked = 0;
      checkout.addEventListener('click', (e) => {
        e.preventDefault();
        clicked++;
      });
      await sendMouse({ type: 'click', position: [center(checkout).x, center(checkout).y] });
      expect(clicked).to.equal(1);
    });
  }

  it('sits in the bottom corner at the start of the line, inside the viewport', async () => {
    const { bar } = await site();
    const r = rectOf(bar);
    expect(r.left).to.be.greaterThan(0);
    expect(r.left).to.be.lessThan(100);
    expect(r.bottom).to.be.lessThan(window.innerHeight);
    expect(r.bottom).to.be.greaterThan(window.innerHeight - 100);
  });

  it('can be dragged; pressing its grip puts it in the other corner; the arrow keys move it', async () => {
    const { banner, bar } = await site();
    const grip = banner.shadowRoot!.querySelector<HTMLButtonElement>('[part="move"]')!;
    expect(grip.getAttribute('aria-label')).to.equal('Move the banner to the other side');
    const before = rectOf(bar);
    const from = center(grip);
    await sendMouse({ type: 'move', position: [from.x, from.y] });
    await sendMouse({ type: 'down' });
    await sendMouse({ type: 'move', position: [from.x + 200, from.y - 300] });
    await sendMouse({ type: 'move', position: [from.x + 300, from.y - 400] });
    await sendMouse({ type: 'up' });
    await banner.updateComplete;
    const dragged = rectOf(bar);
    expect(Math.round(dragged.left - before.left)).to.equal(300);
    expect(Math.round(dragged.top - before.top)).to.equal(-400);
    expect(banner.hasAttribute('moved')).to.equal(true);
    // The drag ended on the grip: that was no press.
    expect(banner.getAttribute('side')).to.equal('start');

    // Keyboard: arrow keys on the grip.
    grip.focus();
    await sendKeys({ press: 'ArrowDown' });
    await banner.updateComplete;
    expect(Math.round(rectOf(bar).top - dragged.top)).to.equal(16);

    // A press: the other bottom corner (above the launcher).
    grip.click();
    await banner.updateComplete;
    await nextFrame();
    expect(banner.hasAttribute('moved')).to.equal(false);
    expect(banner.getAttribute('side')).to.equal('end');
    const end = rectOf(bar);
    expect(end.right).to.be.greaterThan(window.innerWidth - 100);
    expect(end.bottom).to.be.lessThan(window.innerHeight - 50);
  });

  it('is kept inside the viewport however far it is dragged', async () => {
    const { banner, bar } = await site();
    const from = center(bar);
    await sendMouse({ type: 'move', position: [from.x, from.y] });
    await sendMouse({ type: 'down' });
    await sendMouse({ type: 'move', position: [from.x - 900, from.y + 900] });
    await sendMouse({ type: 'up' });
    await banner.updateComplete;
    const r = rectOf(banner);
    expect(r.left).to.equal(0);
    expect(Math.round(r.bottom)).to.equal(window.innerHeight);
  });

  it('Stop still stops (a press on it is no drag), and it is accessible', async () => {
    const { banner } = await site('controlling');
    await expect(banner).to.be.accessible();
    const stop = banner.shadowRoot!.querySelector<HTMLButtonElement>('[part="stop"]')!;
    const ev = oneEvent(banner, 'vc-cobrowse-stop');
    const c = center(stop);
    await sendMouse({ type: 'click', position: [c.x, c.y] });
    expect((await ev).detail).to.deep.equal({ scope: 'cobrowse' });
    expect(banner.hasAttribute('moved')).to.equal(false);
  });
});
