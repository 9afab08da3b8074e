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

  it('fails clearly when a template outputs a parameter without value', () => {
    expect(errorOf(() => resolveParameters(action('t.notype'), { n: 1 })).message).toMatch(
      /^invalid parameter: uses_opt - cannot render "\[\{\{ opt \}\}\]": .*"opt" has no value/,
    );
    expect(resolveParameters(action('t.notype'), { n: 1, opt: 'o' }).values.uses_opt).toBe('[o]');
  });
});
