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
