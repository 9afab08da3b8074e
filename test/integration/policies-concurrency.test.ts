// action.concurrency(.attr) through the real actions handler on the real emulators: slots are taken in
// DynamoDB Local, a full pool cancels or delays, and a delayed execution runs once a slot frees.
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { loadActions } from '../../src/actions/index.ts';
import { createRuntime, type Runtime } from '../../src/dispatch/runtime.ts';
import type { Execution } from '../../src/model/execution.ts';
import { isTerminal } from '../../src/model/status.ts';
import { PacksFixture } from '../unit/actions/pack-fixture.ts';
import { deliver } from '../helpers/lambda.ts';
import { eventually, useSubstrate } from '../helpers/substrate.ts';

const substrate = useSubstrate({ env: { ACTIONRUNNER_PARALLELISM: '10' } });
const fixture = new PacksFixture();
const sleepy = (name: string) =>
  [`name: ${name}`, 'runner_type: local-shell-cmd', 'parameters:', '  host: { type: string }', '  cmd:', '    default: sleep 1'].join('\n');
fixture.pack('limited', {
  'actions/one.yaml': sleepy('one'),
  'actions/deploy.yaml': sleepy('deploy'),
  'policies/one.yaml': 'name: one.only\nresource_ref: limited.one\npolicy_type: action.concurrency\nparameters:\n  threshold: 1\n  action: cancel\n',
  'policies/deploy.yaml':
    'name: deploy.per-host\nresource_ref: limited.deploy\npolicy_type: action.concurrency.attr\nparameters:\n  threshold: 1\n  attributes: [host]\n',
});
let runtime: Runtime;

beforeAll(() => {
  runtime = createRuntime({ config: substrate.config, clients: substrate.clients, catalog: loadActions({ packsPaths: [fixture.dir] }) });
});
afterAll(() => fixture.remove());
beforeEach(() => substrate.purgeQueues());

const handler = (...args: Parameters<Runtime['processor']['process']>) => runtime.processor.process(...args);
const get = async (id: string) => (await runtime.store.get(id))!;
const ranAt = (e: Execution) => [Date.parse(e.log.find((entry) => entry.status === 'running')!.timestamp), Date.parse(e.end_timestamp!)];

async function runAll(ids: string[]): Promise<Execution[]> {
  return eventually(
    async () => {
      const now = await Promise.all(ids.map(get));
      if (!now.every((e) => isTerminal(e.status))) await deliver(substrate, 'actions', handler).catch(() => undefined);
      const ended = await Promise.all(ids.map(get));
      expect(ended.map((e) => e.status).filter((s) => !isTerminal(s))).toEqual([]);
      return ended;
    },
    { timeoutMs: 40_000, intervalMs: 100 },
  );
}

it('cancels what is over the threshold (action: cancel), saying which policy and threshold', async () => {
  const ids = await Promise.all([1, 2, 3].map(async () => (await runtime.service.request({ action: 'limited.one', parameters: {} })).execution.id));
  const ended = await runAll(ids);
  const statuses = ended.map((e) => e.status).sort();
  expect(statuses.filter((s) => s === 'succeeded').length).toBeGreaterThanOrEqual(1);
  for (const e of ended.filter((x) => x.status === 'canceled')) {
    expect(e.error).toBe('canceled by policy limited.one.only (action.concurrency): threshold 1 reached - 1 of limited.one already running');
    expect(e.log.map((entry) => entry.status)).toEqual(['requested', 'canceled']);
  }
  expect(statuses.filter((s) => s === 'canceled').length).toBeGreaterThanOrEqual(1);
  // No two ran at once.
  const ran = ended.filter((e) => e.status === 'succeeded').map(ranAt);
  for (const [i, a] of ran.entries()) for (const b of ran.slice(i + 1)) expect(a[1] <= b[0] || b[1] <= a[0]).toBe(true);
  expect(await runtime.slots!.running('policy:limited.one')).toBe(0);
});

it('runs one per host (action.concurrency.attr, delay): the other hosts go on, the same host waits delayed', async () => {
  const request = (host: string) => runtime.service.request({ action: 'limited.deploy', parameters: { host } }).then(({ execution }) => execution.id);
  const ids = await Promise.all(['a', 'a', 'a', 'b'].map(request));
  const ended = await runAll(ids);
  expect(ended.map((e) => e.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
  const onA = ended.slice(0, 3).map(ranAt);
  for (const [i, x] of onA.entries()) for (const y of onA.slice(i + 1)) expect(x[1] <= y[0] || y[1] <= x[0], 'two deploys ran on host a at once').toBe(true);
  const onB = ranAt(ended[3]);
  expect(
    onA.some((x) => x[0] < onB[1] && onB[0] < x[1]),
    'host b waited for host a',
  ).toBe(true);
  const delayed = ended.filter((e) => e.log.some((entry) => entry.status === 'delayed'));
  expect(delayed.length).toBeGreaterThanOrEqual(2);
  expect(delayed[0].log.find((entry) => entry.status === 'delayed')?.reason).toBe(
    'delayed by policy limited.deploy.per-host (action.concurrency.attr): threshold 1 reached - 1 of limited.deploy with the same host already running',
  );
});

it('gives its policy slot back when the function pool is full (policy slot first, then the pool slot)', async () => {
  const small = createRuntime({
    config: { ...substrate.config, actionsPoolSize: 1 },
    clients: substrate.clients,
    catalog: loadActions({ packsPaths: [fixture.dir] }),
  });
  // Another container holds the only slot of the stage's actions pool.
  expect(await small.slots!.acquire('actions', 1, 'another-container', 60_000)).toBe(true);
  try {
    const { execution } = await small.service.request({ action: 'limited.one', parameters: {} });
    await eventually(
      async () => {
        await deliver(substrate, 'actions', (...args) => small.processor.process(...args)).catch(() => undefined);
        expect((await get(execution.id)).status).toBe('delayed');
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    expect((await get(execution.id)).log.at(-1)?.reason).toMatch(/^waiting for a slot: the actions pool is full/);
    expect(await small.slots!.running('policy:limited.one')).toBe(0);
  } finally {
    await small.slots!.release('actions', 'another-container');
  }
});
