import path from 'node:path';
import { execa } from 'execa';
import { PackInstallError, redactUrlCredentials, tail } from './errors.ts';

/** How long `pip install -r requirements.txt` may take (large packs pull in dozens of libraries). */
const PIP_TIMEOUT_MS = 15 * 60_000;

// Only what the tools need: no AWS credentials or tokens of the caller reach pip or a setup.py it runs.
function toolEnv(): Record<string, string> {
  const keep = [
    'PATH',
    'HOME',
    'LANG',
    'LC_ALL',
    'TMPDIR',
    'PIP_INDEX_URL',
    'PIP_EXTRA_INDEX_URL',
    'PIP_FIND_LINKS',
    'PIP_CERT',
    'HTTPS_PROXY',
    'HTTP_PROXY',
    'NO_PROXY',
  ];
  const env: Record<string, string> = { PIP_NO_INPUT: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1', PYTHONDONTWRITEBYTECODE: '1' };
  for (const name of keep) if (process.env[name] !== undefined) env[name] = process.env[name]!;
  return env;
}

/**
 * Creates a virtualenv with `python -m venv` (with pip only when something is to be installed).
 * @throws PackInstallError naming the missing interpreter or venv module, with the tool's own words.
 */
export async function createVirtualenv(python: string, venv: string, withPip: boolean): Promise<void> {
  const result = await execa(python, ['-m', 'venv', ...(withPip ? [] : ['--without-pip']), venv], {
    reject: false,
    extendEnv: false,
    env: toolEnv(),
    stdin: 'ignore',
    timeout: 5 * 60_000,
  });
  if (!result.failed) return;
  if ((result as { code?: string }).code === 'ENOENT') {
    throw new PackInstallError(
      `python3 not found: ${python} is not on PATH - a pack with python actions needs python3 and its venv module to install (Debian: apt-get install python3 python3-venv)`,
    );
  }
  throw new PackInstallError(
    `virtualenv not created: ${python} -m venv failed (exit ${result.exitCode}) - is the venv module installed? (Debian: apt-get install python3-venv)\n${tail(String(result.stderr || result.stdout))}`,
  );
}

/**
 * Whether `python -m pip` can install into another environment (`pip --python`, pip >= 22.3): then the
 * virtualenv is made without its own pip, which saves the slowest part of `python3 -m venv` (ensurepip).
 */
export async function hostPipCanTarget(python: string): Promise<boolean> {
  const result = await execa(python, ['-m', 'pip', '--version'], { reject: false, extendEnv: false, env: toolEnv(), stdin: 'ignore', timeout: 60_000 });
  const match = /^pip (\d+)\.(\d+)/.exec(String(result.stdout));
  return !result.failed && match !== null && (Number(match[1]) > 22 || (Number(match[1]) === 22 && Number(match[2]) >= 3));
}

/**
 * `pip install -r requirements.txt` into the virtualenv, from the pack's folder (relative paths and
 * `--find-links` in the file are the pack's).
 * @throws PackInstallError with the end of pip's stderr.
 */
export async function installRequirements(venv: string, requirements: string, hostPython?: string): Promise<void> {
  const python = path.join(venv, 'bin', 'python');
  // With the host's pip when given (the virtualenv has none), else the virtualenv's own.
  const pip = hostPython ? { file: hostPython, target: ['--python', python] } : { file: python, target: [] };
  const result = await execa(pip.file, ['-m', 'pip', ...pip.target, 'install', '--no-input', '--disable-pip-version-check', '-r', requirements], {
    reject: false,
    extendEnv: false,
    env: toolEnv(),
    cwd: path.dirname(requirements),
    stdin: 'ignore',
    timeout: PIP_TIMEOUT_MS,
  });
  if (!result.failed) return;
  const why = result.timedOut ? `timed out after ${PIP_TIMEOUT_MS / 1000} s` : `exit ${result.exitCode}`;
  throw new PackInstallError(`pip install failed: ${requirements} (${why}) - pip said:\n${tail(redactUrlCredentials(String(result.stderr || result.stdout)))}`);
}
