// The claim on arrival: a message that names its execution's action (`{ executionId, action }`) lets the
// actions function claim the execution without reading it first, only for actions that run at once as
// they are, and only for the execution the message says it is (in memory here; the DynamoDB condition is
// exercised in test/integration/actions-handler.test.ts).
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { loadActions } from '../../../src/actions/index.ts';
import { loadConfig } from '../../../src/config/index.ts';
import { arrivalFilter } from '../../../src/dispatch/arrival.ts';
import { PoolGate } from '../../../src/dispatch/pool-gate.ts';
import { BatchProcessor } from '../../../src/dispatch/processor.ts';
import type { DispatchDeps } from '../../../src/dispatch/types.ts';
import { createLogger } from '../../../src/log/index.ts';
import { MemorySlotPool } from '../../../src/pool/index.ts';
import type { OutgoingMessage } from '../../../src/queue/messages.ts';
import { ExecutionService } from '../../../src/request/service.ts';
import { createRunners } from '../../../src/runners/index.ts';
import type { OutputWriter } from '../../../src/store/output.ts';
import { execution, sqsRecord } from '../../helpers/factories.ts';
import { InMemoryExecutionStore } from '../../helpers/in-memory-store.ts';
import { PacksFixture } from '../actions/pack-fixture.ts';

const fixture = new PacksFixture();
fixture.pack('p', {
  'actions/policed.yaml': 'name: policed\nrunner_type: local-shell-cmd\nparameters:\n  cmd: { default: "true" }\n',
  'policies/one.yaml': 'name: one\nresource_ref: p.policed\npolicy_type: action.concurrency\nparameters: { threshold: 1 }\n',
});
const catalog = loadActions({ packsPaths: [fixture.dir] });
const runners = createRunners();
const log = createLogger({}, 'error');
const context = { awsRequestId: 'req', getRemainingTimeInMillis: () => 600_000 };

describe('arrivalFilter', () => {
  const deps = { catalog, runner: (name: string) => runners.get(name) };

  it('lets an action that runs at once as it is be claimed on arrival: its action and runner, due within the early tolerance', () => {
    expect(arrivalFilter('core.local', deps, 1000)).toEqual({ action: 'core.local', runner: 'local-shell-cmd', dueBy: 1500 });
  });

  it('keeps the usual way for no action named, an unknown one, an inquiry, a workflow, a concurrency policy, and in the workflows function', () => {
    expect(arrivalFilter(undefined, deps)).toBeUndefined();
    expect(arrivalFilter('nope.nothing', deps)).toBeUndefined();
    expect(arrivalFilter('core.ask', deps)).toBeUndefined();
    expect(arrivalFilter('examples.orquesta-basic', deps)).toBeUndefined();
    expect(arrivalFilter('p.policed', deps)).toBeUndefined();
    expect(arrivalFilter('core.local', { ...deps, workflows: { start: async () => undefined, onTaskCompleted: async () => undefined } })).toBeUndefined();
  });
});

describe('the dispatcher claims on arrival', () => {
  let store: InMemoryExecutionStore;
  let slots: MemorySlotPool;
  let sent: Array<{ kind: string; message: Record<string, unknown> }>;

  beforeEach(() => {
    store = new InMemoryExecutionStore();
    slots = new MemorySlotPool();
    sent = [];
  });

  function container(limit = 10): BatchProcessor {
    const config = { ...loadConfig({}), parallelism: 10, actionsPoolSize: limit };
    const queue = {
      send: async (kind: 'actions' | 'workflows', message: OutgoingMessage) => void sent.push({ kind, message: message as Record<string, unknown> }),
      retryAfter: async () => undefined,
      deadLetter: async () => undefined,
    };
    const sink = { storedUpTo: -1, write: () => undefined, close: async () => undefined } as unknown as OutputWriter;
    const gate = new PoolGate({ slots, pool: 'actions', limit, leaseMs: 30_000, heartbeatMs: 60_000, log, pollMs: 60_000 });
    const deps: DispatchDeps = {
      config,
      store,
      output: { writer: () => sink, lastSeq: async () => -1 },
      queue,
      catalog,
      runner: (name) => runners.get(name),
      log,
      slots,
      gate,
      stopping: new AbortController().signal,
    };
    return new BatchProcessor(deps, new ExecutionService({ config, store, queue, catalog }));
  }

  it('runs an execution whose message names its action without reading its record first', async () => {
    const waiting = store.put(execution({ action: 'core.noop', runner: 'noop', parameters: {} }));
    const get = vi.spyOn(store, 'get');
    expect(await container().process({ Records: [sqsRecord({ executionId: waiting.id, action: 'core.noop' })] }, context)).toEqual({ batchItemFailures: [] });
    expect((await store.get(waiting.id))!.status).toBe('succeeded');
    expect(get).toHaveBeenCalledTimes(1); // the line above's
  });

  it('a message naming another action than its execution: the claim is refused, and the usual way runs it (its concurrency policy first)', async () => {
    const waiting = store.put(execution({ action: 'p.policed', runner: 'local-shell-cmd', parameters: {} }));
    await container().process({ Records: [sqsRecord({ executionId: waiting.id, action: 'core.local' })] }, context);
    const done = (await store.get(waiting.id))!;
    expect(done.status).toBe('succeeded');
    expect(done.attempt).toBe(1);
    expect(done.log.map((entry) => entry.status)).toEqual(['requested', 'running', 'succeeded']);
  });

  it('does not claim an execution that is not due yet: it is sent back to wait', async () => {
    const early = store.put(
      execution({ action: 'core.noop', runner: 'noop', parameters: {}, status: 'delayed', context: { notBefore: Date.now() + 3_600_000 } }),
    );
    await container().process({ Records: [sqsRecord({ executionId: early.id, action: 'core.noop' })] }, context);
    expect((await store.get(early.id))!.status).toBe('delayed');
    expect(sent).toEqual([{ kind: 'actions', message: { executionId: early.id, action: 'core.noop' } }]);
  });

  it('fails an execution whose parameters no longer validate once claimed, saying why', async () => {
    const invalid = store.put(execution({ parameters: {} }));
    await container().process({ Records: [sqsRecord({ executionId: invalid.id, action: 'core.local' })] }, context);
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
    expect(sent).toEqual([{ kind: 'actions', message: { executionId: waiting.id } }]);
  });
});
