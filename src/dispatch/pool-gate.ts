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
   * How long the first waiter of this container waits between looks at the pool (a slot freed in
   * another container), in ms: a random value in [min, 2 x min]. @default 1000
   */
  pollMs?: number;
}

interface Waiter {
  wake: () => void;
}

/**
 * One container's door to its function's stage-wide pool (`SlotPool`): every action child
 * process (and workflow engine step) runs inside it while holding a slot. Slots it holds are
 * renewed on the heartbeat; a holder whose slot was taken by another after its lease ran out
 * takes a free one, or, the pool being full, is told through its `onLost` (its action is stopped). Work that finds the pool full may wait here only
 * while this container holds slots of its own: each one it frees is offered to the first waiter
 * at once (a freed slot refills in milliseconds); the first waiter also looks at the pool now and
 * then for a slot freed elsewhere. A container that holds none keeps nobody waiting: the caller
 * sends the work back to its queue.
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

  constructor(options: PoolGateOptions) {
    this.#o = { pollMs: 1000, renewMs: options.heartbeatMs, ...options };
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

  /** Takes a slot for `holder` when the pool has a free one (or `holder` has one already). */
  async tryEnter(holder: string, onLost?: () => void): Promise<boolean> {
    if (!(await this.#o.slots.acquire(this.pool, this.limit, holder, this.#o.leaseMs))) return false;
    this.#held.set(holder, { onLost, renewedAt: Date.now() });
    this.#renewTimer ??= setInterval(() => void this.#renewAll(), this.#o.heartbeatMs);
    return true;
  }

  /**
   * Waits in this container for a slot, while it holds any: true once `holder` has one; false as
   * soon as this container holds none (nothing here will free one), or `giveUp` is aborted.
   */
  async enterWhenFreed(holder: string, onLost?: () => void, giveUp?: AbortSignal): Promise<boolean> {
    for (;;) {
      if (this.#held.size === 0 || giveUp?.aborted) return false;
      await new Promise<void>((resolve) => {
        const waiter: Waiter = { wake: resolve };
        this.#waiters.push(waiter);
        giveUp?.addEventListener('abort', () => this.#wake(waiter), { once: true });
        this.#ensurePoll();
      });
      if (giveUp?.aborted) return false;
      const entered = await this.tryEnter(holder, onLost);
      this.#ensurePoll();
      if (entered) return true;
    }
  }

  /** Frees `holder`'s slot and offers it to the first waiter here (every waiter, when this container holds no slot any more). */
  async leave(holder: string): Promise<void> {
    if (!this.#held.delete(holder)) return;
    if (this.#held.size === 0) {
      clearInterval(this.#renewTimer);
      this.#renewTimer = undefined;
    }
    await this.#o.slots
      .release(this.pool, holder)
      .catch((error: unknown) => this.#o.log.warn('could not free a pool slot; its lease will', { pool: this.pool, holder, error }));
    if (this.#held.size === 0) for (const waiter of [...this.#waiters]) this.#wake(waiter);
    else if (this.#waiters[0]) this.#wake(this.#waiters[0]);
  }

  #wake(waiter: Waiter): void {
    const index = this.#waiters.indexOf(waiter);
    if (index < 0) return;
    this.#waiters.splice(index, 1);
    waiter.wake();
  }

  /** While anyone waits, the first waiter looks at the pool every `pollMs` to `2 x pollMs` (a slot freed in another container). */
  #ensurePoll(): void {
    if (this.#pollTimer || this.#waiters.length === 0) return;
    this.#pollTimer = setTimeout(
      () => {
        this.#pollTimer = undefined;
        if (this.#waiters[0]) this.#wake(this.#waiters[0]);
      },
      this.#o.pollMs * (1 + Math.random()),
    );
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
          if (await this.#o.slots.acquire(this.pool, this.limit, holder, this.#o.leaseMs)) return void (held.renewedAt = started);
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
