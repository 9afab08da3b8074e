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

function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32);
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

  private constructor(
    private readonly pool: SlotPool,
    readonly slots: readonly PolicySlot[],
    private readonly holder: string,
    leaseMs: number,
    log: Logger,
  ) {
    if (slots.length === 0) return;
    this.#renewing = setInterval(() => {
      for (const slot of slots) {
        pool.renew(slot.pool, holder, leaseMs).then(
          (renewed) => renewed || log.warn('policy slot lost: its lease ran out before it was renewed', { pool: slot.pool, holder }),
          (error: unknown) => log.warn('could not renew a policy slot', { pool: slot.pool, error }),
        );
      }
    }, leaseMs / 3);
  }

  /**
   * Takes every slot in `slots` (in pool-name order, so two executions never wait on each other's),
   * or none: when one is full, those taken are given back and the full one is named.
   */
  static async take(pool: SlotPool, slots: readonly PolicySlot[], holder: string, leaseMs: number, log: Logger): Promise<PolicySlotsTaken> {
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
    return { held: new HeldPolicySlots(pool, slots, holder, leaseMs, log) };
  }

  /** Gives the slots back (idempotent); one that cannot be written frees itself when its lease ends. */
  async release(): Promise<void> {
    clearInterval(this.#renewing);
    await Promise.all(this.slots.map((slot) => this.pool.release(slot.pool, this.holder)));
  }
}
