import { afterEach, expect, it, vi } from 'vitest';
import { loadActions } from '../../../src/actions/index.ts';
import { loadConfig } from '../../../src/config/index.ts';
import { takePolicySlots, waitForPolicySlots } from '../../../src/dispatch/take-policy-slots.ts';
import { createLogger } from '../../../src/log/index.ts';
import { MemorySlotPool } from '../../../src/pool/memory-slots.ts';
import type { PreparedRequest } from '../../../src/request/service.ts';
import { PacksFixture } from '../actions/pack-fixture.ts';
import { execution } from '../../helpers/factories.ts';

const fixture = new PacksFixture();
fixture.pack('p', {
  'actions/act.yaml': 'name: act\nrunner_type: local-shell-cmd\nparameters:\n  cmd: { default: "true" }\n',
  'policies/two.yaml': 'name: two\nresource_ref: p.act\npolicy_type: action.concurrency\nparameters: { threshold: 2 }\n',
});
const catalog = loadActions({ packsDir: null, packsPaths: [fixture.dir] });
const log = createLogger({ test: 'wait-policy-slots' }, 'error');
afterEach(() => vi.useRealTimers());

it('a delivery waiting here takes a slot whose holder elsewhere died, once its lease ends, without a release here', async () => {
  vi.useFakeTimers();
  const slots = new MemorySlotPool();
  const deps = { catalog, slots, config: { ...loadConfig({}), leaseMs: 1_000, heartbeatMs: 300 } };
  const prepared = { values: {} } as PreparedRequest;
  const run = execution({ action: 'p.act' });
  // A runner elsewhere died holding one slot; this process runs the other.
  expect(await slots.acquire('policy:p.act', 2, 'dead-elsewhere', 1_000)).toBe(true);
  const mine = await takePolicySlots(execution({ action: 'p.act' }), prepared, 'running-here', deps, log);
  expect('held' in mine).toBe(true);
  const refused = await takePolicySlots(run, prepared, 'waiting-here', deps, log);
  if (!('refused' in refused)) throw new Error('expected the pool to be full');
  const waited = waitForPolicySlots(refused, run, prepared, 'waiting-here', deps, log, new AbortController().signal);
  await vi.advanceTimersByTimeAsync(3_000);
  const taken = await waited;
  expect('held' in taken).toBe(true);
  expect(await slots.running('policy:p.act')).toBe(2);
  if ('held' in taken) await taken.held.release();
  if ('held' in mine) await mine.held.release();
});
