/**
 * The runner registry: every runner this bundle knows, described once. Everything else about
 * runners is derived from `RUNNERS` and `RUNNER_ALIASES`: the names an action's `runner_type`
 * may use, its runner parameters (merged by the loader), whether it needs an entry point, which
 * queue runs it (`isWorkflowRunner`), which parameters hold a shell command, and which parameters
 * a runner keeps from the action's process.
 *
 * Layout (no import cycle): this file is pure data and imports only types. `src/actions` (loader,
 * metadata, resolve, process limits) and the runner classes of `src/runners` both import it; the
 * factories that build runner instances live in `./factories.ts`, beside the classes, and only
 * the dispatch runtime imports those. A runner whose queue is `actions` must have a factory there
 * (the compiler checks it: `ActionRunnerName`); a workflow runner is run by the workflow engine.
 *
 * Parameters are st2's (`contrib/runners/<runner>/runner.yaml`) except where noted: `node-script`
 * is ours; `cwd` of python-script and node-script is ours (st2 keeps the runner's own cwd, which in
 * Lambda is the read-only /var/task); st2's `content_version` (pack git versions) and orquesta's
 * `notify` are not supported, so not declared. `action-chain` runs on the actions queue: its nodes
 * run inside the chain's execution (see action-chain.ts), so it is not a workflow runner here.
 */
import type { ParameterSpec } from '../actions/types.ts';

/** Which function runs a runner's executions: the actions function (a process) or the workflows function. */
export type RunnerQueue = 'actions' | 'workflows';

/**
 * How the values of an action's own parameters reach its process (what `assertFitsProcess` checks):
 * `command` - rendered into the `cmd` shell command, values as environment variables;
 * `arguments` - as argv (`scriptArguments`); `stdin` - as JSON on stdin; `none` - no process.
 */
export type ParameterPassing = 'command' | 'arguments' | 'stdin' | 'none';

/** One runner, described. */
export interface RunnerSpec {
  /** Runner parameters (st2's `runner_parameters`): merged into every action's, never passed to the action itself. */
  parameters: Readonly<Record<string, Readonly<ParameterSpec>>>;
  /** True when the action needs an `entry_point` file (and may not name one otherwise). */
  entryPoint: boolean;
  /** The queue, and so the function, that runs its executions. */
  queue: RunnerQueue;
  /** How the action's parameter values reach its process. */
  passing: ParameterPassing;
  /**
   * Parameters that hold a shell command. Their templates are rendered shell-safely: every
   * interpolated value becomes an environment variable reference (see `render-template.ts`),
   * and the runner must pass `commandEnv` to the child.
   */
  shellCommandParameters?: readonly string[];
  /**
   * Interpreters its process needs, any one of them (searched on PATH where the actions function runs, see
   * `interpreters.ts`); without one, its actions load as unavailable. None: Node.js itself or no process.
   */
  interpreters?: readonly string[];
}

const timeout = (seconds: number): ParameterSpec => ({
  type: 'integer',
  default: seconds,
  description: "Action timeout in seconds. Action will get killed if it doesn't finish in timeout seconds.",
});
const debug: ParameterSpec = { type: 'boolean', default: false, required: false, description: 'Enable runner debug mode.' };
const kwargOp: ParameterSpec = { type: 'string', default: '--', description: 'Operator to use in front of keyword args i.e. "--" or "-".' };
const sudo: ParameterSpec = { type: 'boolean', default: false, description: 'The command will be executed with sudo.' };
const sudoPassword: ParameterSpec = {
  type: 'string',
  default: null,
  secret: true,
  required: false,
  description: 'Sudo password. To be used when passwordless sudo is not allowed.',
};

/** The parameters both SSH runners take (st2's remote runners', less bastion_host). */
const sshParameters: Readonly<Record<string, ParameterSpec>> = {
  hosts: { type: 'string', required: true, description: 'Comma-separated hosts (host or host:port) the command runs on, in parallel.' },
  username: { type: 'string', description: 'User to log in as (required here: st2 falls back to its system_user).' },
  private_key: {
    type: 'string',
    secret: true,
    description: 'Private key material (or the path of a key file) to log in with; e.g. "{{ st2kv.system.ssh_key | decrypt_kv }}".',
  },
  passphrase: { type: 'string', secret: true, description: 'Passphrase of the private key, when it has one.' },
  password: { type: 'string', secret: true, description: 'Password to log in with, when there is no private key.' },
  port: { type: 'integer', default: 22, description: 'SSH port of the hosts that do not name one.' },
  parallel: { type: 'boolean', default: true, description: 'Run on every host at once (false: one after the other).' },
  cwd: { type: 'string', description: 'Working directory on the remote hosts.' },
  env: { type: 'object', description: 'Environment variables exported for the command on the remote hosts.' },
  kwarg_op: kwargOp,
  sudo,
  sudo_password: sudoPassword,
  timeout: timeout(60),
};

/** Every runner, by its st2 name. */
export const RUNNERS = {
  'local-shell-cmd': {
    queue: 'actions',
    entryPoint: false,
    passing: 'command',
    shellCommandParameters: ['cmd'],
    interpreters: ['bash', 'sh'],
    parameters: {
      cmd: { type: 'string', description: 'Arbitrary Linux command to be executed on the host.' },
      cwd: { type: 'string', description: 'Working directory where the command will be executed in' },
      env: { type: 'object', description: 'Environment variables which will be available to the command (e.g. key1=val1,key2=val2)' },
      kwarg_op: kwargOp,
      sudo,
      sudo_password: sudoPassword,
      timeout: timeout(60),
    },
  },
  'local-shell-script': {
    queue: 'actions',
    entryPoint: true,
    passing: 'arguments',
    interpreters: ['bash', 'sh'],
    parameters: {
      debug,
      cwd: { type: 'string', description: 'Working directory where the script will be executed in' },
      env: { type: 'object', description: 'Environment variables which will be available to the script (e.g. key1=val1,key2=val2)' },
      kwarg_op: kwargOp,
      sudo,
      sudo_password: sudoPassword,
      timeout: timeout(60),
    },
  },
  'python-script': {
    queue: 'actions',
    entryPoint: true,
    passing: 'stdin',
    interpreters: ['python3'],
    parameters: {
      debug,
      cwd: { type: 'string', description: 'Working directory of the Python process (default: the temp directory).' },
      env: { type: 'object', description: 'Environment variables which will be available to the script.' },
      timeout: timeout(600),
      log_level: {
        type: 'string',
        default: 'DEBUG',
        enum: ['AUDIT', 'CRITICAL', 'ERROR', 'WARNING', 'INFO', 'DEBUG'],
        description: 'Default log level for Python runner actions.',
      },
    },
  },
  'node-script': {
    queue: 'actions',
    entryPoint: true,
    passing: 'stdin',
    parameters: {
      cwd: { type: 'string', description: 'Working directory of the Node.js process (default: the temp directory).' },
      env: { type: 'object', description: 'Environment variables which will be available to the module (process.env).' },
      timeout: timeout(60),
    },
  },
  // SSH in the function itself (ssh2, pure JavaScript): no interpreter needed here (see remote-shell.ts).
  'remote-shell-cmd': {
    queue: 'actions',
    entryPoint: false,
    passing: 'command',
    shellCommandParameters: ['cmd'],
    parameters: {
      cmd: { type: 'string', description: 'Arbitrary Linux command to be executed on the remote host(s).' },
      ...sshParameters,
    },
  },
  'remote-shell-script': {
    queue: 'actions',
    entryPoint: true,
    passing: 'arguments',
    parameters: {
      dir: { type: 'string', default: '/tmp', description: 'Folder on the remote hosts under which the script is written (then removed).' },
      ...sshParameters,
    },
  },
  noop: { queue: 'actions', entryPoint: false, passing: 'none', parameters: {} },
  // No process: the request is made in the function itself (see http-request.ts).
  'http-request': {
    queue: 'actions',
    entryPoint: false,
    passing: 'none',
    parameters: {
      url: { type: 'string', required: true, description: 'URL to the HTTP endpoint.' },
      headers: { type: 'object', description: 'HTTP headers for the request.' },
      cookies: { type: 'object', description: 'Optional cookies to send with the request.' },
      allow_redirects: { type: 'boolean', default: false, description: 'Set to True if redirect following is allowed.' },
      http_proxy: { type: 'string', description: 'URL of HTTP proxy to use (e.g. http://10.10.1.10:3128).' },
      https_proxy: { type: 'string', description: 'URL of HTTPS proxy to use (e.g. http://10.10.1.10:3128).' },
      username: { type: 'string', description: 'Username required by basic authentication.' },
      password: { type: 'string', secret: true, description: 'Password required by basic authentication.' },
      verify_ssl_cert: { type: 'boolean', default: true, description: 'Verify the certificate of an HTTPS endpoint. Set to False to skip verification.' },
      url_hosts_blacklist: { type: 'array', items: { type: 'string' }, required: false, description: 'Hosts the action may not reach (e.g. 127.0.0.1).' },
      url_hosts_whitelist: { type: 'array', items: { type: 'string' }, required: false, description: 'When given, the only hosts the action may reach.' },
    },
  },
  // The chain file is the entry point; its nodes' actions run in this execution (see action-chain.ts).
  'action-chain': {
    queue: 'actions',
    entryPoint: true,
    passing: 'none',
    parameters: {
      display_published: { type: 'boolean', default: true, description: 'Intermediate published variables will be stored and displayed.' },
      skip_notify: { type: 'array', default: [], description: 'List of tasks to skip notifications for (accepted; there are no notifications here).' },
    },
  },
  // No process and no slot: the dispatcher records the question and the execution waits `pending` (see src/dispatch/inquiry.ts).
  inquirer: {
    queue: 'actions',
    entryPoint: false,
    passing: 'none',
    parameters: {
      schema: {
        type: 'object',
        required: true,
        default: {
          title: 'response_data',
          type: 'object',
          properties: { continue: { type: 'boolean', description: 'Would you like to continue the workflow?', required: true } },
        },
        description: 'A JSON schema that will be used to validate the response data.',
      },
      route: { type: 'string', default: '', required: false, description: 'An arbitrary value for allowing rules to route to proper notification channel.' },
      roles: { type: 'array', default: [], required: false, description: 'Roles permitted to respond (kept on the inquiry; there is no RBAC here).' },
      users: { type: 'array', default: [], required: false, description: 'Users permitted to respond (if none given, all are permitted).' },
      ttl: { type: 'integer', default: 1440, required: true, description: 'Minutes to wait for a response before the inquiry times out.' },
    },
  },
  // The workflow spec (entry point) declares the input.
  orquesta: { queue: 'workflows', entryPoint: true, passing: 'none', parameters: {} },
} satisfies Record<string, RunnerSpec>;

/** A registered runner's name. */
export type RunnerName = keyof typeof RUNNERS;
/** The runner whose executions the dispatcher takes itself, with no runner object: an inquiry asks and waits. */
export const INQUIRER_RUNNER = 'inquirer';

/** A runner the actions function runs as a process (each has a factory in `factories.ts`). */
export type ActionRunnerName = Exclude<{ [K in RunnerName]: (typeof RUNNERS)[K]['queue'] extends 'actions' ? K : never }[RunnerName], typeof INQUIRER_RUNNER>;

/** st2's legacy runner names, still found in older packs (`run-local` in core.local_sudo). */
export const RUNNER_ALIASES: Readonly<Record<string, RunnerName>> = {
  'run-local': 'local-shell-cmd',
  'run-local-script': 'local-shell-script',
  'run-python': 'python-script',
  'run-remote': 'remote-shell-cmd',
  'run-remote-script': 'remote-shell-script',
  orchestra: 'orquesta',
};

/** st2's runners that have no equivalent here: their actions load as unavailable, saying so. */
export const ST2_RUNNERS_NOT_HERE: readonly string[] = ['winrm-cmd', 'winrm-ps-cmd', 'winrm-ps-script', 'announcement', 'mistral-v2', 'cloudslang'];

/** Every runner name an action's `runner_type` may use (aliases aside). */
export const RUNNER_TYPES: readonly RunnerName[] = Object.keys(RUNNERS) as RunnerName[];

/** Runners the actions function runs, in registry order. */
export const ACTION_RUNNER_NAMES: readonly ActionRunnerName[] = RUNNER_TYPES.filter(
  (name): name is ActionRunnerName => RUNNERS[name].queue === 'actions' && name !== INQUIRER_RUNNER,
);

/** Canonical runner name for `name`, resolving st2's aliases; `undefined` when unknown. */
export function canonicalRunnerType(name: string): RunnerName | undefined {
  if (Object.hasOwn(RUNNERS, name)) return name as RunnerName;
  return Object.hasOwn(RUNNER_ALIASES, name) ? RUNNER_ALIASES[name] : undefined;
}

/** The description of `runnerType` (aliases accepted); `undefined` when unknown. */
export function runnerSpec(runnerType: string): RunnerSpec | undefined {
  const name = canonicalRunnerType(runnerType);
  return name === undefined ? undefined : RUNNERS[name];
}

/**
 * A copy of the runner parameters of `runnerType` (aliases accepted).
 * @throws Error "unknown runner: <name> - expected one of ..."
 * @example runnerParameters('local-shell-cmd').timeout.default // 60
 */
export function runnerParameters(runnerType: string): Record<string, ParameterSpec> {
  const spec = runnerSpec(runnerType);
  if (spec === undefined) throw new Error(`unknown runner: ${runnerType} - expected one of ${RUNNER_TYPES.join(', ')}`);
  return structuredClone(spec.parameters) as Record<string, ParameterSpec>;
}

/** Names of the runner parameters of `runnerType` (none when unknown): what a runner keeps from the action. */
export function runnerParameterNames(runnerType: string): readonly string[] {
  return Object.keys(runnerSpec(runnerType)?.parameters ?? {});
}

/** Workflow runners run on the workflows queue (st2's `action_is_workflow`). */
export function isWorkflowRunner(runnerType: string): boolean {
  return runnerSpec(runnerType)?.queue === 'workflows';
}

/**
 * Runners whose process or templates read the action's pack config (python's `self.config`, node's
 * `context.config`, an action chain's `config_context`): the actions function loads it before it runs them.
 */
export const PACK_CONFIG_RUNNERS: ReadonlySet<string> = new Set(['python-script', 'node-script', 'action-chain']);
