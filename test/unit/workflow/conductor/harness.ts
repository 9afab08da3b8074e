import { join } from 'node:path';
import { onTaskCompleted, startWorkflow } from '../../../../src/workflow/conductor/index.ts';
import type { ChildStatus, Command, CompleteCommand, ScheduleCommand, WorkflowState } from '../../../../src/workflow/conductor/index.ts';
import { loadWorkflow, parseWorkflow, type WorkflowSpec } from '../../../../src/workflow/spec/index.ts';

export const WORKFLOWS = join(import.meta.dirname, '../../../../packs/examples/actions/workflows');

export function example(name: string): Promise<WorkflowSpec> {
  return loadWorkflow(join(WORKFLOWS, `${name}.yaml`));
}

export function spec(text: string): WorkflowSpec {
  return parseWorkflow(text, '/test/wf.yaml');
}

export interface Answer {
  status: ChildStatus;
  result: unknown;
}

export type Responder = (cmd: ScheduleCommand) => Answer | undefined;

/** A shell result as core.local / core.echo return it. */
export function shell(stdout: string, returnCode = 0): Answer {
  return {
    status: returnCode === 0 ? 'succeeded' : 'failed',
    result: { failed: returnCode !== 0, return_code: returnCode, stderr: '', stdout, succeeded: returnCode === 0 },
  };
}

/** Default simulated actions: core.echo echoes, core.noop returns {}, core.local "exit N" exits N else prints nothing. */
export const defaultResponder: Responder = (cmd) => {
  switch (cmd.action) {
    case 'core.echo':
      return shell(String(cmd.input.message ?? ''));
    case 'core.noop':
      return { status: 'succeeded', result: {} };
    case 'core.local': {
      const m = /^exit (\d+)$/.exec(String(cmd.input.cmd ?? ''));
      return shell('', m ? Number(m[1]) : 0);
    }
    default:
      return undefined;
  }
};

export interface Outcome {
  state: WorkflowState;
  commands: Command[];
  schedules: ScheduleCommand[];
  complete?: CompleteCommand;
  /** Max schedule commands outstanding at once, per task name. */
  maxInFlight: Record<string, number>;
}

/**
 * Drive a workflow to completion with a simulated executor: schedule commands are answered
 * (FIFO, or in a shuffled order when `shuffle` is given) by `responder` (falling back to the defaults).
 */
export function drive(
  wf: WorkflowSpec,
  input: Record<string, unknown> = {},
  responder: Responder = defaultResponder,
  options: { shuffle?: () => number; maxSteps?: number } = {},
): Outcome {
  const all: Command[] = [];
  const schedules: ScheduleCommand[] = [];
  const pending: ScheduleCommand[] = [];
  const inFlight: Record<string, number> = {};
  const maxInFlight: Record<string, number> = {};
  const take = (commands: Command[]): void => {
    for (const c of commands) {
      all.push(c);
      if (c.type === 'schedule') {
        schedules.push(c);
        pending.push(c);
        inFlight[c.taskName] = (inFlight[c.taskName] ?? 0) + 1;
        maxInFlight[c.taskName] = Math.max(maxInFlight[c.taskName] ?? 0, inFlight[c.taskName]);
      }
    }
  };
  let { state, commands } = startWorkflow(wf, input, { executionId: 'ex1' });
  take(commands);
  let steps = 0;
  while (pending.length > 0) {
    if (++steps > (options.maxSteps ?? 1000)) throw new Error('too many steps');
    const idx = options.shuffle ? Math.floor(options.shuffle() * pending.length) : 0;
    const cmd = pending.splice(idx, 1)[0];
    inFlight[cmd.taskName]--;
    const answer = responder(cmd) ?? defaultResponder(cmd);
    if (!answer) throw new Error(`no simulated action for ${cmd.action}`);
    const json = JSON.parse(JSON.stringify(state)) as WorkflowState; // the engine stores it as JSON
    ({ state, commands } = onTaskCompleted(wf, json, { taskId: cmd.taskId, itemIndex: cmd.itemIndex, ...answer }));
    take(commands);
  }
  const complete = all.find((c): c is CompleteCommand => c.type === 'complete');
  return { state, commands: all, schedules, complete, maxInFlight };
}

/** Deterministic pseudo-random numbers in [0, 1). */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
