/**
 * Checks a request to re-run a workflow from some of its tasks (`execution re-run <id> --tasks`)
 * before anything is created, so that the user hears at once why it cannot be: not a workflow,
 * still running, a task it does not have or that never ran, a `--no-reset` task not re-run.
 */
import { isWorkflowRunner } from '../actions/runner-parameters.ts';
import type { ActionCatalog } from '../actions/types.ts';
import { ValidationError } from '../model/errors.ts';
import type { Execution } from '../model/execution.ts';
import { isTerminal } from '../model/status.ts';
import { checkRerun, fromStored, RerunError } from './conductor/index.ts';
import { loadWorkflow } from './spec/index.ts';
import type { WorkflowExecution } from './workflow-record.ts';

export interface TaskRerun {
  ref: string;
  tasks: string[];
  reset: string[];
}

/** The `context["re-run"]` of the new execution, or a ValidationError saying what is wrong. */
export async function planTaskRerun(original: Execution, catalog: Pick<ActionCatalog, 'get'>, tasks: string[], noReset: string[] = []): Promise<TaskRerun> {
  const fail = (detail: string) => new ValidationError(`cannot re-run tasks: execution ${original.id} - ${detail}`, { context: { executionId: original.id } });
  if (!isWorkflowRunner(original.runner))
    throw fail(`it is a ${original.runner} execution of ${original.action}; --tasks re-runs tasks of an orquesta workflow`);
  if (tasks.length === 0) throw fail('--tasks names no task');
  if (!isTerminal(original.status)) throw fail(`it is ${original.status}. Unable to rerun workflow because it is not in a completed state.`);
  const stored = (original as WorkflowExecution).workflow_state;
  if (!stored) throw fail('the workflow never started (it failed before its first task), so no task of it can run again: re-run it whole');
  const action = catalog.get(original.action);
  if (!action?.entryPointPath) throw fail(`its action ${original.action} is not loaded here`);
  const spec = await loadWorkflow(action.entryPointPath);
  const unknown = tasks.filter((name) => !(name in spec.tasks));
  if (unknown.length > 0)
    throw fail(`${original.action} has no task ${unknown.map((n) => `"${n}"`).join(', ')} (its tasks: ${Object.keys(spec.tasks).join(', ')})`);
  const notRerun = noReset.filter((name) => !tasks.includes(name));
  if (notRerun.length > 0) throw fail(`--no-reset ${notRerun.join(',')}: only a task given to --tasks can keep its items (--tasks ${tasks.join(',')})`);
  try {
    checkRerun(fromStored(stored), { tasks, reset: [] });
  } catch (error) {
    if (error instanceof RerunError) throw fail(`${error.message} (a task re-runs only once it ran)`);
    throw error;
  }
  const unique = [...new Set(tasks)];
  return { ref: original.id, tasks: unique, reset: unique.filter((name) => !noReset.includes(name)) };
}
