/**
 * Errors of template evaluation. A template reached outside the sandbox (a JavaScript
 * built-in, a host object, an unregistered function, a tag that is not allowed): the
 * message reads "sandbox: <subject> - <what is allowed>".
 */
export class SandboxError extends Error {
  override name = 'SandboxError';
  constructor(
    /** What the template tried to reach: a name, a tag, a value's kind. */
    readonly subject: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`sandbox: ${subject} - ${detail}`, options);
  }
}
