// A container's door to the stage-wide pool, on DynamoDB Local: work waiting in one container takes the
// slots another container frees, all of them in one look at the pool.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PoolGate } from '../../../src/dispatch/pool-gate.ts';
import { createLogger } from '../../../src/log/index.ts';
import { DynamoSlotPool } from '../../../src/pool/index.ts';
import { useSubstrate } from '../../helpers/substrate.ts';

const substrate = useSubstrate();
const log = createLogger({}, 'error');

describe('PoolGate on DynamoDB', () => {
  it('a container waiting for slots takes every slot freed in another container in one look, in the order its work came', async () => {
    const pool = `p${randomBytes(4).toString('hex')}`;
    const limit = 4;
    // Two containers: each its own slot pool instance (no shared cache) and its own gate.
    const container = () => new DynamoSlotPool({ doc: substrate.clients.doc, tableName: substrate.tableNames.executions });
    const here = new PoolGate({ slots: container(), pool, limit, leaseMs: 30_000, heartbeatMs: 10_000, log, pollMs: 5_000 });
    const elsewhere = new PoolGate({ slots: container(), pool, limit, leaseMs: 30_000, heartbeatMs: 10_000, log, pollMs: 60_000 });
    expect(await here.tryEnter('held')).toBe(true);
    for (const holder of ['x0', 'x1', 'x2']) expect(await elsewhere.tryEnter(holder)).toBe(true);
    expect(await here.tryEnter('w0')).toBe(false);

    // Which look at the pool let each waiter in.
    const entries: string[] = [];
    const waiters = ['w0', 'w1', 'w2'].map((holder) => here.enterWhenFreed(holder).then((entered) => entered && entries.push(`${holder}@look${here.looks}`)));
    expect(here.waiting).toBe(3);
    // Their watch marks the slots held (a slot freed before it is marked makes it look at once instead).
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The other container frees its three slots and has nobody waiting: only a look from here finds them.
    await Promise.all(['x0', 'x1', 'x2'].map((holder) => elsewhere.leave(holder)));
    await Promise.all(waiters);
    expect(entries).toEqual(['w0@look1', 'w1@look1', 'w2@look1']);
    expect(here.holding).toBe(4);
    expect(await container().running(pool)).toBe(4);
    await Promise.all(['held', 'w0', 'w1', 'w2'].map((holder) => here.leave(holder)));
    expect(await container().running(pool)).toBe(0);
  });

  it('work waiting in one container hears at once of a slot freed in another that took it before anyone waited', async () => {
    const pool = `p${randomBytes(4).toString('hex')}`;
    const container = () => new DynamoSlotPool({ doc: substrate.clients.doc, tableName: substrate.tableNames.executions });
    // No full look in this test's time: only a counted release can wake the waiter.
    const here = new PoolGate({ slots: container(), pool, limit: 2, leaseMs: 30_000, heartbeatMs: 10_000, log, pollMs: 50, fullLookMs: 600_000 });
    const elsewhere = new PoolGate({ slots: container(), pool, limit: 2, leaseMs: 30_000, heartbeatMs: 10_000, log, pollMs: 50, fullLookMs: 600_000 });
    expect(await here.tryEnter('held')).toBe(true);
    expect(await elsewhere.tryEnter('x')).toBe(true);
    expect(await here.tryEnter('w')).toBe(false);
    const started = Date.now();
    const waiting = here.enterWhenFreed('w');
    // Its look read the pool a moment ago; the watch marks 'x' (and 'held') before 'x' ends.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await elsewhere.leave('x');
    expect(await waiting).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await container().releases(pool)).toBe(1);
    await Promise.all(['held', 'w'].map((holder) => here.leave(holder)));
  });
});
