// The dispatcher's record work against an in-memory store and a recording queue: every decision
// path, in milliseconds (the same paths run against the emulators in test/integration).
import { beforeEach, describe, expect, it } from 'vitest';
import { loadActions } from '../../../src/actions/index.ts';
import type { ActionCatalog } from '../../../src/actions/types.ts';
import { loadConfig } from '../../../src/config/index.ts';
import { BatchProcessingError } from '../../../src/dispatch/errors.ts';
import type { BatchProcessor } from '../../../src/dispatch/processor.ts';
import { execution, sqsRecord } from '../../helpers/factories.ts';
import { fakeDispatcher, type SentMessage } from '../../helpers/dispatch.ts';
import { InMemoryExecutionStore } from '../../helpers/in-memory-store.ts';

const packs = loadActions();
const catalog: ActionCatalog = {
  get: (ref) =>
    ref === 'examples.safe_to_rerun' ? { ...packs.get('core.noop')!, ref, name: 'safe_to_rerun', pack: 'examples', retry_on_abandon: true } : packs.get(ref),
  list: () => packs.list(),
};
const context = { awsRequestId: 'req', getRemainingTimeInMillis: () => 60_000 };

let store: InMemoryExecutionStore;
let sent: SentMessage[];
let deadLettered: Array<{ body: string; reason: string }>;
let processor: BatchProcessor;

beforeEach(() => {
  store = new InMemoryExecutionStore();
  sent = [];
  deadLettered = [];
  processor = fakeDispatcher({ config: { ...loadConfig({}), parallelism: 2 }, store, catalog, sent, deadLettered });
});

const process = (...bodies: unknown[]) => processor.process({ Records: bodies.map((body) => sqsRecord(body)) }, context);

describe('the batch processor, record by record', () => {
  it('creates and runs a requested action, and deletes its message', async () => {
    expect(await process({ action: 'core.noop' })).toEqual({ batchItemFailures: [] });
    const [ran] = await store.list();
    expect(ran).toMatchObject({ action: 'core.noop', status: 'succeeded', attempt: 1 });
    expect(ran.log.map((entry) => entry.status)).toEqual(['requested', 'running', 'succeeded']);
  });

  it('records a request for an unknown action as a failed execution, where the user looks', async () => {
    await process({ action: 'nope.missing' });
    const [rejected] = await store.list();
    expect(rejected).toMatchObject({ action: 'nope.missing', status: 'failed', error: expect.stringContaining('unknown action: nope.missing') });
  });

  it('sends what names no action and no execution to the dead-letter queue with the reason', async () => {
    await process('not json', { executionId: 'no-such-id' });
    expect(deadLettered.map((entry) => entry.reason)).toEqual([
      expect.stringContaining('body is not JSON'),
      expect.stringContaining('unknown execution: no-such-id'),
    ]);
  });

  it('tells the parent workflow again when a delivery finds its task ended', async () => {
    const ended = store.put(execution({ status: 'succeeded', context: { parent: 'wf-1', task: 'task1' } }));
    await process({ executionId: ended.id });
    expect(sent).toMatchObject([{ kind: 'workflows', message: { type: 'task-completed', workflowId: 'wf-1', taskId: 'task1', executionId: ended.id } }]);
  });

  it('passes a workflow delivered to the actions function on to the workflows queue', async () => {
    const workflow = store.put(execution({ runner: 'orquesta', action: 'examples.orquesta-basic' }));
    await process({ executionId: workflow.id });
    expect(sent).toEqual([{ kind: 'workflows', message: { executionId: workflow.id }, delaySeconds: 0, attributes: {} }]);
  });

  it('gives the record back, for after the lease, when a live runner holds its execution', async () => {
    const held = store.put(execution({ status: 'running', lease: { owner: 'alive', expiresAt: Date.now() + 10_000 } }));
    await expect(process({ executionId: held.id })).rejects.toThrow(BatchProcessingError);
    expect((await store.get(held.id))!.status).toBe('running');
  });

  it('marks abandoned what a dead runner held, and canceled what it was canceling', async () => {
    const dead = { owner: 'dead', expiresAt: Date.now() - 1 };
    const running = store.put(execution({ status: 'running', lease: dead }));
    const canceling = store.put(execution({ status: 'canceling', lease: dead }));
    expect(await process({ executionId: running.id }, { executionId: canceling.id })).toEqual({ batchItemFailures: [] });
    expect(await store.get(running.id)).toMatchObject({ status: 'abandoned', error: 'execution abandoned: runner dead stopped renewing its lease' });
    expect(await store.get(canceling.id)).toMatchObject({ status: 'canceled' });
    expect((await store.get(running.id))!.lease).toBeUndefined();
  });

  it('runs again what a dead runner held when the action says retry_on_abandon', async () => {
    const held = store.put(
      execution({
        action: 'examples.safe_to_rerun',
        runner: 'noop',
        parameters: {},
        status: 'running',
        attempt: 1,
        lease: { owner: 'dead', expiresAt: Date.now() - 1 },
      }),
    );
    await process({ executionId: held.id });
    const rerun = (await store.get(held.id))!;
    expect(rerun).toMatchObject({ status: 'succeeded', attempt: 2 });
    expect(rerun.log.map((entry) => entry.status)).toEqual(['running', 'scheduled', 'running', 'succeeded']);
  });

  it('never runs a finished execution again', async () => {
    const done = store.put(execution({ action: 'core.noop', runner: 'noop', parameters: {}, status: 'failed', attempt: 1 }));
    await process({ executionId: done.id });
    expect(await store.get(done.id)).toMatchObject({ status: 'failed', attempt: 1 });
  });

  it('reports only the failed record when one of a batch fails, and throws when all do', async () => {
    const held = store.put(execution({ status: 'running', lease: { owner: 'alive', expiresAt: Date.now() + 10_000 } }));
    const records = [sqsRecord({ action: 'core.noop' }), sqsRecord({ executionId: held.id })];
    expect(await processor.process({ Records: records }, context)).toEqual({ batchItemFailures: [{ itemIdentifier: records[1].messageId }] });
  });
});
