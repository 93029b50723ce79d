// Issue 15, acceptance 2 (PENDING: needs the client half, a client that follows its conversation to another Janus;
// named .pending.ts so that the e2e glob, test/e2e/*.test.ts, skips it until then):
//   node scripts/build.mjs && node --import tsx --test test/e2e/failover.e2e.pending.ts
//
// Two brokers and two Janus servers on one PostgreSQL. The shop's widget talks to broker A, the agent console to
// broker B; they chat with numbered messages, 5 a second each way, and the Janus their conversation lives on is
// SIGKILLed (not restarted). The brokers move the conversation to the other Janus after the grace period; the
// pages follow it there without a reload: nothing lost or doubled on screen or in the archive. Prints the time to
// recovery (the kill until a message sent after it is on the other screen).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startJanus, type RunningJanus } from '../../scripts/janus.mjs';
import { startPostgres, type RunningPostgres } from '../../scripts/postgres.mjs';
import { startBroker, type Broker, type BrokerOptions } from '../../server/broker.js';
import { launchChromium } from '../helpers/browser.js';
import { archived, exactlyOnce, sender, shown } from './numbered.js';

const PASSWORD = 'failover-test-password-0123';
const GRACE_MS = 5000;
const repoRoot = new URL('../../', import.meta.url).pathname;

describe('Janus failover mid-chat (issue 15, acceptance 2)', { timeout: 6 * 60_000 }, () => {
  let browser: Browser;
  let pg: RunningPostgres;
  let janus: RunningJanus[] = [];
  let brokers: Broker[] = [];

  before(async () => {
    browser = await launchChromium();
    pg = await startPostgres();
    janus = await Promise.all([startJanus({ reclaimTimeoutS: 20 }), startJanus({ reclaimTimeoutS: 20 })]);
    const options = (): BrokerOptions => ({
      janusServers: janus.map((j) => ({ url: j.url, adminKey: j.adminKey, admin: { url: j.adminUrl, secret: j.adminSecret } })),
      janusFailoverGraceMs: GRACE_MS,
      database: { url: pg.url },
      agentAccounts: [{ username: 'agent', password: PASSWORD, display: 'Ann' }],
      port: 0,
      staticRoot: repoRoot,
      // The customer is queued before any agent signs in (the queue is part of what is tested), so no message form.
      offlineWithoutAgents: false,
    });
    brokers.push(await startBroker(options()));
    brokers.push(await startBroker(options()));
  });

  after(async () => {
    await browser?.close();
    for (const b of brokers) await b.close().catch(() => {});
    for (const j of janus) await j.stop();
    await pg?.stop();
    brokers = [];
    janus = [];
  });

  it('SIGKILL the conversation’s Janus: the chat carries on on the other Janus without a reload, nothing lost or doubled', async () => {
    const [a, b] = brokers;
    const customer = await (await browser.newContext()).newPage();
    const agent = await (await browser.newContext()).newPage();
    // The customer through broker A, the agent through broker B.
    await customer.goto(`${a.url}/demo/shop/`);
    await customer.getByRole('button', { name: 'Chat with us' }).click();
    const widget = customer.locator('customer-chat');
    await widget.getByLabel('Your name').fill('Flo');
    await widget.getByRole('button', { name: 'Start chat' }).click();
    await agent.goto(`${b.url}/demo/agent/`);
    await agent.getByLabel('Username').fill('agent');
    await agent.getByLabel('Password').fill(PASSWORD);
    await agent.getByRole('button', { name: 'Sign in' }).click();
    await agent.getByRole('button', { name: 'Claim conversation with Flo' }).click();
    await widget.getByText(/Chatting with/).waitFor({ timeout: 20_000 });
    const descriptor = await widget.evaluate((el: HTMLElement & { state?: { descriptor?: { id: string; gateway: string } } }) => el.state?.descriptor);
    assert.ok(descriptor, 'the widget has its descriptor');
    const pane = agent.locator('video-chat-pane');

    const c = sender(customer, widget, 'c');
    const s = sender(agent, pane, 'a');
    await customer.waitForTimeout(2000);
    const dying = janus.find((j) => j.url === descriptor.gateway)!;
    const killedAt = Date.now();
    process.kill(dying.pid!, 'SIGKILL');
    // Recovery: the first message the customer sends after the kill shows on the agent's screen.
    const firstAfter = await (async () => {
      for (;;) {
        const m = c.sent.find((x) => x.at > killedAt);
        if (m) return m.text;
        await customer.waitForTimeout(50);
      }
    })();
    await pane.locator('chat-transcript').getByText(firstAfter, { exact: true }).waitFor({ timeout: GRACE_MS + 60_000 });
    const recoveryMs = Date.now() - killedAt;
    console.log(`  Janus SIGKILLed mid-chat: a message sent after the kill reached the agent ${recoveryMs} ms later (grace ${GRACE_MS} ms)`);
    await customer.waitForTimeout(3000);
    await Promise.all([c.stop(), s.stop()]);

    const expected = [...c.sent, ...s.sent].map((x) => x.text);
    await pane.locator('chat-transcript').getByText(c.sent.at(-1)!.text, { exact: true }).waitFor({ timeout: 30_000 });
    await widget.locator('chat-transcript').getByText(s.sent.at(-1)!.text, { exact: true }).waitFor({ timeout: 30_000 });
    exactlyOnce(await shown(widget), expected, 'customer screen');
    exactlyOnce(await shown(pane), expected, 'agent screen');
    const moved = await widget.evaluate((el: HTMLElement & { state?: { descriptor?: { gateway: string } } }) => el.state?.descriptor?.gateway);
    assert.notEqual(moved, dying.url, 'the widget follows its conversation to the other Janus');

    const login = await fetch(`${a.url}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'agent', password: PASSWORD }) });
    const { token } = (await login.json()) as { token: string };
    let record: string[] = [];
    for (let i = 0; i < 50; i++) {
      record = await archived(b.url, descriptor.id, token);
      if (expected.every((t) => record.includes(t))) break;
      await customer.waitForTimeout(200);
    }
    exactlyOnce(record, expected, 'archive');
    console.log(`  ${expected.length} messages (${c.sent.length} + ${s.sent.length}) across the failover, each once on both screens and in the archive`);
  });
});
