import { afterEach, describe, expect, it, vi } from 'vitest';
import { HeldPolicySlots, localSlotFreed, policySlotsFor } from '../../../src/dispatch/policy-slots.ts';
import { policyDelaySeconds } from '../../../src/dispatch/take-policy-slots.ts';
import { createLogger } from '../../../src/log/index.ts';
import { parsePolicyMetadata, type ConcurrencyPolicy } from '../../../src/policies/index.ts';
import { MemorySlotPool } from '../../../src/pool/memory-slots.ts';

const log = createLogger({ test: 'policy-slots' }, 'error');
const policy = (name: string, parameters: Record<string, unknown>, type = 'action.concurrency') =>
  parsePolicyMetadata({ name, resource_ref: 'ops.deploy', policy_type: type, parameters }, { file: `/p/${name}.yaml`, pack: 'ops' }) as ConcurrencyPolicy;

describe('policySlotsFor', () => {
  const whole = policy('two', { threshold: 2 });
  const perHost = policy('per-host', { threshold: 1, attributes: ['host'] }, 'action.concurrency.attr');

  it('one pool per action, and one per combination of attribute values', () => {
    const a = policySlotsFor('ops.deploy', { host: 'a', env: 'x' }, [whole, perHost]);
    const b = policySlotsFor('ops.deploy', { host: 'b', env: 'x' }, [whole, perHost]);
    const a2 = policySlotsFor('ops.deploy', { host: 'a', env: 'y' }, [whole, perHost]);
    expect(a.map((s) => [s.pool.replace(/[0-9a-f]{32}$/, 'HASH'), s.limit, s.policy.ref])).toEqual([
      ['policy:ops.deploy', 2, 'ops.two'],
      ['policy:ops.deploy:HASH', 1, 'ops.per-host'],
    ]);
    expect(b[1].pool).not.toBe(a[1].pool);
    expect(a2[1].pool).toBe(a[1].pool);
    expect(a[0].pool).toBe(b[0].pool);
  });

  it('a missing attribute counts as null, and two policies on one pool keep the lower threshold', () => {
    expect(policySlotsFor('ops.deploy', {}, [perHost])[0].pool).toBe(policySlotsFor('ops.deploy', { host: null }, [perHost])[0].pool);
    const slots = policySlotsFor('ops.deploy', {}, [policy('five', { threshold: 5 }), whole]);
    expect(slots.map((s) => [s.limit, s.policy.ref])).toEqual([[2, 'ops.two']]);
  });

  it('pool names stay within what a slot pool accepts, whatever the values', () => {
    const [slot] = policySlotsFor('ops.deploy', { host: 'a b/c=d,'.repeat(100) }, [perHost]);
    expect(slot.pool).toMatch(/^[\w.:-]{1,200}$/);
  });
});

describe('HeldPolicySlots', () => {
  const slots = (limit: number, pools: string[]) => pools.map((pool) => ({ pool, limit, policy: policy('p', { threshold: limit }) }));

  it('takes every slot or none, naming the full pool, and gives them back', async () => {
    const pool = new MemorySlotPool();
    const first = await HeldPolicySlots.take(pool, slots(1, ['policy:a']), 'one', { leaseMs: 60_000, heartbeatMs: 20_000 }, log);
    expect('held' in first).toBe(true);
    // b is free but a is not: b is taken, then given back when a is refused.
    const second = await HeldPolicySlots.take(pool, slots(1, ['policy:b', 'policy:a']), 'two', { leaseMs: 60_000, heartbeatMs: 20_000 }, log);
    expect('refused' in second && second.refused.pool).toBe('policy:a');
    expect(await pool.running('policy:b')).toBe(0);
    if ('held' in first) await first.held.release();
    const third = await HeldPolicySlots.take(pool, slots(1, ['policy:b', 'policy:a']), 'three', { leaseMs: 60_000, heartbeatMs: 20_000 }, log);
    expect([await pool.running('policy:a'), await pool.running('policy:b')]).toEqual([1, 1]);
    if ('held' in third) await third.held.release();
    expect([await pool.running('policy:a'), await pool.running('policy:b')]).toEqual([0, 0]);
  });

  it('frees a dead holder’s slot when its lease ends', async () => {
    let now = 0;
    const pool = new MemorySlotPool({ now: () => now });
    expect('held' in (await HeldPolicySlots.take(pool, slots(1, ['policy:a']), 'dead', { leaseMs: 1_000, heartbeatMs: 60_000 }, log))).toBe(true);
    expect('refused' in (await HeldPolicySlots.take(pool, slots(1, ['policy:a']), 'next', { leaseMs: 1_000, heartbeatMs: 60_000 }, log))).toBe(true);
    now = 1_001;
    const next = await HeldPolicySlots.take(pool, slots(1, ['policy:a']), 'next', { leaseMs: 1_000, heartbeatMs: 60_000 }, log);
    expect('held' in next).toBe(true);
    if ('held' in next) await next.held.release();
  });
});

describe('HeldPolicySlots renewal', () => {
  afterEach(() => vi.useRealTimers());
  const slots = (limit: number, pool: string) => [{ pool, limit, policy: policy('p', { threshold: limit }) }];

  it('renews at every heartbeat, and takes a free slot when its own lapsed and was taken meanwhile', async () => {
    vi.useFakeTimers();
    const pool = new MemorySlotPool();
    const taken = await HeldPolicySlots.take(pool, slots(2, 'policy:r'), 'mine', { leaseMs: 1_000, heartbeatMs: 300 }, log);
    if (!('held' in taken)) throw new Error('expected the slot');
    await vi.advanceTimersByTimeAsync(3_000);
    // Still held after three leases' time: renewed at the heartbeats.
    expect(await pool.acquire('policy:r', 1, 'other', 1_000)).toBe(false);
    // It lapses (the process stalled) and another takes its slot: the next heartbeat takes the free one.
    await pool.release('policy:r', 'mine');
    expect(await pool.acquire('policy:r', 2, 'other', 60_000)).toBe(true);
    await vi.advanceTimersByTimeAsync(300);
    expect(await pool.running('policy:r')).toBe(2);
    expect(await pool.acquire('policy:r', 2, 'third', 60_000)).toBe(false);
    await taken.held.release();
    expect(await pool.running('policy:r')).toBe(1);
  });
});

describe('localSlotFreed', () => {
  const slots = (pool: string) => [{ pool, limit: 1, policy: policy('p', { threshold: 1 }) }];

  it('wakes a waiter here when a slot of its pool is given back here; false at once when none is held here', async () => {
    const pool = new MemorySlotPool();
    const never = new AbortController().signal;
    expect(await localSlotFreed('policy:w', never)).toBe(false);
    const taken = await HeldPolicySlots.take(pool, slots('policy:w'), 'one', { leaseMs: 60_000, heartbeatMs: 20_000 }, log);
    if (!('held' in taken)) throw new Error('expected the slot');
    const woken = localSlotFreed('policy:w', never);
    const other = localSlotFreed('policy:elsewhere', never);
    await taken.held.release();
    expect(await woken).toBe(true);
    expect(await other).toBe(false);
    await taken.held.release(); // idempotent: counts it once
    expect(await localSlotFreed('policy:w', never)).toBe(false);
  });

  it('gives up when its signal aborts', async () => {
    const pool = new MemorySlotPool();
    const taken = await HeldPolicySlots.take(pool, slots('policy:g'), 'one', { leaseMs: 60_000, heartbeatMs: 20_000 }, log);
    const giveUp = new AbortController();
    const waiting = localSlotFreed('policy:g', giveUp.signal);
    giveUp.abort();
    expect(await waiting).toBe(false);
    if ('held' in taken) await taken.held.release();
  });
});

describe('policyDelaySeconds', () => {
  it('is 1 or 2 seconds', () => {
    expect([policyDelaySeconds(() => 0), policyDelaySeconds(() => 0.99)]).toEqual([1, 2]);
  });
});
