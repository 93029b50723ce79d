#!/usr/bin/env node
// Prints raw and gzip sizes of what a page downloads: the loader always, the
// widget when it mounts, the Janus chunk only when a conversation connects.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dir = 'dist/cdn';
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
const rows = [];
function add(path) {
  const buf = readFileSync(path);
  rows.push({ file: path, raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length });
}
add(join(dir, 'loader.js'));
add(join(dir, 'widget.js'));
add(join(dir, 'index.js'));
for (const f of readdirSync(join(dir, 'chunks'))) if (f.endsWith('.js')) add(join(dir, 'chunks', f));
const width = Math.max(...rows.map((r) => r.file.length));
console.log(`${'file'.padEnd(width)}  ${'raw'.padStart(10)}  ${'gzip'.padStart(10)}`);
for (const r of rows) console.log(`${r.file.padEnd(width)}  ${kb(r.raw).padStart(10)}  ${kb(r.gzip).padStart(10)}`);
const total = rows.filter((r) => !r.file.endsWith('/index.js')).reduce((s, r) => s + r.gzip, 0);
console.log(`\nloader (every page): ${kb(rows[0].gzip)} gzip`);
console.log(`full customer bundle (loader + widget + lazy chunks): ${kb(total)} gzip`);

