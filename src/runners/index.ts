import { NotFoundError } from '../model/errors.ts';
import { LocalShellCommandRunner } from './local-shell-cmd.ts';
import { LocalShellScriptRunner } from './local-shell-script.ts';
import { NodeScriptRunner, type NodeScriptRunnerOptions } from './node-script.ts';
import { NoopRunner } from './noop.ts';
import { PythonScriptRunner, type PythonScriptRunnerOptions } from './python-script.ts';
import type { Runner } from './types.ts';

export type { OutputSink, RunRequest, RunOutcome, Runner } from './types.ts';
export { LocalShellCommandRunner } from './local-shell-cmd.ts';
export { LocalShellScriptRunner, scriptInvocation, LOCAL_SCRIPT_RUNNER_PARAMETERS } from './local-shell-script.ts';
export { PythonScriptRunner, PYTHON_RUNNER_PARAMETERS } from './python-script.ts';
export type { PythonScriptRunnerOptions } from './python-script.ts';
export { NodeScriptRunner, NODE_RUNNER_PARAMETERS, nativeTypeStripping } from './node-script.ts';
export type { NodeScriptRunnerOptions } from './node-script.ts';
export { NoopRunner } from './noop.ts';
export { scriptArguments, serializePositional } from './shell-args.ts';
export { stripShellChars, tryLoads } from './shell-result.ts';
export { RESULT_DELIMITER, ResultBlockFilter } from './result-block.ts';
export { wantsAwsCredentials, CANCEL_EXIT_CODE, TIMEOUT_EXIT_CODE } from './common.ts';

/** Runners this package runs as processes (orquesta is the workflow engine's, not here). */
export const RUNNER_NAMES = ['local-shell-cmd', 'local-shell-script', 'python-script', 'node-script', 'noop'] as const;
export type RunnerName = (typeof RUNNER_NAMES)[number];

/** Options for the runners `getRunner` builds. */
export interface RunnerOptions extends PythonScriptRunnerOptions, NodeScriptRunnerOptions {}

/**
 * The runner for an st2 runner name.
 * @throws NotFoundError for unknown names (and for `orquesta`, which the workflow engine handles).
 * @example
 * const outcome = await getRunner('local-shell-cmd').run(request);
 */
export function getRunner(name: string, options: RunnerOptions = {}): Runner {
  switch (name) {
    case 'local-shell-cmd':
      return new LocalShellCommandRunner();
    case 'local-shell-script':
      return new LocalShellScriptRunner();
    case 'python-script':
      return new PythonScriptRunner(options);
    case 'node-script':
      return new NodeScriptRunner(options);
    case 'noop':
      return new NoopRunner();
    default:
      throw new NotFoundError(
        name === 'orquesta'
          ? 'unsupported runner: orquesta - workflows run in the workflow engine, not through getRunner'
          : `unknown runner: ${name} - expected one of ${RUNNER_NAMES.join(', ')}`,
        { context: { runner: name } },
      );
  }
}
