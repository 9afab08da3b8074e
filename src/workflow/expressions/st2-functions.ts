/**
 * st2's data, regex, path and time functions (`json`, `zip`, `to_json_string`, `from_yaml_string`,
 * `jsonpath_query`, `use_none`, `regex_*`, `basename`, `to_human_time_from_seconds`...), as st2's
 * orquesta runner registers them.
 */
import { JSONPath } from 'jsonpath-plus';
import YAML from 'yaml';
import { arg, required, one, str, type CatalogFunction } from './call-args.ts';
import { fault, typeFault, valueFault } from './faults.ts';
import { parsePackYaml, readsAsNonString } from '../../shared/pack-yaml.ts';
import { isBuiltinMember } from '../../template/sandbox-tree.ts';
import { isPlainObject, pyJsonDumps, pyStr, pyTypeName } from './pystr.ts';

/** st2's `use_none()` returns this marker so that a None survives string rendering; st2 turns it back into null. */
export const NONE_MAGIC_VALUE = '%*****__%NONE%__*****%';

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
  // Quoted as PyYAML's safe_dump quotes: a string PyYAML would read back as another type (yes, on,
  // 0777, 1:30, 2001-12-14, =) is quoted, so from_yaml_string gives the string again.
  const doc = new YAML.Document(value ?? null, { sortMapEntries: true });
  YAML.visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && readsAsNonString(node.value)) node.type = 'QUOTE_SINGLE';
    },
  });
  return doc.toString({
    indent: typeof indent === 'number' ? indent : 2,
    indentSeq: false,
    lineWidth: 0,
    singleQuote: true,
  });
}

function fromYamlString(value: unknown): unknown {
  try {
    return parsePackYaml(str(value));
  } catch (e) {
    throw fault('YAMLError', (e as Error).message);
  }
}

/**
 * st2's `jsonpath_query` (jsonpath_rw): the values the query matches, or None when it matches
 * nothing. The leading `$` is optional (`people[*].first`). Through jsonpath-plus, with script
 * filters (`[?(...)]`) off, as jsonpath_rw has none; a step naming a JavaScript built-in
 * (`length`, `constructor`) matches nothing, as on Python data.
 */
function jsonpathQuery(value: unknown, query: string): unknown {
  const path = query.trim();
  let steps: string[];
  try {
    steps = JSONPath.toPathArray(path);
  } catch (e) {
    throw valueFault(`Invalid JSONPath query "${query}": ${(e as Error).message}`);
  }
  if (steps.some((step) => isBuiltinMember(step))) return null;
  let found: unknown[];
  try {
    found = JSONPath({ path, json: value as object, wrap: true, eval: false }) as unknown[];
  } catch (e) {
    throw valueFault(`Invalid JSONPath query "${query}": ${(e as Error).message}`);
  }
  return found.length === 0 ? null : found;
}

// ---------------------------------------------------------------- regex

/** Python `re` syntax to JavaScript: named groups and a few escapes. */
export function pyRegex(pattern: string, flags = ''): RegExp {
  const source = pattern
    .replace(/\(\?P<(\w+)>/g, '(?<$1>')
    .replace(/\(\?P=(\w+)\)/g, '\\k<$1>')
    .replace(/\\A/g, '^')
    .replace(/\\Z/g, '$');
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

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(n: number): number {
  const floor = Math.floor(n);
  const diff = n - floor;
  if (diff !== 0.5) return Math.round(n);
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * st2's `to_human_time_from_seconds`, as it computes it: the seconds are added to 0001-01-01
 * and the date's parts read back, so the "days" are the day of the month less one (45678997 s
 * is "1y12d16h36m37s" in st2, though it is 1 year and 163 days).
 */
function toHumanTimeFromSeconds(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number') throw typeFault('to_human_time_from_seconds() expects a number');
  if (value === 0) return '0s';
  if (value < 1) return `${pyStr(value)}\u03bcs`;
  const date = new Date(0);
  date.setUTCFullYear(1, 0, 1);
  date.setUTCHours(0, 0, 0, 0);
  date.setTime(date.getTime() + roundHalfEven(value) * 1000);
  const parts = [date.getUTCFullYear() - 1, date.getUTCDate() - 1, date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()];
  const first = parts.findIndex((x) => x !== 0);
  if (first < 0) return '0s';
  const units = ['y', 'd', 'h', 'm', 's'];
  return parts
    .slice(first)
    .map((x, i) => `${x}${units[first + i]}`)
    .join('');
}

/** The data, regex, path and time functions, by name. */
export const ST2_FUNCTIONS: Record<string, CatalogFunction> = {
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
    regexSubstring(
      required('regex_substring', a, k, 0, 'value'),
      required('regex_substring', a, k, 1, 'pattern'),
      arg(a, k, 2, 'result_index', 0),
      arg(a, k, 3, 'ignorecase'),
    ),
  to_human_time_from_seconds: one('to_human_time_from_seconds', toHumanTimeFromSeconds),
};
