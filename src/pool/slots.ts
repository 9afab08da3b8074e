import { ValidationError } from '../model/errors.ts';

/**
 * A counting semaphore shared by every container of a stage: at most `limit` holders of a named
 * pool at once, each under a lease that its holder renews (a holder that dies frees its slot when
 * the lease runs out). The dispatcher runs every action child process, and every workflow engine
 * step, only while it holds a slot of its function's pool (st2's `actions_pool_size`,
 * `workflows_pool_size`); other pools (st2 `action.concurrency` policies) may use it the same way.
 * @example
 * if (await slots.acquire('actions', 60, executionId, 30_000)) {
 *   try { await run(); } finally { await slots.release('actions', executionId); }
 * }
 */
export interface SlotPool {
  /**
   * Takes one of `limit` slots of `pool` for `holder` (an execution id) for `leaseMs`; true when taken or already held by holder. Never lets more than `limit` unexpired holders exist.
   * `options.watched`: work is known to wait for a slot of `pool`, so the release of this one is counted (see `watch`).
   */
  acquire(pool: string, limit: number, holder: string, leaseMs: number, options?: AcquireOptions): Promise<boolean>;
  /** Extends holder's lease; false when holder no longer holds a slot (expired and taken). */
  renew(pool: string, holder: string, leaseMs: number): Promise<boolean>;
  /** Frees holder's slot, if it holds one. Idempotent. Resolves true when that slot was watched: work waited for the pool meanwhile. */
  release(pool: string, holder: string): Promise<boolean>;
  /** How many unexpired holders `pool` has now. */
  running(pool: string): Promise<number>;
  /**
   * A number that grows by one each time a holder releases a watched slot of `pool` (not when a lease just
   * runs out): one cheap read that tells work waiting for a slot whether a look at the pool may find one
   * freed since it last saw the number. Only watched slots count: a release nobody waits for costs no write.
   */
  releases(pool: string): Promise<number>;
  /**
   * Work waits for a slot of `pool`: the slots held now become watched (their releases are counted in
   * `releases` until they are taken again), as seen by the last look at the pool when it is fresh. Resolves
   * true when the pool moved meanwhile (a slot it saw held was freed or changed hands): look at it again now,
   * since that release may not have been counted.
   */
  watch(pool: string): Promise<boolean>;
}

export interface AcquireOptions {
  /** Count this slot's release in `releases`: work waits for the pool. @default false */
  watched?: boolean;
}

/** Pool names: what goes into a key, so short and plain. */
const POOL_NAME = /^[\w.:-]{1,200}$/;

/** Checks the arguments every implementation takes, with an error that says what was expected and what was given. */
export function checkSlotArguments(args: { pool: string; holder: string; limit?: number; leaseMs?: number }): void {
  const given = (value: unknown) => (typeof value === 'string' ? `"${value}"` : String(value));
  if (typeof args.pool !== 'string' || !POOL_NAME.test(args.pool)) {
    throw new ValidationError(`invalid slot pool: name - expected 1-200 letters, digits or "_.:-", got ${given(args.pool)}`);
  }
  if (typeof args.holder !== 'string' || args.holder.length === 0 || args.holder.length > 500) {
    throw new ValidationError(`invalid slot pool: holder of ${args.pool} - expected a non-empty string of at most 500 characters, got ${given(args.holder)}`);
  }
  if (args.limit !== undefined && (!Number.isInteger(args.limit) || args.limit < 1 || args.limit > 10_000)) {
    throw new ValidationError(`invalid slot pool: limit of ${args.pool} - expected an integer from 1 to 10000, got ${given(args.limit)}`);
  }
  if (args.leaseMs !== undefined && (!Number.isFinite(args.leaseMs) || args.leaseMs <= 0)) {
    throw new ValidationError(`invalid slot pool: lease of ${args.pool} - expected a number of milliseconds > 0, got ${given(args.leaseMs)}`);
  }
}

/** The items of `values` in a random order (Fisher-Yates): acquirers spread over the free slots instead of all racing for the first. */
export function shuffled<T>(values: readonly T[]): T[] {
  const out = [...values];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
