/** Execution statuses, as StackStorm names them (`st2common/constants/action.py`); `pending` is an inquiry waiting for its response. */
export const EXECUTION_STATUSES = [
  'requested',
  'scheduled',
  'delayed',
  'running',
  'succeeded',
  'failed',
  'timeout',
  'abandoned',
  'canceling',
  'canceled',
  'pausing',
  'paused',
  'resuming',
  'pending',
] as const;

export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/** A terminal status never changes again. */
export const TERMINAL_STATUSES: readonly ExecutionStatus[] = ['succeeded', 'failed', 'timeout', 'canceled', 'abandoned'];

/** Statuses from which a runner may claim an execution and start it. */
export const CLAIMABLE_STATUSES: readonly ExecutionStatus[] = ['requested', 'scheduled', 'delayed'];

export function isTerminal(status: ExecutionStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export function isExecutionStatus(value: unknown): value is ExecutionStatus {
  return typeof value === 'string' && (EXECUTION_STATUSES as readonly string[]).includes(value);
}
