import { describe, expect, it } from 'vitest';
import { evaluate, extractVariableReferences, isExpression, isTruthy, renderValue, validate } from '../../../../src/workflow/expressions/index.ts';
import { errorOf, makeContext } from './helpers.ts';

const c = makeContext();

describe('evaluate', () => {
  it('returns strings without expressions unchanged', () => {
    expect(evaluate('plain text', c)).toBe('plain text');
    expect(evaluate('', c)).toBe('');
    expect(evaluate('50% <off> {not jinja}', c)).toBe('50% <off> {not jinja}');
  });

  it('returns the typed value of a lone expression, surrounding whitespace allowed', () => {
    expect(evaluate('<% ctx(count) %>', c)).toBe(3);
    expect(evaluate('  <% ctx(xs) %>\n', c)).toEqual([1, 2, 3]);
    expect(evaluate('<% ctx(d) %>', c)).toEqual({ a: 1, b: 'two' });
    expect(evaluate('<% ctx(flag) %>', c)).toBe(true);
    expect(evaluate('<% ctx(none) %>', c)).toBeNull();
    expect(evaluate('<%ctx(ratio)%>', c)).toBe(2.5);
    expect(evaluate('{{ ctx().count }}', c)).toBe(3);
    expect(evaluate('{{ctx().xs}}', c)).toEqual([1, 2, 3]);
  });

  it('substitutes each value into surrounding text as Python str()', () => {
    expect(evaluate('<% ctx(greeting) %>, <% ctx(name) %>!', c)).toBe('Hello, Stanley!');
    expect(evaluate('n=<% ctx(count) %>', c)).toBe('n=3');
    expect(evaluate('<% ctx(xs) %>|<% ctx(d) %>|<% ctx(flag) %>|<% ctx(none) %>|<% 2.5 %>', c)).toBe("[1, 2, 3]|{'a': 1, 'b': 'two'}|True|None|2.5");
    expect(evaluate("<% ['a', \"it's\"] %> x", c)).toBe(`['a', "it's"] x`);
    expect(evaluate('<% ctx(count) %> <% ctx(count) %>', c)).toBe('3 3');
  });

  // orquesta evaluates a string result again; that turned data (user input, action output) into
  // code, so a value that comes out of an expression is returned as is.
  it('never evaluates a value again, even one that holds expressions', () => {
    const chained = makeContext({ ctx: { fee: '<% ctx().fi %>', fi: '<% ctx().fo %>', fo: 'fum', jfee: '{{ ctx("jfi") }}', jfi: [1], j: '{{ 7*7 }}' } });
    expect(evaluate('<% ctx().fee %>', chained)).toBe('<% ctx().fi %>');
    expect(evaluate('<% ctx().fee %> and <% ctx().fo %>', chained)).toBe('<% ctx().fi %> and fum');
    expect(evaluate('{{ ctx("jfee") }}', chained)).toBe('{{ ctx("jfi") }}');
    expect(evaluate('x={{ ctx("j") }}', chained)).toBe('x={{ 7*7 }}');
    expect(evaluate('{% if true %}{{ ctx("j") }}{% endif %}', chained)).toBe('{{ 7*7 }}');
    expect(evaluate('<% ctx(j) %>', chained)).toBe('{{ 7*7 }}');
  });

  it('variables that refer to each other give their text, without looping', () => {
    const loop = makeContext({ ctx: { a: '<% ctx(b) %>', b: '<% ctx(a) %>' } });
    expect(evaluate('<% ctx(a) %>', loop)).toBe('<% ctx(b) %>');
  });

  it('a rendered value cannot pull a raw block into its place', () => {
    const sneaky = makeContext({ ctx: { s: '\u0000raw0:0\u0000' } });
    expect(evaluate('{% raw %}{{ kept }}{% endraw %}{% if true %}{{ ctx("s") }}{% endif %}', sneaky)).toBe('{{ kept }}\u0000raw0:0\u0000');
  });

  it('rejects YAQL and Jinja in one string', () => {
    const e = errorOf(() => evaluate('<% ctx(name) %> {{ ctx("name") }}', c));
    expect(e.message).toMatch(/^Expression with multiple types is not supported./);
    expect(e.expression).toBe('<% ctx(name) %> {{ ctx("name") }}');
    expect(errorOf(() => evaluate('<% 1 %>{% if true %}{% endif %}', c)).message).toMatch(/multiple types/);
  });

  it('errors name the failing expression', () => {
    const e = errorOf(() => evaluate('ok <% ctx(name) %> then <% ctx(x) + %>', c));
    expect(e.message).toBe("Unable to evaluate expression '<% ctx(x) + %>'. YaqlGrammarException: Parse error: unexpected end of statement");
    expect(e.expression).toBe('<% ctx(x) + %>');
    expect(e.name).toBe('ExpressionError');
  });

  it('an expression does not span lines (as orquesta)', () => {
    expect(evaluate('<% 1 +\n 2 %>', c)).toBe('<% 1 +\n 2 %>');
  });

  it('passes non-strings through', () => {
    expect(evaluate(5 as unknown as string, c)).toBe(5);
  });
});

describe('renderValue', () => {
  it('renders lists and dicts recursively, keys too', () => {
    const value = {
      cmd: 'echo <% ctx(greeting) %>',
      count: '<% ctx(count) %>',
      '<% ctx(name) %>': ['{{ ctx("xs") | length }}', 7, null, true, { nested: '<% ctx(d).b %>' }],
      plain: 'x',
    };
    expect(renderValue(value, c)).toEqual({
      cmd: 'echo Hello',
      count: 3,
      Stanley: [3, 7, null, true, { nested: 'two' }],
      plain: 'x',
    });
  });

  it('stringifies non-string keys', () => {
    expect(renderValue({ '<% ctx(count) %>': 1 }, c)).toEqual({ '3': 1 });
  });

  it('leaves its input untouched', () => {
    const input = { a: ['<% ctx(count) %>'] };
    renderValue(input, c);
    expect(input).toEqual({ a: ['<% ctx(count) %>'] });
  });
});

describe('validate', () => {
  it('accepts well-formed expressions', () => {
    for (const text of [
      '<% 1 %>',
      '<% abc %>',
      '<% ctx().a1 + ctx(a2) %>',
      'x <% $.a %> y <% ctx(b).select($ * 2) %>',
      '{{ ctx("a") | upper }}',
      '{% for x in ctx().xs %}{{ x }}{% endfor %}',
      'no expression',
      '{% raw %}{{ }}{% endraw %}',
    ]) {
      expect(validate(text), text).toEqual([]);
    }
  });

  it('reports every malformed YAQL expression', () => {
    const errors = validate('<% 1 +/ 2 %> and <% {"a": 123} %> and <% ok %>');
    expect(errors).toEqual([
      "YaqlGrammarException in expression '<% 1 +/ 2 %>': Parse error: unexpected '/' at position 3",
      `YaqlLexicalException in expression '<% {"a": 123} %>': Lexical error: illegal character ':' at position 4`,
    ]);
    expect(validate('<% <% ctx().foo %> %>')).toHaveLength(1);
  });

  it('reports malformed Jinja expressions and blocks', () => {
    expect(validate('{{ 1 + }}')).toHaveLength(1);
    expect(validate('{{ 1 + }}')[0]).toMatch(/^TemplateSyntaxError in expression '\{\{ 1 \+ \}\}'/);
    // As orquesta: the whole text's error, then the expression's.
    expect(validate('{{ ok }} {{ (1 }}')).toHaveLength(2);
    expect(validate('{% if x %}never closed')[0]).toMatch(/expected elif, else, or endif/);
    expect(validate('{{ }}')).toHaveLength(1);
  });

  it('reports mixed syntax', () => {
    expect(validate('<% 1 %> {{ 1 }}')).toEqual([
      'Expression with multiple types is not supported. "<% 1 %> {{ 1 }}" mixes YAQL (<% %>) and Jinja ({{ }}) expressions.',
    ]);
  });
});

describe('isTruthy', () => {
  it('is Python truthiness', () => {
    for (const v of [false, null, undefined, 0, '', [], {}]) expect(isTruthy(v), JSON.stringify(v)).toBe(false);
    for (const v of [true, 1, -1, 'x', [0], { a: null }]) expect(isTruthy(v), JSON.stringify(v)).toBe(true);
  });
});

describe('error details', () => {
  it('keeps the underlying fault as cause', () => {
    const e = errorOf(() => evaluate('<% ctx(nope) %>', c));
    expect((e.cause as { kind: string }).kind).toBe('VariableUndefinedError');
  });

  it('names the function that lacks an argument', () => {
    expect(errorOf(() => evaluate('<% basename() %>', c)).message).toMatch(/basename\(\) missing required argument: 'value'/);
  });

  it('multi-line raw blocks stay as they are', () => {
    expect(evaluate('{% raw %}\n{{ a }}\n{% endraw %}', c)).toBe('\n{{ a }}\n');
  });
});

describe('isExpression', () => {
  it.each([
    ['<% 1 %>', true],
    ['a <% 1 %> b', true],
    ['{{ x }}', true],
    ['{% if x %}{% endif %}', true],
    ['plain', false],
    ['<% not closed', false],
    ['{ x }', false],
  ])('%j → %s', (text, expected) => {
    expect(isExpression(text)).toBe(expected);
  });
});

describe('extractVariableReferences', () => {
  it('finds ctx(x), ctx("x"), ctx(\'x\') and ctx().x in both syntaxes', () => {
    expect(extractVariableReferences('<% ctx(a) + ctx().b.c + ctx("d") %> and <% ctx(\'e\')[0] %>')).toEqual(['a', 'b', 'd', 'e']);
    expect(extractVariableReferences('{{ ctx("x") ~ ctx().y | upper }}')).toEqual(['x', 'y']);
    expect(extractVariableReferences('<% ctx().items.select($.x) %>')).toEqual(['items']);
    expect(extractVariableReferences('<% ctx() %> <% result().x %>')).toEqual([]);
    expect(extractVariableReferences('no ctx(a) outside expressions')).toEqual([]);
  });
});

describe('expressions from StackStorm example workflows', () => {
  const ex = makeContext({
    ctx: {
      name: 'Lakshmi',
      greeting: 'Hello',
      cmd: 'date',
      timeout: 30,
      tempfiles: ['/tmp/a', '/tmp/b', '/tmp/c'],
      members: ['a', 'b'],
      var1: 'x',
      task_name: 'task2',
      task_exit_code: 1,
    },
    result: { stdout: 'Lakshmi', stderr: '', return_code: 0 },
    item: { tempfile: '/tmp/a' },
  });

  it.each([
    ['<% ctx(name) %>', 'Lakshmi'],
    ['<% ctx().name %>', 'Lakshmi'],
    ['<% ctx("greeting") %>, <% result().stdout %>', 'Hello, Lakshmi'],
    ['<% ctx(greeting).toUpper() %>', 'HELLO'],
    ['<% ctx(cmd) %> timeout=<% ctx(timeout) %>', 'date timeout=30'],
    ['<% succeeded() %>', true],
    ['<% failed() %>', false],
    ["<% succeeded() and result().stdout = 'Lakshmi' %>", true],
    ['<% result().stdout %>', 'Lakshmi'],
    ['<% len(ctx(tempfiles)) %>', 3],
    ['<% len(ctx(tempfiles)) > 2 %>', true],
    ['<% item(tempfile) %>', '/tmp/a'],
    ['<% task(task1).result.stdout %>', 'hello'],
    ['<% task_status(task1) %>', 'succeeded'],
    ['<% task(task1).result.items.select($.result.stdout) %>', ['a', 'b']],
    ['<% task(get_approval).result.response.approved = true %>', true],
    ['<% not task(get_approval).result.response.containsKey("extra_output") and task(get_approval).result.response.approved = true %>', true],
    ['<% task().task_name %>', 'task1'],
    ['<% range(0, 4) %>', [0, 1, 2, 3]],
    ["<% 'prefix ' + str(item(tempfile)) %>", 'prefix /tmp/a'],
    ['<% str(random(1000000, 9999999)).len() %>', 7],
    ['<% ctx().task_name %> failed with exit code: <% ctx().task_exit_code %>', 'task2 failed with exit code: 1'],
    ["{{ ctx('name') }}", 'Lakshmi'],
    ['{{ ctx("greeting") }}, {{ result().stdout }}', 'Hello, Lakshmi'],
    ["{{ task('task1').result.stdout | upper }}", 'HELLO'],
    ['{{ ctx().tempfiles | length }}', 3],
    ['{{ task("task1").task_id }}', 'task1'],
    ['{{ succeeded() }}', true],
    ['{{ ctx("var1") == "x" }}', true],
    ['{{ ctx().tempfiles[0] }}', '/tmp/a'],
  ])('%s', (text, expected) => {
    expect(evaluate(text, ex)).toEqual(expected);
  });
});
