// A host CRM embeds <video-chat-pane> directly: it gets a descriptor from its
// backend (here the reference broker's API), logs every vc-* event, and answers
// the pane's customer search from its OWN records. Its backend also receives
// the broker's signed webhooks and files each conversation's transcript; the
// page shows what was filed for the conversation it has open (long polling
// /demo-crm/conversations/:id, which npm start's broker serves with demoCrm).

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
    followFiled(descriptor.id);
    $('pane-slot').replaceChildren(pane);
    $('status').textContent = `Chatting with ${descriptor.peer?.display ?? 'a customer'}`;
  } catch (err) {
    $('status').textContent = `Could not take a customer: ${err.message}`;
  }
});

// ---- the transcript as the CRM filed it from the webhooks -------------------------------

let following;
/** Participant id -> display name, from the conversation snapshots the conversation.* events carry. */
const names = new Map();

function describeEntry(entry) {
  const li = document.createElement('li');
  const time = new Date(entry.filedAt).toLocaleTimeString();
  if (entry.message) {
    const m = entry.message;
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = `${names.get(m.from.id) ?? (m.from.role === 'agent' ? 'Agent' : 'Customer')}: `;
    who.title = `${m.from.role} ${m.from.id} (from the signature the broker verified)`;
    const body = m.body ?? {};
    let text;
    if (m.type === 'chat.message') text = body.text;
    else if (m.type === 'page.push') text = `sent a page: ${body.title ? `${body.title} ` : ''}${body.url}`;
    else if (m.type === 'video.invite') text = `offered video (${body.mode})`;
    else if (m.type === 'video.answer') text = body.accept ? `accepted video (${body.accept})` : 'declined video';
    else if (m.type === 'video.start') text = `started video (${body.mode})`;
    else if (m.type === 'customer.linked') text = `linked the chat to ${body.name}`;
    else text = m.type;
    li.append(`${time} `, who, text);
    return li;
  }
  const c = entry.conversation ?? {};
  if (c.customer) names.set(c.customer.id, c.customer.display);
  if (c.claimedBy) names.set(c.claimedBy.id, c.claimedBy.display);
  const span = document.createElement('span');
  span.className = 'event';
  const label = {
    'conversation.created': `conversation opened by ${c.customer?.display ?? 'a visitor'}${c.topic ? ` (${c.topic})` : ''}`,
    'conversation.claimed': `taken by ${c.claimedBy?.display ?? 'an agent'}`,
    'conversation.linked': `linked to record ${c.link?.name ?? ''} (${c.link?.customerId ?? ''})`,
    'conversation.closed': 'conversation closed',
  }[entry.event] ?? entry.event;
  span.textContent = label;
  li.append(`${time} `, span);
  return li;
}

async function followFiled(conversationId) {
  following?.abort();
  const ac = new window.AbortController();
  following = ac;
  $('filed').replaceChildren();
  let after = 0;
  let shown = false;
  while (!ac.signal.aborted) {
    try {
      const res = await fetch(`/demo-crm/conversations/${encodeURIComponent(conversationId)}?after=${after}`, {
        headers: { authorization: `Bearer ${token}` },
        signal: ac.signal,
      });
      if (res.status === 404) {
        $('filed-status').textContent = 'This broker sends its webhooks elsewhere (no sample CRM receiver here).';
        return;
      }
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const filed = await res.json();
      for (const entry of filed.entries) {
        $('filed').append(describeEntry(entry));
        after = Math.max(after, entry.seq);
      }
      if (!shown || filed.entries.length > 0) {
        shown = true;
        $('filed-status').textContent = `${after} event(s) filed for this conversation (${filed.deliveries} webhook deliveries, every signature checked).`;
      }
    } catch (err) {
      if (ac.signal.aborted) return;
      $('filed-status').textContent = `Waiting for the CRM backend (${err.message})…`;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}
