import { describe, expect, it } from 'vitest';
import { castParameters, castValue } from '../../../src/actions/index.ts';

const action = {
  parameters: {
    count: { type: 'integer' as const },
    ratio: { type: 'number' as const },
    flag: { type: 'boolean' as const },
    list: { type: 'array' as const },
    ints: { type: 'array' as const, items: { type: 'integer' } },
    obj: { type: 'object' as const },
    nothing: { type: 'null' as const },
    text: { type: 'string' as const },
  },
};

describe('castParameters', () => {
  it('casts CLI strings to the declared types', () => {
    expect(
      castParameters(action, {
        count: '42',
        ratio: '1.5',
        flag: 'YES',
        list: 'a, b,c',
        ints: '1,2',
        obj: '{"a":1}',
        nothing: 'null',
        text: '007',
        other: 'x',
      }),
    ).toEqual({ count: 42, ratio: 1.5, flag: true, list: ['a', 'b', 'c'], ints: [1, 2], obj: { a: 1 }, nothing: null, text: '007', other: 'x' });
  });

  it('accepts every boolean word, any case', () => {
    for (const word of ['true', 'True', '1', 'yes', 'YES']) expect(castValue('flag', action.parameters.flag, word)).toBe(true);
    for (const word of ['false', 'FALSE', '0', 'no', 'No']) expect(castValue('flag', action.parameters.flag, word)).toBe(false);
  });

  it('parses JSON arrays and leaves non-strings alone', () => {
    expect(castValue('list', action.parameters.list, '["a,b", 1]')).toEqual(['a,b', 1]);
    expect(castValue('count', action.parameters.count, 5)).toBe(5);
    expect(castValue('list', action.parameters.list, '')).toEqual([]);
  });

  it('says what was expected and what was given', () => {
    expect(() => castParameters(action, { count: 'abc' })).toThrow('invalid parameter: count - expected an integer, got "abc"');
    expect(() => castParameters(action, { count: '1.5' })).toThrow('invalid parameter: count - expected an integer, got "1.5"');
    expect(() => castParameters(action, { ratio: 'x' })).toThrow('invalid parameter: ratio - expected a number, got "x"');
    expect(() => castParameters(action, { flag: 'maybe' })).toThrow('invalid parameter: flag - expected a boolean (true/false/1/0/yes/no), got "maybe"');
    expect(() => castParameters(action, { obj: '[1]' })).toThrow('invalid parameter: obj - expected an object, got "[1]"');
    expect(() => castParameters(action, { obj: '{oops' })).toThrow('invalid parameter: obj - expected an object (JSON), got "{oops"');
    expect(() => castParameters(action, { list: '[1' })).toThrow('invalid parameter: list - expected an array (JSON), got "[1"');
    expect(() => castParameters(action, { ints: '1,x' })).toThrow('invalid parameter: ints[1] - expected an integer, got "x"');
    expect(() => castParameters(action, { nothing: 'x' })).toThrow('invalid parameter: nothing - expected null, got "x"');
  });
});
