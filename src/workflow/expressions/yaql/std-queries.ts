/**
 * yaql's queries beyond the common ones (yaql/standard_library/queries.py): grouping, zipping,
 * folding, generating, slicing, multi-level ordering, positions. Everything is built eagerly as a
 * list, within the limits of core.ts (an unbounded generator is refused, not run forever).
 */
import { Fault, fault, typeFault, valueFault } from '../faults.ts';
import { deepEqual, truthy } from '../pystr.ts';
import { setOwn } from '../../../template/plain-data.ts';
import {
  argAt,
  checkItems,
  compare,
  dict,
  integer,
  iter,
  need,
  opt,
  seq,
  spend,
  tooBig,
  type Call,
  type LazyArg,
  type Overload,
  type StdFunction,
} from './core.ts';

const list = (c: Call, fn: string) => seq(need(c, 0).value(), fn);

/** What orderBy/thenBy sorted, and by which keys, so that thenBy can add a key. */
const orderings = new WeakMap<unknown[], { source: unknown[]; keys: Array<{ sel: LazyArg; desc: boolean }> }>();

function ordered(source: unknown[], keys: Array<{ sel: LazyArg; desc: boolean }>): unknown[] {
  const keyed = source.map((x, i) => ({ x, i, k: keys.map((k) => k.sel.lambda(x)) }));
  keyed.sort((a, b) => {
    for (let j = 0; j < keys.length; j++) {
      const c = compare(a.k[j], b.k[j]);
      if (c !== 0) return keys[j]?.desc ? -c : c;
    }
    return a.i - b.i;
  });
  const out = iter(keyed.map((e) => e.x));
  orderings.set(out, { source, keys });
  return out;
}

function thenBy(c: Call, desc: boolean): unknown[] {
  const prior = orderings.get(need(c, 0).value() as unknown[]);
  if (!prior) throw fault('NoMatchingMethodException', `${c.name}() follows orderBy() or orderByDescending()`);
  return ordered(prior.source, [...prior.keys, { sel: need(c, 1, 'selector'), desc }]);
}

function fold(c: Call, fn: string, keepAll: boolean): unknown {
  const items = list(c, fn);
  const f = need(c, 1, 'selector');
  const seed = argAt(c, 2, 'seed');
  let acc: unknown;
  let rest: unknown[];
  if (seed) [acc, rest] = [seed.value(), items];
  else if (items.length > 0) [acc, rest] = [items[0], items.slice(1)];
  else if (keepAll) return iter([]);
  else throw typeFault(`${fn}() of an empty sequence with no initial value`);
  const all = [acc];
  for (const x of rest) {
    acc = f.lambda(acc, x);
    if (keepAll) all.push(acc);
  }
  return keepAll ? iter(all) : acc;
}

function groupBy(c: Call): unknown[] {
  const keySel = need(c, 1, 'keySelector');
  const valSel = argAt(c, 2, 'valueSelector');
  const aggregator = argAt(c, 3, 'aggregator');
  const groups: Array<[unknown, unknown[]]> = [];
  for (const x of list(c, 'groupBy')) {
    const k = keySel.lambda(x);
    const v = valSel ? valSel.lambda(x) : x;
    const g = groups.find((e) => deepEqual(e[0], k));
    if (g) g[1].push(v);
    else groups.push([k, [v]]);
  }
  if (!aggregator) return iter(groups);
  // yaql 1.1.1 gave the aggregator the [key, values] pair; newer yaql gives it the values and
  // falls back to the old way when that fails.
  return iter(
    groups.map(([k, vs]) => {
      try {
        return [k, aggregator.lambda(vs)];
      } catch (e) {
        if (!(e instanceof Fault)) throw e;
        const r = aggregator.lambda([k, vs]);
        if (Array.isArray(r) && r.length === 2) return r;
        throw e;
      }
    }),
  );
}

function zip(c: Call, longest: boolean): unknown[] {
  const lists = c.args.map((a) => seq(a?.value(), c.name));
  const fill = longest ? opt(c, Infinity, 'default', null) : null;
  const n = lists.length === 0 ? 0 : longest ? Math.max(...lists.map((l) => l.length)) : Math.min(...lists.map((l) => l.length));
  return iter(Array.from({ length: n }, (_x, i) => lists.map((l) => (i < l.length ? l[i] : fill))));
}

function mergeDicts(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  lists: (x: unknown[], y: unknown[]) => unknown,
  items: (x: unknown, y: unknown) => unknown,
  levels: number,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v1] of Object.entries(a)) {
    setOwn(out, k, v1);
    if (!Object.hasOwn(b, k)) continue;
    const v2 = b[k];
    if (levels !== 1 && typeof v2 === 'object' && v2 !== null && !Array.isArray(v2)) {
      setOwn(out, k, mergeDicts(dict(v1, 'mergeWith'), v2 as Record<string, unknown>, lists, items, levels === 0 ? 0 : levels - 1));
    } else if (levels !== 1 && Array.isArray(v2)) {
      setOwn(out, k, lists(seq(v1, 'mergeWith'), v2));
    } else setOwn(out, k, items(v1, v2));
  }
  for (const [k, v2] of Object.entries(b)) if (!Object.hasOwn(out, k)) setOwn(out, k, v2);
  return out;
}

function distinct(xs: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const x of xs) if (!out.some((y) => deepEqual(x, y))) out.push(x);
  return out;
}

function generateMany(c: Call): unknown[] {
  const producer = need(c, 1, 'producer');
  const selector = argAt(c, 2, 'selector');
  const decycle = truthy(opt(c, 3, 'decycle', false));
  const depthFirst = truthy(opt(c, 4, 'depthFirst', false));
  // Breadth first: a queue read from `head`; depth first: a stack whose top is the next item.
  const pending: unknown[] = [need(c, 0, 'initial').value()];
  let head = 0;
  const seen: unknown[] = [];
  const out: unknown[] = [];
  while (head < pending.length) {
    const item = depthFirst ? pending.pop() : pending[head++];
    if (decycle) {
      if (seen.some((s) => deepEqual(s, item))) continue;
      seen.push(item);
    }
    out.push(selector ? selector.lambda(item) : item);
    checkItems(out.length);
    spend(1);
    const produced = seq(producer.lambda(item), 'generateMany');
    pending.push(...(depthFirst ? [...produced].reverse() : produced));
    checkItems(pending.length - head);
  }
  return iter(out);
}

function slices(items: unknown[], cut: (x: unknown, i: number) => boolean, keepCut: boolean): unknown[][] {
  const out: unknown[][] = [];
  let current: unknown[] = [];
  items.forEach((x, i) => {
    if (cut(x, i)) {
      if (keepCut) {
        if (current.length > 0) out.push(current);
        current = [x];
        return;
      }
      out.push(current);
      current = [];
      return;
    }
    current.push(x);
  });
  if (current.length > 0) out.push(current);
  return out;
}

function position(c: Call, fn: string, last: boolean, match: (x: unknown) => boolean): number {
  const items = list(c, fn);
  if (last) {
    for (let i = items.length - 1; i >= 0; i--) if (match(items[i])) return i;
    return -1;
  }
  return items.findIndex(match);
}

/** Python's str.find / str.rfind with start and an optional length. */
function find(c: Call, last: boolean): number {
  const s = need(c, 0).value() as string;
  const sub = need(c, 1, 'sub').value();
  if (typeof sub !== 'string') throw typeFault(`${c.name}() expects a string, got ${typeof sub}`);
  let start = integer(opt(c, 2, 'start', 0), c.name);
  const len = argAt(c, 3, 'length');
  if (start < 0) start = Math.max(0, s.length + start);
  const end = len ? Math.min(s.length, start + integer(len.value(), c.name)) : s.length;
  const window = s.slice(0, end);
  if (last) {
    const i = window.lastIndexOf(sub);
    return i >= start ? i : -1;
  }
  const i = window.indexOf(sub, start);
  return i >= 0 && i + sub.length <= end ? i : -1;
}

function maxMin(c: Call, next: StdFunction, sign: 1 | -1): unknown {
  const r = need(c, 0).value();
  // `[].max(0)`: a collection and an initial value (yaql's aggregate over max); `max(a, b)` compares two values.
  if (c.args.length === 2 && Array.isArray(r)) {
    let best = need(c, 1, 'initial').value();
    for (const x of r) if (compare(x, best) * sign > 0) best = x;
    return best;
  }
  return next(c);
}

export const QUERIES: Record<string, StdFunction> = {
  orderBy: (c) => ordered(list(c, 'orderBy'), [{ sel: need(c, 1, 'selector'), desc: false }]),
  orderByDescending: (c) => ordered(list(c, 'orderByDescending'), [{ sel: need(c, 1, 'selector'), desc: true }]),
  thenBy: (c) => thenBy(c, false),
  thenByDescending: (c) => thenBy(c, true),
  groupBy,
  zipLongest: (c) => zip(c, true),
  aggregate: (c) => fold(c, 'aggregate', false),
  reduce: (c) => fold(c, 'reduce', false),
  accumulate: (c) => fold(c, 'accumulate', true),
  takeWhile: (c) => {
    const items = list(c, 'takeWhile');
    const pred = need(c, 1, 'predicate');
    const stop = items.findIndex((x) => !truthy(pred.lambda(x)));
    return iter(stop < 0 ? [...items] : items.slice(0, stop));
  },
  skipWhile: (c) => {
    const items = list(c, 'skipWhile');
    const pred = need(c, 1, 'predicate');
    const stop = items.findIndex((x) => !truthy(pred.lambda(x)));
    return iter(stop < 0 ? [] : items.slice(stop));
  },
  defaultIfEmpty: (c) => {
    const items = list(c, 'defaultIfEmpty');
    return items.length > 0 ? items : need(c, 1, 'default').value();
  },
  generate: (c) => {
    let x = need(c, 0, 'initial').value();
    const pred = need(c, 1, 'predicate');
    const producer = need(c, 2, 'producer');
    const selector = argAt(c, 3, 'selector');
    const decycle = truthy(opt(c, 4, 'decycle', false));
    const seen: unknown[] = [];
    const out: unknown[] = [];
    while (truthy(pred.lambda(x))) {
      if (decycle) {
        if (seen.some((s) => deepEqual(s, x))) break;
        seen.push(x);
      }
      out.push(selector ? selector.lambda(x) : x);
      checkItems(out.length, 'generate()');
      spend(1);
      x = producer.lambda(x);
    }
    return iter(out);
  },
  generateMany,
  mergeWith: (c) => {
    const listMerger = argAt(c, 2, 'listMerger');
    const itemMerger = argAt(c, 3, 'itemMerger');
    return mergeDicts(
      dict(need(c, 0).value(), 'mergeWith'),
      dict(need(c, 1, 'another').value(), 'mergeWith'),
      (x, y) => (listMerger ? listMerger.lambda(x, y) : distinct([...x, ...y])),
      (x, y) => (itemMerger ? itemMerger.lambda(x, y) : y),
      integer(opt(c, 4, 'maxLevels', 0), 'mergeWith'),
    );
  },
  lastIndexOf: (c) => {
    const r = need(c, 0).value();
    if (typeof r === 'string') return find(c, true);
    const item = need(c, 1, 'item').value();
    return position(c, 'lastIndexOf', true, (x) => deepEqual(x, item));
  },
  indexWhere: (c) => {
    const pred = need(c, 1, 'predicate');
    return position(c, 'indexWhere', false, (x) => truthy(pred.lambda(x)));
  },
  lastIndexWhere: (c) => {
    const pred = need(c, 1, 'predicate');
    return position(c, 'lastIndexWhere', true, (x) => truthy(pred.lambda(x)));
  },
  single: (c) => {
    const items = list(c, 'single');
    if (items.length !== 1) throw valueFault(`single() of a collection of ${items.length} items`);
    return items[0];
  },
  slice: (c) => {
    const n = integer(need(c, 1, 'length').value(), 'slice');
    if (n <= 0) throw valueFault('slice() length must be positive');
    return iter(slices(list(c, 'slice'), (_x, i) => i > 0 && i % n === 0, true));
  },
  splitWhere: (c) => {
    const pred = need(c, 1, 'predicate');
    const items = list(c, 'splitWhere');
    const out: unknown[][] = [];
    let start = 0;
    items.forEach((x, i) => {
      if (truthy(pred.lambda(x))) {
        out.push(items.slice(start, i));
        start = i + 1;
      }
    });
    if (start !== items.length) out.push(items.slice(start));
    return iter(out);
  },
  sliceWhere: (c) => {
    const pred = need(c, 1, 'predicate');
    const items = list(c, 'sliceWhere');
    const out: unknown[][] = [];
    let prev: unknown;
    items.forEach((x, i) => {
      const k = truthy(pred.lambda(x));
      if (i === 0 || k !== prev) out.push([x]);
      else out[out.length - 1]?.push(x);
      prev = k;
    });
    return iter(out);
  },
  splitAt: (c) => {
    const items = list(c, 'splitAt');
    const at = integer(need(c, 1, 'index').value(), 'splitAt');
    return iter([items.slice(0, at), items.slice(at)]);
  },
  repeat: (c) => {
    const v = need(c, 0).value();
    const times = integer(opt(c, 1, 'times', -1), 'repeat');
    if (times < 0) throw tooBig('an endless repeat()');
    checkItems(times);
    return iter(Array.from({ length: times }, () => v));
  },
  cycle: () => {
    throw tooBig('an endless cycle()');
  },
  isIterable: (c) => Array.isArray(need(c, 0).value()),
  // Our collections are lists already: memorize() has nothing to keep.
  memorize: (c) => list(c, 'memorize'),
  sequence: () => {
    throw tooBig('an endless sequence()');
  },
};

export const QUERY_OVERLOADS: Record<string, Overload> = {
  // yaql's zip method stops at the shortest list; orquesta's zip() function pads (the catalog's).
  zip: (c, next) => (c.args[0] && !c.args[0].node ? zip(c, false) : next(c)),
  indexOf: (c, next) => (typeof need(c, 0).value() === 'string' ? find(c, false) : next(c)),
  max: (c, next) => maxMin(c, next, 1),
  min: (c, next) => maxMin(c, next, -1),
  any: (c, next) => (argAt(c, 1, 'predicate') ? next(c) : seq(need(c, 0).value(), 'any').length > 0),
  selectMany: (c) => {
    const f = need(c, 1, 'selector');
    // A selector that gives a scalar contributes that one item (`range(2).selectMany(xx)`).
    return iter(
      list(c, 'selectMany').flatMap((x) => {
        const r = f.lambda(x);
        return Array.isArray(r) ? r : [r];
      }),
    );
  },
  join: (c, next) => {
    // The query join: collection.join(other, predicate, selector), both lambdas of $1 and $2.
    if (c.args.length + Object.keys(c.kwargs).length < 4 || !Array.isArray(need(c, 0).value())) return next(c);
    const left = list(c, 'join');
    const right = seq(need(c, 1, 'collection2').value(), 'join');
    const pred = need(c, 2, 'predicate');
    const sel = need(c, 3, 'selector');
    checkItems(left.length * right.length);
    return iter(left.flatMap((a) => right.flatMap((b) => (truthy(pred.lambda(a, b)) ? [sel.lambda(a, b)] : []))));
  },
};
