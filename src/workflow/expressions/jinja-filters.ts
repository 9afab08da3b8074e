/**
 * The filters workflow Jinja has besides orquesta's catalog: Jinja/Ansible/st2 filters that
 * nunjucks lacks or names differently (`tojson`, `unique`, `map`, `regex_findall`, `to_nice_json`...)
 * and the implementations of the Python methods that jinja-rewrite.ts turns into filters.
 */
import { typeFault } from './faults.ts';
import type { PyMethod } from './jinja-rewrite.ts';
import { isPlainObject, pyJsonDumps, pyStr, truthy } from './pystr.ts';
import { pyRegex, toJsonString, toYamlString } from './st2-functions.ts';
import { ownMember } from '../../template/plain-data.ts';

type Filter = (...args: unknown[]) => unknown;

/** Positional arguments and keyword arguments (nunjucks passes those last, marked `__keywords`). */
export function splitKeywords(args: unknown[]): [unknown[], Record<string, unknown>] {
  const last = args[args.length - 1];
  if (isPlainObject(last) && last.__keywords === true) {
    const kwargs: Record<string, unknown> = { ...last };
    delete kwargs.__keywords;
    return [args.slice(0, -1), kwargs];
  }
  return [args, {}];
}

function pluck(value: unknown, attribute: string): unknown {
  let v = value;
  for (const part of attribute.split('.')) {
    v = ownMember(v, Array.isArray(v) && /^\d+$/.test(part) ? Number(part) : part);
    if (v === undefined) return undefined;
  }
  return v;
}

function iterable(value: unknown, filter: string): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return [...value];
  if (isPlainObject(value)) return Object.keys(value);
  throw typeFault(`${filter}: value is not iterable`);
}

/** Jinja's `tojson`: sorted keys, HTML-sensitive characters escaped. */
function tojson(value: unknown, indent?: unknown): string {
  return pyJsonDumps(value, { sortKeys: true, indent: typeof indent === 'number' ? indent : null, ensureAscii: false })
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/'/g, '\\u0027');
}

function unique(value: unknown): unknown[] {
  const seen: string[] = [];
  return iterable(value, 'unique').filter((x) => {
    const key = JSON.stringify(x);
    if (seen.includes(key)) return false;
    seen.push(key);
    return true;
  });
}

/** Jinja's `map`: `map(attribute='a.b', default=x)`, or `map('filter', args...)` through `filterNamed`. */
function map(filterNamed: (name: unknown) => Filter, value: unknown, raw: unknown[]): unknown[] {
  const [args, kwargs] = splitKeywords(raw);
  const items = iterable(value, 'map');
  if (typeof kwargs.attribute === 'string') {
    const attr = kwargs.attribute;
    return items.map((x) => {
      const v = pluck(x, attr);
      return v === undefined ? (kwargs.default ?? undefined) : v;
    });
  }
  const filter = filterNamed(args[0]);
  return items.map((x) => filter(x, ...args.slice(1)));
}

/**
 * The extra filters, by name. `filterNamed` gives the filter `map('name')` applies, or throws a
 * Fault when `name` is not one a template may name.
 */
export function extraFilters(filterNamed: (name: unknown) => Filter): Record<string, Filter> {
  return {
    tojson: (value, indent) => tojson(value, isPlainObject(indent) ? indent.indent : indent),
    string: (value) => pyStr(value),
    bool: (value) => truthy(value),
    items: (value) => (isPlainObject(value) ? Object.entries(value) : []),
    unique,
    map: (value, ...raw) => map(filterNamed, value, raw),
    regex_escape: (value) => pyStr(value).replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'),
    regex_findall: (value, pattern) => [...pyStr(value).matchAll(pyRegex(pyStr(pattern), 'g'))].map((m) => (m.length > 1 ? m[1] : m[0])),
    to_nice_json: (value, indent) => toJsonString(value, { indent: typeof indent === 'number' ? indent : 4, sort_keys: true }),
    to_nice_yaml: (value) => toYamlString(value),
  };
}

/**
 * Jinja runs on Python objects, so workflows call Python methods (`d.items()`, `d.get('k', 0)`,
 * `s.upper()`, `', '.join(xs)`). nunjucks has JavaScript objects: jinja-rewrite.ts rewrites these
 * calls into hidden filters (`x.items()` → `x|__py_items()`), implemented here.
 */
export const PY_METHODS: Record<PyMethod, (self: unknown, ...args: unknown[]) => unknown> = {
  items: (d) => Object.entries(asDict(d, 'items')),
  keys: (d) => Object.keys(asDict(d, 'keys')),
  values: (d) => Object.values(asDict(d, 'values')),
  get: (d, key, fallback = null) => {
    const dict = asDict(d, 'get');
    const k = pyStr(key);
    return Object.prototype.hasOwnProperty.call(dict, k) ? dict[k] : fallback;
  },
  upper: (s) => asStr(s, 'upper').toUpperCase(),
  lower: (s) => asStr(s, 'lower').toLowerCase(),
  strip: (s, chars) => strip(asStr(s, 'strip'), chars, true, true),
  lstrip: (s, chars) => strip(asStr(s, 'lstrip'), chars, true, false),
  rstrip: (s, chars) => strip(asStr(s, 'rstrip'), chars, false, true),
  startswith: (s, prefix) => asStr(s, 'startswith').startsWith(pyStr(prefix)),
  endswith: (s, suffix) => asStr(s, 'endswith').endsWith(pyStr(suffix)),
  split: (s, sep) => {
    const text = asStr(s, 'split');
    return sep === undefined || sep === null ? text.split(/\s+/).filter((x) => x !== '') : text.split(pyStr(sep));
  },
  replace: (s, old, rep) => asStr(s, 'replace').split(pyStr(old)).join(pyStr(rep)),
  join: (sep, items) => iterable(items, 'join').map(pyStr).join(asStr(sep, 'join')),
};

function asDict(value: unknown, method: string): Record<string, unknown> {
  if (isPlainObject(value)) return value;
  throw typeFault(`.${method}() needs a dict`);
}

function asStr(value: unknown, method: string): string {
  if (typeof value === 'string') return value;
  throw typeFault(`.${method}() needs a string`);
}

function strip(s: string, chars: unknown, left: boolean, right: boolean): string {
  const set = chars === undefined || chars === null ? null : new Set(pyStr(chars));
  const drop = (ch: string) => (set ? set.has(ch) : /\s/.test(ch));
  let a = 0;
  let b = s.length;
  if (left) while (a < b && drop(s[a] as string)) a++;
  if (right) while (b > a && drop(s[b - 1] as string)) b--;
  return s.slice(a, b);
}
