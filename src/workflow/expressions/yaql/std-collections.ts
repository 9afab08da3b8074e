/**
 * yaql's collection functions beyond the common ones (yaql/standard_library/collections.py):
 * sets, positional edits of lists (`insert`, `insertMany`, `delete`, `replace`, `replaceMany`),
 * `deleteAll`, `isSet`, `isIterable`. A list that yaql holds as an iterator (a query's result)
 * is edited as an iterator: a negative position does not count from the end.
 */
import { fault } from '../faults.ts';
import { deepEqual, isPlainObject } from '../pystr.ts';
import { asSet, checkItems, dict, integer, isSet, iter, iterators, need, opt, seq, unpack, type Call, type Overload, type StdFunction } from './core.ts';

const has = (xs: unknown[], y: unknown) => xs.some((x) => deepEqual(x, y));

function aSet(v: unknown, fn: string): unknown[] {
  if (isSet(v)) return v;
  throw fault('NoMatchingMethodException', `${fn}() is a method of a set`);
}

/** Whether position i is in the span [position, position + count), or from position on when count < 0. */
function inSpan(i: number, position: number, count: number): boolean {
  return count >= 0 ? position <= i && i < position + count : i >= position;
}

function replaceSpan(items: unknown[], position: number, values: unknown[], count: number): unknown[] {
  const out: unknown[] = [];
  let done = false;
  items.forEach((x, i) => {
    if (!inSpan(i, position, count)) out.push(x);
    else if (!done) {
      done = true;
      out.push(...values);
    }
  });
  checkItems(out.length);
  return iter(out);
}

function insertAt(c: Call, many: boolean): unknown[] {
  const items = seq(need(c, 0).value(), many ? 'insertMany' : 'insert');
  const original: unknown = items;
  if (isSet(original)) throw fault('NoMatchingMethodException', `${c.name}() of a set: a set has no order`);
  let position = integer(need(c, 1, 'position').value(), 'insert');
  const v = need(c, 2, many ? 'values' : 'value').value();
  const values = many ? seq(v, 'insertMany') : [v];
  checkItems(items.length + values.length);
  if (!many && !iterators.has(items)) {
    // A list inserts as Python's list.insert: a negative position counts from the end.
    if (position < 0) position = Math.max(0, items.length + position);
  } else if (position < 0) {
    return iter(many ? [...values, ...items] : [...items]);
  }
  const at = Math.min(position, items.length);
  return iter([...items.slice(0, at), ...values, ...items.slice(at)]);
}

export const COLLECTIONS: Record<string, StdFunction> = {
  toSet: (c) => asSet(seq(need(c, 0).value(), 'toSet')),
  isSet: (c) => isSet(need(c, 0).value()),
  union: (c) => asSet([...aSet(need(c, 0).value(), 'union'), ...aSet(need(c, 1).value(), 'union')]),
  intersect: (c) => {
    const right = aSet(need(c, 1).value(), 'intersect');
    return asSet(aSet(need(c, 0).value(), 'intersect').filter((x) => has(right, x)));
  },
  difference: (c) => {
    const right = aSet(need(c, 1).value(), 'difference');
    return asSet(aSet(need(c, 0).value(), 'difference').filter((x) => !has(right, x)));
  },
  symmetricDifference: (c) => {
    const left = aSet(need(c, 0).value(), 'symmetricDifference');
    const right = aSet(need(c, 1).value(), 'symmetricDifference');
    return asSet([...left.filter((x) => !has(right, x)), ...right.filter((x) => !has(left, x))]);
  },
  add: (c) => asSet([...aSet(need(c, 0).value(), 'add'), ...c.args.slice(1).map((a) => (a ? a.value() : null))]),
  remove: (c) => {
    const gone = c.args.slice(1).map((a) => (a ? a.value() : null));
    return asSet(aSet(need(c, 0).value(), 'remove').filter((x) => !has(gone, x)));
  },
  insert: (c) => insertAt(c, false),
  insertMany: (c) => insertAt(c, true),
  replaceMany: (c) => {
    const items = seq(need(c, 0).value(), 'replaceMany');
    return replaceSpan(
      items,
      integer(need(c, 1, 'position').value(), 'replaceMany'),
      seq(need(c, 2, 'values').value(), 'replaceMany'),
      integer(opt(c, 3, 'count', 1), 'replaceMany'),
    );
  },
  deleteAll: (c) => {
    const d = { ...dict(need(c, 0).value(), 'deleteAll') };
    for (const k of seq(need(c, 1, 'keys').value(), 'deleteAll')) if (typeof k === 'string') delete d[k];
    return d;
  },
};

/** List versions of dict and string methods: used when the receiver is a list. */
export const COLLECTION_OVERLOADS: Record<string, Overload> = {
  // dict.set(k, v) as a method of a dict; set(...) builds a set.
  set: (c, next) => {
    const first = c.args[0];
    return first && !first.node && isPlainObject(first.value()) ? next(c) : asSet(unpack(c.args.map((a) => (a ? a.value() : null))));
  },
  delete: (c, next) => {
    const r = need(c, 0).value();
    if (!Array.isArray(r)) return next(c);
    const position = integer(need(c, 1, 'position').value(), 'delete');
    const count = integer(opt(c, 2, 'count', 1), 'delete');
    return iter(r.filter((_x, i) => !inSpan(i, position, count)));
  },
  replace: (c, next) => {
    const r = need(c, 0).value();
    if (!Array.isArray(r)) return next(c);
    return replaceSpan(r, integer(need(c, 1, 'position').value(), 'replace'), [need(c, 2, 'value').value()], integer(opt(c, 3, 'count', 1), 'replace'));
  },
};
