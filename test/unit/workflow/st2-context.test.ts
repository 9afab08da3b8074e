import { describe, expect, it } from 'vitest';
import { fromStored, onTaskCompleted, startWorkflow, toStored } from '../../../src/workflow/conductor/index.ts';
import { workflowSt2Context } from '../../../src/workflow/st2-context.ts';
import { example } from './conductor/harness.ts';

describe('ctx(st2)', () => {
  const st2 = workflowSt2Context({ id: '01WF', action: 'examples.orquesta-st2-ctx', context: {} }, 'http://127.0.0.1:9101/v1');

  it("has the fields of st2's orquesta runner, with this bundle's values", () => {
    expect(st2).toEqual({
      action_execution_id: '01WF',
      workflow_execution_id: '01WF',
      api_url: 'http://127.0.0.1:9101/v1',
      user: 'stanley',
      pack: 'examples',
      action: 'examples.orquesta-st2-ctx',
      runner: 'orquesta',
    });
    expect(workflowSt2Context({ id: 'x', action: 'p.a', context: { user: 'ada' } }, 'https://api').user).toBe('ada');
  });

  it('is seen by every later step, also after the state was stored and read back (orquesta-st2-ctx)', async () => {
    const spec = await example('orquesta-st2-ctx');
    const started = startWorkflow(spec, {}, { executionId: '01WF', st2 });
    const state = fromStored(JSON.parse(JSON.stringify(toStored(started.state))));
    const { commands } = onTaskCompleted(spec, state, { taskId: 'task1', status: 'succeeded', result: {} });
    expect(commands.find((c) => c.type === 'complete')).toMatchObject({
      status: 'succeeded',
      output: { callback: 'http://127.0.0.1:9101/v1/executions/01WF', st2 },
    });
  });
});
