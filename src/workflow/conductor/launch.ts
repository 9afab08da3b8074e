/**
 * Launching a task run: refuse it beyond the task run limit, schedule its action, or its items a
 * page at a time within their concurrency, or complete it at once when it has no action.
 */
import type { TaskSpec } from '../spec/types.ts';
import { renderAction, renderConcurrency, renderDelay, itemValues } from './render.ts';
import type { Run } from './run.ts';
import type { TaskRun } from './types.ts';

/** With-items children one step schedules at most (with at least one running): a 10,000-item task starts page by page, its concurrency still honored. */
export const ITEMS_PER_STEP = 100;
/** Bytes of rendered item input one step schedules at most (the step's commands are saved on the workflow's 400 KB item). */
export const ITEM_BYTES_PER_STEP = 64 * 1024;

/** Refuses a run beyond the workflow's task run limit: the workflow fails at once (a loop without an end stops here). */
function overLimit(run: Run, taskRun: TaskRun): boolean {
  const limit = run.state.maxTaskRuns;
  if (limit === undefined || run.state.runs.filter((other) => !other.cmd).length <= limit) return false;
  run.dropRun(taskRun);
  run.logError({
    message: `task run limit reached: workflow ${run.state.executionId} - task "${taskRun.name}" would be task run ${limit + 1}, the limit is ${limit} task runs (ACTIONRUNNER_WORKFLOW_MAX_TASK_RUNS)`,
    task_id: taskRun.name,
    route: taskRun.route,
  });
  run.state.status = 'failed';
  run.aborted = true;
  return true;
}

/** A with-items task: record its items, then schedule the first page (or complete it at once when it has none). */
function launchItems(run: Run, taskRun: TaskRun, task: TaskSpec, context: Record<string, unknown>, delay: number | undefined): void {
  const values = itemValues(run, task, context);
  const concurrency = renderConcurrency(run, task, context);
  taskRun.items = { concurrency, status: values.map(() => null), results: values.map(() => null) };
  if (values.length === 0) {
    run.complete(taskRun, 'succeeded', []);
    return;
  }
  scheduleItems(run, taskRun, delay);
}

/** Start a run: schedule its action (or items), or complete it at once if it has no action. */
export function launchTaskRun(run: Run, taskRun: TaskRun, retryDelay?: number): void {
  if (run.aborted || overLimit(run, taskRun)) {
    run.dropRun(taskRun);
    return;
  }
  const task = run.spec.tasks[taskRun.name];
  const context = run.mergeContexts(taskRun.ctxs);
  run.currentRoute = taskRun.route;
  try {
    const delay = retryDelay ?? renderDelay(run, task, context);
    if (!task.action) {
      run.complete(taskRun, 'succeeded', null);
      return;
    }
    if (task.with) {
      launchItems(run, taskRun, task, context, delay);
      return;
    }
    const { action, input } = renderAction(run, task, context);
    run.commands.push({ type: 'schedule', taskId: taskRun.id, taskName: taskRun.name, action, input, ...(delay ? { delaySeconds: delay } : {}) });
  } catch (error) {
    taskRun.status = 'failed';
    run.failTask(taskRun, error);
  }
}

/** Schedule not-yet-started items up to the concurrency limit. Throws on rendering errors. */
export function scheduleItems(run: Run, taskRun: TaskRun, delay?: number): void {
  const task = run.spec.tasks[taskRun.name];
  const items = taskRun.items as NonNullable<TaskRun['items']>;
  const context = run.mergeContexts(taskRun.ctxs);
  run.currentRoute = taskRun.route;
  const values = itemValues(run, task, context);
  let active = items.status.filter((status) => status === 'running').length;
  for (let index = 0; index < items.status.length; index++) {
    if (items.concurrency !== null && active >= items.concurrency) break;
    if (items.status[index] !== null) continue;
    // A page per step; the rest follows as items complete (each completion schedules again), so one always runs.
    if (active > 0 && (run.itemsThisStep >= ITEMS_PER_STEP || run.itemBytesThisStep >= ITEM_BYTES_PER_STEP)) break;
    const { action, input } = renderAction(run, task, context, { value: values[index] });
    items.status[index] = 'running';
    active++;
    run.itemsThisStep++;
    run.itemBytesThisStep += Buffer.byteLength(JSON.stringify(input));
    run.commands.push({
      type: 'schedule',
      taskId: taskRun.id,
      taskName: taskRun.name,
      action,
      input,
      itemIndex: index,
      ...(delay ? { delaySeconds: delay } : {}),
    });
  }
}
