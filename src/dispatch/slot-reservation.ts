import type { Logger } from '../log/index.ts';
import type { Execution } from '../model/execution.ts';
import type { ExecutionStore } from '../store/executions.ts';
import { TransitionConflictError } from '../store/errors.ts';

/** How often an action that waited for a slot past its time is sent back to the queue before it runs with what is left. */
export const MAX_REQUEUES = 3;
/** Below this much time left in the invocation an action is not started here at all (unless its timeout is shorter). */
export const MIN_START_MS = 3_000;
/** A wait for a slot shorter than this is no wait: the action starts with the time there is. */
const LONG_WAIT_MS = 1_000;

/**
 * Whether an action that just got its slot should go back to its queue instead: this invocation can
 * no longer give it its whole timeout and a fresh one will (not forever: after a few claims it runs
 * with the time there is), or too little time is left to start anything.
 */
export function shouldRequeue(slot: { claims: number; leftMs: number; timeoutMs: number; waitedMs: number }): boolean {
  const waitedLong = slot.leftMs < slot.timeoutMs && slot.waitedMs > LONG_WAIT_MS && slot.claims <= MAX_REQUEUES;
  return waitedLong || slot.leftMs < Math.min(slot.timeoutMs, MIN_START_MS);
}

/**
 * An execution claimed as `scheduled` (st2's "taken by a runner, not started yet") while it waits
 * for a free slot, so that the child starts the moment one frees. Its lease is kept alive until
 * `stop()`; a cancel or a lost lease meanwhile is kept in `endedWhileWaiting`.
 */
export class SlotReservation {
  endedWhileWaiting: Execution | undefined;
  readonly #keepAlive: NodeJS.Timeout;

  private constructor(
    public record: Execution,
    store: ExecutionStore,
    owner: string,
    leaseMs: number,
    log: Logger,
  ) {
    this.#keepAlive = setInterval(() => {
      store.heartbeat(record.id, owner, leaseMs).then(
        (renewed) => (this.record = renewed),
        (error: unknown) => {
          // Canceled while it waited, or its lease lost (given back): it will not start here, nothing to renew.
          if (error instanceof TransitionConflictError && error.current) {
            this.endedWhileWaiting = error.current;
            this.stop();
          } else log.warn('could not renew a waiting lease', { error });
        },
      );
    }, leaseMs / 3);
  }

  /**
   * Claims the execution as `scheduled` for `owner`.
   * @throws TransitionConflictError when it is no longer waiting (another runner has it, or it ended).
   */
  static async take(store: ExecutionStore, id: string, owner: string, leaseMs: number, log: Logger): Promise<SlotReservation> {
    return new SlotReservation(await store.reserve(id, owner, leaseMs), store, owner, leaseMs, log);
  }

  /** The slot is there (or the wait is over): renewals stop here; the run's heartbeat takes over. */
  stop(): void {
    clearInterval(this.#keepAlive);
  }
}
