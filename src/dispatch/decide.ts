import { isWorkflowRunner } from '../actions/runner-parameters.ts';
import type { Execution } from '../model/execution.ts';
import { CLAIMABLE_STATUSES, isTerminal } from '../model/status.ts';

/** What a delivery of an execution's message leads to, in this function. */
export type Decision =
  /** It has ended: tell its parent workflow (again; the workflow ignores duplicates). */
  | { kind: 'notify-parent' }
  /** Not for now or not for here: send it to its queue (delayed until its time). */
  | { kind: 'pass-on'; why: 'early' | 'misrouted' }
  /** A workflow, in the workflows function: its engine advances it. */
  | { kind: 'advance-workflow' }
  /** Held by a runner (running, canceling): alive, or dead with an expired lease. */
  | { kind: 'judge-held' }
  /** Waiting, and this function runs its kind: claim it and run it. */
  | { kind: 'run' }
  /** A pending inquiry: it times out when its ttl has run out, else it keeps waiting for its response. */
  | { kind: 'judge-inquiry' };

/** Below this much time before its `notBefore`, an execution counts as due. */
const EARLY_TOLERANCE_MS = 500;

/** Whether a waiting execution's message came back before its time (SQS delays stop at 900 s). */
export function isEarly(execution: Pick<Execution, 'context'>, now = Date.now()): boolean {
  return Number(execution.context.notBefore ?? 0) > dueBy(now);
}

/** Epoch ms: an execution whose `context.notBefore` is no later than this is due at `now`. */
export function dueBy(now = Date.now()): number {
  return now + EARLY_TOLERANCE_MS;
}

/**
 * The per-record decision of the dispatcher, from the execution as it is now and the kind of
 * function deciding (each function runs only its own kind).
 */
export function decide(execution: Pick<Execution, 'status' | 'runner' | 'context'>, here: { runsWorkflows: boolean; now?: number }): Decision {
  if (isTerminal(execution.status)) return { kind: 'notify-parent' };
  const waiting = CLAIMABLE_STATUSES.includes(execution.status);
  if (waiting && isEarly(execution, here.now)) return { kind: 'pass-on', why: 'early' };
  if (isWorkflowRunner(execution.runner) !== here.runsWorkflows) return { kind: 'pass-on', why: 'misrouted' };
  if (here.runsWorkflows) return { kind: 'advance-workflow' };
  if (execution.status === 'pending') return { kind: 'judge-inquiry' };
  return waiting ? { kind: 'run' } : { kind: 'judge-held' };
}
