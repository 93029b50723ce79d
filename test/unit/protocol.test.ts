import { expect } from '@open-wc/testing';
import { checkPageUrl, createEnvelope, parseEnvelope, parseDescriptor, MAX_CHAT_TEXT } from '../../src/protocol/index.js';

describe('wire envelope', () => {
  const KID = 'k'.repeat(22);
  it('round-trips a chat message', () => {
    const env = { ...createEnvelope('chat.message', 'c-1', { text: 'hi', seq: 0 }), kid: KID };
    const r = parseEnvelope(JSON.stringify(env));
    expect(r.ok).to.equal(true);
    if (r.ok) expect(r.message).to.deep.equal(env);
  });

  for (const [name, raw, reason] of [
    ['non-JSON', 'nope', 'not JSON'],
    ['old version', JSON.stringify({ v: 1, id: 'a', type: 'chat.message', from: 'x', ts: 1, body: { text: 'a', seq: 0 } }), 'unsupported protocol version 1'],
    ['unknown type', JSON.stringify({ v: 2, id: 'a', type: 'evil', from: 'x', ts: 1, kid: 'k'.repeat(22), body: {} }), 'invalid envelope'],
    ['wrong body type', JSON.stringify({ v: 2, id: 'a', type: 'chat.message', from: 'x', ts: 1, kid: 'k'.repeat(22), body: { text: 5, seq: 0 } }), 'invalid envelope at body.text'],
    ['extra keys', JSON.stringify({ v: 2, id: 'a', type: 'chat.typing', from: 'x', ts: 1, kid: 'k'.repeat(22), body: { active: true, html: '<b>' } }), 'invalid envelope'],
    ['text too long', JSON.stringify({ v: 2, id: 'a', type: 'chat.message', from: 'x', ts: 1, kid: 'k'.repeat(22), body: { text: 'x'.repeat(MAX_CHAT_TEXT + 1), seq: 0 } }), 'invalid envelope at body.text'],
    ['bad id characters', JSON.stringify({ v: 2, id: '<script>', type: 'ack', from: 'x', ts: 1, kid: 'k'.repeat(22), body: { ids: ['a'] } }), 'invalid envelope at id'],
    ['no key id', JSON.stringify({ v: 2, id: 'a', type: 'ack', from: 'x', ts: 1, body: { ids: ['a'] } }), 'invalid envelope'],
    ['huge payload', 'x'.repeat(70000), 'larger than'],
  ] as const) {
    it(`rejects ${name} without throwing`, () => {
      const r = parseEnvelope(raw);
      expect(r.ok).to.equal(false);
      if (!r.ok) expect(r.reason).to.contain(reason);
    });
  }

  it('rejects descriptors with a non-WebSocket gateway', () => {
    const r = parseDescriptor({ id: 'x', gateway: 'javascript:alert(1)', textRoom: { room: 'a' }, videoRoom: { room: 'b' }, self: { role: 'customer', id: 'c', display: 'C' } });
    expect(r.ok).to.equal(false);
  });
});

describe('pushed page URLs', () => {
  for (const bad of ['javascript:alert(1)', 'JAVASCRIPT:alert(1)', ' javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'blob:https://a.example/x', 'file:///etc/passwd', 'https://user:pw@shop.example/', 'https://user@shop.example/', 'ftp://shop.example/', 'shop.example/page', '']) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      const r = checkPageUrl(bad);
      expect(r.ok).to.equal(false);
      if (!r.ok) expect(r.reason).to.be.a('string').and.not.empty;
    });
  }

  it('accepts https, and http only when configured', () => {
    expect(checkPageUrl('https://shop.example/checkout').ok).to.equal(true);
    expect(checkPageUrl('http://shop.example/').ok).to.equal(false);
    expect(checkPageUrl('http://shop.example/', { allowHttp: true }).ok).to.equal(true);
  });

  it('applies the exact-origin allow-list', () => {
    const policy = { allowedOrigins: ['https://shop.example'] };
    expect(checkPageUrl('https://shop.example/a', policy).ok).to.equal(true);
    expect(checkPageUrl('https://shop.example.evil.test/a', policy).ok).to.equal(false);
    expect(checkPageUrl('https://other.example/', policy).ok).to.equal(false);
  });
});
