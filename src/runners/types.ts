import type { DatastoreAccess } from './datastore-channel.ts';
import type { ActionDefinition } from '../actions/types.ts';
import type { OutputType } from '../model/execution.ts';

/** Where a running action's output goes, as it arrives. */
export interface OutputSink {
  /** Takes a piece of output; may wait (backpressure) when the writer is behind. */
  write(type: OutputType, data: string): Promise<void> | void;
}

/** Everything a runner needs to run one execution. */
export interface RunRequest {
  executionId: string;
  action: ActionDefinition;
  /** Final parameter values: validated, cast, rendered, defaults applied (runner parameters included). */
  parameters: Record<string, unknown>;
  /** Hard limit for the whole run, in milliseconds. */
  timeoutMs: number;
  /** Aborts the run (cancel, Lambda deadline): the process tree is killed. */
  signal: AbortSignal;
  output: OutputSink;
  /** SIGTERM to SIGKILL grace. */
  killGraceMs: number;
  /** Cap on stdout/stderr bytes kept in the result. */
  resultMaxBytes: number;
  /**
   * local-shell-cmd: variables that `cmd` references for its interpolated parameter values
   * (`${ST2_P_message}`), added to the child environment so that no value is ever parsed by the shell.
   */
  commandEnv?: Record<string, string>;
  /**
   * Values of secret parameters: masked as `********` in every output write and in the result's
   * stdout/stderr (values shorter than MIN_MASKED_SECRET_LENGTH are left alone). The rest of the
   * result is masked where the outcome is recorded (`maskDeep` in the store's write).
   */
  secretValues?: string[];
  /** The pack's configuration (schema defaults filled in), handed to python actions as `self.config` and to node actions as `context.config`. @default {} */
  packConfig?: Record<string, unknown>;
  /** The datastore and the execution's user, for runners that offer it to the action (python-script's action_service). */
  datastore?: DatastoreAccess;
}

/** What a runner reports. `result` has st2's shape for the runner. */
export interface RunOutcome {
  status: 'succeeded' | 'failed' | 'timeout' | 'canceled';
  result: unknown;
}

export interface Runner {
  /** st2 runner name, e.g. `local-shell-cmd`. */
  readonly name: string;
  run(request: RunRequest): Promise<RunOutcome>;
}
