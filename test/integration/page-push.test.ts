import { expect } from '@open-wc/testing';
import { Conversation, PageRefusedError } from '../../src/session/index.js';
import { connectedPair, waitFor } from '../helpers/env.js';

describe('page push over the real TextRoom', () => {
  const open: Conversation[] = [];
  afterEach(() => { for (const c of open.splice(0)) c.dispose(); });

  const pair = () => connectedPair(open);

  it('a valid page reaches the customer as a card; opening it shows in both transcripts', async () => {
    const { c, a } = await pair();
    a.pushPage('https://shop.example/returns?order=42', 'Returns policy');
    await waitFor(() => c.state.transcript.some((e) => e.kind === 'page'), 'card at the customer');
    const card = c.state.transcript.find((e) => e.kind === 'page');
    expect(card).to.include({ url: 'https://shop.example/returns?order=42', title: 'Returns policy', host: 'shop.example', opened: false });
    const target = c.openPage(card!.id);
    expect(target).to.deep.equal({ url: 'https://shop.example/returns?order=42', sameOrigin: false });
    await waitFor(() => a.state.transcript.some((e) => e.kind === 'page' && e.opened), 'agent sees it opened');
  });

  for (const bad of ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'https://admin:secret@shop.example/']) {
    it(`refuses ${bad} on the agent side with a clear reason; nothing reaches the customer`, async () => {
      const { c, a } = await pair();
      let reason = '';
      try {
        a.pushPage(bad);
      } catch (e) {
        expect(e).to.be.instanceOf(PageRefusedError);
        reason = (e as Error).message;
      }
      expect(reason).to.match(/Only https:\/\/|user name or password/);
      a.send('marker');
      await waitFor(() => c.state.transcript.some((e) => e.kind === 'message' && e.text === 'marker'), 'marker');
      expect(c.state.transcript.some((e) => e.kind === 'page')).to.equal(false);
    });
  }

  it('the customer refuses a hostile push that skipped the agent-side check', async () => {
    const { c, a } = await pair();
    const refused: string[] = [];
    c.addEventListener('page-refused', (e) => refused.push((e as CustomEvent<{ url: string }>).detail.url));
    // A tampered agent client: straight onto the wire.
    (a as unknown as { chat: { sendSignal(t: string, b: unknown): void } }).chat.sendSignal('page.push', { url: 'javascript:alert(document.cookie)' });
    await waitFor(() => refused.length === 1, 'customer refusal');
    expect(c.state.transcript.some((e) => e.kind === 'page')).to.equal(false);
  });
});
