/**
 * The working copy of a workflow state while one event is applied to it: the commands it produces,
 * the runs waiting to launch, errors and the workflow status, and creating new task runs. Launching
 * lives in launch.ts, completing in completion.ts; this class ties them together.
 */
import type { DatastoreLookup, ExpressionContext } from '../expressions/types.ts';
import type { WorkflowSpec } from '../spec/types.ts';
import { expressionContext, mergeContexts } from './context.ts';
import { completeTaskRun, completeItem } from './completion.ts';
import { errorMessage } from './error-messages.ts';
import { launchTaskRun } from './launch.ts';
import type { Command, TaskRun, TaskRunStatus, WorkflowError, WorkflowState } from './types.ts';

/** Working copy of a state plus the commands produced while advancing it. */
export class Run {
  readonly commands: Command[] = [];
  /** Runs to launch, in order (processed iteratively so action-less chains don't recurse). */
  private readonly queue: TaskRun[] = [];
  /** The run completed last: part of the terminal context when the workflow settles. */
  lastCompleted: TaskRun | undefined;
  /** Route of the task being rendered or completed (for `task(name)` lookups). */
  currentRoute = 0;
  /** With-items children scheduled in this step, and the bytes of their input: bounded so that one step's outbox fits its item. */
  itemsThisStep = 0;
  itemBytesThisStep = 0;
  /** Set when the task run limit was reached in this step: the workflow ends now, its running tasks are canceled. */
  aborted = false;

  constructor(
    readonly spec: WorkflowSpec,
    readonly state: WorkflowState,
    readonly st2: Record<string, unknown>,
    /** The datastore for `st2kv()` in this step. */
    readonly datastore?: DatastoreLookup,
  ) {}

  /** The inbound context of a run: the contexts at `contextIndexes` merged in order. */
  mergeContexts(contextIndexes: number[]): Record<string, unknown> {
    return mergeContexts(this.state, contextIndexes);
  }

  /** The expression context for `context`, seen from `route` (the current task's route by default). */
  expressionContext(context: Record<string, unknown>, extra: Partial<ExpressionContext> = {}, route = this.currentRoute): ExpressionContext {
    const built = expressionContext(this.state, this.st2, context, extra, route);
    return this.datastore ? { ...built, datastore: this.datastore } : built;
  }

  /** Record an error once (an identical error is not repeated). */
  logError(entry: Omit<WorkflowError, 'type'>): void {
    const error: WorkflowError = { type: 'error', ...entry };
    const key = JSON.stringify(error);
    if (!this.state.errors.some((logged) => JSON.stringify(logged) === key)) this.state.errors.push(error);
  }

  /** Fail fast: a running workflow becomes `failed` (nothing new starts; it completes once its tasks end). */
  failWorkflow(): void {
    if (this.state.status === 'running') this.state.status = 'failed';
  }

  /** Log an error raised while handling `taskRun` (optionally on one of its transitions) and fail the workflow. */
  failTask(taskRun: TaskRun, error: unknown, transitionId?: string): void {
    this.logError({ message: errorMessage(error), task_id: taskRun.name, route: taskRun.route, ...(transitionId ? { task_transition_id: transitionId } : {}) });
    this.failWorkflow();
  }

  isActive(taskRun: TaskRun): boolean {
    return taskRun.status === 'running' && !taskRun.retried && !taskRun.cmd;
  }

  activeRuns(): TaskRun[] {
    return this.state.runs.filter((taskRun) => this.isActive(taskRun));
  }

  /** Add a run of task `name` with a deterministic id (`name[.rROUTE][.OCCURRENCE][.retryN]`). */
  newRun(name: string, route: number, contextIndexes: number[], attempt = 0): TaskRun {
    const occurrence = this.state.runs.filter((taskRun) => taskRun.name === name && taskRun.route === route && !taskRun.cmd && !taskRun.attempt).length;
    const base = name + (route > 0 ? `.r${route}` : '');
    const first = attempt > 0 ? occurrence - 1 : occurrence;
    let id = base + (first > 0 ? `.${first + 1}` : '');
    if (attempt > 0) id += `.retry${attempt}`;
    const taskRun: TaskRun = { id, name, route, ctxs: contextIndexes, status: 'running' };
    if (attempt > 0) taskRun.attempt = attempt;
    this.state.runs.push(taskRun);
    return taskRun;
  }

  /** Remove a run that will not start after all. */
  dropRun(taskRun: TaskRun): void {
    this.state.runs = this.state.runs.filter((other) => other !== taskRun);
  }

  enqueue(taskRun: TaskRun): void {
    this.queue.push(taskRun);
  }

  /** Launch every queued run, including those queued while launching. */
  drain(): void {
    while (this.queue.length > 0) {
      const taskRun = this.queue.shift() as TaskRun;
      this.launch(taskRun);
    }
  }

  /** Start a run: schedule its action (or items), or complete it at once if it has no action. */
  launch(taskRun: TaskRun, retryDelay?: number): void {
    launchTaskRun(this, taskRun, retryDelay);
  }

  /** A run reached a terminal status: retry, publish, transition, update the workflow status. */
  complete(taskRun: TaskRun, status: TaskRunStatus, result: unknown, itemsLogged = false): void {
    completeTaskRun(this, taskRun, status, result, itemsLogged);
  }

  /** One item of a with-items run completed: schedule more items, or complete the run once none are left. */
  itemCompleted(taskRun: TaskRun, itemIndex: number, status: TaskRunStatus, result: unknown): void {
    completeItem(this, taskRun, itemIndex, status, result);
  }
}
