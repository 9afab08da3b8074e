import { NotFoundError, ValidationError } from '../model/errors.ts';
import type { Execution } from '../model/execution.ts';
import { planRetry } from '../policies/retry.ts';
import type { ExecutionService } from '../request/service.ts';
import type { DispatchDeps } from './types.ts';

/**
 * Applies the action's `action.retry` policies to an execution that ended: creates its retry (a new
 * execution, `context.policies.retry` saying which policy, which retry and of what) under the key
 * `retryKey(execution.id)` (a conditional write), so that every delivery of the ended execution's
 * message asks for the same one: the first creates it, the others find it (and send it again while it
 * waits). Called before the message is deleted, so a crash or a failed send in between loses no retry.
 * @returns the retry, when there is one
 */
export async function applyRetryPolicy(
  execution: Execution,
  deps: Pick<DispatchDeps, 'catalog' | 'log' | 'store' | 'queue'>,
  service: Pick<ExecutionService, 'prepare'>,
): Promise<Execution | undefined> {
  const policies = deps.catalog.policies?.().forAction(execution.action).retry ?? [];
  if (policies.length === 0) return undefined;
  const plan = planRetry(execution, policies);
  const log = deps.log.child({ executionId: execution.id, action: execution.action });
  if (!plan.retry) {
    log.debug('not retried', { why: plan.why });
    return undefined;
  }
  let prepared;
  try {
    prepared = service.prepare(execution.action, execution.parameters);
  } catch (error) {
    // The action is gone or its parameters no longer pass: a retry would be refused the same way.
    if (!(error instanceof ValidationError || error instanceof NotFoundError)) throw error;
    log.warn('retry refused', { policy: plan.policy.ref, error: error.message });
    return undefined;
  }
  const { execution: retry, created } = await deps.store.create({
    action: execution.action,
    runner: prepared.action.runner_type,
    parameters: execution.parameters,
    secretParameters: prepared.secretNames,
    idempotencyKey: plan.idempotencyKey,
    context: plan.context,
  });
  // Sent while it waits, on every delivery: a send that failed before is made again (a duplicate is
  // harmless); a failure here fails this delivery, so the ended execution's message comes back.
  if (retry.status === 'requested') {
    const delaySeconds = Math.ceil(Math.max(0, Number(retry.context.notBefore ?? 0) - Date.now()) / 1000);
    await deps.queue.send('actions', { executionId: retry.id }, delaySeconds);
  }
  log.info(created ? 'retry requested' : 'retry was already requested', { policy: plan.policy.ref, retryId: retry.id, retry: plan.context.policies?.retry });
  return retry;
}
