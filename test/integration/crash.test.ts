// A Lambda container killed mid-run (SIGKILL, no chance to clean up). Killed after its batch got its
// in-flight visibility (`ACTIONRUNNER_IN_FLIGHT_AFTER_SECONDS`, 1 s here), its message comes back within
// that visibility, not the queue's 90 minutes; killed before, its message stays invisible for the queue's
// visibility timeout and the sweeper hands the execution back once its lease has expired. Either way the
// next delivery marks the execution abandoned instead of leaving it running forever. The action's
// processes die with the container.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../../src/dispatch/runtime.ts';
import { groupMembers } from '../../src/process/group.ts';
import { Sweeper } from '../../src/sweep/index.ts';
import { deliver, receive, type Handler } from '../helpers/lambda.ts';
import { eventually, useSubstrate } from '../helpers/substrate.ts';

const substrate = useSubstrate({
  env: {
    ACTIONRUNNER_LEASE_MS: '2000',
    ACTIONRUNNER_HEARTBEAT_MS: '400',
    // Below the lease minus a heartbeat: with the default 2 s the runner would give its 2 s lease up at once.
    ACTIONRUNNER_KILL_GRACE_MS: '200',
    ACTIONRUNNER_IN_FLIGHT_VISIBILITY_SECONDS: '4',
    ACTIONRUNNER_IN_FLIGHT_AFTER_SECONDS: '1',
  },
});
const IN_FLIGHT_AFTER_MS = 1000;
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

/** Starts a container that handles one batch (with `env` over the stage's), waits until its action runs, and SIGKILLs it. */
async function killWhileRunning(cmd: string, env: Record<string, string> = {}, beforeKill?: () => Promise<void>) {
  const { execution } = await runtime.service.request({ action: 'core.local', parameters: { cmd } });
  const container = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../fixtures/handle-one-batch.ts', import.meta.url))], {
    env: { ...process.env, ...substrate.env, ...env },
    stdio: 'ignore',
  });
  await eventually(async () => expect((await runtime.store.get(execution.id))!.status).toBe('running'), { timeoutMs: 20_000 });
  const [group] = await eventually(() => {
    const found = leaders();
    expect(found).toHaveLength(1);
    return found;
  });
  expect(groupMembers(group).length).toBeGreaterThan(0);
  await beforeKill?.();
  container.kill('SIGKILL');
  const killedAt = Date.now();
  // The container's reaper kills the action's process group: no action outlives the process that ran it.
  // Within moments on an idle machine; the budget is for a CI machine busy with other test files.
  await eventually(() => expect(groupMembers(group), `group ${group} outlived its container; reapers alive: ${reapers()}`).toEqual([]), {
    timeoutMs: 15_000,
  });
  return { execution, killedAt };
}

it('marks an execution abandoned soon after the container running it was killed', async () => {
  // Killed once its batch has had its in-flight visibility (1 s after the batch started, and a margin).
  const { execution, killedAt } = await killWhileRunning(
    `sleep 1000; : ${tag}`,
    {},
    () => new Promise((resolve) => setTimeout(resolve, IN_FLIGHT_AFTER_MS + 1500)),
  );

  // The message is back within seconds; by then the lease has expired too.
  await eventually(() => deliver(substrate, 'actions', handler), { timeoutMs: 15_000, intervalMs: 500 });
  expect(Date.now() - killedAt).toBeLessThan(15_000);
  const abandoned = (await runtime.store.get(execution.id))!;
  expect(abandoned.status).toBe('abandoned');
  expect(abandoned.error).toMatch(/stopped renewing its lease/);
});

it('a container killed before its batch changed any visibility: the message stays away, the sweeper hands the execution back after its lease', async () => {
  const { execution, killedAt } = await killWhileRunning(`sleep 1000; : ${tag}`, { ACTIONRUNNER_IN_FLIGHT_AFTER_SECONDS: '600' });
  // Its message keeps the queue's visibility timeout (30 s on this stage): it is not back after the in-flight 4 s.
  expect(await receive(substrate, 'actions', 10, 6)).toEqual([]);
  // Once the lease (2 s) has expired, a sweep finds it and sends it again; the next delivery judges it.
  const swept = await new Sweeper(runtime).sweep({ waitingAfterMs: 60_000 });
  expect(swept).toMatchObject({ expired: 1 });
  await deliver(substrate, 'actions', handler);
  expect(Date.now() - killedAt).toBeLessThan(25_000);
  const abandoned = (await runtime.store.get(execution.id))!;
  expect(abandoned.status).toBe('abandoned');
  expect(abandoned.error).toMatch(/stopped renewing its lease/);
});
