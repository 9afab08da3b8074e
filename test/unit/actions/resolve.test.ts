import { afterAll, describe, expect, it } from 'vitest';
import { InvalidParameterError, loadActions, maskSecrets, resolveParameters } from '../../../src/actions/index.ts';
import { PacksFixture } from './pack-fixture.ts';

const packs = new PacksFixture();
packs.pack('t', {
  'actions/typed.yaml': `
name: typed
runner_type: noop
parameters:
  count: { type: integer, default: 2 }
  ratio: { type: number }
  flag: { type: boolean, default: false }
  level: { type: string, enum: [low, high], default: low }
  tags: { type: array, items: { type: string } }
  opts: { type: object }
  name: { type: string, required: true }
  fixed: { type: string, default: constant, immutable: true }
  password: { type: string, secret: true }
  small: { type: integer, minimum: 1 }
`,
  'actions/chain.yaml': `
name: chain
runner_type: noop
parameters:
  message: { type: string, default: hi }
  greeting: { type: string, default: "{{ message }}, {{ who | default('world') }}" }
  who: { type: string }
  shout: { type: string, default: "{{ greeting | upper }}!" }
  copies: { type: integer, default: 3 }
  times: { type: integer, default: "{{ copies }}" }
  doubled: { type: integer, default: "{{ copies * 2 }}" }
  data: { type: object, default: { text: "{{ message }}", n: "{{ copies }}" } }
  listing: { type: array, default: ["{{ message }}", "static"] }
  loop: { type: string, default: "{% for i in range(copies) %}{{ i }}{% endfor %}" }
`,
  'actions/cycle.yaml': `
name: cycle
runner_type: noop
parameters:
  a: { type: string, default: "{{ b }}" }
  b: { type: string, default: "{{ c }}" }
  c: { type: string, default: "x{{ a }}" }
  d: { type: string, default: "{{ d }}" }
`,
  'actions/typo.yaml': `
name: typo
runner_type: local-shell-cmd
parameters:
  message: { type: string, required: true }
  cmd: { default: 'echo "{{mesage}}"', immutable: true }
`,
  'actions/kv.yaml': `
name: kv
runner_type: noop
parameters:
  token: { type: string, default: "{{ st2kv.system.token }}" }
`,
  'actions/badsyntax.yaml': `
name: badsyntax
runner_type: noop
parameters:
  a: { type: string, default: "{{ oops " }
`,
  'actions/py.yaml': String.raw`
name: py
runner_type: noop
parameters:
  opt: { type: string }
  items: { type: array, default: [] }
  missing: { type: boolean }
  given: { type: string, default: "{% if opt is defined %}yes: {{ opt }}{% else %}no{% endif %}" }
  constants: { type: string, default: "{{ '%s-%s-%s' % (None, True, False) }}" }
  same: { type: boolean, default: "{{ None is none and opt is not defined }}" }
  pieces: { type: string, default: "{{ 'a.b.c'.split('.')[1] }}|{{ 'abc'[2:] }}|{{ '%-3s%03d' % ('%', 7) }}|{{ '{k}={0}'.format(1, k='x') }}" }
  regex: { type: string, default: '{{ "v1.22" | regex_replace("\d+", "#") }}' }
  st2: { type: string, default: "{{ ['a'] | to_json_string }}|{{ '1.2.3' | version_bump_patch }}|{{ '/x/file' | basename }}" }
  truthy: { type: string, default: "{% if items %}some{% else %}empty{% endif %}" }
  filters: { type: string, default: "{{ {'a': [1]} | to_complex }}|{{ 'say \"hi\"' | json_escape }}|{{ '12:30' | regex_substring('(\\d+):') }}|{{ 3700 | to_human_time_from_seconds }}|{{ '{\"k\": 1}' | from_json_string | to_yaml_string | trim }}|{{ 'yes' if '1.2.3' | version_match('>1.0.0') else 'no' }}" }
  whole: { type: string, default: "{{ opt }}" }
  bad: { type: string, default: "{{ items.nope if missing else '' }}" }
`,
  'actions/notype.yaml': `
name: notype
runner_type: noop
parameters:
  n: { type: integer, default: "{{ word }}" }
  word: { type: string, default: abc }
  opt: { type: string }
  uses_opt: { type: string, default: "[{{ opt }}]" }
`,
});
const catalog = loadActions({ packsDir: null, packsPaths: [packs.dir] });
const action = (ref: string) => catalog.getRunnable(ref);
afterAll(() => packs.remove());

function errorOf(fn: () => unknown): InvalidParameterError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidParameterError);
    return error as InvalidParameterError;
  }
  throw new Error('expected an InvalidParameterError');
}

describe('resolveParameters: validation', () => {
  it('applies defaults and casts given strings', () => {
    const { values } = resolveParameters(action('t.typed'), { name: 'n', count: '5', flag: 'yes', tags: 'a,b', opts: '{"k":1}' });
    expect(values).toEqual({ name: 'n', count: 5, flag: true, level: 'low', fixed: 'constant', tags: ['a', 'b'], opts: { k: 1 } });
  });

  it('names an unknown parameter and lists the allowed ones', () => {
    expect(errorOf(() => resolveParameters(action('t.typed'), { name: 'n', nmae: 'x' })).message).toBe(
      'invalid parameter: nmae - unknown parameter for t.typed (allowed: count, ratio, flag, level, tags, opts, name, password, small)',
    );
  });

  it('refuses an immutable parameter', () => {
    const error = errorOf(() => resolveParameters(action('t.typed'), { name: 'n', fixed: 'other' }));
    expect(error.message).toBe('invalid parameter: fixed - is immutable in t.typed and cannot be given');
    expect(error.parameter).toBe('fixed');
  });

  it('refuses an env parameter that sets a shell start-up variable (BASH_ENV, BASH_FUNC_*...), naming them', () => {
    const local = loadActions().getRunnable('core.local');
    expect(errorOf(() => resolveParameters(local, { cmd: 'true', env: { BASH_ENV: '/tmp/x', 'BASH_FUNC_ls%%': '() { :; }', OK: '1' } })).message).toBe(
      'invalid parameter: env - cannot set BASH_ENV, BASH_FUNC_ls%%: shell start-up variables (BASH_ENV, ENV, SHELLOPTS, BASHOPTS, PS4, BASH_FUNC_*) make the shell run code before the command',
    );
    expect(resolveParameters(local, { cmd: 'true', env: { OK: '1' } }).values.env).toEqual({ OK: '1' });
  });

  it('requires required parameters', () => {
    expect(errorOf(() => resolveParameters(action('t.typed'), {})).message).toBe('invalid parameter: name - is required by t.typed but was not given');
    expect(errorOf(() => resolveParameters(action('t.typed'), { name: null })).message).toBe(
      'invalid parameter: name - is required by t.typed but has no value',
    );
  });

  it('checks enums and JSON-schema types', () => {
    expect(errorOf(() => resolveParameters(action('t.typed'), { name: 'n', level: 'mid' })).message).toBe(
      'invalid parameter: level - expected one of "low", "high", got "mid"',
    );
    expect(errorOf(() => resolveParameters(action('t.typed'), { name: 'n', count: 1.5 })).message).toBe(
      'invalid parameter: count - expected an integer, got 1.5',
    );
    expect(errorOf(() => resolveParameters(action('t.typed'), { name: 7 })).message).toBe('invalid parameter: name - expected a string, got 7');
    expect(errorOf(() => resolveParameters(action('t.typed'), { name: 'n', tags: [1] })).message).toBe(
      'invalid parameter: tags - value at /0 must be string, got [1]',
    );
    expect(errorOf(() => resolveParameters(action('t.typed'), { name: 'n', small: 0 })).message).toBe('invalid parameter: small - value must be >= 1, got 0');
    expect(errorOf(() => resolveParameters(action('t.typed'), { name: 'n', count: 'abc' })).message).toBe(
      'invalid parameter: count - expected an integer, got "abc"',
    );
  });

  it('lists secret parameters, for masking', () => {
    const { values, secretNames } = resolveParameters(action('t.typed'), { name: 'n', password: 's3cret' });
    expect(secretNames).toEqual(['password']);
    expect(maskSecrets(values, secretNames)).toMatchObject({ name: 'n', password: '********' });
    expect(resolveParameters(catalog.get('t.typed')!, { name: 'n' }).secretNames).toEqual([]);
  });

  it('never shows a secret value in an error', () => {
    expect(errorOf(() => resolveParameters(action('t.typed'), { name: 'n', password: { leaked: 'hunter2-SECRET' } })).message).toBe(
      'invalid parameter: password - expected a string, got a secret object (value not shown)',
    );
  });
});

describe('resolveParameters: Jinja rendering of defaults', () => {
  it('renders over the dependency graph, with filters, and casts back to the parameter type', () => {
    const { values } = resolveParameters(action('t.chain'), {});
    expect(values).toMatchObject({
      greeting: 'hi, world',
      shout: 'HI, WORLD!',
      times: 3,
      doubled: 6,
      data: { text: 'hi', n: 3 },
      listing: ['hi', 'static'],
      loop: '012',
    });
  });

  it('uses given values in the templates of other parameters', () => {
    const { values } = resolveParameters(action('t.chain'), { message: 'yo', who: 'Ann', copies: '2' });
    expect(values).toMatchObject({ greeting: 'yo, Ann', shout: 'YO, ANN!', times: 2, doubled: 4, loop: '01' });
  });

  it('keeps given values literal: a caller cannot run template code', () => {
    const { values } = resolveParameters(action('t.chain'), { message: '{{ 7*7 }}', greeting: '{% for x in range(3) %}{{ x }}{% endfor %}' });
    expect(values.message).toBe('{{ 7*7 }}');
    expect(values.greeting).toBe('{% for x in range(3) %}{{ x }}{% endfor %}');
    expect(values.shout).toBe('{% FOR X IN RANGE(3) %}{{ X }}{% ENDFOR %}!');
  });

  it('reports cycles with their path', () => {
    expect(errorOf(() => resolveParameters(action('t.cycle'), {})).message).toBe('cyclic parameter references: a -> b -> c -> a');
    expect(errorOf(() => resolveParameters(action('t.cycle'), { a: 'x', b: 'y', c: 'z' })).message).toBe('cyclic parameter references: d -> d');
    expect(resolveParameters(action('t.cycle'), { a: 'x', b: 'y', c: 'z', d: 'w' }).values).toEqual({ a: 'x', b: 'y', c: 'z', d: 'w' });
  });

  it('reports unknown names, st2kv, bad syntax and failed casts', () => {
    expect(errorOf(() => resolveParameters(action('t.typo'), { message: 'hi' })).message).toBe('parameter "cmd" references unknown name "mesage"');
    expect(errorOf(() => resolveParameters(action('t.kv'), {})).message).toBe('parameter "token" references "st2kv": the datastore is not available here');
    expect(errorOf(() => resolveParameters(action('t.badsyntax'), {})).message).toMatch(
      /^invalid parameter: a - invalid template "\{\{ oops ": .*expected variable end/,
    );
    expect(errorOf(() => resolveParameters(action('t.notype'), {})).message).toBe('invalid parameter: n - expected an integer, got "abc"');
  });

  it('renders an optional parameter nobody gave as empty (st2: None), and fails clearly on a missing key', () => {
    expect(resolveParameters(action('t.notype'), { n: 1 }).values.uses_opt).toBe('[]');
    expect(resolveParameters(action('t.notype'), { n: 1, opt: 'o' }).values.uses_opt).toBe('[o]');
    expect(errorOf(() => resolveParameters(action('t.py'), { missing: true })).message).toMatch(
      /^invalid parameter: bad - cannot render .*an expression has no value/,
    );
  });

  it('speaks st2 Jinja: is defined, None/True/False, Python methods, formatting, slices, escapes, st2 filters', () => {
    const { values } = resolveParameters(action('t.py'), {});
    expect(values).toMatchObject({
      given: 'no',
      constants: 'None-True-False',
      same: true,
      pieces: 'b|c|%  007|x=1',
      regex: 'v#.#',
      st2: '["a"]|1.2.4|file',
      truthy: 'empty',
      // json_escape strips every quote at the ends, as Python's str.strip('"') does in st2
      filters: '{"a": [1]}|say \\"hi\\|12|1h1m40s|k: 1|yes',
      whole: null,
    });
    expect(resolveParameters(action('t.py'), { opt: 'x', items: ['a'] }).values).toMatchObject({ given: 'yes: x', truthy: 'some', whole: 'x' });
  });
});
