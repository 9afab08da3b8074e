import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { ActionDefinition } from '../actions/types.ts';
import { SecretStreamMasker } from '../model/mask-stream.ts';
import { allVariants as secretVariantsOf } from '../model/secret-variants.ts';
import { buildChildEnv } from '../process/env.ts';
import type { RunProcessOptions, TextFilter } from '../process/run-process.ts';
import { runnerParameterNames, type RunnerName } from './registry.ts';
import type { RunRequest } from './types.ts';

/**
 * Whether the action asked for the Lambda's AWS credentials: metadata key `aws_credentials: true`
 * (kept by the action loader like other extra metadata keys).
 */
export function wantsAwsCredentials(action: ActionDefinition): boolean {
  return action.aws_credentials === true;
}

/** `env` parameter values as strings (st2 expects strings; numbers and booleans are tolerated). */
function envParameter(value: unknown): Record<string, string> {
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value)) return {};
  const env: Record<string, string> = {};
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === null || v === undefined) continue;
    env[name] = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return env;
}

/**
 * The child environment of an action: allow-listed parent variables (+ AWS credentials when the action
 * asks), the `env` parameter, `commandEnv`, then st2's ST2_ACTION_* variables, then `extra`.
 */
export function actionEnv(request: RunRequest, extra: Record<string, string> = {}): Record<string, string> {
  const { action } = request;
  return buildChildEnv({
    inheritAwsCredentials: wantsAwsCredentials(action),
    extra: {
      ...envParameter(request.parameters.env),
      ...(request.commandEnv ?? {}),
      ST2_ACTION_PACK_NAME: action.pack,
      ST2_ACTION_NAME: action.name,
      ST2_ACTION_REF: action.ref,
      ST2_ACTION_EXECUTION_ID: request.executionId,
      ...extra,
    },
  });
}

/**
 * Working directory: the `cwd` parameter, else the OS temp dir. st2 inherits the runner's own cwd;
 * in Lambda that is /var/task (read-only), so /tmp (os.tmpdir()) is the useful default.
 */
export function actionCwd(parameters: Record<string, unknown>): string {
  const cwd = parameters.cwd;
  return typeof cwd === 'string' && cwd !== '' ? cwd : tmpdir();
}

/** `second` applied to what `first` passes on: one TextFilter. */
function chainFilters(first: TextFilter, second: TextFilter): TextFilter {
  return { push: (text) => second.push(first.push(text)), end: () => second.push(first.end()) + second.end() };
}

/**
 * The stdout and stderr filters of an action's process: `stdoutFilter` (a script wrapper's result
 * block) first, then secret masking that sees across pieces (a secret split between two writes or
 * cut at the chunk size is still masked), so that the output table and the result's stdout/stderr
 * never hold a secret. Values shorter than MIN_MASKED_SECRET_LENGTH are left alone.
 */
export function outputFilters(request: RunRequest, stdoutFilter?: TextFilter): Pick<RunProcessOptions, 'stdoutFilter' | 'stderrFilter'> {
  const secrets = request.secretValues ?? [];
  if (secretVariantsOf(secrets).length === 0) return stdoutFilter ? { stdoutFilter } : {};
  const stdoutMasker = new SecretStreamMasker(secrets);
  return { stdoutFilter: stdoutFilter ? chainFilters(stdoutFilter, stdoutMasker) : stdoutMasker, stderrFilter: new SecretStreamMasker(secrets) };
}

/** Action parameters only: the runner parameters of `runner` (see the registry) removed (st2 passes them separately). */
export function actionParameters(parameters: Record<string, unknown>, runner: RunnerName): Record<string, unknown> {
  const own = runnerParameterNames(runner);
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(parameters)) {
    if (!own.includes(name)) out[name] = value;
  }
  return out;
}

/** Timeout text as st2 words it ("Action failed to complete in 60 seconds"). */
export function timeoutMessage(timeoutMs: number): string {
  return `Action failed to complete in ${Number((timeoutMs / 1000).toFixed(3))} seconds`;
}

/** Text for a cancel, which st2 never reports because it never kills the child. */
export const CANCEL_MESSAGE = 'Action was canceled: its process tree was killed';

/** st2 return codes: -9 on timeout (st2's TIMEOUT_EXIT_CODE); -15 on cancel (SIGTERM, our choice). */
export const TIMEOUT_EXIT_CODE = -9;
export const CANCEL_EXIT_CODE = -15;

/**
 * The shell of local-shell-cmd's `cmd` and of a script without shebang: bash, as in a typical st2 install (its actions run as the system user through
 * `sudo -u stanley -- bash -c <cmd>`, and bash runs a script without `#!` itself), so bash-isms (`[[ ]]`, arrays, `set -o pipefail`) work as there;
 * `/bin/sh` only where there is no bash.
 */
export const COMMAND_SHELL = existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh';

/** Refusal of `sudo: true`: Lambda has no sudo and no other user to become. */
export const SUDO_UNSUPPORTED = "sudo is not supported: actions run as the function's own user (no sudo in AWS Lambda) - set sudo to false";

/** The options every runner passes to `runProcess` the same way: where, with what env, how long, where output goes. */
export function processOptions(
  request: RunRequest,
): Pick<RunProcessOptions, 'cwd' | 'env' | 'timeoutMs' | 'signal' | 'killGraceMs' | 'output' | 'resultMaxBytes' | 'stdoutFilter' | 'stderrFilter'> {
  return {
    cwd: actionCwd(request.parameters),
    env: actionEnv(request),
    timeoutMs: request.timeoutMs,
    signal: request.signal,
    killGraceMs: request.killGraceMs,
    output: request.output,
    resultMaxBytes: request.resultMaxBytes,
    ...outputFilters(request),
  };
}

/** The action's entry point file, or why it cannot run: the loader checks it exists, but a pack can change under a warm container. */
export async function entryPoint(action: ActionDefinition, runner: string): Promise<{ file: string } | { error: string }> {
  const file = action.entryPointPath;
  const info = file ? await stat(file).catch(() => undefined) : undefined;
  return file && info?.isFile() ? { file } : { error: `entry point not found: ${action.ref} - ${file ?? `${runner} needs entry_point`}` };
}
