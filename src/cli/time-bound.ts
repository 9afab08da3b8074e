import { UsageError } from './errors.ts';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A time bound of `execution list --since/--until`: an ISO date or date-time, or a duration ago (`30s`, `15m`, `2h`, `7d`).
 * @returns epoch milliseconds
 * @example parseTimeBound('--since', '2h', Date.now()) // two hours ago
 */
export function parseTimeBound(option: string, raw: string, now = Date.now()): number {
  const ago = /^(\d+)([smhd])$/.exec(raw.trim());
  if (ago) return now - Number(ago[1]) * UNIT_MS[ago[2]!]!;
  const at = /^\d{4}-\d{2}-\d{2}/.test(raw) ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(at)) {
    throw new UsageError(
      `bad time: ${option} ${raw} - expected an ISO date or date-time (2026-01-31, 2026-01-31T12:00:00Z) or a duration ago (30s, 15m, 2h, 7d)`,
    );
  }
  return at;
}

/** The page token `execution list` prints is the id of the last execution it listed (a ULID). */
export function parsePageToken(raw: string): string {
  if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(raw))
    throw new UsageError(`bad page token: --next ${raw} - expected the token a previous "execution list" printed (26 characters)`);
  return raw;
}
