/**
 * Python-compatible stringification. orquesta substitutes an expression's value into a larger
 * string with Python's `str()`, and st2's `to_json_string` is `json.dumps`; workflows written for
 * StackStorm see (and sometimes compare against) exactly those spellings, so we reproduce them.
 *
 * Numbers: JavaScript has no int/float distinction, so `1.0` prints as `1` (Python: `1.0`).
 */

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pyNumber(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  return String(n);
}

/** Python's `repr()` of a str: single quotes unless the text has a ' and no ". */
export function pyReprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + quote;
}

/** Python's `repr()` of a JSON-like value. */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return pyNumber(value);
  if (typeof value === 'string') return pyReprString(value);
  if (Array.isArray(value)) return '[' + value.map(pyRepr).join(', ') + ']';
  if (isPlainObject(value)) {
    return (
      '{' +
      Object.entries(value)
        .map(([k, v]) => `${pyReprString(k)}: ${pyRepr(v)}`)
        .join(', ') +
      '}'
    );
  }
  return String(value);
}

/** Python's `str()`: strings as they are, everything else as its repr. */
export function pyStr(value: unknown): string {
  return typeof value === 'string' ? value : pyRepr(value);
}

export interface JsonDumpOptions {
  indent?: number | null;
  sortKeys?: boolean;
  /** [item separator, key separator]; Python's default is [', ', ': '] (',' when indenting). */
  separators?: [string, string];
  ensureAscii?: boolean;
}

function jsonString(s: string, ensureAscii: boolean): string {
  const encoded = JSON.stringify(s);
  if (!ensureAscii) return encoded;
  return encoded.replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** Python's `json.dumps`. */
export function pyJsonDumps(value: unknown, options: JsonDumpOptions = {}): string {
  const indent = options.indent ?? null;
  const ensureAscii = options.ensureAscii ?? true;
  const [itemSep, keySep] = options.separators ?? (indent === null ? [', ', ': '] : [',', ': ']);
  const rec = (v: unknown, depth: number): string => {
    if (v === null || v === undefined) return 'null';
    if (v === true) return 'true';
    if (v === false) return 'false';
    if (typeof v === 'number') {
      if (Number.isNaN(v)) return 'NaN';
      if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
      return String(v);
    }
    if (typeof v === 'string') return jsonString(v, ensureAscii);
    let parts: string[];
    let open: string;
    let close: string;
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      parts = v.map((x) => rec(x, depth + 1));
      [open, close] = ['[', ']'];
    } else if (isPlainObject(v)) {
      let entries = Object.entries(v);
      if (entries.length === 0) return '{}';
      if (options.sortKeys) entries = entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      parts = entries.map(([k, x]) => jsonString(k, ensureAscii) + keySep + rec(x, depth + 1));
      [open, close] = ['{', '}'];
    } else {
      return jsonString(String(v), ensureAscii);
    }
    if (indent === null) return open + parts.join(itemSep) + close;
    const pad = '\n' + ' '.repeat(indent * (depth + 1));
    const endPad = '\n' + ' '.repeat(indent * depth);
    return open + pad + parts.join(itemSep.trimEnd() + pad) + endPad + close;
  };
  return rec(value, 0);
}

/** Python truthiness: false, None, 0, '', [] and {} are false. */
export function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false) return false;
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  if (typeof value === 'string') return value.length > 0;
  if (Array.isArray(value)) return value.length > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  return true;
}

/** Python `==` on JSON-like values (deep; 1 == 1.0; bool and number are kept apart). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined) return b === null;
  if (b === undefined) return a === null;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Python-like name of a value's type, for error messages. */
export function pyTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'string') return 'str';
  if (Array.isArray(value)) return 'list';
  if (isPlainObject(value)) return 'dict';
  return typeof value;
}
