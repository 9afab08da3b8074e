import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { InvalidPackError, PackInstallError, redactUrlCredentials, tail } from './errors.ts';

/** A pack source made local: the folder to install from, and how to clean up after. */
export interface FetchedSource {
  dir: string;
  /** `git` when cloned. */
  kind: 'dir' | 'git';
  cleanup(): void;
}

/** A git URL (`https://`, `ssh://`, `git://`, `file://`, `user@host:path`), as opposed to a folder. */
export function isGitUrl(source: string): boolean {
  return /^(https?|git|ssh|file|git\+ssh):\/\//.test(source) || /^[\w.-]+@[\w.-]+:/.test(source);
}

/** How long a clone may take. */
const CLONE_TIMEOUT_MS = 5 * 60_000;

/**
 * The source of `pack install`: a local folder as it is, or a git repository cloned (`--depth 1`, no prompt
 * for credentials) into a temporary folder.
 * @example const source = await fetchSource('https://github.com/StackStorm-Exchange/stackstorm-jira.git'); ... source.cleanup();
 */
export async function fetchSource(source: string): Promise<FetchedSource> {
  if (!isGitUrl(source)) {
    const dir = path.resolve(source);
    if (!existsSync(dir) || !statSync(dir).isDirectory())
      throw new InvalidPackError(
        `invalid pack source: ${source} - expected a pack folder or a git URL (https://, ssh://, file://, user@host:path), got no such folder`,
      );
    return { dir, kind: 'dir', cleanup: () => {} };
  }
  const temp = mkdtempSync(path.join(tmpdir(), 'actionrunner-pack-'));
  const cleanup = () => rmSync(temp, { recursive: true, force: true });
  const dir = path.join(temp, 'pack');
  const result = await execa('git', ['clone', '--depth', '1', '--quiet', source, dir], {
    reject: false,
    timeout: CLONE_TIMEOUT_MS,
    env: { GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true' },
    stdin: 'ignore',
  });
  if (result.failed) {
    cleanup();
    const why =
      (result as { code?: string }).code === 'ENOENT'
        ? 'git is not installed (Debian: apt-get install git)'
        : tail(redactUrlCredentials(String(result.stderr || result.message)), 10);
    const shown = redactUrlCredentials(source);
    throw new PackInstallError(`git clone failed: ${shown} - ${why}`, { context: { source: shown } });
  }
  return { dir, kind: 'git', cleanup };
}
