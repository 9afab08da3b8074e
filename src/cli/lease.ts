import type { LeaseView } from '../app/documents.ts';
import { formatDuration } from './format.ts';

export { leaseView, type LeaseView } from '../app/documents.ts';

/**
 * How long a lease may have been expired before `execution tail` and `run` stop waiting: by then the
 * next delivery of the execution's message or the sweeper should have marked it `abandoned`.
 */
export const STALE_LEASE_MS = 60_000;

/**
 * One line saying that the runner is gone, for a lease that expired.
 * @example expiredLeaseText(view) // 'lease expired 4m 02s ago (runner local-1 stopped renewing; the sweeper will mark it abandoned)'
 */
export function expiredLeaseText(view: LeaseView): string {
  return `lease expired ${formatDuration(view.expiredForMs)} ago (runner ${view.owner} stopped renewing; the sweeper will mark it abandoned)`;
}
