import { ActionRunnerError, NotFoundError } from '../model/errors.ts';

/** A request without a valid API key. The message never holds the key. */
export class UnauthorizedError extends ActionRunnerError {
  override name = 'UnauthorizedError';
}

/** A valid key asked for something it may not do (e.g. decrypt secrets). */
export class ForbiddenError extends ActionRunnerError {
  override name = 'ForbiddenError';
}

/** `apikey delete` of an id that does not exist. */
export class ApiKeyNotFoundError extends NotFoundError {
  override name = 'ApiKeyNotFoundError';
}
