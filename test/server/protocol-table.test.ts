// The README's "Who may send what" table is the protocol's SENDERS table, row by row.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { SENDERS, type WireType } from '../../src/protocol/index.js';

test('README table of who may send what equals SENDERS', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('**Who may send what**');
  assert.ok(start >= 0, 'README has the table');
  const rows = new Map<string, string[]>();
  for (const line of readme.slice(start).split('\n').slice(1)) {
    const m = /^\| `([a-z.-]+)` \| ([a-z, ]+) \|/.exec(line);
    if (m) rows.set(m[1], m[2].split(',').map((r) => r.trim()).sort());
    else if (rows.size > 0 && !line.startsWith('|')) break;
  }
  const expected = new Map(Object.entries(SENDERS).map(([type, roles]) => [type, [...roles].sort()]));
  assert.deepEqual([...rows.keys()].sort(), [...expected.keys()].sort(), 'same message types');
  for (const [type, roles] of expected) assert.deepEqual(rows.get(type), roles, `${type as WireType}`);
});
