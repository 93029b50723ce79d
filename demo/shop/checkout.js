// The demo checkout never submits anywhere (the page's CSP forbids inline script, hence this file).
const form = document.getElementById('checkout');
form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  document.getElementById('placed').hidden = false;
});
