import { expect } from '@open-wc/testing';
import * as v from '../../src/protocol/schema.js';

/** The first issue's path as "a.b.0", or undefined when the value passed. */
const issueAt = (schema: v.GenericSchema, value: unknown) => {
  const r = v.safeParse(schema, value);
  return r.success ? undefined : r.issues[0].path.map((p) => String(p.key)).join('.');
};

describe('protocol schemas (src/protocol/schema.ts)', () => {
  it('checks primitive types; NaN is not a number, Infinity is until finite', () => {
    expect(v.safeParse(v.string(), 'a').success).to.equal(true);
    expect(v.safeParse(v.string(), 1).success).to.equal(false);
    expect(v.safeParse(v.number(), Number.NaN).success).to.equal(false);
    expect(v.safeParse(v.number(), Number.POSITIVE_INFINITY).success).to.equal(true);
    expect(v.safeParse(v.pipe(v.number(), v.finite()), Number.POSITIVE_INFINITY).success).to.equal(false);
    expect(v.safeParse(v.boolean(), 0).success).to.equal(false);
    expect(v.safeParse(v.literal('a'), 'a').success).to.equal(true);
    expect(v.safeParse(v.literal(1), '1').success).to.equal(false);
    expect(v.safeParse(v.picklist(['x', 'y']), 'y').success).to.equal(true);
    expect(v.safeParse(v.picklist(['x', 'y']), 'z').success).to.equal(false);
  });

  it('object drops unknown keys; strictObject refuses them, "__proto__" included', () => {
    const entries = { a: v.string(), b: v.optional(v.number()) };
    expect(v.parse(v.object(entries), { a: 'x', c: 1 })).to.deep.equal({ a: 'x' });
    expect(issueAt(v.strictObject(entries), { a: 'x', c: 1 })).to.equal('c');
    expect(issueAt(v.strictObject(entries), JSON.parse('{"a":"x","__proto__":{"polluted":1}}'))).to.equal('__proto__');
    expect(issueAt(v.strictObject(entries), { a: 'x', toString: 'y' })).to.equal('toString');
    expect(issueAt(v.object(entries), null)).to.equal('');
    expect(issueAt(v.object(entries), ['x'])).to.equal('');
  });

  it('an optional key that is missing stays missing; one given as undefined stays', () => {
    const s = v.strictObject({ a: v.optional(v.string()) });
    expect(Object.keys(v.parse(s, {}))).to.deep.equal([]);
    expect(Object.keys(v.parse(s, { a: undefined }))).to.deep.equal(['a']);
    expect(issueAt(s, { a: 1 })).to.equal('a');
  });

  it('reports the first issue with its path through objects and arrays', () => {
    const s = v.object({ list: v.array(v.object({ n: v.pipe(v.number(), v.integer(), v.minValue(1)) })) });
    expect(issueAt(s, { list: [{ n: 1 }, { n: 0 }, { n: 'x' }] })).to.equal('list.1.n');
    expect(issueAt(s, { list: 'x' })).to.equal('list');
    expect(v.parse(s, { list: [{ n: 2, extra: true }] })).to.deep.equal({ list: [{ n: 2 }] });
  });

  it('a pipe runs in order, transforms, and stops at the first failed step', () => {
    let checked = 0;
    const s = v.pipe(v.string(), v.trim(), v.minLength(2, 'too short'), v.check((x) => (checked++, x !== 'no'), 'said no'), v.transform((x) => x.length));
    expect(v.parse(s, '  abc ')).to.equal(3);
    const r = v.safeParse(s, ' a ');
    expect(r.success).to.equal(false);
    if (!r.success) expect(r.issues[0].message).to.equal('too short');
    expect(checked).to.equal(1);
    expect(v.safeParse(v.pipe(v.string(), v.maxLength(2)), 'abc').success).to.equal(false);
    expect(v.safeParse(v.pipe(v.string(), v.regex(/^a+$/)), 'ab').success).to.equal(false);
    expect(v.safeParse(v.pipe(v.string(), v.email()), 'name@example.com').success).to.equal(true);
    expect(v.safeParse(v.pipe(v.string(), v.email()), 'name@example').success).to.equal(false);
    expect(v.safeParse(v.pipe(v.array(v.string()), v.nonEmpty()), []).success).to.equal(false);
    expect(v.safeParse(v.pipe(v.number(), v.maxValue(1)), 2).success).to.equal(false);
  });

  it('union takes the first option that accepts; its failed options leave no issue behind', () => {
    const s = v.union([v.pipe(v.string(), v.minLength(1)), v.pipe(v.number(), v.integer())]);
    expect(v.parse(s, 'a')).to.equal('a');
    expect(v.parse(s, 2)).to.equal(2);
    expect(v.safeParse(s, '').success).to.equal(false);
    expect(v.safeParse(s, 1.5).success).to.equal(false);
  });

  it('variant picks the option by its discriminator, through a pipe, and reports that option\'s issue', () => {
    const s = v.variant('type', [
      v.strictObject({ type: v.literal('a'), n: v.number() }),
      v.pipe(v.strictObject({ type: v.literal('b'), lo: v.number(), hi: v.number() }), v.check((b) => b.lo < b.hi, 'lo below hi')),
    ]);
    expect(v.parse(s, { type: 'b', lo: 1, hi: 2 })).to.deep.equal({ type: 'b', lo: 1, hi: 2 });
    expect(issueAt(s, { type: 'a', n: 'x' })).to.equal('n');
    expect(issueAt(s, { type: 'c' })).to.equal('type');
    expect(issueAt(s, 'a')).to.equal('type');
    const r = v.safeParse(s, { type: 'b', lo: 2, hi: 1 });
    expect(r.success ? '' : r.issues[0].message).to.equal('lo below hi');
  });

  it('parse throws a TypeError naming the path and holding the issues', () => {
    try {
      v.parse(v.object({ a: v.string('a must be text') }), { a: 1 });
      expect.fail('parse accepted a number for a string');
    } catch (e) {
      expect(e).to.be.instanceOf(TypeError);
      expect((e as Error).message).to.equal('a: a must be text');
      expect((e as { issues: v.Issue[] }).issues).to.have.length(1);
    }
  });
});
