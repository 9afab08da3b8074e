/**
 * The conductor's entry points: start a workflow, apply a child's completion, cancel it, and read
 * its task statuses and static action references. Each takes a state and returns a new one with
 * the commands the engine carries out; the steps live in run.ts, launch.ts, completion.ts,
 * transitions.ts and settle.ts.
 */
import { renderValue } from '../expressions/index.ts';
import type { DatastoreLookup } from '../expressions/types.ts';
import type { WorkflowSpec } from '../spec/types.ts';
import { errorMessage } from './error-messages.ts';
import { Run } from './run.ts';
import { settle } from './settle.ts';
import type { ConductorResult, StartMeta, TaskCompletedEvent, TaskRun, TaskRunStatus, TaskStatusEntry, WorkflowState } from './types.ts';

export { ITEM_BYTES_PER_STEP, ITEMS_PER_STEP } from './launch.ts';

function copyState(state: WorkflowState): WorkflowState {
  return structuredClone(state);
}

/**
 * The first context: input (runtime values as data, else rendered defaults) then vars, in
 * orquesta's order. Errors are logged on the run.
 */
function renderInputAndVars(run: Run, spec: WorkflowSpec, input: Record<string, unknown>): Record<string, unknown> {
  const rolling: Record<string, unknown> = {};
  for (const declared of spec.input) {
    try {
      // As orquesta: an input given no value and declaring no default is null (the action's
      // metadata is where `required` is enforced, before the workflow starts). Unlike orquesta,
      // only the default (written in the workflow) is evaluated: a value given at run time is
      // data, whatever it holds, so a caller can never run an expression.
      if (Object.hasOwn(input, declared.name) && input[declared.name] !== undefined) rolling[declared.name] = structuredClone(input[declared.name]);
      else rolling[declared.name] = declared.hasDefault ? renderValue(declared.default, run.expressionContext(rolling)) : null;
    } catch (error) {
      run.logError({ message: errorMessage(error) });
    }
  }
  if (run.state.errors.length > 0) return rolling;
  for (const variable of spec.vars) {
    try {
      rolling[variable.name] = renderValue(variable.value, run.expressionContext(rolling));
    } catch (error) {
      run.logError({ message: errorMessage(error) });
    }
  }
  return rolling;
}

/**
 * Start a workflow: input (runtime values as data, else rendered defaults) then vars, in
 * orquesta's order, and schedule the start tasks. Missing required input (no default) fails the workflow.
 */
export function startWorkflow(spec: WorkflowSpec, input: Record<string, unknown>, meta: StartMeta): ConductorResult {
  const state: WorkflowState = {
    v: 1,
    executionId: meta.executionId,
    status: 'running',
    contexts: [],
    routes: [[]],
    runs: [],
    barriers: [],
    errors: [],
    ...(meta.maxTaskRuns !== undefined ? { maxTaskRuns: meta.maxTaskRuns } : {}),
    ...(meta.st2 !== undefined ? { st2: meta.st2 } : {}),
  };
  const run = new Run(spec, state, meta.st2 ?? {}, meta.datastore);
  const rolling = renderInputAndVars(run, spec, input);
  if (state.errors.length > 0) {
    state.status = 'failed';
    state.done = true;
    state.output = null;
    return { state, commands: [{ type: 'complete', status: 'failed', output: null, errors: state.errors.slice() }] };
  }
  state.contexts.push(rolling);
  for (const name of spec.graph.startTasks) run.enqueue(run.newRun(name, 0, [0]));
  run.drain();
  settle(run);
  return { state, commands: run.commands };
}

const STATUS_MAP: Record<string, TaskRunStatus> = {
  succeeded: 'succeeded',
  failed: 'failed',
  timeout: 'failed',
  abandoned: 'failed',
  canceled: 'canceled',
};

/** Why an event is ignored (its task or item is not running), or undefined when it applies. */
function ignoredBecause(state: WorkflowState, event: TaskCompletedEvent): string | undefined {
  if (state.done) return 'workflow already completed';
  const found = state.runs.find((taskRun) => taskRun.id === event.taskId && !taskRun.cmd);
  if (!found) return `unknown task id "${event.taskId}"`;
  if (found.status !== 'running' || found.retried) return `task "${event.taskId}" already completed`;
  if (!STATUS_MAP[event.status]) throw new TypeError(`invalid task completion status "${event.status}"`);
  if (found.items) {
    const itemIndex = event.itemIndex;
    if (itemIndex === undefined || !Number.isInteger(itemIndex) || found.items.status[itemIndex] !== 'running') {
      return `item ${String(itemIndex)} of task "${event.taskId}" is not running`;
    }
  }
  return undefined;
}

/**
 * A child execution finished. Idempotent: an event for a task (or item) that is not running
 * any more is ignored and yields no commands.
 */
export function onTaskCompleted(
  spec: WorkflowSpec,
  state: WorkflowState,
  event: TaskCompletedEvent,
  options: { datastore?: DatastoreLookup } = {},
): ConductorResult {
  const ignored = ignoredBecause(state, event);
  if (ignored !== undefined) return { state, commands: [], ignored };
  const status = STATUS_MAP[event.status];
  const next = copyState(state);
  const run = new Run(spec, next, {}, options.datastore);
  const target = next.runs.find((taskRun) => taskRun.id === event.taskId && !taskRun.cmd) as TaskRun;
  const statusBefore = next.status;
  if (target.items) run.itemCompleted(target, event.itemIndex as number, status, event.result ?? null);
  else run.complete(target, status, event.result ?? null);
  run.drain();
  if (next.status === 'canceling' && statusBefore !== 'canceling') {
    const others = run.activeRuns().map((taskRun) => taskRun.id);
    if (others.length > 0) run.commands.push({ type: 'cancel', taskIds: others });
  }
  settle(run);
  return { state: next, commands: run.commands };
}

/** Cancel the workflow: nothing new starts, running children are asked to cancel; it ends `canceled` once they have all completed. */
export function cancelWorkflow(spec: WorkflowSpec, state: WorkflowState): ConductorResult {
  if (state.done) return { state, commands: [], ignored: 'workflow already completed' };
  if (state.status === 'canceling') return { state, commands: [], ignored: 'workflow already canceling' };
  const next = copyState(state);
  const run = new Run(spec, next, {});
  next.status = 'canceling';
  const active = run.activeRuns().map((taskRun) => taskRun.id);
  if (active.length > 0) run.commands.push({ type: 'cancel', taskIds: active });
  settle(run);
  return { state: next, commands: run.commands };
}

/** Every task run (and item) for a `--show-tasks` tree, in the order they started. */
export function taskStatuses(state: WorkflowState): TaskStatusEntry[] {
  const entries: TaskStatusEntry[] = [];
  for (const taskRun of state.runs) {
    if (taskRun.cmd) continue;
    const entry: TaskStatusEntry = { name: taskRun.name, taskId: taskRun.id, route: taskRun.route, status: taskRun.status };
    if (taskRun.attempt) entry.attempt = taskRun.attempt;
    entries.push(entry);
    taskRun.items?.status.forEach((itemStatus, itemIndex) => {
      entries.push({ name: taskRun.name, taskId: taskRun.id, route: taskRun.route, status: itemStatus ?? 'pending', itemIndex });
    });
  }
  return entries;
}
