import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../../src/workflow/expressions/index.ts';
import { errorOf, makeContext } from './helpers.ts';

const c = makeContext();
const j = (expr: string, context = c) => evaluate(`{{ ${expr} }}`, context);
const messageOf = (fn: () => unknown): string => errorOf(fn).message;

describe('Jinja expressions keep their type when alone', () => {
  it.each([
    ['1 + 2 * 3', 7],
    ['7 // 2', 3],
    ['7 % 3', 1],
    ['2 ** 3', 8],
    ['"a" ~ 1', 'a1'],
    ['"ab" + "cd"', 'abcd'],
    ['[1, 2]', [1, 2]],
    ['{"a": [1]}', { a: [1] }],
    ['true', true],
    ['True', true],
    ['False', false],
    ['None', null],
    ['none', null],
    ['1 < 2 and not false', true],
    ['1 == 1', true],
    ['1 != 1', false],
    ['2 in [1, 2]', true],
    ['"yes" if ctx().flag else "no"', 'yes'],
    ['ctx().count', 3],
    ['ctx().ratio', 2.5],
    ['ctx().xs', [1, 2, 3]],
    ['ctx().d', { a: 1, b: 'two' }],
    ["ctx()['none']", null],
    ["ctx()['d']['b']", 'two'],
    ['ctx().xs[1]', 2],
    ['ctx().name is defined', true],
    ['ctx().nope is defined', false],
  ])('{{ %s }}', (expr, expected) => {
    expect(j(expr)).toEqual(expected);
  });
});

describe('Jinja filters', () => {
  it.each([
    ["task('task1').result.stdout | upper", 'HELLO'],
    ['ctx().name | lower', 'stanley'],
    ['ctx().xs | length', 3],
    ['ctx().d | length', 2],
    ['ctx().xs | join(",")', '1,2,3'],
    ['ctx().xs | first', 1],
    ['ctx().xs | last', 3],
    ['ctx().xs | sum', 6],
    ['ctx().words | sort', ['a', 'b', 'c']],
    ['ctx().nope | default("fallback")', 'fallback'],
    ['ctx("none") | default("x", true)', 'x'],
    ['"42" | int', 42],
    ['"2.5" | float', 2.5],
    ['ctx().xs | string', '[1, 2, 3]'],
    ['true | string', 'True'],
    ['"ab" | list', ['a', 'b']],
    ['"  x " | trim', 'x'],
    ['"aXa" | replace("a", "b")', 'bXb'],
    ['ctx().d | tojson', '{"a": 1, "b": "two"}'],
    ['"<a>" | tojson', '"\\u003ca\\u003e"'],
    ['ctx().d | to_json_string', '{"a": 1,"b": "two"}'],
    ['ctx().vms | map(attribute="name") | list', ['vmweb1', 'vmdb1', 'vmweb2']],
    ['ctx().words | map("upper") | list', ['B', 'A', 'C']],
    ['ctx().xs | select("odd") | list', [1, 3]],
    ['ctx().xs | reject("odd") | list', [2]],
    ['ctx().vms | selectattr("role") | length', 3],
    ['[1, 2, 1] | unique | list', [1, 2]],
    [
      'ctx().d | items | list',
      [
        ['a', 1],
        ['b', 'two'],
      ],
    ],
    ['ctx().d | dictsort | first', ['a', 1]],
    ['"abc" | regex_replace("b", "x")', 'axc'],
    ['"abc" | regex_match("a")', true],
    ['"a.b" | regex_escape', 'a\\.b'],
    ['"a1b2" | regex_findall("\\\\d")', ['1', '2']],
    ['0 | bool', false],
    ['{"b": 1} | to_yaml_string', 'b: 1\n'],
  ])('{{ %s }}', (expr, expected) => {
    expect(j(expr)).toEqual(expected);
  });
});

describe('Python semantics in Jinja', () => {
  const empty = makeContext({ ctx: { list: [], dict: {}, zero: 0, text: '', full: [1], one: 1, str1: '1' } });
  it.each([
    ['"yes" if ctx().list else "no"', 'no'],
    ['"yes" if ctx().dict else "no"', 'no'],
    ['"yes" if ctx().full else "no"', 'yes'],
    ['not ctx().list', true],
    ['not ctx().full', false],
    ['ctx().list or "default"', 'default'],
    ['ctx().full or "default"', [1]],
    ['ctx().dict and 1', {}],
    ['ctx().full and 1', 1],
    ['ctx().zero or ctx().text or "x"', 'x'],
    ['ctx().one == ctx().str1', false],
    ['ctx().one != ctx().str1', true],
    ['[1, {"a": 2}] == [1, {"a": 2}]', true],
    ['ctx().dict == {}', true],
    ['1 < 2 < 3', true],
  ])('{{ %s }}', (expr, expected) => {
    expect(j(expr, empty)).toEqual(expected);
  });

  it('in blocks', () => {
    expect(evaluate('{% if ctx().list %}full{% else %}empty{% endif %}', empty)).toBe('empty');
    expect(evaluate('{% if ctx().dict or ctx().full %}some{% endif %}', empty)).toBe('some');
  });

  it('guards still short-circuit', () => {
    expect(j('ctx().list and ctx("nope")', empty)).toEqual([]);
    expect(j('ctx().full or ctx("nope")', empty)).toEqual([1]);
  });
});

describe('Python methods in Jinja', () => {
  it.each([
    [
      'ctx().d.items()',
      [
        ['a', 1],
        ['b', 'two'],
      ],
    ],
    ['ctx().d.keys() | list', ['a', 'b']],
    ['ctx().d.values() | list', [1, 'two']],
    ['ctx().d.get("a") + 1', 2],
    ['ctx().d.get("zz", 5)', 5],
    ['ctx().d.get("zz")', null],
    ['"  Hi  ".strip().upper()', 'HI'],
    ['"xxhixx".strip("x")', 'hi'],
    ['"  hi".lstrip()', 'hi'],
    ['"hi  ".rstrip()', 'hi'],
    ['ctx().name.lower()', 'stanley'],
    ['ctx().name.startswith("St")', true],
    ['not ctx().name.endswith("x")', true],
    ['"a b  c".split()', ['a', 'b', 'c']],
    ['"a,b".split(",")', ['a', 'b']],
    ['"aXaX".replace("X", "-")', 'a-a-'],
    ['", ".join(ctx().words)', 'b, a, c'],
    ['"x.items() stays"', 'x.items() stays'],
    ['ctx().none', null],
    ['{"true": 1}.true', 1],
  ])('{{ %s }}', (expr, expected) => {
    expect(j(expr)).toEqual(expected);
  });

  it('works in blocks, not in template text', () => {
    expect(evaluate('{% for k, v in ctx().d.items() %}{{ k }}={{ v }};{% endfor %} d.items()', c)).toBe('a=1;b=two; d.items()');
  });

  it('type errors', () => {
    expect(messageOf(() => j('ctx().xs.items()'))).toMatch(/TypeError: .items\(\) needs a dict/);
  });
});

describe('Jinja interpolation and blocks', () => {
  it('substitutes values as Python str()', () => {
    expect(evaluate("Hi {{ ctx('name') }}!", c)).toBe('Hi Stanley!');
    expect(evaluate('{{ ctx().xs }} / {{ ctx().d }} / {{ ctx().flag }} / {{ ctx("none") }}', c)).toBe("[1, 2, 3] / {'a': 1, 'b': 'two'} / True / None");
    expect(evaluate(' {{ ctx().count }}', c)).toBe(3);
  });

  it('renders blocks as text', () => {
    expect(evaluate('{% for x in ctx().xs %}{{ x }};{% endfor %}', c)).toBe('1;2;3;');
    expect(evaluate('{% if succeeded() %}ok{% else %}ko{% endif %}', c)).toBe('ok');
    expect(evaluate('{% set n = ctx().count * 2 %}{{ n }}', c)).toBe('6');
    expect(evaluate('{% for v in ctx().vms %}{{ v }}\n{% endfor %}', c)).toBe(
      "{'name': 'vmweb1', 'region': 'us-east', 'role': 'web'}\n{'name': 'vmdb1', 'region': 'us-east', 'role': 'db'}\n{'name': 'vmweb2', 'region': 'us-west', 'role': 'web'}\n",
    );
    expect(evaluate('{%- for x in ctx().words -%} {{- x -}} {%- endfor -%}', c)).toBe('bac');
  });

  it('trims block lines like orquesta (trim_blocks, lstrip_blocks)', () => {
    expect(evaluate('{% for x in ctx().xs %}\n  {% if x > 1 %}\n{{ x }}\n  {% endif %}\n{% endfor %}\n', c)).toBe('2\n3\n');
  });

  it('leaves raw blocks unrendered', () => {
    expect(evaluate('{% raw %}{{ not evaluated }}{% endraw %}', c)).toBe('{{ not evaluated }}');
    expect(evaluate("{% raw %}{{ x }}{% endraw %} and {{ ctx('name') }}", c)).toBe('{{ x }} and Stanley');
  });
});

describe('Jinja errors', () => {
  it('undefined values', () => {
    expect(messageOf(() => j('ctx().nope'))).toBe(`Unable to evaluate expression '{{ ctx().nope }}'. UndefinedError: "ctx().nope" is undefined`);
    expect(messageOf(() => j('nope'))).toMatch(/UndefinedError/);
    expect(messageOf(() => evaluate('x={{ ctx().nope }}', c))).toMatch(/UndefinedError/);
    expect(messageOf(() => evaluate('{% for x in [1] %}{{ ctx().nope }}{% endfor %}', c))).toMatch(/UndefinedError/);
  });

  it('unknown functions and filters', () => {
    expect(messageOf(() => j('nosuch(1)'))).toBe(`Unable to evaluate expression '{{ nosuch(1) }}'. NoFunctionRegisteredException: Unknown function "nosuch"`);
    expect(messageOf(() => j('1 | nosuch'))).toBe(`Unable to evaluate expression '{{ 1 | nosuch }}'. NoFunctionRegisteredException: Unknown filter "nosuch"`);
  });

  it('syntax errors', () => {
    expect(messageOf(() => j('1 +'))).toMatch(/^Unable to evaluate expression '\{\{ 1 \+ \}\}'. TemplateSyntaxError: /);
    expect(messageOf(() => evaluate('{% if true %}open', c))).toMatch(/TemplateSyntaxError: .*expected elif, else, or endif/);
  });

  it('errors raised by functions keep their kind', () => {
    expect(messageOf(() => j('json(1)'))).toMatch(/TypeError: Given object is not typeof string./);
    expect(messageOf(() => evaluate('{% if ctx("nope") %}x{% endif %}', c))).toMatch(/VariableUndefinedError: The variable "nope" is undefined./);
  });
});
