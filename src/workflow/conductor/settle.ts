/**
 * Settling the workflow at the end of a step: once nothing runs (or at once when the task run limit
 * was reached), decide its final status, render its output from the terminal context, and emit
 * the `complete` command.
 */
import { renderValue } from '../expressions/index.ts';
import { errorMessage } from './error-messages.ts';
import type { Run } from './run.ts';

type FinalStatus = 'succeeded' | 'failed' | 'canceled';

/** The context the output renders from: the terminal runs' contexts merged (the input and vars once). */
function terminalContext(run: Run): Record<string, unknown> {
  const terminalRuns = run.state.runs.filter((taskRun) => taskRun.term);
  if (terminalRuns.length === 0) return {};
  const context = run.mergeContexts(terminalRuns[0].ctxs);
  for (const taskRun of terminalRuns.slice(1)) Object.assign(context, run.mergeContexts(taskRun.ctxs.filter((contextIndex) => contextIndex !== 0)));
  return context;
}

/** The workflow's `output`, each value rendered with those before it in view; an error is logged and the value left out. */
function renderOutput(run: Run): { value: Record<string, unknown> | null; errors: boolean } {
  if (run.spec.output.length === 0) return { value: null, errors: false };
  run.currentRoute = 0;
  const rolling = terminalContext(run);
  const output: Record<string, unknown> = {};
  let errors = false;
  for (const entry of run.spec.output) {
    try {
      const value = renderValue(entry.value, run.expressionContext(rolling));
      rolling[entry.name] = value;
      output[entry.name] = value;
    } catch (error) {
      errors = true;
      run.logError({ message: errorMessage(error) });
    }
  }
  return { value: Object.keys(output).length > 0 ? output : null, errors };
}

/** Cancel every active run (the task run limit was reached: the workflow ends in this step). */
function cancelActive(run: Run): void {
  const active = run.activeRuns();
  if (active.length > 0) run.commands.push({ type: 'cancel', taskIds: active.map((taskRun) => taskRun.id) });
  for (const taskRun of active) {
    taskRun.status = 'canceled';
    if (taskRun.items) taskRun.items.status = taskRun.items.status.map((status) => (status === 'running' ? 'canceled' : status));
  }
}

/** The final status from the workflow's status; a join some branches reached but never fired fails it. */
function finalStatus(run: Run): FinalStatus {
  if (run.state.status === 'canceling' || run.state.status === 'canceled') return 'canceled';
  if (run.state.status !== 'running') return 'failed';
  const unreachable = run.state.barriers.filter((barrier) => !barrier.fired);
  for (const barrier of unreachable) {
    run.logError({
      message: `UnreachableJoinError: The join task|route "${barrier.name}|${barrier.route}" is partially satisfied but unreachable.`,
      task_id: barrier.name,
      route: barrier.route,
    });
  }
  return unreachable.length > 0 ? 'failed' : 'succeeded';
}

/** Complete the workflow if nothing is left running (or at once, canceling what runs, when the task run limit was reached). */
export function settle(run: Run): void {
  if (run.state.done) return;
  if (run.aborted) cancelActive(run);
  else if (run.activeRuns().length > 0) return;
  let status = finalStatus(run);
  if (run.lastCompleted) run.lastCompleted.term = true;
  const output = renderOutput(run);
  if (output.errors && status !== 'canceled') status = 'failed';
  run.state.status = status;
  run.state.done = true;
  run.state.output = output.value;
  run.commands.push({ type: 'complete', status, output: output.value, errors: run.state.errors.slice() });
}
