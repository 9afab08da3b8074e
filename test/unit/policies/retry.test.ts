import { describe, expect, it } from 'vitest';
import { parsePolicyMetadata, planRetry, type RetryPolicy } from '../../../src/policies/index.ts';
import { execution } from '../../helpers/factories.ts';

const retry = (name: string, parameters: Record<string, unknown>) =>
  parsePolicyMetadata({ name, resource_ref: 'core.local', policy_type: 'action.retry', parameters }, { file: `/p/${name}.yaml`, pack: 'p' }) as RetryPolicy;
const onFailure = retry('on-failure', { retry_on: 'failure', max_retry_count: 2, delay: 3 });
const onTimeout = retry('on-timeout', { retry_on: 'timeout', max_retry_count: 1 });
const failed = (overrides: Parameters<typeof execution>[0] = {}) => execution({ status: 'failed', result: { return_code: 1 }, attempt: 1, ...overrides });

describe('planRetry', () => {
  it("retries a failed execution as st2 records it, after the policy's delay", () => {
    const original = failed({ context: { user: 'ada', notBefore: 5 } });
    const plan = planRetry(original, [onTimeout, onFailure], 1_000);
    expect(plan).toEqual({
      retry: true,
      policy: onFailure,
      idempotencyKey: `policy-retry:${original.id}`,
      context: { user: 'ada', notBefore: 4_000, policies: { retry: { applied_policy: 'p.on-failure', retry_count: 1, retried_liveaction_id: original.id } } },
    });
  });

  it('counts retries along the chain and stops at max_retry_count', () => {
    const second = failed({ context: { policies: { retry: { applied_policy: 'p.on-failure', retry_count: 1, retried_liveaction_id: 'A' } } } });
    const plan = planRetry(second, [onFailure], 0);
    expect(plan.retry && plan.context.policies?.retry).toEqual({ applied_policy: 'p.on-failure', retry_count: 2, retried_liveaction_id: second.id });
    const third = failed({ context: { policies: { retry: { applied_policy: 'p.on-failure', retry_count: 2, retried_liveaction_id: 'B' } } } });
    expect(planRetry(third, [onFailure])).toEqual({ retry: false, why: 'no retry policy on failure with retries left (2 done)' });
  });

  it('retries a timeout only under retry_on: timeout, with no delay when it has none', () => {
    const timedOut = failed({ status: 'timeout' });
    expect(planRetry(timedOut, [onFailure]).retry).toBe(false);
    const plan = planRetry(timedOut, [onFailure, onTimeout]);
    expect(plan.retry && plan.policy).toBe(onTimeout);
    expect(plan.retry && plan.context.notBefore).toBeUndefined();
  });

  it('does not retry what did not run its action, succeeded, was canceled or abandoned, or a workflow task', () => {
    expect(planRetry(execution({ status: 'failed', error: 'invalid parameter' }), [onFailure]).retry).toBe(false);
    for (const status of ['succeeded', 'canceled', 'abandoned'] as const) expect(planRetry(failed({ status }), [onFailure]).retry).toBe(false);
    expect(planRetry(failed({ context: { parent: 'W', task: 't' } }), [onFailure])).toEqual({
      retry: false,
      why: 'a workflow task: use the task retry of the workflow',
    });
    expect(planRetry(failed({ runner: 'orquesta' }), [onFailure]).retry).toBe(false);
    expect(planRetry(failed(), [])).toEqual({ retry: false, why: 'no retry policy' });
  });
});
