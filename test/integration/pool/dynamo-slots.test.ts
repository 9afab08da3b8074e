// The slot pool on DynamoDB Local: the same contract as the in-memory one, and exact under contention.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DynamoSlotPool } from '../../../src/pool/index.ts';
import { slotPoolContract } from '../../helpers/slot-pool-contract.ts';
import { useSubstrate } from '../../helpers/substrate.ts';

const substrate = useSubstrate();
const poolName = () => `p${randomBytes(4).toString('hex')}`;

describe('DynamoSlotPool', () => {
  slotPoolContract((clock) => new DynamoSlotPool({ doc: substrate.clients.doc, tableName: substrate.tableNames.executions, now: clock.now }), poolName);

  it('never has more than `limit` holders while many acquirers in many processes race for slots', async () => {
    const pool = poolName();
    const limit = 5;
    // Separate instances: no shared cache, as separate containers.
    const acquirers = Array.from({ length: 8 }, () => new DynamoSlotPool({ doc: substrate.clients.doc, tableName: substrate.tableNames.executions }));
    const holding = new Set<string>();
    let peak = 0;
    let runs = 0;
    const worker = async (slots: DynamoSlotPool, w: number) => {
      for (let round = 0; round < 12; round++) {
        const holder = `w${w}-${round}`;
        while (!(await slots.acquire(pool, limit, holder, 30_000))) await new Promise((r) => setTimeout(r, 5 + Math.random() * 10));
        holding.add(holder);
        peak = Math.max(peak, holding.size);
        expect(holding.size).toBeLessThanOrEqual(limit);
        expect(await slots.running(pool)).toBeLessThanOrEqual(limit);
        await new Promise((r) => setTimeout(r, Math.random() * 10));
        holding.delete(holder);
        runs++;
        await slots.release(pool, holder);
      }
    };
    await Promise.all(acquirers.flatMap((slots, i) => [worker(slots, 2 * i), worker(slots, 2 * i + 1)]));
    expect(runs).toBe(16 * 12);
    expect(peak).toBe(limit);
    expect(await acquirers[0]!.running(pool)).toBe(0);
  });

  it('renews and releases from another process than the one that acquired', async () => {
    const pool = poolName();
    const [one, two] = [0, 1].map(() => new DynamoSlotPool({ doc: substrate.clients.doc, tableName: substrate.tableNames.executions }));
    expect(await one!.acquire(pool, 3, 'x', 30_000)).toBe(true);
    expect(await two!.renew(pool, 'x', 30_000)).toBe(true);
    await two!.release(pool, 'x');
    expect(await one!.running(pool)).toBe(0);
    expect(await one!.renew(pool, 'x', 30_000)).toBe(false);
  });

  it('a fresh container whose first batch acquires all at once writes the pool size once, not once per acquirer', async () => {
    const pool = poolName();
    // The pool's size is known already (another container used it): the condition of each such write fails.
    await new DynamoSlotPool({ doc: substrate.clients.doc, tableName: substrate.tableNames.executions }).acquire(pool, 20, 'earlier', 30_000);
    const sizeWrites: string[] = [];
    const doc = {
      send: (command: { input: { UpdateExpression?: string } }) => {
        if (command.input.UpdateExpression?.includes('slot_pool_size')) sizeWrites.push(command.input.UpdateExpression);
        return substrate.clients.doc.send(command as never);
      },
    } as unknown as typeof substrate.clients.doc;
    const fresh = new DynamoSlotPool({ doc, tableName: substrate.tableNames.executions });
    const taken = await Promise.all(Array.from({ length: 10 }, (_, i) => fresh.acquire(pool, 20, `h${i}`, 30_000)));
    expect(taken.every(Boolean)).toBe(true);
    expect(sizeWrites).toHaveLength(1);
    expect(await fresh.running(pool)).toBe(11);
  });

  it('a watch that finds a slot freed since its look says so: that release was not counted, a look must find it', async () => {
    const pool = poolName();
    const make = () => new DynamoSlotPool({ doc: substrate.clients.doc, tableName: substrate.tableNames.executions });
    const [waiter, holders] = [make(), make()];
    expect(await holders.acquire(pool, 2, 'a', 30_000)).toBe(true);
    expect(await holders.acquire(pool, 2, 'b', 30_000)).toBe(true);
    // The waiter's look finds the pool full; 'a' ends before the watch marks it: no count.
    expect(await waiter.acquire(pool, 2, 'w', 30_000)).toBe(false);
    await holders.release(pool, 'a');
    expect(await waiter.releases(pool)).toBe(0);
    expect(await waiter.watch(pool)).toBe(true);
    // 'b' was marked: its release is counted, from the other instance's own write.
    await holders.release(pool, 'b');
    expect(await waiter.releases(pool)).toBe(1);
    // Nothing moved since a fresh look: no reason to look again.
    expect(await waiter.acquire(pool, 1, 'w', 30_000)).toBe(true);
    expect(await holders.acquire(pool, 1, 'c', 30_000)).toBe(false);
    expect(await holders.watch(pool)).toBe(false);
  });
});
