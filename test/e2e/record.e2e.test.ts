// Issue 10: restarts are non-events. Two real browsers (the shop's widget and
// the agent console) chat with numbered messages, 5 a second each way, while
// (1) the broker process is SIGKILLed and started again on the same record,
// and (2) Janus is SIGKILLed under `npm start`, mid-chat and mid-video.
// Nothing may be lost or doubled on screen or in the archive; nobody reloads.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { freePort, startJanus, type RunningJanus } from '../../scripts/janus.mjs';
import { launchChromium } from '../helpers/browser.js';
import { archived, exactlyOnce, sender, shown } from './numbered.js';

const PASSWORD = 'record-test-password-0123';

interface Proc {
  child: ChildProcess;
  output: string[];
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

function run(cmd: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  const output: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: (m: RegExpExecArray) => void }> = [];
  const onData = (buf: Buffer) => {
    for (const line of String(buf).split('\n')) {
      if (!line) continue;
      output.push(line);
      if (process.env.VC_E2E_LOG) console.log(`  [${args.at(-1)}] ${line}`);
      for (const w of [...waiters]) {
        const m = w.pattern.exec(line);
        if (m) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  return {
    child,
    output,
    waitFor(pattern, timeoutMs = 30_000) {
      for (const line of output) {
        const m = pattern.exec(line);
        if (m) return Promise.resolve(m);
      }
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timed out waiting for ${pattern} in:\n${output.slice(-30).join('\n')}`)), timeoutMs);
        waiters.push({ pattern, resolve: (m) => { clearTimeout(t); resolve(m); } });
      });
    },
  };
}

function killed(p: Proc): Promise<void> {
  return new Promise((resolve) => {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
    p.child.once('exit', () => resolve());
  });
}

async function login(base: string): Promise<string> {
  const res = await fetch(`${base}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'agent', password: PASSWORD }) });
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { token: string }).token;
}

async function startChat(customer: Page, agent: Page, base: string, name: string): Promise<string> {
  await customer.goto(`${base}/demo/shop/`);
  await customer.getByRole('button', { name: 'Chat with us' }).click();
  const widget = customer.locator('customer-chat');
  await widget.getByLabel('Your name').fill(name);
  await widget.getByRole('button', { name: 'Start chat' }).click();
  await agent.goto(`${base}/demo/agent/`);
  await agent.getByLabel('Username').fill('agent');
  await agent.getByLabel('Password').fill(PASSWORD);
  await agent.getByRole('button', { name: 'Sign in' }).click();
  await agent.getByRole('button', { name: `Claim conversation with ${name}` }).click();
  await widget.getByText(/Chatting with/).waitFor({ timeout: 20_000 });
  return widget.evaluate((el: HTMLElement & { state?: { descriptor?: { id: string } } }) => el.state?.descriptor?.id ?? '');
}

describe('restarts are non-events (issue 10)', { timeout: 6 * 60_000 }, () => {
  let browser: Browser;
  const cleanup: Array<() => Promise<void> | void> = [];
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    for (const c of cleanup.reverse()) await c();
  });

  it('broker SIGKILLed mid-chat and started again: queue, claim and transcript intact, every message archived once, nobody reloads', async () => {
    const janus: RunningJanus = await startJanus({ reclaimTimeoutS: 20 });
    cleanup.push(() => janus.stop());
    const dataDir = mkdtempSync(join(tmpdir(), 'vc-record-'));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    const env = {
      JANUS_URL: janus.url,
      JANUS_ADMIN_KEY: janus.adminKey,
      JANUS_ADMIN_URL: janus.adminUrl,
      JANUS_ADMIN_SECRET: janus.adminSecret,
      AGENT_PASSWORD: PASSWORD,
      AGENT_DISPLAY: 'Ann',
      DATA_DIR: dataDir,
      PORT: String(port),
      // Customers are queued before the agent signs in (the queue is part of what is tested), so no message form.
      OFFLINE_WITHOUT_AGENTS: 'false',
    };
    const startBrokerProc = async () => {
      const p = run(process.execPath, ['--import', 'tsx', 'server/main.ts'], env);
      await p.waitFor(/^Broker ready: /);
      return p;
    };
    let broker = await startBrokerProc();
    cleanup.push(async () => { broker.child.kill('SIGKILL'); await killed(broker); });
    const base = `http://127.0.0.1:${port}`;

    const customer = await (await browser.newContext()).newPage();
    const agent = await (await browser.newContext()).newPage();
    const id = await startChat(customer, agent, base, 'Brook');
    const widget = customer.locator('customer-chat');
    const pane = agent.locator('video-chat-pane');
    const token = await login(base);

    const c = sender(customer, widget, 'c');
    const a = sender(agent, pane, 'a');
    await customer.waitForTimeout(2000);
    broker.child.kill('SIGKILL');
    await killed(broker);
    await agent.getByText(/Connection lost/).waitFor({ timeout: 10_000 });
    await customer.waitForTimeout(3000); // chat goes on through Janus meanwhile
    const restartedAt = Date.now();
    broker = await startBrokerProc();
    await agent.getByText('Live', { exact: true }).waitFor({ timeout: 30_000 });
    console.log(`  console live again ${Date.now() - restartedAt} ms after the broker was started again`);
    await customer.waitForTimeout(2000);
    await Promise.all([c.stop(), a.stop()]);

    const expected = [...c.sent, ...a.sent].map((x) => x.text);
    await pane.locator('chat-transcript').getByText(c.sent.at(-1)!.text, { exact: true }).waitFor({ timeout: 15_000 });
    await widget.locator('chat-transcript').getByText(a.sent.at(-1)!.text, { exact: true }).waitFor({ timeout: 15_000 });
    exactlyOnce(await shown(widget), expected, 'customer screen');
    exactlyOnce(await shown(pane), expected, 'agent screen');

    // The sign-in made before the restart still works: the queue and the claim are there.
    const q = await fetch(`${base}/api/queue`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(q.status, 200);
    const entry = ((await q.json()) as { conversations: Array<{ id: string; state: string; claimedBy?: { display: string } }> }).conversations.find((x) => x.id === id);
    assert.equal(entry?.state, 'claimed');
    assert.equal(entry?.claimedBy?.display, 'Ann');
    // The archive: every message once (sent before, during and after the outage).
    let record: string[] = [];
    for (let i = 0; i < 50; i++) {
      record = await archived(base, id, token);
      if (expected.every((t) => record.includes(t))) break;
      await customer.waitForTimeout(200);
    }
    exactlyOnce(record, expected, 'archive');
    console.log(`  ${expected.length} messages (${c.sent.length} + ${a.sent.length}), each once on both screens and in the archive`);
  });
});

/** The janus process started (through its wrapper) by `rootPid`. */
function janusUnder(rootPid: number): number | undefined {
  const parent = new Map<number, number>();
  const name = new Map<number, string>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      name.set(Number(d), stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const under = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === rootPid) return true;
    return false;
  };
  return [...name].find(([pid, n]) => n === 'janus' && under(pid))?.[0];
}

describe('Janus SIGKILLed under npm start (issue 10)', { timeout: 6 * 60_000 }, () => {
  let browser: Browser;
  let start: Proc | undefined;
  let dataDir = '';
  before(async () => {
    browser = await launchChromium();
    dataDir = mkdtempSync(join(tmpdir(), 'vc-record-'));
  });
  after(async () => {
    await browser?.close();
    if (start) {
      start.child.kill('SIGINT');
      await killed(start);
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('Janus comes back by itself; chat and video carry on; nothing lost or doubled; a new console tab shows it all; no config folder left', async () => {
    const foldersBefore = new Set(readdirSync(tmpdir()).filter((f) => f.startsWith('vc-janus-')));
    const port = await freePort();
    start = run(process.execPath, ['scripts/start.mjs'], { PORT: String(port), DATA_DIR: dataDir, AGENT_PASSWORD: PASSWORD, AGENT_DISPLAY: 'Ann', OFFLINE_WITHOUT_AGENTS: 'false' });
    await start.waitFor(/Agent console:/, 60_000);
    const base = `http://127.0.0.1:${port}`;
    const customer = await (await browser.newContext()).newPage();
    const agentCtx = await browser.newContext();
    const agent = await agentCtx.newPage();
    const id = await startChat(customer, agent, base, 'Juno');
    const widget = customer.locator('customer-chat');
    const pane = agent.locator('video-chat-pane');

    // Video first: the agent asks, the customer accepts, frames flow both ways.
    await pane.getByRole('button', { name: 'More' }).click();
    await pane.getByRole('menuitem', { name: 'Video chat: two-way' }).click();
    await widget.getByRole('button', { name: 'Accept video' }).click();
    const frames = (v: Locator) => v.evaluate((el: HTMLVideoElement) => el.getVideoPlaybackQuality().totalVideoFrames);
    const grows = async (v: Locator, ms = 1500) => { const x = await frames(v); await customer.waitForTimeout(ms); return (await frames(v)) - x; };
    await pane.locator('video.remote').waitFor({ state: 'visible', timeout: 20_000 });
    await widget.locator('video.remote').waitFor({ state: 'visible', timeout: 20_000 });
    assert.ok((await grows(pane.locator('video.remote'))) > 5, 'agent sees the customer before');

    const c = sender(customer, widget, 'c');
    const a = sender(agent, pane, 'a');
    await customer.waitForTimeout(2000);
    const pid = janusUnder(start.child.pid!);
    assert.ok(pid, 'found the janus process npm start runs');
    process.kill(pid, 'SIGKILL');
    await start.waitFor(/\[janus\] Janus is back on/, 30_000);
    await customer.waitForTimeout(6000);
    await Promise.all([c.stop(), a.stop()]);

    const expected = [...c.sent, ...a.sent].map((x) => x.text);
    await pane.locator('chat-transcript').getByText(c.sent.at(-1)!.text, { exact: true }).waitFor({ timeout: 30_000 });
    await widget.locator('chat-transcript').getByText(a.sent.at(-1)!.text, { exact: true }).waitFor({ timeout: 30_000 });
    exactlyOnce(await shown(widget), expected, 'customer screen');
    exactlyOnce(await shown(pane), expected, 'agent screen');

    // Video came back by itself, or says it stopped and offers to start again.
    const agentVideo = pane.locator('video.remote');
    let videoBack = false;
    for (let i = 0; i < 30 && !videoBack; i++) {
      videoBack = (await agentVideo.count()) > 0 && (await grows(agentVideo, 500)) > 3;
    }
    if (!videoBack) {
      await pane.getByRole('menuitem', { name: /Video chat/ }).or(pane.getByText(/video (stopped|ended)/i)).first().waitFor({ timeout: 5000 });
    }
    console.log(`  video after the Janus restart: ${videoBack ? 'back by itself' : 'stopped, offered again'}`);

    // A console opened in a new tab afterwards shows the complete transcript (the room's history is gone with Janus).
    const token = await login(base);
    let record: string[] = [];
    for (let i = 0; i < 50; i++) {
      record = await archived(base, id, token);
      if (expected.every((t) => record.includes(t))) break;
      await customer.waitForTimeout(200);
    }
    exactlyOnce(record, expected, 'archive');
    const tab = await agentCtx.newPage();
    await tab.goto(`${base}/demo/agent/`);
    // The console keeps its sign-in per tab (sessionStorage): a new tab signs in again.
    await tab.getByLabel('Username').fill('agent');
    await tab.getByLabel('Password').fill(PASSWORD);
    await tab.getByRole('button', { name: 'Sign in' }).click();
    await tab.getByRole('button', { name: /Open conversation with Juno|Show conversation with Juno/ }).click();
    const pane2 = tab.locator('video-chat-pane');
    await pane2.locator('chat-transcript').getByText(expected[0], { exact: true }).waitFor({ timeout: 20_000 });
    await pane2.locator('chat-transcript').getByText(c.sent.at(-1)!.text, { exact: true }).waitFor({ timeout: 20_000 });
    exactlyOnce(await shown(pane2), expected, 'new console tab');
    console.log(`  ${expected.length} messages across the Janus restart, each once on both screens, in the archive and in a new tab`);

    start.child.kill('SIGINT');
    await killed(start);
    start = undefined;
    const left = readdirSync(tmpdir()).filter((f) => f.startsWith('vc-janus-') && !foldersBefore.has(f));
    assert.deepEqual(left, [], 'no Janus config folder is left behind');
  });
});
