import { isWorkflowRunner } from '../actions/runner-parameters.ts';
import type { Execution, ExecutionContext } from '../model/execution.ts';
import type { RetryPolicy } from './types.ts';

/** Which `retry_on` an ended status matches. */
const RETRY_ON: Partial<Record<Execution['status'], RetryPolicy['parameters']['retry_on']>> = { failed: 'failure', timeout: 'timeout' };

/** What a retry policy asks for once an execution ended: the retry to request, or why there is none. */
export type RetryPlan = { retry: true; policy: RetryPolicy; idempotencyKey: string; context: ExecutionContext } | { retry: false; why: string };

/**
 * The idempotency key of the retry of `executionId`: one execution is retried at most once (its retry
 * is retried in turn), so every delivery of its message that asks for the retry names the same one.
 */
export function retryKey(executionId: string): string {
  return `policy-retry:${executionId}`;
}

/**
 * Whether `execution`, as it ended, is retried by one of `policies` (st2's `action.retry`): it ran its
 * action (it has a result: a request refused before it ran is not retried), its status is the policy's
 * `retry_on`, and it is not past `max_retry_count`. A workflow's task is not retried (as in st2: orquesta
 * has its own task `retry`), nor a workflow itself. The retry waits `delay` seconds (`context.notBefore`, waited in SQS).
 * @example planRetry(failed, catalog.policies().forAction(failed.action).retry)
 */
export function planRetry(execution: Execution, policies: readonly RetryPolicy[], now = Date.now()): RetryPlan {
  const on = RETRY_ON[execution.status];
  if (policies.length === 0) return { retry: false, why: 'no retry policy' };
  if (on === undefined || execution.result === undefined)
    return { retry: false, why: `${execution.status} is not an outcome of its action a retry policy applies to` };
  if (execution.context.parent) return { retry: false, why: 'a workflow task: use the task retry of the workflow' };
  if (isWorkflowRunner(execution.runner)) return { retry: false, why: 'a workflow: retry policies apply to actions (run it again with execution re-run)' };
  const count = execution.context.policies?.retry?.retry_count ?? 0;
  const policy = policies.find((candidate) => candidate.parameters.retry_on === on && count < candidate.parameters.max_retry_count);
  if (!policy) return { retry: false, why: `no retry policy on ${on} with retries left (${count} done)` };
  const { notBefore: _previousDelay, ...context } = execution.context;
  return {
    retry: true,
    policy,
    idempotencyKey: retryKey(execution.id),
    context: {
      ...context,
      policies: { ...context.policies, retry: { applied_policy: policy.ref, retry_count: count + 1, retried_liveaction_id: execution.id } },
      ...(policy.parameters.delay > 0 ? { notBefore: now + policy.parameters.delay * 1000 } : {}),
    },
  };
}
