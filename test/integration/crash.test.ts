// A Lambda container killed mid-run (SIGKILL, no chance to clean up): its message comes back within
// the in-flight visibility, not the queue's 90 minutes, and the next delivery marks the execution
// abandoned instead of leaving it running forever. The action's processes die with the container.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../../src/dispatch/runtime.ts';
import { groupMembers } from '../../src/process/group.ts';
import { deliver, type Handler } from '../helpers/lambda.ts';
import { eventually, useSubstrate } from '../helpers/substrate.ts';

const substrate = useSubstrate({
  env: { ACTIONRUNNER_LEASE_MS: '2000', ACTIONRUNNER_HEARTBEAT_MS: '400', ACTIONRUNNER_IN_FLIGHT_VISIBILITY_SECONDS: '4' },
});
const tag = `crash${randomBytes(4).toString('hex')}`;
let runtime: Runtime;
let handler: Handler;

beforeAll(async () => {
  Object.assign(process.env, substrate.env);
  ({ handler } = await import('../../functions/actions.ts'));
  runtime = createRuntime({ config: substrate.config, clients: substrate.clients });
});

/** Pids of the action's shell (its process group leader): the only process whose command line holds the tag. */
function leaders(): number[] {
  try {
    return execFileSync('pgrep', ['-f', tag], { encoding: 'utf8' }).trim().split('\n').map(Number);
  } catch {
    return [];
  }
}

/** How many reaper processes run on this machine, for the failure message. */
function reapers(): string {
  try {
    return execFileSync('pgrep', ['-af', 'const groups = new Set'], { encoding: 'utf8' }).split('\n').filter(Boolean).length.toString();
  } catch {
    return 'none';
  }
}

afterAll(() => {
  // Should the reaper have failed, end the killed container's action group here.
  for (const pid of leaders()) {
    try {
      process.kill(-Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

it('marks an execution abandoned soon after the container running it was killed', async () => {
  const { execution } = await runtime.service.request({ action: 'core.local', parameters: { cmd: `sleep 1000; : ${tag}` } });
  const container = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../fixtures/handle-one-batch.ts', import.meta.url))], {
    env: { ...process.env, ...substrate.env },
    stdio: 'ignore',
  });
  await eventually(async () => expect((await runtime.store.get(execution.id))!.status).toBe('running'), { timeoutMs: 20_000 });
  const [group] = await eventually(() => {
    const found = leaders();
    expect(found).toHaveLength(1);
    return found;
  });
  expect(groupMembers(group).length).toBeGreaterThan(0);
  container.kill('SIGKILL');
  const killedAt = Date.now();
  // The container's reaper kills the action's process group: no action outlives the process that ran it.
  // Within moments on an idle machine; the budget is for a CI machine busy with other test files.
  await eventually(() => expect(groupMembers(group), `group ${group} outlived its container; reapers alive: ${reapers()}`).toEqual([]), {
    timeoutMs: 15_000,
  });

  // The message is back within seconds; by then the lease has expired too.
  await eventually(() => deliver(substrate, 'actions', handler), { timeoutMs: 15_000, intervalMs: 500 });
  expect(Date.now() - killedAt).toBeLessThan(15_000);
  const abandoned = (await runtime.store.get(execution.id))!;
  expect(abandoned.status).toBe('abandoned');
  expect(abandoned.error).toMatch(/stopped renewing its lease/);
});
