import { ActionRunnerError, NotFoundError, ValidationError } from '../model/errors.ts';

/** Base of the dead-letter queue's own errors (what `actionrunner dlq ...` refuses, and why). */
export class DeadLetterError extends ActionRunnerError {
  override name = 'DeadLetterError';
}

/** A message id that is on none of the dead-letter queues looked at (exit status 2). */
export class UnknownDeadLetterError extends NotFoundError {
  override name = 'UnknownDeadLetterError';
}

/** A queue name other than `actions` or `workflows` (exit status 2). */
export class InvalidQueueError extends ValidationError {
  override name = 'InvalidQueueError';
}

/** `redrive --all` on dead-letter queues that hold nothing (exit status 1: nothing was done). */
export class EmptyDeadLetterQueueError extends DeadLetterError {
  override name = 'EmptyDeadLetterQueueError';
}

/** A message whose body can never be processed: redriving it would only send it straight back (exit status 1). */
export class NotRedrivableError extends DeadLetterError {
  override name = 'NotRedrivableError';
}
