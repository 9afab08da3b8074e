import { ActionRunnerError, NotFoundError, ValidationError } from '../model/errors.ts';

/** The command line is wrong: exit status 2, one line saying what was expected. */
export class UsageError extends ActionRunnerError {
  override name = 'UsageError';
}

/** Exit statuses of the CLI. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Usage errors, and the service's refusals of what the user typed (unknown action, invalid parameter, unknown execution). */
export function isUsageError(error: unknown): boolean {
  return error instanceof UsageError || error instanceof ValidationError || error instanceof NotFoundError;
}

/** `tail`/`run` gave up on an execution whose runner is gone (its lease expired long ago): exit status 1. */
export class StaleExecutionError extends ActionRunnerError {
  override name = 'StaleExecutionError';
}

/** `execution cancel` of an execution that had already ended: nothing was done, exit status 1. */
export class AlreadyEndedError extends ActionRunnerError {
  override name = 'AlreadyEndedError';
}

/** `actionrunner local` in a folder where another one runs: refused, exit status 2. */
export class AlreadyRunningError extends UsageError {
  override name = 'AlreadyRunningError';
}
