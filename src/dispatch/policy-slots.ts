import { createHash } from 'node:crypto';
import type { Logger } from '../log/index.ts';
import type { ConcurrencyPolicy } from '../policies/types.ts';
import type { SlotPool } from '../pool/slots.ts';

/** One slot an execution must hold to run: of the pool its concurrency policy counts it in. */
export interface PolicySlot {
  /** `policy:<action ref>`, or `policy:<action ref>:<digest of the attribute values>` for `action.concurrency.attr`. */
  pool: string;
  /** The policy's threshold. */
  limit: number;
  policy: ConcurrencyPolicy;
}

/**
 * The slots `action.concurrency(.attr)` policies ask of an execution of `action` with `values` (its
 * parameters, defaults applied). An `.attr` policy counts each combination of its attributes' values
 * apart (`attributes: [host]`: one pool per host); the values go into the pool name as a digest (any
 * value, any length). Two policies that name one pool keep the lower threshold.
 * @example policySlotsFor('ops.deploy', { host: 'a' }, policies) // [{ pool: 'policy:ops.deploy:3f...', limit: 1, policy }]
 */
export function policySlotsFor(action: string, values: Record<string, unknown>, policies: readonly ConcurrencyPolicy[]): PolicySlot[] {
  const byPool = new Map<string, PolicySlot>();
  for (const policy of policies) {
    const { attributes, threshold } = policy.parameters;
    const key = attributes.length === 0 ? '' : `:${digest(attributes.map((name) => [name, values[name] ?? null]))}`;
    const pool = `policy:${action}${key}`;
    const known = byPool.get(pool);
    if (!known || threshold < known.limit) byPool.set(pool, { pool, limit: threshold, policy });
  }
  return [...byPool.values()].sort((a, b) => a.pool.localeCompare(b.pool));
}

/** Why a full policy pool held the execution back: `<delayed|canceled> by policy <ref> (<type>): threshold N reached - N of <action> already running`. */
export function heldBackReason(what: 'delayed' | 'canceled', execution: { action: string }, full: PolicySlot): string {
  const { policy, limit } = full;
  const same = policy.parameters.attributes.length ? ` with the same ${policy.parameters.attributes.join(', ')}` : '';
  return `${what} by policy ${policy.ref} (${policy.policy_type}): threshold ${limit} reached - ${limit} of ${execution.action}${same} already running`;
}

function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32);
}

/**
 * Policy slots held in this process, by pool, and the deliveries here waiting for one: a slot given
 * back here wakes them at once (they race for it with everyone else), instead of their messages coming
 * back from SQS a second or two later.
 */
const local = { held: new Map<string, number>(), waiters: new Map<string, Set<() => void>>() };

function countHeld(pool: string, step: 1 | -1): void {
  const count = (local.held.get(pool) ?? 0) + step;
  if (count > 0) local.held.set(pool, count);
  else local.held.delete(pool);
  if (step > 0) return;
  const waiters = local.waiters.get(pool);
  local.waiters.delete(pool);
  for (const wake of waiters ?? []) wake();
}

/** Whether this process holds a slot of `pool` (one will be given back here). */
export function heldHere(pool: string): boolean {
  return (local.held.get(pool) ?? 0) > 0;
}

/**
 * Waits until this process gives back a slot of `pool`. False at once when it holds none (nothing here
 * will free one), and when `giveUp` aborts.
 */
export function localSlotFreed(pool: string, giveUp: AbortSignal): Promise<boolean> {
  if (!local.held.get(pool) || giveUp.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const waiters = local.waiters.get(pool) ?? new Set<() => void>();
    local.waiters.set(pool, waiters);
    const done = (freed: boolean) => () => {
      waiters.delete(wake);
      giveUp.removeEventListener('abort', abort);
      resolve(freed);
    };
    const wake = done(true);
    const abort = done(false);
    waiters.add(wake);
    giveUp.addEventListener('abort', abort, { once: true });
  });
}

/** How long a slot is held without renewal, and how often it is renewed (the execution lease's numbers). */
export interface SlotTiming {
  leaseMs: number;
  heartbeatMs: number;
}

/** Renews `holder`'s slot; when it lapsed and was taken meanwhile, takes a free one if there is one. */
async function renewOrRetake(pool: SlotPool, slot: PolicySlot, holder: string, leaseMs: number): Promise<boolean> {
  return (await pool.renew(slot.pool, holder, leaseMs)) || pool.acquire(slot.pool, slot.limit, holder, leaseMs);
}

/** What taking an execution's policy slots came to: all held, or the first pool that was full (none held then). */
export type PolicySlotsTaken = { held: HeldPolicySlots } | { refused: PolicySlot };

/**
 * The policy slots one delivery of an execution holds while it runs (`holder`: that delivery, so that a
 * duplicate delivery losing the claim frees only its own), renewed under a lease: a runner that dies
 * frees them when the lease ends.
 */
export class HeldPolicySlots {
  readonly #renewing: NodeJS.Timeout | undefined;
  #released = false;

  private constructor(
    private readonly pool: SlotPool,
    readonly slots: readonly PolicySlot[],
    private readonly holder: string,
    timing: SlotTiming,
    log: Logger,
  ) {
    if (slots.length === 0) return;
    for (const slot of slots) countHeld(slot.pool, 1);
    // Renewed at every heartbeat (as the execution's lease is): a slot must not lapse on a loaded machine.
    this.#renewing = setInterval(() => {
      for (const slot of slots) {
        void renewOrRetake(pool, slot, holder, timing.leaseMs).then(
          (held) => held || log.warn('policy slot lost and none free: this execution runs over its policy threshold', { pool: slot.pool, holder }),
          (error: unknown) => log.warn('could not renew a policy slot', { pool: slot.pool, error }),
        );
      }
    }, timing.heartbeatMs);
  }

  /**
   * Takes every slot in `slots` (in pool-name order, so two executions never wait on each other's),
   * or none: when one is full, those taken are given back and the full one is named.
   */
  static async take(pool: SlotPool, slots: readonly PolicySlot[], holder: string, timing: SlotTiming, log: Logger): Promise<PolicySlotsTaken> {
    const { leaseMs } = timing;
    const taken: PolicySlot[] = [];
    try {
      for (const slot of slots) {
        if (!(await pool.acquire(slot.pool, slot.limit, holder, leaseMs))) {
          await Promise.all(taken.map((held) => pool.release(held.pool, holder)));
          return { refused: slot };
        }
        taken.push(slot);
      }
    } catch (error) {
      await Promise.all(taken.map((held) => pool.release(held.pool, holder).catch(() => undefined)));
      throw error;
    }
    return { held: new HeldPolicySlots(pool, slots, holder, timing, log) };
  }

  /** Gives the slots back (idempotent); one that cannot be written frees itself when its lease ends. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    clearInterval(this.#renewing);
    try {
      await Promise.all(this.slots.map((slot) => this.pool.release(slot.pool, this.holder)));
    } finally {
      for (const slot of this.slots) countHeld(slot.pool, -1);
    }
  }
}
