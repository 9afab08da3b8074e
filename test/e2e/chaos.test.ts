// Chaos: the local runtime (and separately its DynamoDB Local) killed with SIGKILL at a random moment
// while 50 actions are in flight, then started again on the same data. Nothing may be lost, stuck,
// run twice or left running. Figures are printed for the report.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { resolveTarget, type Target } from '../../src/cli/target.ts';
import type { OutputRecord } from '../../src/model/execution.ts';
import { isTerminal } from '../../src/model/status.ts';
import { eventually } from '../helpers/substrate.ts';
import { cleanEnv, processesMatching, startLocal, type LocalProcess } from './helpers.ts';

const IN_FLIGHT = 50;
const LEASE_MS = 3000;
const SWEEP_SECONDS = 2;
/** Lease + one sweep + a heartbeat, and room for the handlers on a loaded 2-core machine. */
const BOUND_MS = LEASE_MS + SWEEP_SECONDS * 1000 + 15_000;
const env = cleanEnv({
  ACTIONRUNNER_LEASE_MS: String(LEASE_MS),
  ACTIONRUNNER_HEARTBEAT_MS: '500',
  ACTIONRUNNER_IN_FLIGHT_VISIBILITY_SECONDS: '6',
  ACTIONRUNNER_SWEEP_INTERVAL_SECONDS: String(SWEEP_SECONDS),
  ACTIONRUNNER_KILL_GRACE_MS: '300',
  ACTIONRUNNER_BATCHING_WINDOW: '0',
});

let dir: string;
let local: LocalProcess | undefined;
let target: Target | undefined;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ar-e2e-chaos-'));
});

afterEach(async () => {
  target?.close();
  target = undefined;
  await local?.stop('SIGKILL').catch(() => undefined);
  local = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const connect = () => (target = resolveTarget({ cwd: dir, env }));

/** Requests IN_FLIGHT actions that print a start line, sleep 0.5..8 s, and print an end line. */
async function submit(tag: string): Promise<string[]> {
  const { service } = await connect().services();
  const requests = Array.from({ length: IN_FLIGHT }, (_, i) =>
    service.request({
      action: 'core.local',
      parameters: { cmd: `echo start-${tag}-${i}; sleep ${(0.5 + (i % 16) / 2).toFixed(1)}; echo end-${tag}-${i}` },
    }),
  );
  return (await Promise.all(requests)).map(({ execution }) => execution.id);
}

async function outputs(ids: string[]): Promise<Map<string, OutputRecord[]>> {
  const { runtime } = target!;
  return new Map(await Promise.all(ids.map(async (id) => [id, await runtime.output.read(id)] as const)));
}

/** Kills at a random moment once some actions have printed, and checks every promise of the recovery. */
async function chaos(tag: string, kill: (local: LocalProcess) => void): Promise<void> {
  const dataDir = path.join(dir, 'dynamodb-data');
  local = await startLocal(dir, ['--data-dir', dataDir], env, 90_000, true);
  const ids = await submit(tag);
  await eventually(async () => expect([...(await outputs(ids)).values()].filter((chunks) => chunks.length > 0).length).toBeGreaterThan(5), {
    timeoutMs: 20_000,
    intervalMs: 100,
  });
  await new Promise((resolve) => setTimeout(resolve, Math.random() * 2000));
  const before = await outputs(ids);
  const statusesBefore = await Promise.all(ids.map(async (id) => (await target!.runtime.store.get(id))!.status));
  kill(local);
  target!.close();
  await local.exited;

  // No action process outlives the kill.
  const killedAt = Date.now();
  await eventually(() => expect(processesMatching(`start-${tag}-`)).toEqual([]), { timeoutMs: 5000, intervalMs: 100 });
  const processesGoneMs = Date.now() - killedAt;

  local = await startLocal(dir, ['--data-dir', dataDir], env);
  const restarted = Date.now();
  const { runtime } = connect();
  const ended = await eventually(
    async () => {
      const records = await Promise.all(ids.map(async (id) => (await runtime.store.get(id))!));
      expect(records.filter((record) => !isTerminal(record.status)).map((record) => `${record.id} ${record.status}`)).toEqual([]);
      return records;
    },
    { timeoutMs: BOUND_MS, intervalMs: 200 },
  );
  const recoveredMs = Date.now() - restarted;

  const after = await outputs(ids);
  for (const id of ids) {
    // Everything stored before the kill is still there, unchanged.
    expect(after.get(id)!.slice(0, before.get(id)!.length)).toEqual(before.get(id));
    // Never run twice (core.local does not say retry_on_abandon): one start line at most.
    const text = after
      .get(id)!
      .map((chunk) => chunk.data)
      .join('');
    expect(text.match(/^start-/gm)?.length ?? 0).toBeLessThanOrEqual(1);
  }
  expect(processesMatching(`start-${tag}-`)).toEqual([]);
  const count = (status: string) => ended.filter((record) => record.status === status).length;
  console.log(
    `chaos ${tag}: ${IN_FLIGHT} in flight (${statusesBefore.filter((s) => s === 'running').length} running, ${statusesBefore.filter(isTerminal).length} ended at the kill); ` +
      `action processes gone ${processesGoneMs} ms after the kill; all terminal ${recoveredMs} ms after the restart (bound ${BOUND_MS} ms): ` +
      `${count('succeeded')} succeeded, ${count('abandoned')} abandoned, ${count('failed')} failed; processes left: 0`,
  );
}

it('kill -9 of the runtime with 50 actions in flight: every execution ends within the bound, none twice, no process left, output kept', async () => {
  await chaos('rt', (process_) => process.kill(-process_.child.pid!, 'SIGKILL'));
});

it('kill -9 of DynamoDB Local with 50 actions in flight: the runtime stops, and after a restart every execution ends, none twice, no process left', async () => {
  await chaos('jvm', (process_) => {
    const port = new URL(process_.discovery().dynamodbEndpoint).port;
    const [jvm] = processesMatching(`DynamoDBLocal.jar -port ${port} `).filter((line) => /\bjava\b/.test(line.split(' ')[1] ?? ''));
    process.kill(Number(jvm.split(' ')[0]), 'SIGKILL');
  });
});
