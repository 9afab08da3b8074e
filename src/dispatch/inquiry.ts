// The inquirer runner in the dispatcher: an inquiry asks (pending, holding no slot) and later times out.
import type { Execution } from '../model/execution.ts';
import { inquiryQuestion, wakeWorkflow } from '../request/inquiries.ts';
import type { ExecutionService, PreparedRequest } from '../request/service.ts';
import { TransitionConflictError } from '../store/errors.ts';
import type { DispatchDeps } from './types.ts';

type Deps = Pick<DispatchDeps, 'store' | 'queue' | 'log'>;

/**
 * `core.ask` runs: the execution becomes `pending` with its question (schema, roles, users, route,
 * ttl) as its result, and holds nothing (no slot, no process, no timer) until `inquiry respond`
 * answers it or the sweeper finds its ttl run out. Its workflow is told, to pause once every other
 * branch waits too.
 */
export async function askInquiry(deps: Deps, execution: Execution, prepared: PreparedRequest): Promise<void> {
  const { result, expiresAt } = inquiryQuestion(prepared.values);
  let pending: Execution;
  try {
    pending = await deps.store.inquire(execution.id, result, expiresAt);
  } catch (error) {
    if (error instanceof TransitionConflictError) return; // asked already (a redelivery), or canceled meanwhile
    throw error;
  }
  deps.log.info('inquiry pending', { executionId: execution.id, action: execution.action, ttlMinutes: result.ttl });
  if (pending.context.parent) await deps.queue.send('workflows', { executionId: pending.context.parent });
}

/** A pending inquiry's message (sent by the sweeper when its ttl ran out): it times out, and its workflow resumes and hears of it. */
export async function judgeInquiry(deps: Deps, service: ExecutionService, execution: Execution, now = Date.now()): Promise<void> {
  if (execution.inquiry_expires_at === undefined || execution.inquiry_expires_at > now) return; // still waiting for its response
  const ttl = Number((execution.result as { ttl?: unknown } | undefined)?.ttl ?? 0);
  let expired: Execution;
  try {
    expired = await deps.store.expire(execution.id, `inquiry timed out: execution ${execution.id} - no response within its ttl of ${ttl} minutes`);
  } catch (error) {
    if (error instanceof TransitionConflictError) return; // answered meanwhile
    throw error;
  }
  deps.log.info('inquiry timed out', { executionId: execution.id });
  await wakeWorkflow({ store: deps.store, queue: deps.queue, service }, expired);
}
