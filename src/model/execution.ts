import type { ExecutionStatus } from './status.ts';

/** One entry of an execution's status log. */
export interface StatusLogEntry {
  status: ExecutionStatus;
  timestamp: string;
  /** Why the status changed, when there is more to say than the status itself. */
  reason?: string;
}

/** Where an execution sits in a workflow, and who asked for it. */
export interface ExecutionContext {
  /** Id of the workflow execution this one is a task of. */
  parent?: string;
  /** Action ref of the parent workflow (its pack is `action_context.parent.pack`). */
  parentAction?: string;
  /** Task name inside the parent workflow. */
  task?: string;
  /** Id of the task's run inside the parent workflow (a task that runs more than once has one per run). */
  taskId?: string;
  /** Index of the item when the task iterates `with` items. */
  itemIndex?: number;
  /** The execution this one re-runs or retries. */
  reRunOf?: string;
  /**
   * A workflow re-run from some of its tasks (st2's `context["re-run"]`): the workflow execution it
   * goes on from, the tasks that run again, and those of them whose items all run again.
   */
  're-run'?: { ref: string; tasks: string[]; reset: string[] };
  /** Epoch milliseconds before which it must not start (a workflow task's `delay`, a retry's delay). */
  notBefore?: number;
  /** Who requested it (st2's `action_context.user`); `stanley`, st2's system user, when unset. */
  user?: string;
  /** What policies did to it (st2's `context.policies`). */
  policies?: PolicyContext;
}

/** st2's record of the policies applied to an execution. */
export interface PolicyContext {
  /** Set on a retry: the policy that made it (`pack.name`), which retry it is (1 for the first), and the execution it retries. */
  retry?: { applied_policy: string; retry_count: number; retried_liveaction_id: string };
}

/** The running holder of an execution: renewed every two thirds of the lease while the action runs (`leaseRenewalMs`). */
export interface Lease {
  owner: string;
  /** Epoch milliseconds after which the holder is presumed dead. */
  expiresAt: number;
}

/**
 * An execution record as stored in the executions table.
 * `parameters` holds the values as given (secrets included, never shown); use
 * `maskSecrets` before printing or logging.
 */
export interface Execution {
  id: string;
  action: string;
  runner: string;
  status: ExecutionStatus;
  parameters: Record<string, unknown>;
  /** Names of parameters whose values are secret. */
  secretParameters: string[];
  result?: unknown;
  /** Human-readable error when the execution failed before or around the action. */
  error?: string;
  context: ExecutionContext;
  log: StatusLogEntry[];
  start_timestamp: string;
  end_timestamp?: string;
  attempt: number;
  lease?: Lease;
  idempotencyKey?: string;
  /** Epoch milliseconds when the sweeper last sent it to its queue again (its message may have been lost). */
  swept_at?: number;
  /** TTL attribute, epoch seconds. */
  expires_at: number;
  /** A pending inquiry: epoch milliseconds when its ttl runs out (the sweeper then expires it). */
  inquiry_expires_at?: number;
}

/** One stored chunk of an action's output (st2's ActionExecutionOutputDB, chunked). */
export interface OutputRecord {
  execution_id: string;
  /** Position of the chunk in the execution's output, from 0, strictly increasing. */
  seq: number;
  action_ref: string;
  runner_ref: string;
  timestamp: string;
  output_type: OutputType;
  /** One or more whole lines (each ending in "\n"), or a part of a line longer than a chunk. */
  data: string;
  expires_at: number;
}

export type OutputType = 'stdout' | 'stderr';

export const SECRET_MASK = '********';

/** An execution as a listing has it: what the byTime index holds (byParent adds `result`); `get` has the rest. */
export type ExecutionListing = Pick<Execution, 'id' | 'action' | 'runner' | 'status' | 'context' | 'start_timestamp' | 'end_timestamp' | 'error' | 'result'>;
