/**
 * How each runner of the actions function is built: the factory half of the runner registry
 * (`./registry.ts` describes the runners; this file, beside the runner classes, creates them).
 * Typed by `ActionRunnerName`, so a runner registered on the actions queue without a factory, or
 * a factory for a workflow runner, does not compile.
 */
import { NotFoundError } from '../model/errors.ts';
import type { ActionCatalog } from '../actions/types.ts';
import { ActionChainRunner } from './action-chain.ts';
import { HttpRequestRunner } from './http-request.ts';
import { LocalShellCommandRunner } from './local-shell-cmd.ts';
import { LocalShellScriptRunner } from './local-shell-script.ts';
import { NodeScriptRunner, type NodeScriptRunnerOptions } from './node-script.ts';
import { NoopRunner } from './noop.ts';
import { PythonScriptRunner, type PythonScriptRunnerOptions } from './python-script.ts';
import { RemoteShellRunner } from './remote-shell.ts';
import { ACTION_RUNNER_NAMES, isWorkflowRunner, type ActionRunnerName } from './registry.ts';
import type { Runner } from './types.ts';

/** Options for the runners the factories build. */
export interface RunnerOptions extends PythonScriptRunnerOptions, NodeScriptRunnerOptions {
  /** The actions an action chain's nodes name; without it, every chain fails at its first node. */
  catalog?: ActionCatalog;
}

/** One factory per runner the actions function runs. */
export const RUNNER_FACTORIES: Readonly<Record<ActionRunnerName, (options: RunnerOptions) => Runner>> = {
  'local-shell-cmd': () => new LocalShellCommandRunner(),
  'local-shell-script': () => new LocalShellScriptRunner(),
  'python-script': (options) => new PythonScriptRunner(options),
  'node-script': (options) => new NodeScriptRunner(options),
  'remote-shell-cmd': () => new RemoteShellRunner('remote-shell-cmd'),
  'remote-shell-script': () => new RemoteShellRunner('remote-shell-script'),
  noop: () => new NoopRunner(),
  'http-request': () => new HttpRequestRunner(),
  'action-chain': (options) => new ActionChainRunner({ catalog: options.catalog, runnerFor: (name) => getRunner(name, options) }),
};

/**
 * The runner for an st2 runner name (canonical; aliases are resolved when actions load).
 * @throws NotFoundError for unknown names, and for workflow runners (the workflow engine runs those).
 * @example
 * const outcome = await getRunner('local-shell-cmd').run(request);
 */
export function getRunner(name: string, options: RunnerOptions = {}): Runner {
  if (Object.hasOwn(RUNNER_FACTORIES, name)) return RUNNER_FACTORIES[name as ActionRunnerName](options);
  throw new NotFoundError(
    isWorkflowRunner(name)
      ? `unsupported runner: ${name} - workflows run in the workflow engine, not through getRunner`
      : `unknown runner: ${name} - expected one of ${ACTION_RUNNER_NAMES.join(', ')}`,
    { context: { runner: name } },
  );
}

/** Every runner the actions function runs, built once, by name. */
export function createRunners(options: RunnerOptions = {}): Map<string, Runner> {
  return new Map(ACTION_RUNNER_NAMES.map((name) => [name, RUNNER_FACTORIES[name](options)]));
}
