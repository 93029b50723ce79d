// <agent-console> in a real browser against real Janus + broker (issue 12).
//   Acceptance 1: three customers at once, the agent claims all three and
//   switches between them while one is in two-way video: every message in the
//   right conversation, the call keeps running in its tile, and the page never
//   scrolls at 1280×800 with 40 messages in the conversation in front.
//   Acceptance 2: a message in a background conversation changes the tab
//   title and plays the chime, and makes a desktop Notification while the tab
//   is hidden when notifications are allowed (not when they are not).
//   node scripts/build.mjs && node --import tsx --test test/e2e/console.e2e.test.ts
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { startStack, type Stack } from '../helpers/stack.mjs';
import { customerStartsChat } from './flows.js';

const VIEWPORT = { width: 1280, height: 800 };

/** Frames painted so far by a <video>. */
const framesOf = (video: Locator) => video.evaluate((v: HTMLVideoElement) => v.getVideoPlaybackQuality().totalVideoFrames);

async function framesGrow(video: Locator, ms = 1500): Promise<number> {
  const a = await framesOf(video);
  await new Promise((r) => setTimeout(r, ms));
  return (await framesOf(video)) - a;
}

interface ConsoleView {
  active: string | null;
  conversations: Array<{ id: string; name: string; unread: number; status: string; online: boolean; video: string; texts: string[] }>;
}

declare function focusedPane(): string | null;

/** What the console holds, read from the element (its desk's state and each conversation's transcript). */
function consoleView(agent: Page): Promise<ConsoleView> {
  return agent.locator('agent-console').evaluate((el) => {
    const s = (el as unknown as { state: { active?: string; conversations: Array<{ id: string; unread: number; controller: { state: { status: string; peer?: { online: boolean; participant: { display: string } }; video: { phase: string }; transcript: Array<{ kind: string; text?: string }> } } }> } }).state;
    return {
      active: s.active ?? null,
      conversations: s.conversations.map((c) => ({
        id: c.id,
        name: c.controller.state.peer?.participant.display ?? '',
        unread: c.unread,
        status: c.controller.state.status,
        online: c.controller.state.peer?.online ?? false,
        video: c.controller.state.video.phase,
        texts: c.controller.state.transcript.filter((m) => m.kind === 'message').map((m) => m.text ?? ''),
      })),
    };
  });
}

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function signIn(agent: Page, base: string, stack: Stack): Promise<void> {
  await agent.goto(`${base}/demo/agent/`);
  await agent.getByLabel('Username').fill(stack.env.agent.username);
  await agent.getByLabel('Password').fill(stack.env.agent.password);
  await agent.getByRole('button', { name: 'Sign in' }).click();
  await agent.getByText('Signed in as Ann', { exact: true }).waitFor();
  await agent.getByRole('switch', { name: 'Available for new chats' }).and(agent.locator('[aria-checked="true"]')).waitFor();
}

async function conversationIdOf(customer: Page): Promise<string> {
  const widget = customer.locator('customer-chat');
  await widget.getByText(/Chatting with Ann/).waitFor({ timeout: 20_000 });
  return widget.evaluate((el: HTMLElement & { state?: { descriptor?: { id: string } } }) => el.state?.descriptor?.id ?? '');
}

async function say(customer: Page, text: string): Promise<void> {
  const box = customer.locator('customer-chat').getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
}

/** Elements (through shadow roots) that reach below the viewport, for a failing layout assertion. */
function belowTheFold(page: Page): Promise<string[]> {
  // A string: a function would carry the test compiler's helpers into the page.
  return page.evaluate(`(() => {
    const out = [];
    const walk = (root, path) => {
      for (const el of Array.from(root.querySelectorAll('*'))) {
        const r = el.getBoundingClientRect();
        const name = path + el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (typeof el.className === 'string' && el.className ? '.' + el.className.split(' ').join('.') : '');
        if (r.bottom > innerHeight + 1 && r.height > 0) out.push(name + ' ' + getComputedStyle(el).position + ' ' + Math.round(r.top) + '..' + Math.round(r.bottom));
        if (el.shadowRoot) walk(el.shadowRoot, name + ' > ');
      }
    };
    walk(document, '');
    return out.slice(0, 12);
  })()`);
}

/** After a test: whatever it left open is ended, so the next console of the same agent does not reopen it. */
async function cleanUp(agent: Page): Promise<void> {
  try {
    await agent.evaluate(() => void ((window as unknown as { __hidden?: boolean }).__hidden = false));
    await endAll(agent);
  } catch (e) {
    console.error(`  clean-up: ${e instanceof Error ? e.message : String(e)}`);
  }
  await agent.close();
}

/** Ends every conversation of this console (Alt+Shift+E, then the confirmation), so later tests start clean. */
async function endAll(agent: Page): Promise<void> {
  for (let i = 0; i < 10; i++) {
    const view = await consoleView(agent);
    if (view.conversations.length === 0) return;
    if (!view.active) await agent.getByRole('button', { name: new RegExp(`Show conversation with ${view.conversations[0].name}`) }).click();
    await agent.keyboard.press('Alt+Shift+E');
    await agent.getByRole('alertdialog').getByRole('button', { name: 'End conversation' }).click();
    await until('the conversation to close', () => consoleView(agent), (v) => v.conversations.length === view.conversations.length - 1, 10_000);
  }
}

describe('<agent-console>', { timeout: 6 * 60_000 }, () => {
  let stack: Stack;
  let browser: Browser;
  let base: string;
  const contexts: BrowserContext[] = [];

  const newPage = async (options: Parameters<Browser['newContext']>[0] = {}) => {
    const ctx = await browser.newContext(options);
    contexts.push(ctx);
    const page = await ctx.newPage();
    page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
    return page;
  };

  before(async () => {
    stack = await startStack({ staticRoot: process.cwd() });
    browser = await launchChromium();
    base = stack.broker.url.replace(/\/$/, '');
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  describe('notifications (acceptance 2)', () => {
    /**
     * Counts the chime (every OscillatorNode started: the console's sound is two
     * of them) and every Notification made; lets the test hide the tab. A
     * string: a function would carry the test compiler's helpers into the page.
     */
    const spies = `
      window.__oscillators = 0;
      window.__notifications = [];
      window.__hidden = false;
      const start = OscillatorNode.prototype.start;
      OscillatorNode.prototype.start = function (...args) {
        window.__oscillators++;
        return start.apply(this, args);
      };
      if (typeof Notification !== 'undefined') {
        const Real = Notification;
        window.Notification = class extends Real {
          constructor(title, options) {
            super(title, options);
            window.__notifications.push({ title, body: options && options.body });
          }
        };
      }
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (window.__hidden ? 'hidden' : 'visible') });
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => window.__hidden });
    `;
    type Spied = { oscillators: number; notifications: Array<{ title: string; body?: string }>; permission: string };
    const spied = (agent: Page): Promise<Spied> =>
      agent.evaluate(() => {
        const w = window as unknown as { __oscillators: number; __notifications: Array<{ title: string; body?: string }> };
        return { oscillators: w.__oscillators, notifications: [...w.__notifications], permission: typeof Notification === 'undefined' ? 'unsupported' : Notification.permission };
      });
    const hide = (agent: Page, hidden: boolean) => agent.evaluate((h) => void ((window as unknown as { __hidden: boolean }).__hidden = h), hidden);

    /** Two customers, both claimed: the second in front, the first in the background. */
    async function twoConversations(agent: Page, names: [string, string]): Promise<Page[]> {
      const customers: Page[] = [];
      for (const name of names) {
        const customer = await newPage();
        await customerStartsChat(customer, base, name);
        await agent.getByRole('button', { name: `Claim conversation with ${name}` }).click();
        await conversationIdOf(customer);
        customers.push(customer);
      }
      await until('both connected, the second in front', () => consoleView(agent), (v) => v.conversations.length === 2 && v.conversations.every((c) => c.online) && v.active === v.conversations[1].id);
      return customers;
    }

    it('allowed: the title counts, the chime plays, and a hidden tab gets a desktop Notification', async (t) => {
      const agent = await newPage({ viewport: VIEWPORT });
      t.after(() => cleanUp(agent));
      await agent.context().grantPermissions(['notifications'], { origin: base });
      await agent.addInitScript({ content: spies });
      await signIn(agent, base, stack);
      assert.equal(await agent.title(), 'Agent console');
      const [background] = await twoConversations(agent, ['Nora', 'Omar']);
      assert.equal(await agent.title(), 'Agent console', 'nothing waiting, nothing unread');
      // Past the chime's burst window, so the next chime is the message's own.
      await agent.waitForTimeout(1500);

      const before = await spied(agent);
      assert.equal(before.permission, 'granted');
      await say(background, 'Nora in the background');
      await agent.waitForFunction(() => document.title === '(1) Agent console', undefined, { timeout: 10_000 });
      await agent.getByRole('button', { name: /Show conversation with Nora, 1 unread message/ }).waitFor();
      const visible = await spied(agent);
      assert.ok(visible.oscillators > before.oscillators, 'the chime played');
      assert.deepEqual(visible.notifications, [], 'no desktop notification while the tab is visible');

      await agent.waitForTimeout(1500);
      await hide(agent, true);
      await say(background, 'Nora again, tab hidden');
      await agent.waitForFunction(() => document.title === '(2) Agent console', undefined, { timeout: 10_000 });
      const hidden = await until('the notification', () => spied(agent), (s) => s.notifications.length > 0, 5000);
      assert.ok(hidden.oscillators > visible.oscillators, 'the chime played again');
      assert.deepEqual(hidden.notifications, [{ title: 'New message from Nora', body: 'Nora again, tab hidden' }]);

      // Seen: the tab is visible again and Nora's conversation comes to the front.
      await hide(agent, false);
      await agent.getByRole('button', { name: /Show conversation with Nora/ }).click();
      await agent.waitForFunction(() => document.title === 'Agent console', undefined, { timeout: 5000 });
    });

    it('not allowed: title and chime, no Notification', async (t) => {
      const agent = await newPage({ viewport: VIEWPORT });
      t.after(() => cleanUp(agent));
      await agent.addInitScript({ content: spies });
      await signIn(agent, base, stack);
      const [background] = await twoConversations(agent, ['Pia', 'Quin']);
      await agent.waitForTimeout(1500);
      await hide(agent, true);
      const before = await spied(agent);
      assert.notEqual(before.permission, 'granted');
      await say(background, 'Pia, tab hidden, no permission');
      await agent.waitForFunction(() => document.title === '(1) Agent console', undefined, { timeout: 10_000 });
      await agent.waitForTimeout(500);
      const after = await spied(agent);
      assert.ok(after.oscillators > before.oscillators, 'the chime played');
      assert.deepEqual(after.notifications, [], `no Notification (permission ${after.permission})`);
      console.log(`  notifications: permission "${after.permission}" without a grant; chime and title only`);
    });
  });

  describe('three customers, one in video (acceptance 1)', () => {
    const names = ['Ava', 'Ben', 'Cleo'] as const;
    type Name = (typeof names)[number];
    let agent: Page;
    const customers = {} as Record<Name, Page>;
    const ids = {} as Record<Name, string>;
    /** What each conversation must hold: the customer's messages and the agent's replies. */
    const expected = { Ava: [] as string[], Ben: [] as string[], Cleo: [] as string[] };
    const pane = (name: Name) => agent.locator(`video-chat-pane[data-id="${ids[name]}"]`);
    const nameOf = (id: string | null) => names.find((n) => ids[n] === id);

    before(async () => {
      agent = await newPage({ viewport: VIEWPORT });
      // focusedPane(): the conversation whose message box has the cursor (through the shadow roots), or null.
      await agent.addInitScript({
        content: `window.focusedPane = () => {
          let a = document.activeElement;
          let pane = null;
          while (a && a.shadowRoot && a.shadowRoot.activeElement) {
            if (a.tagName === 'VIDEO-CHAT-PANE') pane = a.getAttribute('data-id');
            a = a.shadowRoot.activeElement;
          }
          return a && a.tagName === 'TEXTAREA' ? pane : null;
        };`,
      });
      for (const name of names) customers[name] = await newPage();
      // One after the other: the queue's order (oldest first) is Ava, Ben, Cleo.
      for (const name of names) await customerStartsChat(customers[name], base, name);
      await signIn(agent, base, stack);
    });

    it('claims all three: a Claim button, the Alt+Shift+C shortcut (oldest waiting) and another button', async () => {
      await agent.getByRole('button', { name: 'Claim conversation with Ava' }).click();
      ids.Ava = await conversationIdOf(customers.Ava);
      // The oldest of those still waiting: Ben.
      await agent.getByRole('button', { name: 'Claim conversation with Ben' }).waitFor();
      await agent.keyboard.press('Alt+Shift+C');
      ids.Ben = await conversationIdOf(customers.Ben);
      await agent.getByRole('button', { name: 'Claim conversation with Cleo' }).click();
      ids.Cleo = await conversationIdOf(customers.Cleo);
      const view = await until('three connected conversations', () => consoleView(agent), (v) => v.conversations.length === 3 && v.conversations.every((c) => c.online));
      assert.deepEqual(view.conversations.map((c) => c.name), ['Ava', 'Ben', 'Cleo']);
      assert.equal(nameOf(view.active), 'Cleo', 'the last claimed is in front');
      // After a claim the cursor is in the new conversation's message box.
      await agent.waitForFunction((id) => focusedPane() === id, ids.Cleo, { timeout: 5000 });
      assert.equal(await agent.getByText('Nobody is waiting.', { exact: true }).count(), 1);
      // One main landmark on the page.
      assert.equal(await agent.getByRole('main').count(), 1);
    });

    it('Ava goes into two-way video from the pane in front', async () => {
      await agent.getByRole('button', { name: /Show conversation with Ava/ }).click();
      await pane('Ava').getByRole('button', { name: 'More' }).click();
      await pane('Ava').getByRole('menuitem', { name: 'Video chat: two-way' }).click();
      await customers.Ava.locator('customer-chat').getByRole('button', { name: 'Accept video' }).click();
      const remote = pane('Ava').locator('video.remote');
      await remote.waitFor({ state: 'visible', timeout: 20_000 });
      assert.ok((await framesGrow(remote)) > 5, 'the agent sees Ava in the pane');
      assert.equal(await agent.locator('console-video-tile').count(), 0, 'no tile for the call in front');
    });

    it('switching (Alt+↓, clicks) while customers write: every message lands in its conversation; the call runs on in its tile', async () => {
      for (let round = 0; round < 3; round++) {
        for (const name of names) {
          const text = `${name} writes ${round}`;
          expected[name].push(text);
          await say(customers[name], text);
        }
        // Through all three with the shortcut: the cursor lands in each message box, the reply goes to the one in front.
        for (let k = 0; k < 3; k++) {
          await agent.keyboard.press('Alt+ArrowDown');
          const view = await until('a conversation in front', () => consoleView(agent), (v) => v.active !== null);
          const name = nameOf(view.active)!;
          await agent.waitForFunction((id) => focusedPane() === id, ids[name], { timeout: 5000 });
          const reply = `Agent to ${name} ${round}.${k}`;
          expected[name].push(reply);
          await agent.keyboard.type(reply);
          await agent.keyboard.press('Enter');
          await pane(name).getByText(reply, { exact: true }).waitFor({ timeout: 5000 });
          if (name !== 'Ava') {
            // Ava's call keeps running in the tile, picture and sound.
            const tile = agent.locator('console-video-tile video');
            await tile.waitFor({ state: 'visible', timeout: 10_000 });
            if (round === 0) {
              const grew = await framesGrow(tile);
              assert.ok(grew > 5, `frames decoded in the tile while ${name} is in front: ${grew}`);
              const sound = await pane('Ava').locator('video.remote').evaluate((v: HTMLVideoElement) => ({ paused: v.paused, muted: v.muted }));
              assert.deepEqual(sound, { paused: false, muted: false }, 'the hidden pane keeps playing Ava’s sound');
            }
          } else {
            assert.equal(await agent.locator('console-video-tile').count(), 0, 'no tile while Ava is in front');
          }
        }
      }
      // A click switches too.
      await agent.getByRole('button', { name: /Show conversation with Cleo/ }).click();
      await until('Cleo in front', () => consoleView(agent), (v) => nameOf(v.active) === 'Cleo');
    });

    /** Sends 40 messages in `name`'s conversation, waits for them, and checks the page fits 1280×800. */
    async function fortyAndFits(name: Name): Promise<void> {
      await agent.getByRole('button', { name: new RegExp(`Show conversation with ${name}`) }).click();
      for (let i = 1; i <= 40; i++) {
        const text = `${name} line ${i} of 40`;
        expected[name].push(text);
        await say(customers[name], text);
      }
      await pane(name).getByText(`${name} line 40 of 40`, { exact: true }).waitFor({ timeout: 20_000 });
      const fit = await agent.evaluate(() => ({ scrollHeight: document.scrollingElement!.scrollHeight, scrollWidth: document.scrollingElement!.scrollWidth, innerHeight, innerWidth }));
      if (fit.scrollHeight > fit.innerHeight) assert.fail(`the page scrolls: ${JSON.stringify(fit)}; below the fold: ${JSON.stringify(await belowTheFold(agent))}`);
      assert.ok(fit.scrollWidth <= fit.innerWidth, `the page scrolls sideways: ${JSON.stringify(fit)}`);
      for (const [what, box] of [
        ['composer', await pane(name).locator('chat-composer').boundingBox()],
        ['More', await pane(name).getByRole('button', { name: 'More' }).boundingBox()],
        ['Send', await pane(name).getByRole('button', { name: 'Send' }).boundingBox()],
      ] as const) {
        assert.ok(box, `${what} is shown`);
        assert.ok(box.y >= 0 && box.y + box.height <= VIEWPORT.height && box.x >= 0 && box.x + box.width <= VIEWPORT.width, `${what} inside the viewport: ${JSON.stringify(box)}`);
      }
      // The transcript scrolls inside and follows the newest message.
      const log = await pane(name).locator('chat-transcript').evaluate((t) => {
        const el = t.shadowRoot!.querySelector('.log') as HTMLElement;
        return { scrollHeight: el.scrollHeight, clientHeight: el.clientHeight, scrollTop: el.scrollTop };
      });
      assert.ok(log.scrollHeight > log.clientHeight, 'the transcript overflows and scrolls');
      if (process.env.VC_SCREENSHOTS) await agent.screenshot({ path: `${process.env.VC_SCREENSHOTS}/console-${name}.png` });
      console.log(`  ${name} in front with 40 messages: page ${fit.scrollHeight}/${fit.innerHeight} px, transcript ${log.clientHeight} px tall scrolling ${log.scrollHeight} px`);
    }

    it('40 messages in the conversation in front: no page scroll at 1280×800, composer and More in view (a chat in front, Ava in the tile)', async () => {
      await fortyAndFits('Ben');
      const tile = agent.locator('console-video-tile video');
      assert.ok((await framesGrow(tile, 1000)) > 3, 'the tile still plays');
    });

    it('the same with the video call in front (its frame in the pane)', async () => {
      await fortyAndFits('Ava');
      assert.ok((await framesGrow(pane('Ava').locator('video.remote'), 1000)) > 3, 'the pane shows Ava again');
      const stage = await pane('Ava').locator('video-frame').boundingBox();
      assert.ok(stage && stage.y + stage.height <= VIEWPORT.height, 'the video frame fits');
    });

    it('nothing lost: each conversation holds exactly its own messages, once, on both sides', async () => {
      const view = await until(
        'every message in the console',
        () => consoleView(agent),
        (v) => names.every((n) => expected[n].every((t) => v.conversations.find((c) => c.id === ids[n])?.texts.includes(t))),
      );
      for (const name of names) {
        const texts = view.conversations.find((c) => c.id === ids[name])!.texts;
        assert.deepEqual([...texts].sort(), [...expected[name]].sort(), `${name}'s conversation holds exactly its messages`);
        for (const other of names.filter((n) => n !== name)) {
          const onWidget = await customers[name].locator('customer-chat').evaluate((el: HTMLElement & { state?: { transcript: Array<{ kind: string; text?: string }> } }) =>
            el.state?.transcript.filter((m) => m.kind === 'message').map((m) => m.text ?? '') ?? [],
          );
          for (const t of expected[name]) assert.ok(onWidget.includes(t), `${name}'s widget shows "${t}"`);
          assert.ok(!onWidget.some((t) => t.includes(`to ${other} `)), `${name} never sees what was meant for ${other}`);
        }
      }
      console.log(`  messages: ${names.map((n) => `${n} ${expected[n].length}`).join(', ')}; none lost, none in the wrong conversation`);
    });

    it('ends the three conversations with the shortcut and its confirmation', async () => {
      await endAll(agent);
      for (const name of names) await customers[name].locator('customer-chat').getByRole('button', { name: 'Start a new chat' }).waitFor({ timeout: 15_000 });
      assert.equal(await agent.getByText('You have no open conversations.', { exact: true }).count(), 1);
    });
  });
});
