import { expect } from '@open-wc/testing';
import { Outbox } from '../../../src/chat/index.js';

describe('Outbox', () => {
  it('keeps entries in write order until acked, and says which acks were news', () => {
    const box = new Outbox();
    box.add('a', 'wa');
    box.add('b');
    box.add('c', 'wc');
    expect(box.pending().map((e) => e.id)).to.deep.equal(['a', 'b', 'c']);
    expect(box.ack(['b', 'x'])).to.deep.equal(['b']);
    expect(box.ack(['b'])).to.deep.equal([]);
    expect(box.pending().map((e) => e.id)).to.deep.equal(['a', 'c']);
    expect(box.size).to.equal(2);
  });

  it('is due: signed and never sent, or sent longer ago than the resend delay', () => {
    const box = new Outbox();
    const a = box.add('a', 'wa');
    box.add('unsigned');
    const c = box.add('c', 'wc');
    expect(box.due(10_000, 4000).map((e) => e.id)).to.deep.equal(['a', 'c']);
    a.sentAt = 9_000;
    c.sentAt = 5_000;
    expect(box.due(10_000, 4000).map((e) => e.id)).to.deep.equal(['c']);
    expect(box.get('unsigned')?.wire).to.equal(undefined);
  });
});
