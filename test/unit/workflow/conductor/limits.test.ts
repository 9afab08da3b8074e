import { describe, expect, it } from 'vitest';
import { ITEM_BYTES_PER_STEP, ITEMS_PER_STEP, onTaskCompleted, startWorkflow, type ScheduleCommand } from '../../../../src/workflow/conductor/index.ts';
import { spec } from './harness.ts';

const schedules = (cmds: unknown[]): ScheduleCommand[] => cmds.filter((c): c is ScheduleCommand => (c as ScheduleCommand).type === 'schedule');

// `again` loops on itself without an end; `slow` runs beside it and never completes in these tests.
const loop = spec(`
version: 1.0
tasks:
  start:
    next: [{ do: 'again, slow' }]
  again:
    action: core.noop
    next: [{ do: again }]
  slow:
    action: core.local cmd="sleep 60"
`);

describe('task run limit', () => {
  it('fails a self-looping workflow at once when it would start one run more than the limit, canceling what runs', () => {
    let { state, commands } = startWorkflow(loop, {}, { executionId: 'wf1', maxTaskRuns: 5 });
    expect(schedules(commands).map((c) => c.taskId)).toEqual(['again', 'slow']);
    for (const taskId of ['again', 'again.2']) {
      ({ state, commands } = onTaskCompleted(loop, JSON.parse(JSON.stringify(state)), { taskId, status: 'succeeded', result: {} }));
      expect(schedules(commands)).toHaveLength(1);
    }
    // start, again, slow, again.2, again.3 = 5 runs: the next one is refused.
    ({ state, commands } = onTaskCompleted(loop, state, { taskId: 'again.3', status: 'succeeded', result: {} }));
    expect(schedules(commands)).toEqual([]);
    const message = 'task run limit reached: workflow wf1 - task "again" would be task run 6, the limit is 5 task runs (ACTIONRUNNER_WORKFLOW_MAX_TASK_RUNS)';
    expect(commands).toEqual([
      { type: 'cancel', taskIds: ['slow'] },
      { type: 'complete', status: 'failed', output: null, errors: [{ type: 'error', message, task_id: 'again', route: 0 }] },
    ]);
    expect(state).toMatchObject({ status: 'failed', done: true });
    expect(state.runs.map((r) => `${r.id}:${r.status}`)).toEqual([
      'start:succeeded',
      'again:succeeded',
      'slow:canceled',
      'again.2:succeeded',
      'again.3:succeeded',
    ]);
    // The canceled child reports later: nothing happens any more.
    expect(onTaskCompleted(loop, state, { taskId: 'slow', status: 'canceled', result: {} }).ignored).toBe('workflow already completed');
  });

  it('stops a loop of action-less tasks inside one step instead of spinning forever', () => {
    const spin = spec('version: 1.0\ntasks:\n  go:\n    next: [{ do: a }]\n  a:\n    next: [{ do: b }]\n  b:\n    next: [{ do: a }]\n');
    const { state, commands } = startWorkflow(spin, {}, { executionId: 'wf2', maxTaskRuns: 100 });
    expect(state.runs).toHaveLength(100);
    expect(commands).toMatchObject([
      {
        type: 'complete',
        status: 'failed',
        errors: [{ message: expect.stringMatching(/^task run limit reached: workflow wf2 - task "b" would be task run 101/) }],
      },
    ]);
  });

  it('counts retries as runs and a with-items task as one run', () => {
    const wf = spec('version: 1.0\ntasks:\n  items:\n    with: <% range(50) %>\n    action: core.noop\n    retry: { count: 5 }\n');
    let { state, commands } = startWorkflow(wf, {}, { executionId: 'wf3', maxTaskRuns: 2 });
    expect(schedules(commands)).toHaveLength(50);
    for (let i = 0; i < 50; i++)
      ({ state, commands } = onTaskCompleted(wf, state, { taskId: 'items', itemIndex: i, status: i === 0 ? 'failed' : 'succeeded', result: {} }));
    expect(schedules(commands)).toHaveLength(50); // the retry: run 2
    for (let i = 0; i < 50; i++)
      ({ state, commands } = onTaskCompleted(wf, state, { taskId: 'items.retry1', itemIndex: i, status: i === 0 ? 'failed' : 'succeeded', result: {} }));
    expect(commands).toMatchObject([
      {
        type: 'complete',
        status: 'failed',
        errors: expect.arrayContaining([
          expect.objectContaining({ message: expect.stringMatching(/^task run limit reached: .* would be task run 3, the limit is 2/) }),
        ]),
      },
    ]);
  });

  it('has no limit when none is given', () => {
    const spin = spec('version: 1.0\ntasks:\n  go:\n    next: [{ do: a }]\n  a:\n    action: core.noop\n    next: [{ do: a }]\n');
    let { state } = startWorkflow(spin, {}, { executionId: 'wf4' });
    for (let i = 1; i <= 1100; i++) state = onTaskCompleted(spin, state, { taskId: i === 1 ? 'a' : `a.${i}`, status: 'succeeded', result: {} }).state;
    expect(state.status).toBe('running');
  });
});

describe('with-items paging', () => {
  it('schedules at most a page of children per step, the rest as items complete, one always running', () => {
    const wf = spec('version: 1.0\ntasks:\n  fan:\n    with: <% range(250) %>\n    action: core.noop\n');
    let { state, commands } = startWorkflow(wf, {}, { executionId: 'wf' });
    expect(schedules(commands)).toHaveLength(ITEMS_PER_STEP);
    ({ state, commands } = onTaskCompleted(wf, state, { taskId: 'fan', itemIndex: 0, status: 'succeeded', result: {} }));
    expect(schedules(commands).map((c) => c.itemIndex)).toEqual(Array.from({ length: ITEMS_PER_STEP }, (_, i) => ITEMS_PER_STEP + i));
  });

  it('pages by the bytes of rendered input too', () => {
    const wf = spec(`version: 1.0\ntasks:\n  fan:\n    with: <% range(50) %>\n    action: core.echo\n    input:\n      message: '${'m'.repeat(4000)}'\n`);
    const { commands } = startWorkflow(wf, {}, { executionId: 'wf' });
    expect(schedules(commands)).toHaveLength(Math.ceil(ITEM_BYTES_PER_STEP / 4016));
  });

  it('still honors the concurrency below the page', () => {
    const wf = spec('version: 1.0\ntasks:\n  fan:\n    with: { items: <% range(500) %>, concurrency: 30 }\n    action: core.noop\n');
    let { state, commands } = startWorkflow(wf, {}, { executionId: 'wf' });
    expect(schedules(commands)).toHaveLength(30);
    ({ state, commands } = onTaskCompleted(wf, state, { taskId: 'fan', itemIndex: 3, status: 'succeeded', result: {} }));
    expect(schedules(commands).map((c) => c.itemIndex)).toEqual([30]);
  });
});
