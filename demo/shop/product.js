// The catalog links here with ?sku=…; the kettle is the default.
// (A file, not an inline script: the broker's CSP runs no inline script.)
const products = {
  mug: { name: 'Ceramic mug', price: '€14.00', swatch: '', alt: 'Ceramic mug, blue glaze', blurb: 'Hand-glazed stoneware mug, 350 ml. Dishwasher and microwave safe; every glaze is slightly different.' },
  lamp: { name: 'Desk lamp', price: '€45.00', swatch: 'lamp', alt: 'Desk lamp, olive green', blurb: 'Dimmable LED desk lamp with an adjustable arm and a warm-to-cool colour dial. USB-C powered.' },
};
const p = products[new URL(location.href).searchParams.get('sku') ?? ''];
if (p) {
  document.title = `${p.name} – Homeware Co.`;
  document.getElementById('name').textContent = p.name;
  document.getElementById('price').textContent = p.price;
  document.getElementById('blurb').textContent = p.blurb;
  const swatch = document.getElementById('swatch');
  swatch.className = `swatch ${p.swatch}`.trim();
  swatch.setAttribute('aria-label', p.alt);
}
