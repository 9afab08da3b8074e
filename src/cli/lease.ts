import type { Execution } from '../model/execution.ts';
import { isTerminal } from '../model/status.ts';
import { formatDuration } from './format.ts';

/**
 * How long a lease may have been expired before `execution tail` and `run` stop waiting: by then the
 * next delivery of the execution's message or the sweeper should have marked it `abandoned`.
 */
export const STALE_LEASE_MS = 60_000;

/** The lease of an execution that has not ended, and whether its runner stopped renewing it. */
export interface LeaseView {
  owner: string;
  expiresAt: number;
  /** Milliseconds since the lease expired; 0 or less while it holds. */
  expiredForMs: number;
  expired: boolean;
}

/** The lease as readers see it; undefined for an ended execution or one no runner holds. */
export function leaseView(execution: Pick<Execution, 'status' | 'lease'>, now = Date.now()): LeaseView | undefined {
  if (isTerminal(execution.status) || !execution.lease) return undefined;
  const { owner, expiresAt } = execution.lease;
  const expiredForMs = now - expiresAt;
  return { owner, expiresAt, expiredForMs, expired: expiredForMs > 0 };
}

/**
 * One line saying that the runner is gone, for a lease that expired.
 * @example expiredLeaseText(view) // 'lease expired 4m 02s ago (runner local-1 stopped renewing; the sweeper will mark it abandoned)'
 */
export function expiredLeaseText(view: LeaseView): string {
  return `lease expired ${formatDuration(view.expiredForMs)} ago (runner ${view.owner} stopped renewing; the sweeper will mark it abandoned)`;
}
