import { ValidationError } from '../model/errors.ts';

/** An action's metadata file is invalid: the pack cannot be loaded. */
export class InvalidActionMetadataError extends ValidationError {
  override name = 'InvalidActionMetadataError';
  readonly file: string;
  readonly field: string | undefined;

  constructor(file: string, field: string | undefined, detail: string, options: { cause?: unknown } = {}) {
    super(`invalid action metadata: ${file} - ${field === undefined ? '' : `field "${field}": `}${detail}`, {
      cause: options.cause,
      context: { file, field },
    });
    this.file = file;
    this.field = field;
  }
}

/**
 * Parameters given for an execution are wrong (unknown, immutable, missing, mistyped) or the
 * action's templates cannot be rendered with them (cycle, unknown name).
 */
export class InvalidParameterError extends ValidationError {
  override name = 'InvalidParameterError';
  readonly parameter: string | undefined;

  constructor(message: string, options: { parameter?: string; action?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause, context: { parameter: options.parameter, action: options.action } });
    this.parameter = options.parameter;
  }
}

/** `invalid parameter: <name> - <detail>`, st2-like. */
export function invalidParameter(name: string, detail: string, action?: string): InvalidParameterError {
  return new InvalidParameterError(`invalid parameter: ${name} - ${detail}`, { parameter: name, action });
}
