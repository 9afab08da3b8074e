/** Base of every error this project raises on purpose. Messages read "reason: subject - detail". */
export class ActionRunnerError extends Error {
  override name = 'ActionRunnerError';
  readonly context: Record<string, unknown>;

  constructor(message: string, options: { cause?: unknown; context?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.context = options.context ?? {};
  }
}

/** Input from a user or producer is wrong; retrying will not help. */
export class ValidationError extends ActionRunnerError {
  override name = 'ValidationError';
}

/** The named thing does not exist (action, execution, pack). */
export class NotFoundError extends ActionRunnerError {
  override name = 'NotFoundError';
}

/** A conditional write lost: the record was not in the state the caller expected. */
export class ConflictError extends ActionRunnerError {
  override name = 'ConflictError';
}
