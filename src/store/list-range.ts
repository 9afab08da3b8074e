import { encodeTime } from 'ulid';

/** The part of a listing that bounds the index's sort key (`id`, a ULID: its first 10 characters are its creation time). */
export interface IdRangeOptions {
  /** Created at or after (epoch ms). */
  since?: number;
  /** Created at or before (epoch ms). */
  until?: number;
  /** Ids below this one only: the page after an execution listed newest first (it is not repeated). */
  before?: string;
}

const ULID_RANDOM_LENGTH = 16;

/**
 * A key condition on `#sk` for the since/until/before bounds, or undefined when none is set. `before` is
 * inclusive here (BETWEEN is): the caller drops the execution of that id.
 * @example idRange({ since: Date.parse('2026-01-01') }) // { condition: '#sk BETWEEN :lo AND :hi', values: { ':lo': '01KDW...0000', ':hi': '~' } }
 */
export function idRange(options: IdRangeOptions): { condition: string; values: Record<string, string> } | undefined {
  if (options.since === undefined && options.until === undefined && options.before === undefined) return undefined;
  const lo = options.since === undefined ? '0' : encodeTime(Math.max(0, options.since), 10) + '0'.repeat(ULID_RANDOM_LENGTH);
  const untilBound = options.until === undefined ? '~' : encodeTime(Math.max(0, options.until), 10) + 'Z'.repeat(ULID_RANDOM_LENGTH);
  const hi = options.before !== undefined && options.before < untilBound ? options.before : untilBound;
  return { condition: '#sk BETWEEN :lo AND :hi', values: { ':lo': lo, ':hi': hi } };
}
