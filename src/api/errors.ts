import { ZodError } from 'zod';
import { ForbiddenError, UnauthorizedError } from '../auth/errors.ts';
import { DatastoreCryptoError } from '../datastore/errors.ts';
import { DeadLetterError } from '../dlq/errors.ts';
import { ActionRunnerError, ConflictError, NotFoundError, ValidationError } from '../model/errors.ts';

/** An error with its HTTP status and machine code, raised by the API itself (bad path, too large a body...). */
export class ApiError extends ActionRunnerError {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The error body every failure has: st2's `faultstring`, plus a stable machine code. */
export interface ErrorBody {
  faultstring: string;
  code: string;
}

/** `field: message; field: message` from a zod error, for `what` (the request body, the query). */
export function describeZodError(error: ZodError, what: string): string {
  const issues = error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(whole)'}: ${issue.message}`);
  return `invalid ${what}: ${issues.join('; ')}`;
}

/**
 * The status and body of an error: the project's errors keep their message (they name what was expected and
 * what was given); anything else is a 500 whose detail stays in the log, not in the answer.
 */
export function errorResponse(error: unknown): { status: number; body: ErrorBody; internal: boolean } {
  const as = (status: number, code: string, faultstring: string) => ({ status, body: { faultstring, code }, internal: false });
  if (error instanceof ApiError) return as(error.status, error.code, error.message);
  if (error instanceof UnauthorizedError) return as(401, 'unauthorized', error.message);
  if (error instanceof ForbiddenError) return as(403, 'forbidden', error.message);
  if (error instanceof NotFoundError) return as(404, 'not_found', error.message);
  if (error instanceof ConflictError) return as(409, 'conflict', error.message);
  if (error instanceof ZodError) return as(400, 'invalid_request', describeZodError(error, 'request'));
  if (error instanceof ValidationError) return as(400, 'invalid_request', error.message);
  // An empty DLQ, a message that can never be processed, a secret this stage cannot decrypt: the state forbids it.
  if (error instanceof DeadLetterError || error instanceof DatastoreCryptoError) return as(409, 'conflict', error.message);
  return { status: 500, body: { faultstring: 'internal error: see the API function log', code: 'internal' }, internal: true };
}
