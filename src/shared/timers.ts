/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Exponential back-off: `baseMs` doubled per attempt (0 for the first), at most `maxMs`.
 * @example backoffMs(3, 50, 1000) // 400
 */
export function backoffMs(attempt: number, baseMs: number, maxMs = Number.POSITIVE_INFINITY): number {
  return Math.min(maxMs, baseMs * 2 ** attempt);
}
