// Bounds on what another participant can make this page hold or do (src/chat/limits.ts).
import { expect } from '@open-wc/testing';
import { fingerprint, SeenIds, TokenBucket } from '../../src/chat/limits.js';

describe('per-connection token bucket', () => {
  it('lets a burst through, then the refill rate', () => {
    const b = new TokenBucket(10, 5, 0);
    let ok = 0;
    for (let i = 0; i < 20; i++) if (b.take(0)) ok++;
    expect(ok).to.equal(5);
    expect(b.take(50)).to.equal(false);
    expect(b.take(100)).to.equal(true);
    expect(b.take(100)).to.equal(false);
  });
});

describe('seen message ids', () => {
  it('remember a fingerprint per id, forget the oldest past the bound, and refuse what is older than the forgotten', () => {
    const seen = new SeenIds(3);
    for (let i = 1; i <= 3; i++) seen.add(`m${i}`, i * 10, i);
    expect(seen.fingerprint('m2')).to.equal(2);
    expect(seen.forgotten(5)).to.equal(false);
    seen.add('m4', 40, 4);
    expect(seen.size).to.equal(3);
    expect(seen.has('m1')).to.equal(false);
    // m1 (ts 10) is forgotten: anything not newer than it could be its replay.
    expect(seen.forgotten(10)).to.equal(true);
    expect(seen.forgotten(11)).to.equal(false);
  });

  it('fingerprints tell content apart', () => {
    expect(fingerprint('chat.message\n1\n{"text":"a"}')).to.not.equal(fingerprint('chat.message\n1\n{"text":"b"}'));
  });
});
