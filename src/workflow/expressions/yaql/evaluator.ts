/**
 * Evaluates a parsed YAQL expression against an orquesta context. Operator semantics follow
 * yaql's standard library (math.py, strings.py, common.py, collections.py, queries.py):
 * Python truthiness, `and`/`or` return an operand, `/` of two integers floors, `mod` takes the
 * sign of the divisor, null sorts before everything, `+` joins strings, lists and dicts.
 */
import { CATALOG } from '../functions.ts';
import { pyRegex } from '../st2-functions.ts';
import { KeyFault, fault, typeFault, valueFault, type Fault } from '../faults.ts';
import { deepEqual, isPlainObject, pyRepr, pyStr, pyTypeName, truthy } from '../pystr.ts';
import type { ExpressionContext } from '../types.ts';
import { setOwn } from '../../../template/plain-data.ts';
import { isUnsafeName } from '../../../template/sandbox.ts';
import type { Arg, Node } from './parser.ts';

export interface Env {
  context: ExpressionContext;
  /** `$`: the context variables at the top, the current element inside a lambda. */
  dollar: unknown;
  /** `$1`, `$2`, ... and other `$name` variables. */
  vars: Record<string, unknown>;
}

/** A call argument, evaluated on demand: once as a value, or many times as a lambda of `$`. */
export interface LazyArg {
  value(): unknown;
  lambda(...dollars: unknown[]): unknown;
}

export interface Call {
  name: string;
  args: LazyArg[];
  kwargs: Record<string, LazyArg>;
  env: Env;
}

type StdFunction = (call: Call) => unknown;

/** Lists that yaql would hold as iterators (results of select/where/range...): `list()` unpacks them. */
const iterators = new WeakSet<unknown[]>();
function iter<T>(list: T[]): T[] {
  iterators.add(list);
  return list;
}

function constant(value: unknown): LazyArg {
  return { value: () => value, lambda: () => value };
}

function lazy(node: Node, env: Env): LazyArg {
  let cached: { v: unknown } | undefined;
  return {
    value: () => (cached ??= { v: evaluateNode(node, env) }).v,
    lambda: (...dollars: unknown[]) => {
      const vars: Record<string, unknown> = { ...env.vars };
      dollars.forEach((d, i) => (vars[String(i + 1)] = d));
      return evaluateNode(node, { context: env.context, dollar: dollars[0], vars });
    },
  };
}

// ---------------------------------------------------------------- helpers

function isNumber(v: unknown): v is number {
  return typeof v === 'number';
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

/** yaql's `str()`: null, true, false in yaql spelling, the rest as Python's str. */
export function yaqlStr(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  return pyStr(v);
}

function seq(v: unknown, fn: string): unknown[] {
  if (Array.isArray(v)) return v;
  throw typeFault(`${fn}() expects a collection, got ${pyTypeName(v)}`);
}

function dict(v: unknown, fn: string): Record<string, unknown> {
  if (isPlainObject(v)) return v;
  throw typeFault(`${fn}() expects a dict, got ${pyTypeName(v)}`);
}

function string(v: unknown, fn: string): string {
  if (typeof v === 'string') return v;
  throw typeFault(`${fn}() expects a string, got ${pyTypeName(v)}`);
}

function integer(v: unknown, fn: string): number {
  if (isInt(v)) return v;
  throw typeFault(`${fn}() expects an integer, got ${pyTypeName(v)}`);
}

function argAt(call: Call, index: number, name?: string): LazyArg | undefined {
  return call.args[index] ?? (name !== undefined && Object.hasOwn(call.kwargs, name) ? call.kwargs[name] : undefined);
}

function need(call: Call, index: number, name?: string): LazyArg {
  const a = argAt(call, index, name);
  if (!a) throw typeFault(`${call.name}() missing required argument${name ? ` '${name}'` : ''}`);
  return a;
}

function opt(call: Call, index: number, name: string | undefined, fallback: unknown): unknown {
  const a = argAt(call, index, name);
  return a ? a.value() : fallback;
}

function cmpSymbol(op: string, a: unknown, b: unknown): Fault {
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

function plus(a: unknown, b: unknown): unknown {
  if (isNumber(a) && isNumber(b)) return a + b;
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  if (isPlainObject(a) && isPlainObject(b)) return { ...a, ...b };
  throw typeFault(`unsupported operand type(s) for +: '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

function times(a: unknown, b: unknown): unknown {
  if (isNumber(a) && isNumber(b)) return a * b;
  if (typeof a === 'string' && isInt(b)) return a.repeat(Math.max(0, b));
  if (isInt(a) && typeof b === 'string') return b.repeat(Math.max(0, a));
  if (Array.isArray(a) && isInt(b)) return Array.from({ length: Math.max(0, b) }, () => a).flat();
  if (isInt(a) && Array.isArray(b)) return Array.from({ length: Math.max(0, a) }, () => b).flat();
  throw typeFault(`unsupported operand type(s) for *: '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

function numbers(op: string, a: unknown, b: unknown): [number, number] {
  if (isNumber(a) && isNumber(b)) return [a, b];
  throw typeFault(`unsupported operand type(s) for ${op}: '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

function contains(container: unknown, item: unknown): boolean {
  if (typeof container === 'string') {
    if (typeof item !== 'string') throw typeFault(`'in <string>' requires string as left operand, not ${pyTypeName(item)}`);
    return container.includes(item);
  }
  if (Array.isArray(container)) return container.some((x) => deepEqual(x, item));
  if (isPlainObject(container)) return typeof item === 'string' && Object.prototype.hasOwnProperty.call(container, item);
  throw typeFault(`argument of type '${pyTypeName(container)}' is not iterable`);
}

function getKey(receiver: unknown, key: string): unknown {
  if (isPlainObject(receiver)) {
    if (!Object.prototype.hasOwnProperty.call(receiver, key)) throw new KeyFault(key);
    const v = receiver[key];
    return v === undefined ? null : v;
  }
  // A list maps the key over its items; a built-in name (`[].constructor`) is never an item's key.
  if (Array.isArray(receiver)) {
    if (isUnsafeName(key)) throw new KeyFault(key);
    return iter(receiver.map((x) => getKey(x, key)));
  }
  throw typeFault(`cannot read key '${key}' of ${pyTypeName(receiver)} ${pyRepr(receiver)}`);
}

function index(receiver: unknown, key: unknown, fallback: LazyArg | undefined): unknown {
  if (isPlainObject(receiver)) {
    const k = typeof key === 'string' ? key : pyStr(key);
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

function toInt(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (isNumber(v)) {
    if (!Number.isFinite(v)) throw valueFault(`cannot convert float ${pyRepr(v)} to integer`);
    return Math.trunc(v);
  }
  if (typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v)) return parseInt(v, 10);
  throw valueFault(`invalid literal for int() with base 10: ${pyRepr(v)}`);
}

function toFloat(v: unknown): number {
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

function len(v: unknown): number {
  if (typeof v === 'string' || Array.isArray(v)) return v.length;
  if (isPlainObject(v)) return Object.keys(v).length;
  throw typeFault(`object of type '${pyTypeName(v)}' has no len()`);
}

function sortBy(list: unknown[], key: (x: unknown) => unknown, descending: boolean): unknown[] {
  const keyed = list.map((x, i) => ({ x, k: key(x), i }));
  keyed.sort((a, b) => (descending ? compare(b.k, a.k) : compare(a.k, b.k)) || a.i - b.i);
  return iter(keyed.map((e) => e.x));
}

function pyStrip(s: string, chars: unknown, left: boolean, right: boolean): string {
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

function pySplit(s: string, sep: unknown, maxSplits: number): string[] {
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

function join(items: unknown[], sep: string): string {
  return items.map(yaqlStr).join(sep);
}

function unpack(values: unknown[]): unknown[] {
  return values.flatMap((v) => (Array.isArray(v) && iterators.has(v) ? unpack(v) : [v]));
}

function buildDict(call: Call): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of call.args) {
    const items = a.value();
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

function flatten(v: unknown[]): unknown[] {
  return v.flatMap((x) => (Array.isArray(x) ? flatten(x) : [x]));
}

const recv = (call: Call) => need(call, 0).value();

// ---------------------------------------------------------------- standard library

const STD: Record<string, StdFunction> = {
  // conversion and type checks
  str: (c) => yaqlStr(recv(c)),
  int: (c) => toInt(recv(c)),
  float: (c) => toFloat(recv(c)),
  bool: (c) => truthy(recv(c)),
  isString: (c) => typeof recv(c) === 'string',
  isList: (c) => Array.isArray(recv(c)),
  isDict: (c) => isPlainObject(recv(c)),
  isInteger: (c) => isInt(recv(c)),
  isNumber: (c) => isNumber(recv(c)),
  isBoolean: (c) => typeof recv(c) === 'boolean',
  len: (c) => len(recv(c)),
  count: (c) => {
    const items = seq(recv(c), 'count');
    const pred = argAt(c, 1);
    return pred ? items.filter((x) => truthy(pred.lambda(x))).length : items.length;
  },

  // math
  abs: (c) => Math.abs(numbers('abs', recv(c), 0)[0]),
  round: (c) => {
    const [n] = numbers('round', recv(c), 0);
    const digits = integer(opt(c, 1, 'ndigits', 0), 'round');
    const f = 10 ** digits;
    const x = n * f;
    const r = Math.round(x);
    // Python rounds half to even
    const even = Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
    return even / f;
  },
  random: (c) => {
    if (c.args.length === 0) return Math.random();
    const from = integer(need(c, 0).value(), 'random');
    const to = integer(need(c, 1).value(), 'random');
    return from + Math.floor(Math.random() * (to - from + 1));
  },
  max: (c) => {
    const items = c.args.length === 1 ? seq(recv(c), 'max') : c.args.map((a) => a.value());
    if (items.length === 0) throw valueFault('max() arg is an empty sequence');
    return items.reduce((m, x) => (compare(x, m) > 0 ? x : m));
  },
  min: (c) => {
    const items = c.args.length === 1 ? seq(recv(c), 'min') : c.args.map((a) => a.value());
    if (items.length === 0) throw valueFault('min() arg is an empty sequence');
    return items.reduce((m, x) => (compare(x, m) < 0 ? x : m));
  },
  sum: (c) => seq(recv(c), 'sum').reduce((acc: unknown, x) => plus(acc, x), opt(c, 1, 'initial', 0)),
  range: (c) => {
    const a = integer(need(c, 0).value(), 'range');
    const [start, stop] = c.args.length >= 2 ? [a, integer(c.args[1]?.value(), 'range')] : [0, a];
    const step = integer(opt(c, 2, 'step', 1), 'range');
    if (step === 0) throw valueFault('range() arg 3 must not be zero');
    const out: number[] = [];
    for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
    return iter(out);
  },

  // construction
  list: (c) => unpack(c.args.map((a) => a.value())),
  toList: (c) => [...seq(recv(c), 'toList')],
  dict: buildDict,
  toDict: (c) => {
    const out: Record<string, unknown> = {};
    const keySel = need(c, 1, 'keySelector');
    const valSel = argAt(c, 2, 'valueSelector');
    for (const x of seq(recv(c), 'toDict')) {
      const k = keySel.lambda(x);
      setOwn(out, typeof k === 'string' ? k : pyStr(k), valSel ? valSel.lambda(x) : x);
    }
    return out;
  },
  concat: (c) => {
    const values = c.args.map((a) => a.value());
    if (values.every((v) => typeof v === 'string')) return values.join('');
    return iter(values.flatMap((v) => seq(v, 'concat')));
  },
  coalesce: (c) => {
    for (const a of c.args) {
      const v = a.value();
      if (v !== null && v !== undefined) return v;
    }
    return null;
  },

  // queries
  select: (c) => {
    const f = need(c, 1, 'selector');
    return iter(seq(recv(c), 'select').map((x, i) => f.lambda(x, i)));
  },
  where: (c) => {
    const f = need(c, 1, 'predicate');
    return iter(seq(recv(c), 'where').filter((x, i) => truthy(f.lambda(x, i))));
  },
  selectMany: (c) => {
    const f = need(c, 1, 'selector');
    return iter(seq(recv(c), 'selectMany').flatMap((x) => seq(f.lambda(x), 'selectMany')));
  },
  first: (c) => {
    const items = seq(recv(c), 'first');
    if (items.length > 0) return items[0];
    const d = argAt(c, 1, 'default');
    if (d) return d.value();
    throw valueFault('first() of an empty collection');
  },
  last: (c) => {
    const items = seq(recv(c), 'last');
    if (items.length > 0) return items[items.length - 1];
    const d = argAt(c, 1, 'default');
    if (d) return d.value();
    throw valueFault('last() of an empty collection');
  },
  skip: (c) => iter(seq(recv(c), 'skip').slice(Math.max(0, integer(need(c, 1, 'count').value(), 'skip')))),
  limit: (c) => iter(seq(recv(c), 'limit').slice(0, Math.max(0, integer(need(c, 1, 'count').value(), 'limit')))),
  take: (c) => STD.limit?.(c),
  distinct: (c) => {
    const sel = argAt(c, 1, 'keySelector');
    const seen: unknown[] = [];
    const out: unknown[] = [];
    for (const x of seq(recv(c), 'distinct')) {
      const k = sel ? sel.lambda(x) : x;
      if (!seen.some((s) => deepEqual(s, k))) {
        seen.push(k);
        out.push(x);
      }
    }
    return iter(out);
  },
  orderBy: (c) => {
    const sel = need(c, 1, 'selector');
    return sortBy(seq(recv(c), 'orderBy'), (x) => sel.lambda(x), false);
  },
  orderByDescending: (c) => {
    const sel = need(c, 1, 'selector');
    return sortBy(seq(recv(c), 'orderByDescending'), (x) => sel.lambda(x), true);
  },
  sort: (c) => sortBy(seq(recv(c), 'sort'), (x) => x, false),
  reverse: (c) => iter([...seq(recv(c), 'reverse')].reverse()),
  any: (c) => {
    const pred = argAt(c, 1, 'predicate');
    return seq(recv(c), 'any').some((x) => truthy(pred ? pred.lambda(x) : x));
  },
  all: (c) => {
    const pred = argAt(c, 1, 'predicate');
    return seq(recv(c), 'all').every((x) => truthy(pred ? pred.lambda(x) : x));
  },
  flatten: (c) => iter(flatten(seq(recv(c), 'flatten'))),
  append: (c) => iter([...seq(recv(c), 'append'), ...c.args.slice(1).map((a) => a.value())]),
  contains: (c) => contains(recv(c), need(c, 1, 'value').value()),
  indexOf: (c) => {
    const r = recv(c);
    const item = need(c, 1, 'item').value();
    if (typeof r === 'string') return r.indexOf(string(item, 'indexOf'), integer(opt(c, 2, 'startIndex', 0), 'indexOf'));
    return seq(r, 'indexOf').findIndex((x) => deepEqual(x, item));
  },
  enumerate: (c) => {
    const start = integer(opt(c, 1, 'start', 0), 'enumerate');
    return iter(seq(recv(c), 'enumerate').map((x, i) => [i + start, x]));
  },

  // dicts
  keys: (c) => iter(Object.keys(dict(recv(c), 'keys'))),
  values: (c) => iter(Object.values(dict(recv(c), 'values'))),
  items: (c) => iter(Object.entries(dict(recv(c), 'items'))),
  get: (c) => {
    const d = dict(recv(c), 'get');
    const k = need(c, 1, 'key').value();
    const key = typeof k === 'string' ? k : pyStr(k);
    return Object.prototype.hasOwnProperty.call(d, key) ? (d[key] ?? null) : opt(c, 2, 'default', null);
  },
  set: (c) => {
    const d = { ...dict(recv(c), 'set') };
    if (c.args.length === 3) {
      const k = c.args[1]?.value();
      setOwn(d, typeof k === 'string' ? k : pyStr(k), c.args[2]?.value());
    } else {
      for (const a of c.args.slice(1)) for (const [k, v] of Object.entries(dict(a.value(), 'set'))) setOwn(d, k, v);
      for (const [k, a] of Object.entries(c.kwargs)) setOwn(d, k, a.value());
    }
    return d;
  },
  delete: (c) => {
    const d = { ...dict(recv(c), 'delete') };
    for (const a of c.args.slice(1)) delete d[pyStr(a.value())];
    return d;
  },
  containsKey: (c) => {
    const k = need(c, 1, 'key').value();
    return Object.prototype.hasOwnProperty.call(dict(recv(c), 'containsKey'), typeof k === 'string' ? k : pyStr(k));
  },
  containsValue: (c) => {
    const v = need(c, 1, 'value').value();
    return Object.values(dict(recv(c), 'containsValue')).some((x) => deepEqual(x, v));
  },

  // strings
  toUpper: (c) => string(recv(c), 'toUpper').toUpperCase(),
  toLower: (c) => string(recv(c), 'toLower').toLowerCase(),
  trim: (c) => pyStrip(string(recv(c), 'trim'), opt(c, 1, 'chars', null), true, true),
  trimLeft: (c) => pyStrip(string(recv(c), 'trimLeft'), opt(c, 1, 'chars', null), true, false),
  trimRight: (c) => pyStrip(string(recv(c), 'trimRight'), opt(c, 1, 'chars', null), false, true),
  split: (c) => iter(pySplit(string(recv(c), 'split'), opt(c, 1, 'separator', null), integer(opt(c, 2, 'maxSplits', -1), 'split'))),
  join: (c) => {
    const a = recv(c);
    const b = need(c, 1, 'separator').value();
    if (typeof a === 'string' && Array.isArray(b)) return join(b, a);
    return join(seq(a, 'join'), string(b, 'join'));
  },
  replace: (c) => {
    const s = string(recv(c), 'replace');
    const old = string(need(c, 1, 'old').value(), 'replace');
    const rep = yaqlStr(need(c, 2, 'new').value());
    const count = integer(opt(c, 3, 'count', -1), 'replace');
    if (count < 0) return s.split(old).join(rep);
    const parts = s.split(old);
    return parts.slice(0, count + 1).join(rep) + (parts.length > count + 1 ? old + parts.slice(count + 1).join(old) : '');
  },
  startsWith: (c) => {
    const s = string(recv(c), 'startsWith');
    return c.args.slice(1).some((a) => s.startsWith(string(a.value(), 'startsWith')));
  },
  endsWith: (c) => {
    const s = string(recv(c), 'endsWith');
    return c.args.slice(1).some((a) => s.endsWith(string(a.value(), 'endsWith')));
  },
  substring: (c) => {
    const s = string(recv(c), 'substring');
    let start = integer(opt(c, 1, 'start', 0), 'substring');
    let length = integer(opt(c, 2, 'length', -1), 'substring');
    if (length < 0) length = s.length;
    if (start < 0) start += s.length;
    return s.slice(Math.max(0, start), Math.max(0, start) + length);
  },
  isEmpty: (c) => {
    const s = recv(c);
    return s === null || s === undefined || pyStrip(string(s, 'isEmpty'), null, true, true) === '';
  },
  norm: (c) => {
    const s = recv(c);
    if (s === null || s === undefined) return null;
    const t = pyStrip(string(s, 'norm'), opt(c, 1, 'chars', null), true, true);
    return t === '' ? null : t;
  },
  format: (c) => {
    const s = string(recv(c), 'format');
    const args = c.args.slice(1).map((a) => a.value());
    let auto = 0;
    return s.replace(/\{\{|\}\}|\{(\w*)\}/g, (m, name: string | undefined) => {
      if (m === '{{') return '{';
      if (m === '}}') return '}';
      if (name === undefined || name === '') return pyStr(args[auto++]);
      if (/^\d+$/.test(name)) return pyStr(args[Number(name)]);
      const kw = Object.hasOwn(c.kwargs, name) ? c.kwargs[name] : undefined;
      if (!kw) throw new KeyFault(name);
      return pyStr(kw.value());
    });
  },
};

// ---------------------------------------------------------------- evaluation

function kwargName(key: Node, env: Env): string {
  if (key.type === 'keyword') return key.name;
  const v = evaluateNode(key, env);
  return typeof v === 'string' ? v : pyStr(v);
}

function invoke(name: string, receiver: LazyArg | undefined, args: Arg[], env: Env): unknown {
  const positional: LazyArg[] = receiver ? [receiver] : [];
  // No prototype: a keyword named `constructor` or `__proto__` is only ever a keyword.
  const kwargs = Object.create(null) as Record<string, LazyArg>;
  for (const a of args) {
    if (a.key) kwargs[kwargName(a.key, env)] = lazy(a.value, env);
    else positional.push(lazy(a.value, env));
  }
  const call: Call = { name, args: positional, kwargs, env };
  const std = Object.prototype.hasOwnProperty.call(STD, name) ? STD[name] : undefined;
  const catalog = Object.prototype.hasOwnProperty.call(CATALOG, name) ? CATALOG[name] : undefined;
  // orquesta's functions win for plain calls (zip, json, ...); yaql's methods win for receivers.
  if (catalog && (!receiver || !std)) {
    const kw: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(kwargs)) setOwn(kw, k, v.value());
    return catalog(
      env.context,
      positional.map((p) => p.value()),
      kw,
    );
  }
  if (std) return std(call);
  throw fault('NoFunctionRegisteredException', `Unknown function "${name}"`);
}

export function evaluateNode(node: Node, env: Env): unknown {
  switch (node.type) {
    case 'literal':
      return node.value;
    case 'keyword':
      return node.name;
    case 'dollar':
      if (node.name === '') return env.dollar === undefined ? null : env.dollar;
      return Object.prototype.hasOwnProperty.call(env.vars, node.name) ? env.vars[node.name] : null;
    case 'list':
      return node.items.map((n) => evaluateNode(n, env));
    case 'dict': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of node.entries) setOwn(out, kwargName(k, env), evaluateNode(v, env));
      return out;
    }
    case 'call':
      return invoke(node.name, undefined, node.args, env);
    case 'method': {
      const r = evaluateNode(node.receiver, env);
      if (node.nullSafe && (r === null || r === undefined)) return null;
      return invoke(node.name, constant(r), node.args, env);
    }
    case 'attr': {
      const r = evaluateNode(node.receiver, env);
      if (node.nullSafe && (r === null || r === undefined)) return null;
      return getKey(r, node.name);
    }
    case 'dotExpr': {
      const r = evaluateNode(node.receiver, env);
      if (node.nullSafe && (r === null || r === undefined)) return null;
      return evaluateNode(node.expr, { ...env, dollar: r });
    }
    case 'index': {
      const r = evaluateNode(node.receiver, env);
      const key = evaluateNode(node.args[0] as Node, env);
      const fallback = node.args[1] ? lazy(node.args[1], env) : undefined;
      return index(r, key, fallback);
    }
    case 'unary': {
      const v = evaluateNode(node.operand, env);
      if (node.op === 'not') return !truthy(v);
      if (!isNumber(v)) throw typeFault(`bad operand type for unary ${node.op}: '${pyTypeName(v)}'`);
      return node.op === '-' ? -v : v;
    }
    case 'binary':
      return binary(node.op, node.left, node.right, env);
  }
}

/**
 * Whether an operand is a Python float even when its value is integral: JavaScript has one number
 * type, so `7.0 / 2` and `float(x) / 2` are recognised from the syntax (a literal with a decimal
 * point, a float() call) to divide as yaql does (3.5, not 3).
 */
function isFloat(node: Node): boolean {
  if (node.type === 'literal') return node.float === true;
  if (node.type === 'call' || node.type === 'method') return node.name === 'float';
  if (node.type === 'unary') return isFloat(node.operand);
  return false;
}

function binary(op: string, leftNode: Node, rightNode: Node, env: Env): unknown {
  const left = evaluateNode(leftNode, env);
  if (op === 'and') return truthy(left) ? evaluateNode(rightNode, env) : left;
  if (op === 'or') return truthy(left) ? left : evaluateNode(rightNode, env);
  const right = evaluateNode(rightNode, env);
  switch (op) {
    case '=':
      return deepEqual(left, right);
    case '!=':
      return !deepEqual(left, right);
    case '<':
      return compare(left, right, op) < 0;
    case '<=':
      return compare(left, right, op) <= 0;
    case '>':
      return compare(left, right, op) > 0;
    case '>=':
      return compare(left, right, op) >= 0;
    case 'in':
      return contains(right, left);
    case '+':
      return plus(left, right);
    case '-': {
      const [a, b] = numbers('-', left, right);
      return a - b;
    }
    case '*':
      return times(left, right);
    case '/': {
      const [a, b] = numbers('/', left, right);
      if (b === 0) throw fault('ZeroDivisionError', 'division by zero');
      const floats = isFloat(leftNode) || isFloat(rightNode);
      return !floats && Number.isInteger(a) && Number.isInteger(b) ? Math.floor(a / b) : a / b;
    }
    case 'mod': {
      const [a, b] = numbers('mod', left, right);
      if (b === 0) throw fault('ZeroDivisionError', 'integer division or modulo by zero');
      return ((a % b) + b) % b;
    }
    case '=~':
    case '!~': {
      const matched = pyRegex(string(right, op)).test(string(left, op));
      return op === '=~' ? matched : !matched;
    }
    default:
      throw fault('YaqlGrammarException', `unknown operator ${op}`);
  }
}

/** Names of the YAQL standard-library functions available (for docs and tests). */
export const YAQL_FUNCTIONS = Object.keys(STD);
