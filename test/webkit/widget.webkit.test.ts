// The customer widget in WebKitGTK (the Safari engine as Debian ships it,
// webkit2gtk-driver 2.50), driven over W3C WebDriver under Xvfb, against a
// real broker and Janus. `npm run test:webkit` (not part of `npm test`: it
// needs webkit2gtk-driver and xvfb, and this build has no WebRTC at all).
//
// What this build can do decides what is asserted: with RTCPeerConnection the
// chat path (open, start, chat both ways with a Chromium agent, reload); without
// it, the widget must say chat is not available — no start form, no button
// that cannot work — and never call the broker.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { startStack, type Stack } from '../helpers/stack.mjs';
import { startWebKit, type WebKitSession } from '../helpers/webdriver.js';
import { playwrightSide, type Side } from '../e2e/sides.js';

const W = 'customer-chat';
// Settings MiniBrowser takes as flags: WebRTC and capture on (off by default in
// WebKitGTK), mock camera/microphone, no gesture needed to play media.
const WEBKIT_ARGS = ['--enable-webrtc=true', '--enable-media-stream=true', '--enable-mock-capture-devices=true', '--media-playback-requires-user-gesture=false'];

interface Capabilities { pc: boolean; dataChannel: boolean; getUserMedia: boolean; userAgent: string }

describe('the widget in WebKitGTK', () => {
  let stack: Stack;
  let wk: WebKitSession;
  let chromium: Browser | undefined;
  let base = '';
  let caps: Capabilities;

  before(async () => {
    stack = await startStack({ staticRoot: process.cwd() });
    base = stack.broker.url.replace(/\/$/, '');
    wk = await startWebKit(WEBKIT_ARGS);
    await wk.goto(`${base}/demo/shop/`);
    caps = await wk.script<Capabilities>(`return {
      pc: typeof RTCPeerConnection === 'function',
      dataChannel: typeof RTCDataChannel === 'function',
      getUserMedia: typeof navigator.mediaDevices?.getUserMedia === 'function',
      userAgent: navigator.userAgent,
    };`);
    console.log(`  WebKitGTK ${String(wk.capabilities.browserVersion)}: ${JSON.stringify(caps)}`);
  });

  after(async () => {
    await wk?.close();
    await chromium?.close();
    await stack?.stop();
  });

  it('opens from the launcher', async () => {
    await wk.click({ role: 'button', name: 'Chat with us' }, 15000);
    await wk.waitFor({ within: W, role: 'dialog' });
  });

  it('without WebRTC: says chat is not available here, offers nothing that cannot work, calls no broker', async (t) => {
    if (caps.pc) return t.skip('this build has RTCPeerConnection');
    await wk.waitFor({ within: W, text: /^Chat is not available in this browser\./ });
    const buttons = await wk.script<string[]>(`return [...document.querySelector('customer-chat').shadowRoot.querySelectorAll('#panel button, #panel input')]
      .filter((b) => b.getClientRects().length).map((b) => b.getAttribute('aria-label') || b.textContent.trim() || b.localName);`);
    assert.deepEqual(buttons, ['Close chat'], 'only Close in the panel');
    const started = await wk.script<number>(`return performance.getEntriesByType('resource').filter((e) => /\\/api\\/conversations/.test(e.name)).length;`);
    assert.equal(started, 0, 'no conversation was started at the broker');
  });

  describe('with WebRTC: the chat path against a Chromium agent', () => {
    let agent: Side;
    before(async () => {
      if (!caps.pc) return;
      chromium = await launchChromium();
      agent = await playwrightSide(await (await chromium.newContext()).newPage());
    });

    it('starts a chat; messages go both ways; a reload keeps the transcript', async (t) => {
      if (!caps.pc) return t.skip('no RTCPeerConnection in this build');
      await wk.fill({ within: W, role: 'textbox', name: /^Your name/ }, 'Walt');
      await wk.click({ within: W, role: 'button', name: 'Start chat' });
      await agent.goto(`${base}/demo/agent/`);
      await agent.fill({ role: 'textbox', name: 'Username' }, stack.env.agent.username);
      await agent.fill({ role: 'textbox', name: 'Password' }, stack.env.agent.password);
      await agent.click({ role: 'button', name: 'Sign in' });
      await agent.click({ role: 'button', name: 'Claim conversation with Walt' }, 15000);
      await wk.waitFor({ within: W, text: /Chatting with Ann/ }, 15000);
      await wk.fill({ within: W, role: 'textbox', name: 'Message' }, 'hello from WebKit', true);
      await agent.waitFor({ within: 'video-chat-pane', text: 'hello from WebKit' });
      await agent.fill({ within: 'video-chat-pane', role: 'textbox', name: 'Message' }, 'hello WebKit', true);
      await wk.waitFor({ within: W, text: 'hello WebKit' });
      await wk.reload();
      await wk.waitFor({ within: W, text: 'hello WebKit' }, 15000);
      await wk.fill({ within: W, role: 'textbox', name: 'Message' }, 'after the reload', true);
      await agent.waitFor({ within: 'video-chat-pane', text: 'after the reload' });
    });
  });
});
