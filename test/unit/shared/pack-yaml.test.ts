import { describe, expect, it } from 'vitest';
import { PackYamlError, parsePackYaml, readsAsNonString } from '../../../src/shared/pack-yaml.ts';

const value = (text: string) => (parsePackYaml(`v: ${text}\n`) as { v: unknown }).v;

describe('parsePackYaml reads what PyYAML safe_load reads', () => {
  it('a single-quoted scalar continued over less-indented lines (st2 example workflows)', () => {
    const text = ['output:', "  - piped: '{{", '        ctx("a") |', '        to_json_string()', "    }}'", ''].join('\n');
    expect(parsePackYaml(text)).toEqual({ output: [{ piped: '{{ ctx("a") | to_json_string() }}' }] });
  });

  it('a double-quoted scalar continued the same way', () => {
    expect(parsePackYaml('a:\n  - b: "x\n  y"\n')).toEqual({ a: [{ b: 'x y' }] });
  });

  it.each([
    ['yes', true],
    ['Yes', true],
    ['YES', true],
    ['no', false],
    ['on', true],
    ['ON', true],
    ['off', false],
    ['Off', false],
    ['True', true],
    ['FALSE', false],
    ['y', 'y'],
    ['n', 'n'],
  ])('YAML 1.1 boolean %s', (text, expected) => {
    expect(value(text)).toBe(expected);
  });

  it.each([
    ['0777', 511],
    ['-010', -8],
    ['0b101', 5],
    ['0x1F', 31],
    ['-0x1F', -31],
    ['1_000', 1000],
    ['+12', 12],
    ['0', 0],
    ['190:20:30', 685230],
    ['1:30', 90],
    ['09', '09'],
    ['0o17', '0o17'],
  ])('YAML 1.1 integer %s', (text, expected) => {
    expect(value(text)).toBe(expected);
  });

  it.each([
    ['1.5', 1.5],
    ['1.', 1],
    ['.5', 0.5],
    ['1.0e+3', 1000],
    ['1_0.5', 10.5],
    ['1:30.5', 90.5],
    ['.inf', Infinity],
    ['-.Inf', -Infinity],
    // PyYAML's float needs a dot, and a signed exponent
    ['1e3', '1e3'],
    ['1.5e3', '1.5e3'],
  ])('YAML 1.1 float %s', (text, expected) => {
    expect(value(text)).toBe(expected);
  });

  it('NaN', () => expect(value('.nan')).toBeNaN());

  it.each([['~'], ['null'], ['Null'], ['NULL'], ['']])('null %j', (text) => {
    expect(value(text)).toBeNull();
  });

  it('keeps a timestamp as the text written (JSON data has no date)', () => {
    expect(value('2001-12-14')).toBe('2001-12-14');
    expect(value('2001-12-14 21:59:43.10 -5')).toBe('2001-12-14 21:59:43.10 -5');
  });

  it('a repeated key keeps its last value', () => {
    expect(parsePackYaml('a: 1\na: 2\n')).toEqual({ a: 2 });
  });

  it('merge keys', () => {
    expect(parsePackYaml('base: &b {x: 1, y: 2}\nthis:\n  <<: *b\n  y: 3\n')).toEqual({ base: { x: 1, y: 2 }, this: { x: 1, y: 3 } });
  });

  it('an empty document is null', () => {
    expect(parsePackYaml('')).toBeNull();
    expect(parsePackYaml('# nothing\n')).toBeNull();
  });

  it('quoted scalars stay strings', () => {
    expect(parsePackYaml('a: \'yes\'\nb: "0777"\n')).toEqual({ a: 'yes', b: '0777' });
  });
});

describe('parsePackYaml refuses what PyYAML safe_load refuses', () => {
  it.each([
    ['a plain `=` (tag:yaml.org,2002:value has no safe constructor)', 'v: =\n', /tag:yaml.org,2002:value/],
    ['an unknown escape in a double-quoted scalar', 'v: "\\d"\n', /unknown escape/],
    ['two documents', 'a: 1\n---\nb: 2\n', /single document/],
    ['an unclosed quote', "v: 'abc\n", /.+/],
  ])('%s', (_what, text, message) => {
    expect(() => parsePackYaml(text)).toThrow(PackYamlError);
    expect(() => parsePackYaml(text)).toThrow(message);
  });

  it('more aliases to collections than allowed (a billion laughs)', () => {
    const levels = [
      'a: &a [x, x, x]',
      ...Array.from(
        { length: 6 },
        (_, i) =>
          `l${i + 1}: &l${i + 1} [${Array(9)
            .fill(i === 0 ? '*a' : `*l${i}`)
            .join(', ')}]`,
      ),
    ];
    expect(() => parsePackYaml(levels.join('\n'))).toThrow('too many aliases: more than 50');
    expect(parsePackYaml('a: &a [1]\nb: *a\n', { maxAliases: 1 })).toEqual({ a: [1], b: [1] });
    expect(() => parsePackYaml('a: &a [1]\nb: *a\nc: *a\n', { maxAliases: 1 })).toThrow(PackYamlError);
  });
});

describe('readsAsNonString: what a YAML writer must quote for PyYAML', () => {
  it.each(['yes', 'Off', '0777', '1:30', '1_000', '1.5', '~', '', 'null', '2001-12-14', '=', '<<'])('%j', (text) => {
    expect(readsAsNonString(text)).toBe(true);
  });

  it.each(['y', 'n', '1e3', 'hello', '09', 'yes please'])('not %j', (text) => {
    expect(readsAsNonString(text)).toBe(false);
  });
});
