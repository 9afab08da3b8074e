import type { Logger } from '../log/index.ts';
import type { SlotPool } from '../pool/index.ts';

export interface PoolGateOptions {
  slots: SlotPool;
  /** The stage-wide pool: `actions` or `workflows`. */
  pool: string;
  /** Its size (st2's `actions_pool_size` / `workflows_pool_size`). */
  limit: number;
  /** How long a slot stays held without renewal (the execution lease). */
  leaseMs: number;
  /** How often held slots are looked at: a renewal that is due, or failed last time, is made then (the execution heartbeat). */
  heartbeatMs: number;
  /** How long after its last renewal a held slot is renewed again (the execution lease's renewal). @default heartbeatMs */
  renewMs?: number;
  log: Logger;
  /**
   * How often the first waiter of this container checks whether a slot was released anywhere since
   * its last look at the pool (one small read), in ms: a random value in [min, 2 x min]. @default 200
   */
  pollMs?: number;
  /**
   * How long at most between two looks at the whole pool while work waits, released slots or not: a
   * slot whose holder died frees itself when its lease runs out, with no release counted. @default 5000
   */
  fullLookMs?: number;
  /**
   * Told of a slot freed here that no waiter here takes, and whether work waited for the pool while it was held
   * (the slot was watched): the dispatcher wakes the first action waiting in its queue (`Waitlist`).
   */
  onUnclaimedFree?: (watched: boolean) => void;
  /** Work waits for the pool outside this container (its queue's waitlist): the slots taken here are taken watched. @default never */
  othersWait?: () => boolean;
}

/** Why a waiter was woken: a slot freed in this container, a look at the pool (for slots freed elsewhere), or its wait was given up. */
type Wake = 'freed' | 'look' | 'gave-up';

interface Waiter {
  wake: (why: Wake) => void;
}

/**
 * One container's door to its function's stage-wide pool (`SlotPool`): every action child
 * process (and workflow engine step) runs inside it while holding a slot. Slots it holds are
 * renewed on the heartbeat; a holder whose slot was taken by another after its lease ran out
 * takes a free one, or, the pool being full, is told through its `onLost` (its action is stopped). Work that finds the pool full may wait here only
 * while this container holds slots of its own: each one it frees is offered to the first waiter
 * at once (a freed slot refills in milliseconds). For slots freed elsewhere, waiting work has the slots
 * held now watched (`SlotPool.watch`; only a watched slot's release is counted, so a release nobody waits
 * for costs no write), and the first waiter reads
 * the pool's release count every `pollMs` to `2 x pollMs` and, when it grew (or `fullLookMs` passed),
 * looks at the pool: when it takes a slot the next waiter looks at once, and so on until one finds
 * the pool full, so one look takes every slot freed since the last. A container that holds none
 * keeps nobody waiting: the caller sends the work back to its queue.
 * @example if (await gate.tryEnter(id)) try { await run() } finally { await gate.leave(id) }
 */
export class PoolGate {
  readonly pool: string;
  readonly limit: number;
  readonly #o: Required<PoolGateOptions>;
  /** Holders here, with when their slot was last taken or renewed. */
  readonly #held = new Map<string, { onLost?: () => void; renewedAt: number }>();
  readonly #waiters: Waiter[] = [];
  #renewTimer: NodeJS.Timeout | undefined;
  #pollTimer: NodeJS.Timeout | undefined;
  /** A look is under way: waiters take the slots it finds one after another; no other look starts meanwhile. */
  #looking = false;
  /** Looks at the pool so far (each one a chain of takes until the pool is full). */
  #looks = 0;
  #lastLookAt = 0;
  /** The pool's release count read before the last look. */
  #releasesSeen: number | undefined;
  /** A watch of the pool is under way; another was asked for meanwhile. */
  #watching = false;
  #watchAgain = false;

  constructor(options: PoolGateOptions) {
    this.#o = { pollMs: 200, fullLookMs: 5000, renewMs: options.heartbeatMs, onUnclaimedFree: () => {}, othersWait: () => false, ...options };
    this.pool = options.pool;
    this.limit = options.limit;
  }

  /** Slots this container holds now. */
  get holding(): number {
    return this.#held.size;
  }

  /** Work of this container waiting for one of its slots. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Looks at the pool its waiters took so far (for slots freed in other containers). */
  get looks(): number {
    return this.#looks;
  }

  /** Takes a slot for `holder` when the pool has a free one (or `holder` has one already); watched while work waits here. */
  async tryEnter(holder: string, onLost?: () => void): Promise<boolean> {
    if (!(await this.#o.slots.acquire(this.pool, this.limit, holder, this.#o.leaseMs, { watched: this.#watchedTakes() }))) return false;
    this.#held.set(holder, { onLost, renewedAt: Date.now() });
    this.#renewTimer ??= setInterval(() => void this.#renewAll(), this.#o.heartbeatMs);
    return true;
  }

  /**
   * Waits in this container for a slot, while it holds any: true once `holder` has one; false as
   * soon as this container holds none (nothing here will free one), or `giveUp` is aborted.
   */
  async enterWhenFreed(holder: string, onLost?: () => void, giveUp?: AbortSignal): Promise<boolean> {
    for (let again = false; ; again = true) {
      if (this.#held.size === 0 || giveUp?.aborted) return false;
      const why = await new Promise<Wake>((resolve) => {
        const waiter: Waiter = { wake: resolve };
        // Woken and too late: it keeps its place at the head (the oldest waiter is served first).
        if (again) this.#waiters.unshift(waiter);
        else this.#waiters.push(waiter);
        giveUp?.addEventListener('abort', () => this.#wake(waiter, 'gave-up'), { once: true });
        // Its tryEnter just found the pool full: the slots held now are to count their releases.
        if (!again) this.#watch();
        this.#ensurePoll();
      });
      let entered = false;
      try {
        entered = !giveUp?.aborted && (await this.tryEnter(holder, onLost));
      } finally {
        // A look goes on with the next waiter while it finds slots; it ends with the first that finds none.
        if (why === 'look') this.#lookOn(entered);
        this.#ensurePoll();
      }
      if (entered) return true;
      if (giveUp?.aborted) return false;
    }
  }

  /**
   * Frees `holder`'s slot and offers it to the first waiter here (every waiter, when this container holds no slot
   * any more); with nobody waiting here, `onUnclaimedFree` is told.
   */
  async leave(holder: string): Promise<void> {
    if (!this.#held.delete(holder)) return;
    if (this.#held.size === 0) {
      clearInterval(this.#renewTimer);
      this.#renewTimer = undefined;
    }
    const watched = await this.#o.slots.release(this.pool, holder).catch((error: unknown) => {
      this.#o.log.warn('could not free a pool slot; its lease will', { pool: this.pool, holder, error });
      return false;
    });
    const first = this.#waiters[0];
    if (!first) this.#o.onUnclaimedFree(watched);
    else if (this.#held.size === 0) for (const waiter of [...this.#waiters]) this.#wake(waiter, 'freed');
    else this.#wake(first, 'freed');
  }

  /**
   * Work started waiting for the pool outside this container (it joined the queue's waitlist): the slots held
   * now are watched, so that the container that frees one knows to wake it.
   */
  watchHeld(): void {
    this.#watch();
  }

  /** Slots are taken watched while work waits for the pool, here or in the queue. */
  #watchedTakes(): boolean {
    return this.#waiters.length > 0 || this.#o.othersWait();
  }

  #wake(waiter: Waiter, why: Wake): boolean {
    const index = this.#waiters.indexOf(waiter);
    if (index < 0) return false;
    this.#waiters.splice(index, 1);
    waiter.wake(why);
    return true;
  }

  /** The waiter a look woke took a slot (the next one looks at once: more may be free) or found the pool full (the look ends). */
  #lookOn(found: boolean): void {
    const next = this.#waiters[0];
    if (found && next) return void this.#wake(next, 'look');
    this.#looking = false;
    // The pool is full again, maybe with holders taken since the last watch: they count their releases too.
    if (next) this.#watch();
  }

  /**
   * Marks the slots held now as watched (`SlotPool.watch`: a release nobody waits for counts nothing), one
   * watch at a time; a slot freed meanwhile, whose release may have gone uncounted, makes the first waiter look now.
   */
  #watch(): void {
    if (this.#watching) return void (this.#watchAgain = true);
    this.#watchAgain = false;
    this.#watching = true;
    this.#o.slots
      .watch(this.pool)
      .then(
        (moved) => moved && this.#lookNow(),
        (error: unknown) => this.#o.log.debug('could not watch the pool: its next full look finds what it missed', { pool: this.pool, error }),
      )
      .finally(() => {
        this.#watching = false;
        if (this.#watchAgain) this.#watch();
      });
  }

  /** The first waiter looks at the pool now, unless a look is under way. */
  #lookNow(): void {
    const first = this.#waiters[0];
    if (this.#looking || !first) return;
    clearTimeout(this.#pollTimer);
    this.#pollTimer = undefined;
    this.#looking = true;
    this.#startLook(first);
  }

  /** `first` looks at the pool (a look is under way): counted, and the time of the last look noted. */
  #startLook(first: Waiter): void {
    this.#looks += 1;
    this.#lastLookAt = Date.now();
    this.#wake(first, 'look');
  }

  /** While anyone waits and no look is under way, the first waiter checks for released slots in `pollMs` to `2 x pollMs`. */
  #ensurePoll(): void {
    if (this.#pollTimer || this.#looking || this.#waiters.length === 0) return;
    this.#pollTimer = setTimeout(
      () => {
        this.#pollTimer = undefined;
        void this.#check();
      },
      this.#o.pollMs * (1 + Math.random()),
    );
  }

  /** Looks at the pool when a slot was released since the last look (one small read), or the last look is `fullLookMs` old. */
  async #check(): Promise<void> {
    this.#looking = true;
    let look = true;
    try {
      const releases = await this.#o.slots.releases(this.pool);
      look = releases !== this.#releasesSeen || Date.now() - this.#lastLookAt >= this.#o.fullLookMs;
      this.#releasesSeen = releases;
    } catch (error) {
      this.#o.log.debug('could not read the pool release count: looking at the pool', { pool: this.pool, error });
    }
    const first = this.#waiters[0];
    if (!look || !first) {
      this.#looking = false;
      this.#ensurePoll();
      return;
    }
    this.#startLook(first);
  }

  /** Renews the slots whose renewal is due (half a heartbeat early: the timer is not exact); one that fails is tried again at the next heartbeat. */
  async #renewAll(): Promise<void> {
    const dueBefore = Date.now() - this.#o.renewMs + this.#o.heartbeatMs / 2;
    await Promise.all(
      [...this.#held].map(async ([holder, held]) => {
        if (held.renewedAt > dueBefore) return;
        const { onLost } = held;
        const started = Date.now();
        try {
          if (await this.#o.slots.renew(this.pool, holder, this.#o.leaseMs)) return void (held.renewedAt = started);
          if (!this.#held.has(holder)) return; // left meanwhile
          // Renewed too late and taken: another free slot will do; only a full pool means one too many runs.
          if (await this.#o.slots.acquire(this.pool, this.limit, holder, this.#o.leaseMs, { watched: this.#watchedTakes() }))
            return void (held.renewedAt = started);
          this.#o.log.warn('pool slot lost: its lease ran out and another holder has it', { pool: this.pool, holder });
          this.#held.delete(holder);
          onLost?.();
        } catch (error) {
          this.#o.log.warn('could not renew a pool slot', { pool: this.pool, holder, error });
        }
      }),
    );
  }
}
