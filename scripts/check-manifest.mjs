#!/usr/bin/env node
// Lints custom-elements.json (made by `cem analyze`) against the source and the
// README: every element folder is in the manifest with a description and CSS
// custom properties, and every vc-* event the code can fire is documented in
// some element's @fires and in the README's events table.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const manifest = JSON.parse(readFileSync('custom-elements.json', 'utf8'));
const readme = readFileSync('README.md', 'utf8');
const problems = [];
const elements = new Map();
for (const mod of manifest.modules) for (const d of mod.declarations ?? []) if (d.customElement && d.tagName) elements.set(d.tagName, d);

for (const dir of readdirSync('src/components', { withFileTypes: true })) {
  if (!dir.isDirectory()) continue;
  const file = join('src/components', dir.name, `${dir.name}.ts`);
  if (!existsSync(file)) continue;
  const el = elements.get(dir.name);
  if (!el) {
    problems.push(`<${dir.name}> is not in custom-elements.json (is it defined with its folder's name?)`);
    continue;
  }
  if (!el.description && !el.summary) problems.push(`<${dir.name}> has no JSDoc description`);
  if (!(el.cssProperties ?? []).length) problems.push(`<${dir.name}> documents no @cssprop`);
  if (!existsSync(join('src/components', dir.name, `${dir.name}.styles.ts`))) problems.push(`<${dir.name}> has no ${dir.name}.styles.ts`);
}

const documented = new Set([...elements.values()].flatMap((e) => (e.events ?? []).map((ev) => ev.name)));
const fired = new Set();
const walk = (d) => {
  for (const f of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, f.name);
    if (f.isDirectory()) walk(p);
    else if (p.endsWith('.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/['`](vc-[a-z-]+)['`]/g)) fired.add(m[1]);
  }
};
walk('src/components');
for (const name of fired) {
  if (!documented.has(name)) problems.push(`${name} is used in src/components but no element documents it with @fires`);
  if (!readme.includes(`\`${name}\``)) problems.push(`${name} is missing from the README's events table`);
}

if (problems.length) {
  console.error(`custom-elements.json check: ${problems.length} problem(s)\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(`custom-elements.json ok: ${elements.size} elements, ${documented.size} documented events`);
