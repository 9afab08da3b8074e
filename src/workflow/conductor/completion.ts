/**
 * A task run (or one of its items) reached a terminal status: record its outcome, retry it when its
 * `retry` asks for it, take its transitions, update the workflow status, and launch what follows.
 */
import { evaluate } from '../expressions/index.ts';
import { EXECUTION_FAILED } from './error-messages.ts';
import { scheduleItems } from './launch.ts';
import type { Run } from './run.ts';
import { outcomeContext, takeTransitions, type Outcome, type TransitionsTaken } from './transitions.ts';
import type { TaskRun, TaskRunStatus } from './types.ts';

/** One item of a with-items run completed: schedule more items, or complete the run once none are left. */
export function completeItem(run: Run, taskRun: TaskRun, itemIndex: number, status: TaskRunStatus, result: unknown): void {
  const items = taskRun.items as NonNullable<TaskRun['items']>;
  items.status[itemIndex] = status;
  items.results[itemIndex] = result;
  if (status === 'failed') run.logError({ message: EXECUTION_FAILED, task_id: taskRun.name, route: taskRun.route, result });
  const notStarted = items.status.some((itemStatus) => itemStatus === null);
  if (run.state.status === 'running' && notStarted) {
    try {
      scheduleItems(run, taskRun);
    } catch (error) {
      run.failTask(taskRun, error);
    }
  }
  if (items.status.some((itemStatus) => itemStatus === 'running')) return;
  if (items.status.some((itemStatus) => itemStatus === null) && run.state.status === 'running') return;
  run.complete(taskRun, itemsStatus(run, items.status), items.results.slice(), true);
}

/** The status of a with-items run none of whose items runs any more. */
function itemsStatus(run: Run, statuses: Array<TaskRunStatus | null>): TaskRunStatus {
  if (statuses.some((itemStatus) => itemStatus === 'canceled')) return 'canceled';
  if (statuses.some((itemStatus) => itemStatus === 'failed')) return 'failed';
  if (statuses.some((itemStatus) => itemStatus === null)) return run.state.status === 'failed' ? 'failed' : 'canceled';
  return 'succeeded';
}

/** A run reached a terminal status: retry, publish, transition, update the workflow status. */
export function completeTaskRun(run: Run, taskRun: TaskRun, status: TaskRunStatus, result: unknown, itemsLogged: boolean): void {
  const outcome: Outcome = { taskRun, status, result };
  recordOutcome(run, outcome);
  const taskContext = run.mergeContexts(taskRun.ctxs);
  if (retryIfWanted(run, outcome, taskContext)) return;
  if (status === 'failed' && !itemsLogged) run.logError({ message: EXECUTION_FAILED, task_id: taskRun.name, route: taskRun.route, result });
  const taken = takeTransitions(run, outcome, taskContext);
  updateWorkflowStatus(run, status, taken);
  launchStaged(run, taken);
}

/** The run's status and result (a with-items run's results stay on its items). */
function recordOutcome(run: Run, outcome: Outcome): void {
  const taskRun = outcome.taskRun;
  run.currentRoute = taskRun.route;
  taskRun.status = outcome.status;
  if (!taskRun.items) taskRun.result = outcome.result;
  run.lastCompleted = taskRun;
}

/** Launch the next attempt when the task's `retry` asks for it; true when it did. An error in `retry` fails the workflow. */
function retryIfWanted(run: Run, outcome: Outcome, taskContext: Record<string, unknown>): boolean {
  const { taskRun, status } = outcome;
  const retry = run.spec.graph.retry[taskRun.name];
  if (!retry || run.state.status !== 'running' || status === 'canceled') return false;
  try {
    const count = typeof retry.count === 'string' ? evaluate(retry.count, run.expressionContext(taskContext)) : retry.count;
    if (typeof count !== 'number' || !Number.isInteger(count)) throw new TypeError(`The retry count for task "${taskRun.name}" is not an integer.`);
    const attempt = taskRun.attempt ?? 0;
    const wanted =
      attempt < count && (retry.when === undefined ? status === 'failed' : Boolean(evaluate(retry.when, outcomeContext(run, outcome, taskContext))));
    if (!wanted) return false;
    const delay = typeof retry.delay === 'string' ? evaluate(retry.delay, run.expressionContext(taskContext)) : retry.delay;
    if (delay !== undefined && (typeof delay !== 'number' || !Number.isInteger(delay))) {
      throw new TypeError(`The retry delay for task "${taskRun.name}" is not an integer.`);
    }
    taskRun.retried = true;
    run.launch(run.newRun(taskRun.name, taskRun.route, taskRun.ctxs, attempt + 1), (delay as number | undefined) ?? 0);
    return true;
  } catch (error) {
    run.failTask(taskRun, error);
    return false;
  }
}

/** Orquesta's workflow state machine, reduced to the statuses we have: a canceled task cancels the workflow, an unremediated failure fails it. */
function updateWorkflowStatus(run: Run, status: TaskRunStatus, taken: TransitionsTaken): void {
  if (status === 'canceled') {
    if (run.state.status === 'running' || run.state.status === 'failed') run.state.status = 'canceling';
  } else if (status === 'failed' && !taken.hasNext) {
    run.failWorkflow();
  }
  if (taken.manualFail) run.failWorkflow();
}

/** Queue what was staged: only while running, or remediation tasks requested along with `fail`. */
function launchStaged(run: Run, taken: TransitionsTaken): void {
  for (const staged of taken.staged) {
    if (run.state.status === 'running' || (taken.manualFail && run.state.status === 'failed')) run.enqueue(staged);
    else run.dropRun(staged);
  }
}
