/**
 * Python's string formatting, as Jinja templates use it: `"%s-%03d" % ("a", 3)` (printf style),
 * `"{}-{:>5}".format(a, b)` / `"{name}".format(name=x)` (str.format), and `%` on numbers
 * (the result takes the divisor's sign).
 *
 * Sandboxed as Jinja's SandboxedFormatter: a field reads only data (`{0[k]}`, `{0.k}` on a dict,
 * `{0[1]}` on a list); an attribute that is private (`_x`, `__class__`) or a JavaScript built-in
 * (`constructor`, `length`) is a SandboxError, whatever the value.
 */
import { fault, typeFault, valueFault } from './faults.ts';
import { isPlainObject, pyRepr, pyStr, pyTypeName } from './pystr.ts';
import { SandboxError } from '../../template/errors.ts';
import { ownMember } from '../../template/plain-data.ts';
import { isBuiltinMember } from '../../template/sandbox-tree.ts';

interface Spec {
  fill: string;
  align: string | undefined;
  sign: string;
  alt: boolean;
  zero: boolean;
  width: number;
  grouping: string;
  precision: number | undefined;
  type: string;
}

const SPEC_RE = /^(?:([\s\S])?([<>=^]))?([-+ ])?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/;

function parseSpec(text: string): Spec {
  const m = SPEC_RE.exec(text);
  if (!m) throw valueFault(`Invalid format specifier '${text}'`);
  return {
    fill: m[1] ?? (m[5] && !m[2] ? '0' : ' '),
    align: m[2] ?? (m[5] ? '=' : undefined),
    sign: m[3] ?? '-',
    alt: m[4] !== undefined,
    zero: m[5] !== undefined,
    width: m[6] ? Number(m[6]) : 0,
    grouping: m[7] ?? '',
    precision: m[8] === undefined ? undefined : Number(m[8]),
    type: m[9] ?? '',
  };
}

function pad(body: string, prefix: string, spec: Spec, defaultAlign: string): string {
  const align = spec.align ?? defaultAlign;
  const room = spec.width - body.length - prefix.length;
  if (room <= 0) return prefix + body;
  const fill = (n: number) => spec.fill.repeat(n);
  if (align === '<') return prefix + body + fill(room);
  if (align === '^') return fill(Math.floor(room / 2)) + prefix + body + fill(room - Math.floor(room / 2));
  if (align === '=') return prefix + fill(room) + body;
  return fill(room) + prefix + body;
}

function group(digits: string, sep: string): string {
  if (!sep) return digits;
  const [int, frac] = digits.split('.');
  const grouped = (int as string).replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}

/** Python's exponent notation: at least two exponent digits (1.5e+03). */
function exponential(n: number, precision: number): string {
  return n.toExponential(precision).replace(/e([+-])(\d)$/, 'e$10$2');
}

function general(n: number, precision: number, alt: boolean): string {
  const p = precision === 0 ? 1 : precision;
  if (n === 0) return alt ? (0).toFixed(p - 1) : '0';
  const exp = Math.floor(Math.log10(Math.abs(Number(n.toPrecision(p)))));
  const text = exp >= -4 && exp < p ? n.toFixed(Math.max(0, p - 1 - exp)) : exponential(n, p - 1);
  if (alt) return text;
  // Trailing zeros of the mantissa go, and its point when nothing follows it.
  const [mantissa, exponent] = text.split('e') as [string, string | undefined];
  const short = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
  return exponent === undefined ? short : `${short}e${exponent}`;
}

function numberBody(n: number, spec: Spec): string {
  const p = spec.precision;
  switch (spec.type) {
    case 'b':
    case 'o':
    case 'x':
    case 'X':
    case 'c':
    case 'd':
    case 'n': {
      if (!Number.isInteger(n)) throw valueFault(`Unknown format code '${spec.type}' for object of type 'float'`);
      if (spec.type === 'c') return String.fromCodePoint(n);
      const base = { b: 2, o: 8, x: 16, X: 16 }[spec.type as 'b'] ?? 10;
      const digits = Math.abs(n).toString(base);
      const prefix = spec.alt && base !== 10 ? `0${spec.type === 'X' ? 'X' : spec.type}` : '';
      return prefix + (spec.type === 'X' ? digits.toUpperCase() : group(digits, spec.grouping));
    }
    case 'e':
    case 'E': {
      const text = Number.isFinite(n) ? exponential(Math.abs(n), p ?? 6) : pyStr(Math.abs(n));
      return spec.type === 'E' ? text.toUpperCase() : text;
    }
    case 'f':
    case 'F':
      return Number.isFinite(n) ? group(Math.abs(n).toFixed(p ?? 6), spec.grouping) : pyStr(Math.abs(n));
    case 'g':
    case 'G': {
      const text = Number.isFinite(n) ? general(Math.abs(n), p ?? 6, spec.alt) : pyStr(Math.abs(n));
      return spec.type === 'G' ? text.toUpperCase() : text;
    }
    case '%':
      return `${group((Math.abs(n) * 100).toFixed(p ?? 6), spec.grouping)}%`;
    default:
      return p === undefined ? group(pyStr(Math.abs(n)), spec.grouping) : general(Math.abs(n), p, false);
  }
}

/** Python's `format(value, spec)` for the data values templates hold. */
export function formatValue(value: unknown, specText: string): string {
  if (specText === '') return pyStr(value);
  const spec = parseSpec(specText);
  // A bool formats as the int it is, once there is a spec (format(True, '>4') is '   1').
  if (typeof value === 'boolean') value = value ? 1 : 0;
  if (typeof value === 'number') {
    if (spec.type === 's') throw valueFault(`Unknown format code 's' for object of type '${Number.isInteger(value) ? 'int' : 'float'}'`);
    const negative = value < 0 || Object.is(value, -0);
    const sign = negative ? '-' : spec.sign === '-' ? '' : spec.sign;
    return pad(numberBody(value, spec), sign, spec, '>');
  }
  if (typeof value === 'string') {
    if (spec.type !== '' && spec.type !== 's') throw valueFault(`Unknown format code '${spec.type}' for object of type 'str'`);
    const text = pyStr(value);
    return pad(spec.precision === undefined ? text : text.slice(0, spec.precision), '', spec, '<');
  }
  throw typeFault(`unsupported format string passed to ${pyTypeName(value)}.__format__`);
}

// ---------------------------------------------------------------- str.format

/** One step of a field name (`0`, `.k`, `[k]`), read from data only. */
function fieldStep(target: unknown, key: string, attribute: boolean): unknown {
  // As Jinja's SandboxedFormatter: an attribute may be neither private nor a built-in; an item
  // (`[k]`, `%(k)s`) is a key of the data, read as own data below whatever its name.
  if (attribute && (key.startsWith('_') || isBuiltinMember(key))) {
    throw new SandboxError(`format field "${key}"`, 'a format string reads only data: no private attribute or JavaScript built-in');
  }
  const index = /^\d+$/.test(key) && Array.isArray(target) ? Number(key) : key;
  const value = ownMember(target, index);
  if (value === undefined) {
    if (attribute) throw fault('AttributeError', `'${pyTypeName(target)}' object has no attribute '${key}'`);
    throw Array.isArray(target) || typeof target === 'string'
      ? fault('IndexError', `${pyTypeName(target)} index out of range`)
      : fault('KeyError', pyRepr(key));
  }
  return value;
}

function fieldValue(field: string, args: unknown[], kwargs: Record<string, unknown>, auto: { next: number }): unknown {
  const m = /^([^.[]*)(.*)$/s.exec(field) as RegExpExecArray;
  const head = m[1] as string;
  let value: unknown;
  if (head === '') {
    value = args[auto.next];
    if (auto.next >= args.length) throw fault('IndexError', 'Replacement index out of range for positional args tuple');
    auto.next += 1;
  } else if (/^\d+$/.test(head)) {
    if (Number(head) >= args.length) throw fault('IndexError', 'Replacement index out of range for positional args tuple');
    value = args[Number(head)];
  } else {
    value = fieldStep(kwargs, head, false);
  }
  const rest = m[2] as string;
  const steps = /\.([^.[]+)|\[([^\]]+)\]/gy;
  let consumed = 0;
  for (let s = steps.exec(rest); s; s = steps.exec(rest)) {
    value = fieldStep(value, (s[1] ?? s[2]) as string, s[1] !== undefined);
    consumed = steps.lastIndex;
  }
  if (consumed !== rest.length) throw valueFault(`Invalid format field "${field}"`);
  return value;
}

function convert(value: unknown, conversion: string | undefined): unknown {
  if (conversion === undefined) return value;
  if (conversion === 'r' || conversion === 'a') return pyRepr(value);
  if (conversion === 's') return pyStr(value);
  throw valueFault(`Unknown conversion specifier ${conversion}`);
}

/**
 * Python's `str.format`.
 * @example strFormat('{0}-{x:>3}', ['a'], { x: 1 }) // 'a-  1'
 */
export function strFormat(format: string, args: unknown[], kwargs: Record<string, unknown>): string {
  const auto = { next: 0 };
  const field = (text: string): string => {
    const m = /^([^!:]*)(?:!([^:]))?(?::(.*))?$/s.exec(text);
    if (!m) throw valueFault(`Invalid format field "{${text}}"`);
    const spec = (m[3] ?? '').replace(/\{([^{}]*)\}/g, (_s, inner: string) => pyStr(fieldValue(inner, args, kwargs, auto)));
    return formatValue(convert(fieldValue(m[1] as string, args, kwargs, auto), m[2]), spec);
  };
  return format.replace(/\{\{|\}\}|\{((?:[^{}]|\{[^{}]*\})*)\}|[{}]/g, (all, inner: string | undefined) => {
    if (all === '{{') return '{';
    if (all === '}}') return '}';
    if (inner === undefined) throw valueFault(`Single '${all}' encountered in format string`);
    return field(inner);
  });
}

// ---------------------------------------------------------------- printf style (%)

const PERCENT_RE = /%(?:\(([^)]*)\))?([-+ 0#]*)(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])?/g;

function percentNumber(value: unknown, conversion: string): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value !== 'number') throw typeFault(`%${conversion} format: a real number is required, not ${pyTypeName(value)}`);
  return value;
}

function percentOne(value: unknown, flags: string, width: number, precision: number | undefined, conversion: string): string {
  const left = flags.includes('-');
  const spec: Spec = {
    fill: flags.includes('0') && !left && !'srac'.includes(conversion) ? '0' : ' ',
    align: left ? '<' : flags.includes('0') && !'srac'.includes(conversion) ? '=' : '>',
    sign: flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '-',
    alt: flags.includes('#'),
    zero: false,
    width,
    grouping: '',
    precision,
    type: conversion,
  };
  if (conversion === 's' || conversion === 'r' || conversion === 'a') {
    const text = conversion === 's' ? pyStr(value) : pyRepr(value);
    return pad(precision === undefined ? text : text.slice(0, precision), '', spec, '>');
  }
  if (conversion === 'c') {
    const text = typeof value === 'string' ? value : String.fromCodePoint(percentNumber(value, 'c'));
    return pad(text, '', spec, '>');
  }
  let n = percentNumber(value, conversion);
  if ('diu'.includes(conversion)) {
    n = Math.trunc(n);
    spec.type = 'd';
    spec.precision = undefined;
  } else if ('oxX'.includes(conversion)) {
    if (!Number.isInteger(n)) throw typeFault(`%${conversion} format: an integer is required, not float`);
  }
  const negative = n < 0;
  const sign = negative ? '-' : spec.sign === '-' ? '' : spec.sign;
  let body = numberBody(n, spec);
  if (conversion === 'o' && spec.alt) body = `0o${Math.abs(n).toString(8)}`;
  return pad(body, sign, spec, '>');
}

/**
 * Python's `format % values`. `values` is the tuple of arguments when `isTuple` (a literal
 * `(a, b)` in the template), else one value (a dict serves `%(name)s`).
 * @example percentFormat('%s-%03d', ['a', 3], true) // 'a-003'
 */
export function percentFormat(format: string, values: unknown, isTuple: boolean): string {
  const args = isTuple && Array.isArray(values) ? [...values] : [values];
  const mapping = !isTuple && isPlainObject(values) ? values : undefined;
  let used = 0;
  let usedMapping = false;
  const take = (): unknown => {
    if (used >= args.length) throw typeFault('not enough arguments for format string');
    return args[used++];
  };
  const out = format.replace(
    PERCENT_RE,
    (_all, key: string | undefined, flags: string, width: string | undefined, precision: string | undefined, conversion: string | undefined) => {
      if (conversion === undefined) throw valueFault('incomplete format');
      if (conversion === '%' && key === undefined && !flags && !width && precision === undefined) return '%';
      let value: unknown;
      const w = width === '*' ? Number(take()) : Number(width ?? 0);
      const p = precision === '*' ? Number(take()) : precision === undefined ? undefined : Number(precision);
      if (key !== undefined) {
        if (!mapping) throw typeFault('format requires a mapping');
        usedMapping = true;
        value = fieldStep(mapping, key, false);
      } else {
        value = take();
      }
      return percentOne(value, flags, w, p, conversion);
    },
  );
  if (!usedMapping && used < args.length) throw typeFault('not all arguments converted during string formatting');
  return out;
}

/** Python's `a % b`: string formatting, or the modulo whose sign is the divisor's. */
export function pyModulo(a: unknown, b: unknown, isTuple: boolean): unknown {
  if (typeof a === 'string') return percentFormat(a, b, isTuple);
  const x = typeof a === 'boolean' ? Number(a) : a;
  const y = typeof b === 'boolean' ? Number(b) : b;
  if (typeof x !== 'number' || typeof y !== 'number') {
    throw typeFault(`unsupported operand type(s) for %: '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
  }
  if (y === 0) throw fault('ZeroDivisionError', 'integer division or modulo by zero');
  const r = x % y;
  return r !== 0 && r < 0 !== y < 0 ? r + y : r;
}
