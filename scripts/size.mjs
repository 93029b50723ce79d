#!/usr/bin/env node
// Prints raw and gzip sizes of what a page downloads, by when it downloads it:
// the loader on every page, the widget once the page is idle (the Janus client,
// src/janus, is part of it), rrweb's recorder only after cobrowse consent. The
// replayer and the all-elements bundle are for agent consoles.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dir = 'dist/cdn';
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
const size = (path) => {
  const buf = readFileSync(path);
  return { file: path, raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
};
const chunks = readdirSync(join(dir, 'chunks')).filter((f) => f.endsWith('.js')).map((f) => join(dir, 'chunks', f));
const pick = (re) => chunks.filter((f) => re.test(f)).map(size);
const groups = [
  ['every page (loader.js)', [size(join(dir, 'loader.js'))]],
  ['customer widget with the Janus client, loaded when the page is idle', [size(join(dir, 'widget.js'))]],
  ['rrweb recorder, loaded after cobrowse consent', pick(/record/)],
  ['agent console: all elements (index.js)', [size(join(dir, 'index.js'))]],
  ['agent console: rrweb replayer, loaded when cobrowse starts', pick(/replay/)],
];
const known = new Set(groups.flatMap(([, rows]) => rows.map((r) => r.file)));
const other = chunks.filter((f) => !known.has(f)).map(size);
if (other.length) groups.push(['other shared chunks', other]);
const width = Math.max(...groups.flatMap(([, rows]) => rows.map((r) => r.file.length)));
for (const [title, rows] of groups) {
  console.log(`\n${title}`);
  for (const r of rows) console.log(`  ${r.file.padEnd(width)}  ${kb(r.raw).padStart(10)}  ${kb(r.gzip).padStart(10)} gzip`);
}
const sum = (titles) => groups.filter(([t]) => titles.some((x) => t.startsWith(x))).flatMap(([, r]) => r).reduce((s, r) => s + r.gzip, 0);
console.log(`\nloader: ${kb(groups[0][1][0].gzip)} gzip`);
console.log(`full customer bundle (loader + widget + recorder): ${kb(sum(['every page', 'customer widget', 'rrweb recorder', 'other shared']))} gzip`);
console.log(`full agent bundle (elements + widget's shared code + replayer): ${kb(sum(['agent console', 'other shared']) + groups[1][1][0].gzip)} gzip`);
