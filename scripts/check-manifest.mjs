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
import { readdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { tsImport } from 'tsx/esm/api';

const { VC_EVENTS } = await tsImport('../src/components/events.ts', import.meta.url);
const registry = new Map(Object.entries(VC_EVENTS));
const manifest = JSON.parse(readFileSync('custom-elements.json', 'utf8'));
const readme = readFileSync('README.md', 'utf8');
const problems = [];
const elements = new Map();
/** tag → the source file that defines it (an element may live in another's folder: <console-video-tile> in agent-console/). */
const sourceOf = new Map();
for (const mod of manifest.modules) {
  for (const d of mod.declarations ?? []) {
    if (!d.customElement || !d.tagName) continue;
    elements.set(d.tagName, d);
    sourceOf.set(d.tagName, mod.path);
  }
}
/**
 * The files of an element's templates: its folder's, when the folder has its
 * name (less the files of other elements kept there), else its own file only.
 */
function templateFiles(tag) {
  const src = sourceOf.get(tag) ?? `src/components/${tag}/${tag}.ts`;
  const dir = dirname(src);
  if (basename(dir) !== tag) return [src];
  const others = new Set([...sourceOf].filter(([t]) => t !== tag).map(([, f]) => f));
  return readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.styles.ts')).map((f) => join(dir, f)).filter((f) => !others.has(f));
}

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

// ---- theming: custom properties and parts, against the styles, the templates and the README ----

/** `var(--vc-x, fallback)` uses in the styles, with balanced parentheses: name → fallbacks seen. */
function cssFallbacks(text) {
  const found = [];
  for (let i = text.indexOf('var(--vc-'); i !== -1; i = text.indexOf('var(--vc-', i + 1)) {
    let depth = 0;
    let j = i + 3;
    for (; j < text.length; j++) {
      if (text[j] === '(') depth++;
      else if (text[j] === ')' && --depth === 0) break;
    }
    const inner = text.slice(i + 4, j);
    const comma = inner.indexOf(',');
    const name = (comma === -1 ? inner : inner.slice(0, comma)).trim();
    const fallback = comma === -1 ? undefined : inner.slice(comma + 1).trim().replace(/\s+/g, ' ');
    // color-scheme: var(--vc-color-surface, light dark) is the dark-mode switch, not a default of the surface.
    const switchUse = /(color-scheme|\$\{colorScheme\}):\s*$/.test(text.slice(Math.max(0, i - 40), i));
    if (/^--vc-[a-z-]+$/.test(name) && !switchUse) found.push({ name, fallback });
  }
  return found;
}
/** light-dark(a, b) → { light: a, dark: b }; anything else is the same in both. */
function splitScheme(fallback) {
  const m = /^light-dark\((.*)\)$/.exec(fallback ?? '');
  if (!m) return { light: fallback, dark: undefined };
  const [light, dark] = m[1].split(/,(?![^(]*\))/).map((x) => x.trim());
  return { light, dark };
}
const SAME = { 'var(--_vc-primary)': 'var(--vc-color-primary)' };
const styleFiles = [];
const walkStyles = (d) => {
  for (const f of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, f.name);
    if (f.isDirectory()) walkStyles(p);
    else if (p.endsWith('.styles.ts') || p.endsWith('shared-styles.ts')) styleFiles.push(p);
  }
};
walkStyles('src/components');
const defaults = new Map(); // name → { light, dark, files }
for (const file of styleFiles) {
  for (const { name, fallback } of cssFallbacks(readFileSync(file, 'utf8'))) {
    if (fallback === undefined) {
      problems.push(`${file}: var(${name}) has no default`);
      continue;
    }
    const { light, dark } = splitScheme(fallback);
    const real = { light: SAME[light] ?? light, dark };
    const seen = defaults.get(name);
    if (seen && (seen.light !== real.light || seen.dark !== real.dark)) problems.push(`${name} has two defaults: ${seen.light} (${seen.files[0]}) and ${real.light} (${file})`);
    if (seen) seen.files.push(file);
    else defaults.set(name, { ...real, files: [file] });
  }
}
const shared = new Set(cssFallbacks(readFileSync('src/components/shared-styles.ts', 'utf8')).map((u) => u.name));
for (const [tag, el] of elements) {
  const documented = new Map((el.cssProperties ?? []).map((c) => [c.name, c]));
  const own = existsSync(`src/components/${tag}/${tag}.styles.ts`) ? cssFallbacks(readFileSync(`src/components/${tag}/${tag}.styles.ts`, 'utf8')).map((u) => u.name) : [];
  for (const name of new Set([...shared, ...own])) if (!documented.has(name)) problems.push(`<${tag}> uses ${name} but has no @cssprop for it`);
  for (const [name, c] of documented) {
    const real = defaults.get(name);
    if (!real) {
      problems.push(`<${tag}> documents ${name}, which no style uses`);
      continue;
    }
    if (c.default !== real.light) problems.push(`<${tag}> documents ${name} with default ${c.default}; the styles' default is ${real.light}`);
    if (real.dark && !(c.description ?? '').includes(`Dark: \`${real.dark}\``)) problems.push(`<${tag}> ${name}: the description must say "Dark: \`${real.dark}\`" (the dark-mode default)`);
  }
  // Parts: every part="…" in the element's folder is documented, and every documented part exists.
  const parts = new Set();
  for (const f of templateFiles(tag)) {
    for (const m of readFileSync(f, 'utf8').matchAll(/\spart="([^"]*)"/g)) {
      for (const token of m[1].replace(/\$\{[^}]*\}/g, (x) => ` ${[...x.matchAll(/'([a-z-]+)'/g)].map((q) => q[1]).join(' ')} `).split(/\s+/)) if (token) parts.add(token);
    }
  }
  const documentedParts = new Set((el.cssParts ?? []).map((p) => p.name));
  for (const p of parts) if (!documentedParts.has(p)) problems.push(`<${tag}> has part "${p}" without a @csspart`);
  for (const p of documentedParts) if (!parts.has(p) && !exported(tag).has(p)) problems.push(`<${tag}> documents part "${p}", which its template does not have`);
}
/** Parts an element exports from the elements inside it (exportparts="inner: outer, same"). */
function exported(tag) {
  const names = new Set();
  for (const f of templateFiles(tag)) {
    for (const m of readFileSync(f, 'utf8').matchAll(/exportparts="([^"]*)"/g)) {
      for (const entry of m[1].split(',')) {
        const [inner, outer] = entry.split(':').map((x) => x.trim());
        names.add(outer || inner);
      }
    }
  }
  return names;
}

// The README's theming tables, generated from the manifest: `node scripts/check-manifest.mjs --write-readme` rewrites them.
function themingTables() {
  const props = new Map();
  for (const [tag, el] of [...elements].sort(([a], [b]) => a.localeCompare(b))) {
    for (const c of el.cssProperties ?? []) {
      const row = props.get(c.name) ?? { ...c, tags: [] };
      row.tags.push(tag);
      props.set(c.name, row);
    }
  }
  const all = elements.size;
  const esc = (t) => t.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
  const lines = ['| property | default | dark mode | used by | for |', '|---|---|---|---|---|'];
  for (const [name, row] of props) {
    const dark = defaults.get(name)?.dark;
    const what = esc((row.description ?? '').replace(/\s*Dark: `[^`]*`\.?/, ''));
    lines.push(`| \`${name}\` | \`${esc(row.default ?? '')}\` | ${dark ? `\`${dark}\`` : 'same'} | ${row.tags.length === all ? 'every element' : row.tags.map((t) => `\`<${t}>\``).join(', ')} | ${what} |`);
  }
  const partLines = ['| element | parts (`::part(…)`) |', '|---|---|'];
  for (const [tag, el] of [...elements].sort(([a], [b]) => a.localeCompare(b))) {
    partLines.push(`| \`<${tag}>\` | ${(el.cssParts ?? []).map((p) => `\`${p.name}\``).join(', ')} |`);
  }
  return { props: lines.join('\n'), parts: partLines.join('\n') };
}
const tables = themingTables();
const block = (name, body) => `<!-- ${name}:start (generated from custom-elements.json by scripts/check-manifest.mjs --write-readme) -->\n${body}\n<!-- ${name}:end -->`;
const blockRe = (name) => new RegExp(`<!-- ${name}:start[^>]*-->[\\s\\S]*?<!-- ${name}:end -->`);
let nextReadme = readme;
for (const [name, body] of [['theming-props', tables.props], ['theming-parts', tables.parts]]) {
  if (!blockRe(name).test(readme)) problems.push(`README.md has no ${name} table (markers <!-- ${name}:start --> … <!-- ${name}:end -->)`);
  else nextReadme = nextReadme.replace(blockRe(name), block(name, body));
}
if (process.argv.includes('--write-readme')) {
  writeFileSync('README.md', nextReadme);
  console.log('README.md theming tables written');
} else if (nextReadme !== readme) {
  problems.push('the README theming tables differ from custom-elements.json: run `npm run manifest && node scripts/check-manifest.mjs --write-readme`');
}

if (problems.length) {
  console.error(`custom-elements.json check: ${problems.length} problem(s)\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(`custom-elements.json ok: ${elements.size} elements; ${registry.size} vc-* events, all declared, fired (@fires) and in the README; ${defaults.size} --vc-* properties and every part documented with their real defaults`);
