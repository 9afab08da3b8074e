import { isWorkflowRunner } from '../actions/runner-parameters.ts';
import type { Logger } from '../log/index.ts';
import { isTerminal } from '../model/status.ts';
import { notifyParent } from '../queue/notify-parent.ts';
import type { WorkQueue } from '../queue/work-queue.ts';
import type { ExecutionService } from '../request/service.ts';
import type { ExecutionStore } from '../store/executions.ts';
import type { OpenExecution } from '../store/open-executions.ts';

export interface SweeperDeps {
  store: ExecutionStore;
  queue: Pick<WorkQueue, 'send'>;
  service: Pick<ExecutionService, 'enqueue'>;
  log: Logger;
  now?: () => number;
}

export interface SweepOptions {
  /**
   * A waiting execution (requested, delayed, scheduled without a lease) or a workflow that has
   * not moved is sent to its queue again after this long, in case its message was lost.
   * 0 after the local runtime restarts: its in-memory queues lost every message.
   */
  waitingAfterMs: number;
}

/** What one sweep found and did. */
export interface SweepReport {
  /** Executions not ended. */
  open: number;
  /** Held under a lease that expired (their runner died): sent to be judged. */
  expired: number;
  /** Waiting past `waitingAfterMs`: sent again. */
  waiting: number;
  /** Workflows that had not moved: their outbox and their ended tasks sent again. */
  workflows: number;
  durationMs: number;
}

/**
 * Finds the executions nobody will move any more and hands them back to the handlers, which judge
 * them by the rules they already apply to a redelivered message: an execution held under an expired
 * lease is marked `abandoned` (or run again with `retry_on_abandon`, or `canceled` when canceling);
 * a waiting one is run. It reads the sparse byOpen index, never scans, and never moves an execution
 * itself: every judgement stays in one place, the dispatcher.
 */
export class Sweeper {
  readonly #now: () => number;

  constructor(private readonly deps: SweeperDeps) {
    this.#now = deps.now ?? Date.now;
  }

  async sweep(options: SweepOptions): Promise<SweepReport> {
    const started = this.#now();
    const report: SweepReport = { open: 0, expired: 0, waiting: 0, workflows: 0, durationMs: 0 };
    const open = await this.deps.store.listOpen();
    report.open = open.length;
    for (const execution of open) {
      try {
        const kind = this.#judge(execution, options.waitingAfterMs);
        if (!kind) continue;
        if (kind === 'workflows') await this.#wakeWorkflow(execution);
        else await this.deps.service.enqueue(execution);
        if (kind !== 'expired') await this.deps.store.markSwept(execution.id);
        report[kind]++;
      } catch (error) {
        this.deps.log.warn('sweeper could not send an execution back to its queue', { executionId: execution.id, error });
      }
    }
    report.durationMs = this.#now() - started;
    if (report.expired + report.waiting + report.workflows > 0) this.deps.log.info('sweep', { ...report });
    return report;
  }

  /** Why `execution` must be sent again, if it must. */
  #judge(execution: OpenExecution, waitingAfterMs: number): 'expired' | 'waiting' | 'workflows' | undefined {
    const now = this.#now();
    if (execution.lease) return execution.lease.expiresAt < now ? 'expired' : undefined;
    // A pending inquiry waits for its response without anyone polling: sent once its ttl has run out, to time out.
    if (execution.status === 'pending')
      return (execution.inquiry_expires_at ?? Infinity) <= now && (execution.swept_at ?? 0) < now - waitingAfterMs ? 'waiting' : undefined;
    // A paused workflow waits for its resume: nothing polls it.
    if (execution.status === 'paused') return undefined;
    const since = Math.max(Date.parse(execution.start_timestamp), Number(execution.context.notBefore ?? 0), execution.swept_at ?? 0);
    if (now - since < waitingAfterMs) return undefined;
    if (['requested', 'delayed', 'scheduled'].includes(execution.status)) return 'waiting';
    // A workflow holds no lease: it moves on messages (its own, its tasks' task-completed).
    return isWorkflowRunner(execution.runner) ? 'workflows' : undefined;
  }

  /** The engine carries out its outbox again, and hears once more of every task that ended. */
  async #wakeWorkflow(workflow: OpenExecution): Promise<void> {
    await this.deps.service.enqueue(workflow);
    const children = await this.deps.store.list({ parent: workflow.id, limit: 100_000 });
    for (const child of children) if (isTerminal(child.status)) await notifyParent(this.deps.queue, child);
  }
}
