// The stage-wide pool (st2's actions_pool_size) under `actionrunner local`: with the pool at 5, never more
// than 5 actions run at once however many containers, batches and per-invocation slots there are; what
// waits is `delayed` or `scheduled` and runs when a slot frees; a kill -9 mid-backlog loses nothing and
// leaves no slot held past its lease.
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { resolveTarget, type Target } from '../../src/cli/target.ts';
import type { Execution } from '../../src/model/execution.ts';
import { isTerminal } from '../../src/model/status.ts';
import { DynamoSlotPool } from '../../src/pool/index.ts';
import { eventually } from '../helpers/substrate.ts';
import { cleanEnv, processesMatching, startLocal, type LocalProcess } from './helpers.ts';

const POOL = 5;
const COUNT = 30;
const LEASE_MS = 3000;
const env = cleanEnv({
  ACTIONRUNNER_ACTIONS_POOL_SIZE: String(POOL),
  ACTIONRUNNER_LEASE_MS: String(LEASE_MS),
  ACTIONRUNNER_HEARTBEAT_MS: '500',
  ACTIONRUNNER_IN_FLIGHT_VISIBILITY_SECONDS: '6',
  ACTIONRUNNER_SWEEP_INTERVAL_SECONDS: '2',
  ACTIONRUNNER_KILL_GRACE_MS: '300',
  ACTIONRUNNER_BATCHING_WINDOW: '0',
});

let dir: string;
let local: LocalProcess | undefined;
let target: Target | undefined;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ar-e2e-pool-'));
});

afterEach(async () => {
  target?.close();
  target = undefined;
  await local?.stop('SIGKILL').catch(() => undefined);
  local = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const connect = () => (target = resolveTarget({ cwd: dir, env }));

/** Each action appends `s` when its process starts and `e` when it ends to `marks` (what ran at once, as the processes saw it). */
async function submit(tag: string, seconds: number, marks: string): Promise<string[]> {
  const { service } = await connect().services();
  const requests = Array.from({ length: COUNT }, (_, i) =>
    service.request({ action: 'core.local', parameters: { cmd: `echo s >> ${marks}; sleep ${seconds}; echo e >> ${marks}; : ${tag}-${i}` } }),
  );
  return (await Promise.all(requests)).map(({ execution }) => execution.id);
}

/** Most processes running at once, from the marks file. */
function peakOfMarks(marks: string): number {
  let running = 0;
  let peak = 0;
  for (const mark of existsSync(marks) ? readFileSync(marks, 'utf8').trim().split('\n') : []) {
    running += mark === 's' ? 1 : -1;
    peak = Math.max(peak, running);
  }
  return peak;
}

async function allEnded(ids: string[], timeoutMs: number): Promise<Execution[]> {
  const { runtime } = target!;
  return eventually(
    async () => {
      const records = await Promise.all(ids.map(async (id) => (await runtime.store.get(id))!));
      expect(records.filter((record) => !isTerminal(record.status)).map((record) => `${record.id} ${record.status}`)).toEqual([]);
      return records;
    },
    { timeoutMs, intervalMs: 250 },
  );
}

it(`runs ${COUNT} sleep actions with the pool at ${POOL}: never more than ${POOL} at once, the rest waiting delayed or scheduled, all succeed`, async () => {
  local = await startLocal(dir, [], env);
  const tag = `pool${process.pid}`;
  const marks = path.join(dir, 'marks.txt');
  const ids = await submit(tag, 1, marks);
  const records = await allEnded(ids, 60_000);
  expect(records.filter((record) => record.status !== 'succeeded').map((record) => `${record.status}: ${record.error} ${JSON.stringify(record.log)}`)).toEqual(
    [],
  );
  const peak = peakOfMarks(marks);
  expect(peak).toBeLessThanOrEqual(POOL);
  expect(peak).toBeGreaterThanOrEqual(POOL - 1);
  // Those that waited show it as st2 does.
  const waited = records.filter((record) => record.log.some((entry) => entry.status === 'delayed' || entry.status === 'scheduled'));
  expect(waited.length).toBeGreaterThan(0);
  expect(records.flatMap((record) => record.log.filter((entry) => entry.status === 'delayed').map((entry) => entry.reason))).toContain(
    `waiting for a slot: the actions pool is full (${POOL} running)`,
  );
  expect(await new DynamoSlotPool({ doc: target!.runtime.clients.doc, tableName: target!.runtime.config.executionsTable }).running('actions')).toBe(0);
  console.log(`pool ${POOL}: ${COUNT} x sleep 1, peak running ${peak}, ${waited.length} waited`);
});

it('kill -9 of the runtime mid-backlog: every execution ends after a restart, no slot stays held past its lease, the pool still bounds', async () => {
  const dataDir = path.join(dir, 'dynamodb-data');
  local = await startLocal(dir, ['--data-dir', dataDir], env, 90_000, true);
  const tag = `poolcrash${process.pid}`;
  const marks = path.join(dir, 'marks.txt');
  const ids = await submit(tag, 2, marks);
  const { runtime } = target!;
  await eventually(async () => expect((await Promise.all(ids.map((id) => runtime.store.get(id)))).filter((r) => r!.status === 'running').length).toBe(POOL), {
    timeoutMs: 30_000,
    intervalMs: 100,
  });
  process.kill(-local.child.pid!, 'SIGKILL');
  target!.close();
  await local.exited;
  // What ran after the restart, apart: those killed mid-run never wrote their end mark.
  await eventually(() => expect(processesMatching(`: ${tag}-`)).toEqual([]), { timeoutMs: 5000, intervalMs: 100 });
  renameSync(marks, path.join(dir, 'marks-before-kill.txt'));
  const marksAfter = marks;

  local = await startLocal(dir, ['--data-dir', dataDir], env);
  const slots = new DynamoSlotPool({ doc: connect().runtime.clients.doc, tableName: target!.runtime.config.executionsTable });
  const records = await allEnded(ids, 90_000);
  // Nothing lost: each ended; those running at the kill were abandoned, the waiting ones ran.
  expect(records.filter((record) => record.status === 'succeeded').length).toBeGreaterThanOrEqual(COUNT - POOL);
  expect(records.every((record) => record.status === 'succeeded' || record.status === 'abandoned')).toBe(true);
  // The slots of the dead runtime came back when their leases ran out, and the pool bounded the rest.
  expect(peakOfMarks(marksAfter)).toBeLessThanOrEqual(POOL);
  expect(await slots.running('actions')).toBe(0);
  expect(processesMatching(`: ${tag}-`)).toEqual([]);
  console.log(
    `pool crash: ${records.filter((r) => r.status === 'succeeded').length} succeeded, ${records.filter((r) => r.status === 'abandoned').length} abandoned, peak after restart ${peakOfMarks(marksAfter)}`,
  );
});
