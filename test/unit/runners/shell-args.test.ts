import { describe, expect, it } from 'vitest';
import { scriptArguments, serializePositional } from '../../../src/runners/shell-args.ts';
import { stripShellChars, tryLoads } from '../../../src/runners/shell-result.ts';

describe('st2 positional serialisation', () => {
  it("serialises st2's sample values", () => {
    const specs = {
      p1: { type: 'string' as const, position: 0 },
      p2: { type: 'integer' as const, position: 1 },
      p3: { type: 'number' as const, position: 2 },
      p4: { type: 'boolean' as const, position: 3 },
      p5: { type: 'array' as const, position: 4 },
      p6: { type: 'object' as const, position: 5 },
    };
    const values = { p1: 'test string', p2: 1, p3: 2.55, p4: true, p5: ['a', 'b', 'c'], p6: { foo: 'bar' } };
    expect(scriptArguments(specs, values)).toEqual(['test string', '1', '2.55', '1', 'a,b,c', '{"foo":"bar"}']);
  });

  it('maps false to 0, null and missing to empty, empty collections to empty', () => {
    expect(serializePositional('boolean', false)).toBe('0');
    expect(serializePositional('string', null)).toBe('');
    expect(serializePositional('array', [])).toBe('');
    expect(serializePositional('object', {})).toBe('');
    expect(serializePositional('integer', 0)).toBe('0');
    expect(serializePositional('array', [1, true, null])).toBe('1,True,None');
  });

  it('sorts positional arguments by position, not by declaration', () => {
    const specs = { b: { position: 1 }, a: { position: 0 }, c: { position: 2 } };
    expect(scriptArguments(specs, { a: 'A', b: 'B' })).toEqual(['A', 'B', '']);
  });
});

describe('st2 named serialisation', () => {
  it('emits kwarg_op name=value, bare flags for true, nothing for false/null/empty', () => {
    const specs = { pos: { type: 'string' as const, position: 0 } };
    const values = { pos: 'p', name: 'x y', count: 3, verbose: true, quiet: false, empty: '', none: null, list: [1, 2], obj: { k: 'v' } };
    expect(scriptArguments(specs, values)).toEqual(['--name=x y', '--count=3', '--verbose', '--list=[1,2]', '--obj={"k":"v"}', 'p']);
    expect(scriptArguments({}, { name: 'v', flag: true }, '-')).toEqual(['-name=v', '-flag']);
  });
});

describe('st2 output helpers', () => {
  it('strips one trailing newline (then one \\r)', () => {
    expect(stripShellChars('a\n\n')).toBe('a\n');
    expect(stripShellChars('a\r\n')).toBe('a');
    expect(stripShellChars('a')).toBe('a');
  });

  it('parses JSON, keeps other text', () => {
    expect(tryLoads('10')).toBe(10);
    expect(tryLoads('{"a":[1]}')).toEqual({ a: [1] });
    expect(tryLoads('true')).toBe(true);
    expect(tryLoads('hello')).toBe('hello');
    expect(tryLoads('')).toBe('');
  });
});
