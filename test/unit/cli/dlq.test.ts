import { describe, expect, it } from 'vitest';
import { printable } from '../../../src/cli/commands/dlq.ts';

describe('printable', () => {
  it('shows control characters of a hostile body as escapes, never raw', () => {
    expect(printable('a\u001b[2Jb\u009b31m\u0007')).toBe('a\\u001b[2Jb\\u009b31m\\u0007');
    expect(printable('one\ntwo\tthree')).toBe('one\ntwo\tthree');
    expect(printable('one\ntwo\tthree', true)).toBe('one\\u000atwo\\u0009three');
  });
});
