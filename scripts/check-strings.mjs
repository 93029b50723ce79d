#!/usr/bin/env node
// Fails on a hard-coded text in the elements' templates: every text a person
// sees or hears must come from the message catalogues (src/i18n), through
// this.t(…) / i18n.t(…) / coded(…). Reads src/components/**/*.ts with the
// TypeScript compiler API and, in every html`…` / svg`…` template, flags:
// - static text between tags that has a letter;
// - static attribute values with a letter, except attributes that are not
//   shown (class, part, id, role, ARIA references…, see NOT_SHOWN) and values
//   that are URLs;
// - string literals (and template literals with letters) that an expression
//   renders as text or as the value of a shown attribute, also through ?:,
//   ?? and ||. Literals passed to a call (ids, modes, event names, message
//   keys) are not texts;
// - outside templates, string literals that read like words for people (a
//   space between words, or a capitalised word) and are not a call's
//   argument, a key, a comparison or a type: a label kept in a constant or a
//   property's default reaches the template just the same.
// Run by `npm run lint`; test/check-strings.test.mjs proves it fails on a
// violating file.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/** Attributes whose values are never shown to a person (CSS hooks, ids, ARIA references and states, SVG geometry). */
export const NOT_SHOWN = new Set([
  'class', 'part', 'exportparts', 'id', 'slot', 'name', 'for', 'type', 'role', 'style', 'dir', 'lang', 'locale',
  'autocomplete', 'inputmode', 'enterkeyhint', 'tabindex', 'mode', 'kind', 'href', 'src', 'rel', 'target', 'datetime',
  'aria-controls', 'aria-labelledby', 'aria-describedby', 'aria-owns', 'aria-activedescendant', 'aria-details', 'aria-errormessage',
  'aria-haspopup', 'aria-live', 'aria-atomic', 'aria-relevant', 'aria-hidden', 'aria-expanded', 'aria-pressed', 'aria-checked',
  'aria-selected', 'aria-disabled', 'aria-modal', 'aria-busy', 'aria-current', 'aria-orientation', 'aria-keyshortcuts',
  'aria-required', 'aria-invalid',
  'viewbox', 'd', 'fill', 'stroke', 'stroke-width', 'stroke-linecap', 'stroke-linejoin', 'opacity', 'xmlns', 'transform',
]);
const LETTER = /\p{L}/u;
const URLISH = /^(?:https?:\/\/|mailto:|tel:)/i;

/** The attribute an expression or value at the end of `before` belongs to, if any (`name=`, `name="…`). */
function attributeAt(before) {
  // Only inside a tag: the last '<' comes after the last '>'.
  if (before.lastIndexOf('<') < before.lastIndexOf('>')) return undefined;
  const bare = /([^\s"'<>/=]+)\s*=\s*$/.exec(before);
  if (bare) return { name: bare[1].toLowerCase(), quoted: false };
  const open = /([^\s"'<>/=]+)\s*=\s*(["'])(?:(?!\2)[^])*$/.exec(before);
  return open ? { name: open[1].toLowerCase(), quoted: true } : undefined;
}

/** Whether a binding name renders its value as a shown attribute (not .prop, ?bool, @event, or a hidden attribute). */
function shownAttribute(name) {
  if (/^[.?@]/.test(name)) return false;
  return !NOT_SHOWN.has(name) && !name.startsWith('data-');
}

/**
 * Problems in one source file: `{ line, column, text, where }` for each
 * hard-coded text. `fileName` only names the file in the messages.
 */
export function checkSource(fileName, text) {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const problems = [];
  const report = (node, value, where) => {
    const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    problems.push({ file: fileName, line: line + 1, column: character + 1, text: value.trim().replace(/\s+/g, ' ').slice(0, 80), where });
  };

  /** Literals that an expression renders (as text, or as a shown attribute's value). */
  const rendered = (expr, where) => {
    if (!expr) return;
    if (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isNonNullExpression(expr)) return rendered(expr.expression, where);
    if (ts.isStringLiteral(expr) || ts.isNoSubstitutionTemplateLiteral(expr)) {
      if (LETTER.test(expr.text) && !URLISH.test(expr.text)) report(expr, expr.text, where);
      return;
    }
    if (ts.isTemplateExpression(expr)) {
      const parts = [expr.head.text, ...expr.templateSpans.map((s) => s.literal.text)].join(' ');
      if (LETTER.test(parts)) report(expr, parts, where);
      for (const s of expr.templateSpans) rendered(s.expression, where);
      return;
    }
    if (ts.isConditionalExpression(expr)) {
      rendered(expr.whenTrue, where);
      rendered(expr.whenFalse, where);
      return;
    }
    if (ts.isBinaryExpression(expr) && [ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.AmpersandAmpersandToken].includes(expr.operatorToken.kind)) {
      rendered(expr.left, where);
      rendered(expr.right, where);
      return;
    }
    if (ts.isBinaryExpression(expr) && expr.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      rendered(expr.left, where);
      rendered(expr.right, where);
      return;
    }
    if (ts.isArrayLiteralExpression(expr)) for (const e of expr.elements) rendered(e, where);
    // Calls (t('key'), map(…) returning templates), identifiers, property reads: nested templates are visited on their own.
  };

  const visitTemplate = (node) => {
    const tpl = node.template;
    const statics = ts.isNoSubstitutionTemplateLiteral(tpl) ? [tpl.text] : [tpl.head.text, ...tpl.templateSpans.map((s) => s.literal.text)];
    const exprs = ts.isNoSubstitutionTemplateLiteral(tpl) ? [] : tpl.templateSpans.map((s) => s.expression);
    // The static markup, with a marker where each expression goes, so that text and attributes are read in context.
    let before = '';
    for (let i = 0; i < statics.length; i++) {
      const chunk = statics[i];
      checkStatic(chunk, before, node);
      before += chunk;
      if (i < exprs.length) {
        const attr = attributeAt(before);
        if (!attr) rendered(exprs[i], 'text');
        else if (shownAttribute(attr.name)) rendered(exprs[i], `${attr.name}=`);
        before += '\u0000';
      }
    }
  };

  /** Static text and attribute values in `chunk`, read after the markup `before`. */
  const checkStatic = (chunk, before, node) => {
    let inTag = before.lastIndexOf('<') > before.lastIndexOf('>');
    let buf = '';
    let i = 0;
    const flushText = () => {
      const t = buf.replace(/&[a-z]+;|&#\d+;/gi, ' ');
      if (LETTER.test(t)) report(node, t, 'text');
      buf = '';
    };
    while (i < chunk.length) {
      const c = chunk[i];
      if (!inTag) {
        if (c === '<') {
          if (chunk.startsWith('<!--', i)) {
            const end = chunk.indexOf('-->', i);
            i = end === -1 ? chunk.length : end + 3;
            continue;
          }
          flushText();
          inTag = true;
          i++;
          continue;
        }
        buf += c;
        i++;
        continue;
      }
      if (c === '>') {
        inTag = false;
        i++;
        continue;
      }
      // name="value" (or 'value') wholly inside this chunk
      const m = /^([^\s"'<>/=]+)\s*=\s*(["'])([^"']*)\2/.exec(chunk.slice(i));
      if (m) {
        const name = m[1].toLowerCase();
        const value = m[3];
        if (shownAttribute(name) && LETTER.test(value) && !URLISH.test(value)) report(node, `${name}="${value}"`, 'attribute');
        i += m[0].length;
        continue;
      }
      // name=value unquoted
      // eslint-disable-next-line no-control-regex -- \u0000 marks where an expression was
      const u = /^([^\s"'<>/=]+)\s*=\s*([^\s"'<>=`\u0000]+)/.exec(chunk.slice(i));
      if (u) {
        const name = u[1].toLowerCase();
        if (shownAttribute(name) && LETTER.test(u[2]) && !URLISH.test(u[2])) report(node, `${name}=${u[2]}`, 'attribute');
        i += u[0].length;
        continue;
      }
      // the rest of a value whose start was before an expression: name="${x} more text"
      const rest = /^([^"'>]*)(["'])/.exec(chunk.slice(i));
      const attr = attributeAt(before + chunk.slice(0, i));
      if (rest && attr?.quoted) {
        if (shownAttribute(attr.name) && LETTER.test(rest[1])) report(node, `${attr.name}="…${rest[1]}"`, 'attribute');
        i += rest[0].length;
        continue;
      }
      i++;
    }
    if (!inTag) flushText();
  };

  /** A literal outside templates that reads like a sentence or a label (words with a space, or a capitalised word). */
  const prose = (value) => /\p{L}[\p{L}’',.:!?…]*\s+[\p{L}{$]/u.test(value) || /^\p{Lu}\p{Ll}+/u.test(value.trim());
  /** Literals that cannot be shown text: arguments of calls (ids, keys, event names, errors), keys, comparisons, imports, types. */
  const notText = (node) => {
    for (let n = node; n.parent; n = n.parent) {
      const parent = n.parent;
      // Code inside a function (a callback too) is judged where it is, not by the call the function is passed to.
      if (ts.isFunctionLike(parent)) return false;
      if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.arguments?.includes(n)) return true;
      if (ts.isTaggedTemplateExpression(parent)) return true;
      if (ts.isImportDeclaration(parent) || ts.isExportDeclaration(parent) || ts.isLiteralTypeNode(parent)) return true;
      if (ts.isPropertyAssignment(parent) && parent.name === n) return true;
      if (ts.isElementAccessExpression(parent) && parent.argumentExpression === n) return true;
      if (ts.isCaseClause(parent) && parent.expression === n) return true;
      if (ts.isBinaryExpression(parent) && [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken].includes(parent.operatorToken.kind)) return true;
      if (ts.isStatement(parent) || ts.isClassElement(parent) && !ts.isPropertyDeclaration(parent)) return false;
    }
    return false;
  };
  const visit = (node) => {
    if (ts.isTaggedTemplateExpression(node) && ts.isIdentifier(node.tag) && (node.tag.text === 'html' || node.tag.text === 'svg' || node.tag.text === 'css')) {
      if (node.tag.text !== 'css') visitTemplate(node);
      return;
    }
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && prose(node.text) && !URLISH.test(node.text) && !notText(node)) {
      report(node, node.text, 'literal');
    }
    if (ts.isTemplateExpression(node) && !notText(node)) {
      const parts = [node.head.text, ...node.templateSpans.map((sp) => sp.literal.text)].join(' ');
      if (prose(parts)) report(node, parts, 'literal');
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return problems;
}

/** Every element source: src/components/**\/*.ts but the styles. */
export function componentFiles(dir = 'src/components') {
  const out = [];
  for (const f of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, f.name);
    if (f.isDirectory()) out.push(...componentFiles(p));
    else if (p.endsWith('.ts') && !p.endsWith('.styles.ts')) out.push(p);
  }
  return out.sort();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = componentFiles();
  const problems = files.flatMap((f) => checkSource(f, readFileSync(f, 'utf8')));
  if (problems.length) {
    console.error(`Hard-coded text in templates: ${problems.length} (put it in src/i18n/en.ts and render it with this.t(…))`);
    for (const p of problems) console.error(`  ${p.file}:${p.line}:${p.column}  ${p.where}: ${JSON.stringify(p.text)}`);
    process.exit(1);
  }
  console.log(`templates ok: no hard-coded text in ${files.length} files of src/components`);
}
