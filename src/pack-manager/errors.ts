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

/** `scheme://user:secret@host` or `scheme://token@host`: the user part of a URL, which may carry a token. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi;

/**
 * `text` with the credentials of every URL in it replaced by `***` (`https://***@host/repo.git`): a git URL
 * or a requirement may carry a token, and what `pack install` prints or throws must not.
 * @example redactUrlCredentials('https://ann:t0ken@git.example/p.git') // 'https://***@git.example/p.git'
 */
export function redactUrlCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, '$1***@');
}
