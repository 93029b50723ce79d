#!/usr/bin/env node
// docs/elements.md, the element reference, generated from custom-elements.json
// (`npm run manifest`, from the elements' JSDoc: @fires, @slot, @csspart,
// @cssprop) and the event registry's detail types (src/components/events.ts,
// read with the TypeScript compiler so each detail shows its fields).
//   node scripts/element-docs.mjs           writes docs/elements.md
//   node scripts/element-docs.mjs --check   fails when docs/elements.md is not what the manifest gives (npm run lint)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import ts from 'typescript';

const OUT = 'docs/elements.md';
const manifest = JSON.parse(readFileSync('custom-elements.json', 'utf8'));

// ---- the detail types, expanded: VcComposeDetail → { text: string } ----

function detailTypes() {
  const file = 'src/components/events.ts';
  const program = ts.createProgram([file], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const out = new Map();
  for (const st of source.statements) {
    if (!(ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) || !/Detail$/.test(st.name.text)) continue;
    const type = checker.getTypeAtLocation(st.name);
    const props = checker.getPropertiesOfType(type).map((p) => {
      const optional = (p.flags & ts.SymbolFlags.Optional) !== 0;
      let t = checker.getTypeOfSymbolAtLocation(p, st);
      if (optional) t = checker.getNonNullableType(t);
      return `${p.name}${optional ? '?' : ''}: ${checker.typeToString(t, st, ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseSingleQuotesForStringLiteralType)}`;
    });
    out.set(st.name.text, props.length ? `{ ${props.join('; ')} }` : '{}');
  }
  return out;
}

// ---- markdown ----

/** JSDoc text as one markdown paragraph per blank line. */
const prose = (text = '') =>
  text
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s*\n\s*/g, ' ').trim())
    .filter(Boolean)
    .join('\n\n');
/** A table cell: one line, pipes escaped. */
const cell = (text = '') => prose(String(text)).replace(/\n+/g, ' ').replace(/\|/g, '\\|');
const code = (text) => (text === undefined || text === '' ? '' : `\`${String(text).replace(/\|/g, '\\|').replace(/`/g, "'")}\``);

function table(head, rows) {
  if (!rows.length) return [];
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`), ''];
}

function element(d, details) {
  const lines = [`## \`<${d.tagName}>\``, '', prose(d.description || d.summary), ''];

  const fields = (d.members ?? []).filter((m) => m.kind === 'field' && !m.privacy && !m.static && !m.name.startsWith('_'));
  const attrs = d.attributes ?? [];
  const rows = fields.map((f) => {
    const attr = attrs.find((a) => a.fieldName === f.name)?.name ?? f.attribute;
    return [attr ? code(attr) : '', code(f.name), code(f.type?.text), code(f.default), cell([f.readonly ? 'Read-only.' : '', f.reflects ? 'Reflected to the attribute.' : '', f.description].filter(Boolean).join(' '))];
  });
  // Attributes without a field (rare).
  for (const a of attrs) if (!a.fieldName || !fields.some((f) => f.name === a.fieldName)) rows.push([code(a.name), '', code(a.type?.text), code(a.default), cell(a.description)]);
  if (rows.length) lines.push('### Attributes and properties', '', ...table(['attribute', 'property', 'type', 'default', 'description'], rows));

  const methods = (d.members ?? []).filter((m) => m.kind === 'method' && !m.privacy && !m.name.startsWith('_'));
  if (methods.length) {
    lines.push(
      '### Methods',
      '',
      ...table(
        ['method', 'description'],
        methods.map((m) => [
          code(`${m.static ? `${d.name}.` : ''}${m.name}(${(m.parameters ?? []).map((p) => `${p.name}${p.optional ? '?' : ''}: ${p.type?.text ?? 'unknown'}`).join(', ')}): ${m.return?.type?.text ?? 'void'}`),
          cell(m.description),
        ]),
      ),
    );
  }

  const events = d.events ?? [];
  if (events.length) {
    lines.push(
      '### Events',
      '',
      ...table(
        ['event', 'detail', 'description'],
        events.map((e) => {
          const name = /CustomEvent<(\w+)>/.exec(e.type?.text ?? '')?.[1];
          const detail = name && details.get(name);
          return [code(e.name), detail ? `${code(name)}: ${code(detail)}` : code(e.type?.text), cell(e.description)];
        }),
      ),
    );
  }
  const slots = d.slots ?? [];
  if (slots.length) lines.push('### Slots', '', ...table(['slot', 'description'], slots.map((s) => [s.name ? code(s.name) : '(default)', cell(s.description)])));
  const parts = d.cssParts ?? [];
  if (parts.length) lines.push('### CSS parts', '', ...table(['part', 'description'], parts.map((p) => [code(p.name), cell(p.description)])));
  const props = d.cssProperties ?? [];
  if (props.length) lines.push('### CSS custom properties', '', ...table(['property', 'default', 'description'], props.map((p) => [code(p.name), code(p.default), cell(p.description)])));
  return lines;
}

export function render() {
  const details = detailTypes();
  const elements = manifest.modules
    .flatMap((m) => (m.declarations ?? []).map((d) => ({ ...d, module: m.path })))
    .filter((d) => d.customElement && d.tagName)
    .sort((a, b) => a.tagName.localeCompare(b.tagName));
  const out = [
    '<!-- Generated from custom-elements.json by scripts/element-docs.mjs: do not edit; `npm run manifest && node scripts/element-docs.mjs`. -->',
    '',
    '# Element reference',
    '',
    'Every element of `@vc/video-chat-elements`, from `custom-elements.json` (`npm run manifest`): its attributes and properties, methods, events (with the fields of their `detail`), slots, CSS parts and CSS custom properties with their defaults (the dark-mode default is in the description). The [README](../README.md) explains how they fit together; its "Theming" and "Events" sections have the same facts by topic.',
    '',
    ...elements.map((d) => `- [\`<${d.tagName}>\`](#${d.tagName.replace(/[^a-z0-9-]/g, '')})`),
    '',
  ];
  for (const d of elements) out.push(...element(d, details));
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

const text = render();
if (process.argv.includes('--check')) {
  const current = existsSync(OUT) ? readFileSync(OUT, 'utf8') : '';
  if (current !== text) {
    console.error(`${OUT} is out of date with custom-elements.json: run  npm run manifest && node scripts/element-docs.mjs  and commit it.`);
    process.exit(1);
  }
  console.log(`${OUT} is up to date`);
} else {
  mkdirSync('docs', { recursive: true });
  writeFileSync(OUT, text);
  console.log(`wrote ${OUT}`);
}
