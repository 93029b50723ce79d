/**
 * The protocol's schemas: a small validator with valibot's names and meaning
 * for the part of it the protocol uses (objects that drop, refuse or keep
 * unknown keys, optional keys, arrays, literals, picklists, unions and
 * variants, pipes of checks and transforms, the first issue with its path).
 *
 * Why not valibot itself: every customer downloads these schemas with the
 * chat (the widget validates everything from the wire), and valibot's pieces
 * carry what the protocol never reads (issue objects with expected/received,
 * language hooks, Standard Schema, async variants): 2.6 KiB gzip against
 * under 1 KiB here, on every path of a widget with a 20 KiB budget (issue
 * 14). The broker's own configuration keeps valibot (its messages quote
 * what was received; nothing of it reaches a browser).
 *
 * Semantics kept from valibot, on purpose: `object` drops unknown keys,
 * `strictObject` refuses them, an optional key missing stays missing, NaN is
 * not a number, a pipe stops at the first failed step.
 */

/** Where validation is: the path to the value at hand, and the first issue found. */
export interface Context {
  readonly path: PropertyKey[];
  issue?: Issue;
}

/** What was wrong, and where (keys from the root; empty at the root). */
export interface Issue {
  readonly message: string;
  readonly path: ReadonlyArray<{ readonly key: PropertyKey }>;
}

/** Validates a value and returns it (transformed where a pipe says so), or reports an issue in `ctx`. */
export interface Schema<T = unknown> {
  readonly '~run': (value: unknown, ctx: Context) => T;
  /** An object schema's entries (kept through pipe), so variant can find its discriminator. */
  readonly entries?: Entries;
  readonly optional?: boolean;
}
export type GenericSchema = Schema;
export type InferOutput<S extends Schema> = S extends Schema<infer T> ? T : never;
export type Entries = { readonly [key: string]: Schema };

/** One step of a pipe after its schema: checks the value (returns it) or turns it into another. */
export type Action<I, O> = (value: I, ctx: Context) => O;

export type SafeParseResult<T> = { success: true; output: T; issues?: undefined } | { success: false; output?: undefined; issues: [Issue] };

// Returned by a failed step; never reaches a caller (safeParse turns it into the issue).
const FAIL = Symbol('invalid');

const fail = (ctx: Context, message: string): never => {
  ctx.issue ??= { message, path: ctx.path.map((key) => ({ key })) };
  return FAIL as never;
};

/** An issue about the value at `key`. */
const failAt = (ctx: Context, key: PropertyKey, message: string): never => {
  ctx.path.push(key);
  fail(ctx, message);
  ctx.path.pop();
  return FAIL as never;
};

/** Runs `schema` on `value` with `key` pushed on the path. */
const at = (schema: Schema, value: unknown, ctx: Context, key: PropertyKey): unknown => {
  ctx.path.push(key);
  const out = schema['~run'](value, ctx);
  ctx.path.pop();
  return out;
};

const typed = <T>(test: (value: unknown) => boolean, expected: string, message?: string): Schema<T> => ({
  '~run': (value, ctx) => (test(value) ? (value as T) : fail(ctx, message ?? `Invalid type: expected ${expected}`)),
});

export const string = (message?: string) => typed<string>((x) => typeof x == 'string', 'string', message);
/** A number, not NaN (Infinity is one: use `finite`). */
export const number = (message?: string) => typed<number>((x) => typeof x == 'number' && !Number.isNaN(x), 'number', message);
export const boolean = (message?: string) => typed<boolean>((x) => typeof x == 'boolean', 'boolean', message);
export const unknown = (): Schema<unknown> => ({ '~run': (value) => value });
export const literal = <const T extends string | number | boolean>(literal: T, message?: string) => typed<T>((x) => x === literal, JSON.stringify(literal), message);
export const picklist = <const T extends readonly (string | number)[]>(options: T, message?: string) =>
  typed<T[number]>((x) => options.includes(x as T[number]), options.map((o) => JSON.stringify(o)).join(' | '), message);

/** `undefined` or what `schema` accepts; as an object's entry, the key may be missing. */
export const optional = <S extends Schema>(schema: S): Schema<InferOutput<S> | undefined> & { readonly optional: true } => ({
  '~run': (value, ctx) => (value === undefined ? undefined : (schema['~run'](value, ctx) as InferOutput<S>)),
  optional: true,
});

export const array = <S extends Schema>(item: S, message?: string): Schema<Array<InferOutput<S>>> => ({
  '~run': (value, ctx) => {
    if (!Array.isArray(value)) return fail(ctx, message ?? 'Invalid type: expected array');
    const out: Array<InferOutput<S>> = [];
    for (let i = 0; i < value.length; i++) {
      const r = at(item, value[i], ctx, i);
      if (r === FAIL) return r as never;
      out.push(r as InferOutput<S>);
    }
    return out;
  },
});

type OptionalKeys<E extends Entries> = { [K in keyof E]: E[K] extends { readonly optional: true } ? K : never }[keyof E];
type Flat<T> = { [K in keyof T]: T[K] } & {};
export type ObjectOutput<E extends Entries> = Flat<{ -readonly [K in Exclude<keyof E, OptionalKeys<E>>]: InferOutput<E[K]> } & { -readonly [K in OptionalKeys<E>]?: InferOutput<E[K]> }>;

const object_ = <E extends Entries>(entries: E, strict: boolean, message?: string): Schema<ObjectOutput<E>> => ({
  '~run': (value, ctx) => {
    if (typeof value != 'object' || value === null || Array.isArray(value)) return fail(ctx, message ?? 'Invalid type: expected object');
    const input = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key in entries) {
      const r = at(entries[key], input[key], ctx, key);
      if (r === FAIL) return r as never;
      // An optional key that is missing stays missing (not a key with undefined).
      if (r !== undefined || key in input) out[key] = r;
    }
    if (strict) {
      // hasOwn, not `in`: "__proto__" or "toString" from the wire are unknown keys, not entries.
      for (const key in input) if (!Object.hasOwn(entries, key)) return failAt(ctx, key, message ?? `Invalid key: ${key} is not expected`);
    }
    return out as ObjectOutput<E>;
  },
  entries,
});
/** An object; unknown keys are dropped from the output. */
export const object = <E extends Entries>(entries: E, message?: string) => object_(entries, false, message);
/** An object with exactly these keys (optional ones may be missing); any other key is an issue. */
export const strictObject = <E extends Entries>(entries: E, message?: string) => object_(entries, true, message);

/** The first option that accepts the value. */
export const union = <const O extends readonly Schema[]>(options: O, message?: string): Schema<InferOutput<O[number]>> => ({
  '~run': (value, ctx) => {
    for (const option of options) {
      const trial: Context = { path: ctx.path };
      const r = option['~run'](value, trial);
      if (!trial.issue) return r as InferOutput<O[number]>;
    }
    return fail(ctx, message ?? 'Invalid type: no option matches');
  },
});

/** Objects told apart by `key`: the option whose entry for `key` accepts the value's decides (its issues are the value's). */
export const variant = <const O extends readonly Schema[]>(key: string, options: O, message?: string): Schema<InferOutput<O[number]>> => ({
  '~run': (value, ctx) => {
    const tag = typeof value == 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
    for (const option of options) {
      const trial: Context = { path: [] };
      const entry = option.entries?.[key];
      if (entry && (entry['~run'](tag, trial), !trial.issue)) return option['~run'](value, ctx) as InferOutput<O[number]>;
    }
    return failAt(ctx, key, message ?? `Invalid ${key}`);
  },
});

type In<S extends Schema> = InferOutput<S>;
/** A schema, then checks and transforms in order; stops at the first issue. */
export function pipe<S extends Schema, O1>(schema: S, a1: Action<In<S>, O1>): Schema<O1>;
export function pipe<S extends Schema, O1, O2>(schema: S, a1: Action<In<S>, O1>, a2: Action<O1, O2>): Schema<O2>;
export function pipe<S extends Schema, O1, O2, O3>(schema: S, a1: Action<In<S>, O1>, a2: Action<O1, O2>, a3: Action<O2, O3>): Schema<O3>;
export function pipe<S extends Schema, O1, O2, O3, O4>(schema: S, a1: Action<In<S>, O1>, a2: Action<O1, O2>, a3: Action<O2, O3>, a4: Action<O3, O4>): Schema<O4>;
export function pipe<S extends Schema, O1, O2, O3, O4, O5>(schema: S, a1: Action<In<S>, O1>, a2: Action<O1, O2>, a3: Action<O2, O3>, a4: Action<O3, O4>, a5: Action<O4, O5>): Schema<O5>;
export function pipe<S extends Schema, O1, O2, O3, O4, O5, O6>(
  schema: S, a1: Action<In<S>, O1>, a2: Action<O1, O2>, a3: Action<O2, O3>, a4: Action<O3, O4>, a5: Action<O4, O5>, a6: Action<O5, O6>,
): Schema<O6>;
export function pipe(schema: Schema, ...actions: Array<Action<unknown, unknown>>): Schema {
  return {
    '~run': (value, ctx) => {
      let r = schema['~run'](value, ctx);
      for (const action of actions) {
        if (r === FAIL) break;
        r = action(r, ctx);
      }
      return r;
    },
    entries: schema.entries,
  };
}

const validation = <T>(test: (value: T) => boolean, message: string): Action<T, T> => (value, ctx) => (test(value) ? value : fail(ctx, message));
/** Any test of the value; `message` says what it requires. */
export const check = <T>(test: (value: T) => boolean, message = 'Invalid input') => validation(test, message);
export const minLength = <T extends { length: number }>(n: number, message?: string) => validation<T>((x) => x.length >= n, message ?? `Invalid length: expected at least ${n}`);
export const maxLength = <T extends { length: number }>(n: number, message?: string) => validation<T>((x) => x.length <= n, message ?? `Invalid length: expected at most ${n}`);
export const nonEmpty = <T extends { length: number }>(message?: string) => validation<T>((x) => x.length > 0, message ?? 'Invalid length: expected not empty');
export const minValue = <T extends number>(n: number, message?: string) => validation<T>((x) => x >= n, message ?? `Invalid value: expected at least ${n}`);
export const maxValue = <T extends number>(n: number, message?: string) => validation<T>((x) => x <= n, message ?? `Invalid value: expected at most ${n}`);
export const integer = <T extends number>(message?: string) => validation<T>(Number.isInteger, message ?? 'Invalid value: expected an integer');
export const finite = <T extends number>(message?: string) => validation<T>(Number.isFinite, message ?? 'Invalid value: expected a finite number');
export const regex = <T extends string>(pattern: RegExp, message?: string) => validation<T>((x) => pattern.test(x), message ?? `Invalid format: expected ${pattern}`);
// valibot's email pattern: a practical subset of RFC 5322 (no quoted parts, no IP literals).
export const email = <T extends string>(message?: string) => regex<T>(/^[\w+-]+(?:\.[\w+-]+)*@[\da-z]+(?:[.-][\da-z]+)*\.[a-z]{2,}$/iu, message ?? 'Invalid email');
export const trim = <T extends string>(): Action<T, string> => (x) => x.trim();
export const transform = <I, O>(fn: (value: I) => O): Action<I, O> => (x) => fn(x);

export function safeParse<S extends Schema>(schema: S, value: unknown): SafeParseResult<InferOutput<S>> {
  const ctx: Context = { path: [] };
  const output = schema['~run'](value, ctx) as InferOutput<S>;
  return ctx.issue ? { success: false, issues: [ctx.issue] } : { success: true, output };
}

/** The value as the schema accepts it; throws a TypeError naming the first issue (and holding it as `issues`) otherwise. */
export function parse<S extends Schema>(schema: S, value: unknown): InferOutput<S> {
  const r = safeParse(schema, value);
  if (r.success) return r.output;
  const [issue] = r.issues;
  const path = issue.path.map((p) => String(p.key)).join('.');
  throw Object.assign(new TypeError(path ? `${path}: ${issue.message}` : issue.message), { issues: r.issues });
}
