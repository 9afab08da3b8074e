import { ActionRunnerError } from '../model/errors.ts';

/** The message cannot be processed, now or ever: it goes to the dead-letter queue with this reason. */
export class PoisonMessageError extends ActionRunnerError {
  override name = 'PoisonMessageError';
}

/** The record must come back later, not be deleted: its execution is held under a live lease that may belong to a dead runner. */
export class RetryLaterError extends ActionRunnerError {
  override name = 'RetryLaterError';
  constructor(
    message: string,
    readonly afterSeconds: number,
  ) {
    super(message);
  }
}

/** One batch error per failed record, thrown when every record of a batch failed. */
export class BatchProcessingError extends ActionRunnerError {
  override name = 'BatchProcessingError';
  constructor(readonly errors: Error[]) {
    super(`batch failed: all ${errors.length} records - ${errors.map((error) => error.message).join('; ')}`);
  }
}
