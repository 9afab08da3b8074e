/**
 * The transition side of a completed task run: evaluate each `next` entry's `when`, publish its
 * values into a new context, and stage the tasks it names — through a join's barrier when the task
 * joins, on a new route when the transition splits — or record the engine command (`continue`,
 * `noop`, `fail`) it names.
 */
import { evaluate, renderValue } from '../expressions/index.ts';
import type { ExpressionContext } from '../expressions/types.ts';
import { isEngineCommand, type TransitionSpec } from '../spec/types.ts';
import { EXECUTION_FAILED } from './error-messages.ts';
import type { Run } from './run.ts';
import type { TaskRun, TaskRunStatus } from './types.ts';

/** A task run that reached a terminal status, with the result its transitions see. */
export interface Outcome {
  taskRun: TaskRun;
  status: TaskRunStatus;
  result: unknown;
}

/** What the transitions of one completed run led to. */
export interface TransitionsTaken {
  /** A task or an engine command other than `continue` follows (a failed task with one is remediated, not fatal). */
  hasNext: boolean;
  /** A `fail` engine command was reached. */
  manualFail: boolean;
  /** Runs to launch once the workflow status is known. */
  staged: TaskRun[];
  /** Transition ids (`<next>__t<index>`) whose criteria were met. */
  satisfied: string[];
}

/** The expression context of a transition: `context` plus the completed task's result, status and name. */
export function outcomeContext(run: Run, outcome: Outcome, context: Record<string, unknown>): ExpressionContext {
  return run.expressionContext(context, { result: outcome.result, currentTaskStatus: outcome.status, currentTaskName: outcome.taskRun.name });
}

/** Evaluate every `next` entry of the completed run in order and stage what they lead to. */
export function takeTransitions(run: Run, outcome: Outcome, taskContext: Record<string, unknown>): TransitionsTaken {
  const taken: TransitionsTaken = { hasNext: false, manualFail: false, staged: [], satisfied: [] };
  const task = run.spec.tasks[outcome.taskRun.name];
  if (task.next.length === 0) outcome.taskRun.term = true;
  task.next.forEach((transition, index) => takeTransition(run, outcome, taskContext, transition, index, taken));
  if (taken.satisfied.length > 0) outcome.taskRun.next = taken.satisfied;
  return taken;
}

/** One `next` entry: when its criteria are met, publish and stage its targets. An error fails the workflow and skips the entry. */
function takeTransition(
  run: Run,
  outcome: Outcome,
  taskContext: Record<string, unknown>,
  transition: TransitionSpec,
  index: number,
  taken: TransitionsTaken,
): void {
  const taskRun = outcome.taskRun;
  const transitionId = `${transition.do[0]}__t${index}`;
  let published: Record<string, unknown>;
  try {
    const met = transition.when === undefined ? true : Boolean(evaluate(transition.when, outcomeContext(run, outcome, taskContext)));
    if (!met) return;
    published = publish(run, outcome, taskContext, transition);
  } catch (error) {
    run.failTask(taskRun, error, transitionId);
    return;
  }
  let outContextIndexes = taskRun.ctxs;
  if (Object.keys(published).length > 0) {
    run.state.contexts.push(published);
    outContextIndexes = [...taskRun.ctxs, run.state.contexts.length - 1];
  }
  for (const target of transition.do) {
    if (target === 'retry') continue;
    taken.satisfied.push(`${target}__t${index}`);
    if (isEngineCommand(target)) takeEngineCommand(run, taskRun, target, outContextIndexes, taken);
    else stageTask(run, taskRun, target, index, outContextIndexes, taken);
  }
}

/** The values a transition publishes, each rendered with those before it in view. */
function publish(run: Run, outcome: Outcome, taskContext: Record<string, unknown>, transition: TransitionSpec): Record<string, unknown> {
  const rolling = { ...taskContext };
  const published: Record<string, unknown> = {};
  for (const entry of transition.publish) {
    const value = renderValue(entry.value, outcomeContext(run, outcome, rolling));
    rolling[entry.name] = value;
    published[entry.name] = value;
  }
  return published;
}

/** `continue`, `noop` or `fail`: a pseudo-run ending this branch (`fail` also logs an error and fails the workflow). */
function takeEngineCommand(run: Run, taskRun: TaskRun, command: string, contextIndexes: number[], taken: TransitionsTaken): void {
  const status = command === 'fail' ? 'failed' : 'succeeded';
  run.state.runs.push({ id: command, name: command, route: taskRun.route, ctxs: contextIndexes, status, term: true, cmd: true });
  if (command !== 'continue') taken.hasNext = true;
  if (command === 'fail') {
    taken.manualFail = true;
    run.logError({ message: EXECUTION_FAILED, task_id: 'fail', route: taskRun.route });
  }
}

/** A task that follows: a new run of it, or an arrival at its join's barrier. */
function stageTask(run: Run, taskRun: TaskRun, target: string, index: number, contextIndexes: number[], taken: TransitionsTaken): void {
  taken.hasNext = true;
  const route = evaluateRoute(run, target, taskRun.name, index, taskRun.route);
  if (run.spec.tasks[target].join !== undefined) {
    const joined = arriveAtJoin(run, taskRun, target, route, contextIndexes);
    if (joined) taken.staged.push(joined);
  } else {
    taken.staged.push(run.newRun(target, route, contextIndexes));
  }
}

/** Record a branch arriving at a join; returns the join's run when enough branches have arrived (once per round). */
function arriveAtJoin(run: Run, taskRun: TaskRun, target: string, route: number, contextIndexes: number[]): TaskRun | undefined {
  const state = run.state;
  let barrier = state.barriers.find((candidate) => candidate.name === target && candidate.route === route);
  if (barrier?.fired && barrier.arrived.includes(taskRun.name)) {
    // A branch arrives again after the join ran (a loop around the join): start a new round.
    state.barriers = state.barriers.filter((other) => other !== barrier);
    barrier = undefined;
  }
  if (!barrier) {
    barrier = { name: target, route, ctxs: [...contextIndexes], arrived: [] };
    state.barriers.push(barrier);
  } else {
    barrier.ctxs.push(...contextIndexes.filter((contextIndex) => contextIndex !== 0));
  }
  if (!barrier.arrived.includes(taskRun.name)) barrier.arrived.push(taskRun.name);
  const join = run.spec.tasks[target].join;
  const inboundTasks = new Set(run.spec.graph.inbound[target].map((edge) => edge.from)).size;
  const required = join === 'all' ? inboundTasks : (join as number);
  if (barrier.fired || barrier.arrived.length < required) return undefined;
  // Fires once; later arrivals (join: N with more inbound branches) are recorded and ignored.
  barrier.fired = true;
  return run.newRun(target, route, barrier.ctxs);
}

/** The route of `target`: a new route when the transition into it splits (and was not taken on this route before), else the same route. */
function evaluateRoute(run: Run, target: string, from: string, index: number, previousRoute: number): number {
  if (!run.spec.graph.splits[target]) return previousRoute;
  const previousDetails = run.state.routes[previousRoute];
  const transitionId = `${from}__t${index}`;
  if (previousDetails.includes(transitionId)) return previousRoute;
  run.state.routes.push([...previousDetails, transitionId]);
  return run.state.routes.length - 1;
}
