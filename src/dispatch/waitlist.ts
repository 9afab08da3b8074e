import type { Logger } from '../log/index.ts';
import { CLAIMABLE_STATUSES } from '../model/status.ts';
import { ACTION_ATTRIBUTE } from '../queue/messages.ts';
import type { WorkQueue } from '../queue/work-queue.ts';
import type { ExecutionStore } from '../store/executions.ts';

/** Message attribute of a waiting action's message sent again because a slot of `pool` was freed: its value is the pool. */
export const WOKEN_ATTRIBUTE = 'wokenForSlot';

/** Waitlist entries read at once: enough for the slots freed together in one container, and for the entries other wakers took meanwhile. */
const HEAD = 10;
/** After the waitlist was seen empty, ms before a slot nobody watched asks again (unless work of this container waited since). */
const QUIET_MS = 1000;
/** After a read of the waitlist failed (no index yet, throttled), ms before a freed slot asks again. */
const FAILING_MS = 5000;
/** How long after work of this container was seen waiting (joined, or woken) a freed slot asks, watched or not. */
const BUSY_MS = 30_000;

export interface WaitlistDeps {
  store: Pick<ExecutionStore, 'waitlistHead' | 'leaveWaitlist' | 'joinWaitlist'>;
  queue: Pick<WorkQueue, 'send'>;
  log: Logger;
  /** The stage pool (`actions`). */
  pool: string;
}

/**
 * The actions waiting for a slot of the stage's pool, oldest request first (the byWaiting index). An action
 * that finds the pool full joins it (its record's `waiting_for`) and leaves no work in any container; its
 * message comes back only after a long wait (a safety net). A runner that frees a slot no work of its own
 * container takes wakes the first waiting action: takes it off the list (one waker each) and sends its
 * message again at once. A freed slot is so taken again within one message delivery, in request order,
 * and a waiting action costs no request while it waits. A wake that is lost (a runner that died, the
 * index lagging) only delays an action until its message comes back.
 * @example const waitlist = new Waitlist({ store, queue, log, pool: 'actions' }); gate = new PoolGate({ ..., onUnclaimedFree: (watched) => waitlist.wake(watched) });
 */
export class Waitlist {
  readonly #deps: WaitlistDeps;
  /** Slots freed here that no waiting action was woken for yet. */
  #wanted = 0;
  #waking: Promise<void> | undefined;
  /** Epoch ms before which a slot nobody watched does not ask: the waitlist was empty a moment ago. */
  #quietUntil = 0;
  /** Epoch ms before which no freed slot asks: the last read of the list failed. */
  #failingUntil = 0;
  /** Epoch ms until which work of this container is known to have waited lately. */
  #busyUntil = 0;

  constructor(deps: WaitlistDeps) {
    this.#deps = deps;
  }

  /**
   * Work of this container joined the waitlist, or was woken from it: for a while, a freed slot asks even
   * when nobody watched it, and even just after the list was seen empty.
   */
  sawWaiting(): void {
    this.#quietUntil = 0;
    this.#busyUntil = Date.now() + BUSY_MS;
  }

  /** Work waited lately (see `sawWaiting`): slots taken here are taken watched. */
  get busy(): boolean {
    return Date.now() < this.#busyUntil;
  }

  /**
   * A slot was freed that nobody here takes: wake the first waiting action (in the background; errors are
   * logged). Asked only when there is a reason to think someone waits: the slot was watched (work waited when it
   * was taken, or joined the list since), or work of this container waited lately; an action that never meets
   * a full pool costs no read of the list.
   */
  wake(watched: boolean): void {
    const now = Date.now();
    if (now < this.#failingUntil || (!watched && (now < this.#quietUntil || now >= this.#busyUntil))) return;
    this.#wanted += 1;
    this.#ensureWaking();
  }

  /** Resolves once no wake is under way: the handler awaits it before it returns (a frozen container would hold a wake back). */
  async settled(): Promise<void> {
    while (this.#waking) await this.#waking;
  }

  #ensureWaking(): void {
    if (this.#waking || this.#wanted === 0) return;
    this.#waking = this.#wakeWanted().finally(() => {
      this.#waking = undefined;
      // Freed while the last round was ending.
      this.#ensureWaking();
    });
  }

  /** Wakes as many waiting actions as slots were freed, reading the head of the list once for several, waking them side by side. */
  async #wakeWanted(): Promise<void> {
    const { store, log, pool } = this.#deps;
    while (this.#wanted > 0) {
      // The slots freed so far; those freed meanwhile are the next round's.
      const wanted = this.#wanted;
      let woken = 0;
      try {
        const ids = await store.waitlistHead(pool, Math.min(HEAD, wanted + 2));
        if (ids.length === 0) this.#quietUntil = Date.now() + QUIET_MS;
        // The first `wanted` at once; those another waker took are made up for from the rest of the head.
        for (let from = 0; from < ids.length && woken < wanted;) {
          const batch = ids.slice(from, from + wanted - woken);
          from += batch.length;
          woken += (await Promise.all(batch.map((id) => this.#wakeOne(id)))).filter(Boolean).length;
        }
      } catch (error) {
        this.#failingUntil = Date.now() + FAILING_MS;
        log.warn('could not wake a waiting action: it comes back when its message does', { pool, error });
      }
      // Fewer waiting than freed (or none woken): the rest of those slots go to whatever arrives.
      this.#wanted -= wanted;
    }
  }

  /** Takes `id` off the waitlist and sends its message: false when another waker took it, or it stopped waiting. */
  async #wakeOne(id: string): Promise<boolean> {
    const { store, queue, pool } = this.#deps;
    const record = await store.leaveWaitlist(id, pool);
    // Another waker took it, or it was claimed (or ended) and the index had not caught up yet.
    if (!record || !CLAIMABLE_STATUSES.includes(record.status)) return false;
    try {
      await queue.send('actions', { executionId: id }, 0, { [ACTION_ATTRIBUTE]: record.action, [WOKEN_ATTRIBUTE]: pool });
      return true;
    } catch (error) {
      // Back on the list for the next freed slot (its message of the wait still comes back otherwise).
      await store.joinWaitlist(id, pool).catch(() => undefined);
      throw error;
    }
  }
}
