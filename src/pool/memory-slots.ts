import { checkSlotArguments, shuffled, type AcquireOptions, type SlotPool } from './slots.ts';

interface Slot {
  holder?: string;
  expiresAt: number;
  /** Its release is counted: work waits for the pool. */
  watched?: boolean;
}

/**
 * The `SlotPool` of one process, in memory, with the same semantics as `DynamoSlotPool` (slots
 * numbered 0..limit-1, a lease per holder): for unit tests, and any single-process use.
 * @example const slots = new MemorySlotPool({ now: () => clock }); await slots.acquire('actions', 2, 'x', 1000);
 */
export class MemorySlotPool implements SlotPool {
  readonly #pools = new Map<string, Slot[]>();
  readonly #releases = new Map<string, number>();
  readonly #now: () => number;

  /** @param options.now the clock. @default Date.now */
  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  async acquire(pool: string, limit: number, holder: string, leaseMs: number, options: AcquireOptions = {}): Promise<boolean> {
    checkSlotArguments({ pool, holder, limit, leaseMs });
    const now = this.#now();
    const slots = this.#slots(pool, limit);
    const live = slots.filter((slot) => slot.holder !== undefined && slot.expiresAt > now);
    const mine = live.find((slot) => slot.holder === holder);
    if (mine) {
      mine.expiresAt = now + leaseMs;
      if (options.watched) mine.watched = true;
      return true;
    }
    if (live.length >= limit) return false;
    const free = shuffled(slots.slice(0, limit).filter((slot) => slot.holder === undefined || slot.expiresAt <= now));
    const slot = free[0];
    if (!slot) return false;
    slot.holder = holder;
    slot.expiresAt = now + leaseMs;
    slot.watched = options.watched === true;
    return true;
  }

  async renew(pool: string, holder: string, leaseMs: number): Promise<boolean> {
    checkSlotArguments({ pool, holder, leaseMs });
    const slot = this.#pools.get(pool)?.find((s) => s.holder === holder);
    if (!slot) return false;
    slot.expiresAt = this.#now() + leaseMs;
    return true;
  }

  async release(pool: string, holder: string): Promise<boolean> {
    checkSlotArguments({ pool, holder });
    let watched = false;
    for (const slot of this.#pools.get(pool) ?? []) {
      if (slot.holder === holder) {
        slot.holder = undefined;
        slot.expiresAt = 0;
        if (slot.watched) this.#releases.set(pool, (this.#releases.get(pool) ?? 0) + 1);
        watched ||= slot.watched === true;
        slot.watched = false;
      }
    }
    return watched;
  }

  async running(pool: string): Promise<number> {
    checkSlotArguments({ pool, holder: '-' });
    const now = this.#now();
    return (this.#pools.get(pool) ?? []).filter((slot) => slot.holder !== undefined && slot.expiresAt > now).length;
  }

  async releases(pool: string): Promise<number> {
    checkSlotArguments({ pool, holder: '-' });
    return this.#releases.get(pool) ?? 0;
  }

  /** Nothing moves between a look and the marks here: never a reason to look again. */
  async watch(pool: string): Promise<boolean> {
    checkSlotArguments({ pool, holder: '-' });
    const now = this.#now();
    for (const slot of this.#pools.get(pool) ?? []) if (slot.holder !== undefined && slot.expiresAt > now) slot.watched = true;
    return false;
  }

  #slots(pool: string, limit: number): Slot[] {
    const slots = this.#pools.get(pool) ?? [];
    while (slots.length < limit) slots.push({ expiresAt: 0 });
    this.#pools.set(pool, slots);
    return slots;
  }
}
