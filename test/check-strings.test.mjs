// Proves that scripts/check-strings.mjs (run by `npm run lint`) fails on a
// hard-coded text in an element, in each place one can hide (template text,
// a shown attribute, an expression, a constant, a property default), lets
// catalogue calls and technical values through, and that src/components
// passes today.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { checkSource, componentFiles } from '../scripts/check-strings.mjs';

const file = (body) => `import { html, svg, css } from 'lit';\n${body}\n`;
const problems = (body) => checkSource('src/components/x/x.ts', file(body));

function assertFlags(body, text, what) {
  const found = problems(body);
  assert.ok(found.some((p) => p.text.includes(text)), `${what}: expected "${text}" to be flagged, got ${JSON.stringify(found)}`);
}

function assertClean(body, what) {
  assert.deepEqual(problems(body), [], `${what} must pass`);
}

test('text between tags fails', () => {
  assertFlags('export const a = () => html`<button type="button">Send</button>`;', 'Send', 'button text');
  assertFlags('export const a = (n: string) => html`<p>${n} is typing…</p>`;', 'is typing', 'text around an expression');
  assertFlags('export const a = () => html`<p>Hallo</p>`;', 'Hallo', 'any language');
});

test('a shown attribute with a text fails, a technical one passes', () => {
  assertFlags('export const a = () => html`<button aria-label="Close chat"></button>`;', 'Close chat', 'aria-label');
  assertFlags('export const a = () => html`<span title="Vouched for"></span>`;', 'Vouched for', 'title');
  assertFlags('export const a = () => html`<input placeholder="Type here" />`;', 'Type here', 'placeholder');
  assertFlags('export const a = () => html`<x-log label="Chat messages"></x-log>`;', 'Chat messages', 'an element attribute');
  assertFlags('export const a = (n: string) => html`<div aria-label="${n}’s page, live"></div>`;', 'page, live', 'text after an expression in a value');
  assertClean('export const a = () => html`<div class="card big" part="card" id="title" role="alertdialog" aria-labelledby="title" data-state="held"></div>`;', 'class, part, id, role, ARIA references, data-*');
  assertClean('export const a = () => html`<input type="url" autocomplete="url" placeholder="https://" />`;', 'types and URLs');
  assertClean('export const a = () => svg`<path fill="currentColor" d="M4 6h11a2"/>`;', 'SVG geometry');
});

test('string literals rendered by an expression fail, catalogue calls pass', () => {
  assertFlags('export const a = (x: boolean) => html`<span>${x ? \'Opened\' : \'Not opened yet\'}</span>`;', 'Not opened yet', 'a conditional');
  assertFlags('export const a = (x?: string) => html`<span>${x ?? \'Customer\'}</span>`;', 'Customer', 'a fallback');
  assertFlags('export const a = (x: string) => html`<b aria-label=${`Video of ${x}`}></b>`;', 'Video of', 'a template literal in an attribute');
  assertClean(
    "export const a = (t: (k: string) => string, x: boolean) => html`<button aria-label=${t('widget.close')} class=${x ? 'on' : 'off'} .hint=${'send'} @click=${() => go('vc-end-request')}>${t(x ? 'a.b' : 'c.d')}</button>`;\ndeclare function go(s: string): void;",
    'catalogue calls, class values, property bindings and call arguments',
  );
});

test('a text kept outside the template fails too: constants, defaults, returns, callbacks', () => {
  assertFlags("const LABELS = { sending: 'Sending…', sent: 'Sent' };\nexport { LABELS };", 'Sending', 'a constant');
  assertFlags("export class X { peerName = 'The agent'; }", 'The agent', 'a property default');
  assertFlags("export function status(): string { return 'Not connected'; }", 'Not connected', 'a return value');
  assertFlags("export const f = (m: string) => run((e: string) => `Message not sent: ${e}`, m);\ndeclare function run(a: unknown, b: string): void;", 'Message not sent', 'a callback');
  assertClean(
    "export function f(s: string, e: Record<string, string>) { if (s === 'Not here') throw new Error('Developer message here'); return e['some key'] + s; }\nimport type { X } from './Some Module.js';",
    'comparisons, thrown errors, keys and imports',
  );
});

test('src/components has no hard-coded text', () => {
  const found = componentFiles().flatMap((f) => checkSource(f, readFileSync(f, 'utf8')));
  assert.deepEqual(found, []);
});
