import { describe, expect, it } from 'vitest';
import { evaluate, ExpressionError } from '../../../../src/workflow/expressions/index.ts';
import { parseYaql } from '../../../../src/workflow/expressions/yaql/parser.ts';
import { makeContext } from './helpers.ts';

const c = makeContext();
const y = (expr: string, context = c) => evaluate(`<% ${expr} %>`, context);
const yErr = (expr: string, context = c): string => {
  try {
    y(expr, context);
  } catch (e) {
    expect(e).toBeInstanceOf(ExpressionError);
    return (e as Error).message;
  }
  throw new Error(`expected <% ${expr} %> to fail`);
};

describe('YAQL literals', () => {
  it.each([
    ['1', 1],
    ['42', 42],
    ['1.5', 1.5],
    ["'single'", 'single'],
    ['"double"', 'double'],
    ['`verbatim\\n`', 'verbatim\\n'],
    ["'it\\'s'", "it's"],
    ['"tab\\tnew\\nline"', 'tab\tnew\nline'],
    ['"\\u00e9"', 'é'],
    ['true', true],
    ['false', false],
    ['null', null],
    ['[]', []],
    ['[1, "a", [2]]', [1, 'a', [2]]],
    ['{}', {}],
    ['{a => 1, "b c" => [2]}', { a: 1, 'b c': [2] }],
    ["{'k' => {n => null}}", { k: { n: null } }],
    ['list(1, 2)', [1, 2]],
    ['dict(a => 1, b => 2)', { a: 1, b: 2 }],
    ['abc', 'abc'],
  ])('%s', (expr, expected) => {
    expect(y(expr)).toEqual(expected);
  });
});

describe('YAQL operators', () => {
  it.each([
    ['1 + 2', 3],
    ['5 - 7', -2],
    ['3 * 4', 12],
    ['7 / 2', 3],
    ['-7 / 2', -4],
    ['7.0 / 2', 3.5],
    ['7.5 / 2.5', 3],
    ['7 / 2.0', 3.5],
    ['float(7) / 2', 3.5],
    ['-7.0 / 2', -3.5],
    ['7 mod 3', 1],
    ['-7 mod 3', 2],
    ['7 mod -3', -2],
    ['-(2 + 3)', -5],
    ['+4', 4],
    ['- 2 * 3', -6],
    ["'ab' + 'cd'", 'abcd'],
    ["'ab' * 2", 'abab'],
    ['2 * [1]', [1, 1]],
    ['[1] + [2, 3]', [1, 2, 3]],
    ['{a => 1} + {b => 2}', { a: 1, b: 2 }],
    ['1 = 1', true],
    ['1 == 1', true],
    ['1 = 2', false],
    ['1 != 2', true],
    ["'a' = 'a'", true],
    ['[1, {a => 2}] = [1, {a => 2}]', true],
    ['null = null', true],
    ['1 < 2', true],
    ['2 <= 2', true],
    ['3 > 2', true],
    ['2 >= 3', false],
    ["'abc' > 'abb'", true],
    ['null < 1', true],
    ['1 > null', true],
    ['null >= null', true],
    ['true and false', false],
    ['true and 5', 5],
    ['0 or "x"', 'x'],
    ['null or false', false],
    ['[] or [1]', [1]],
    ['not true', false],
    ['not 0', true],
    ['not ""', true],
    ['not []', true],
    ['2 in [1, 2]', true],
    ['4 in [1, 2]', false],
    ["'b' in 'abc'", true],
    ['a in {a => 1}.keys()', true],
    ["'abc' =~ 'b.'", true],
    ["'abc' !~ '^b'", true],
  ])('%s', (expr, expected) => {
    expect(y(expr)).toEqual(expected);
  });

  it('follows yaql precedence', () => {
    expect(y('1 + 2 * 3')).toBe(7);
    expect(y('(1 + 2) * 3')).toBe(9);
    expect(y('10 - 4 - 3')).toBe(3);
    expect(y('2 * 3 mod 4')).toBe(2);
    expect(y('1 + 1 = 2')).toBe(true);
    expect(y('1 < 2 and 2 < 3')).toBe(true);
    expect(y('true or false and false')).toBe(true);
    expect(y('(true or false) and false')).toBe(false);
    expect(y('not 1 = 2')).toBe(true);
    expect(y('not true or true')).toBe(true);
    expect(y('-ctx().xs[0]')).toBe(-1);
    expect(y('ctx().xs[1] * 2 + 1')).toBe(5);
    expect(y("1 in ctx(xs) and 'S' in ctx(name)")).toBe(true);
  });

  it('short-circuits and/or', () => {
    expect(y('false and ctx(nope)')).toBe(false);
    expect(y('true or ctx(nope)')).toBe(true);
  });

  it('rejects mismatched operand types', () => {
    expect(yErr("'a' + 1")).toMatch(/TypeError: unsupported operand type\(s\) for \+: 'str' and 'int'/);
    expect(yErr("1 < 'a'")).toMatch(/'<' not supported between instances of 'int' and 'str'/);
    expect(yErr("-'a'")).toMatch(/bad operand type for unary -/);
    expect(yErr('1 / 0')).toMatch(/ZeroDivisionError/);
    expect(yErr('1 mod 0')).toMatch(/ZeroDivisionError/);
    // yaql's `in` takes a collection or a string, not a dict (its keys are $.keys()).
    expect(yErr('a in {a => 1}')).toMatch(/NoMatchingFunctionException: 'in' needs a collection on its right, got dict/);
  });
});

describe('YAQL data access', () => {
  it('reads keys, indexes and nested data', () => {
    expect(y('ctx().d.a')).toBe(1);
    expect(y("ctx().d['b']")).toBe('two');
    expect(y('ctx().d[b]')).toBe('two');
    expect(y("ctx().d['zz', 'fallback']")).toBe('fallback');
    expect(y('ctx().xs[0]')).toBe(1);
    expect(y('ctx().xs[-1]')).toBe(3);
    expect(y('ctx(vms)[1].name')).toBe('vmdb1');
    expect(y("'abc'[1]")).toBe('b');
  });

  it('`$` is the context variables', () => {
    expect(y('$.name')).toBe('Stanley');
    expect(y('$.xs.len()')).toBe(3);
    expect(y('$')).not.toHaveProperty('__state');
  });

  it('reading a key on a list reads it from every element', () => {
    expect(y('ctx(vms).name')).toEqual(['vmweb1', 'vmdb1', 'vmweb2']);
  });

  it('a missing key is an error, as in orquesta', () => {
    expect(yErr('ctx().missing')).toBe("Unable to resolve key 'missing' in expression '<% ctx().missing %>' from context.");
    expect(yErr('ctx().d.zz')).toMatch(/Unable to resolve key 'zz'/);
    expect(yErr("ctx().d['zz']")).toMatch(/Unable to resolve key 'zz'/);
  });

  it('null-safe access with ?.', () => {
    expect(y('ctx(none)?.foo')).toBeNull();
    expect(y('ctx(d)?.a')).toBe(1);
    expect(y('ctx(none)?.len()')).toBeNull();
    expect(yErr('ctx(none).foo')).toMatch(/cannot read key 'foo' of NoneType/);
  });

  it('index errors', () => {
    expect(yErr('ctx().xs[10]')).toMatch(/IndexError: list index out of range/);
    expect(yErr("ctx().xs['a']")).toMatch(/indices must be integers/);
    expect(yErr('ctx().count[0]')).toMatch(/'int' object is not subscriptable/);
  });

  it('`receiver.(expr)` evaluates expr with $ bound to receiver', () => {
    expect(y('ctx(d).($.a + 1)')).toBe(2);
  });
});

describe('YAQL methods and lambdas', () => {
  it('select / where with $ as the element', () => {
    expect(y('ctx().xs.select($ * 2)')).toEqual([2, 4, 6]);
    expect(y('ctx().xs.where($ > 1)')).toEqual([2, 3]);
    expect(y('ctx().xs.where($ > 1).select($ * 10)')).toEqual([20, 30]);
    expect(y('ctx(vms).where($.role = web).select($.name)')).toEqual(['vmweb1', 'vmweb2']);
    expect(y('ctx(vms).select([$.name, $.region])')).toEqual([
      ['vmweb1', 'us-east'],
      ['vmdb1', 'us-east'],
      ['vmweb2', 'us-west'],
    ]);
    expect(y('ctx().xs.select($ + $1 * 0)')).toEqual([1, 2, 3]);
  });

  it('builds a dict from a list with dict(select(...))', () => {
    expect(y('dict(ctx(vms).select([$.name, $.role]))')).toEqual({ vmweb1: 'web', vmdb1: 'db', vmweb2: 'web' });
    expect(y('dict(vms => dict(ctx(vms).select([$.name, $.region])))')).toEqual({ vms: { vmweb1: 'us-east', vmdb1: 'us-east', vmweb2: 'us-west' } });
  });

  it('collection functions', () => {
    expect(y('ctx().xs.len()')).toBe(3);
    expect(y('len(ctx(xs))')).toBe(3);
    expect(y('len(ctx(d))')).toBe(2);
    expect(y("len('abcd')")).toBe(4);
    expect(y('ctx().xs.count()')).toBe(3);
    expect(y('ctx().xs.count($ > 1)')).toBe(2);
    expect(y('ctx().xs.first()')).toBe(1);
    expect(y('[].first(7)')).toBe(7);
    expect(y('ctx().xs.last()')).toBe(3);
    expect(y('[1, 1, 2, 1].distinct()')).toEqual([1, 2]);
    expect(y('ctx(vms).distinct($.region).select($.name)')).toEqual(['vmweb1', 'vmweb2']);
    expect(y('ctx().xs.sum()')).toBe(6);
    expect(y('ctx().xs.max()')).toBe(3);
    expect(y('ctx().xs.min()')).toBe(1);
    expect(y('max(4, 9)')).toBe(9);
    expect(y('min(4, 9)')).toBe(4);
    expect(y('ctx().words.orderBy($)')).toEqual(['a', 'b', 'c']);
    expect(y('ctx().words.orderByDescending($)')).toEqual(['c', 'b', 'a']);
    expect(y('ctx(vms).orderBy($.name).select($.name)')).toEqual(['vmdb1', 'vmweb1', 'vmweb2']);
    expect(y('ctx().words.sort()')).toEqual(['a', 'b', 'c']);
    expect(y('ctx().xs.reverse()')).toEqual([3, 2, 1]);
    expect(y('ctx().xs.skip(1)')).toEqual([2, 3]);
    expect(y('ctx().xs.limit(2)')).toEqual([1, 2]);
    expect(y('ctx().xs.take(1)')).toEqual([1]);
    expect(y('ctx().xs.any($ > 2)')).toBe(true);
    expect(y('ctx().xs.all($ > 2)')).toBe(false);
    expect(y('[0, 1].any()')).toBe(true);
    expect(y('[[1, [2]], 3].flatten()')).toEqual([1, 2, 3]);
    expect(y('[[1, 2], [3]].selectMany($)')).toEqual([1, 2, 3]);
    expect(y('ctx().xs.append(4, 5)')).toEqual([1, 2, 3, 4, 5]);
    expect(y('ctx().xs.contains(2)')).toBe(true);
    expect(y('ctx().xs.indexOf(3)')).toBe(2);
    expect(y("['a', 'b'].enumerate()")).toEqual([
      [0, 'a'],
      [1, 'b'],
    ]);
    expect(y('ctx(vms).toDict($.name, $.role)')).toEqual({ vmweb1: 'web', vmdb1: 'db', vmweb2: 'web' });
    expect(y('ctx().xs.toList()')).toEqual([1, 2, 3]);
    expect(y('range(3)')).toEqual([0, 1, 2]);
    expect(y('range(0, 10, 4)')).toEqual([0, 4, 8]);
    expect(y('range(3, 0, -1)')).toEqual([3, 2, 1]);
    expect(y('list(range(2), 5)')).toEqual([0, 1, 5]);
    expect(y('list([1, 2])')).toEqual([[1, 2]]);
    expect(y('concat([1], [2])')).toEqual([1, 2]);
    expect(y("concat('a', 'b', 'c')")).toBe('abc');
    expect(y('coalesce(null, ctx(none), 3)')).toBe(3);
  });

  it('dict functions', () => {
    expect(y('ctx(d).keys()')).toEqual(['a', 'b']);
    expect(y('ctx(d).values()')).toEqual([1, 'two']);
    expect(y('ctx(d).items()')).toEqual([
      ['a', 1],
      ['b', 'two'],
    ]);
    expect(y('ctx(d).get(a)')).toBe(1);
    expect(y('ctx(d).get(zz)')).toBeNull();
    expect(y('ctx(d).get(zz, 5)')).toBe(5);
    expect(y('ctx(d).set(c, 3)')).toEqual({ a: 1, b: 'two', c: 3 });
    expect(y('ctx(d).set({a => 9})')).toEqual({ a: 9, b: 'two' });
    expect(y('ctx(d).delete(a)')).toEqual({ b: 'two' });
    expect(y('ctx(d).containsKey(a)')).toBe(true);
    expect(y('ctx(d).containsKey(zz)')).toBe(false);
    expect(y('ctx(d).containsValue(two)')).toBe(true);
    expect(y('ctx(vms).select($.name).join(",")')).toBe('vmweb1,vmdb1,vmweb2');
  });

  it('string functions', () => {
    expect(y('ctx(greeting).toUpper()')).toBe('HELLO');
    expect(y('ctx(greeting).toLower()')).toBe('hello');
    expect(y("','.join(ctx(words))")).toBe('b,a,c');
    expect(y("ctx(xs).join('-')")).toBe('1-2-3');
    expect(y("[true, null].join(' ')")).toBe('true null');
    expect(y("'a,b,,c'.split(',')")).toEqual(['a', 'b', '', 'c']);
    expect(y("'  a b  c '.split()")).toEqual(['a', 'b', 'c']);
    expect(y("'a b c'.split(maxSplits => 1)")).toEqual(['a', 'b c']);
    expect(y("'  x  '.trim()")).toBe('x');
    expect(y("'xxaxx'.trim('x')")).toBe('a');
    expect(y("'  x'.trimLeft()")).toBe('x');
    expect(y("'x  '.trimRight()")).toBe('x');
    expect(y("'abab'.replace('a', 'c')")).toBe('cbcb');
    expect(y("'abab'.replace('a', 'c', 1)")).toBe('cbab');
    expect(y("'hello'.startsWith('he')")).toBe(true);
    expect(y("'hello'.endsWith('lo')")).toBe(true);
    expect(y("'abcd'.substring(1, 2)")).toBe('bc');
    expect(y("'abcd'.substring(-2)")).toBe('cd');
    expect(y("'hello'.indexOf('l')")).toBe(2);
    expect(y("'hello'.contains('ell')")).toBe(true);
    expect(y("''.isEmpty()")).toBe(true);
    expect(y("'  '.norm()")).toBeNull();
    expect(y("'{0}-{1}-{x}'.format(1, 'a', x => true)")).toBe('1-a-True');
  });

  it('conversion and type functions', () => {
    expect(y('str(12)')).toBe('12');
    expect(y('str(null)')).toBe('null');
    expect(y('str(true)')).toBe('true');
    expect(y('str([1, "a"])')).toBe("[1, 'a']");
    expect(y("int('42')")).toBe(42);
    expect(y('int(12.9)')).toBe(12);
    expect(y('int(null)')).toBe(0);
    expect(y("float('2.5')")).toBe(2.5);
    expect(y('float(2)')).toBe(2);
    expect(y('bool([])')).toBe(false);
    expect(y("bool('x')")).toBe(true);
    expect(y('abs(-3)')).toBe(3);
    expect(y('round(2.567, 2)')).toBe(2.57);
    expect(y('round(2.5)')).toBe(2);
    expect(y("isString('a')")).toBe(true);
    expect(y('isString(1)')).toBe(false);
    expect(y('isList(ctx(xs))')).toBe(true);
    expect(y('isDict(ctx(d))')).toBe(true);
    expect(y('isInteger(3)')).toBe(true);
    expect(y('isNumber(2.5)')).toBe(true);
    expect(y('isBoolean(false)')).toBe(true);
    expect(yErr("int('x')")).toMatch(/ValueError: invalid literal for int\(\)/);
    expect(yErr("float('x')")).toMatch(/ValueError: could not convert string to float/);
  });

  it('random(a, b) stays within [a, b]', () => {
    for (let i = 0; i < 50; i++) {
      const n = y('random(1, 3)') as number;
      expect([1, 2, 3]).toContain(n);
    }
    const f = y('random()') as number;
    expect(f).toBeGreaterThanOrEqual(0);
    expect(f).toBeLessThan(1);
  });

  it('function errors', () => {
    expect(yErr('nosuch(1)')).toBe(`Unable to evaluate expression '<% nosuch(1) %>'. NoFunctionRegisteredException: Unknown function "nosuch"`);
    expect(yErr('ctx(xs).nosuch()')).toMatch(/Unknown function "nosuch"/);
    expect(yErr('ctx(d).select($)')).toMatch(/select\(\) expects a collection, got dict/);
    expect(yErr('[].first()')).toMatch(/first\(\) of an empty collection/);
    expect(yErr("'a'.select($)")).toMatch(/select\(\) expects a collection, got str/);
    expect(yErr('ctx(xs).select()')).toMatch(/select\(\) missing required argument 'selector'/);
  });
});

describe('YAQL parser', () => {
  it('accepts yaql syntax', () => {
    for (const text of ['ctx(x)', 'ctx().a.b[0]', '$.x.select($ * 2)', 'f(a => 1, b => [1, {c => 2}])', 'not a and b or c', '$1 + $x', 'a?.b']) {
      expect(() => parseYaql(text)).not.toThrow();
    }
  });

  it.each([
    ['1 +', 'Parse error: unexpected end of statement'],
    ['1 +/ 2', "Parse error: unexpected '/' at position 3"],
    ['{"a": 123}', "Lexical error: illegal character ':' at position 4"],
    ['(1', 'Parse error: unexpected end of statement'],
    ['1 2', "Parse error: unexpected '2' at position 2"],
    ["'open", 'Lexical error: unterminated string starting at position 0'],
    ['', 'Parse error: empty expression'],
    ['f(1,)', "Parse error: unexpected ')' at position 4"],
    ['a[]', "Parse error: unexpected ']' at position 2"],
    ['__x', "Lexical error: illegal name '__x' at position 0"],
    ['$.__proto__', "Lexical error: illegal name '__proto__' at position 2"],
    ['f(1,,)', "Parse error: unexpected ')' at position 5"],
    ['f(a => 1, 2)', "Parse error: unexpected '2' at position 10"],
    ['1 # 2', "Lexical error: illegal character '#' at position 2"],
  ])('rejects %j', (text, message) => {
    expect(() => parseYaql(text)).toThrow(message);
  });

  it('reports syntax errors from evaluate with the expression', () => {
    expect(yErr('ctx(x) +')).toBe("Unable to evaluate expression '<% ctx(x) + %>'. YaqlGrammarException: Parse error: unexpected end of statement");
  });
});
