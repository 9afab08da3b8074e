import { ConflictError } from '../model/errors.ts';
import type { Execution } from '../model/execution.ts';

/** A status change lost its condition: `current` is the record as it was (undefined when it does not exist). */
export class TransitionConflictError extends ConflictError {
  override name = 'TransitionConflictError';
  constructor(
    message: string,
    readonly current: Execution | undefined,
  ) {
    super(message, { context: { executionId: current?.id, status: current?.status } });
  }
}

/**
 * The record a lost conditional write found (someone else moved it first); any other error is rethrown.
 * @example try { await store.claim(id, owner, ms) } catch (error) { judge(recordOf(error)) }
 */
export function recordOf(error: unknown): Execution {
  if (error instanceof TransitionConflictError && error.current) return error.current;
  throw error;
}
