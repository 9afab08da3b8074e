/**
 * What expressions see: the inbound context of a task run (its published contexts merged in order),
 * `task(name)` lookups of earlier runs, and the expression context built from them.
 */
import type { ExpressionContext } from '../expressions/types.ts';
import type { TaskRun, WorkflowState } from './types.ts';

/** What `task(name)` returns inside an expression. */
export interface TaskLookupResult {
  task_id: string;
  task_name: string;
  route: number;
  status: string;
  result: unknown;
}

/** The contexts at `contextIndexes` merged in order (later values win): a task run's inbound context. */
export function mergeContexts(state: WorkflowState, contextIndexes: number[]): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const index of contextIndexes) Object.assign(merged, state.contexts[index]);
  return merged;
}

/** The result `task(name)` shows for a run: a with-items task whose results are not kept in the state (see storage.ts) shows its item statuses and results. */
function lookupResult(found: TaskRun): unknown {
  const items = found.items;
  if (items && found.result === undefined) {
    return { items: items.status.map((status, index) => ({ status: status ?? 'null', result: items.results[index] ?? null })) };
  }
  return found.result ?? null;
}

/**
 * `task(name)` for expressions: the latest run of `name` on `route` (or on a route it split from), else
 * the latest anywhere; `task(name, route=N)`: the latest run on route N only.
 */
export function taskLookup(state: WorkflowState, route: number): (name: string, onRoute?: number) => TaskLookupResult | undefined {
  return (name, onRoute) => {
    const runs = state.runs.filter((taskRun) => taskRun.name === name && !taskRun.cmd && (onRoute === undefined || taskRun.route === onRoute));
    if (runs.length === 0) return undefined;
    const routeDetails = state.routes[route] ?? [];
    const related = (taskRun: TaskRun): boolean =>
      taskRun.route === route || (state.routes[taskRun.route] ?? []).every((detail) => routeDetails.includes(detail));
    const found = runs.filter((taskRun) => taskRun.route === route).pop() ?? runs.filter(related).pop() ?? (runs.pop() as TaskRun);
    return { task_id: found.name, task_name: found.name, route: found.route, status: found.status, result: lookupResult(found) };
  };
}

/** The expression context for `context` seen from `route`: `ctx()`, `task()`, `st2()`, plus `extra` (item, result, current task). */
export function expressionContext(
  state: WorkflowState,
  st2: Record<string, unknown>,
  context: Record<string, unknown>,
  extra: Partial<ExpressionContext>,
  route: number,
): ExpressionContext {
  return { ctx: context, task: taskLookup(state, route), st2: { action_execution_id: state.executionId, ...state.st2, ...st2 }, ...extra };
}
