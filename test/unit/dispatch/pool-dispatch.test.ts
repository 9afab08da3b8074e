// The dispatcher with a stage-wide pool (in memory, shared by "containers" = processors): an action runs
// only in a slot; one that finds none waits in its queue as `delayed` (sent again, 1-3 s later) or, in a
// container that holds slots, here as `scheduled`, taking the next slot that container frees.
import { beforeEach, describe, expect, it } from 'vitest';
import { loadActions } from '../../../src/actions/index.ts';
import { loadConfig } from '../../../src/config/index.ts';
import { PoolGate } from '../../../src/dispatch/pool-gate.ts';
import { BatchProcessor } from '../../../src/dispatch/processor.ts';
import { slotWaitSeconds } from '../../../src/dispatch/record-processor.ts';
import type { DispatchDeps } from '../../../src/dispatch/types.ts';
import { createLogger } from '../../../src/log/index.ts';
import { MemorySlotPool } from '../../../src/pool/index.ts';
import type { OutgoingMessage } from '../../../src/queue/messages.ts';
import type { QueueKind } from '../../../src/queue/work-queue.ts';
import { ExecutionService } from '../../../src/request/service.ts';
import { createRunners } from '../../../src/runners/index.ts';
import type { OutputWriter } from '../../../src/store/output.ts';
import { execution, sqsRecord } from '../../helpers/factories.ts';
import { InMemoryExecutionStore } from '../../helpers/in-memory-store.ts';

const catalog = loadActions();
const context = { awsRequestId: 'req', getRemainingTimeInMillis: () => 600_000 };
const log = createLogger({}, 'error');

let store: InMemoryExecutionStore;
let slots: MemorySlotPool;
let sent: Array<{ kind: string; message: Record<string, unknown>; delaySeconds: number; attributes: Record<string, string> }>;

beforeEach(() => {
  store = new InMemoryExecutionStore();
  slots = new MemorySlotPool();
  sent = [];
});

function container(limit: number): BatchProcessor {
  const config = { ...loadConfig({}), parallelism: 10, actionsPoolSize: limit, functionTimeoutSeconds: 900 };
  const queue = {
    send: async (kind: QueueKind, message: OutgoingMessage, delaySeconds = 0, attributes: Record<string, string> = {}) =>
      void sent.push({ kind, message: message as Record<string, unknown>, delaySeconds, attributes }),
    retryAfter: async () => undefined,
    deadLetter: async () => undefined,
  };
  const sink = { storedUpTo: -1, write: () => undefined, close: async () => undefined } as unknown as OutputWriter;
  const runners = createRunners();
  const gate = new PoolGate({ slots, pool: 'actions', limit, leaseMs: 30_000, heartbeatMs: 60_000, log, pollMs: 60_000 });
  const deps: DispatchDeps = {
    config,
    store,
    output: { writer: () => sink, lastSeq: async () => -1 },
    queue,
    catalog,
    runner: (name) => runners.get(name),
    log,
    gate,
    stopping: new AbortController().signal,
  };
  return new BatchProcessor(deps, new ExecutionService({ config, store, queue, catalog }));
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
    const queue = {
      send: async (kind: QueueKind, message: OutgoingMessage, delaySeconds = 0, attributes: Record<string, string> = {}) =>
        void sent.push({ kind, message: message as Record<string, unknown>, delaySeconds, attributes }),
      retryAfter: async () => undefined,
      deadLetter: async () => undefined,
    };
    const sink = { storedUpTo: -1, write: () => undefined, close: async () => undefined } as unknown as OutputWriter;
    const deps: DispatchDeps = {
      config,
      store,
      output: { writer: () => sink, lastSeq: async () => -1 },
      queue,
      catalog,
      runner: () => undefined,
      log,
      gate: new PoolGate({ slots, pool: 'workflows', limit, leaseMs: 30_000, heartbeatMs: 60_000, log, pollMs: 60_000 }),
      workflows: {
        start: async (workflow) => {
          steps.push(`start ${workflow.id} with ${await slots.running('workflows')} running`);
        },
        onTaskCompleted: async (message) => void steps.push(`task ${message.taskId}`),
      },
      stopping: new AbortController().signal,
    };
    return new BatchProcessor(deps, new ExecutionService({ config, store, queue, catalog }));
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
