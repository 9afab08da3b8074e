import { describe, expect, it } from 'vitest';
import { parseResultBlock, RESULT_DELIMITER, ResultBlockFilter } from '../../../src/runners/result-block.ts';

const stream = `before\npartial${RESULT_DELIMITER}{"result": 1, "status": null}\n${RESULT_DELIMITER}after\n`;

describe('ResultBlockFilter', () => {
  it('removes the block whatever the chunk boundaries', () => {
    for (const size of [1, 2, 3, 7, 33, 34, 1000]) {
      const filter = new ResultBlockFilter();
      let out = '';
      for (let i = 0; i < stream.length; i += size) out += filter.push(stream.slice(i, i + size));
      out += filter.end();
      expect(out).toBe('before\npartialafter\n');
      expect(parseResultBlock(filter.resultText)).toEqual({ result: 1, status: null });
    }
  });

  it('gives an unterminated block back as output', () => {
    const filter = new ResultBlockFilter();
    const text = `x${RESULT_DELIMITER}{"result"`;
    expect(filter.push(text) + filter.end()).toBe(text);
    expect(filter.resultText).toBeUndefined();
  });

  it('passes text that only looks like the start of a delimiter', () => {
    const filter = new ResultBlockFilter();
    expect(filter.push('100%%') + filter.push('%\n') + filter.end()).toBe('100%%%\n');
  });
});
