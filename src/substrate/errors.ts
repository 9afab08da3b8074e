import { ActionRunnerError } from '../model/errors.ts';

/** The embedded emulators could not start (java missing, port, timeout) or stop. */
export class SubstrateError extends ActionRunnerError {
  override name = 'SubstrateError';
}

/** An embedded emulator ended while the local runtime was using it (killed, crashed). */
export class EmulatorDiedError extends SubstrateError {
  override name = 'EmulatorDiedError';
}
