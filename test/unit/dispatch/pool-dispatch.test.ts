// The dispatcher with a stage-wide pool (in memory, shared by "containers" = processors): an action runs
// only in a slot; one that finds none waits in its queue as `delayed` (sent again, 1-3 s later) or, in a
// container that holds slots, here as `scheduled`, taking the next slot that container frees.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { loadActions } from '../../../src/actions/index.ts';
import { loadConfig } from '../../../src/config/index.ts';
import { PoolGate } from '../../../src/dispatch/pool-gate.ts';
import type { BatchProcessor } from '../../../src/dispatch/processor.ts';
import { slotWaitSeconds } from '../../../src/dispatch/record-processor.ts';
import { createLogger } from '../../../src/log/index.ts';
import { MemorySlotPool } from '../../../src/pool/index.ts';
import { execution, sqsRecord } from '../../helpers/factories.ts';
import { fakeDispatcher, type SentMessage } from '../../helpers/dispatch.ts';
import { InMemoryExecutionStore } from '../../helpers/in-memory-store.ts';
import { policedPack } from './policed-pack.ts';

// With `p.policed` (a concurrency policy): an action that is never claimed on arrival.
const catalog = loadActions({ packsPaths: [policedPack()] });
const context = { awsRequestId: 'req', getRemainingTimeInMillis: () => 600_000 };
const log = createLogger({}, 'error');

let store: InMemoryExecutionStore;
let slots: MemorySlotPool;
let sent: SentMessage[];

beforeEach(() => {
  store = new InMemoryExecutionStore();
  slots = new MemorySlotPool();
  sent = [];
});

function container(limit: number): BatchProcessor {
  const config = { ...loadConfig({}), parallelism: 10, actionsPoolSize: limit, functionTimeoutSeconds: 900 };
  const gate = new PoolGate({ slots, pool: 'actions', limit, leaseMs: 30_000, heartbeatMs: 60_000, log, pollMs: 60_000 });
  return fakeDispatcher({ config, store, catalog, sent, extra: { log, slots, gate } });
}

const noop = () => store.put(execution({ action: 'core.noop', runner: 'noop', parameters: {} }));

describe('the dispatcher and the stage-wide pool', () => {
  it('lets an action that finds the pool full wait in its queue as delayed, its message sent again 1 to 3 s later', async () => {
    await slots.acquire('actions', 1, 'running-elsewhere', 60_000);
    const waiting = noop();
    expect(await container(1).process({ Records: [sqsRecord({ executionId: waiting.id })] }, context)).toEqual({ batchItemFailures: [] });
    const record = (await store.get(waiting.id))!;
    expect(record.status).toBe('delayed');
    expect(record.log.at(-1)!.reason).toBe('waiting for a slot: the actions pool is full (1 running)');
    expect(sent).toEqual([
      { kind: 'actions', message: { executionId: waiting.id }, delaySeconds: expect.any(Number), attributes: { waitingForSlot: 'actions' } },
    ]);
    expect(sent[0].delaySeconds).toBeGreaterThanOrEqual(1);
    expect(sent[0].delaySeconds).toBeLessThanOrEqual(3);
  });

  it('runs a delayed execution once a slot is free, and frees the slot after', async () => {
    const waiting = store.put(execution({ action: 'core.noop', runner: 'noop', parameters: {}, status: 'delayed' }));
    await container(1).process({ Records: [sqsRecord({ executionId: waiting.id })] }, context);
    expect((await store.get(waiting.id))!.status).toBe('succeeded');
    expect(await slots.running('actions')).toBe(0);
  });

  it('never runs more than the pool at once within a batch larger than the pool: the rest wait here as scheduled and run as slots free', async () => {
    const executions = Array.from({ length: 4 }, () =>
      store.put(execution({ action: 'core.local', runner: 'local-shell-cmd', parameters: { cmd: 'sleep 0.2' } })),
    );
    let peak = 0;
    const sampler = setInterval(() => void slots.running('actions').then((n) => (peak = Math.max(peak, n))), 5);
    await container(2).process({ Records: executions.map((e) => sqsRecord({ executionId: e.id })) }, context);
    clearInterval(sampler);
    const records = await Promise.all(executions.map((e) => store.get(e.id)));
    expect(records.map((r) => r!.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(peak).toBeLessThanOrEqual(2);
    expect(records.filter((r) => r!.log.some((entry) => entry.status === 'scheduled')).length).toBe(2);
    expect(sent).toEqual([]);
  });

  it('the wait in the queue is 1, 2 or 3 seconds', () => {
    expect([0, 0.34, 0.67, 0.999].map((random) => slotWaitSeconds(random))).toEqual([1, 2, 3, 3]);
  });
});

describe('workflow engine steps and the workflows pool', () => {
  function workflowsContainer(limit: number, steps: string[]): BatchProcessor {
    const config = { ...loadConfig({}), workflowsPoolSize: limit };
    const gate = new PoolGate({ slots, pool: 'workflows', limit, leaseMs: 30_000, heartbeatMs: 60_000, log, pollMs: 60_000 });
    const workflows = {
      start: async (workflow: { id: string }) => void steps.push(`start ${workflow.id} with ${await slots.running('workflows')} running`),
      onTaskCompleted: async (message: { taskId: string }) => void steps.push(`task ${message.taskId}`),
    };
    return fakeDispatcher({ config, store, catalog, sent, extra: { log, runner: () => undefined, gate, workflows } });
  }

  it('takes a step holding a slot of the workflows pool, and frees it after', async () => {
    const steps: string[] = [];
    const workflow = store.put(execution({ runner: 'orquesta', action: 'examples.orquesta-basic' }));
    await workflowsContainer(1, steps).process({ Records: [sqsRecord({ executionId: workflow.id })] }, context);
    expect(steps).toEqual([`start ${workflow.id} with 1 running`]);
    expect(await slots.running('workflows')).toBe(0);
  });

  it('sends an event back to its queue, as it was, when the workflows pool is full', async () => {
    const steps: string[] = [];
    await slots.acquire('workflows', 1, 'elsewhere', 60_000);
    const event = { version: 1, type: 'task-completed', workflowId: 'wf-1', taskId: 'task1', executionId: 'x' };
    expect(await workflowsContainer(1, steps).process({ Records: [sqsRecord(event)] }, context)).toEqual({ batchItemFailures: [] });
    expect(steps).toEqual([]);
    expect(sent).toEqual([{ kind: 'workflows', message: event, delaySeconds: expect.any(Number), attributes: { waitingForSlot: 'workflows' } }]);
  });
});

describe('the dispatcher claims on arrival (a message that names its action)', () => {
  it('runs an execution whose message names its action without reading its record first', async () => {
    const waiting = store.put(execution({ action: 'core.noop', runner: 'noop', parameters: {} }));
    const get = vi.spyOn(store, 'get');
    expect(await container(10).process({ Records: [sqsRecord({ executionId: waiting.id, action: 'core.noop' })] }, context)).toEqual({ batchItemFailures: [] });
    expect((await store.get(waiting.id))!.status).toBe('succeeded');
    expect(get).toHaveBeenCalledTimes(1); // the line above's
  });

  it('a message naming another action than its execution: the claim is refused, and the usual way runs it (its concurrency policy first)', async () => {
    const waiting = store.put(execution({ action: 'p.policed', runner: 'local-shell-cmd', parameters: {} }));
    await container(10).process({ Records: [sqsRecord({ executionId: waiting.id, action: 'core.local' })] }, context);
    const done = (await store.get(waiting.id))!;
    expect(done.status).toBe('succeeded');
    expect(done.attempt).toBe(1);
    expect(done.log.map((entry) => entry.status)).toEqual(['requested', 'running', 'succeeded']);
  });

  it('does not claim an execution that is not due yet: it is sent back to wait', async () => {
    const early = store.put(
      execution({ action: 'core.noop', runner: 'noop', parameters: {}, status: 'delayed', context: { notBefore: Date.now() + 3_600_000 } }),
    );
    await container(10).process({ Records: [sqsRecord({ executionId: early.id, action: 'core.noop' })] }, context);
    expect((await store.get(early.id))!.status).toBe('delayed');
    expect(sent).toEqual([{ kind: 'actions', message: { executionId: early.id }, delaySeconds: expect.any(Number), attributes: { action: 'core.noop' } }]);
  });

  it('fails an execution whose parameters no longer validate once claimed, saying why', async () => {
    const invalid = store.put(execution({ parameters: {} }));
    await container(10).process({ Records: [sqsRecord({ executionId: invalid.id, action: 'core.local' })] }, context);
    const failed = (await store.get(invalid.id))!;
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/cmd/);
    expect(failed.lease).toBeUndefined();
  });

  it('asks the full pool once per delivery: the usual way then waits without asking again', async () => {
    await slots.acquire('actions', 1, 'running-elsewhere', 60_000);
    const waiting = store.put(execution({ action: 'core.noop', runner: 'noop', parameters: {} }));
    const acquire = vi.spyOn(slots, 'acquire');
    await container(1).process({ Records: [sqsRecord({ executionId: waiting.id, action: 'core.noop' })] }, context);
    expect(acquire).toHaveBeenCalledTimes(1);
    expect((await store.get(waiting.id))!.status).toBe('delayed');
    expect(sent).toEqual([
      { kind: 'actions', message: { executionId: waiting.id }, delaySeconds: expect.any(Number), attributes: { waitingForSlot: 'actions' } },
    ]);
  });

  it('lets the lease of a reservation run out when its action could not start (the pool failed), instead of renewing it while the container lives', async () => {
    const config = { ...loadConfig({}), parallelism: 1, actionsPoolSize: 2, functionTimeoutSeconds: 900, leaseMs: 1500, heartbeatMs: 100, killGraceMs: 100 };
    const gate = new PoolGate({ slots, pool: 'actions', limit: 2, leaseMs: 30_000, heartbeatMs: 60_000, log, pollMs: 60_000 });
    const processor = fakeDispatcher({ config, store, catalog, sent, extra: { log, slots, gate } });
    const busy = store.put(execution({ action: 'core.local', runner: 'local-shell-cmd', parameters: { cmd: 'sleep 0.8' } }));
    // Queued behind it in this container (parallelism 1): reserved, `scheduled` under a renewed lease.
    const queued = noop();
    const acquire = slots.acquire.bind(slots);
    vi.spyOn(slots, 'acquire').mockImplementation((pool, limit, holder, ...rest) =>
      holder.startsWith(queued.id) ? Promise.reject(new Error('ProvisionedThroughputExceededException')) : acquire(pool, limit, holder, ...rest),
    );
    const heartbeat = vi.spyOn(store, 'heartbeat');
    const response = await processor.process({ Records: [sqsRecord({ executionId: busy.id }), sqsRecord({ executionId: queued.id })] }, context);
    expect(response.batchItemFailures).toHaveLength(1);
    expect((await store.get(busy.id))!.status).toBe('succeeded');
    const renewals = () => heartbeat.mock.calls.filter(([id]) => id === queued.id).length;
    const before = renewals();
    // Renewed every 500 ms (a third of the lease) while it is kept.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(renewals()).toBe(before);
  });
});
