import { describe, expect, it } from 'vitest';
import { PoolGate } from '../../../src/dispatch/pool-gate.ts';
import { createLogger } from '../../../src/log/index.ts';
import { MemorySlotPool } from '../../../src/pool/index.ts';
import { manualClock } from '../../helpers/slot-pool-contract.ts';

const log = createLogger({}, 'error');
const gateOn = (slots: MemorySlotPool, limit = 1, pollMs = 60_000) =>
  new PoolGate({ slots, pool: 'actions', limit, leaseMs: 30_000, heartbeatMs: 60_000, log, pollMs });
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('PoolGate', () => {
  it('shares one stage-wide pool between containers', async () => {
    const slots = new MemorySlotPool();
    const [one, two] = [gateOn(slots, 2), gateOn(slots, 2)];
    expect(await one.tryEnter('a')).toBe(true);
    expect(await two.tryEnter('b')).toBe(true);
    expect(await two.tryEnter('c')).toBe(false);
    await one.leave('a');
    expect(await two.tryEnter('c')).toBe(true);
    expect(two.holding).toBe(2);
  });

  it('hands a slot it frees to the first work waiting in the same container', async () => {
    const slots = new MemorySlotPool();
    const gate = gateOn(slots);
    const other = gateOn(slots);
    await gate.tryEnter('a');
    const waiting = gate.enterWhenFreed('b');
    await settled();
    expect(gate.waiting).toBe(1);
    await gate.leave('a');
    expect(await waiting).toBe(true);
    expect(await other.tryEnter('c')).toBe(false);
    expect(await slots.running('actions')).toBe(1);
  });

  it('keeps nobody waiting in a container that holds no slot', async () => {
    const slots = new MemorySlotPool();
    await gateOn(slots).tryEnter('elsewhere');
    expect(await gateOn(slots).enterWhenFreed('b')).toBe(false);
  });

  it('sends every waiter back when its slot went elsewhere and the container holds none any more', async () => {
    const slots = new MemorySlotPool();
    const gate = gateOn(slots);
    await gate.tryEnter('a');
    const waiters = [gate.enterWhenFreed('b'), gate.enterWhenFreed('c')];
    await settled();
    await gate.leave('a');
    // One of them gets the freed slot; the other finds the pool full and this container holding one: it waits on.
    expect(await Promise.race(waiters)).toBe(true);
    expect(gate.holding).toBe(1);
    expect(gate.waiting).toBe(1);
  });

  it('stops waiting when told to give up', async () => {
    const slots = new MemorySlotPool();
    const gate = gateOn(slots);
    await gate.tryEnter('a');
    const giveUp = new AbortController();
    const waiting = gate.enterWhenFreed('b', undefined, giveUp.signal);
    giveUp.abort();
    expect(await waiting).toBe(false);
    expect(gate.waiting).toBe(0);
  });

  it('the first waiter also looks at the pool now and then, for a slot freed in another container', async () => {
    const slots = new MemorySlotPool();
    const gate = gateOn(slots, 2, 5);
    const other = gateOn(slots, 2);
    await gate.tryEnter('a');
    await other.tryEnter('x');
    const waiting = gate.enterWhenFreed('b');
    await other.leave('x');
    expect(await waiting).toBe(true);
  });

  it('moves a holder whose slot was taken after its lease ran out to a free slot, without telling it', async () => {
    const clock = manualClock();
    const slots = new MemorySlotPool({ now: clock.now });
    const gate = new PoolGate({ slots, pool: 'actions', limit: 2, leaseMs: 1000, heartbeatMs: 10, log });
    let lost = false;
    await gate.tryEnter('a', () => (lost = true));
    clock.advance(2000);
    expect(await slots.acquire('actions', 2, 'thief', 1000)).toBe(true);
    await expect.poll(async () => slots.running('actions')).toBe(2);
    expect(lost).toBe(false);
    expect(gate.holding).toBe(1);
  });

  it('tells a holder whose slot was lost (lease ran out, taken by another) when the pool is full', async () => {
    const clock = manualClock();
    const slots = new MemorySlotPool({ now: clock.now });
    const gate = new PoolGate({ slots, pool: 'actions', limit: 1, leaseMs: 1000, heartbeatMs: 10, log });
    let lost = false;
    await gate.tryEnter('a', () => (lost = true));
    clock.advance(2000);
    expect(await slots.acquire('actions', 1, 'thief', 1000)).toBe(true);
    await expect.poll(() => lost).toBe(true);
    expect(gate.holding).toBe(0);
  });
});
