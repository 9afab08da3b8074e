// yaql's standard library beyond the basics, through the facade as a workflow uses it. The
// conformance suite (test/unit/conformance) runs yaql's own tests; these pin what it cannot
// see: Python floats, orquesta's zip() next to yaql's zip method, opaque values, limits.
import { describe, expect, it } from 'vitest';
import { evaluate, ExpressionError } from '../../../../src/workflow/expressions/index.ts';
import { makeContext } from './helpers.ts';

const c = makeContext();
const y = (expr: string) => evaluate(`<% ${expr} %>`, c);
const yErr = (expr: string): string => {
  try {
    y(expr);
  } catch (e) {
    expect(e).toBeInstanceOf(ExpressionError);
    return (e as Error).message;
  }
  throw new Error(`expected <% ${expr} %> to fail`);
};

describe('YAQL numbers as Python has them', () => {
  it.each([
    ['7 / 2', 3],
    ['-7 / 2', -4],
    ['(7 * 1.0) / 2', 3.5],
    ['(7 + 0.0) / 2', 3.5],
    ['7 / (4 - 2.0)', 3.5],
    ['float(7) / 2', 3.5],
    ['str(2.0)', '2.0'],
    ['str(7 * 1.0)', '7.0'],
    ['str(-2.0)', '-2.0'],
    ['str(2)', '2'],
    ['str(2.5)', '2.5'],
    ['str(float(3))', '3.0'],
    ['let(x => 2.0) -> str($x)', '2.0'],
    ['let(x => 2.0) -> $x / 4', 0.5],
    ['with(2.0) -> $ / 4', 0.5],
    ['let(x => 2.0) -> let(x => 3) -> $x / 2', 1],
    ['with(2.0) -> [1, 3].select($ / 2)', [0, 1]],
    ['let(x => 2.0) -> [1].select($x / 4)', [0.5]],
    ['let(f => lambda($ / 2)) -> with(3.0) -> $f(3)', 1],
  ])('%s is %j', (expr, expected) => {
    expect(y(expr)).toEqual(expected);
  });
});

describe('YAQL queries', () => {
  it('any() without a predicate is "not empty"', () => {
    expect(y('[0].any()')).toBe(true);
    expect(y('[].any()')).toBe(false);
    expect(y('[0, 1].any($ > 0)')).toBe(true);
  });

  it("zip as a method stops at the shortest list; orquesta's zip() function pads", () => {
    expect(y('[1, 2, 3].zip([4, 5])')).toEqual([
      [1, 4],
      [2, 5],
    ]);
    expect(y('zip([1, 2, 3], [4, 5])')).toEqual([
      [1, 4],
      [2, 5],
      [3, null],
    ]);
    expect(y('[1, 2, 3].zipLongest([4, 5], default => 0)')).toEqual([
      [1, 4],
      [2, 5],
      [3, 0],
    ]);
  });

  it('max and min of a collection take an initial value', () => {
    expect(y('[].max(0)')).toBe(0);
    expect(y('[3, 9].max(5)')).toBe(9);
    expect(y('[].min(7)')).toBe(7);
    expect(y('max(2, 8)')).toBe(8);
  });

  it('indexOf and lastIndexOf of a string take a start and a length', () => {
    expect(y("'abcdefedcba'.indexOf(dcb, 0, 5)")).toBe(-1);
    expect(y("'abcdefedcba'.indexOf(dcb, 6)")).toBe(7);
    expect(y("'abcdefedcbabc'.lastIndexOf(c, 0, 4)")).toBe(2);
    expect(y('[1, 2, 3, 2].lastIndexOf(2)')).toBe(3);
  });

  it('edits lists by position', () => {
    expect(y('[1, 2, 3, 4].delete(1, 2)')).toEqual([1, 4]);
    expect(y('[1, 2, 3, 4].replace(0, null, 2)')).toEqual([null, 3, 4]);
    expect(y('[1, 2].insert(-1, a)')).toEqual([1, 'a', 2]);
    expect(y('[1, 2].insertMany(1, [a, b])')).toEqual([1, 'a', 'b', 2]);
    // a dict keeps its delete(key) and set(key, value)
    expect(y('ctx(d).delete(a)')).toEqual({ b: 'two' });
    expect(y('ctx(d).set(a, 5)')).toEqual({ a: 5, b: 'two' });
  });

  it('groups, folds and generates', () => {
    expect(y('ctx(words).groupBy(len($),, $.len())')).toEqual([[1, 3]]);
    expect(y('[1, 2, 3].aggregate($1 + $2)')).toBe(6);
    expect(y('generate(1, $ < 20, $ * 2)')).toEqual([1, 2, 4, 8, 16]);
    expect(y('ctx(d).mergeWith({c => 3})')).toEqual({ a: 1, b: 'two', c: 3 });
    expect(y('[[2, 1], [1, 2], [1, 1]].orderBy($[0]).thenByDescending($[1])')).toEqual([
      [1, 2],
      [1, 1],
      [2, 1],
    ]);
  });

  it('memorizes (a no-op: collections are lists already)', () => {
    expect(y('ctx(xs).select($ * 2).memorize()')).toEqual([2, 4, 6]);
  });

  it('has sets', () => {
    expect(y('set(1, 2, 2).len()')).toBe(2);
    expect(y('set(1, 2) = set(2, 1)')).toBe(true);
    expect(y('set(1, 2) < set(1, 2, 3)')).toBe(true);
    expect(y('isSet(set(1) + set(2))')).toBe(true);
  });

  it('does integer math', () => {
    expect(y('bitwiseOr(1, 2)')).toBe(3);
    expect(y('bitwiseNot(1)')).toBe(-2);
    expect(y('pow(2, 5, 7)')).toBe(4);
    expect(y('sign(-3)')).toBe(-1);
  });
});

describe('YAQL scopes, functions and branching', () => {
  it('passes variables to the right of ->', () => {
    expect(y('let(x => ctx(count)) -> $x + 1')).toBe(4);
    expect(y('let(a => 1) -> let(b => 2) -> $a + $b')).toBe(3);
    expect(y('with(2, 3) -> $1 * $2')).toBe(6);
    expect(y('ctx(xs).unpack(a, b, c) -> $a + $c')).toBe(4);
  });

  it('defines functions and lambdas', () => {
    expect(y('def(sq, $ * $) -> ctx(xs).select(sq($))')).toEqual([1, 4, 9]);
    expect(y('def(fact, switch($ <= 1 => 1, true => $ * fact($ - 1))) -> fact(5)')).toBe(120);
    expect(y('let(f => lambda($ + 10)) -> $f(1)')).toBe(11);
  });

  it('branches', () => {
    expect(y('switch(ctx(count) > 5 => big, true => small)')).toBe('small');
    expect(y('selectCase(false, true)')).toBe(1);
    expect(y('2.switchCase(a, b, c)')).toBe('c');
    expect(y('examine(true, 0)')).toEqual([true, false]);
  });

  it('takes keyword arguments in indexers and leaves arguments out', () => {
    expect(y('ctx(d)[zz, default => 66]')).toBe(66);
    expect(y('ctx(d)[zz, 67]')).toBe(67);
    expect(y("'a b c'.split(, 1)")).toEqual(['a', 'b c']);
  });

  it('has regex objects', () => {
    expect(y("regex('a.c').matches(abc)")).toBe(true);
    expect(y("'abc' =~ regex('B', ignoreCase => true)")).toBe(true);
    expect(y('regex(`(\\d+)`).replace(a1b22, `<\\1>`)')).toBe('a<1>b<22>');
    expect(y("regex(`\\d+`).searchAll('a1b22', $.start)")).toEqual([1, 3]);
    expect(y("'a1b22'.replaceBy(regex(`\\d+`), str(len($.value)))")).toBe('a1b2');
    // Python 3.7+ re.escape: only characters with a meaning in a pattern
    expect(y("escapeRegex('a.b[c]-d e,f!')")).toBe('a\\.b\\[c\\]\\-d\\ e,f!');
  });
});

describe('YAQL strictness', () => {
  it('raises as yaql does', () => {
    expect(yErr("ctx(d).'b c'")).toMatch(/NoMatchingFunctionException/);
    expect(yErr('ctx(d).123')).toMatch(/NoMatchingFunctionException/);
    expect(yErr('ctx(d).__d')).toMatch(/YaqlLexicalException/);
    expect(yErr('a in ctx(d)')).toMatch(/NoMatchingFunctionException/);
    expect(yErr('1 -> 2')).toMatch(/'->' needs let\(\), with\(\), def\(\) or unpack\(\) on its left/);
    expect(yErr('ctx(count)(1)')).toMatch(/'int' object is not callable/);
  });

  it('never lets a lambda, scope or regex out, into a function or into member access', () => {
    expect(yErr('lambda($)')).toMatch(/SandboxError: sandbox: the value - expected plain data/);
    expect(yErr("[regex('a')]")).toMatch(/SandboxError/);
    expect(yErr('let(a => 1)')).toMatch(/SandboxError/);
    expect(yErr('json(lambda($))')).toMatch(/SandboxError: sandbox: the arguments of json\(\)/);
    expect(yErr('lambda($).node')).toMatch(/TypeError: a yaql lambda has no key 'node'/);
    expect(yErr("regex('a')[0]")).toMatch(/'function' object is not subscriptable/);
    expect(yErr('str(lambda($))')).toMatch(/TypeError: str\(\) of a yaql lambda/);
  });

  it('keeps a __proto__ key of data a key when merging or passing it as a keyword', () => {
    const data = { ctx: { p: JSON.parse('{"__proto__": {"x": 1}, "a": 1}') as unknown } };
    const merged = evaluate('<% ctx(p).mergeWith({b => 2}) %>', data) as Record<string, unknown>;
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(Object.keys(merged)).toEqual(['__proto__', 'a', 'b']);
    expect(evaluate("<% def(f, $x) -> f(x => 3, '__proto__' => 4) %>", data)).toBe(3);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('refuses built-in member names even as own keys of a dict', () => {
    expect(yErr('dict(constructor => 1).constructor')).toMatch(/SandboxError: sandbox: "constructor" - names a JavaScript built-in/);
    expect(yErr("{toString => 1}['toString']")).toMatch(/SandboxError/);
    expect(yErr('def(valueOf, 1) -> valueOf()')).toMatch(/SandboxError: sandbox: def\(valueOf\)/);
  });
});

describe('YAQL limits', () => {
  it.each([
    ['range(1000000000)', /range\(\) is over the expression limit/],
    ["'x' * 1000000000", /the string is over the expression limit/],
    ['[1] * 1000000000', /the collection is over the expression limit/],
    ['range(100000).select(range(100000))', /the work of this expression is over the expression limit/],
    ['generate(0, true, $ + 1)', /over the expression limit/],
    ['def(f, f($)) -> f(1)', /the depth of nested function calls is over the expression limit/],
    ['1.repeat()', /an endless repeat\(\) is over the expression limit/],
    ['[1].cycle()', /an endless cycle\(\) is over the expression limit/],
    ['sequence()', /an endless sequence\(\) is over the expression limit/],
  ])('%s fails with LimitExceeded', (expr, message) => {
    const m = yErr(expr);
    expect(m).toMatch(/LimitExceeded/);
    expect(m).toMatch(message);
  });

  it('gives each evaluation its own budget, also after one that failed', () => {
    expect(yErr('range(100000).select(range(100000))')).toMatch(/LimitExceeded/);
    for (let i = 0; i < 5; i++) expect(y('range(90000).len()')).toBe(90000);
  });
});
