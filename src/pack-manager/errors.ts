import { ActionRunnerError, ValidationError } from '../model/errors.ts';

/** The folder or repository given to `pack install` is not a pack that can be installed. */
export class InvalidPackError extends ValidationError {
  override name = 'InvalidPackError';
}

/** A step of `pack install` failed (git clone, python3 -m venv, pip install): the installed pack, if any, is unchanged. */
export class PackInstallError extends ActionRunnerError {
  override name = 'PackInstallError';
}

/** Last `lines` lines of a tool's output: what says why it failed, without the pages before. */
export function tail(text: string, lines = 20): string {
  const all = text.trimEnd().split('\n');
  return (all.length > lines ? ['...', ...all.slice(-lines)] : all).join('\n');
}
