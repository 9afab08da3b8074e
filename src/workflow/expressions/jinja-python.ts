/**
 * Python-Jinja semantics nunjucks lacks, as filters and tests any sandboxed environment can
 * register (workflow Jinja and parameter rendering alike):
 *
 *   - the filters the Python syntax is parsed into (src/template/python-parser.ts): slices
 *     `x[a:b:c]`, `%` (formatting or modulo), `"...".format(...)`;
 *   - `select`, `reject`, `selectattr`, `rejectattr` with a test and its arguments
 *     (`selectattr("v", "gt", 1)`): nunjucks' selectattr only tests truthiness, and reads any
 *     JavaScript member;
 *   - Jinja's tests with Python meaning: `none`, `true`, `false`, `boolean`, `integer`, `float`,
 *     `number`, `string`, `mapping`, `sequence`, `iterable`, `eq`/`==`, `ne`/`!=`, `gt`/`>`,
 *     `ge`/`>=`, `lt`/`<`, `le`/`<=`, `in`, `truthy`/`falsy` by Python truthiness.
 */
import { fault, typeFault, valueFault } from './faults.ts';
import { PY_METHODS, splitKeywords } from './jinja-filters.ts';
import { EQ_FILTER, MOD_FILTER, NE_FILTER, TRUTHY_FILTER } from './jinja-rewrite.ts';
import { percentFormat, pyModulo, strFormat } from './pyformat.ts';
import { deepEqual, isPlainObject, pyTypeName, truthy } from './pystr.ts';
import { ownMember } from '../../template/plain-data.ts';
import { methodFilter, SLICE_FILTER } from '../../template/python-parser.ts';
import type nunjucks from 'nunjucks';

type Fn = (...args: unknown[]) => unknown;

function index(value: unknown, what: string): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'boolean') return Number(value);
  throw typeFault(`slice ${what} must be an integer or None, not ${pyTypeName(value)}`);
}

/** Python's `seq[start:stop:step]` on a list or a string. */
export function pySlice(value: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  if (typeof value !== 'string' && !Array.isArray(value)) throw typeFault(`'${pyTypeName(value)}' object is not subscriptable`);
  const items: unknown[] = typeof value === 'string' ? [...value] : value;
  const n = items.length;
  const by = index(step, 'step') ?? 1;
  if (by === 0) throw valueFault('slice step cannot be zero');
  const bound = (v: number | null, fallback: number, low: number, high: number): number => {
    if (v === null) return fallback;
    const i = v < 0 ? v + n : v;
    return Math.min(Math.max(i, low), high);
  };
  const from = by > 0 ? bound(index(start, 'start'), 0, 0, n) : bound(index(start, 'start'), n - 1, -1, n - 1);
  const to = by > 0 ? bound(index(stop, 'stop'), n, 0, n) : bound(index(stop, 'stop'), -1, -1, n - 1);
  const out: unknown[] = [];
  for (let i = from; by > 0 ? i < to : i > to; i += by) out.push(items[i]);
  return typeof value === 'string' ? out.join('') : out;
}

function number(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return Number(value);
  return undefined;
}

/** Python's ordering of two values: numbers with numbers, strings with strings, lists item by item. */
export function pyCompare(a: unknown, b: unknown, op: string): number {
  if (a === undefined || b === undefined) throw fault('UndefinedError', `an undefined value cannot be compared with '${op}'`);
  const x = number(a);
  const y = number(b);
  if (x !== undefined && y !== undefined) return Math.sign(x - y);
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (!deepEqual(a[i], b[i])) return pyCompare(a[i], b[i], op);
    }
    return Math.sign(a.length - b.length);
  }
  throw typeFault(`'${op}' not supported between instances of '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

function contains(container: unknown, item: unknown): boolean {
  if (typeof container === 'string') return typeof item === 'string' && container.includes(item);
  if (Array.isArray(container)) return container.some((x) => deepEqual(x, item));
  if (isPlainObject(container)) return typeof item === 'string' && Object.hasOwn(container, item);
  throw typeFault(`argument of type '${pyTypeName(container)}' is not iterable`);
}

const eq: Fn = (a, b) => deepEqual(a, b);
const ne: Fn = (a, b) => !deepEqual(a, b);
const gt: Fn = (a, b) => pyCompare(a, b, '>') > 0;
const ge: Fn = (a, b) => pyCompare(a, b, '>=') >= 0;
const lt: Fn = (a, b) => pyCompare(a, b, '<') < 0;
const le: Fn = (a, b) => pyCompare(a, b, '<=') <= 0;

/** Tests with Python's meaning, by name (they replace nunjucks' of the same name). */
export const PYTHON_TESTS: Record<string, Fn> = {
  none: (v) => v === null,
  null: (v) => v === null,
  true: (v) => v === true,
  false: (v) => v === false,
  boolean: (v) => typeof v === 'boolean',
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  float: (v) => typeof v === 'number' && !Number.isInteger(v),
  // Python's bool is a number
  number: (v) => typeof v === 'number' || typeof v === 'boolean',
  string: (v) => typeof v === 'string',
  mapping: (v) => isPlainObject(v),
  sequence: (v) => typeof v === 'string' || Array.isArray(v) || isPlainObject(v),
  iterable: (v) => typeof v === 'string' || Array.isArray(v) || isPlainObject(v),
  truthy: (v) => truthy(v),
  falsy: (v) => !truthy(v),
  eq,
  equalto: eq,
  '==': eq,
  ne,
  '!=': ne,
  gt,
  greaterthan: gt,
  '>': gt,
  ge,
  '>=': ge,
  lt,
  lessthan: lt,
  '<': lt,
  le,
  '<=': le,
  in: (v, container) => contains(container, v),
};

/** A dotted attribute path (`a.b.0`) of an item: own data only; undefined when missing. */
function attribute(item: unknown, path: unknown): unknown {
  if (typeof path !== 'string') throw typeFault('the attribute must be a string');
  let v = item;
  for (const part of path.split('.')) {
    v = ownMember(v, Array.isArray(v) && /^\d+$/.test(part) ? Number(part) : part);
    if (v === undefined) return undefined;
  }
  return v;
}

function items(value: unknown, filter: string): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return [...value];
  if (isPlainObject(value)) return Object.keys(value);
  throw typeFault(`${filter}: '${pyTypeName(value)}' object is not iterable`);
}

type TestNamed = (name: unknown) => Fn;

/** Jinja's select/reject(attr): keeps the items whose (attribute) passes the test (`expect`) or fails it. */
function selecting(testNamed: TestNamed, expect: boolean, byAttribute: boolean, filter: string): Fn {
  return (value, ...raw) => {
    const [args] = splitKeywords(raw);
    const path = byAttribute ? args.shift() : undefined;
    const test = args.length === 0 ? truthy : testNamed(args.shift());
    return items(value, filter).filter((item) => {
      const subject = byAttribute ? attribute(item, path) : item;
      return Boolean(test(subject, ...args)) === expect;
    });
  };
}

/**
 * The filters, by name. `testNamed` gives the test a name refers to (a registered one), or
 * throws when there is none.
 */
export function pythonFilters(testNamed: TestNamed): Record<string, Fn> {
  return {
    [SLICE_FILTER]: pySlice,
    [MOD_FILTER]: (a, b, isTuple) => pyModulo(a, b, isTuple === true),
    [methodFilter('format')]: (self, ...raw) => {
      if (typeof self !== 'string') throw typeFault('.format() needs a string');
      const [args, kwargs] = splitKeywords(raw);
      return strFormat(self, args, kwargs);
    },
    select: selecting(testNamed, true, false, 'select'),
    reject: selecting(testNamed, false, false, 'reject'),
    selectattr: selecting(testNamed, true, true, 'selectattr'),
    rejectattr: selecting(testNamed, false, true, 'rejectattr'),
    format: (self, ...raw) => {
      // Jinja's `"%s-%s" | format(a, b)` is printf style.
      const [args] = splitKeywords(raw);
      return percentFormat(typeof self === 'string' ? self : String(self), args, true);
    },
  };
}

/**
 * Registers on `env` everything Python-Jinja syntax is parsed and rewritten into: the method
 * filters, slices, `%`, format, truthiness and `==`, select/reject and the Python tests. `wrap`
 * wraps each function (the workflow environment keeps the original error of a failing one).
 */
export function addPythonJinja(env: nunjucks.Environment, wrap: (fn: Fn) => Fn = (fn) => fn): void {
  const raw = env as unknown as {
    addTest(name: string, fn: Fn): void;
    getTest(name: string): Fn;
  };
  const testNamed: TestNamed = (name) => {
    if (typeof name !== 'string') throw typeFault('select: expected a test name');
    return raw.getTest(name);
  };
  for (const [name, fn] of Object.entries(PY_METHODS)) env.addFilter(methodFilter(name), wrap(fn));
  for (const [name, fn] of Object.entries(pythonFilters(testNamed))) env.addFilter(name, wrap(fn));
  env.addFilter(TRUTHY_FILTER, truthy);
  env.addFilter(EQ_FILTER, (a: unknown, b: unknown) => deepEqual(a, b));
  env.addFilter(NE_FILTER, (a: unknown, b: unknown) => !deepEqual(a, b));
  for (const [name, fn] of Object.entries(PYTHON_TESTS)) raw.addTest(name, wrap(fn));
}
