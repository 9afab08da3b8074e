/**
 * Child environments are built from an allow-list, never from the whole `process.env`:
 * the Lambda's role credentials live in the environment and must not reach an action
 * unless it asks for them (design invariant 6).
 */

/** Parent variables every child gets when they are set. */
export const ENV_ALLOW_LIST: readonly string[] = [
  'PATH',
  'HOME',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TMPDIR',
  'USER',
  'LOGNAME',
  'SHELL',
  'HOSTNAME',
  'TERM',
  // Lambda runtime facts (not credentials): layers put binaries and libraries under /opt.
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
  'LD_LIBRARY_PATH',
  // The region is configuration, not a credential.
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
];

/** Parent variable prefixes every child gets (locale settings). */
const ENV_ALLOW_PREFIXES: readonly string[] = ['LC_'];

/**
 * Parent variables that carry or locate AWS credentials; copied only with `inheritAwsCredentials`.
 * Everything starting with `AWS_` is treated as credential-related unless allow-listed above.
 */
export const AWS_CREDENTIAL_PREFIX = 'AWS_';

/**
 * Variables that make a shell run code of their naming before (or around) the command: bash reads
 * `BASH_ENV` (a file it sources), `SHELLOPTS`/`BASHOPTS` (options such as xtrace, whose `PS4` is
 * expanded, command substitutions included) and `BASH_FUNC_<name>%%` (exported functions that can
 * replace any command); sh reads `ENV`. A value from a parameter must never be one of them.
 */
export const SHELL_STARTUP_VARIABLES: readonly string[] = ['BASH_ENV', 'ENV', 'SHELLOPTS', 'BASHOPTS', 'PS4'];

/**
 * True for a name a child's environment must never get from a parameter: one of
 * `SHELL_STARTUP_VARIABLES`, an exported bash function (`BASH_FUNC_*`), or a name no shell can
 * read as a variable but bash imports as a function (`f%%`, `f()`).
 * @example isShellStartupVariable('BASH_FUNC_echo%%') // true
 */
export function isShellStartupVariable(name: string): boolean {
  return SHELL_STARTUP_VARIABLES.includes(name) || name.startsWith('BASH_FUNC_') || /[%()]/.test(name);
}

/** The names in `env` that `isShellStartupVariable` refuses. */
export function shellStartupVariablesIn(env: Record<string, unknown>): string[] {
  return Object.keys(env).filter(isShellStartupVariable);
}

export interface BuildChildEnvOptions {
  /** Environment to copy allowed variables from. @default process.env */
  parentEnv?: Record<string, string | undefined>;
  /** Variables added on top (action `env` parameter, ST2_* variables...); they win over inherited ones. */
  extra?: Record<string, string | undefined>;
  /**
   * Also copy every `AWS_*` variable of the parent (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
   * AWS_SESSION_TOKEN, AWS_CONTAINER_CREDENTIALS_*, AWS_WEB_IDENTITY_TOKEN_FILE, AWS_PROFILE...).
   * @default false
   */
  inheritAwsCredentials?: boolean;
}

/**
 * The environment for an action's child process: allow-listed parent variables, plus the parent's
 * `AWS_*` variables when `inheritAwsCredentials`, plus `extra` (later wins; `undefined` values dropped).
 * Shell start-up variables (`isShellStartupVariable`) are dropped from both, whatever their source:
 * requests that set them are refused earlier (resolveParameters), this is the last line.
 * @example
 * buildChildEnv({ extra: { ST2_ACTION_PACK_NAME: 'core' } }) // { PATH: ..., HOME: ..., ST2_ACTION_PACK_NAME: 'core' }
 */
export function buildChildEnv(options: BuildChildEnvOptions = {}): Record<string, string> {
  const parent = options.parentEnv ?? process.env;
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value === undefined) continue;
    const allowed =
      ENV_ALLOW_LIST.includes(name) ||
      ENV_ALLOW_PREFIXES.some((prefix) => name.startsWith(prefix)) ||
      (options.inheritAwsCredentials === true && name.startsWith(AWS_CREDENTIAL_PREFIX));
    if (allowed && !isShellStartupVariable(name)) env[name] = value;
  }
  for (const [name, value] of Object.entries(options.extra ?? {})) {
    if (value !== undefined && !isShellStartupVariable(name)) env[name] = value;
  }
  return env;
}
