/**
 * What the YAQL evaluator and its standard library share: the environment, lazily evaluated
 * call arguments, argument checks and yaql's operator semantics on plain data (Python
 * truthiness, comparison, `+`, `in`, str()).
 */
import { KeyFault, fault, typeFault, valueFault, type Fault } from '../faults.ts';
import { deepEqual, isPlainObject, pyRepr, pyStr, pyTypeName } from '../pystr.ts';
import type { ExpressionContext } from '../types.ts';
import type { Node } from './parser.ts';
import { setOwn } from '../../../template/plain-data.ts';
import { isUnsafeName } from '../../../template/sandbox.ts';
import { SandboxError } from '../../../template/errors.ts';

export interface Env {
  context: ExpressionContext;
  /** `$`: the context variables at the top, the current element inside a lambda. */
  dollar: unknown;
  /** `$1`, `$2`, ... and other `$name` variables (a dict without prototype). */
  vars: Record<string, unknown>;
  /** Functions defined with `def()` on the left of `->`, by name (without prototype). */
  functions?: Record<string, Opaque>;
  /** Variables bound by `let()`/`with()` to an expression written as a Python float (`let(x => 2.0)`). */
  floats?: ReadonlySet<string>;
}

/** A call argument, evaluated on demand: once as a value, or many times as a lambda of `$`. */
export interface LazyArg {
  value(): unknown;
  /** Evaluates the argument with `$` (and `$1`) bound to the first value, `$2` to the second... */
  lambda(...dollars: unknown[]): unknown;
  /** Evaluates the argument in another environment (the right side of `->`, a match's `$1`). */
  within(env: Env): unknown;
  /** The argument's expression and where it was written, for `def` and `lambda`; absent for a receiver. */
  node?: Node;
  env?: Env;
  /** Written as a Python float (`2.0`, `x * 1.0`): JavaScript has one number type. */
  float?: boolean;
}

export interface Call {
  name: string;
  /** Positional arguments; a hole where one was left out (`f(a,, b)`). */
  args: Array<LazyArg | undefined>;
  kwargs: Record<string, LazyArg>;
  /** `condition => value` rules, for switch(). */
  rules?: Array<[LazyArg, LazyArg]>;
  env: Env;
}

export type StdFunction = (call: Call) => unknown;

/** A version of a function for other argument types; `next` is the function it stands in front of. */
export type Overload = (call: Call, next: StdFunction) => unknown;

/** Lists that yaql would hold as iterators (results of select/where/range...): `list()` unpacks them. */
export const iterators = new WeakSet<unknown[]>();
export function iter<T>(list: T[]): T[] {
  spend(list.length);
  iterators.add(list);
  return list;
}

/** Lists that stand for yaql sets (`set(1, 2)`): compared and combined as sets, plain lists outside. */
const sets = new WeakSet<unknown[]>();
export function asSet(items: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const x of items) if (!out.some((y) => deepEqual(x, y))) out.push(x);
  sets.add(out);
  return out;
}
export function isSet(v: unknown): v is unknown[] {
  return Array.isArray(v) && sets.has(v);
}

/**
 * A value yaql has and JSON does not: a lambda, a def'd function, a scope for `->`, a compiled
 * regex. It is a frozen function with no members of its own, so nothing can read into it
 * (`isPlainObject` is false, member access and indexing fail, it is never plain data); what it
 * stands for is kept aside, reachable only from this module.
 */
export type Opaque = () => never;
export type OpaqueValue = { kind: 'lambda'; node: Node; env: Env } | { kind: 'scope'; env: Env } | { kind: 'regex'; re: RegExp };
const opaques = new WeakMap<Opaque, OpaqueValue>();
export function opaque(value: OpaqueValue): Opaque {
  const token = Object.freeze(
    Object.setPrototypeOf(() => {
      throw typeFault(`a yaql ${value.kind} is not callable from JavaScript`);
    }, null) as Opaque,
  );
  opaques.set(token, value);
  return token;
}
export function opaqueOf<K extends OpaqueValue['kind']>(v: unknown, kind: K): Extract<OpaqueValue, { kind: K }> | undefined {
  const o = typeof v === 'function' ? opaques.get(v as Opaque) : undefined;
  return o?.kind === kind ? (o as Extract<OpaqueValue, { kind: K }>) : undefined;
}

/** Bounds on one evaluation, so that a hostile expression cannot hang or exhaust memory. */
export const LIMITS = {
  /** Items in one list, set or dict built by an expression (range, generate, repeat, `*`...). */
  items: 100_000,
  /** Characters in one string built by an expression. */
  chars: 1_000_000,
  /** Nested calls of lambdas and def'd functions. */
  depth: 100,
  /** Steps (nodes evaluated, items produced) in one evaluation. */
  steps: 2_000_000,
};

/** Work done by the evaluation under way (evaluation is synchronous: one at a time). */
export const budget = { depth: 0, steps: 0, calls: 0 };

/**
 * Counts `n` steps of work: a node evaluated, an item produced, 16 characters built. Across one
 * evaluation, so that many small collections cannot add up to an exhausted memory either.
 */
export function spend(n: number): void {
  budget.steps += n;
  if (budget.steps > LIMITS.steps) throw tooBig('the work of this expression');
}

export function tooBig(what: string): Fault {
  return fault('LimitExceeded', `${what} is over the expression limit`);
}

export function checkItems(n: number, what = 'the collection'): void {
  if (n > LIMITS.items) throw tooBig(what);
  spend(Math.max(0, n));
}

export function checkChars(n: number): void {
  if (n > LIMITS.chars) throw tooBig('the string');
  spend(Math.ceil(Math.max(0, n) / 16));
}

// ---------------------------------------------------------------- helpers

export function isNumber(v: unknown): v is number {
  return typeof v === 'number';
}

export function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

/** yaql's `str()`: null, true, false in yaql spelling, the rest as Python's str. */
export function yaqlStr(v: unknown): string {
  if (typeof v === 'function') throw typeFault(`str() of a yaql ${opaques.get(v as Opaque)?.kind ?? 'function'}`);
  if (v === null || v === undefined) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  return pyStr(v);
}

export function seq(v: unknown, fn: string): unknown[] {
  if (Array.isArray(v)) return v;
  throw typeFault(`${fn}() expects a collection, got ${pyTypeName(v)}`);
}

export function dict(v: unknown, fn: string): Record<string, unknown> {
  if (isPlainObject(v)) return v;
  throw typeFault(`${fn}() expects a dict, got ${pyTypeName(v)}`);
}

export function string(v: unknown, fn: string): string {
  if (typeof v === 'string') return v;
  throw typeFault(`${fn}() expects a string, got ${pyTypeName(v)}`);
}

export function integer(v: unknown, fn: string): number {
  if (isInt(v)) return v;
  throw typeFault(`${fn}() expects an integer, got ${pyTypeName(v)}`);
}

/** The value of an argument, null where it was left out. */
export function valueOf(a: LazyArg | undefined): unknown {
  return a ? a.value() : null;
}

export function argAt(call: Call, index: number, name?: string): LazyArg | undefined {
  return call.args[index] ?? (name !== undefined && Object.hasOwn(call.kwargs, name) ? call.kwargs[name] : undefined);
}

export function need(call: Call, index: number, name?: string): LazyArg {
  const a = argAt(call, index, name);
  if (!a) throw typeFault(`${call.name}() missing required argument${name ? ` '${name}'` : ''}`);
  return a;
}

export function opt(call: Call, index: number, name: string | undefined, fallback: unknown): unknown {
  const a = argAt(call, index, name);
  return a ? a.value() : fallback;
}

export function cmpSymbol(op: string, a: unknown, b: unknown): Fault {
  return typeFault(`'${op}' not supported between instances of '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

/** Three-way comparison as yaql does it (null first, numbers, strings, booleans, lists). */
export function compare(a: unknown, b: unknown, op = '<'): number {
  const an = a === null || a === undefined;
  const bn = b === null || b === undefined;
  if (an || bn) return an && bn ? 0 : an ? -1 : 1;
  if ((isNumber(a) && isNumber(b)) || (typeof a === 'boolean' && typeof b === 'boolean')) return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compare(a[i], b[i], op);
      if (c !== 0) return c;
    }
    return Math.sign(a.length - b.length);
  }
  throw cmpSymbol(op, a, b);
}

export function plus(a: unknown, b: unknown): unknown {
  if (isNumber(a) && isNumber(b)) return a + b;
  if (typeof a === 'string' && typeof b === 'string') {
    checkChars(a.length + b.length);
    return a + b;
  }
  if (isSet(a) && isSet(b)) return asSet([...a, ...b]);
  if (Array.isArray(a) && Array.isArray(b)) {
    checkItems(a.length + b.length);
    return [...a, ...b];
  }
  if (isPlainObject(a) && isPlainObject(b)) return { ...a, ...b };
  throw typeFault(`unsupported operand type(s) for +: '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

export function times(a: unknown, b: unknown): unknown {
  if (isNumber(a) && isNumber(b)) return a * b;
  if (typeof a === 'string' && isInt(b)) checkChars(a.length * b);
  if (isInt(a) && typeof b === 'string') checkChars(b.length * a);
  if (Array.isArray(a) && isInt(b)) checkItems(a.length * b);
  if (isInt(a) && Array.isArray(b)) checkItems(b.length * a);
  if (typeof a === 'string' && isInt(b)) return a.repeat(Math.max(0, b));
  if (isInt(a) && typeof b === 'string') return b.repeat(Math.max(0, a));
  if (Array.isArray(a) && isInt(b)) return Array.from({ length: Math.max(0, b) }, () => a).flat();
  if (isInt(a) && Array.isArray(b)) return Array.from({ length: Math.max(0, a) }, () => b).flat();
  throw typeFault(`unsupported operand type(s) for *: '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

export function numbers(op: string, a: unknown, b: unknown): [number, number] {
  if (isNumber(a) && isNumber(b)) return [a, b];
  throw typeFault(`unsupported operand type(s) for ${op}: '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

export function contains(container: unknown, item: unknown): boolean {
  if (typeof container === 'string') {
    if (typeof item !== 'string') throw typeFault(`'in <string>' requires string as left operand, not ${pyTypeName(item)}`);
    return container.includes(item);
  }
  if (Array.isArray(container)) return container.some((x) => deepEqual(x, item));
  if (isPlainObject(container)) return typeof item === 'string' && Object.prototype.hasOwnProperty.call(container, item);
  throw typeFault(`argument of type '${pyTypeName(container)}' is not iterable`);
}

/**
 * A member name that JavaScript objects have (`constructor`, `toString`, `prototype`, `__*`) is
 * refused even when a dict holds it as its own key: no spelling of member access reaches one.
 */
function refuseBuiltin(key: string): void {
  if (isUnsafeName(key)) throw new SandboxError(`"${key}"`, 'names a JavaScript built-in, not a key yaql can read');
}

export function getKey(receiver: unknown, key: string): unknown {
  refuseBuiltin(key);
  if (typeof receiver === 'function') throw typeFault(`a yaql ${opaques.get(receiver as Opaque)?.kind ?? 'function'} has no key '${key}'`);
  if (isPlainObject(receiver)) {
    if (!Object.prototype.hasOwnProperty.call(receiver, key)) throw new KeyFault(key);
    const v = receiver[key];
    return v === undefined ? null : v;
  }
  // A list maps the key over its items.
  if (Array.isArray(receiver)) {
    return iter(receiver.map((x) => getKey(x, key)));
  }
  throw typeFault(`cannot read key '${key}' of ${pyTypeName(receiver)} ${pyRepr(receiver)}`);
}

export function index(receiver: unknown, key: unknown, fallback: LazyArg | undefined): unknown {
  if (isPlainObject(receiver)) {
    const k = typeof key === 'string' ? key : yaqlStr(key);
    refuseBuiltin(k);
    if (Object.prototype.hasOwnProperty.call(receiver, k)) return receiver[k] ?? null;
    if (fallback) return fallback.value();
    throw new KeyFault(k);
  }
  if (Array.isArray(receiver) || typeof receiver === 'string') {
    if (!isInt(key)) throw typeFault(`indices must be integers, not ${pyTypeName(key)}`);
    const v = Array.isArray(receiver) ? receiver.at(key) : receiver.at(key);
    if (v === undefined) {
      if (fallback) return fallback.value();
      throw fault('IndexError', `${pyTypeName(receiver)} index out of range`);
    }
    return v;
  }
  throw typeFault(`'${pyTypeName(receiver)}' object is not subscriptable`);
}

export function toInt(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (isNumber(v)) {
    if (!Number.isFinite(v)) throw valueFault(`cannot convert float ${pyRepr(v)} to integer`);
    return Math.trunc(v);
  }
  if (typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v)) return parseInt(v, 10);
  throw valueFault(`invalid literal for int() with base 10: ${pyRepr(v)}`);
}

export function toFloat(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (isNumber(v)) return v;
  if (typeof v === 'string') {
    const t = v.trim().toLowerCase();
    if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/.test(t)) return Number(t);
    if (/^[-+]?(inf|infinity)$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
    if (/^[-+]?nan$/.test(t)) return NaN;
  }
  throw valueFault(`could not convert string to float: ${pyRepr(v)}`);
}

export function len(v: unknown): number {
  if (typeof v === 'string' || Array.isArray(v)) return v.length;
  if (isPlainObject(v)) return Object.keys(v).length;
  throw typeFault(`object of type '${pyTypeName(v)}' has no len()`);
}

export function sortBy(list: unknown[], key: (x: unknown) => unknown, descending: boolean): unknown[] {
  const keyed = list.map((x, i) => ({ x, k: key(x), i }));
  keyed.sort((a, b) => (descending ? compare(b.k, a.k) : compare(a.k, b.k)) || a.i - b.i);
  return iter(keyed.map((e) => e.x));
}

export function pyStrip(s: string, chars: unknown, left: boolean, right: boolean): string {
  if (chars === null || chars === undefined) {
    let out = s;
    if (left) out = out.replace(/^\s+/, '');
    if (right) out = out.replace(/\s+$/, '');
    return out;
  }
  const set = new Set(String(chars));
  let a = 0;
  let b = s.length;
  if (left) while (a < b && set.has(s[a] as string)) a++;
  if (right) while (b > a && set.has(s[b - 1] as string)) b--;
  return s.slice(a, b);
}

export function pySplit(s: string, sep: unknown, maxSplits: number): string[] {
  if (sep === null || sep === undefined) {
    const parts: string[] = [];
    let rest = s.replace(/^\s+/, '');
    while (rest.length > 0) {
      if (maxSplits >= 0 && parts.length === maxSplits) {
        parts.push(rest.replace(/\s+$/, ''));
        break;
      }
      const m = /\s+/.exec(rest);
      if (!m) {
        parts.push(rest);
        break;
      }
      parts.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
    return parts;
  }
  const separator = String(sep);
  if (separator === '') throw valueFault('empty separator');
  const all = s.split(separator);
  if (maxSplits < 0 || all.length <= maxSplits + 1) return all;
  return [...all.slice(0, maxSplits), all.slice(maxSplits).join(separator)];
}

export function join(items: unknown[], sep: string): string {
  return items.map(yaqlStr).join(sep);
}

export function unpack(values: unknown[]): unknown[] {
  return values.flatMap((v) => (Array.isArray(v) && iterators.has(v) ? unpack(v) : [v]));
}

export function buildDict(call: Call): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of call.args) {
    const items = valueOf(a);
    if (isPlainObject(items)) {
      for (const [k, v] of Object.entries(items)) setOwn(out, k, v);
      continue;
    }
    for (const pair of seq(items, 'dict')) {
      const p = seq(pair, 'dict');
      if (p.length < 2) throw valueFault('dict() needs pairs of [key, value]');
      setOwn(out, typeof p[0] === 'string' ? p[0] : pyStr(p[0]), p[1]);
    }
  }
  for (const [k, a] of Object.entries(call.kwargs)) setOwn(out, k, a.value());
  return out;
}

export function flatten(v: unknown[]): unknown[] {
  return v.flatMap((x) => (Array.isArray(x) ? flatten(x) : [x]));
}

export const recv = (call: Call) => need(call, 0).value();
