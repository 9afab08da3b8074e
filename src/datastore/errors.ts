import { ActionRunnerError, NotFoundError, ValidationError } from '../model/errors.ts';

/** Bad datastore input (a key name, scope, TTL or value): says what was expected and what was given. */
export class InvalidKeyValueError extends ValidationError {
  override name = 'InvalidKeyValueError';
}

/** The key does not exist (or has expired). The message is st2's: 'The key "x" does not exist in the StackStorm datastore.' */
export class KeyNotFoundError extends NotFoundError {
  override name = 'KeyNotFoundError';
  constructor(readonly key: string) {
    super(`The key "${key}" does not exist in the StackStorm datastore.`, { context: { key } });
  }
}

/** An encrypted value could not be encrypted or decrypted (no key, a wrong key, a tampered value). Never carries the value. */
export class DatastoreCryptoError extends ActionRunnerError {
  override name = 'DatastoreCryptoError';
}
