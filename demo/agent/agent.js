// Agent console of the demo: sign in, live queue from the broker (SSE), claim,
// and one <video-chat-pane> per claimed conversation. Plain ES module, no build
// step. Everything that comes from the broker is written with textContent:
// visitor names are typed by strangers.

// The agent token lives for this tab only (sessionStorage): a reload keeps the
// agent signed in, closing the tab signs out of this machine.
const SESSION_KEY = 'vc-demo-agent-session';
const PANE_TAG = 'video-chat-pane';

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const els = {
  signIn: /** @type {HTMLFormElement} */ ($('sign-in')),
  username: /** @type {HTMLInputElement} */ ($('agent-username')),
  password: /** @type {HTMLInputElement} */ ($('agent-password')),
  signedInBar: $('signed-in-bar'),
  signOut: /** @type {HTMLButtonElement} */ ($('sign-out')),
  signedIn: $('signed-in'),
  streamStatus: $('stream-status'),
  announce: $('announce'),
  error: $('error'),
  waiting: $('waiting'),
  waitingEmpty: $('waiting-empty'),
  mine: $('mine'),
  mineEmpty: $('mine-empty'),
  workspace: $('workspace'),
  placeholder: $('placeholder'),
};

/** @returns {{ token: string, agent: { id: string, display: string }, expiresAt: number } | null} */
function storedSession() {
  try {
    const s = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null');
    if (s && typeof s.token === 'string' && s.agent && typeof s.expiresAt === 'number' && s.expiresAt > Date.now()) return s;
  } catch {
    // A damaged entry is the same as none.
  }
  return null;
}

const state = {
  /** The broker's login answer: the bearer token and who we are (id and name come from the account). */
  session: storedSession(),
  /** @type {EventSource | null} */
  queue: null,
  queueRetry: /** @type {ReturnType<typeof setTimeout> | undefined} */ (undefined),
  /**
   * The queue as the broker's stream built it: a snapshot once, then one event per change.
   * @type {Map<string, { id: string, display: string, topic?: string, createdAt: number, state: string, claimedBy?: { id: string, display: string } }> | null}
   */
  queueEntries: null,
  /** The id of the last queue event applied: a new stream resumes after it (the broker replays what we missed). */
  lastEventId: '',
  /** @type {Map<string, { article: HTMLElement, heading: HTMLElement, endButton: HTMLButtonElement, note: HTMLElement, descriptor: any, ended: boolean }>} */
  panes: new Map(),
  reopened: false,
};

// ---- sign in ------------------------------------------------------------

const agentId = () => state.session?.agent.id;

function showSignedIn() {
  const who = state.session?.agent.display;
  els.signIn.hidden = Boolean(who);
  els.signedInBar.hidden = !who;
  els.signedIn.textContent = who ? `Signed in as ${who}` : '';
  if (!who) els.streamStatus.textContent = 'Sign in to see the queue.';
}

els.signIn.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const username = els.username.value.trim();
  const password = els.password.value;
  if (!username || !password) return;
  try {
    const { res, data } = await postJson('/api/agent/login', { username, password });
    if (!res.ok || !data?.token) {
      setError(res.status === 401 ? 'Wrong username or password.' : (data?.error?.message ?? `Sign-in failed (HTTP ${res.status}).`));
      els.password.select();
      return;
    }
    setError('');
    els.password.value = '';
    state.session = data;
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(data));
    showSignedIn();
    render();
    void connectQueue();
  } catch {
    setError('Cannot reach the broker. Check that it is running.');
  }
});

els.signOut.addEventListener('click', () => {
  // Revoke the token on the broker too, then forget it here.
  if (state.session) void postJson('/api/agent/logout', {}).catch(() => {});
  signedOut('');
});

/** Forgets the session (signed out, or the broker no longer accepts the token) and shows the sign-in form. */
function signedOut(message) {
  state.session = null;
  sessionStorage.removeItem(SESSION_KEY);
  closeQueue();
  state.queueEntries = null;
  state.lastEventId = '';
  state.reopened = false;
  setError(message);
  showSignedIn();
  render();
  els.username.focus();
}

// ---- broker calls -------------------------------------------------------

function setError(message) {
  els.error.textContent = message;
}

/** POSTs JSON, with the agent token when signed in. A 401 means the token is no longer good: sign in again. */
async function postJson(path, body) {
  const headers = { 'content-type': 'application/json' };
  const session = state.session;
  if (session) headers.authorization = `Bearer ${session.token}`;
  const res = await fetch(path, { method: 'POST', headers, body: JSON.stringify(body) });
  const data = await res.json().catch(() => null);
  if (res.status === 401 && session && state.session === session && path !== '/api/agent/login') {
    signedOut('Your session has ended. Please sign in again.');
  }
  return { res, data };
}

/**
 * Claims (or re-claims after a reload) and returns the agent's descriptor, or
 * null. BrokerClient makes this browser's signing key for the conversation
 * (kept in IndexedDB) and sends its public half with the claim: the broker
 * certifies it, so the customer can tell our messages from anyone else's.
 */
async function claim(id) {
  const session = state.session;
  if (!session) {
    setError('Sign in before claiming a conversation.');
    els.username.focus();
    return null;
  }
  let BrokerClient;
  try {
    ({ BrokerClient } = await import('/dist/cdn/index.js'));
  } catch {
    setError('The chat elements did not load from /dist/cdn/index.js. Build them with "npm run build" and reload.');
    return null;
  }
  try {
    const { descriptor } = await new BrokerClient(`${location.origin}/`).claim(id, session.token);
    setError('');
    return descriptor;
  } catch (err) {
    if (err?.status === 401) {
      if (state.session === session) signedOut('Your session has ended. Please sign in again.');
    } else if (err?.status === 409) setError(err.message || 'Already taken by another agent.');
    else setError(err?.message ?? 'Cannot reach the broker. Check that it is running.');
  }
  return null;
}

async function endConversation(id) {
  const entry = state.panes.get(id);
  if (!entry) return;
  if (!entry.ended) {
    try {
      // The agent token (from the sign-in) proves we are the agent who claimed it.
      const { res, data } = await postJson(`/api/conversations/${encodeURIComponent(id)}/close`, {});
      if (res.status === 401) return;
      if (!res.ok && res.status !== 404) {
        setError(data?.error?.message ?? `Could not end the conversation (HTTP ${res.status}).`);
        return;
      }
    } catch {
      setError('Cannot reach the broker. Check that it is running.');
      return;
    }
  }
  entry.article.remove();
  state.panes.delete(id);
  els.placeholder.hidden = state.panes.size > 0;
  announce(`Conversation with ${entry.descriptor.peer?.display ?? 'the customer'} closed.`);
  render();
}

// ---- panes --------------------------------------------------------------

function setConversation(pane, descriptor, note) {
  const apply = () => {
    // The pane's built-in customer lookup (More → Link to customer) asks the broker as this agent.
    pane.brokerUrl = `${location.origin}/`;
    // The demo runs on http://127.0.0.1; real deployments push https pages only.
    pane.allowHttpPages = location.protocol === 'http:';
    pane.agentToken = state.session?.token;
    pane.conversation = descriptor;
  };
  if (customElements.get(PANE_TAG)) {
    apply();
    return;
  }
  // Setting the property only once the element is defined avoids shadowing its accessor.
  customElements.whenDefined(PANE_TAG).then(() => {
    apply();
    note.textContent = '';
  });
  setTimeout(() => {
    if (!customElements.get(PANE_TAG)) {
      note.textContent = 'The chat elements did not load from /dist/cdn/index.js. Build them with "npm run build" and reload.';
    }
  }, 4000);
}

function openPane(descriptor, { focus = true } = {}) {
  let entry = state.panes.get(descriptor.id);
  if (!entry) {
    const article = document.createElement('article');
    article.className = 'panel conversation';
    const headingId = `conv-${descriptor.id}`;
    article.setAttribute('aria-labelledby', headingId);

    const header = document.createElement('header');
    const heading = document.createElement('h2');
    heading.id = headingId;
    heading.tabIndex = -1;
    heading.textContent = `Chat with ${descriptor.peer?.display ?? 'customer'}`;
    const endButton = document.createElement('button');
    endButton.type = 'button';
    endButton.textContent = 'End conversation';
    endButton.setAttribute('aria-label', `End conversation with ${descriptor.peer?.display ?? 'customer'}`);
    endButton.addEventListener('click', () => void endConversation(descriptor.id));
    header.append(heading, endButton);

    const note = document.createElement('p');
    note.className = 'ended';
    note.setAttribute('role', 'status');

    const pane = document.createElement(PANE_TAG);
    article.append(header, note, pane);
    els.workspace.append(article);
    setConversation(pane, descriptor, note);

    entry = { article, heading, endButton, note, descriptor, ended: false };
    state.panes.set(descriptor.id, entry);
    els.placeholder.hidden = true;
  }
  if (focus) entry.heading.focus();
  render();
}

function markEnded(id) {
  const entry = state.panes.get(id);
  if (!entry || entry.ended) return;
  entry.ended = true;
  entry.note.textContent = 'The customer ended this conversation.';
  entry.endButton.textContent = 'Dismiss';
  entry.endButton.setAttribute('aria-label', `Dismiss conversation with ${entry.descriptor.peer?.display ?? 'customer'}`);
}

/** After a reload: claim my conversations again (same agentId, same descriptors) and reopen them. */
async function reopenMine() {
  if (state.reopened || !state.session || !state.queueEntries) return;
  state.reopened = true;
  for (const c of [...state.queueEntries.values()]) {
    if (c.state === 'claimed' && c.claimedBy?.id === agentId() && !state.panes.has(c.id)) {
      const descriptor = await claim(c.id);
      if (descriptor) openPane(descriptor, { focus: false });
    }
  }
}

// ---- queue --------------------------------------------------------------

function announce(message) {
  // Clearing first makes screen readers repeat an identical message.
  els.announce.textContent = '';
  requestAnimationFrame(() => (els.announce.textContent = message));
}

function since(ts) {
  const minutes = Math.floor((Date.now() - ts) / 60000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

function queueItem(c, action) {
  const li = document.createElement('li');
  const who = document.createElement('div');
  who.className = 'who';
  const name = document.createElement('strong');
  name.textContent = c.display;
  const detail = document.createElement('span');
  detail.textContent = [c.topic, c.state === 'waiting' ? `waiting ${since(c.createdAt)}` : `since ${since(c.createdAt)}`]
    .filter(Boolean)
    .join(' · ');
  who.append(name, detail);

  const button = document.createElement('button');
  button.type = 'button';
  button.dataset.key = `${action}:${c.id}`;
  if (action === 'claim') {
    button.className = 'primary';
    button.textContent = 'Claim';
    button.setAttribute('aria-label', `Claim conversation with ${c.display}`);
    button.disabled = !state.session;
    button.addEventListener('click', async () => {
      button.disabled = true;
      const descriptor = await claim(c.id);
      if (descriptor) openPane(descriptor);
      else button.disabled = false;
    });
  } else {
    button.textContent = state.panes.has(c.id) ? 'Show' : 'Open';
    button.setAttribute('aria-label', `${button.textContent} conversation with ${c.display}`);
    button.addEventListener('click', async () => {
      const open = state.panes.get(c.id);
      if (open) {
        open.heading.focus();
        return;
      }
      const descriptor = await claim(c.id);
      if (descriptor) openPane(descriptor);
    });
  }
  li.append(who, button);
  return li;
}

function render() {
  // Lists are rebuilt on every change; keep keyboard focus on the same button.
  const focusedKey = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.key : undefined;
  const list = [...(state.queueEntries?.values() ?? [])].sort((a, b) => a.createdAt - b.createdAt);
  const waiting = list.filter((c) => c.state === 'waiting');
  const mine = list.filter((c) => c.state === 'claimed' && c.claimedBy?.id === agentId());
  els.waiting.replaceChildren(...waiting.map((c) => queueItem(c, 'claim')));
  els.mine.replaceChildren(...mine.map((c) => queueItem(c, 'open')));
  els.waitingEmpty.hidden = waiting.length > 0;
  els.mineEmpty.hidden = mine.length > 0;
  if (focusedKey) {
    const again = Array.from(document.querySelectorAll('button[data-key]')).find((b) => b instanceof HTMLElement && b.dataset.key === focusedKey);
    if (again instanceof HTMLElement) again.focus();
  }
}

/** Visitors who arrived since the last render, announced together. */
let arrived = [];
let renderPending = false;

/** One render (and one announcement) per burst of queue events. */
function scheduleRender() {
  if (renderPending) return;
  renderPending = true;
  requestAnimationFrame(() => {
    renderPending = false;
    if (arrived.length === 1) announce(`${arrived[0].display} is waiting.`);
    else if (arrived.length > 1) announce(`${arrived.length} new visitors are waiting.`);
    arrived = [];
    render();
    void reopenMine();
  });
}

/** A conversation this console has open ended (or left the record). */
function paneGone(id) {
  if (!state.panes.has(id)) return;
  if (!state.panes.get(id)?.ended) announce('The customer ended a conversation.');
  markEnded(id);
}

/** `event: snapshot`: the whole queue (on a fresh stream, or when the broker could not replay what we missed). */
function onSnapshot(next, eventId) {
  const entries = new Map(next.conversations.filter((c) => c.state !== 'closed').map((c) => [c.id, c]));
  state.queueEntries = entries;
  state.lastEventId = eventId;
  for (const id of state.panes.keys()) {
    const c = entries.get(id);
    if (!c || c.state === 'closed') paneGone(id);
  }
  scheduleRender();
}

/** `event: added | claimed | closed | updated | removed`: one conversation changed. */
function onDelta(type, data, eventId) {
  const entries = state.queueEntries;
  if (!entries) return;
  state.lastEventId = eventId;
  if (type === 'removed') {
    entries.delete(data.id);
    paneGone(data.id);
  } else {
    const c = data.entry;
    if (type === 'added' && c.state === 'waiting' && !entries.has(c.id)) arrived.push(c);
    // Closed conversations are not listed: forgetting them keeps a long day's map small.
    if (c.state === 'closed') {
      entries.delete(c.id);
      paneGone(c.id);
    } else entries.set(c.id, c);
  }
  scheduleRender();
}

function closeQueue() {
  clearTimeout(state.queueRetry);
  state.queue?.close();
  state.queue = null;
}

/**
 * EventSource cannot send an Authorization header, so the stream is opened with
 * a one-minute ticket the broker gives for the agent token. EventSource
 * reconnects by itself after a drop; once the ticket has expired that fails
 * for good (readyState CLOSED) and we fetch a fresh ticket.
 */
async function connectQueue() {
  closeQueue();
  if (!state.session) return;
  els.streamStatus.textContent = 'Connecting…';
  let ticket;
  try {
    const { res, data } = await postJson('/api/queue/ticket', {});
    if (res.status === 401) return;
    if (!res.ok || !data?.ticket) throw new Error(`HTTP ${res.status}`);
    ticket = data.ticket;
  } catch {
    els.streamStatus.textContent = 'Cannot reach the broker, retrying…';
    state.queueRetry = setTimeout(() => void connectQueue(), 5000);
    return;
  }
  if (!state.session) return;
  // EventSource sends Last-Event-ID by itself when it reconnects; a new EventSource (new ticket) passes it here,
  // so the broker replays what this console missed instead of sending the whole queue again.
  const resume = state.queueEntries && state.lastEventId ? `&lastEventId=${encodeURIComponent(state.lastEventId)}` : '';
  const es = new EventSource(`/api/queue/stream?ticket=${encodeURIComponent(ticket)}${resume}`);
  state.queue = es;
  es.addEventListener('open', () => (els.streamStatus.textContent = 'Live'));
  es.addEventListener('error', () => {
    els.streamStatus.textContent = 'Connection lost, reconnecting…';
    if (es.readyState === EventSource.CLOSED && state.queue === es) {
      state.queueRetry = setTimeout(() => void connectQueue(), 2000);
    }
  });
  es.addEventListener('snapshot', (ev) => {
    try {
      onSnapshot(JSON.parse(ev.data), ev.lastEventId);
    } catch {
      // A malformed snapshot is skipped; the stream's next one replaces everything.
    }
  });
  for (const type of ['added', 'claimed', 'closed', 'updated', 'removed']) {
    es.addEventListener(type, (ev) => {
      try {
        onDelta(type, JSON.parse(ev.data), ev.lastEventId);
      } catch {
        // A malformed event is skipped. (Unknown event names, e.g. agent presence later, are never dispatched here.)
      }
    });
  }
}

showSignedIn();
render();
void connectQueue();
// Keeps "waiting N min" current between queue events.
setInterval(render, 30_000);
