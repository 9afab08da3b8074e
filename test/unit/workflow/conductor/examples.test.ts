import { describe, expect, it } from 'vitest';
import { taskStatuses } from '../../../../src/workflow/conductor/index.ts';
import { drive, example, shell, spec, type Responder } from './harness.ts';

const FAILED_EXIT_1 = { failed: true, return_code: 1, stderr: '', stdout: '', succeeded: false };

describe('ported st2 example workflows', () => {
  it('orquesta-basic', async () => {
    const out = drive(await example('orquesta-basic'), { cmd: 'echo hi', timeout: 60 }, (c) =>
      c.action === 'core.local' ? shell(c.input.cmd === 'echo hi' ? 'hi' : '?') : undefined,
    );
    expect(out.schedules[0]).toMatchObject({ taskId: 'task1', action: 'core.local', input: { cmd: 'echo hi', timeout: 60 } });
    expect(out.complete).toEqual({ type: 'complete', status: 'succeeded', output: { stdout: 'hi' }, errors: [] });
  });

  it('orquesta-sequential', async () => {
    const out = drive(await example('orquesta-sequential'), { name: 'Stanley' });
    expect(out.schedules.map((s) => s.taskId)).toEqual(['task1', 'task2', 'task3']);
    expect(out.complete?.status).toBe('succeeded');
    expect(out.complete?.output).toEqual({ greeting: 'Stanley, All your base are belong to us!' });
  });

  it('orquesta-data-flow', async () => {
    const out = drive(await example('orquesta-data-flow'), { a1: 'fee fi fo fum' });
    expect(out.complete?.status).toBe('succeeded');
    expect(out.complete?.output).toEqual({ a5: 'fee fi fo fum', b5: 'fee fi fo fum' });
  });

  it('orquesta-join', async () => {
    const out = drive(await example('orquesta-join'));
    expect(out.complete?.status).toBe('succeeded');
    expect(out.schedules.filter((s) => s.taskName === 'task10')).toHaveLength(1);
    expect(out.complete?.output).toEqual({
      messages: ['Fee fi fo fum', 'I smell the blood of an English man', 'Be alive, or be he dead', "I'll grind his bones to make my bread"],
    });
  });

  it('orquesta-with-items', async () => {
    const members = ['Lakshmi', 'Lindsay', 'Tomaz', 'Matt', 'Drew'];
    const out = drive(await example('orquesta-with-items'), { members });
    expect(out.schedules.map((s) => s.itemIndex)).toEqual([0, 1, 2, 3, 4]);
    expect(out.maxInFlight.task1).toBe(5);
    expect(out.complete?.status).toBe('succeeded');
    expect(out.complete?.output).toEqual({ items: members.map((m) => `${m}, resistance is futile!`) });
  });

  it('orquesta-with-items-concurrency (2 at a time, results in item order)', async () => {
    const members = ['Lakshmi', 'Lindsay', 'Tomaz', 'Matt', 'Drew'];
    const out = drive(await example('orquesta-with-items-concurrency'), { members, concurrency: 2 }, undefined, {
      shuffle: () => 0.99,
    });
    expect(out.maxInFlight.task1).toBe(2);
    expect(out.schedules).toHaveLength(5);
    expect(out.complete?.output).toEqual({ items: members.map((m) => `${m}, resistance is futile!`) });
  });

  it('orquesta-test-with-items-failure: the task fails when any item fails', async () => {
    const out = drive(await example('tests/orquesta-test-with-items-failure'));
    expect(out.schedules).toHaveLength(10);
    expect(out.schedules[3].input.cmd).toBe('exit $((3 % 2))');
    const responder: Responder = (c) => shell('', Number(/%/.test(String(c.input.cmd)) ? (c.itemIndex as number) % 2 : 0));
    const failing = drive(await example('tests/orquesta-test-with-items-failure'), {}, responder);
    expect(failing.complete?.status).toBe('failed');
    expect(failing.complete?.errors.map((e) => e.task_id)).toEqual(['task1']);
  });

  describe('orquesta-error-handling-continue', () => {
    it('succeeds', async () => {
      const out = drive(await example('orquesta-error-handling-continue'), { cmd: 'echo ok', timeout: 60 });
      expect(out.complete).toMatchObject({ status: 'succeeded', output: { message: 'hooray!!!' } });
    });
    it('fails after publishing on failure', async () => {
      const out = drive(await example('orquesta-error-handling-continue'), { cmd: 'exit 1', timeout: 60 });
      expect(out.complete).toEqual({
        type: 'complete',
        status: 'failed',
        output: { message: '$%#&@#$!!!' },
        errors: [{ type: 'error', message: 'Execution failed. See result for details.', task_id: 'task1', route: 0, result: FAILED_EXIT_1 }],
      });
    });
  });

  it('orquesta-error-handling-noop remediates', async () => {
    const out = drive(await example('orquesta-error-handling-noop'), { cmd: 'exit 1', timeout: 60 });
    expect(out.complete).toMatchObject({ status: 'succeeded', output: { message: '$%#&@#$!!!' } });
  });

  it('orquesta-error-handling-fail-manually', async () => {
    const out = drive(await example('orquesta-error-handling-fail-manually'), { cmd: 'exit 1', timeout: 60 });
    expect(out.schedules.map((s) => s.taskName)).toEqual(['task1', 'task3']);
    expect(out.complete?.status).toBe('failed');
    expect(out.complete?.output).toEqual({ message: '$%#&@#$!!!' });
    expect(out.complete?.errors).toEqual([
      { type: 'error', message: 'Execution failed. See result for details.', task_id: 'task1', route: 0, result: FAILED_EXIT_1 },
      { type: 'error', message: 'Execution failed. See result for details.', task_id: 'fail', route: 0 },
    ]);
  });

  for (const name of ['orquesta-fail-manually', 'orquesta-remediate-then-fail']) {
    it(`${name}: the log task still runs, then the workflow fails`, async () => {
      const out = drive(await example(name));
      expect(out.schedules.map((s) => s.taskName)).toEqual(['task1', 'log']);
      expect(out.schedules[1].input).toEqual({ message: 'task1 failed with exit code: ' });
      expect(out.complete?.status).toBe('failed');
      expect(out.complete?.output).toBeNull();
      expect(out.complete?.errors.map((e) => e.task_id)).toEqual(['task1', 'fail']);
    });
  }

  it('orquesta-output-on-error renders output from the failed state', async () => {
    const out = drive(await example('orquesta-output-on-error'));
    expect(out.complete).toMatchObject({ status: 'failed', output: { progress: 25 } });
  });

  it('orquesta-task-retry: retried with delay until it succeeds', async () => {
    let checks = 0;
    const out = drive(await example('orquesta-task-retry'), {}, (c) => (c.taskName === 'check' ? shell('', ++checks < 3 ? 1 : 0) : undefined));
    const check = out.schedules.filter((s) => s.taskName === 'check');
    expect(check.map((s) => s.taskId)).toEqual(['check', 'check.retry1', 'check.retry2']);
    expect(check.map((s) => s.delaySeconds)).toEqual([undefined, 1, 1]);
    expect(out.schedules.map((s) => s.taskName)).toContain('delete');
    expect(out.complete?.status).toBe('succeeded');
    expect(out.complete?.errors).toEqual([]);
  });

  it('orquesta-task-retry-exhausted: count honored, then the workflow fails', async () => {
    const out = drive(await example('orquesta-task-retry-exhausted'), {}, (c) => (c.taskName === 'check' ? shell('', 1) : undefined));
    expect(out.schedules.filter((s) => s.taskName === 'check')).toHaveLength(3);
    expect(out.schedules.map((s) => s.taskName)).not.toContain('delete');
    expect(out.complete?.status).toBe('failed');
    expect(
      taskStatuses(out.state)
        .filter((t) => t.name === 'check')
        .map((t) => t.status),
    ).toEqual(['failed', 'failed', 'failed']);
  });

  it('orquesta-rollback-retry loops with new task ids', async () => {
    let checks = 0;
    const out = drive(await example('orquesta-rollback-retry'), {}, (c) => (c.taskName === 'check' ? shell('', ++checks < 3 ? 1 : 0) : undefined));
    expect(out.schedules.filter((s) => s.taskName === 'check').map((s) => s.taskId)).toEqual(['check', 'check.2', 'check.3']);
    expect(out.schedules.filter((s) => s.taskName === 'rollback').map((s) => s.taskId)).toEqual(['rollback', 'rollback.2']);
    expect(out.complete?.status).toBe('succeeded');
  });

  it('orquesta-delay', async () => {
    const out = drive(await example('orquesta-delay'), { name: 'Stanley', delay: 3 });
    expect(out.schedules[0].delaySeconds).toBe(3);
    expect(out.schedules[1].delaySeconds).toBeUndefined();
    expect(out.complete?.output).toEqual({ greeting: 'Stanley, All your base are belong to us!' });
  });

  it('orquesta-subworkflow schedules the child workflow as an action', async () => {
    const out = drive(await example('orquesta-subworkflow'), {}, (c) =>
      c.action === 'examples.orquesta-sequential' ? { status: 'succeeded', result: { output: { greeting: 'x' } } } : undefined,
    );
    expect(out.schedules.map((s) => [s.taskName, s.action])).toEqual([
      ['start', 'core.echo'],
      ['subworkflow', 'examples.orquesta-sequential'],
      ['finish', 'core.echo'],
    ]);
    expect(out.complete?.status).toBe('succeeded');
  });

  it('orquesta-test-action-less-tasks', async () => {
    const out = drive(await example('tests/orquesta-test-action-less-tasks'), { name: 'Thanos' });
    expect(out.schedules.map((s) => s.taskName)).toEqual(['task2', 'task3', 'task6']);
    expect(out.complete?.output).toEqual({ greeting: 'THANOS, ALL YOUR BASE ARE BELONG TO US!' });
  });

  it('orquesta-test-yaql-task-functions', async () => {
    const out = drive(await example('tests/orquesta-test-yaql-task-functions'), {}, (c) => {
      const m = /^echo "(.*)"; sleep 1$/.exec(String(c.input.cmd ?? ''));
      return m ? shell(m[1]) : undefined;
    });
    expect(out.complete?.status).toBe('succeeded');
    expect(out.complete?.output).toMatchObject({
      last_task4_result: 'False',
      that_task_by_name: 'task1',
      this_task_by_name: 'task1',
      this_task_no_arg: 'task1',
    });
    const task9 = out.schedules.filter((s) => s.taskName === 'task9');
    expect(task9.map((s) => s.taskId)).toEqual(['task9.r1', 'task9.r2']);
    expect(task9.map((s) => s.input.message)).toEqual(['task8__1', 'task8__2']);
    // task(name, route=>N) is the run of route N: st2's integration test expects these.
    expect(out.complete?.output).toMatchObject({ task9__1__parent: 'task8__1', task9__2__parent: 'task8__2' });
    expect(out.schedules.filter((s) => s.taskName === 'task4').map((s) => s.taskId)).toEqual(['task4', 'task4.2']);
  });

  describe('rendering failures (orquesta-fail-*)', () => {
    it('input', async () => {
      const out = drive(await example('tests/orquesta-fail-input-rendering'));
      expect(out.schedules).toHaveLength(0);
      expect(out.complete?.status).toBe('failed');
      expect(out.complete?.output).toBeNull();
      expect(out.complete?.errors).toHaveLength(1);
      expect(out.complete?.errors[0].task_id).toBeUndefined();
    });
    it('vars', async () => {
      const out = drive(await example('tests/orquesta-fail-vars-rendering'), { name: 'x' });
      expect(out.complete).toMatchObject({ status: 'failed', output: null });
      expect(out.complete?.errors).toHaveLength(1);
    });
    it('start task', async () => {
      const out = drive(await example('tests/orquesta-fail-start-task'), { name: 'x' });
      expect(out.schedules).toHaveLength(0);
      expect(out.complete?.status).toBe('failed');
      expect(out.complete?.errors[0]).toMatchObject({
        message: expect.stringMatching(/^YaqlEvaluationException: Unable to evaluate expression '<% ctx\(\).name.value %>'\. /),
        task_id: 'task1',
        route: 0,
      });
      expect(out.complete?.errors[1]).toEqual({
        type: 'error',
        message: "YaqlEvaluationException: Unable to resolve key 'greeting' in expression '<% ctx().greeting %>' from context.",
      });
    });
    it('task transition', async () => {
      const out = drive(await example('tests/orquesta-fail-task-transition'), { name: 'x' });
      expect(out.complete).toMatchObject({ status: 'failed', output: { greeting: null } });
      expect(out.complete?.errors).toHaveLength(1);
      // st2's test_wiring_error_handling expects this exact message.
      expect(out.complete?.errors[0]).toEqual({
        type: 'error',
        message: "YaqlEvaluationException: Unable to resolve key 'value' in expression '<% succeeded() and result().value %>' from context.",
        task_id: 'task1',
        route: 0,
        task_transition_id: 'task2__t0',
      });
    });
    it('task publish', async () => {
      const out = drive(await example('tests/orquesta-fail-task-publish'), { name: 'x' });
      expect(out.complete).toMatchObject({ status: 'failed', output: { greeting: null } });
      expect(out.complete?.errors[0]).toMatchObject({
        message: "YaqlEvaluationException: Unable to resolve key 'value' in expression '<% result().value %>' from context.",
        task_id: 'task1',
        route: 0,
        task_transition_id: 'task2__t0',
      });
    });
    it('output', async () => {
      const out = drive(await example('tests/orquesta-fail-output-rendering'), { name: 'x' });
      expect(out.complete?.status).toBe('failed');
      expect(out.complete?.errors).toHaveLength(1);
    });
  });
});

describe("expression errors start with orquesta's exception name, by syntax", () => {
  it('JinjaEvaluationException for a Jinja expression (orquesta-test-jinja-task-nonexistent)', () => {
    const wf = spec(
      ['version: 1.0', 'tasks:', '  task1:', '    action: core.noop', '    next:', '      - when: \'{{ task("task0") }}\'', '        do: continue'].join('\n'),
    );
    expect(drive(wf).complete?.errors).toEqual([
      {
        type: 'error',
        message:
          'JinjaEvaluationException: Unable to evaluate expression \'{{ task("task0") }}\'. ExpressionEvaluationException: Unable to find task execution for "task0".',
        task_transition_id: 'continue__t0',
        task_id: 'task1',
        route: 0,
      },
    ]);
  });

  it('YaqlEvaluationException for a YAQL one (orquesta-test-yaql-task-nonexistent)', () => {
    const wf = spec(
      ['version: 1.0', 'tasks:', '  task1:', '    action: core.noop', '    next:', '      - when: \'<% task("task0") %>\'', '        do: continue'].join('\n'),
    );
    expect(drive(wf).complete?.errors?.[0].message).toBe(
      'YaqlEvaluationException: Unable to evaluate expression \'<% task("task0") %>\'. ExpressionEvaluationException: Unable to find task execution for "task0".',
    );
  });
});
