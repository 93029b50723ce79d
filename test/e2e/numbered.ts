// Numbered chat traffic for the restart and failover e2e tests: send through the
// real composer, read what each element shows and what the broker archived, and
// check that every message is there exactly once.
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';

/** Sends numbered messages through an element's composer, one every `everyMs` (5 a second by default), until stopped. */
export function sender(page: Page, root: Locator, prefix: string, everyMs = 200) {
  const sent: Array<{ text: string; at: number }> = [];
  let stop = false;
  const done = (async () => {
    const box = root.getByRole('textbox', { name: 'Message' });
    for (let i = 1; !stop; i++) {
      const t0 = Date.now();
      const text = `${prefix}-${String(i).padStart(3, '0')}`;
      await box.fill(text, { timeout: 10_000 });
      await box.press('Enter');
      sent.push({ text, at: Date.now() });
      await page.waitForTimeout(Math.max(0, everyMs - (Date.now() - t0)));
    }
  })();
  return { sent, async stop() { stop = true; await done; } };
}

/** Texts of the chat lines in an element's transcript, in order (system lines excluded). */
export async function shown(root: Locator): Promise<string[]> {
  return root.locator('chat-transcript').evaluate((t: HTMLElement & { entries?: Array<{ kind: string; text?: string }> }) =>
    (t.entries ?? []).filter((e) => e.kind === 'message').map((e) => e.text ?? ''));
}

export function exactlyOnce(all: string[], expected: string[], where: string): void {
  for (const text of expected) {
    const n = all.filter((x) => x === text).length;
    assert.equal(n, 1, `${where}: "${text}" appears ${n} times`);
  }
}

export async function archived(base: string, id: string, token: string): Promise<string[]> {
  const texts: string[] = [];
  let after = '';
  for (;;) {
    const res = await fetch(`${base}/api/conversations/${id}/transcript${after ? `?after=${encodeURIComponent(after)}` : ''}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200, await res.clone().text());
    const page = (await res.json()) as { messages: Array<{ id: string; type: string; body: { text?: string } }>; more: boolean };
    for (const m of page.messages) if (m.type === 'chat.message' && m.body.text) texts.push(m.body.text);
    if (!page.more || page.messages.length === 0) return texts;
    after = page.messages.at(-1)!.id;
  }
}
