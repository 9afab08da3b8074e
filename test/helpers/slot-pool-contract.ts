// The semantics every SlotPool must have, run against the in-memory one (unit) and DynamoDB Local (integration).
import { expect, it } from 'vitest';
import type { SlotPool } from '../../src/pool/index.ts';

/** A clock the tests move by hand: leases expire without waiting. */
export interface ManualClock {
  now: () => number;
  advance(ms: number): void;
}

export function manualClock(start = 1_750_000_000_000): ManualClock {
  let now = start;
  return { now: () => now, advance: (ms) => (now += ms) };
}

/** Registers the contract tests; `make` builds a fresh pool on `clock`, `name` gives each test a pool of its own. */
export function slotPoolContract(make: (clock: ManualClock) => SlotPool, name: () => string): void {
  it('gives out at most `limit` slots, then refuses', async () => {
    const clock = manualClock();
    const slots = make(clock);
    const pool = name();
    expect(await slots.acquire(pool, 2, 'a', 1000)).toBe(true);
    expect(await slots.acquire(pool, 2, 'b', 1000)).toBe(true);
    expect(await slots.acquire(pool, 2, 'c', 1000)).toBe(false);
    expect(await slots.running(pool)).toBe(2);
  });

  it('acquiring again as the same holder is a success that takes no second slot', async () => {
    const clock = manualClock();
    const slots = make(clock);
    const pool = name();
    expect(await slots.acquire(pool, 2, 'a', 1000)).toBe(true);
    expect(await slots.acquire(pool, 2, 'a', 1000)).toBe(true);
    expect(await slots.running(pool)).toBe(1);
    expect(await slots.acquire(pool, 2, 'b', 1000)).toBe(true);
  });

  it('frees the slot on release, idempotently, and of that holder only', async () => {
    const clock = manualClock();
    const slots = make(clock);
    const pool = name();
    await slots.acquire(pool, 1, 'a', 1000);
    await slots.release(pool, 'b');
    expect(await slots.acquire(pool, 1, 'b', 1000)).toBe(false);
    await slots.release(pool, 'a');
    await slots.release(pool, 'a');
    expect(await slots.running(pool)).toBe(0);
    expect(await slots.acquire(pool, 1, 'b', 1000)).toBe(true);
    expect(await slots.renew(pool, 'a', 1000)).toBe(false);
  });

  it('counts releases of watched slots (what waiters read before they look at the whole pool), not of unwatched or not held ones', async () => {
    const clock = manualClock();
    const slots = make(clock);
    const pool = name();
    expect(await slots.releases(pool)).toBe(0);
    await slots.acquire(pool, 3, 'a', 1000);
    await slots.acquire(pool, 3, 'b', 1000);
    // Nobody waits: a release counts nothing (an action that never meets a full pool pays no count), and says so.
    expect(await slots.release(pool, 'a')).toBe(false);
    expect(await slots.releases(pool)).toBe(0);
    await slots.acquire(pool, 3, 'c', 1000);
    // Work waits: the slots held now count their releases, once each.
    expect(await slots.watch(pool)).toBe(false);
    expect(await slots.release(pool, 'b')).toBe(true);
    expect(await slots.releases(pool)).toBe(1);
    expect(await slots.release(pool, 'b')).toBe(false);
    expect(await slots.release(pool, 'nobody')).toBe(false);
    expect(await slots.releases(pool)).toBe(1);
    // A slot taken after the watch is not watched, unless its acquirer says work waits.
    await slots.acquire(pool, 3, 'd', 1000);
    await slots.acquire(pool, 3, 'e', 1000, { watched: true });
    expect(await slots.release(pool, 'd')).toBe(false);
    expect(await slots.releases(pool)).toBe(1);
    expect(await slots.release(pool, 'e')).toBe(true);
    await slots.release(pool, 'c');
    expect(await slots.releases(pool)).toBe(3);
    // The mark goes with the holder: the next one in that slot is not watched.
    await slots.acquire(pool, 1, 'f', 1000);
    await slots.release(pool, 'f');
    expect(await slots.releases(pool)).toBe(3);
    // Nor is the next holder of a watched slot whose holder died (its lease ran out).
    await slots.acquire(pool, 1, 'g', 1000, { watched: true });
    clock.advance(2000);
    expect(await slots.acquire(pool, 1, 'h', 1000)).toBe(true);
    await slots.release(pool, 'h');
    expect(await slots.releases(pool)).toBe(3);
    expect(await slots.releases(name())).toBe(0);
  });

  it('gives a slot whose lease ran out to another holder; the old holder cannot renew it', async () => {
    const clock = manualClock();
    const slots = make(clock);
    const pool = name();
    await slots.acquire(pool, 1, 'dead', 1000);
    clock.advance(999);
    expect(await slots.acquire(pool, 1, 'b', 1000)).toBe(false);
    clock.advance(2);
    expect(await slots.running(pool)).toBe(0);
    expect(await slots.acquire(pool, 1, 'b', 1000)).toBe(true);
    expect(await slots.renew(pool, 'dead', 1000)).toBe(false);
    expect(await slots.running(pool)).toBe(1);
  });

  it('keeps a renewed slot past its first lease', async () => {
    const clock = manualClock();
    const slots = make(clock);
    const pool = name();
    await slots.acquire(pool, 1, 'a', 1000);
    clock.advance(800);
    expect(await slots.renew(pool, 'a', 1000)).toBe(true);
    clock.advance(800);
    expect(await slots.acquire(pool, 1, 'b', 1000)).toBe(false);
    expect(await slots.running(pool)).toBe(1);
  });

  it('counts holders of slots beyond a lowered limit until they end', async () => {
    const clock = manualClock();
    const slots = make(clock);
    const pool = name();
    for (const holder of ['a', 'b', 'c']) expect(await slots.acquire(pool, 3, holder, 1000)).toBe(true);
    expect(await slots.acquire(pool, 2, 'd', 1000)).toBe(false);
    await slots.release(pool, 'a');
    await slots.release(pool, 'b');
    expect(await slots.acquire(pool, 2, 'd', 1000)).toBe(true);
    expect(await slots.acquire(pool, 2, 'e', 1000)).toBe(false);
  });

  it('keeps pools apart', async () => {
    const clock = manualClock();
    const slots = make(clock);
    const [one, two] = [name(), name()];
    expect(await slots.acquire(one, 1, 'a', 1000)).toBe(true);
    expect(await slots.acquire(two, 1, 'b', 1000)).toBe(true);
    expect(await slots.running(one)).toBe(1);
  });

  it('refuses bad arguments saying what was expected and what was given', async () => {
    const slots = make(manualClock());
    await expect(slots.acquire('actions', 0, 'a', 1000)).rejects.toThrow('invalid slot pool: limit of actions - expected an integer from 1 to 10000, got 0');
    await expect(slots.acquire('actions', 1, '', 1000)).rejects.toThrow(
      'invalid slot pool: holder of actions - expected a non-empty string of at most 500 characters, got ""',
    );
    await expect(slots.acquire('a b', 1, 'x', 1000)).rejects.toThrow('invalid slot pool: name - expected 1-200 letters, digits or "_.:-", got "a b"');
    await expect(slots.renew('actions', 'x', -5)).rejects.toThrow('invalid slot pool: lease of actions - expected a number of milliseconds > 0, got -5');
  });
}
