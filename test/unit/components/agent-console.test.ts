import { aTimeout, expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../../src/components/agent-console/agent-console.js';
import type { AgentConsole } from '../../../src/components/agent-console/agent-console.js';
import type { VideoChatPane } from '../../../src/components/video-chat-pane/video-chat-pane.js';
import { createAgentDesk, type AgentDeskController } from '../../../src/session/index.js';
import { ANN, FakeBroker } from '../fakes/fake-broker.js';
import { record } from '../fakes/dom.js';

const root = (el: AgentConsole) => el.shadowRoot!;
const $ = <T extends Element = HTMLElement>(el: AgentConsole, sel: string) => root(el).querySelector<T>(sel);
const $$ = <T extends Element = HTMLElement>(el: AgentConsole, sel: string) => [...root(el).querySelectorAll<T>(sel)];
const text = (e: Element | null) => (e?.textContent ?? '').replace(/\s+/g, ' ').trim();
const byLabel = (el: AgentConsole, label: string | RegExp) =>
  $$<HTMLButtonElement>(el, 'button').find((b) => (typeof label === 'string' ? b.getAttribute('aria-label') === label : label.test(b.getAttribute('aria-label') ?? '')));
const panes = (el: AgentConsole) => $$<VideoChatPane>(el, 'video-chat-pane');
const visiblePane = (el: AgentConsole) => panes(el).find((p) => !p.hidden);

/** The focused element, through shadow roots, named by tag (and id). */
function deepFocus(): string {
  let a: Element | null = document.activeElement;
  while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
  return a ? `${a.tagName.toLowerCase()}${a.id ? `#${a.id}` : ''}` : 'none';
}

/** A synthetic key press on window, as the shortcuts read it (code and modifiers). */
function key(init: KeyboardEventInit, target: EventTarget = window): KeyboardEvent {
  const ev = new KeyboardEvent('keydown', { bubbles: true, composed: true, cancelable: true, ...init });
  target.dispatchEvent(ev);
  return ev;
}

interface Setup {
  el: AgentConsole;
  broker: FakeBroker;
  desk: AgentDeskController;
}

/** A console on a fake broker, signed in with a host token, its queue stream open with `queue`. */
async function signedIn(queue: Array<[id: string, name: string, waitedMs?: number]> = [], o: { title?: boolean } = {}): Promise<Setup> {
  const broker = new FakeBroker();
  const desk = createAgentDesk(broker.deskOptions());
  const el = await fixture<AgentConsole>(html`<agent-console ?no-title=${!o.title} .desk=${desk} .token=${'tok-ann'} .agent=${ANN}></agent-console>`);
  await waitUntil(() => broker.streams.length === 1, 'the queue stream opens');
  broker.snapshot(queue.map(([id, name, waited = 5000]) => broker.entry(id, name, { createdAt: Date.now() - waited })));
  await el.updateComplete;
  return { el, broker, desk };
}

async function claim(s: Setup, name: string): Promise<void> {
  await s.el.updateComplete;
  byLabel(s.el, `Claim conversation with ${name}`)!.click();
  await waitUntil(() => s.desk.state.conversations.some((c) => c.descriptor.peer?.display === name && c.controller.state.peer?.online), `${name} claimed and online`);
  await s.el.updateComplete;
}

describe('<agent-console>', () => {
  afterEach(() => {
    document.title = '';
  });

  it('signed out: a labelled sign-in form, and the sign-in opens the queue', async () => {
    const broker = new FakeBroker();
    const desk = createAgentDesk(broker.deskOptions());
    const sessions = record<{ agent: unknown }>(document, 'vc-agent-session');
    const el = await fixture<AgentConsole>(html`<agent-console no-title .desk=${desk}></agent-console>`);
    expect(text($(el, '.sidebar'))).to.equal('Sign in to see the queue.');
    const form = $<HTMLFormElement>(el, 'form.sign-in')!;
    await expect(el).to.be.accessible();
    form.querySelector<HTMLInputElement>('input[name="username"]')!.value = 'ann';
    form.querySelector<HTMLInputElement>('input[name="password"]')!.value = 'wrong';
    form.requestSubmit();
    await waitUntil(() => text(form.querySelector('[role="alert"]')) === 'Wrong username or password.', 'the refusal is said');
    form.querySelector<HTMLInputElement>('input[name="password"]')!.value = 'secret-password';
    form.requestSubmit();
    await waitUntil(() => broker.streams.length === 1, 'signed in, the queue stream opens');
    await el.updateComplete;
    expect(text($(el, '.topbar'))).to.contain('Signed in as Ann');
    expect(broker.stream.url).to.equal('http://broker.test/api/queue/stream?ticket=ticket-1');
    expect(sessions.map((e) => e.detail.agent)).to.deep.equal([ANN]);
  });

  it('renders the queue from the snapshot and its deltas, with live waiting times; unknown and broken events are ignored', async () => {
    const { el, broker } = await signedIn([
      ['c1', 'Casey', 65_000],
      ['c2', 'Dora', 5_000],
    ]);
    const names = () => $$(el, '.queue .name').map(text);
    expect(names()).to.deep.equal(['Casey', 'Dora']);
    expect(text($(el, '#waiting-heading'))).to.equal('Waiting (2)');
    expect(text($(el, '.queue li'))).to.match(/Casey waiting 1:0[4-6]/);
    expect(text($(el, '.queue li .sr-only'))).to.equal('waiting 1 minute');
    expect(byLabel(el, 'Claim conversation with Casey')).to.exist;

    broker.delta('added', broker.entry('c3', 'Eli', { topic: 'Returns' }));
    await el.updateComplete;
    expect(names()).to.deep.equal(['Casey', 'Dora', 'Eli']);
    expect(text($$(el, '.queue li')[2])).to.match(/Returns · waiting 0:0\d/);

    // Taken by a colleague: no longer waiting here.
    broker.delta('claimed', broker.entry('c2', 'Dora', { state: 'claimed', claimedBy: { id: 'bob', display: 'Bob' } }));
    broker.removed('c1');
    broker.stream.fire('agent-mood', { happy: true });
    broker.stream.fire('added', '{not json');
    broker.stream.fire('added', { entry: { id: 'x' } });
    await el.updateComplete;
    expect(names()).to.deep.equal(['Eli']);
    expect(text($(el, '#waiting-heading'))).to.equal('Waiting (1)');

    // The time runs while somebody waits.
    const before = text($(el, '.queue li .detail [aria-hidden="true"]'));
    await aTimeout(2100);
    await el.updateComplete;
    expect(text($(el, '.queue li .detail [aria-hidden="true"]'))).to.not.equal(before);

    broker.delta('closed', broker.entry('c3', 'Eli', { state: 'closed' }));
    await el.updateComplete;
    expect(text($(el, '.empty'))).to.equal('Nobody is waiting.');
    await expect(el).to.be.accessible();
  });

  it('a reconnect resumes from the last event id with a new ticket', async () => {
    const { broker } = await signedIn([['c1', 'Casey']]);
    broker.delta('added', broker.entry('c2', 'Dora'));
    broker.stream.readyState = 2;
    broker.stream.fire('error', '');
    await waitUntil(() => broker.streams.length === 2, 'a new stream');
    expect(broker.stream.url).to.equal('http://broker.test/api/queue/stream?ticket=ticket-2&lastEventId=2');
  });

  it('claims into one pane per conversation; unread counts for background conversations; switching keeps each pane', async () => {
    const s = await signedIn([
      ['c1', 'Casey', 20_000],
      ['c2', 'Dora', 10_000],
    ]);
    const { el, broker } = s;
    const selects = record<{ conversationId: string | null }>(el, 'vc-conversation-select');
    await claim(s, 'Casey');
    await claim(s, 'Dora');
    expect(panes(el).map((p) => p.dataset.id)).to.deep.equal(['c1', 'c2']);
    expect(visiblePane(el)!.dataset.id).to.equal('c2', 'the last claimed is in front');
    const [paneCasey, paneDora] = panes(el);
    expect(paneCasey.controller).to.equal(broker.conversation('c1'));

    broker.conversation('c1').receive('Hello from the background');
    broker.conversation('c1').receive('And again');
    broker.conversation('c2').receive('Dora in front');
    await el.updateComplete;
    const casey = byLabel(el, /^Show conversation with Casey/)!;
    expect(casey.getAttribute('aria-label')).to.equal('Show conversation with Casey, 2 unread messages');
    expect(text(casey.closest('li')!.querySelector('.badge'))).to.equal('2');
    expect(text(casey.closest('li')!.querySelector('.detail'))).to.equal('And again');
    expect(byLabel(el, /^Show conversation with Dora/)!.getAttribute('aria-label')).to.equal('Show conversation with Dora', 'messages in front are seen');
    expect(byLabel(el, /^Show conversation with Dora/)!.getAttribute('aria-current')).to.equal('true');

    casey.click();
    await el.updateComplete;
    expect(visiblePane(el)).to.equal(paneCasey);
    expect(paneDora.hidden).to.equal(true);
    expect(paneDora.isConnected, 'the pane in the background stays in the page').to.equal(true);
    expect(byLabel(el, /^Show conversation with Casey/)!.getAttribute('aria-label')).to.equal('Show conversation with Casey');
    expect(selects.map((e) => e.detail.conversationId)).to.deep.equal(['c1', 'c2', 'c1']);
    // Nothing was disposed or reconnected by switching.
    expect(broker.conversations.map((c) => [c.disposeCount, c.connectCalls.length])).to.deep.equal([
      [0, 1],
      [0, 1],
    ]);
    await expect(el).to.be.accessible();
  });

  it('a conversation in front counts as unread while the console is not looked at', async () => {
    const s = await signedIn([['c1', 'Casey']]);
    await claim(s, 'Casey');
    s.broker.viewing = false;
    s.broker.conversation('c1').receive('Are you there?');
    await s.el.updateComplete;
    expect(byLabel(s.el, /^Show conversation with Casey/)!.getAttribute('aria-label')).to.equal('Show conversation with Casey, 1 unread message');
    s.broker.viewing = true;
    document.dispatchEvent(new Event('visibilitychange'));
    await s.el.updateComplete;
    expect(byLabel(s.el, /^Show conversation with Casey/)!.getAttribute('aria-label')).to.equal('Show conversation with Casey');
  });

  it('the tab title counts unread messages and, while available, the customers waiting', async () => {
    document.title = 'Agent console';
    const s = await signedIn([['c1', 'Casey']], { title: true });
    await waitUntil(() => s.desk.state.presence.status === 'available', 'available by default');
    await s.el.updateComplete;
    expect(document.title).to.equal('(1) Agent console');
    await claim(s, 'Casey');
    s.broker.delta('added', s.broker.entry('c2', 'Dora'));
    await claim(s, 'Dora');
    s.broker.conversation('c1').receive('ping');
    await s.el.updateComplete;
    expect(document.title).to.equal('(1) Agent console');
    await s.desk.setPresence('away');
    s.broker.delta('added', s.broker.entry('c3', 'Eli'));
    await s.el.updateComplete;
    expect(document.title).to.equal('(1) Agent console', 'away: waiting customers are not counted');
    byLabel(s.el, /^Show conversation with Casey/)!.click();
    await s.el.updateComplete;
    expect(document.title).to.equal('Agent console');
  });

  it('shortcuts: Alt+↓/↑ cycle and put the cursor in the message box, Alt+Shift+C claims the oldest, Alt+Shift+E asks before ending', async () => {
    const s = await signedIn([
      ['c1', 'Casey', 30_000],
      ['c2', 'Dora', 20_000],
      ['c3', 'Eli', 10_000],
    ]);
    const { el, broker, desk } = s;
    expect(key({ code: 'KeyC', key: 'Ç', altKey: true, shiftKey: true }).defaultPrevented).to.equal(true);
    await waitUntil(() => desk.state.conversations.length === 1, 'the oldest claimed');
    expect(broker.claims).to.deep.equal(['c1']);
    key({ code: 'KeyC', key: 'C', altKey: true, shiftKey: true });
    await waitUntil(() => desk.state.conversations.length === 2, 'the next oldest claimed');
    expect(broker.claims).to.deep.equal(['c1', 'c2']);
    await waitUntil(() => deepFocus().startsWith('textarea'), 'the cursor in the new message box');

    key({ code: 'ArrowDown', key: 'ArrowDown', altKey: true });
    await el.updateComplete;
    expect(desk.state.active).to.equal('c1', 'wraps to the first');
    await waitUntil(() => deepFocus().startsWith('textarea') && visiblePane(el)!.dataset.id === 'c1', 'the cursor in Casey’s message box');
    key({ code: 'ArrowUp', key: 'ArrowUp', altKey: true });
    expect(desk.state.active).to.equal('c2');
    // Plain keys and Ctrl combinations are the composer's.
    expect(key({ code: 'ArrowDown', key: 'ArrowDown' }).defaultPrevented).to.equal(false);
    expect(key({ code: 'KeyC', key: 'c', ctrlKey: true, altKey: true, shiftKey: true }).defaultPrevented).to.equal(false);

    key({ code: 'KeyE', key: 'E', altKey: true, shiftKey: true });
    await el.updateComplete;
    const dialog = $<HTMLDialogElement>(el, '#confirm-end')!;
    await waitUntil(() => dialog.open, 'the confirmation opens');
    expect(text(dialog.querySelector('h2'))).to.equal('End the conversation with Dora?');
    expect(deepFocus()).to.equal('button');
    expect(broker.requests.some((r) => r.path.endsWith('/close'))).to.equal(false, 'nothing ended before the answer');
    await expect(el).to.be.accessible();
    [...dialog.querySelectorAll('button')].find((b) => text(b) === 'End conversation')!.click();
    await waitUntil(() => desk.state.conversations.length === 1, 'ended');
    expect(broker.requests.filter((r) => r.path.endsWith('/close')).map((r) => r.path)).to.deep.equal(['/api/conversations/c2/close']);
    expect(broker.conversation('c2').disposeCount).to.equal(1);
    expect(desk.state.active).to.equal('c1', 'the next conversation comes to the front');
    await waitUntil(() => deepFocus() === 'h2#active-heading', 'focus on the conversation now in front');
  });

  it('help overlay: `?` outside text fields (not in the composer), focus into the dialog and back where it was', async () => {
    const s = await signedIn([['c1', 'Casey']]);
    const { el } = s;
    await claim(s, 'Casey');
    const help = $<HTMLDialogElement>(el, '#help')!;
    // Typed in the message box, `?` is text.
    const composer = visiblePane(el)!.shadowRoot!.querySelector('chat-composer')!;
    const textarea = composer.shadowRoot!.querySelector('textarea')!;
    textarea.focus();
    expect(key({ key: '?', code: 'Slash', shiftKey: true }, textarea).defaultPrevented).to.equal(false);
    expect(help.open).to.equal(false);

    // From the help button: focus goes into the dialog, Escape closes it and focus returns to the button.
    const button = $$<HTMLButtonElement>(el, '.topbar button').find((b) => text(b) === 'Keyboard shortcuts')!;
    button.focus();
    button.click();
    await el.updateComplete;
    expect(help.open).to.equal(true);
    expect(text(help.querySelector('h2'))).to.equal('Keyboard shortcuts');
    expect(deepFocus()).to.equal('button');
    expect(text(help.querySelector('tbody tr'))).to.equal('Alt + ↓ Next conversation');
    await expect(el).to.be.accessible();
    // Other shortcuts wait while the help is open.
    key({ code: 'ArrowDown', key: 'ArrowDown', altKey: true });
    await sendKeys({ press: 'Escape' });
    await waitUntil(() => !help.open, 'Escape closes the help');
    await waitUntil(() => root(el).activeElement === button, 'focus back on the help button');

    // `?` on the page (not typing) opens it; Alt+Shift+H too, from the message box; Close returns focus there.
    button.blur();
    key({ key: '?', code: 'Slash', shiftKey: true }, document.body);
    await waitUntil(() => help.open, '? opens the help');
    help.close();
    textarea.focus();
    key({ key: 'H', code: 'KeyH', altKey: true, shiftKey: true }, textarea);
    await waitUntil(() => help.open, 'Alt+Shift+H opens the help');
    help.querySelector<HTMLButtonElement>('button.btn-primary')!.click();
    await waitUntil(() => !help.open, 'Close closes');
    await aTimeout(50);
    expect(deepFocus()).to.match(/^textarea/, 'Close returns focus to the message box');
  });

  it('presence: a switch that says the state, set on the broker, and followed from the stream', async () => {
    const { el, broker, desk } = await signedIn([]);
    const events = record<{ status: string }>(el, 'vc-agent-presence');
    await waitUntil(() => desk.state.presence.status === 'available', 'the remembered choice (default available) is sent when the stream opens');
    expect(broker.presence).to.equal('available');
    await el.updateComplete;
    const toggle = $<HTMLButtonElement>(el, 'button[role="switch"]')!;
    expect(toggle.getAttribute('aria-checked')).to.equal('true');
    expect(toggle.getAttribute('aria-label')).to.equal('Available for new chats');
    toggle.click();
    await waitUntil(() => broker.presence === 'away' && desk.state.presence.status === 'away', 'away');
    await el.updateComplete;
    expect(toggle.getAttribute('aria-checked')).to.equal('false');
    expect(text(toggle)).to.equal('Away');
    // Another tab made the agent available again: the stream says so.
    broker.presenceEvent([ANN, { id: 'bob', display: 'Bob' }]);
    await el.updateComplete;
    expect(toggle.getAttribute('aria-checked')).to.equal('true');
    expect(text($(el, '.team'))).to.equal('2 agents available');
    expect(events.map((e) => e.detail.status)).to.deep.equal(['available', 'away', 'available']);
  });

  it('a call in a background conversation shows as a tile with Back and Mute; none for the one in front', async () => {
    const s = await signedIn([
      ['c1', 'Casey', 20_000],
      ['c2', 'Dora', 10_000],
    ]);
    const { el, broker, desk } = s;
    await claim(s, 'Casey');
    const casey = broker.conversation('c1');
    const stream = new MediaStream();
    casey.setVideo({ phase: 'active', mode: 'two-way', remoteStream: stream, remote: { audio: true, video: true }, local: { audio: true, video: true, muted: false, paused: false, videoAllowed: true } });
    await el.updateComplete;
    expect($(el, 'console-video-tile')).to.equal(null, 'no tile for the call in front');
    await claim(s, 'Dora');
    const tile = $(el, '.tile')!;
    expect(tile).to.exist;
    const video = tile.querySelector('console-video-tile')!;
    expect((video as unknown as { stream: MediaStream }).stream).to.equal(stream);
    expect(byLabel(el, /^Show conversation with Casey/)!.getAttribute('aria-label')).to.equal('Show conversation with Casey, in video');
    await expect(el).to.be.accessible();
    // No picture in the tile: it says why, as the customer reported it (a blocked camera is not a pause).
    const canvas = document.createElement('canvas');
    const camera = new MediaStream(canvas.captureStream(5).getVideoTracks());
    const placeholder = () => text(video.shadowRoot!.querySelector('[part="placeholder"]'));
    const tileUpdated = () => (video as unknown as { updateComplete: Promise<unknown> }).updateComplete;
    casey.setVideo({ remoteStream: camera, remote: { audio: true, video: false, paused: true, reported: true } });
    await el.updateComplete;
    await tileUpdated();
    expect(placeholder()).to.equal('Casey paused video');
    casey.setVideo({ remoteStream: camera, remote: { audio: false, video: false, problems: ['camera-denied', 'microphone-denied'], reported: true } });
    await el.updateComplete;
    await tileUpdated();
    expect(placeholder()).to.equal('Casey’s camera is blocked in their browser');
    for (const t of camera.getTracks()) t.stop();
    const mute = [...tile.querySelectorAll('button')].find((b) => text(b) === 'Mute microphone')!;
    mute.click();
    expect(casey.calls.at(-1)).to.deep.equal({ method: 'setMuted', muted: true });
    [...tile.querySelectorAll('button')].find((b) => text(b) === 'Back to Casey')!.click();
    await el.updateComplete;
    expect(desk.state.active).to.equal('c1');
    expect($(el, '.tile')).to.equal(null);
  });

  it('notifications: vc-console-notify before the chime, cancelable; the chime is Web Audio', async () => {
    const started: number[] = [];
    const original = OscillatorNode.prototype.start;
    OscillatorNode.prototype.start = function (this: OscillatorNode, when?: number) {
      started.push(this.frequency.value);
      return original.call(this, when);
    };
    try {
      localStorage.removeItem('vc.console.muted');
      const s = await signedIn([['c1', 'Casey']]);
      const { el, broker, desk } = s;
      await waitUntil(() => desk.state.presence.status === 'available', 'available');
      const notes = record<{ kind: string; name: string; text?: string }>(el, 'vc-console-notify');
      broker.delta('added', broker.entry('c2', 'Dora', { topic: 'Kettles' }));
      expect(notes.map((e) => [e.detail.kind, e.detail.name, e.detail.text])).to.deep.equal([['waiting', 'Dora', 'Kettles']]);
      expect(started.length).to.equal(2, 'two tones');
      await claim(s, 'Casey');
      await claim(s, 'Dora');
      await aTimeout(1300);
      const veto = (e: Event) => e.preventDefault();
      el.addEventListener('vc-console-notify', veto);
      broker.conversation('c1').receive('vetoed');
      expect(started.length).to.equal(2, 'the host took over: no chime');
      el.removeEventListener('vc-console-notify', veto);
      broker.conversation('c1').receive('heard');
      expect(started.length).to.equal(4);
      expect(notes.map((e) => e.detail.text)).to.deep.equal(['Kettles', 'vetoed', 'heard']);
      // Sound off: remembered.
      await aTimeout(1300);
      const sound = byLabel(el, 'Sound for new customers and messages')!;
      expect(sound.getAttribute('aria-pressed')).to.equal('true');
      sound.click();
      await el.updateComplete;
      expect(sound.getAttribute('aria-pressed')).to.equal('false');
      expect(localStorage.getItem('vc.console.muted')).to.equal('true');
      broker.conversation('c1').receive('silent');
      expect(started.length).to.equal(4);
    } finally {
      OscillatorNode.prototype.start = original;
      localStorage.removeItem('vc.console.muted');
    }
  });

  it('messages left while nobody was available: listed apart from the waiting queue, with the address to answer; Mark handled takes one off', async () => {
    const { el, broker } = await signedIn([['c1', 'Casey']]);
    const offline = (id: string, name: string, text: string) =>
      broker.entry(id, name, { state: 'offline', createdAt: Date.now() - 3 * 60_000, offline: { email: `${name.toLowerCase()}@example.com`, text } });
    broker.delta('added', offline('offline-1', 'Kim', 'My parcel never arrived.'));
    broker.delta('added', offline('offline-2', 'Lou', 'Do you ship to Norway?'));
    await el.updateComplete;
    expect($$(el, '.queue .name').map(text), 'not in the waiting queue').to.deep.equal(['Casey']);
    expect(text($(el, '#offline-heading'))).to.equal('Messages (2)');
    const rows = $$(el, '[part="offline-messages"] li');
    expect(rows.map((r) => text(r.querySelector('.name')))).to.deep.equal(['Kim', 'Lou']);
    expect(text(rows[0].querySelector('.offline-text'))).to.equal('My parcel never arrived.');
    expect(rows[0].querySelector('a')!.getAttribute('href')).to.equal('mailto:kim@example.com');
    expect(text(rows[0])).to.contain('left 3 minutes ago');
    await expect(el).to.be.accessible();

    byLabel(el, 'Mark handled: message from Kim')!.click();
    await waitUntil(() => broker.requests.some((r) => r.method === 'POST' && r.path === '/api/offline-messages/offline-1/handled'), 'the broker is told');
    expect(broker.requests.find((r) => r.path === '/api/offline-messages/offline-1/handled')!.auth).to.equal('tok-ann');
    await waitUntil(() => $$(el, '[part="offline-messages"] li').length === 1, 'taken off at once');
    expect(text($(el, '#offline-heading'))).to.equal('Messages (1)');
    // The stream says it too (closed): nothing changes twice.
    broker.delta('closed', broker.entry('offline-1', 'Kim', { state: 'closed' }));
    broker.delta('closed', broker.entry('offline-2', 'Lou', { state: 'closed' }));
    await el.updateComplete;
    expect($(el, '#offline-heading'), 'no section when there are none').to.equal(null);
  });

  it('a refused claim is said, and the console stays usable', async () => {
    const s = await signedIn([['c1', 'Casey']]);
    s.broker.claimAnswer = 409;
    byLabel(s.el, 'Claim conversation with Casey')!.click();
    await waitUntil(() => text($(s.el, '.alert')) === 'Another agent has already taken this conversation.', 'the refusal');
    expect(s.desk.state.conversations).to.have.length(0);
    s.broker.claimAnswer = 401;
    byLabel(s.el, 'Claim conversation with Casey')!.click();
    await waitUntil(() => s.desk.state.auth === 'signed-out', 'a refused token signs out');
    await s.el.updateComplete;
    expect(text($(s.el, 'form.sign-in [role="alert"]'))).to.equal('Your session has ended. Please sign in again.');
  });

  it('embedded: no banner or main of its own; one main otherwise', async () => {
    const { el } = await signedIn([]);
    expect($$(el, '[role="main"]')).to.have.length(1);
    expect($$(el, '[role="banner"]')).to.have.length(1);
    el.embedded = true;
    await el.updateComplete;
    expect($$(el, '[role="main"], [role="banner"]')).to.have.length(0);
    expect($(el, '.main')!.getAttribute('role')).to.equal('region');
  });
});
