import { describe, expect, it } from 'vitest';
import { parsePageToken, parseTimeBound } from '../../../src/cli/time-bound.ts';

const now = Date.parse('2026-03-01T12:00:00.000Z');

describe('execution list --since/--until', () => {
  it.each([
    ['30s', now - 30_000],
    ['15m', now - 15 * 60_000],
    ['2h', now - 2 * 3_600_000],
    ['7d', now - 7 * 86_400_000],
    ['2026-01-31', Date.parse('2026-01-31T00:00:00.000Z')],
    ['2026-01-31T12:30:00Z', Date.parse('2026-01-31T12:30:00.000Z')],
  ])('reads %s', (raw, expected) => expect(parseTimeBound('--since', raw, now)).toBe(expected));

  it.each(['yesterday', '5 minutes', '12:00', '2026-13-45'])('refuses %s, saying what it expected', (raw) => {
    expect(() => parseTimeBound('--until', raw, now)).toThrow(
      `bad time: --until ${raw} - expected an ISO date or date-time (2026-01-31, 2026-01-31T12:00:00Z) or a duration ago (30s, 15m, 2h, 7d)`,
    );
  });
});

describe('execution list --next', () => {
  it('takes an execution id (a ULID) and refuses anything else', () => {
    expect(parsePageToken('01M8RBK5BY7J0YDAQ513CM9TM0')).toBe('01M8RBK5BY7J0YDAQ513CM9TM0');
    expect(() => parsePageToken('abc')).toThrow('bad page token: --next abc - expected the token a previous "execution list" printed (26 characters)');
  });
});
