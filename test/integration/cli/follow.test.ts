// `execution tail` / `run` wait with follow(): it must end when the execution ends, and give up on one
// whose runner died (its lease expired long ago) instead of waiting forever.
import { beforeAll, expect, it } from 'vitest';
import { StaleExecutionError } from '../../../src/cli/errors.ts';
import { follow } from '../../../src/cli/follow.ts';
import { createRuntime, type Runtime } from '../../../src/dispatch/runtime.ts';
import { ExecutionStore } from '../../../src/store/executions.ts';
import { useSubstrate } from '../../helpers/substrate.ts';

const substrate = useSubstrate();
let runtime: Runtime;

beforeAll(() => {
  runtime = createRuntime({ config: substrate.config, clients: substrate.clients });
});

/** A new execution, claimed by `owner` as a runner whose clock reads `agoMs` in the past would (so its lease is that much older). */
async function claimed(owner: string, agoMs: number): Promise<string> {
  const { execution } = await runtime.service.request({ action: 'core.local', parameters: { cmd: 'true' } });
  const past = new ExecutionStore({ doc: substrate.clients.doc, tableName: substrate.tableNames.executions, now: () => Date.now() - agoMs });
  await past.claim(execution.id, owner, substrate.config.leaseMs);
  return execution.id;
}

it('gives up at once, saying why, on a running execution whose lease expired minutes ago', async () => {
  const id = await claimed('runner-gone', 5 * 60_000);
  const started = Date.now();
  const error = await follow(runtime, id).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(StaleExecutionError);
  expect((error as Error).message).toMatch(
    new RegExp(
      `^execution not progressing: ${id} - running, but its lease expired 4m \\d\\ds ago \\(runner runner-gone stopped renewing; the sweeper will mark it abandoned\\)$`,
    ),
  );
  expect(Date.now() - started).toBeLessThan(2000);
});

it('keeps waiting on a lease that expired only just now, and ends when the execution ends abandoned', async () => {
  const id = await claimed('runner-late', substrate.config.leaseMs + 1000);
  // Several polls without giving up: the lease expired well under STALE_LEASE_MS (60 s) ago.
  expect((await follow(runtime, id, { timeoutMs: 500 })).status).toBe('running');
  const following = follow(runtime, id);
  await runtime.store.abandon(id, 'runner-late', {}, 'test: the sweeper');
  expect((await following).status).toBe('abandoned');
});

it('returns at once for an execution that already ended', async () => {
  const id = await claimed('runner-done', 0);
  await runtime.store.finish(id, 'runner-done', 'succeeded', {});
  expect((await follow(runtime, id)).status).toBe('succeeded');
});
