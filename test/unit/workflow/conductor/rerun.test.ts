// Re-running a completed workflow from some tasks (orquesta's request_workflow_rerun): what the new
// state keeps, what runs again, and the refusals (orquesta's messages).
import { describe, expect, it } from 'vitest';
import { checkRerun, onTaskCompleted, RerunError, rerunWorkflow } from '../../../../src/workflow/conductor/index.ts';
import { drive, shell, spec } from './harness.ts';

const chain = spec(`
version: 1.0
input: [code]
tasks:
  first:
    action: core.noop
    next: [{when: <% succeeded() %>, publish: seen=1, do: second}]
  second:
    action: core.local cmd="exit <% ctx(code) %>"
    next: [{when: <% succeeded() %>, do: third}]
  third:
    action: core.echo message="<% ctx(seen) %>"
output:
  - seen: <% ctx(seen) %>
`);

const items = spec(`
version: 1.0
tasks:
  each:
    with: <% range(0, 4) %>
    action: core.local cmd="exit <% item() %>"
`);

describe('rerunWorkflow', () => {
  it('runs the failed task again with the context it had, and the workflow goes on to succeed without its earlier tasks', () => {
    const failed = drive(chain, { code: 1 });
    expect(failed.complete?.status).toBe('failed');
    const again = rerunWorkflow(chain, failed.state, { tasks: ['second'], reset: ['second'] }, { executionId: 'ex2', from: 'ex1' });
    expect(again.state.executionId).toBe('ex2');
    expect(again.state.errors).toEqual([]);
    expect(again.commands).toEqual([{ type: 'schedule', taskId: 'second.2', taskName: 'second', action: 'core.local', input: { cmd: 'exit 1' } }]);
    const second = onTaskCompleted(chain, again.state, { taskId: 'second.2', ...shell('') });
    expect(second.commands).toEqual([expect.objectContaining({ type: 'schedule', taskName: 'third', input: { message: 1 } })]);
    const done = onTaskCompleted(chain, second.state, { taskId: (second.commands[0] as { taskId: string }).taskId, ...shell('1') });
    expect(done.commands).toEqual([{ type: 'complete', status: 'succeeded', output: { seen: 1 }, errors: [] }]);
  });

  it('a with-items task runs every item again on reset, only those that did not succeed otherwise', () => {
    const failed = drive(items);
    expect(failed.state.runs[0].items?.status).toEqual(['succeeded', 'failed', 'failed', 'failed']);
    const reset = rerunWorkflow(items, failed.state, { tasks: ['each'], reset: ['each'] }, { executionId: 'ex2', from: 'ex1' });
    expect(reset.commands.map((c) => (c as { itemIndex?: number }).itemIndex)).toEqual([0, 1, 2, 3]);
    const kept = rerunWorkflow(items, failed.state, { tasks: ['each'], reset: [] }, { executionId: 'ex2', from: 'ex1' });
    expect(kept.commands.map((c) => (c as { itemIndex?: number }).itemIndex)).toEqual([1, 2, 3]);
    // The kept item's result is on the original's child: the engine looks there.
    expect(kept.state.runs[0].items?.from).toEqual(['ex1']);
  });

  it("refuses a workflow that has not completed, and a task that never ran (orquesta's messages)", () => {
    const failed = drive(chain, { code: 1 });
    expect(() => checkRerun(failed.state, { tasks: ['third'], reset: [] })).toThrow(
      new RerunError("Unable to rerun task|route(s) because it doesn't exist or isn't rerunnable: third|0"),
    );
    const running = { ...failed.state, done: false, status: 'running' as const };
    expect(() => checkRerun(running, { tasks: ['second'], reset: [] })).toThrow('Unable to rerun workflow because it is not in a completed state.');
  });
});
