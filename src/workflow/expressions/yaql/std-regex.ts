/**
 * yaql's regular expressions (yaql/standard_library/regex.py): `regex()` gives an opaque compiled
 * pattern (core.ts) whose methods are the functions below; strings take a pattern too
 * (`s.matches(p)`, `s.split(regex(p))`, `s.replace(regex(p), r)`, `s.replaceBy(regex(p), expr)`).
 * Python's pattern syntax goes through st2's pyRegex; `\1` in a replacement is a group.
 */
import { pyRegex } from '../st2-functions.ts';
import { fault } from '../faults.ts';
import { truthy } from '../pystr.ts';
import {
  argAt,
  checkChars,
  iter,
  integer,
  need,
  opaque,
  opaqueOf,
  opt,
  spend,
  string,
  type Call,
  type LazyArg,
  type Overload,
  type StdFunction,
} from './core.ts';
import { extendVars } from './evaluator.ts';

function compiled(v: unknown): RegExp | undefined {
  return opaqueOf(v, 'regex')?.re;
}

/** A fresh global copy, so that no lastIndex is shared between calls. */
function global(re: RegExp): RegExp {
  return new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g');
}

function matchesOf(re: RegExp, s: string, count: number): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  const g = global(re);
  for (let m = g.exec(s); m !== null && (count <= 0 || out.length < count); m = g.exec(s)) {
    out.push(m);
    spend(1);
    if (m[0] === '') g.lastIndex++;
  }
  return out;
}

type MatchRecord = { value: string | null; start: number; end: number };

/** `$` / `$1` is the whole match {value, start, end}, `$2`... its groups, as yaql publishes them. */
function published(m: RegExpExecArray): MatchRecord[] {
  const starts = m.indices;
  return [...m].map((value, i) => {
    const at = starts?.[i];
    return { value: value ?? null, start: at ? at[0] : i === 0 ? m.index : -1, end: at ? at[1] : i === 0 ? m.index + m[0].length : -1 };
  });
}

function withMatch(selector: LazyArg, call: Call, m: RegExpExecArray): unknown {
  const records = published(m);
  const vars: Record<string, unknown> = {};
  records.forEach((r, i) => (vars[String(i + 1)] = r));
  return selector.within({ ...call.env, dollar: records[0], vars: extendVars(call.env.vars, vars) });
}

function withIndices(re: RegExp): RegExp {
  return new RegExp(re.source, re.flags.includes('d') ? re.flags : re.flags + 'd');
}

function pySplit(re: RegExp, s: string, maxSplit: number): string[] {
  const out: string[] = [];
  let last = 0;
  for (const m of matchesOf(re, s, maxSplit)) {
    out.push(s.slice(last, m.index), ...m.slice(1).map((g) => g ?? ''));
    last = m.index + m[0].length;
  }
  out.push(s.slice(last));
  return iter(out);
}

/** A Python replacement template (`\\1`, `\\g<1>`, `\\g<name>`) filled from one match. */
function expand(repl: string, m: RegExpExecArray): string {
  return repl.replace(/\\g<(\w+)>|\\(\d{1,2})|\\\\/g, (whole, name: string | undefined, num: string | undefined) => {
    if (whole === '\\\\') return '\\';
    const ref = name ?? num ?? '';
    return (/^\d+$/.test(ref) ? m[Number(ref)] : m.groups?.[ref]) ?? '';
  });
}

function replace(re: RegExp, s: string, repl: string, count: number): string {
  let last = 0;
  let out = '';
  for (const m of matchesOf(re, s, count)) {
    out += s.slice(last, m.index) + expand(repl, m);
    last = m.index + m[0].length;
    checkChars(out.length);
  }
  return out + s.slice(last);
}

function replaceBy(call: Call, re: RegExp, s: string, selector: LazyArg, count: number): string {
  let last = 0;
  let out = '';
  for (const m of matchesOf(withIndices(re), s, count)) {
    out += s.slice(last, m.index) + string(withMatch(selector, call, m), 'replaceBy');
    last = m.index + m[0].length;
    checkChars(out.length);
  }
  return out + s.slice(last);
}

function search(call: Call, re: RegExp, s: string): unknown {
  const m = withIndices(re).exec(s);
  if (!m) return null;
  const selector = argAt(call, 2, 'selector');
  return selector ? withMatch(selector, call, m) : m[0];
}

function searchAll(call: Call, re: RegExp, s: string): unknown {
  const selector = argAt(call, 2, 'selector');
  return iter(matchesOf(withIndices(re), s, 0).map((m) => (selector ? withMatch(selector, call, m) : m[0])));
}

export const REGEX: Record<string, StdFunction> = {
  matches: (c) => {
    const r = need(c, 0).value();
    const re = compiled(r);
    if (re) return re.test(string(need(c, 1, 'string').value(), 'matches'));
    const s = string(r, 'matches');
    const p = need(c, 1, 'regexp').value();
    return (compiled(p) ?? pyRegex(string(p, 'matches'))).test(s);
  },
  regex: (c) => {
    const pattern = string(need(c, 0, 'pattern').value(), 'regex');
    const flags =
      (truthy(opt(c, 1, 'ignoreCase', false)) ? 'i' : '') +
      (truthy(opt(c, 2, 'multiLine', false)) ? 'm' : '') +
      (truthy(opt(c, 3, 'dotAll', false)) ? 's' : '');
    return opaque({ kind: 'regex', re: pyRegex(pattern, flags) });
  },
  isRegex: (c) => compiled(need(c, 0).value()) !== undefined,
  // Python's re.escape (3.7+): only characters that mean something in a pattern.
  escapeRegex: (c) => string(need(c, 0).value(), 'escapeRegex').replace(/[()[\]{}?*+\-|^$\\.&~# \t\n\r\v\f]/g, (ch) => `\\${ch}`),
  search: (c) => {
    const re = compiled(need(c, 0).value());
    if (!re) throw fault('NoMatchingMethodException', 'search() is a method of a regex');
    return search(c, re, string(need(c, 1, 'string').value(), 'search'));
  },
  searchAll: (c) => {
    const re = compiled(need(c, 0).value());
    if (!re) throw fault('NoMatchingMethodException', 'searchAll() is a method of a regex');
    return searchAll(c, re, string(need(c, 1, 'string').value(), 'searchAll'));
  },
  replaceBy: (c) => {
    const r = need(c, 0).value();
    const other = need(c, 1).value();
    const selector = need(c, 2, 'repl');
    const count = integer(opt(c, 3, 'count', 0), 'replaceBy');
    const re = compiled(r);
    if (re) return replaceBy(c, re, string(other, 'replaceBy'), selector, count);
    const re2 = compiled(other);
    if (!re2) throw fault('NoMatchingMethodException', 'replaceBy() needs a regex');
    return replaceBy(c, re2, string(r, 'replaceBy'), selector, count);
  },
};

/** Regex versions of string methods: used when the receiver or the pattern argument is a regex. */
export const REGEX_OVERLOADS: Record<string, Overload> = {
  split: (c, next) => {
    const r = need(c, 0).value();
    const arg = argAt(c, 1)?.value();
    const re = compiled(r);
    if (re) return pySplit(re, string(arg, 'split'), integer(opt(c, 2, 'maxSplit', 0), 'split'));
    const re2 = compiled(arg);
    if (re2) return pySplit(re2, string(r, 'split'), integer(opt(c, 2, 'maxSplit', 0), 'split'));
    return next(c);
  },
  replace: (c, next) => {
    const r = need(c, 0).value();
    const arg = argAt(c, 1)?.value();
    const re = compiled(r);
    if (re) return replace(re, string(arg, 'replace'), string(need(c, 2, 'repl').value(), 'replace'), integer(opt(c, 3, 'count', 0), 'replace'));
    const re2 = compiled(arg);
    if (re2) return replace(re2, string(r, 'replace'), string(need(c, 2, 'repl').value(), 'replace'), integer(opt(c, 3, 'count', 0), 'replace'));
    return next(c);
  },
};
