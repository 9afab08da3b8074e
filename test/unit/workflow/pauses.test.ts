import { describe, expect, it } from 'vitest';
import type { Command } from '../../../src/workflow/conductor/index.ts';
import { holdWhilePaused } from '../../../src/workflow/pauses.ts';
import type { WorkflowExecution } from '../../../src/workflow/workflow-record.ts';
import { execution } from '../../helpers/factories.ts';

const schedule = (taskId: string): Command => ({ type: 'schedule', taskId, taskName: taskId, action: 'core.noop', input: {} });
const cancel: Command = { type: 'cancel', taskIds: ['a'] };
const workflow = (status: WorkflowExecution['status'], held?: Command[]) =>
  ({ ...execution({ status, runner: 'orquesta' }), ...(held ? { workflow_held: held } : {}) }) as WorkflowExecution;

describe('holdWhilePaused: no task starts while a workflow pauses', () => {
  it('holds the schedules of a pausing or paused workflow, after those held before; other commands go on', () => {
    for (const status of ['pausing', 'paused'] as const) {
      expect(holdWhilePaused(workflow(status, [schedule('a')]), [schedule('b'), cancel])).toEqual({ commands: [cancel], held: [schedule('a'), schedule('b')] });
    }
  });

  it('leaves the held list alone when a paused step schedules nothing', () => {
    expect(holdWhilePaused(workflow('paused', [schedule('a')]), [cancel])).toEqual({ commands: [cancel] });
  });

  it('carries out what was held first once it resumes, runs or is canceled', () => {
    for (const status of ['resuming', 'running', 'canceling'] as const) {
      expect(holdWhilePaused(workflow(status, [schedule('a')]), [schedule('b')])).toEqual({ commands: [schedule('a'), schedule('b')], held: [] });
    }
  });

  it('changes nothing for a running workflow that held nothing', () => {
    expect(holdWhilePaused(workflow('running'), [schedule('b')])).toEqual({ commands: [schedule('b')] });
  });
});
