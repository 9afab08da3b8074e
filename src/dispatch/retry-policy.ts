import { NotFoundError, ValidationError } from '../model/errors.ts';
import type { Execution } from '../model/execution.ts';
import { planRetry } from '../policies/retry.ts';
import type { ExecutionService } from '../request/service.ts';
import type { DispatchDeps } from './types.ts';

/**
 * Applies the action's `action.retry` policies to an execution that ended: requests its retry (a new
 * execution, `context.policies.retry` saying which policy, which retry and of what) under the key
 * `retryKey(execution.id)`, so that every delivery of the ended execution's message asks for the same
 * one: the first creates it, the others find it (and send it again while it waits: a duplicate is
 * harmless). Called before the message is deleted, so a crash in between loses no retry.
 * @returns the retry, when there is one
 */
export async function applyRetryPolicy(
  execution: Execution,
  deps: Pick<DispatchDeps, 'catalog' | 'log'>,
  service: Pick<ExecutionService, 'request'>,
): Promise<Execution | undefined> {
  const policies = deps.catalog.policies?.().forAction(execution.action).retry ?? [];
  if (policies.length === 0) return undefined;
  const plan = planRetry(execution, policies);
  const log = deps.log.child({ executionId: execution.id, action: execution.action });
  if (!plan.retry) {
    log.debug('not retried', { why: plan.why });
    return undefined;
  }
  try {
    const { execution: retry, created } = await service.request({
      action: execution.action,
      parameters: execution.parameters,
      idempotencyKey: plan.idempotencyKey,
      context: plan.context,
    });
    log.info(created ? 'retry requested' : 'retry was already requested', { policy: plan.policy.ref, retryId: retry.id, retry: plan.context.policies?.retry });
    return retry;
  } catch (error) {
    // The action is gone or its parameters no longer pass: a retry would be refused the same way.
    if (!(error instanceof ValidationError || error instanceof NotFoundError)) throw error;
    log.warn('retry refused', { policy: plan.policy.ref, error: error.message });
    return undefined;
  }
}
