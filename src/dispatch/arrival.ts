import { INQUIRER_RUNNER, isWorkflowRunner } from '../runners/registry.ts';
import type { ClaimFilter } from '../store/move-expression.ts';
import { dueBy } from './decide.ts';
import type { DispatchDeps } from './types.ts';

/**
 * Whether a message that names its execution's action (`{ executionId, action }`) may have the
 * execution claimed on arrival, before any read of its record: the action is one this function runs
 * at once as a process (not an inquiry, not a workflow, no concurrency policy whose slots come before
 * the claim). The claim then holds only for an execution of that action and runner that is due now
 * (the filter returned), so a wrong or stale name costs a refused write, whose `ALL_OLD` record is
 * judged as a read one would be, never a wrong claim. Undefined: the usual way (read, then decide).
 * @example const only = arrivalFilter(message.action, deps); if (only) await store.claim(id, owner, leaseMs, only);
 */
export function arrivalFilter(
  action: string | undefined,
  deps: Pick<DispatchDeps, 'catalog' | 'runner' | 'workflows'>,
  now = Date.now(),
): ClaimFilter | undefined {
  if (action === undefined || deps.workflows) return undefined;
  const runner = deps.catalog.get(action)?.runner_type;
  if (runner === undefined || runner === INQUIRER_RUNNER || isWorkflowRunner(runner) || !deps.runner(runner)) return undefined;
  if ((deps.catalog.policies?.().forAction(action).concurrency.length ?? 0) > 0) return undefined;
  return { action, runner, dueBy: dueBy(now) };
}
