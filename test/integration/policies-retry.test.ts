// action.retry through the real actions handler: each retry is a new execution linked to the one it
// retries, waits out its delay in SQS, and is created once however often the ended execution's message
// is delivered (also when the runner died between recording the outcome and asking for the retry).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { loadActions } from '../../src/actions/index.ts';
import { createRuntime, type Runtime } from '../../src/dispatch/runtime.ts';
import type { Execution } from '../../src/model/execution.ts';
import { retryKey } from '../../src/policies/index.ts';
import { PacksFixture } from '../unit/actions/pack-fixture.ts';
import { deliver, receive } from '../helpers/lambda.ts';
import { eventually, useSubstrate } from '../helpers/substrate.ts';

const substrate = useSubstrate();
const fixture = new PacksFixture();
const marks = mkdtempSync(path.join(tmpdir(), 'retry-marks-'));
fixture.pack('flaky', {
  // Fails until it has run `succeed_on` times (counted in a file).
  'actions/count.yaml': [
    'name: count',
    'runner_type: local-shell-cmd',
    'parameters:',
    '  file: { type: string, required: true }',
    '  succeed_on: { type: integer, default: 99 }',
    '  cmd:',
    '    default: echo x >> "{{file}}"; test "$(wc -l < "{{file}}")" -ge {{succeed_on}}',
  ].join('\n'),
  'actions/stopped.yaml': 'name: stopped\nrunner_type: local-shell-cmd\nparameters:\n  cmd: { default: "false" }\n',
  'policies/count.retry.yaml':
    'name: count.retry\nresource_ref: flaky.count\npolicy_type: action.retry\nparameters:\n  retry_on: failure\n  max_retry_count: 2\n  delay: 1\n',
  'policies/off.retry.yaml': 'name: off.retry\nenabled: false\nresource_ref: flaky.stopped\npolicy_type: action.retry\nparameters: { retry_on: failure }\n',
});
let runtime: Runtime;
let n = 0;

beforeAll(() => {
  runtime = createRuntime({ config: substrate.config, clients: substrate.clients, catalog: loadActions({ packsPaths: [fixture.dir] }) });
});
afterAll(() => fixture.remove());
beforeEach(() => substrate.purgeQueues());

const handler = (event: Parameters<Runtime['processor']['process']>[0], context: Parameters<Runtime['processor']['process']>[1]) =>
  runtime.processor.process(event, context);
const get = async (id: string) => (await runtime.store.get(id))!;
const retryOf = async (id: string) => {
  const listed = (await runtime.store.list({ action: 'flaky.count', limit: 50 })).find((e) => e.context.policies?.retry?.retried_liveaction_id === id);
  // A listing has no parameters or status log: the retry is read whole.
  return listed && (await runtime.store.get(listed.id));
};

/** Delivers what the actions queue holds until `done` says so (delayed retries arrive later). */
async function drain(done: () => Promise<boolean>): Promise<void> {
  await eventually(
    async () => {
      if (!(await done())) await deliver(substrate, 'actions', handler).catch(() => undefined);
      expect(await done()).toBe(true);
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
}

it('retries a failed execution max_retry_count times, each retry linked to the one before', async () => {
  const file = path.join(marks, `c${++n}`);
  const { execution: first } = await runtime.service.request({ action: 'flaky.count', parameters: { file } });
  const chain: Execution[] = [];
  await drain(async () => {
    chain.length = 0;
    let current: Execution | undefined = await get(first.id);
    while (current) {
      chain.push(current);
      current = await retryOf(current.id);
    }
    return chain.length === 3 && chain.every((e) => e.status === 'failed');
  });
  expect(chain.map((e) => e.context.policies?.retry)).toEqual([
    undefined,
    { applied_policy: 'flaky.count.retry', retry_count: 1, retried_liveaction_id: chain[0].id },
    { applied_policy: 'flaky.count.retry', retry_count: 2, retried_liveaction_id: chain[1].id },
  ]);
  expect(chain[1].parameters).toEqual({ file });
  // The delay waited in SQS: the retry was created with its notBefore one second on, and started after it.
  const created = Date.parse(chain[1].log[0].timestamp);
  expect(chain[1].context.notBefore).toBeGreaterThanOrEqual(created + 900);
  expect(Date.parse(chain[1].log.find((entry) => entry.status === 'running')!.timestamp)).toBeGreaterThanOrEqual(chain[1].context.notBefore! - 500);
});

it('stops retrying once a retry succeeds', async () => {
  const file = path.join(marks, `c${++n}`);
  const { execution: first } = await runtime.service.request({ action: 'flaky.count', parameters: { file, succeed_on: 2 } });
  let retry: Execution | undefined;
  await drain(async () => {
    retry = await retryOf(first.id);
    return retry?.status === 'succeeded';
  });
  expect(await retryOf(retry!.id)).toBeUndefined();
});

it('creates a retry once however often the ended execution is delivered, also when the runner died before asking for it', async () => {
  // As a runner that recorded the outcome and died before the retry: failed with a result, no retry yet.
  const { execution: ended } = await runtime.store.create({
    action: 'flaky.count',
    runner: 'local-shell-cmd',
    parameters: { file: path.join(marks, `c${++n}`) },
    secretParameters: [],
    status: 'failed',
    result: { return_code: 1, succeeded: false, failed: true },
  });
  for (let i = 0; i < 3; i++) await runtime.queue.send('actions', { executionId: ended.id });
  await eventually(
    async () => {
      await deliver(substrate, 'actions', handler).catch(() => undefined);
      const again = await receive(substrate, 'actions', 10, 0);
      expect(again.filter((m) => m.Body?.includes(ended.id))).toEqual([]);
    },
    { timeoutMs: 20_000, intervalMs: 100 },
  );
  const retries = (await runtime.store.list({ action: 'flaky.count', limit: 50 })).filter((e) => e.context.policies?.retry?.retried_liveaction_id === ended.id);
  expect(retries).toHaveLength(1);
  const marker = await runtime.service.request({
    action: 'flaky.count',
    parameters: ended.parameters,
    idempotencyKey: retryKey(ended.id),
  });
  expect(marker).toMatchObject({ created: false, execution: { id: retries[0].id } });
});

it('does not retry under a disabled policy', async () => {
  const { execution } = await runtime.service.request({ action: 'flaky.stopped', parameters: {} });
  await drain(async () => (await get(execution.id)).status === 'failed');
  await deliver(substrate, 'actions', handler).catch(() => undefined);
  expect((await runtime.store.list({ action: 'flaky.stopped', limit: 10 })).map((e) => e.id)).toEqual([execution.id]);
});
