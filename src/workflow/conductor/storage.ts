import type { TaskRunStatus, WorkflowState } from './types.ts';

/** A task result kept in the state larger than this is replaced by a note: the full result stays on the task's execution. */
export const STATE_RESULT_BYTES = 32 * 1024;

const CODES: Record<TaskRunStatus, string> = { running: 'r', succeeded: 's', failed: 'f', canceled: 'c' };
const STATUSES: Record<string, TaskRunStatus | null> = { r: 'running', s: 'succeeded', f: 'failed', c: 'canceled', '-': null };

/** The state as saved on the workflow's item: a with-items task's item statuses are one character each ("r", "s", "f", "c", "-" not started). */
export type StoredWorkflowState = Omit<WorkflowState, 'runs'> & { runs: Array<Record<string, unknown>> };

const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? '');

const LIMIT = `${STATE_RESULT_BYTES / 1024} KB`;

/**
 * The state made fit for its item (it is not modified). Task results over 32 KB become a note. A
 * with-items task keeps one character per item, and no item results while it runs: they stay on
 * its children's executions and are collected once, when the task ends (`collectItemResults` in
 * the engine). Once ended, its result list stays only when it fits in 32 KB, as `result` otherwise.
 */
export function toStored(state: WorkflowState): StoredWorkflowState {
  const capResult = (result: unknown) =>
    result !== undefined && jsonBytes(result) > STATE_RESULT_BYTES
      ? { result_truncated: true, note: `larger than ${LIMIT}: the full result is on the task's execution` }
      : result;
  const runs = state.runs.map((run) => {
    const stored: Record<string, unknown> = { ...run };
    if ('result' in run) stored.result = capResult(run.result);
    if (run.items) {
      const { status, results, concurrency } = run.items;
      const from = run.items.from ? { from: run.items.from } : {};
      const encoded = status.map((itemStatus) => (itemStatus === null ? '-' : CODES[itemStatus])).join('');
      if (run.status === 'running') stored.items = { concurrency, status: encoded, results: [], ...from };
      else if (jsonBytes(results) > STATE_RESULT_BYTES && run.result === undefined) {
        stored.items = { concurrency, status: encoded, results: [], ...from };
        stored.result = {
          result_truncated: true,
          items: results.length,
          note: `the results of ${results.length} items are larger than ${LIMIT} together: each is on its item's execution`,
        };
      } else stored.items = { concurrency, status: encoded, results: results.map(capResult), ...from };
    }
    return stored;
  });
  return { ...state, runs };
}

/** The state as the conductor works on it, from what `toStored` saved (a state saved with item status lists is read as is). */
export function fromStored(stored: StoredWorkflowState): WorkflowState {
  const runs = stored.runs.map((run) => {
    const items = run.items as { concurrency: number | null; status: string | Array<TaskRunStatus | null>; results?: unknown[]; from?: string[] } | undefined;
    if (!items || typeof items.status !== 'string') return run;
    const status = [...items.status].map((code) => STATUSES[code] ?? null);
    return { ...run, items: { concurrency: items.concurrency, status, results: items.results ?? [], ...(items.from ? { from: items.from } : {}) } };
  });
  return { ...stored, runs } as unknown as WorkflowState;
}
