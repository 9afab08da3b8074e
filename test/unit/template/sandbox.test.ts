import nunjucks from 'nunjucks';
import { describe, expect, it } from 'vitest';
import { SandboxError } from '../../../src/template/errors.ts';
import { internals } from '../../../src/template/nunjucks-internals.ts';
import { assertPlainData, isPlainData, ownMember, setOwn } from '../../../src/template/plain-data.ts';
import { createSandbox, isUnsafeName } from '../../../src/template/sandbox.ts';
import '../../helpers/hostile-templates.ts';

function sandboxed() {
  const env = new nunjucks.Environment(null, { autoescape: false });
  env.addFilter('twice', (x: unknown) => [x, x]);
  env.addFilter('leak', () => () => 1);
  env.addFilter('__hidden', (x: unknown) => x);
  const sandbox = createSandbox(env, { internalFilters: ['__hidden'] });
  const add = sandbox.callable((a: number, b: number) => a + b);
  const leaky = sandbox.callable(() => ({ f: () => 1 }));
  const render = (source: string, context: Record<string, unknown> = {}) => {
    const ast = internals.parser.parse(source);
    sandbox.check(ast);
    return sandbox.render(sandbox.compile(ast, 'test'), { add, leaky, ...context });
  };
  return { render, sandbox, env };
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('sandbox: what templates can still do', () => {
  const { render } = sandboxed();

  it('reads data, loops, sets, filters, tests and calls registered functions', () => {
    const data = { d: { a: 1, list: [1, 2, 3] }, s: 'abc' };
    expect(render('{{ d.a }} {{ d["a"] }} {{ d.list[1] }} {{ s[0] }}', data)).toBe('1 1 2 a');
    expect(render('{% for x in d.list %}{{ loop.index }}{{ x }}{% endfor %}', data)).toBe('112233');
    expect(render('{% for k, v in d %}{{ k }};{% endfor %}', data)).toBe('a;list;');
    expect(render('{% set n = add(2, 3) %}{{ n }} {{ range(3) | join(",") }} {{ s | upper }} {{ d.list | twice | length }}', data)).toBe('5 0,1,2 ABC 2');
    expect(render('{{ "a" in d }} {{ "b" in s }} {{ 2 in d.list }} {{ 4 is even }} {{ d.missing is defined }}', data)).toBe('true true true true false');
    expect(render('{{ d.list | sort(attribute="0") | first }} {{ d | dump }}', data)).toBe('1 {"a":1,"list":[1,2,3]}');
  });

  it('reads own data keys named like built-ins (JSON can hold them)', () => {
    const data = { j: JSON.parse('{"constructor": "c", "__proto__": {"x": 1}}') as unknown };
    expect(render('{{ j.constructor }} {{ j["__proto__"].x }}', data)).toBe('c 1');
  });

  it('gives undefined for a missing data key, as nunjucks does', () => {
    expect(render('[{{ d.nope }}]', { d: {} })).toBe('[]');
  });
});

describe('sandbox: what it refuses, and how it says so', () => {
  const { render } = sandboxed();
  const cases: [string, Record<string, unknown>, string][] = [
    ['{{ d.constructor }}', { d: {} }, 'sandbox: attribute "constructor" - templates read only the data of dicts and lists, not JavaScript members'],
    ['{{ s.length }}', { s: 'x' }, 'sandbox: attribute "length" - templates read only the data of dicts and lists, not JavaScript members'],
    ['{{ constructor }}', {}, 'sandbox: "constructor" - names a JavaScript built-in or an internal variable, not a template variable'],
    ['{{ add }}', {}, 'sandbox: "add" - a function can only be called, it is not a value'],
    ['{{ d.f() }}', { d: {} }, 'sandbox: a call - only functions called by name (`f(x)`) are allowed, not methods or computed callees'],
    ['{{ f() }}', { f: () => 1 }, 'sandbox: "f" - not a function templates may call (only registered functions are)'],
    [
      '{{ leaky() }}',
      {},
      'sandbox: the result of leaky() - expected plain data (null, boolean, number, string, list, dict), got something that is not plain data',
    ],
    ['{{ 1 | leak }}', {}, 'sandbox: the result of filter "leak" - expected plain data (null, boolean, number, string, list, dict), got a function'],
    ['{{ 1 | __hidden }}', {}, 'sandbox: filter "__hidden" - not a registered filter'],
    ['{{ 1 | constructor }}', {}, 'sandbox: filter "constructor" - not a registered filter'],
    ['{{ 1 is constructor }}', {}, 'sandbox: test "constructor" - not a registered test'],
    ['{{ 1 is "odd" }}', {}, 'sandbox: "is" - expected a test name'],
    ['{{ xs | sort(attribute="constructor") }}', { xs: [1] }, 'sandbox: "constructor" - sort() reads only data attributes, not JavaScript built-ins'],
    ['{{ {"__proto__": 1} }}', {}, 'sandbox: key "__proto__" - not allowed in a dict'],
    ['{{ "a" in 3 }}', {}, 'sandbox: "in" - needs a string, list or dict on its right'],
    ['{{ r/x/ }}', {}, 'sandbox: a literal - expected a string, number or boolean'],
    [String.raw`{% set "a\");globalThis.HOSTILE_FLAG=1;//" = 1 %}`, {}, 'sandbox: "set" - expected variable names to assign'],
    ['{% macro m() %}{% endmacro %}', {}, 'sandbox: tag Macro - not allowed (only output, if, for, set and expressions are)'],
    ['{% include "x" %}', {}, 'sandbox: tag Include - not allowed (only output, if, for, set and expressions are)'],
    [
      '{{ h | twice }}',
      { h: new Map() },
      'sandbox: argument 1 of filter "twice" - expected plain data (null, boolean, number, string, list, dict), got something that is not plain data',
    ],
  ];
  it.each(cases)('%s', (source, context, message) => {
    const e = errorOf(() => render(source, context));
    expect(e).toBeInstanceOf(SandboxError);
    expect(e.message).toBe(message);
    expect(globalThis.HOSTILE_FLAG).toBeUndefined();
  });

  it('keeps nunjucks messages for unknown filters, tests and functions', () => {
    expect(errorOf(() => render('{{ 1 | nosuch }}')).message).toMatch(/filter not found: nosuch/);
    expect(errorOf(() => render('{{ 1 is nosuch }}')).message).toMatch(/test not found: nosuch/);
    expect(errorOf(() => render('{{ nosuch() }}')).message).toMatch(/Unable to call `nosuch`, which is undefined or falsey/);
  });

  it('has no cycler or joiner', () => {
    expect(errorOf(() => render('{{ cycler(1, 2).next() }}')).message).toMatch(/sandbox: a call|Unable to call/);
    expect(errorOf(() => render('{{ joiner() }}')).message).toMatch(/Unable to call `joiner`/);
  });
});

describe('isUnsafeName', () => {
  it('flags Object.prototype members and internal names, not ordinary ones', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'prototype', '__emit'])
      expect(isUnsafeName(name), name).toBe(true);
    for (const name of ['name', 'length', 'items', 'message', 'ctx']) expect(isUnsafeName(name), name).toBe(false);
  });
});

describe('plain data', () => {
  it('isPlainData accepts JSON-like values only', () => {
    expect(isPlainData({ a: [1, 'x', null, true, { b: undefined }] })).toBe(true);
    expect(isPlainData(Object.create(null))).toBe(true);
    expect(isPlainData(() => 1)).toBe(false);
    expect(isPlainData({ f: () => 1 })).toBe(false);
    expect(isPlainData(new Date())).toBe(false);
    expect(isPlainData(Object.create({ inherited: 1 }))).toBe(false);
    expect(
      isPlainData({
        get x() {
          return 1;
        },
      }),
    ).toBe(false);
    expect(isPlainData([Symbol('s')])).toBe(false);
    expect(isPlainData(10n)).toBe(false);
  });

  it('assertPlainData names the value and the kind, never its content', () => {
    expect(() => assertPlainData(() => 'secret', 'the value')).toThrow(
      'sandbox: the value - expected plain data (null, boolean, number, string, list, dict), got a function',
    );
  });

  it('ownMember reads own enumerable data properties and list indexes only', () => {
    expect(ownMember({ a: 1 }, 'a')).toBe(1);
    expect(ownMember({ a: 1 }, 'constructor')).toBeUndefined();
    expect(ownMember([5, 6], 1)).toBe(6);
    expect(ownMember([5, 6], 'length')).toBeUndefined();
    expect(ownMember([5, 6], 'map')).toBeUndefined();
    expect(ownMember('ab', 0)).toBe('a');
    expect(ownMember(() => 1, 'name')).toBeUndefined();
    expect(ownMember(new Map([['a', 1]]), 'size')).toBeUndefined();
    expect(ownMember(Object.defineProperty({}, 'g', { get: () => 1, enumerable: true }), 'g')).toBeUndefined();
  });

  it('setOwn sets __proto__ as a key, not as the prototype', () => {
    const o: Record<string, unknown> = {};
    setOwn(o, '__proto__', { polluted: 1 });
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(Object.keys(o)).toEqual(['__proto__']);
  });
});
