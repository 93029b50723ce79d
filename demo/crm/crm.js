// A host CRM embeds <video-chat-pane> directly: it gets a descriptor from its
// backend (here the reference broker's API), logs every vc-* event, and answers
// the pane's customer search from its OWN records.

/** The CRM's own customer records (made up). */
const CRM_CUSTOMERS = [
  { customerId: 'acme-1001', name: 'Casey Jones', detail: 'casey.jones@example.test · Gold' },
  { customerId: 'acme-1002', name: 'Rita Moreno', detail: 'rita@example.test' },
  { customerId: 'acme-1003', name: 'Sam Okafor', detail: 'sam.okafor@example.test · Open ticket #552' },
];

const LOGGED = [
  'vc-conversation-state', 'vc-message-received', 'vc-message-sent', 'vc-video-invite', 'vc-invite-answer',
  'vc-video-start', 'vc-video-end', 'vc-media-state', 'vc-page-push', 'vc-page-opened', 'vc-page-refused',
  'vc-customer-search', 'vc-customer-link', 'vc-customer-linked', 'vc-protocol-error',
];

const $ = (id) => document.getElementById(id);
let token = '';

function log(name, detail) {
  const li = document.createElement('li');
  const summary = { ...detail };
  delete summary.respond;
  if (summary.message) summary.message = { from: summary.message.from?.display, text: summary.message.text };
  li.textContent = `${new Date().toLocaleTimeString()} ${name} ${JSON.stringify(summary)}`;
  $('log').prepend(li);
}

async function api(path, body) {
  const res = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data?.error?.message ?? `HTTP ${res.status}`);
  return data;
}

$('sign-in').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    const data = await api('/api/agent/login', { username: $('username').value, password: $('password').value });
    token = data.token;
    $('sign-in').hidden = true;
    $('next').hidden = false;
    $('status').textContent = `Signed in as ${data.agent.display}`;
  } catch (err) {
    $('status').textContent = `Sign-in failed: ${err.message}`;
  }
});

$('next').addEventListener('click', async () => {
  try {
    const { conversations } = await api('/api/queue');
    const waiting = conversations.find((c) => c.state === 'waiting');
    if (!waiting) {
      $('status').textContent = 'Nobody is waiting.';
      return;
    }
    // The claim carries the public half of this browser's signing key for the conversation; the
    // descriptor it returns certifies that key (a CRM backend would pass it through the same way).
    const { BrokerClient } = await import('/dist/cdn/index.js');
    const { descriptor } = await new BrokerClient(`${location.origin}/`).claim(waiting.id, token);
    await customElements.whenDefined('video-chat-pane');
    const pane = document.createElement('video-chat-pane');
    for (const name of LOGGED) pane.addEventListener(name, (ev) => log(name, ev.detail));
    // The CRM answers the lookup itself: cancel the event, then respond.
    pane.addEventListener('vc-customer-search', (ev) => {
      ev.preventDefault();
      const q = ev.detail.query.toLowerCase();
      ev.detail.respond(CRM_CUSTOMERS.filter((c) => c.name.toLowerCase().includes(q) || c.detail.toLowerCase().includes(q)));
    });
    pane.addEventListener('vc-customer-linked', (ev) => {
      $('record').textContent = `${ev.detail.name} (${ev.detail.customerId ?? 'no id'})`;
    });
    pane.allowHttpPages = location.protocol === 'http:';
    pane.conversation = descriptor;
    $('pane-slot').replaceChildren(pane);
    $('status').textContent = `Chatting with ${descriptor.peer?.display ?? 'a customer'}`;
  } catch (err) {
    $('status').textContent = `Could not take a customer: ${err.message}`;
  }
});
