import type { ActionDefinition } from '../actions/types.ts';
import { runProcess } from '../process/run-process.ts';
import { runnerParameterNames } from './registry.ts';
import { actionEnv, actionParameters, entryPoint, outputFilters, processOptions } from './common.ts';
import { IMAGE_FIX } from './interpreters.ts';
import { PYTHON_WRAPPER_SOURCE } from './python-wrapper.ts';
import { openDatastoreChannel } from './datastore-channel.ts';
import { parseResultBlock, ResultBlockFilter } from './result-block.ts';
import { scriptOutcome } from './script-result.ts';
import type { RunOutcome, RunRequest, Runner } from './types.ts';
import { interpreterFor } from '../pack-manager/layout.ts';

/** Options of the python-script runner. */
export interface PythonScriptRunnerOptions {
  /** Interpreter, looked up in the child's PATH. On Lambda only the actions function's container image has it. @default 'python3' */
  pythonBinary?: string;
}

/**
 * st2 `python-script`: runs the entry point's `Action.run(**parameters)` through an embedded wrapper
 * (parameters on stdin as JSON; every declared one, unset ones as `None`). Result: `{ result, stdout, stderr, exit_code }` (+ `error`).
 */
export class PythonScriptRunner implements Runner {
  readonly name = 'python-script';
  private readonly pythonBinary: string;

  constructor(options: PythonScriptRunnerOptions = {}) {
    this.pythonBinary = options.pythonBinary ?? 'python3';
  }

  async run(request: RunRequest): Promise<RunOutcome> {
    const { action, parameters } = request;
    const found = await entryPoint(action, this.name);
    if ('error' in found) return refused(found.error);
    const script = found.file;
    const filter = new ResultBlockFilter();
    // self.action_service reaches the datastore through the parent: the child needs no AWS credentials.
    const channel = request.datastore ? await openDatastoreChannel(request.datastore) : undefined;
    // The pack's virtualenv (pack install), as st2 runs a pack's actions with <virtualenvs>/<pack>/bin/python.
    const interpreter = interpreterFor(action.packPath, this.pythonBinary);
    const pythonPath: Record<string, string> = interpreter.pythonPath ? { PYTHONPATH: interpreter.pythonPath } : {};
    const result = await runProcess({
      file: interpreter.python,
      args: ['-c', PYTHON_WRAPPER_SOURCE],
      ...processOptions(request),
      env: actionEnv(request, { PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8', PYTHONDONTWRITEBYTECODE: '1', ...pythonPath, ...channel?.env }),
      stdin: JSON.stringify({
        entry_point: script,
        parameters: runArguments(action, parameters),
        config: request.packConfig ?? {},
        log_level: typeof parameters.log_level === 'string' ? parameters.log_level : 'DEBUG',
        pack: action.pack,
        action: action.ref,
        execution_id: request.executionId,
      }),
      ...outputFilters(request, filter),
    }).finally(() => channel?.close());
    if (result.spawnError?.code === 'ENOENT') {
      return refused(`runner python-script needs python3, which was not found: ${interpreter.python} is not on PATH - ${IMAGE_FIX}`);
    }
    return scriptOutcome(result, parseResultBlock(filter.resultText), request.timeoutMs, filter.overflow);
  }
}

/**
 * What `run()` is called with: every parameter the action declares (runner parameters aside), `None`
 * for those without a value, as st2 does; so `def run(self, name, description)` works when
 * `description` is optional and not given.
 */
export function runArguments(action: ActionDefinition, parameters: Record<string, unknown>): Record<string, unknown> {
  const out = actionParameters(parameters, 'python-script');
  const own = runnerParameterNames('python-script');
  for (const name of Object.keys(action.parameters)) {
    if (!own.includes(name) && out[name] === undefined) out[name] = null;
  }
  return out;
}

function refused(error: string): RunOutcome {
  return { status: 'failed', result: { result: null, stdout: '', stderr: '', exit_code: null, error } };
}
