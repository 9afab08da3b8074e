import { describe, expect, it } from 'vitest';
import { CappedText } from '../../../src/process/capture.ts';
import { LineChunker } from '../../../src/process/lines.ts';
import { splitAtBytes } from '../../../src/shared/utf8.ts';

describe('LineChunker', () => {
  it('coalesces whole lines and holds a partial one', () => {
    const chunker = new LineChunker(1024);
    expect(chunker.push('a\nb\nc')).toEqual(['a\nb\n']);
    expect(chunker.push('d\n')).toEqual(['cd\n']);
    expect(chunker.push('tail')).toEqual([]);
    expect(chunker.end()).toEqual(['tail']);
    expect(chunker.end()).toEqual([]);
  });

  it('cuts coalesced lines at line ends within the limit', () => {
    const chunker = new LineChunker(8);
    expect(chunker.push('aaa\nbbb\nccc\n')).toEqual(['aaa\nbbb\n', 'ccc\n']);
  });

  it('passes a long line in pieces without splitting characters', () => {
    const chunker = new LineChunker(8);
    const pieces = [...chunker.push('€€€€€'), ...chunker.end()];
    expect(pieces.join('')).toBe('€€€€€');
    for (const piece of pieces) expect(Buffer.byteLength(piece)).toBeLessThanOrEqual(8);
    expect(pieces[0]).toBe('€€');
  });

  it('rejects a limit too small for a character', () => {
    expect(() => new LineChunker(3)).toThrow('invalid maxBytes: expected an integer >= 4, got 3');
  });
});

describe('splitAtBytes and CappedText', () => {
  it('splits at a character boundary', () => {
    expect(splitAtBytes('a€b', 2)).toEqual(['a', '€b']);
    expect(splitAtBytes('a€b', 4)).toEqual(['a€', 'b']);
    expect(splitAtBytes('€', 2)).toEqual(['', '€']);
  });

  it('keeps the first bytes and flags truncation', () => {
    const capped = new CappedText(5);
    capped.append('abc');
    capped.append('de');
    expect(capped.truncated).toBe(false);
    capped.append('f');
    expect(capped.toString()).toBe('abcde');
    expect(capped.truncated).toBe(true);
  });
});
