/**
 * Re-running a completed workflow from some of its tasks (orquesta's `request_workflow_rerun`):
 * the state is kept (contexts, the runs that succeeded, published values) and each named task runs
 * again with the context it had; a with-items task runs again every item (reset) or only those
 * that did not succeed (no reset). Its errors are forgotten; the workflow goes on from there.
 */
import type { DatastoreLookup } from '../expressions/types.ts';
import type { WorkflowSpec } from '../spec/types.ts';
import { scheduleItems } from './launch.ts';
import { Run } from './run.ts';
import { settle } from './settle.ts';
import type { ConductorResult, TaskRun, WorkflowState } from './types.ts';

/** A re-run the state cannot give: the workflow still runs, or a task never ran in it. Messages are orquesta's. */
export class RerunError extends Error {
  override name = 'RerunError';
}

export interface RerunRequest {
  /** Task names to run again. */
  tasks: string[];
  /** Of those, the with-items tasks whose every item runs again (the others re-run only their failed items). */
  reset: string[];
}

/** The run of `name` a re-run starts from: its latest (a retried one is superseded by its retry). */
function latestRun(state: WorkflowState, name: string): TaskRun | undefined {
  return state.runs.filter((run) => run.name === name && !run.cmd && !run.retried).at(-1);
}

/** Throws a RerunError unless every task of the request can run again in this state. */
export function checkRerun(state: WorkflowState, request: RerunRequest): void {
  if (!state.done) throw new RerunError('Unable to rerun workflow because it is not in a completed state.');
  const missing = request.tasks.filter((name) => !latestRun(state, name));
  if (missing.length > 0) {
    throw new RerunError(`Unable to rerun task|route(s) because it doesn't exist or isn't rerunnable: ${missing.map((name) => `${name}|0`).join(', ')}`);
  }
}

/**
 * The state of the new execution `executionId` that re-runs `request.tasks` of the completed
 * workflow `state` (saved by execution `from`), with the commands that start them.
 */
export function rerunWorkflow(
  spec: WorkflowSpec,
  state: WorkflowState,
  request: RerunRequest,
  meta: { executionId: string; from: string; datastore?: DatastoreLookup },
): ConductorResult {
  checkRerun(state, request);
  const next = structuredClone(state);
  next.executionId = meta.executionId;
  next.status = 'running';
  next.done = false;
  delete next.output;
  next.errors = next.errors.filter((error) => error.task_id === undefined || !request.tasks.includes(error.task_id));
  const run = new Run(spec, next, next.st2 ?? {}, meta.datastore);
  for (const name of [...new Set(request.tasks)].sort()) {
    for (const other of next.runs) if (other.name === name) delete other.term;
    const previous = latestRun(next, name) as TaskRun;
    if (!previous.items) {
      run.enqueue(run.newRun(name, previous.route, previous.ctxs));
      continue;
    }
    const reset = request.reset.includes(name);
    const items = previous.items;
    const again = items.status.map((status) => reset || status !== 'succeeded');
    items.status = items.status.map((status, index) => (again[index] ? null : status));
    items.results = items.status.map((_, index) => (again[index] ? null : (items.results[index] ?? null)));
    items.from = [meta.from, ...(items.from ?? [])];
    previous.status = 'running';
    delete previous.result;
    if (again.some(Boolean)) scheduleItems(run, previous);
    else run.complete(previous, 'succeeded', items.results);
  }
  run.drain();
  settle(run);
  return { state: next, commands: run.commands };
}
