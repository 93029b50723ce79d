import { expect } from '@open-wc/testing';
import { insertMessage, type TranscriptEntry, type TranscriptMessage } from '../../src/session/index.js';
import { Outbox } from '../../src/chat/index.js';

const who = { id: 'c-1', role: 'customer' as const, display: 'Casey' };
const msg = (id: string, ts: number, seq: number, from: TranscriptMessage['from'] = who): TranscriptMessage => ({ kind: 'message', id, from, text: id, ts, seq, mine: false, delivery: 'delivered' });

describe('transcript order', () => {
  it('puts a late (resent) message back where its sender wrote it', () => {
    let t: TranscriptEntry[] = [];
    t = insertMessage(t, msg('m1', 100, 1));
    t = insertMessage(t, msg('m3', 300, 3));
    t = insertMessage(t, msg('m2', 200, 2));
    expect(t.map((e) => e.id)).to.deep.equal(['m1', 'm2', 'm3']);
  });

  it('does not reorder around the other side', () => {
    const agent = { id: 'a-1', role: 'agent' as const, display: 'Ann' };
    let t: TranscriptEntry[] = [];
    t = insertMessage(t, msg('c1', 500, 1));
    t = insertMessage(t, msg('a1', 100, 1, agent));
    expect(t.map((e) => e.id)).to.deep.equal(['c1', 'a1']);
  });
});

describe('outbox', () => {
  it('keeps write order and forgets acked entries', () => {
    const o = new Outbox();
    o.add('a', 'A');
    o.add('b', 'B');
    o.add('c', 'C');
    expect(o.ack(['b', 'zzz'])).to.deep.equal(['b']);
    expect(o.pending().map((e) => e.id)).to.deep.equal(['a', 'c']);
  });

  it('reports only entries due for a resend', () => {
    const o = new Outbox();
    const a = o.add('a', 'A');
    o.add('b', 'B');
    a.sentAt = 1000;
    expect(o.due(2000, 4000).map((e) => e.id)).to.deep.equal(['b']);
    expect(o.due(6000, 4000).map((e) => e.id)).to.deep.equal(['a', 'b']);
  });
});
