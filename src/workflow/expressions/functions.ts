/**
 * The function catalog orquesta registers for BOTH syntaxes (entry points
 * `orquesta.expressions.functions` of orquesta and of st2's orquesta runner): workflow functions
 * (`ctx`, `result`, `task`, `item`, `succeeded`, ...) and st2's data/regex/path/time/version helpers.
 * YAQL calls them as functions (`<% to_json_string(ctx(x)) %>`); Jinja as globals and filters
 * (`{{ ctx(x) | to_json_string }}`).
 */
import YAML from 'yaml';
import { fault, typeFault, valueFault } from './faults.ts';
import { isPlainObject, pyJsonDumps, pyStr, pyTypeName } from './pystr.ts';
import type { ExpressionContext } from './types.ts';

export type CatalogFunction = (context: ExpressionContext, args: unknown[], kwargs: Record<string, unknown>) => unknown;

/** st2's `use_none()` returns this marker so that a None survives string rendering; st2 turns it back into null. */
export const NONE_MAGIC_VALUE = '%*****__%NONE%__*****%';

/** orquesta's statuses that count as completed (`completed()`). */
const COMPLETED_STATUSES = ['succeeded', 'failed', 'expired', 'abandoned', 'canceled'];

function arg(args: unknown[], kwargs: Record<string, unknown>, index: number, name: string, fallback?: unknown): unknown {
  if (index < args.length) return args[index];
  if (Object.prototype.hasOwnProperty.call(kwargs, name)) return kwargs[name];
  return fallback;
}

function required(fn: string, args: unknown[], kwargs: Record<string, unknown>, index: number, name: string): unknown {
  if (index < args.length || Object.prototype.hasOwnProperty.call(kwargs, name)) return arg(args, kwargs, index, name);
  throw typeFault(`${fn}() missing required argument: '${name}'`);
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : pyStr(value);
}

// ---------------------------------------------------------------- workflow functions

/** `ctx()`: the workflow variables without the internal `__` ones (and `st2` when given separately). */
export function ctxAll(context: ExpressionContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(context.ctx ?? {})) if (!k.startsWith('__')) out[k] = v;
  if (context.st2 !== undefined && !('st2' in out)) out.st2 = context.st2;
  return out;
}

/** `ctx(name)`: one workflow variable; undefined and internal names are errors, as in orquesta. */
export function ctxGet(context: ExpressionContext, key: unknown): unknown {
  if (key === undefined || key === null || key === '') return ctxAll(context);
  if (typeof key !== 'string') throw typeFault(`ctx() expects a variable name, got ${pyTypeName(key)}`);
  const vars = context.ctx ?? {};
  if (!Object.prototype.hasOwnProperty.call(vars, key)) {
    if (key === 'st2' && context.st2 !== undefined) return context.st2;
    throw fault('VariableUndefinedError', `The variable "${key}" is undefined.`);
  }
  if (key.startsWith('__')) throw fault('VariableInaccessibleError', `The variable "${key}" is for internal use and inaccessible.`);
  return vars[key];
}

function currentStatus(context: ExpressionContext): string {
  if (context.currentTaskStatus === undefined) {
    throw fault('ExpressionEvaluationException', 'The current task is not set in the context.');
  }
  return context.currentTaskStatus;
}

function taskEntry(context: ExpressionContext, name: string): Record<string, unknown> | undefined {
  const found = context.task?.(name);
  if (found) return { task_id: found.task_name, route: 0, ...found };
  if (name === context.currentTaskName && context.currentTaskStatus !== undefined) {
    return { task_id: name, task_name: name, route: 0, status: context.currentTaskStatus, result: context.result ?? null };
  }
  return undefined;
}

const workflowFunctions: Record<string, CatalogFunction> = {
  ctx: (c, a, k) => ctxGet(c, arg(a, k, 0, 'key')),
  result: (c) => {
    if (c.result === undefined && c.currentTaskName === undefined && c.currentTaskStatus === undefined) {
      throw fault('ExpressionEvaluationException', 'The current task is not set in the context.');
    }
    return c.result ?? null;
  },
  succeeded: (c) => currentStatus(c) === 'succeeded',
  failed: (c) => currentStatus(c) === 'failed',
  completed: (c) => COMPLETED_STATUSES.includes(currentStatus(c)),
  item: (c, a, k) => {
    const key = arg(a, k, 0, 'key');
    const current = c.item === undefined ? null : c.item;
    if (key === undefined || key === null || key === '') return current;
    if (!isPlainObject(current)) throw fault('ExpressionEvaluationException', 'Item is not type of collections.abc.Mapping.');
    const name = str(key);
    if (!Object.prototype.hasOwnProperty.call(current, name)) {
      throw fault('ExpressionEvaluationException', `Item does not have key "${name}".`);
    }
    return current[name];
  },
  task: (c, a, k) => {
    const given = arg(a, k, 0, 'task_id');
    const name = given === undefined || given === null ? c.currentTaskName : str(given);
    if (name === undefined) throw fault('ExpressionEvaluationException', 'The current task is not set in the context.');
    const entry = taskEntry(c, name);
    if (!entry) throw fault('ExpressionEvaluationException', `Unable to find task execution for "${name}".`);
    return entry;
  },
  task_status: (c, a, k) => {
    const name = str(required('task_status', a, k, 0, 'task_id'));
    const entry = taskEntry(c, name);
    return entry && typeof entry.status === 'string' ? entry.status : 'unset';
  },
  st2kv: () => {
    throw fault('ExpressionEvaluationException', 'st2kv() is not supported: this runner has no StackStorm datastore.');
  },
};

// ---------------------------------------------------------------- data

function json(value: unknown): unknown {
  if (isPlainObject(value)) return value;
  if (typeof value !== 'string') throw typeFault('Given object is not typeof string.');
  return parseJson(value);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw fault('JSONDecodeError', (e as Error).message);
  }
}

function zip(args: unknown[], kwargs: Record<string, unknown>): unknown {
  const lists = args.map((a) => (a === null || a === undefined ? [] : a));
  for (const l of lists) if (!Array.isArray(l) && typeof l !== 'string') throw typeFault(`zip argument is not iterable: ${pyTypeName(l)}`);
  if (lists.length === 1) return lists[0];
  const pad = kwargs.pad ?? null;
  const seqs = lists.map((l) => (typeof l === 'string' ? [...l] : (l as unknown[])));
  const n = Math.max(0, ...seqs.map((s) => s.length));
  return Array.from({ length: n }, (_, i) => seqs.map((s) => (i < s.length ? s[i] : pad)));
}

export function toJsonString(value: unknown, kwargs: Record<string, unknown> = {}, positional: unknown[] = []): string {
  const indent = positional[0] ?? kwargs.indent ?? null;
  const sortKeys = positional[1] ?? kwargs.sort_keys ?? false;
  const seps = positional[2] ?? kwargs.separators ?? [',', ': '];
  return pyJsonDumps(value, {
    indent: typeof indent === 'number' ? indent : null,
    sortKeys: Boolean(sortKeys),
    separators: Array.isArray(seps) && seps.length === 2 ? [String(seps[0]), String(seps[1])] : undefined,
  });
}

export function toYamlString(value: unknown, indent: unknown = null): string {
  return YAML.stringify(value ?? null, {
    indent: typeof indent === 'number' ? indent : 2,
    indentSeq: false,
    sortMapEntries: true,
    lineWidth: 0,
  });
}

function fromYamlString(value: unknown): unknown {
  try {
    return YAML.parse(str(value)) ?? null;
  } catch (e) {
    throw fault('YAMLError', (e as Error).message);
  }
}

/** A small JSONPath subset: `$`, `.key`, `['key']`, `[n]`, `[*]`, `.*`, `..key`. */
function jsonpathQuery(value: unknown, query: string): unknown {
  let q = query.trim();
  if (!q.startsWith('$')) throw valueFault(`Unsupported JSONPath query "${query}": must start with "$".`);
  q = q.slice(1);
  let nodes: unknown[] = [value];
  const descend = (v: unknown, key: string, out: unknown[]) => {
    if (isPlainObject(v)) {
      if (Object.prototype.hasOwnProperty.call(v, key)) out.push(v[key]);
      for (const x of Object.values(v)) descend(x, key, out);
    } else if (Array.isArray(v)) for (const x of v) descend(x, key, out);
  };
  const re = /^(?:\.\.([\w-]+)|\.([\w-]+)|\.\*|\[\*\]|\[(-?\d+)\]|\[['"]([^'"]*)['"]\])/;
  while (q.length > 0) {
    const m = re.exec(q);
    if (!m) throw valueFault(`Unsupported JSONPath query "${query}" at "${q}".`);
    q = q.slice(m[0].length);
    const next: unknown[] = [];
    for (const n of nodes) {
      if (m[1] !== undefined) descend(n, m[1], next);
      else if (m[2] !== undefined || m[4] !== undefined) {
        const key = (m[2] ?? m[4]) as string;
        if (isPlainObject(n) && Object.prototype.hasOwnProperty.call(n, key)) next.push(n[key]);
      } else if (m[3] !== undefined) {
        const i = Number(m[3]);
        if (Array.isArray(n) && n.at(i) !== undefined) next.push(n.at(i));
      } else if (Array.isArray(n)) next.push(...n);
      else if (isPlainObject(n)) next.push(...Object.values(n));
    }
    nodes = next;
  }
  return nodes.length === 0 ? null : nodes;
}

// ---------------------------------------------------------------- regex

/** Python `re` syntax to JavaScript: named groups and a few escapes. */
export function pyRegex(pattern: string, flags = ''): RegExp {
  const source = pattern.replace(/\(\?P<(\w+)>/g, '(?<$1>').replace(/\(\?P=(\w+)\)/g, '\\k<$1>').replace(/\\A/g, '^').replace(/\\Z/g, '$');
  try {
    return new RegExp(source, flags);
  } catch (e) {
    throw fault('re.error', (e as Error).message);
  }
}

function pyReplacement(replacement: string): string {
  return replacement
    .replace(/\$/g, '$$$$')
    .replace(/\\g<(\d+)>/g, '$$$1')
    .replace(/\\g<(\w+)>/g, '$$<$1>')
    .replace(/\\(\d{1,2})/g, '$$$1');
}

function regexFlags(ignorecase: unknown): string {
  return ignorecase ? 'i' : '';
}

function regexMatch(value: unknown, pattern: unknown, ignorecase: unknown): boolean {
  const re = pyRegex(str(pattern), regexFlags(ignorecase) + 'y');
  return re.test(str(value));
}

function regexSearch(value: unknown, pattern: unknown, ignorecase: unknown): boolean {
  return pyRegex(str(pattern), regexFlags(ignorecase)).test(str(value));
}

function regexReplace(value: unknown, pattern: unknown, replacement: unknown, ignorecase: unknown): string {
  return str(value).replace(pyRegex(str(pattern), regexFlags(ignorecase) + 'g'), pyReplacement(str(replacement)));
}

function regexSubstring(value: unknown, pattern: unknown, index: unknown, ignorecase: unknown): unknown {
  const re = pyRegex(str(pattern), regexFlags(ignorecase) + 'g');
  const found = [...str(value).matchAll(re)].map((m) => (m.length === 1 ? m[0] : m.length === 2 ? (m[1] ?? '') : m.slice(1).map((g) => g ?? '')));
  const i = typeof index === 'number' ? index : 0;
  const hit = found.at(i);
  if (hit === undefined) throw fault('IndexError', 'list index out of range');
  return hit;
}

// ---------------------------------------------------------------- path, time

function basename(path: unknown): string {
  const p = str(path);
  return p.slice(p.lastIndexOf('/') + 1);
}

function dirname(path: unknown): string {
  const p = str(path);
  const head = p.slice(0, p.lastIndexOf('/') + 1);
  return head && head !== '/'.repeat(head.length) ? head.replace(/\/+$/, '') : head;
}

function toHumanTimeFromSeconds(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number') throw typeFault('to_human_time_from_seconds() expects a number');
  if (value === 0) return '0s';
  if (value < 1) return `${value}\u03bcs`;
  let s = Math.round(value);
  const years = Math.floor(s / (365 * 86400));
  s -= years * 365 * 86400;
  const days = Math.floor(s / 86400);
  s -= days * 86400;
  const parts = [years, days, Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const first = parts.findIndex((x) => x !== 0);
  if (first < 0) return '0s';
  const units = ['y', 'd', 'h', 'm', 's'];
  return parts
    .slice(first)
    .map((x, i) => `${x}${units[first + i]}`)
    .join('');
}

// ---------------------------------------------------------------- semver

interface SemVer {
  major: number;
  minor: number;
  patch: number;
  prerelease: string | null;
  build: string | null;
}

function parseSemver(value: unknown): SemVer {
  const text = str(value);
  const m = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/.exec(text);
  if (!m) throw valueFault(`${text} is not valid SemVer string`);
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), prerelease: m[4] ?? null, build: m[5] ?? null };
}

function compareIdentifiers(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) return Math.sign(Number(a) - Number(b));
  if (an) return -1;
  if (bn) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareSemver(a: SemVer, b: SemVer): number {
  for (const k of ['major', 'minor', 'patch'] as const) if (a[k] !== b[k]) return Math.sign(a[k] - b[k]);
  if (a.prerelease === b.prerelease) return 0;
  if (a.prerelease === null) return 1;
  if (b.prerelease === null) return -1;
  const pa = a.prerelease.split('.');
  const pb = b.prerelease.split('.');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const c = compareIdentifiers(pa[i] as string, pb[i] as string);
    if (c !== 0) return c;
  }
  return Math.sign(pa.length - pb.length);
}

function versionCompare(value: unknown, other: unknown): number {
  return compareSemver(parseSemver(value), parseSemver(other));
}

function versionMatch(value: unknown, expr: unknown): boolean {
  const m = /^(<=|>=|==|!=|<|>)?\s*(.+)$/.exec(str(expr).trim());
  if (!m) throw valueFault(`Invalid match expression "${str(expr)}"`);
  const c = versionCompare(value, m[2]);
  switch (m[1] ?? '==') {
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
    case '!=':
      return c !== 0;
    default:
      return c === 0;
  }
}

function bump(value: unknown, part: 'major' | 'minor' | 'patch'): string {
  const v = parseSemver(value);
  if (part === 'major') return `${v.major + 1}.0.0`;
  if (part === 'minor') return `${v.major}.${v.minor + 1}.0`;
  return `${v.major}.${v.minor}.${v.patch + 1}`;
}

// ---------------------------------------------------------------- catalog

/** A function of one required argument, `value`. */
const one =
  (name: string, fn: (value: unknown) => unknown): CatalogFunction =>
  (_c, a, k) =>
    fn(required(name, a, k, 0, 'value'));

export const CATALOG: Record<string, CatalogFunction> = {
  ...workflowFunctions,
  json: (_c, a, k) => json(required('json', a, k, 0, 's')),
  zip: (_c, a, k) => zip(a, k),
  basename: one('basename', basename),
  dirname: one('dirname', dirname),
  from_json_string: one('from_json_string', (v) => parseJson(str(v))),
  json_parse: one('json_parse', (v) => parseJson(str(v))),
  from_yaml_string: one('from_yaml_string', fromYamlString),
  yaml_parse: one('yaml_parse', fromYamlString),
  to_json_string: (_c, a, k) => toJsonString(required('to_json_string', a, k, 0, 'value'), k, a.slice(1)),
  json_dump: (_c, a, k) => toJsonString(required('json_dump', a, k, 0, 'value'), k, a.slice(1)),
  to_yaml_string: (_c, a, k) => toYamlString(required('to_yaml_string', a, k, 0, 'value'), arg(a, k, 1, 'indent', null)),
  yaml_dump: (_c, a, k) => toYamlString(required('yaml_dump', a, k, 0, 'value'), arg(a, k, 1, 'indent', null)),
  json_escape: one('json_escape', (v) => pyJsonDumps(v).replace(/^"+|"+$/g, '')),
  jsonpath_query: (_c, a, k) => jsonpathQuery(required('jsonpath_query', a, k, 0, 'value'), str(required('jsonpath_query', a, k, 1, 'query'))),
  use_none: one('use_none', (v) => (v === null || v === undefined ? NONE_MAGIC_VALUE : v)),
  regex_match: (_c, a, k) => regexMatch(required('regex_match', a, k, 0, 'value'), required('regex_match', a, k, 1, 'pattern'), arg(a, k, 2, 'ignorecase')),
  regex_search: (_c, a, k) => regexSearch(required('regex_search', a, k, 0, 'value'), required('regex_search', a, k, 1, 'pattern'), arg(a, k, 2, 'ignorecase')),
  regex_replace: (_c, a, k) =>
    regexReplace(
      required('regex_replace', a, k, 0, 'value'),
      required('regex_replace', a, k, 1, 'pattern'),
      required('regex_replace', a, k, 2, 'replacement'),
      arg(a, k, 3, 'ignorecase'),
    ),
  regex_substring: (_c, a, k) =>
    regexSubstring(required('regex_substring', a, k, 0, 'value'), required('regex_substring', a, k, 1, 'pattern'), arg(a, k, 2, 'result_index', 0), arg(a, k, 3, 'ignorecase')),
  to_human_time_from_seconds: one('to_human_time_from_seconds', toHumanTimeFromSeconds),
  version_compare: (_c, a, k) => versionCompare(required('version_compare', a, k, 0, 'value'), required('version_compare', a, k, 1, 'pattern')),
  version_more_than: (_c, a, k) => versionCompare(required('version_more_than', a, k, 0, 'value'), required('version_more_than', a, k, 1, 'pattern')) === 1,
  version_less_than: (_c, a, k) => versionCompare(required('version_less_than', a, k, 0, 'value'), required('version_less_than', a, k, 1, 'pattern')) === -1,
  version_equal: (_c, a, k) => versionCompare(required('version_equal', a, k, 0, 'value'), required('version_equal', a, k, 1, 'pattern')) === 0,
  version_match: (_c, a, k) => versionMatch(required('version_match', a, k, 0, 'value'), required('version_match', a, k, 1, 'pattern')),
  version_bump_major: one('version_bump_major', (v) => bump(v, 'major')),
  version_bump_minor: one('version_bump_minor', (v) => bump(v, 'minor')),
  version_bump_patch: one('version_bump_patch', (v) => bump(v, 'patch')),
  version_strip_patch: one('version_strip_patch', (v) => {
    const s = parseSemver(v);
    return `${s.major}.${s.minor}`;
  }),
};
