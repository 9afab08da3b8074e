import { describe, expect, it } from 'vitest';
import { fromStored, onTaskCompleted, startWorkflow, toStored } from '../../../../src/workflow/conductor/index.ts';
import { spec } from './harness.ts';

const items = (n: number) => spec(`version: 1.0\ntasks:\n  fan:\n    with: <% range(${n}) %>\n    action: core.noop\n`);

describe('workflow state storage', () => {
  it('keeps one character per item and no item results while a with-items task runs', () => {
    const wf = items(10_000);
    let { state } = startWorkflow(wf, {}, { executionId: 'wf' });
    // A page of 100 at start, a page more per completion.
    for (let i = 0; i < 3; i++)
      state = onTaskCompleted(wf, state, { taskId: 'fan', itemIndex: i, status: i === 0 ? 'failed' : 'succeeded', result: { stdout: 'x'.repeat(100) } }).state;
    const stored = toStored(state);
    const run = stored.runs[0] as { items: { status: string; results: unknown[] } };
    expect(run.items.status).toHaveLength(10_000);
    expect(run.items.status).toBe('fss' + 'r'.repeat(397) + '-'.repeat(9600));
    expect(run.items.results).toEqual([]);
    expect(Buffer.byteLength(JSON.stringify(stored))).toBeLessThan(30 * 1024);
    // Read back: the statuses are the conductor's again.
    const read = fromStored(JSON.parse(JSON.stringify(stored)));
    expect(read.runs[0].items!.status).toEqual(state.runs[0].items!.status);
  });

  it('keeps the result list of an ended with-items task when it is small, a note in its place when it is not', () => {
    const small = startWorkflow(items(3), {}, { executionId: 'wf' }).state;
    let state = small;
    for (let i = 0; i < 3; i++) state = onTaskCompleted(items(3), state, { taskId: 'fan', itemIndex: i, status: 'succeeded', result: { i } }).state;
    expect(state.runs[0].items!.results).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
    expect(fromStored(toStored(state)).runs[0]).toMatchObject({ status: 'succeeded', items: { results: [{ i: 0 }, { i: 1 }, { i: 2 }] } });

    state.runs[0].items!.results = state.runs[0].items!.results.map(() => ({ stdout: 'y'.repeat(20_000) }));
    const stored = fromStored(toStored(state)).runs[0];
    expect(stored.items!.results).toEqual([]);
    expect(stored.result).toEqual({
      result_truncated: true,
      items: 3,
      note: "the results of 3 items are larger than 32 KB together: each is on its item's execution",
    });
  });

  it('replaces a single result over 32 KB by a note and leaves the state it was given alone', () => {
    const wf = spec('version: 1.0\ntasks:\n  a:\n    action: core.noop\n    next: [{ do: b }]\n  b:\n    action: core.noop\n');
    const { state } = onTaskCompleted(wf, startWorkflow(wf, {}, { executionId: 'wf' }).state, { taskId: 'a', status: 'succeeded', result: 'z'.repeat(40_000) });
    expect(toStored(state).runs[0].result).toEqual({ result_truncated: true, note: "larger than 32 KB: the full result is on the task's execution" });
    expect(state.runs[0].result).toHaveLength(40_000);
  });

  it('reads a state saved with item status lists as it is', () => {
    const state = startWorkflow(items(2), {}, { executionId: 'wf' }).state;
    expect(fromStored(JSON.parse(JSON.stringify(state)))).toEqual(state);
  });
});
