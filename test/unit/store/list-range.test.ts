import { decodeTime, ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { idRange } from '../../../src/store/list-range.ts';

const t = Date.parse('2026-03-01T12:00:00.000Z');

describe('idRange: since/until/before as bounds on the ULID sort key', () => {
  it('is no condition without bounds', () => expect(idRange({})).toBeUndefined());

  it('keeps ids created within [since, until] and leaves out those just outside', () => {
    const range = idRange({ since: t, until: t + 1000 })!;
    const { ':lo': lo, ':hi': hi } = range.values;
    const inside = (id: string) => id >= lo! && id <= hi!;
    expect(range.condition).toBe('#sk BETWEEN :lo AND :hi');
    expect(decodeTime(lo!)).toBe(t);
    expect([ulid(t), ulid(t + 500), ulid(t + 1000)].every(inside)).toBe(true);
    expect([ulid(t - 1), ulid(t + 1001)].some(inside)).toBe(false);
  });

  it('pages below `before` (newest first) when it is under the until bound', () => {
    const before = ulid(t);
    expect(idRange({ before })!.values).toEqual({ ':lo': '0', ':hi': before });
    expect(idRange({ before, until: t - 10_000 })!.values[':hi']).not.toBe(before);
  });
});
