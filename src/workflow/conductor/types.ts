import type { DatastoreLookup } from '../expressions/types.ts';
/** Workflow status as the conductor tracks it. `failed` may still have running tasks (fail fast: nothing new starts, the workflow completes once they end). */
export type WorkflowStatus = 'running' | 'failed' | 'canceling' | 'succeeded' | 'canceled';

/** Task run status. `timeout` and `abandoned` completions become `failed` (orquesta's task state machine). */
export type TaskRunStatus = 'running' | 'succeeded' | 'failed' | 'canceled';

/** Completion status of a child execution as reported by the engine. */
export type ChildStatus = 'succeeded' | 'failed' | 'timeout' | 'canceled' | 'abandoned';

/** An error as orquesta reports it (`result.errors` of a failed workflow). */
export interface WorkflowError {
  type: 'error';
  message: string;
  task_id?: string;
  route?: number;
  task_transition_id?: string;
  result?: unknown;
}

export interface ItemsState {
  /** Evaluated concurrency; null = unlimited. */
  concurrency: number | null;
  /** Per item: null = not started yet, else its status. */
  status: Array<TaskRunStatus | null>;
  results: unknown[];
  /** Set by a re-run: the earlier workflow executions (newest first) whose children hold the results of the items it kept. */
  from?: string[];
  /** Rendered action and input per item are not stored: items are rendered again when scheduled (same context, same result). */
}

/** One run of a task (a task re-entered in a loop, or retried, gets a new run and a new id). */
export interface TaskRun {
  /** Unique, deterministic id: `name[.rROUTE][.OCCURRENCE][.retryN]`. */
  id: string;
  name: string;
  route: number;
  /** Indexes into `WorkflowState.contexts`, merged in order, forming the task's inbound context. (Field names here are the saved state's: kept as they are so states saved before still read.) */
  ctxs: number[];
  status: TaskRunStatus;
  /** Retries done so far for this task (0 for the first attempt). */
  attempt?: number;
  result?: unknown;
  items?: ItemsState;
  /** Transition ids (`<next>__t<index>`) whose criteria were met. */
  next?: string[];
  /** Part of the terminal context the workflow output renders from. */
  term?: boolean;
  /** This run was superseded by a retry. */
  retried?: boolean;
  /** Engine command pseudo-run (`continue`, `noop`, `fail`): not shown as a task. */
  cmd?: boolean;
}

/** A join task waiting for its inbound branches. */
export interface Barrier {
  name: string;
  route: number;
  ctxs: number[];
  /** Inbound task names whose transition into the join was satisfied. */
  arrived: string[];
  /** The join task has been started. */
  fired?: boolean;
}

/** JSON-safe, compact workflow state (stored by the engine between events). */
export interface WorkflowState {
  v: 1;
  executionId: string;
  status: WorkflowStatus;
  /** contexts[0] = rendered input + vars; later entries = values published by one transition. */
  contexts: Array<Record<string, unknown>>;
  /** Route details (split transitions taken); route 0 = []. */
  routes: string[][];
  runs: TaskRun[];
  barriers: Barrier[];
  errors: WorkflowError[];
  /** Set once the workflow has completed (a `complete` command was emitted). */
  output?: Record<string, unknown> | null;
  done?: boolean;
  /** Task runs this workflow may start (fixed at start); the next one fails it at once. Unset: no limit. */
  maxTaskRuns?: number;
  /** `ctx(st2)`: the st2 facts given at start (kept, so every later step sees them too). */
  st2?: Record<string, unknown>;
}

export interface ScheduleCommand {
  type: 'schedule';
  taskId: string;
  taskName: string;
  action: string;
  input: Record<string, unknown>;
  itemIndex?: number;
  delaySeconds?: number;
}

export interface CancelCommand {
  type: 'cancel';
  taskIds: string[];
}

export interface CompleteCommand {
  type: 'complete';
  status: 'succeeded' | 'failed' | 'canceled';
  output: Record<string, unknown> | null;
  errors: WorkflowError[];
}

export type Command = ScheduleCommand | CancelCommand | CompleteCommand;

export interface ConductorResult {
  state: WorkflowState;
  commands: Command[];
  /** Set when the event was ignored (duplicate, unknown task id, workflow already complete). */
  ignored?: string;
}

export interface TaskCompletedEvent {
  taskId: string;
  status: ChildStatus;
  result: unknown;
  itemIndex?: number;
}

export interface StartMeta {
  executionId: string;
  /** Extra st2 facts for `st2()`-style expressions (user, api_url, ...). */
  st2?: Record<string, unknown>;
  /** Task runs the workflow may start (loops and retries included); kept in its state. Unset: no limit. */
  maxTaskRuns?: number;
  /** The datastore for `st2kv()` while starting. */
  datastore?: DatastoreLookup;
}

export interface TaskStatusEntry {
  name: string;
  taskId: string;
  route: number;
  status: TaskRunStatus | 'pending';
  itemIndex?: number;
  attempt?: number;
}
