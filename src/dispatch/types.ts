import type { KeyValueStore } from '../datastore/store.ts';
import type { ActionCatalog } from '../actions/types.ts';
import type { Config } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import type { Execution } from '../model/execution.ts';
import type { TaskCompletedMessage, WorkQueue } from '../queue/index.ts';
import type { Runner } from '../runners/types.ts';
import type { ExecutionStore } from '../store/executions.ts';
import type { OutputStore } from '../store/output.ts';
import type { SlotPool } from '../pool/slots.ts';
import type { PoolGate } from './pool-gate.ts';
import type { Waitlist } from './waitlist.ts';

/** Advances workflows; the dispatcher hands it workflow executions and task-completed events. */
export interface WorkflowDriver {
  start(execution: Execution): Promise<void>;
  onTaskCompleted(message: TaskCompletedMessage): Promise<void>;
}

/** Everything the dispatcher works with, built once per cold start (no SDK client: stores and queues only). */
export interface DispatchDeps {
  config: Config;
  store: ExecutionStore;
  output: Pick<OutputStore, 'writer' | 'lastSeq'>;
  queue: Pick<WorkQueue, 'send' | 'retryAfter' | 'deadLetter'>;
  catalog: ActionCatalog;
  runner(name: string): Runner | undefined;
  log: Logger;
  /** The datastore python actions reach through `self.action_service`. */
  kv?: KeyValueStore;
  workflows?: WorkflowDriver;
  /** The stage-wide slot pools (DynamoDB): what `action.concurrency` policies count running executions in. Without it, a concurrency policy cannot be enforced and its executions are refused. */
  slots?: SlotPool;
  /**
   * This container's door to its function's stage-wide pool (st2's `actions_pool_size` /
   * `workflows_pool_size`): an action runs, and a workflow step is taken, only while holding one of
   * its slots. None: no stage-wide bound (the per-invocation `parallelism` only).
   */
  gate?: PoolGate;
  /** The actions waiting for a slot of the actions pool (with `gate`): an action that finds it full joins it, a slot freed wakes the first. */
  waitlist?: Waitlist;
  /** Aborted (with the reason) when the process that runs this runtime shuts down: running actions are killed and recorded `abandoned`. */
  stopping: AbortSignal;
}
