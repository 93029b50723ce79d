import { expect } from '@open-wc/testing';
import {
  BatchSequencer,
  CHUNK_DATA_SIZE,
  CodecError,
  decodeBatch,
  deflate,
  encodeBatch,
  Reassembler,
  toBase64,
  type ChunkBody,
  type RecordedEvent,
} from '../../src/cobrowse/index.js';
import { createEnvelope, parseEnvelope, MAX_COBROWSE_CHUNK_DATA } from '../../src/protocol/index.js';

const KID = 'k'.repeat(22);

const meta = (t = 1): RecordedEvent => ({ type: 4, timestamp: t, data: { href: 'https://shop.example/', width: 800, height: 600 } });
const full = (t = 2): RecordedEvent => ({ type: 2, timestamp: t, data: { node: { type: 0, childNodes: [], id: 1 }, initialOffset: { left: 0, top: 0 } } });
const inc = (t: number, text = 'x'): RecordedEvent => ({ type: 3, timestamp: t, data: { source: 0, texts: [{ id: 5, value: text }], attributes: [], removes: [], adds: [] } });

/** Text that deflate can't shrink much, so a batch needs several chunks. */
function noise(n: number): string {
  const bytes = new Uint8Array(n);
  globalThis.crypto.getRandomValues(bytes);
  return toBase64(bytes);
}

describe('cobrowse codec: compress, chunk, reassemble', () => {
  it('round-trips a batch through deflate-raw + base64', async () => {
    const events = [meta(), full(), inc(3, 'héllo ✓')];
    const chunks = await encodeBatch(events, 'sA', 0);
    expect(chunks).to.have.length(1);
    expect(chunks[0]).to.include({ stream: 'sA', seq: 0, part: 0, parts: 1 });
    expect(await decodeBatch(chunks[0].data)).to.deep.equal(events);
  });

  it('splits a large batch into chunks that each fit one message under 16 KiB, valid on the wire', async () => {
    const events = [meta(), full(), inc(3, noise(60000))];
    const chunks = await encodeBatch(events, 'sBig', 7);
    expect(chunks.length).to.be.greaterThan(3);
    for (const [i, c] of chunks.entries()) {
      expect(c).to.include({ stream: 'sBig', seq: 7, part: i, parts: chunks.length });
      expect(c.data.length).to.be.at.most(CHUNK_DATA_SIZE);
      // Signed as it goes on the wire: key id and the 86-character signature included.
      const env = { ...createEnvelope('cobrowse.chunk', 'customer-1', c), kid: KID };
      const wire = JSON.stringify({ ...env, sig: 'S'.repeat(86) });
      expect(wire.length, 'whole envelope').to.be.at.most(16 * 1024);
      const parsed = parseEnvelope(env);
      expect(parsed.ok, parsed.ok ? '' : parsed.reason).to.equal(true);
    }
    const r = new Reassembler();
    const results = chunks.flatMap((c) => r.push(c));
    const done = results.filter((x) => x.kind === 'batch');
    expect(done).to.have.length(1);
    expect(results.filter((x) => x.kind === 'gap')).to.have.length(0);
    if (done[0].kind === 'batch') expect(await decodeBatch(done[0].data)).to.deep.equal(events);
  });

  it('reports a gap when a part goes missing, and still takes the next batch that starts cleanly', async () => {
    const big = await encodeBatch([inc(1, noise(40000))], 's1', 3);
    const next = await encodeBatch([meta(5), full(6)], 's1', 4);
    expect(big.length).to.be.greaterThan(2);
    const r = new Reassembler();
    const results = [...r.push(big[0]), ...r.push(big[2]), ...r.push(next[0])];
    expect(results.map((x) => x.kind)).to.deep.equal(['partial', 'gap', 'batch']);
  });

  it('reports a gap when a batch is cut short by the next one', async () => {
    const big = await encodeBatch([inc(1, noise(40000))], 's1', 3);
    const next = await encodeBatch([inc(2)], 's1', 4);
    const r = new Reassembler();
    const kinds = [...r.push(big[0]), ...r.push(next[0])].map((x) => x.kind);
    expect(kinds).to.deep.equal(['partial', 'gap', 'batch']);
  });

  it('rejects what is not a batch of rrweb events, and stops inflating past the cap', async () => {
    for (const bad of ['%%%', toBase64(new TextEncoder().encode('not deflated')), toBase64(await deflate('{"a":1}')), toBase64(await deflate('[{"type":"x"}]')), toBase64(await deflate('[{"type":99,"timestamp":1}]'))]) {
      let err: unknown;
      try {
        await decodeBatch(bad);
      } catch (e) {
        err = e;
      }
      expect(err, bad).to.be.instanceOf(CodecError);
    }
    // 1 MB of zeros deflates to ~1 KB: a decompression bomb in miniature.
    const bomb = toBase64(await deflate(`[{"type":3,"timestamp":1,"data":"${'0'.repeat(1_000_000)}"}]`));
    expect(bomb.length).to.be.below(5000);
    let err: unknown;
    try {
      await decodeBatch(bomb, 100_000);
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(CodecError);
    expect(String(err)).to.contain('more than 100000 bytes');
  });
});

describe('cobrowse sequencer: full snapshots, order and gaps', () => {
  it('starts at a full snapshot, continues in order, ignores repeats', () => {
    const s = new BatchSequencer();
    expect(s.accept('a', 0, [inc(1)]).kind, 'nothing before a snapshot').to.equal('gap');
    const r = s.accept('a', 1, [inc(2), meta(3), full(4)]);
    expect(r.kind).to.equal('reset');
    if (r.kind === 'reset') expect(r.events.map((e) => e.type), 'starts at the Meta event').to.deep.equal([4, 2]);
    expect(s.inSync).to.equal(true);
    expect(s.accept('a', 2, [inc(5)]).kind).to.equal('apply');
    expect(s.accept('a', 2, [inc(5)]).kind).to.equal('stale');
    expect(s.accept('a', 3, [inc(6)]).kind).to.equal('apply');
  });

  it('a missing batch holds everything back until the next full snapshot', () => {
    const s = new BatchSequencer();
    s.accept('a', 0, [meta(), full()]);
    expect(s.accept('a', 2, [inc(3)]).kind).to.equal('gap');
    expect(s.inSync).to.equal(false);
    expect(s.accept('a', 3, [inc(4)]).kind, 'still waiting').to.equal('gap');
    expect(s.accept('a', 4, [meta(5), full(6)]).kind).to.equal('reset');
    expect(s.accept('a', 5, [inc(7)]).kind).to.equal('apply');
  });

  it('a new page (new stream) takes over at its first full snapshot', () => {
    const s = new BatchSequencer();
    s.accept('old', 0, [meta(), full()]);
    s.accept('old', 1, [inc(3)]);
    expect(s.accept('new', 0, [meta(4), full(5)]).kind).to.equal('reset');
    expect(s.stream).to.equal('new');
    expect(s.accept('old', 2, [inc(6)]).kind, 'late batch of the old page').to.equal('gap');
  });

  it('invalidate() (decode failure) waits for a snapshot', () => {
    const s = new BatchSequencer();
    s.accept('a', 0, [meta(), full()]);
    s.invalidate();
    expect(s.accept('a', 1, [inc(2)]).kind).to.equal('gap');
  });
});

describe('cobrowse wire schemas', () => {
  const ok = (type: Parameters<typeof createEnvelope>[0], body: unknown) => parseEnvelope(JSON.stringify({ v: 2, id: 'm-1', type, from: 'x', ts: 1, body, kid: KID })).ok;
  it('accepts well-formed messages', () => {
    expect(ok('cobrowse.offer', {})).to.equal(true);
    expect(ok('cobrowse.answer', { offerId: 'o-1', accept: true })).to.equal(true);
    expect(ok('cobrowse.chunk', { stream: 's', seq: 0, part: 0, parts: 1, data: 'AAAA' })).to.equal(true);
    expect(ok('cobrowse.resync', {})).to.equal(true);
    expect(ok('cobrowse.pointer', { x: 0.5, y: 1 })).to.equal(true);
    expect(ok('cobrowse.highlight', { stream: 's', node: 12 })).to.equal(true);
    expect(ok('cobrowse.control-request', {})).to.equal(true);
    expect(ok('cobrowse.control-grant', { requestId: 'r', granted: false })).to.equal(true);
    expect(ok('cobrowse.action', { stream: 's', kind: 'click', node: 3 })).to.equal(true);
    expect(ok('cobrowse.action', { stream: 's', kind: 'input', node: 3, value: 'Main St' })).to.equal(true);
    expect(ok('cobrowse.stop', { reason: 'done' })).to.equal(true);
  });

  for (const [name, type, body] of [
    ['chunk data over 16 KiB', 'cobrowse.chunk', { stream: 's', seq: 0, part: 0, parts: 1, data: 'A'.repeat(MAX_COBROWSE_CHUNK_DATA + 4) }],
    ['chunk data not base64', 'cobrowse.chunk', { stream: 's', seq: 0, part: 0, parts: 1, data: '<script>' }],
    ['part beyond parts', 'cobrowse.chunk', { stream: 's', seq: 0, part: 1, parts: 1, data: 'AAAA' }],
    ['pointer off the page', 'cobrowse.pointer', { x: 1.5, y: 0 }],
    ['pointer NaN-ish', 'cobrowse.pointer', { x: '0.5', y: 0 }],
    ['click with a value', 'cobrowse.action', { stream: 's', kind: 'click', node: 1, value: 'x' }],
    ['input without a value', 'cobrowse.action', { stream: 's', kind: 'input', node: 1 }],
    ['input value too long', 'cobrowse.action', { stream: 's', kind: 'input', node: 1, value: 'x'.repeat(1001) }],
    ['script action', 'cobrowse.action', { stream: 's', kind: 'eval', node: 1, value: 'alert(1)' }],
    ['negative node', 'cobrowse.highlight', { stream: 's', node: -1 }],
    ['extra keys', 'cobrowse.offer', { html: '<b>' }],
  ] as const) {
    it(`rejects ${name}`, () => {
      expect(ok(type as Parameters<typeof createEnvelope>[0], body)).to.equal(false);
    });
  }
});

describe('cobrowse chunk helpers', () => {
  it('every chunk of a batch carries whole base64 quanta', async () => {
    const chunks: ChunkBody[] = await encodeBatch([inc(1, noise(30000))], 's', 0, 1001);
    for (const c of chunks.slice(0, -1)) expect(c.data.length % 4).to.equal(0);
  });
});
