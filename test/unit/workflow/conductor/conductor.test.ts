import { describe, expect, it } from 'vitest';
import { cancelWorkflow, onTaskCompleted, startWorkflow, taskStatuses, type ScheduleCommand } from '../../../../src/workflow/conductor/index.ts';
import { drive, example, seeded, shell, spec } from './harness.ts';

const schedules = (cmds: unknown[]): ScheduleCommand[] => cmds.filter((c): c is ScheduleCommand => (c as ScheduleCommand).type === 'schedule');

function fanOut(n: number, join: string | number): string {
  const names = Array.from({ length: n }, (_, i) => `p${i + 1}`);
  return `
version: 1.0
tasks:
  start:
    next:
      - do: ${names.join(', ')}
${names.map((p) => `  ${p}:\n    action: core.echo message="${p}"\n    next:\n      - when: <% succeeded() %>\n        publish: ${p}=<% result().stdout %>\n        do: barrier\n`).join('')}
  barrier:
    join: ${join}
    action: core.noop
    next:
      - publish: seen=<% ctx().keys().where($.startsWith('p')).len() %>
output:
  - seen: <% ctx(seen) %>
`;
}

describe('conductor', () => {
  it('20 parallel tasks joined: join fires exactly once whatever the completion order', () => {
    const wf = spec(fanOut(20, 'all'));
    for (const seed of [1, 2, 3, 42]) {
      const out = drive(wf, {}, undefined, { shuffle: seeded(seed) });
      expect(out.schedules.filter((s) => s.taskName.startsWith('p'))).toHaveLength(20);
      expect(out.schedules.filter((s) => s.taskName === 'barrier')).toHaveLength(1);
      expect(out.complete?.status).toBe('succeeded');
      expect(out.complete?.output).toEqual({ seen: 20 });
    }
  });

  it('join: N fires once N branches arrived', () => {
    const wf = spec(fanOut(3, 2));
    const { state, commands } = startWorkflow(wf, {}, { executionId: 'e' });
    expect(schedules(commands).map((c) => c.taskId)).toEqual(['p1', 'p2', 'p3']);
    let r = onTaskCompleted(wf, state, { taskId: 'p2', status: 'succeeded', result: shell('p2').result });
    expect(r.commands).toEqual([]);
    r = onTaskCompleted(wf, r.state, { taskId: 'p3', status: 'succeeded', result: shell('p3').result });
    expect(schedules(r.commands).map((c) => c.taskId)).toEqual(['barrier']);
    r = onTaskCompleted(wf, r.state, { taskId: 'p1', status: 'succeeded', result: shell('p1').result });
    expect(schedules(r.commands)).toEqual([]);
    r = onTaskCompleted(wf, r.state, { taskId: 'barrier', status: 'succeeded', result: {} });
    expect(r.commands).toMatchObject([{ type: 'complete', status: 'succeeded' }]);
  });

  it('ignores duplicate and unknown completion events', () => {
    const wf = spec('version: 1.0\ntasks:\n  a:\n    action: core.noop\n    next: [{do: b}]\n  b:\n    action: core.noop\n');
    const s0 = startWorkflow(wf, {}, { executionId: 'e' });
    const s1 = onTaskCompleted(wf, s0.state, { taskId: 'a', status: 'succeeded', result: {} });
    expect(schedules(s1.commands).map((c) => c.taskId)).toEqual(['b']);
    const dup = onTaskCompleted(wf, s1.state, { taskId: 'a', status: 'failed', result: {} });
    expect(dup.commands).toEqual([]);
    expect(dup.ignored).toMatch(/already completed/);
    expect(dup.state).toEqual(s1.state);
    expect(onTaskCompleted(wf, s1.state, { taskId: 'zzz', status: 'succeeded', result: {} }).ignored).toMatch(/unknown/);
    // Re-processing the same event from the same stored state gives the same commands (idempotent scheduling).
    expect(onTaskCompleted(wf, s0.state, { taskId: 'a', status: 'succeeded', result: {} })).toEqual(s1);
    // The input state is never mutated.
    expect(s0.state.runs).toHaveLength(1);
    const done = onTaskCompleted(wf, s1.state, { taskId: 'b', status: 'succeeded', result: {} });
    expect(done.commands).toMatchObject([{ type: 'complete', status: 'succeeded', output: null, errors: [] }]);
    expect(onTaskCompleted(wf, done.state, { taskId: 'b', status: 'succeeded', result: {} }).commands).toEqual([]);
  });

  it('with items, concurrency 2 over 5 items: never more than 2 scheduled at once', () => {
    const wf = spec(`
version: 1.0
input:
  - xs
tasks:
  t:
    with:
      items: x in <% ctx(xs) %>
      concurrency: 2
    action: core.echo message=<% item(x) %>
    next:
      - publish: out=<% result() %>
output:
  - out: <% ctx(out).select($.stdout) %>
`);
    let { state, commands } = startWorkflow(wf, { xs: ['a', 'b', 'c', 'd', 'e'] }, { executionId: 'e' });
    const running = schedules(commands);
    expect(running.map((c) => c.itemIndex)).toEqual([0, 1]);
    const order: number[] = [];
    while (running.length > 0) {
      expect(running.length).toBeLessThanOrEqual(2);
      const c = running.pop() as ScheduleCommand; // complete the latest first to mix the order
      order.push(c.itemIndex as number);
      ({ state, commands } = onTaskCompleted(wf, state, { taskId: c.taskId, itemIndex: c.itemIndex, ...shell(String(c.input.message)) }));
      running.push(...schedules(commands));
      expect(taskStatuses(state).filter((t) => t.status === 'running' && t.itemIndex !== undefined).length).toBeLessThanOrEqual(2);
    }
    expect(order).not.toEqual([0, 1, 2, 3, 4]);
    expect(commands).toMatchObject([{ type: 'complete', status: 'succeeded', output: { out: ['a', 'b', 'c', 'd', 'e'] } }]);
  });

  it('with items over an empty list succeeds with an empty result', () => {
    const wf = spec(
      'version: 1.0\ntasks:\n  t:\n    with: <% [] %>\n    action: core.echo message=<% item() %>\n    next:\n      - publish: r=<% result() %>\noutput:\n  - r: <% ctx(r) %>\n',
    );
    const { commands } = startWorkflow(wf, {}, { executionId: 'e' });
    expect(commands).toEqual([{ type: 'complete', status: 'succeeded', output: { r: [] }, errors: [] }]);
  });

  it('retry honors count and when', () => {
    const wf = spec(`
version: 1.0
tasks:
  t:
    action: core.local cmd="flaky"
    retry:
      when: <% result().return_code = 2 %>
      count: 2
      delay: 5
`);
    const out = drive(wf, {}, () => shell('', 2));
    expect(out.schedules.map((s) => [s.taskId, s.delaySeconds])).toEqual([
      ['t', undefined],
      ['t.retry1', 5],
      ['t.retry2', 5],
    ]);
    expect(out.complete?.status).toBe('failed');
    const other = drive(wf, {}, () => shell('', 1));
    expect(other.schedules).toHaveLength(1);
  });

  it('do: retry retries up to 3 times', () => {
    const wf = spec('version: 1.0\ntasks:\n  t:\n    action: core.local cmd="x"\n    next:\n      - when: <% failed() %>\n        do: retry\n');
    const out = drive(wf, {}, () => shell('', 1));
    expect(out.schedules.map((s) => s.taskId)).toEqual(['t', 't.retry1', 't.retry2', 't.retry3']);
  });

  it('fail fast: a failure with no transition waits for running branches, schedules nothing new', () => {
    const wf = spec(`
version: 1.0
tasks:
  a:
    action: core.local cmd="exit 1"
  b:
    action: core.noop
    next: [{do: c}]
  c:
    action: core.noop
output:
  - x: 1
`);
    const s = startWorkflow(wf, {}, { executionId: 'e' });
    expect(schedules(s.commands).map((c) => c.taskId)).toEqual(['a', 'b']);
    const r1 = onTaskCompleted(wf, s.state, { taskId: 'a', ...shell('', 1) });
    expect(r1.commands).toEqual([]);
    expect(r1.state.status).toBe('failed');
    const r2 = onTaskCompleted(wf, r1.state, { taskId: 'b', status: 'succeeded', result: {} });
    expect(r2.commands).toEqual([
      {
        type: 'complete',
        status: 'failed',
        output: { x: 1 },
        errors: [{ type: 'error', message: 'Execution failed. See result for details.', task_id: 'a', route: 0, result: shell('', 1).result }],
      },
    ]);
  });

  it('timeout and abandoned count as failures', () => {
    const wf = spec('version: 1.0\ntasks:\n  t:\n    action: core.noop\n    next:\n      - when: <% failed() %>\n        do: noop\n');
    for (const status of ['timeout', 'abandoned'] as const) {
      const s = startWorkflow(wf, {}, { executionId: 'e' });
      const r = onTaskCompleted(wf, s.state, { taskId: 't', status, result: null });
      expect(r.commands).toMatchObject([{ type: 'complete', status: 'succeeded' }]);
    }
  });

  describe('cancel', () => {
    const wf = spec(`
version: 1.0
tasks:
  a:
    action: core.noop
    next: [{do: c}]
  b:
    action: core.noop
  c:
    action: core.noop
output:
  - done: true
`);

    it('cancels running children and ends canceled when the last one completes', () => {
      const s = startWorkflow(wf, {}, { executionId: 'e' });
      const c = cancelWorkflow(wf, s.state);
      expect(c.commands).toEqual([{ type: 'cancel', taskIds: ['a', 'b'] }]);
      expect(c.state.status).toBe('canceling');
      expect(cancelWorkflow(wf, c.state).commands).toEqual([]);
      const r1 = onTaskCompleted(wf, c.state, { taskId: 'a', status: 'succeeded', result: {} });
      expect(r1.commands).toEqual([]); // c is not scheduled
      const r2 = onTaskCompleted(wf, r1.state, { taskId: 'b', status: 'canceled', result: null });
      expect(r2.commands).toEqual([{ type: 'complete', status: 'canceled', output: { done: true }, errors: [] }]);
      expect(taskStatuses(r2.state).map((t) => [t.taskId, t.status])).toEqual([
        ['a', 'succeeded'],
        ['b', 'canceled'],
      ]);
    });

    it('a canceled child cancels the workflow', () => {
      const s = startWorkflow(wf, {}, { executionId: 'e' });
      const r1 = onTaskCompleted(wf, s.state, { taskId: 'a', status: 'canceled', result: null });
      expect(r1.commands).toEqual([{ type: 'cancel', taskIds: ['b'] }]);
      expect(r1.state.status).toBe('canceling');
      const r2 = onTaskCompleted(wf, r1.state, { taskId: 'b', status: 'succeeded', result: {} });
      expect(r2.commands).toMatchObject([{ type: 'complete', status: 'canceled' }]);
    });

    it('with nothing running, cancel completes at once', () => {
      const one = spec('version: 1.0\ntasks:\n  a:\n    action: core.noop\n');
      const s = startWorkflow(one, {}, { executionId: 'e' });
      const r = onTaskCompleted(one, s.state, { taskId: 'a', status: 'succeeded', result: {} });
      expect(cancelWorkflow(one, r.state).ignored).toMatch(/completed/);
    });
  });

  it('an input given no value and declaring no default is null, as in orquesta', () => {
    const wf = spec('version: 1.0\ninput:\n  - name\n  - other: 1\ntasks:\n  a:\n    action: core.noop\n');
    const { state, commands } = startWorkflow(wf, {}, { executionId: 'e' });
    expect(state.status).toBe('running');
    expect(state.contexts[0]).toEqual({ name: null, other: 1 });
    expect(commands.map((command) => command.type)).toEqual(['schedule']);
  });

  it('input defaults and vars render in order (input then vars)', async () => {
    const wf = await example('orquesta-data-flow');
    const { state, commands } = startWorkflow(wf, { a1: 'x' }, { executionId: 'e' });
    expect(state.contexts[0]).toEqual({ a1: 'x', b1: 'x', a2: 'x', b2: 'x' });
    expect(commands).toEqual([{ type: 'schedule', taskId: 'task1', taskName: 'task1', action: 'core.echo', input: { message: 'x' } }]);
  });

  it('state is JSON-safe', () => {
    const out = drive(spec(fanOut(3, 'all')));
    expect(JSON.parse(JSON.stringify(out.state))).toEqual(out.state);
  });
});
