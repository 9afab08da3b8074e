/**
 * yaql's standard library, the part orquesta workflows use most: conversions, math, queries,
 * dicts and strings (yaql/standard_library/*.py). Each function takes its receiver as the first
 * argument, as yaql's methods do.
 */
import { KeyFault, fault, valueFault } from '../faults.ts';
import { deepEqual, isPlainObject, pyStr, truthy } from '../pystr.ts';
import { setOwn } from '../../../template/plain-data.ts';
import {
  argAt,
  buildDict,
  checkItems,
  compare,
  contains,
  dict,
  flatten,
  integer,
  isInt,
  isNumber,
  iter,
  join,
  len,
  need,
  numbers,
  opt,
  plus,
  pySplit,
  pyStrip,
  recv,
  seq,
  sortBy,
  string,
  toFloat,
  toInt,
  unpack,
  valueOf,
  yaqlStr,
  type StdFunction,
} from './core.ts';

export const COMMON: Record<string, StdFunction> = {
  // conversion and type checks
  str: (c) => {
    const a = need(c, 0);
    const v = valueOf(a);
    // A Python float prints with its point: str(2.0) is "2.0" (see LazyArg.float).
    return a.float && isInt(v) && Math.abs(v) < 1e16 ? `${v}.0` : yaqlStr(v);
  },
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
    const items = c.args.length === 1 ? seq(recv(c), 'max') : c.args.map((a) => valueOf(a));
    if (items.length === 0) throw valueFault('max() arg is an empty sequence');
    return items.reduce((m, x) => (compare(x, m) > 0 ? x : m));
  },
  min: (c) => {
    const items = c.args.length === 1 ? seq(recv(c), 'min') : c.args.map((a) => valueOf(a));
    if (items.length === 0) throw valueFault('min() arg is an empty sequence');
    return items.reduce((m, x) => (compare(x, m) < 0 ? x : m));
  },
  sum: (c) => {
    const items = seq(recv(c), 'sum');
    const initial = argAt(c, 1, 'initial');
    // Without an initial value the first item is the start (['a', 'c'].sum() is 'ac'); [].sum() is 0.
    if (!initial) return items.length === 0 ? 0 : items.slice(1).reduce((acc: unknown, x) => plus(acc, x), items[0]);
    return items.reduce((acc: unknown, x) => plus(acc, x), initial.value());
  },
  range: (c) => {
    const a = integer(need(c, 0).value(), 'range');
    const [start, stop] = c.args.length >= 2 ? [a, integer(c.args[1]?.value(), 'range')] : [0, a];
    const step = integer(opt(c, 2, 'step', 1), 'range');
    if (step === 0) throw valueFault('range() arg 3 must not be zero');
    checkItems(Math.ceil((stop - start) / step), 'range()');
    const out: number[] = [];
    for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
    return iter(out);
  },

  // construction
  list: (c) => unpack(c.args.map((a) => valueOf(a))),
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
    const values = c.args.map((a) => valueOf(a));
    if (values.every((v) => typeof v === 'string')) return values.join('');
    return iter(values.flatMap((v) => seq(v, 'concat')));
  },
  coalesce: (c) => {
    for (const a of c.args) {
      const v = valueOf(a);
      if (v !== null && v !== undefined) return v;
    }
    return null;
  },

  // queries
  select: (c) => {
    if (c.args.length > 2) throw fault('NoMatchingMethodException', 'select() takes a collection and a selector');
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
  take: (c) => COMMON.limit?.(c),
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
  append: (c) => iter([...seq(recv(c), 'append'), ...c.args.slice(1).map((a) => valueOf(a))]),
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
      for (const a of c.args.slice(1)) for (const [k, v] of Object.entries(dict(valueOf(a), 'set'))) setOwn(d, k, v);
      for (const [k, a] of Object.entries(c.kwargs)) setOwn(d, k, a.value());
    }
    return d;
  },
  delete: (c) => {
    const d = { ...dict(recv(c), 'delete') };
    for (const a of c.args.slice(1)) delete d[pyStr(valueOf(a))];
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
    return c.args.slice(1).some((a) => s.startsWith(string(valueOf(a), 'startsWith')));
  },
  endsWith: (c) => {
    const s = string(recv(c), 'endsWith');
    return c.args.slice(1).some((a) => s.endsWith(string(valueOf(a), 'endsWith')));
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
    const args = c.args.slice(1).map((a) => valueOf(a));
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
