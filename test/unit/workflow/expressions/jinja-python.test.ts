// Python-Jinja semantics of workflow Jinja: string escapes, `%` and str.format, method calls
// whose result is indexed, slices, tuples, and select/reject(attr) with tests.
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../../src/workflow/expressions/index.ts';
import { errorOf, makeContext } from './helpers.ts';

const c = makeContext({ ctx: { s: 'a.b.c', xs: [1, 2, 3, 4, 5], ds: [{ v: 1 }, { v: 2 }, { v: 3 }, { w: 0 }], d: { k: 'v', n: 2 }, word: 'hello' } });
const j = (expr: string) => evaluate(`{{ ${expr} }}`, c);

describe('string literals decode escapes as Python does', () => {
  it.each([
    [String.raw`"\d+"`, String.raw`\d+`],
    [String.raw`'\w+\s'`, String.raw`\w+\s`],
    [String.raw`"a\nb"`, 'a\nb'],
    [String.raw`"a\tb"`, 'a\tb'],
    [String.raw`"\x41\u00e9\U0001F600"`, 'Aé😀'],
    [String.raw`"\101"`, 'A'],
    [String.raw`"\\d"`, String.raw`\d`],
    [String.raw`"say \"hi\""`, 'say "hi"'],
    [String.raw`'it\'s'`, "it's"],
    [String.raw`"\a\b\f\v"`, '\x07\b\f\v'],
    [String.raw`"\q"`, String.raw`\q`],
  ])('%s', (literal, expected) => {
    expect(j(literal)).toBe(expected);
  });

  it('refuses a truncated \\x escape as a syntax error', () => {
    expect(errorOf(() => j(String.raw`"\x4"`)).message).toContain('truncated');
  });

  it('regex functions get the backslashes st2 workflows write', () => {
    expect(j(String.raw`regex_match("v12", "v\d+")`)).toBe(true);
    expect(j(String.raw`regex_substring("I live at 668 Infinite Dr", "([0-9]{3} \w+ (?:Ave|St|Dr))")`)).toBe('668 Infinite Dr');
    expect(j(String.raw`"a1b22" | regex_replace("\d+", "#")`)).toBe('a#b#');
    expect(j(String.raw`regex_search("x-42", "\d")`)).toBe(true);
  });

  it('leaves raw blocks as written', () => {
    expect(evaluate(String.raw`{% raw %}{{ "\d" }}{% endraw %}{% if true %}{{ "\d" }}{% endif %}`, c)).toBe(String.raw`{{ "\d" }}\d`);
  });
});

describe('% formatting and modulo', () => {
  it.each([
    ['"%s-%d" % ("a", 3)', 'a-3'],
    ['"%s" % ctx().word', 'hello'],
    ['"%s" % [ctx().xs]', '[[1, 2, 3, 4, 5]]'],
    ['"%s" % (ctx().xs,)', '[1, 2, 3, 4, 5]'],
    ['"%05.1f|%-4s|%x|%X|%o|%r" % (3.14159, "ab", 255, 255, 8, "q")', "003.1|ab  |ff|FF|10|'q'"],
    ['"%+d %i %u" % (5, 3.9, -2)', '+5 3 -2'],
    ['"%e" % 12345.678', '1.234568e+04'],
    ['"%g|%g" % (0.00001, 1234567)', '1e-05|1.23457e+06'],
    ['"%(k)s=%(n)03d" % ctx().d', 'v=002'],
    ['"100%%" % ()', '100%'],
    ['"%*d" % (4, 7)', '   7'],
    ['"%c" % 65', 'A'],
    ['"%s" % None', 'None'],
    ['"%s" % true', 'True'],
    ['7 % 3', 1],
    ['-7 % 3', 2],
    ['7 % -3', -2],
    ['7.5 % 2', 1.5],
  ])('{{ %s }}', (expr, expected) => {
    expect(j(expr)).toEqual(expected);
  });

  it.each([
    ['"%s %s" % ("a",)', 'not enough arguments'],
    ['"%s" % ()', 'not enough arguments'],
    ['"%s" % ("a", "b")', 'not all arguments converted'],
    ['"%d" % "x"', 'a real number is required, not str'],
    ['"%(k)s" % ("a", "b")', 'format requires a mapping'],
    ['"%(missing)s" % ctx().d', 'KeyError'],
    ['1 % 0', 'ZeroDivisionError'],
    ['ctx().xs % 2', "unsupported operand type(s) for %: 'list' and 'int'"],
  ])('{{ %s }} fails', (expr, message) => {
    expect(errorOf(() => j(expr)).message).toContain(message);
  });
});

describe('str.format', () => {
  it.each([
    ['"{}-{}".format("a", 1)', 'a-1'],
    ['"{1}{0}".format("a", "b")', 'ba'],
    ['"{name}!".format(name="x")', 'x!'],
    ['"{0[k]}|{0[n]}".format(ctx().d)', 'v|2'],
    ['"{0.k}".format(ctx().d)', 'v'],
    ['"{0[1]}".format(ctx().xs)', '2'],
    ['"{0[_k]}|%(_k)s".format({"_k": 1}) % {"_k": 2}', '1|2'],
    ['"{:>6.2f}|{:<4}|{:^5}|{:*^5}".format(3.14159, "ab", "c", "d")', '  3.14|ab  |  c  |**d**'],
    ['"{:,}|{:_}|{:08.3f}|{:+d}".format(1234567, 1000, -3.5, 4)', '1,234,567|1_000|-003.500|+4'],
    ['"{:b}|{:#x}|{:o}|{:.1%}|{:e}".format(5, 255, 8, 0.256, 1500)', '101|0xff|10|25.6%|1.500000e+03'],
    ['"{!r}|{!s}".format("q", 1)', "'q'|1"],
    ['"{{ {}".format(1)', '{ 1'],
    ['"{:{w}s}|".format("a", w=3)', 'a  |'],
    ['"{}".format(None)', 'None'],
    ['"{}|{:>4}|{:d}".format(true, true, false)', 'True|   1|0'],
    ['"{}".format([1, "a"])', "[1, 'a']"],
  ])('{{ %s }}', (expr, expected) => {
    expect(j(expr)).toBe(expected);
  });

  it.each([
    ['"{} {}".format(1)', 'IndexError'],
    ['"{x}".format(y=1)', 'KeyError'],
    ['"{0.nope}".format(ctx().d)', 'AttributeError'],
    ['"{0[9]}".format(ctx().xs)', 'IndexError'],
    ['"{:d}".format("a")', "Unknown format code 'd' for object of type 'str'"],
    ['"{:d}".format(1.5)', "Unknown format code 'd' for object of type 'float'"],
    ['"{".format(1)', "Single '{' encountered"],
    ['"{0.__class__}".format(ctx().s)', 'SandboxError'],
    ['"{0.constructor}".format(ctx().d)', 'SandboxError'],
    ['"{0._private}".format(ctx().d)', 'SandboxError'],
    ['"{0[length]}".format(ctx().xs)', 'IndexError'],
    ['"{0[constructor]}".format(ctx().d)', 'KeyError'],
    ['"%(constructor)s" % ctx().d', 'KeyError'],
  ])('{{ %s }} fails', (expr, message) => {
    expect(errorOf(() => j(expr)).message).toContain(message);
  });

  it('| format is printf style, as Jinja', () => {
    expect(j('"%s-%s" | format("a", 1)')).toBe('a-1');
  });
});

describe('method calls, subscripts and slices', () => {
  it.each([
    ['ctx().s.split(".")[1]', 'b'],
    ['ctx().s.split(".")[-1]', 'c'],
    ['ctx().s.upper().split(".")[0:2]', ['A', 'B']],
    ['ctx().word[1:3]', 'el'],
    ['ctx().word[:2]', 'he'],
    ['ctx().word[-3:]', 'llo'],
    ['ctx().word[::-1]', 'olleh'],
    ['ctx().xs[::2]', [1, 3, 5]],
    ['ctx().xs[1::2]', [2, 4]],
    ['ctx().xs[4:1:-1]', [5, 4, 3]],
    ['ctx().xs[10:]', []],
    ['ctx().xs[-100:2]', [1, 2]],
    ['ctx().xs[:]', [1, 2, 3, 4, 5]],
    ['("a", 1)', ['a', 1]],
    ['(1 + 2) * 3', 9],
    ['{"a": 1}.get("a")', 1],
  ])('{{ %s }}', (expr, expected) => {
    expect(j(expr)).toEqual(expected);
  });

  it.each([
    ['ctx().xs[::0]', 'slice step cannot be zero'],
    ['ctx().d[1:2]', "'dict' object is not subscriptable"],
    ['ctx().xs["a":]', 'slice start must be an integer or None'],
  ])('{{ %s }} fails', (expr, message) => {
    expect(errorOf(() => j(expr)).message).toContain(message);
  });

  it('a method that is not a Python method stays a refused call', () => {
    expect(errorOf(() => j('ctx().s.toString()')).message).toContain('SandboxError');
  });
});

describe('select, reject, selectattr, rejectattr with tests', () => {
  it.each([
    ['ctx().ds[:3] | selectattr("v", "gt", 1) | list', [{ v: 2 }, { v: 3 }]],
    ['ctx().ds[:3] | selectattr("v", ">=", 2) | map(attribute="v") | list', [2, 3]],
    ['ctx().ds | selectattr("v", "defined") | list | length', 3],
    ['ctx().ds | rejectattr("v", "defined") | list', [{ w: 0 }]],
    ['ctx().ds | selectattr("v", "in", [1, 3]) | list', [{ v: 1 }, { v: 3 }]],
    ['ctx().ds | selectattr("v", "equalto", 2) | list', [{ v: 2 }]],
    ['ctx().ds | selectattr("v") | list | length', 3],
    ['ctx().ds | rejectattr("w") | list | length', 4],
    ['ctx().xs | select("odd") | list', [1, 3, 5]],
    ['ctx().xs | reject("odd") | list', [2, 4]],
    ['ctx().xs | select("lt", 3) | list', [1, 2]],
    ['ctx().xs | select("ne", 3) | list', [1, 2, 4, 5]],
    ['ctx().xs | select("divisibleby", 2) | list', [2, 4]],
    ['[0, 1, "", "a", [], none] | select | list', [1, 'a']],
    ['[1, "a", none, true, 2.5, [1], {"a": 1}] | select("string") | list', ['a']],
    ['[1, "a", none, true, 2.5] | select("number") | list', [1, true, 2.5]],
    ['[1, "a", none, true, 2.5] | select("none") | list', [null]],
    ['[1, "a", none, true, 2.5] | select("integer") | list', [1]],
    ['[1, "a", none, true, 2.5] | select("float") | list', [2.5]],
    ['[1, "a", none, true, 2.5] | select("boolean") | list', [true]],
    ['[[1], {"a": 1}, "s", 1] | select("mapping") | list', [{ a: 1 }]],
    ['[[1], {"a": 1}, "s", 1] | select("sequence") | list', [[1], { a: 1 }, 's']],
  ])('{{ %s }}', (expr, expected) => {
    expect(j(expr)).toEqual(expected);
  });

  it.each([
    ['None is none', true],
    ['1 is none', false],
    ['1 is not none', true],
    ['true is true', true],
    ['1 is true', false],
    ['false is false', true],
    ['true is boolean', true],
    ['"a" is string', true],
    ['ctx().d is mapping', true],
    ['3 is gt(2)', true],
    ['2 is in([1, 2])', true],
    ['ctx().xs[-1]', 5],
    ['ctx().word[-1]', 'o'],
    ['ctx().nope is defined', false],
    ['ctx().nope is not defined', true],
  ])('{{ %s }}', (expr, expected) => {
    expect(j(expr)).toBe(expected);
  });

  it.each([
    ['ctx().ds | selectattr("v", "gt", "a") | list', "'>' not supported between instances of 'int' and 'str'"],
    ['ctx().xs | select("nope") | list', 'test not found: nope'],
    // StrictUndefined, as orquesta's environment: comparing a missing attribute is an error
    ['ctx().ds | selectattr("v", "gt", 1) | list', 'UndefinedError'],
    ['ctx().ds | selectattr("constructor") | list', 'SandboxError'],
  ])('{{ %s }} fails', (expr, message) => {
    expect(errorOf(() => j(expr)).message).toContain(message);
  });
});
