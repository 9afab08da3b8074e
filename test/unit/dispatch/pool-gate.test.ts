import { afterEach, describe, expect, it, vi } from 'vitest';
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

  it('tells of a slot it frees only when no work of its own takes it (the waitlist then wakes the first in the queue)', async () => {
    const slots = new MemorySlotPool();
    const unclaimed = vi.fn();
    const gate = new PoolGate({ slots, pool: 'actions', limit: 2, leaseMs: 30_000, heartbeatMs: 60_000, log, pollMs: 60_000, onUnclaimedFree: unclaimed });
    await gate.tryEnter('a');
    await gate.tryEnter('b');
    const waiting = gate.enterWhenFreed('c');
    await settled();
    await gate.leave('a');
    expect(await waiting).toBe(true);
    expect(unclaimed).not.toHaveBeenCalled();
    await gate.leave('b');
    expect(unclaimed).toHaveBeenCalledTimes(1);
    // 'c' waited here while 'b' held its slot: watched.
    expect(unclaimed).toHaveBeenCalledWith(true);
    // A holder that left already frees nothing.
    await gate.leave('b');
    expect(unclaimed).toHaveBeenCalledTimes(1);
  });

  it('takes slots watched while work waits in the queue, and says so when it frees them', async () => {
    const slots = new MemorySlotPool();
    const unclaimed = vi.fn();
    let othersWait = false;
    const gate = new PoolGate({
      slots,
      pool: 'actions',
      limit: 3,
      leaseMs: 30_000,
      heartbeatMs: 60_000,
      log,
      onUnclaimedFree: unclaimed,
      othersWait: () => othersWait,
    });
    await gate.tryEnter('before');
    othersWait = true;
    await gate.tryEnter('while');
    await gate.leave('while');
    expect(unclaimed).toHaveBeenLastCalledWith(true);
    await gate.leave('before');
    expect(unclaimed).toHaveBeenLastCalledWith(false);
    // Work that joins the queue's waitlist has the slots held at that moment watched.
    await gate.tryEnter('held');
    othersWait = false;
    await gate.tryEnter('unwatched');
    gate.watchHeld();
    await settled();
    await gate.leave('unwatched');
    expect(unclaimed).toHaveBeenLastCalledWith(true);
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

  it('looks at once when its watch finds a slot freed since the look that found the pool full (that release went uncounted)', async () => {
    // The other container's holder ends between the waiter's look and its watch: nothing counts that release.
    class FreedBeforeWatch extends MemorySlotPool {
      override async watch(pool: string): Promise<boolean> {
        await this.release(pool, 'x');
        return (await super.watch(pool)) || true;
      }
    }
    const slots = new FreedBeforeWatch();
    const gate = new PoolGate({ slots, pool: 'actions', limit: 2, leaseMs: 30_000, heartbeatMs: 60_000, log, pollMs: 60_000, fullLookMs: 600_000 });
    await gate.tryEnter('held');
    expect(await slots.acquire('actions', 2, 'x', 30_000)).toBe(true);
    expect(await gate.tryEnter('w')).toBe(false);
    expect(await gate.enterWhenFreed('w')).toBe(true);
    expect(await slots.releases('actions')).toBe(0);
    expect(gate.looks).toBe(1);
  });

  it('takes its slots watched while work waits in it, so that their releases wake waiters elsewhere', async () => {
    const slots = new MemorySlotPool();
    const gate = gateOn(slots, 3);
    await gate.tryEnter('a');
    await gateOn(slots, 3).tryEnter('x');
    const waiting = gate.enterWhenFreed('w1');
    const second = gate.enterWhenFreed('w2');
    await settled();
    // A slot frees elsewhere: taken before anyone waited, marked by the waiters' watch, so its release counts.
    await slots.release('actions', 'x');
    expect(await slots.releases('actions')).toBe(1);
    await gate.leave('a');
    expect(await waiting).toBe(true);
    // 'w1' took 'a's slot while 'w2' still waited here: its release counts too.
    await gate.leave('w1');
    expect(await slots.releases('actions')).toBe(2);
    expect(await second).toBe(true);
  });

  describe('looks at the pool for slots freed in other containers', () => {
    afterEach(() => {
      vi.useRealTimers();
      vi.restoreAllMocks();
    });

    /** A container holding one slot of `limit` with `count` waiters, another holding `others` slots; looks every 1.5 s (random pinned). */
    async function waitingBehind(limit: number, count: number, others: number) {
      vi.useFakeTimers();
      vi.spyOn(Math, 'random').mockReturnValue(0.5);
      const slots = new MemorySlotPool();
      const gate = gateOn(slots, limit, 1000);
      const other = gateOn(slots, limit);
      await gate.tryEnter('held');
      for (let i = 0; i < others; i++) await other.tryEnter(`x${i}`);
      const entered: string[] = [];
      const waiters = Array.from({ length: count }, (_, i) => gate.enterWhenFreed(`w${i}`).then((ok) => ok && entered.push(`w${i}`)));
      await vi.advanceTimersByTimeAsync(0);
      expect(gate.waiting).toBe(count);
      return { slots, gate, other, entered, waiters };
    }

    it('one look takes every slot freed elsewhere since the last, not one a look', async () => {
      const { gate, other, entered } = await waitingBehind(4, 3, 3);
      for (const holder of ['x0', 'x1', 'x2']) await other.leave(holder);
      // Nothing frees a slot in this container: only a look finds the three.
      expect(entered).toEqual([]);
      await vi.advanceTimersByTimeAsync(1500);
      expect(gate.looks).toBe(1);
      expect(entered).toEqual(['w0', 'w1', 'w2']);
      expect(gate.holding).toBe(4);
    });

    it('a look ends at the first waiter that finds the pool full; the next look comes a poll later', async () => {
      const { slots, gate, other, entered } = await waitingBehind(3, 3, 2);
      await other.leave('x0');
      await vi.advanceTimersByTimeAsync(1500);
      expect(entered).toEqual(['w0']);
      expect(gate.waiting).toBe(2);
      expect(await slots.running('actions')).toBe(3);
      await other.leave('x1');
      await vi.advanceTimersByTimeAsync(1499);
      expect(entered).toEqual(['w0']);
      await vi.advanceTimersByTimeAsync(1);
      expect(gate.looks).toBe(2);
      expect(entered).toEqual(['w0', 'w1']);
    });

    it('looks at the whole pool only when a slot was released since its last look', async () => {
      const { slots, gate, other, entered } = await waitingBehind(3, 1, 2);
      const acquire = vi.spyOn(slots, 'acquire');
      await vi.advanceTimersByTimeAsync(1500);
      expect(gate.looks).toBe(1);
      await vi.advanceTimersByTimeAsync(3 * 1500);
      // Three checks of the release count, nothing released: no look, no acquire.
      expect(gate.looks).toBe(1);
      expect(acquire).toHaveBeenCalledTimes(1);
      await other.leave('x0');
      await vi.advanceTimersByTimeAsync(1500);
      expect(gate.looks).toBe(2);
      expect(entered).toEqual(['w0']);
    });

    it('still looks every fullLookMs: a slot whose holder died frees itself with no release counted', async () => {
      vi.useFakeTimers();
      vi.spyOn(Math, 'random').mockReturnValue(0.5);
      const clock = manualClock();
      const slots = new MemorySlotPool({ now: clock.now });
      const gate = new PoolGate({ slots, pool: 'actions', limit: 2, leaseMs: 30_000, heartbeatMs: 60_000, log, pollMs: 1000, fullLookMs: 10_000 });
      await gate.tryEnter('held');
      expect(await slots.acquire('actions', 2, 'dead', 1000)).toBe(true);
      const waiting = gate.enterWhenFreed('w');
      await vi.advanceTimersByTimeAsync(1500);
      expect(gate.looks).toBe(1);
      clock.advance(2000); // the dead holder's lease is over
      await vi.advanceTimersByTimeAsync(6 * 1500);
      expect(gate.looks).toBe(1);
      await vi.advanceTimersByTimeAsync(1500);
      expect(gate.looks).toBe(2);
      expect(await waiting).toBe(true);
    });

    it('a waiter that gives up during a look passes the look on', async () => {
      vi.useFakeTimers();
      vi.spyOn(Math, 'random').mockReturnValue(0.5);
      const slots = new MemorySlotPool();
      const gate = gateOn(slots, 3, 1000);
      const other = gateOn(slots, 3);
      await gate.tryEnter('held');
      await other.tryEnter('x0');
      await other.tryEnter('x1');
      const giveUp = new AbortController();
      const quitter = gate.enterWhenFreed('quitter', undefined, giveUp.signal);
      const stayer = gate.enterWhenFreed('stayer');
      await vi.advanceTimersByTimeAsync(0);
      giveUp.abort();
      expect(await quitter).toBe(false);
      await other.leave('x0');
      await vi.advanceTimersByTimeAsync(1500);
      expect(await stayer).toBe(true);
    });
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
