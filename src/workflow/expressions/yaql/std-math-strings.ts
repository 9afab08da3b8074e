/**
 * yaql's integer math (yaql/standard_library/math.py: bitwise functions, `pow`, `sign`) and the
 * string functions beyond the common ones (strings.py: `rightSplit`, `toCharArray`, `hex`,
 * `characters`, `replace` with a dict).
 */
import { valueFault } from '../faults.ts';
import { isPlainObject, truthy } from '../pystr.ts';
import { checkChars, integer, iter, need, numbers, opt, string, yaqlStr, type Call, type Overload, type StdFunction } from './core.ts';

/** Integer arguments as BigInt, so that bitwise results are Python's (no 32-bit wrap). */
function ints(c: Call, fn: string): bigint[] {
  return c.args.map((a) => BigInt(integer(a?.value(), fn)));
}

function safe(n: bigint): number {
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(-Number.MAX_SAFE_INTEGER)) throw valueFault('integer result too large');
  return Number(n);
}

function pair(c: Call, fn: string): [bigint, bigint] {
  const [a, b] = ints(c, fn);
  if (a === undefined || b === undefined) throw valueFault(`${fn}() takes two integers`);
  return [a, b];
}

const CHARACTER_CLASSES: Record<string, string> = {
  digits: '0123456789',
  hexdigits: '0123456789abcdefABCDEF',
  asciiLowercase: 'abcdefghijklmnopqrstuvwxyz',
  asciiUppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  asciiLetters: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ',
  octdigits: '01234567',
  punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
  whitespace: ' \t\n\r\x0b\x0c',
};

function pyRightSplit(s: string, sep: unknown, max: number): string[] {
  if (sep === null || sep === undefined) {
    const words = s
      .trim()
      .split(/\s+/)
      .filter((w) => w !== '');
    if (max < 0 || words.length <= max + 1) return words;
    const head = s.trimEnd();
    const out: string[] = [];
    let rest = head;
    for (let i = 0; i < max; i++) {
      const m = /\s+(\S+)$/.exec(rest);
      if (!m) break;
      out.unshift(m[1] as string);
      rest = rest.slice(0, m.index);
    }
    return [rest.trimStart(), ...out];
  }
  const separator = string(sep, 'rightSplit');
  if (separator === '') throw valueFault('empty separator');
  const parts = s.split(separator);
  if (max < 0 || parts.length <= max + 1) return parts;
  return [parts.slice(0, parts.length - max).join(separator), ...parts.slice(parts.length - max)];
}

export const MATH_STRINGS: Record<string, StdFunction> = {
  bitwiseAnd: (c) => safe(pair(c, 'bitwiseAnd').reduce((a, b) => a & b)),
  bitwiseOr: (c) => safe(pair(c, 'bitwiseOr').reduce((a, b) => a | b)),
  bitwiseXor: (c) => safe(pair(c, 'bitwiseXor').reduce((a, b) => a ^ b)),
  bitwiseNot: (c) => safe(~BigInt(integer(need(c, 0).value(), 'bitwiseNot'))),
  shiftBitsLeft: (c) => {
    const [a, b] = pair(c, 'shiftBitsLeft');
    if (b < 0n) throw valueFault('negative shift count');
    if (b > 64n) throw valueFault('integer result too large');
    return safe(a << b);
  },
  shiftBitsRight: (c) => {
    const [a, b] = pair(c, 'shiftBitsRight');
    if (b < 0n) throw valueFault('negative shift count');
    return safe(a >> (b > 64n ? 64n : b));
  },
  pow: (c) => {
    const [a, b] = numbers('pow', need(c, 0).value(), need(c, 1).value());
    const m = opt(c, 2, 'modulo', null);
    if (m === null) {
      const r = a ** b;
      if (!Number.isFinite(r)) throw valueFault('pow() result too large');
      return r;
    }
    // Three-argument pow: modular exponentiation on integers, as Python's.
    const mod = BigInt(integer(m, 'pow'));
    if (mod === 0n) throw valueFault('pow() 3rd argument cannot be 0');
    let base = ((BigInt(integer(a, 'pow')) % mod) + mod) % mod;
    let e = BigInt(integer(b, 'pow'));
    if (e < 0n) throw valueFault('pow() 2nd argument cannot be negative when 3rd argument specified');
    let r = 1n;
    while (e > 0n) {
      if (e & 1n) r = (r * base) % mod;
      base = (base * base) % mod;
      e >>= 1n;
    }
    return safe(r);
  },
  sign: (c) => Math.sign(numbers('sign', need(c, 0).value(), 0)[0]),
  hex: (c) => {
    const n = integer(need(c, 0).value(), 'hex');
    return (n < 0 ? '-0x' : '0x') + Math.abs(n).toString(16);
  },
  toCharArray: (c) => iter([...string(need(c, 0).value(), 'toCharArray')]),
  characters: (c) => {
    const chosen = Object.keys(CHARACTER_CLASSES).filter((k) => Object.hasOwn(c.kwargs, k) && truthy(c.kwargs[k]?.value()));
    const out: string[] = [];
    for (const k of chosen) for (const ch of CHARACTER_CLASSES[k] as string) if (!out.includes(ch)) out.push(ch);
    return iter(out);
  },
  rightSplit: (c) =>
    iter(pyRightSplit(string(need(c, 0).value(), 'rightSplit'), opt(c, 1, 'separator', null), integer(opt(c, 2, 'maxSplits', -1), 'rightSplit'))),
};

export const STRING_OVERLOADS: Record<string, Overload> = {
  // s.replace({old => new, ...}, count): each pair in turn.
  replace: (c, next) => {
    const table = c.args[1]?.value();
    if (!isPlainObject(table) || typeof need(c, 0).value() !== 'string') return next(c);
    const count = integer(opt(c, 2, 'count', -1), 'replace');
    let s = need(c, 0).value() as string;
    for (const [old, rep] of Object.entries(table)) {
      const parts = s.split(old);
      const n = count < 0 ? parts.length - 1 : Math.min(count, parts.length - 1);
      s = parts.slice(0, n + 1).join(yaqlStr(rep)) + (n < parts.length - 1 ? old + parts.slice(n + 1).join(old) : '');
      checkChars(s.length);
    }
    return s;
  },
};
