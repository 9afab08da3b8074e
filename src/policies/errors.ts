import { ValidationError } from '../model/errors.ts';

/** A policy's metadata file is invalid: that policy is not loaded (the pack's actions still are). */
export class InvalidPolicyMetadataError extends ValidationError {
  override name = 'InvalidPolicyMetadataError';
  readonly file: string;
  readonly field: string | undefined;

  constructor(file: string, field: string | undefined, detail: string, options: { cause?: unknown } = {}) {
    super(`invalid policy metadata: ${file} - ${field === undefined ? '' : `field "${field}": `}${detail}`, { cause: options.cause, context: { file, field } });
    this.file = file;
    this.field = field;
  }
}
