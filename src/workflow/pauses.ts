// Pause and resume of workflows (st2's pausing -> paused -> resuming -> running), and the inquiries that pause them.
import { isWorkflowRunner } from '../actions/runner-parameters.ts';
import type { Logger } from '../log/index.ts';
import { ValidationError } from '../model/errors.ts';
import type { Execution } from '../model/execution.ts';
import { isTerminal, type ExecutionStatus } from '../model/status.ts';
import type { WorkQueue } from '../queue/work-queue.ts';
import type { ExecutionService } from '../request/service.ts';
import { TransitionConflictError } from '../store/errors.ts';
import type { ExecutionStore } from '../store/executions.ts';
import { childKey, type WorkflowChildren } from '../store/workflow-children.ts';
import { fromStored, type Command, type ScheduleCommand } from './conductor/index.ts';
import type { WorkflowExecution } from './workflow-record.ts';

/** A task's child in these statuses waits without running: a paused sub-workflow, a pending inquiry. */
const WAITING: readonly ExecutionStatus[] = ['paused', 'pending'];

const isSchedule = (command: Command): command is ScheduleCommand => command.type === 'schedule';
const slot = (taskId: string, itemIndex?: number) => `${taskId}/${itemIndex ?? ''}`;

/**
 * What a step of `workflow` saves: while it is pausing or paused, its new schedules are held (no
 * task starts) and only its other commands form the outbox; once it is neither, the schedules held
 * before lead its outbox. `held` is undefined when the held list does not change.
 */
export function holdWhilePaused(workflow: WorkflowExecution, commands: Command[]): { commands: Command[]; held?: Command[] } {
  const before = workflow.workflow_held ?? [];
  if (workflow.status === 'pausing' || workflow.status === 'paused') {
    const schedules = commands.filter(isSchedule);
    if (schedules.length === 0) return { commands };
    return { commands: commands.filter((command) => !isSchedule(command)), held: [...before, ...schedules] };
  }
  if (before.length === 0) return { commands };
  return { commands: [...before, ...commands], held: [] };
}

export interface PausesDeps {
  store: ExecutionStore;
  queue: Pick<WorkQueue, 'send'>;
  service: Pick<ExecutionService, 'pause' | 'resume'>;
  children: WorkflowChildren;
  log: Logger;
}

/**
 * The engine's pause work. A workflow holds nothing while it pauses or is paused: no slot, no
 * timer; it moves only on messages (the pause or resume request, its tasks' task-completed events,
 * a child that paused or began waiting), and the sweeper wakes a `pausing` or `resuming` one whose
 * message was lost, never a `paused` one.
 */
export class Pauses {
  constructor(private readonly deps: PausesDeps) {}

  /** After a step saved and carried out `commands`: a pausing workflow may now be paused; a running one whose every task waits pauses. */
  async afterStep(before: WorkflowExecution, commands: Command[]): Promise<void> {
    if (before.status === 'pausing') return this.pausedIfQuiet(before.id);
    if (before.status === 'running' && !commands.some((command) => command.type === 'schedule' || command.type === 'complete')) {
      await this.pauseIfAllWait(before.id);
    }
  }

  /** Pauses (or resumes) the workflow's sub-workflows that run (or are paused). */
  async cascade(id: string, verb: 'pause' | 'resume'): Promise<void> {
    for await (const child of this.deps.children.list(id)) {
      if (isTerminal(child.status) || !child.runner || !isWorkflowRunner(child.runner)) continue;
      const wanted = verb === 'pause' ? child.status === 'running' : child.status === 'paused' || child.status === 'pausing';
      if (!wanted) continue;
      await this.deps.service[verb](child.id).catch(ignoreMoved);
    }
  }

  /** A pausing workflow whose outbox is carried out and whose active tasks all wait (or are held) becomes `paused`; its parent hears of it. */
  async pausedIfQuiet(id: string): Promise<void> {
    const workflow = (await this.deps.store.get(id)) as WorkflowExecution | undefined;
    if (!workflow || workflow.status !== 'pausing' || workflow.workflow_outbox?.length) return;
    if ((await this.#waits(workflow)).busy) return;
    try {
      await this.deps.store.paused(id);
    } catch (error) {
      return ignoreMoved(error);
    }
    this.deps.log.info('workflow paused', { executionId: id, action: workflow.action });
    await this.#nudgeParent(workflow);
  }

  /**
   * A running workflow whose active tasks all wait (a paused sub-workflow, a pending inquiry; at
   * least one) pauses, as orquesta does when only paused or pending tasks are left; other branches
   * that still run keep it running.
   */
  async pauseIfAllWait(id: string): Promise<void> {
    const workflow = (await this.deps.store.get(id)) as WorkflowExecution | undefined;
    if (!workflow || workflow.status !== 'running' || !workflow.workflow_state || workflow.workflow_outbox?.length) return;
    const { busy, waiting } = await this.#waits(workflow);
    if (busy || waiting === 0) return;
    try {
      await this.deps.store.pause(id, `every active task waits (${waiting} paused or pending)`);
    } catch (error) {
      return ignoreMoved(error);
    }
    await this.pausedIfQuiet(id);
  }

  /** A sub-workflow resumed on its own: its paused (or pausing) parent resumes too. */
  async resumeParent(workflow: Execution): Promise<void> {
    const parentId = workflow.context.parent;
    if (!parentId) return;
    const parent = await this.deps.store.get(parentId);
    if (parent && (parent.status === 'paused' || parent.status === 'pausing')) await this.deps.service.resume(parentId).catch(ignoreMoved);
  }

  /** Its parent checks whether all of its own active tasks now wait (then it pauses too). */
  async #nudgeParent(workflow: Execution): Promise<void> {
    if (workflow.context.parent) await this.deps.queue.send('workflows', { executionId: workflow.context.parent });
  }

  /**
   * Whether any active task of the workflow runs (or is about to: a child not created yet, or ended
   * but not yet applied), and how many wait. Each child is read consistently, by its key; the first
   * one that runs ends the look.
   */
  async #waits(workflow: WorkflowExecution): Promise<{ busy: boolean; waiting: number }> {
    const state = fromStored(workflow.workflow_state!);
    if (state.done) return { busy: true, waiting: 0 };
    const active = state.runs.filter((run) => run.status === 'running' && !run.retried && !run.cmd);
    if (active.length === 0) return { busy: true, waiting: 0 };
    const held = new Set((workflow.workflow_held ?? []).filter(isSchedule).map((command) => slot(command.taskId, command.itemIndex)));
    let waiting = 0;
    for (const run of active) {
      const indexes = run.items ? run.items.status.flatMap((status, index) => (status === 'running' ? [index] : [])) : [undefined];
      for (const index of indexes) {
        if (held.has(slot(run.id, index))) continue;
        const childId = await this.deps.children.idOf(childKey(workflow.id, run.id, index));
        const child = childId ? await this.deps.store.get(childId) : undefined;
        if (!child || !WAITING.includes(child.status)) return { busy: true, waiting };
        waiting++;
      }
    }
    return { busy: false, waiting };
  }
}

/** Someone else moved it first (or it cannot move that way any more): nothing left to do here. */
function ignoreMoved(error: unknown): void {
  if (!(error instanceof TransitionConflictError || error instanceof ValidationError)) throw error;
}
