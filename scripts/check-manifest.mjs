#!/usr/bin/env node
// Lints custom-elements.json (made by `cem analyze`) against the source and the
// README:
// - every element folder is in the manifest with a description and CSS custom
//   properties;
// - the vc-* events the elements fire (their @fires in the manifest) are exactly
//   the event registry (VC_EVENTS / VcEventMap in src/components/events.ts,
//   from which HTMLElementEventMap is declared), and no vc-* name is used in
//   src/components outside it;
// - the README's events tables list exactly the registry's events, each with
//   the registry's "cancelable".
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tsImport } from 'tsx/esm/api';

const { VC_EVENTS } = await tsImport('../src/components/events.ts', import.meta.url);
const registry = new Map(Object.entries(VC_EVENTS));
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

// Fired (per @fires) vs declared.
const fired = new Map();
for (const [tag, el] of elements) for (const ev of el.events ?? []) if (ev.name) fired.set(ev.name, [...(fired.get(ev.name) ?? []), tag]);
for (const [name, tags] of fired) {
  if (name.startsWith('vc-') && !registry.has(name)) problems.push(`${name} is fired by <${tags.join('>, <')}> (@fires) but is not in the event registry (src/components/events.ts)`);
}
for (const name of registry.keys()) {
  if (!fired.has(name)) problems.push(`${name} is in the event registry but no element documents it with @fires`);
}

// No vc-* name used in the elements' code outside the registry.
const walk = (d) => {
  for (const f of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, f.name);
    if (f.isDirectory()) walk(p);
    else if (p.endsWith('.ts')) {
      for (const m of readFileSync(p, 'utf8').matchAll(/['`](vc-[a-z-]+)['`]/g)) {
        if (!registry.has(m[1]) && !elements.has(m[1])) problems.push(`${p} uses ${m[1]}, which is not in the event registry`);
      }
    }
  }
};
walk('src/components');

// The README's events tables: rows "| `vc-…` | … | cancelable |".
const rows = new Map();
for (const line of readme.split('\n')) {
  const m = /^\|\s*`(vc-[a-z-]+)`\s*\|(.*)\|\s*$/.exec(line);
  if (!m) continue;
  const cells = m[2].split('|').map((c) => c.trim());
  rows.set(m[1], /^yes\b/.test(cells[cells.length - 1]));
}
for (const [name, { cancelable }] of registry) {
  if (!rows.has(name)) problems.push(`${name} is missing from the README's events tables`);
  else if (rows.get(name) !== cancelable) problems.push(`${name}: the README says cancelable ${rows.get(name) ? 'yes' : 'no'}, the registry says ${cancelable ? 'yes' : 'no'}`);
}
for (const name of rows.keys()) if (!registry.has(name)) problems.push(`the README's events tables list ${name}, which is not in the event registry`);

if (problems.length) {
  console.error(`custom-elements.json check: ${problems.length} problem(s)\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(`custom-elements.json ok: ${elements.size} elements; ${registry.size} vc-* events, all declared, fired (@fires) and in the README`);
