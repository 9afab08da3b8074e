import type { ParameterSpec } from './types.ts';

/**
 * Runner parameters of every runner this bundle ships, with st2's defaults
 * (`contrib/runners/<runner>/runner.yaml`). `node-script` is ours (st2 has no such runner).
 */
export const RUNNER_PARAMETERS: Readonly<Record<string, Readonly<Record<string, ParameterSpec>>>> = {
  'local-shell-cmd': {
    cmd: { type: 'string', description: 'Arbitrary Linux command to be executed on the host.' },
    cwd: { type: 'string', description: 'Working directory where the command will be executed in' },
    env: { type: 'object', description: 'Environment variables which will be available to the command (e.g. key1=val1,key2=val2)' },
    kwarg_op: { type: 'string', default: '--', description: 'Operator to use in front of keyword args i.e. "--" or "-".' },
    sudo: { type: 'boolean', default: false, description: 'The command will be executed with sudo.' },
    sudo_password: { type: 'string', default: null, secret: true, required: false, description: 'Sudo password. To be used when passwordless sudo is not allowed.' },
    timeout: { type: 'integer', default: 60, description: "Action timeout in seconds. Action will get killed if it doesn't finish in timeout seconds." },
  },
  'local-shell-script': {
    debug: { type: 'boolean', default: false, required: false, description: 'Enable runner debug mode.' },
    cwd: { type: 'string', description: 'Working directory where the script will be executed in' },
    env: { type: 'object', description: 'Environment variables which will be available to the script (e.g. key1=val1,key2=val2)' },
    kwarg_op: { type: 'string', default: '--', description: 'Operator to use in front of keyword args i.e. "--" or "-".' },
    sudo: { type: 'boolean', default: false, description: 'The command will be executed with sudo.' },
    sudo_password: { type: 'string', default: null, secret: true, required: false, description: 'Sudo password. To be used when passwordless sudo is not allowed.' },
    timeout: { type: 'integer', default: 60, description: "Action timeout in seconds. Action will get killed if it doesn't finish in timeout seconds." },
  },
  'python-script': {
    debug: { type: 'boolean', default: false, required: false, description: 'Enable runner debug mode.' },
    env: { type: 'object', description: 'Environment variables which will be available to the script.' },
    timeout: { type: 'integer', default: 600, description: "Action timeout in seconds. Action will get killed if it doesn't finish in timeout seconds." },
    log_level: {
      type: 'string',
      default: 'DEBUG',
      enum: ['AUDIT', 'CRITICAL', 'ERROR', 'WARNING', 'INFO', 'DEBUG'],
      description: 'Default log level for Python runner actions.',
    },
  },
  'node-script': {
    env: { type: 'object', description: 'Environment variables which will be available to the module (process.env).' },
    timeout: { type: 'integer', default: 60, description: "Action timeout in seconds. Action will get killed if it doesn't finish in timeout seconds." },
  },
  noop: {},
  // st2's orquesta runner has no runner parameters: the workflow spec (entry point) declares its input.
  orquesta: {},
};

/** Every runner name an action's `runner_type` may use (aliases aside). */
export const RUNNER_TYPES: readonly string[] = Object.keys(RUNNER_PARAMETERS);

/** st2's legacy runner names, still found in older packs (`run-local` in core.local_sudo). */
export const RUNNER_ALIASES: Readonly<Record<string, string>> = {
  'run-local': 'local-shell-cmd',
  'run-local-script': 'local-shell-script',
  'run-python': 'python-script',
  orchestra: 'orquesta',
};

/** Runners whose action needs an `entry_point` file. */
export const ENTRY_POINT_RUNNERS: readonly string[] = ['local-shell-script', 'python-script', 'node-script', 'orquesta', 'action-chain'];

/**
 * Parameters that hold a shell command, per runner. Their templates are rendered
 * shell-safely: every interpolated value becomes an environment variable reference
 * (see `render-template.ts`), and the runner must pass `commandEnv` to the child.
 */
export const SHELL_COMMAND_PARAMETERS: Readonly<Record<string, readonly string[]>> = {
  'local-shell-cmd': ['cmd'],
};

/** Canonical runner name for `name`, resolving st2's aliases; `undefined` when unknown. */
export function canonicalRunnerType(name: string): string | undefined {
  if (Object.hasOwn(RUNNER_PARAMETERS, name)) return name;
  return RUNNER_ALIASES[name];
}

/**
 * A copy of the runner parameters of `runnerType` (aliases accepted).
 * @example runnerParameters('local-shell-cmd').timeout.default // 60
 */
export function runnerParameters(runnerType: string): Record<string, ParameterSpec> {
  const name = canonicalRunnerType(runnerType);
  if (name === undefined) throw new Error(`unknown runner: ${runnerType} - expected one of ${RUNNER_TYPES.join(', ')}`);
  return structuredClone(RUNNER_PARAMETERS[name]) as Record<string, ParameterSpec>;
}

/** Workflow runners run on the workflows queue (st2's `action_is_workflow`). */
export function isWorkflowRunner(runnerType: string): boolean {
  const name = canonicalRunnerType(runnerType) ?? runnerType;
  return name === 'orquesta' || name === 'action-chain';
}
