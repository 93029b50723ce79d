// The message format of the catalogues: a small, typed subset of ICU
// MessageFormat that translators and their tools already know.
//
//   {name}                                  a named placeholder (numbers are formatted for the locale)
//   {count, plural, one {# file} other {# files}}   plural by Intl.PluralRules; `=0 {…}` for exact values; `#` is the number
//   {mode, select, voice {a call} other {a video}}  a choice by a string parameter
//   {items, list}                           a list joined by Intl.ListFormat ("a, b and c")
//
// Placeholders are named, so a translation may put them in any order. Case
// bodies may hold plain placeholders. No quoting: `{` and `}` are never text.

/** Parameter values a message takes. */
export type ParamValue = string | number | readonly string[];
export type Params = Readonly<Record<string, ParamValue>>;

// ---- the parameter types of a message, read from its English text at compile time ----

type Ws = ' ' | '\n' | '\t';
type TrimStart<S extends string> = S extends `${Ws}${infer R}` ? TrimStart<R> : S;
type TrimEnd<S extends string> = S extends `${infer R}${Ws}` ? TrimEnd<R> : S;
type Trim<S extends string> = TrimStart<TrimEnd<S>>;
type KindType<K extends string> = K extends 'plural' | 'number' ? number : K extends 'list' ? readonly string[] : K extends 'select' ? string : string | number;
type Arg<N extends string, T> = { [K in Trim<N>]: T };

/** Reads `{…}` arguments from S (and plain placeholders inside plural/select cases). */
type ArgsOf<S extends string, Acc = unknown> = S extends `${string}{${infer Rest}` ? ArgAt<Rest, Acc> : Acc;
type ArgAt<S extends string, Acc> = S extends `${infer Name}}${infer Rest}`
  ? Name extends `${string},${string}`
    ? Complex<S, Acc>
    : ArgsOf<Rest, Acc & Arg<Name, string | number>>
  : Acc;
type Complex<S extends string, Acc> = S extends `${infer Name},${infer Spec}`
  ? Spec extends `${infer Kind}}${infer Rest}`
    ? Kind extends `${string},${string}`
      ? Spec extends `${infer Kind2},${infer CaseText}`
        ? Cases<CaseText, Acc & Arg<Name, KindType<Trim<Kind2>>>>
        : Acc
      : ArgsOf<Rest, Acc & Arg<Name, KindType<Trim<Kind>>>>
    : Acc
  : Acc;
/** ` one {…} other {…}} rest`: each case body, then on after the closing brace. */
type Cases<S extends string, Acc> = TrimStart<S> extends `}${infer Rest}`
  ? ArgsOf<Rest, Acc>
  : TrimStart<S> extends `${string}{${infer Body}`
    ? CaseBody<Body, Acc>
    : Acc;
type CaseBody<S extends string, Acc> = S extends `${infer Text}}${infer Rest}`
  ? Text extends `${string}{${infer Name}`
    ? CaseBody<Rest, Acc & Arg<Name, string | number>>
    : Cases<Rest, Acc>
  : Acc;
type Simplify<T> = { [K in keyof T]: T[K] };

/** The parameters of the message text S: `{}` when it has none. */
export type MessageParams<S extends string> = Simplify<ArgsOf<S, unknown> & object>;

// ---- parsing and formatting at run time ----

type Node =
  | string
  | { arg: string }
  | { arg: string; kind: 'plural' | 'select'; cases: Record<string, Node[]> }
  | { arg: string; kind: 'list' | 'number' }
  | { hash: true };

const parsed = new Map<string, Node[]>();

/** Parses a message; throws SyntaxError with the position on a malformed one. */
export function parseMessage(text: string): Node[] {
  let ast = parsed.get(text);
  if (!ast) {
    const p = { i: 0 };
    ast = parseNodes(text, p, false);
    if (p.i < text.length) throw new SyntaxError(`unexpected "}" at ${p.i} in: ${text}`);
    parsed.set(text, ast);
  }
  return ast;
}

function parseNodes(s: string, p: { i: number }, inCase: boolean): Node[] {
  const out: Node[] = [];
  let buf = '';
  while (p.i < s.length) {
    const c = s[p.i];
    if (c === '}') break;
    if (c === '#' && inCase) {
      if (buf) out.push(buf);
      buf = '';
      out.push({ hash: true });
      p.i++;
      continue;
    }
    if (c !== '{') {
      buf += c;
      p.i++;
      continue;
    }
    if (buf) out.push(buf);
    buf = '';
    p.i++;
    out.push(parseArg(s, p));
  }
  if (buf) out.push(buf);
  return out;
}

function parseArg(s: string, p: { i: number }): Node {
  const end = (chars: string) => {
    let j = p.i;
    while (j < s.length && !chars.includes(s[j])) j++;
    if (j >= s.length) throw new SyntaxError(`unclosed "{" in: ${s}`);
    return j;
  };
  let j = end(',}');
  const arg = s.slice(p.i, j).trim();
  if (!/^[A-Za-z_][\w-]*$/.test(arg)) throw new SyntaxError(`bad placeholder name "${arg}" in: ${s}`);
  p.i = j + 1;
  if (s[j] === '}') return { arg };
  j = end(',}');
  const kind = s.slice(p.i, j).trim();
  p.i = j + 1;
  if (s[j] === '}') {
    if (kind !== 'list' && kind !== 'number') throw new SyntaxError(`unknown format "${kind}" in: ${s}`);
    return { arg, kind };
  }
  if (kind !== 'plural' && kind !== 'select') throw new SyntaxError(`unknown format "${kind}" in: ${s}`);
  const cases: Record<string, Node[]> = {};
  for (;;) {
    while (/\s/.test(s[p.i] ?? '')) p.i++;
    if (s[p.i] === '}') {
      p.i++;
      break;
    }
    j = end('{');
    const key = s.slice(p.i, j).trim();
    if (!key) throw new SyntaxError(`case without a key in: ${s}`);
    p.i = j + 1;
    cases[key] = parseNodes(s, p, kind === 'plural');
    if (s[p.i] !== '}') throw new SyntaxError(`unclosed case "${key}" in: ${s}`);
    p.i++;
  }
  if (!cases.other) throw new SyntaxError(`"${arg}" has no "other" case in: ${s}`);
  return { arg, kind, cases };
}

/** Every placeholder name a message uses (for checking translations against English). */
export function placeholdersOf(text: string): string[] {
  const names = new Set<string>();
  const walk = (nodes: Node[]) => {
    for (const n of nodes) {
      if (typeof n === 'string' || 'hash' in n) continue;
      names.add(n.arg);
      if ('cases' in n) for (const c of Object.values(n.cases)) walk(c);
    }
  };
  walk(parseMessage(text));
  return [...names].sort();
}

const cache = new Map<string, Intl.PluralRules | Intl.NumberFormat | Intl.ListFormat>();
function intl<T extends Intl.PluralRules | Intl.NumberFormat | Intl.ListFormat>(kind: string, locale: string, make: () => T): T {
  const key = `${kind}|${locale}`;
  let f = cache.get(key) as T | undefined;
  if (!f) cache.set(key, (f = make()));
  return f;
}
const numberFormat = (locale: string) => intl('n', locale, () => new Intl.NumberFormat(locale));

/** Formats a parsed message in `locale` (plural rules, numbers and lists follow it). */
export function formatMessage(locale: string, text: string, params: Params = {}): string {
  return render(parseMessage(text), locale, params, undefined);
}

function render(nodes: Node[], locale: string, params: Params, hash: number | undefined): string {
  let out = '';
  for (const n of nodes) {
    if (typeof n === 'string') out += n;
    else if ('hash' in n) out += hash === undefined ? '#' : numberFormat(locale).format(hash);
    else out += renderArg(n, locale, params, hash);
  }
  return out;
}

function renderArg(n: Exclude<Node, string | { hash: true }>, locale: string, params: Params, hash: number | undefined): string {
  const value = params[n.arg];
  if (!('kind' in n)) {
    if (value === undefined) return `{${n.arg}}`;
    return typeof value === 'number' ? numberFormat(locale).format(value) : String(value);
  }
  switch (n.kind) {
    case 'number':
      return typeof value === 'number' ? numberFormat(locale).format(value) : String(value ?? '');
    case 'list': {
      const items = Array.isArray(value) ? (value as readonly string[]) : value === undefined ? [] : [String(value)];
      return intl('l', locale, () => new Intl.ListFormat(locale, { type: 'conjunction' })).format(items);
    }
    case 'plural': {
      const count = Number(value ?? 0);
      const exact = n.cases[`=${count}`];
      const category = intl('p', locale, () => new Intl.PluralRules(locale)).select(count);
      return render(exact ?? n.cases[category] ?? n.cases.other, locale, params, count);
    }
    case 'select':
      return render(n.cases[String(value)] ?? n.cases.other, locale, params, hash);
  }
}
