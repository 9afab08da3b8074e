// Concurrency policies under the real local runtime (`actionrunner local`, both functions, the event
// source mappings, DynamoDB Local): 100 requests for an action with threshold 2 never run more than 2 at
// once; a workflow's tasks count too; kill -9 of the runtime mid-way loses nothing and holds no slot
// past its lease. `policy list` shows the pack's policies.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { resolveTarget, type Target } from '../../src/cli/target.ts';
import type { Execution } from '../../src/model/execution.ts';
import { isTerminal } from '../../src/model/status.ts';
import { DynamoSlotPool } from '../../src/pool/dynamo-slots.ts';
import { eventually } from '../helpers/substrate.ts';
import { cleanEnv, cli, startLocal, type LocalProcess } from './helpers.ts';

// Long enough that a lease does not lapse on a 2-core machine shared with other test runs.
const LEASE_MS = 8000;
let dir: string;
let env: Record<string, string>;
let local: LocalProcess | undefined;
let target: Target | undefined;

function writePacks(root: string): string {
  const packs = path.join(root, 'packs');
  const pack = path.join(packs, 'limits');
  for (const sub of ['actions/workflows', 'policies']) mkdirSync(path.join(pack, sub), { recursive: true });
  // Each appends `s` to `marks` when its process starts and `e` when it ends: what ran at once, as the processes saw it.
  const shell = (name: string, sleep: string) =>
    [
      `name: ${name}`,
      'runner_type: local-shell-cmd',
      'parameters:',
      '  n: { type: integer }',
      `  marks: { type: string, default: ${JSON.stringify(path.join(root, `${name}.marks`))} }`,
      '  cmd:',
      `    default: echo s >> "{{marks}}"; sleep ${sleep}; echo e >> "{{marks}}"`,
    ].join('\n');
  writeFileSync(path.join(pack, 'actions', 'two.yaml'), shell('two', '0.1'));
  writeFileSync(path.join(pack, 'actions', 'slow.yaml'), shell('slow', '1'));
  writeFileSync(path.join(pack, 'actions', 'one.yaml'), shell('one', '0.3'));
  writeFileSync(
    path.join(pack, 'actions', 'fan.yaml'),
    'name: fan\nrunner_type: orquesta\nentry_point: workflows/fan.yaml\nparameters:\n  items: { type: array, default: [1, 2, 3, 4] }\n',
  );
  writeFileSync(
    path.join(pack, 'actions', 'workflows', 'fan.yaml'),
    'version: 1.0\ninput:\n  - items\ntasks:\n  each:\n    with: <% ctx(items) %>\n    action: limits.one n=<% item() %>\n',
  );
  const policy = (file: string, text: string) => writeFileSync(path.join(pack, 'policies', file), text);
  policy('two.yaml', 'name: two.at-most-2\nresource_ref: limits.two\npolicy_type: action.concurrency\nparameters:\n  threshold: 2\n');
  policy('slow.yaml', 'name: slow.at-most-2\nresource_ref: limits.slow\npolicy_type: action.concurrency\nparameters:\n  threshold: 2\n');
  policy('one.yaml', 'name: one.at-a-time\nresource_ref: limits.one\npolicy_type: action.concurrency\nparameters:\n  threshold: 1\n');
  policy('off.yaml', 'name: one.off\nenabled: false\nresource_ref: limits.one\npolicy_type: action.retry\nparameters: { retry_on: failure }\n');
  policy('bad.yaml', 'name: bad\nresource_ref: limits.one\npolicy_type: action.concurrency\nparameters: { threshold: 0 }\n');
  return packs;
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ar-e2e-policies-'));
  env = cleanEnv({
    ACTIONRUNNER_PACKS_PATH: writePacks(dir),
    ACTIONRUNNER_LEASE_MS: String(LEASE_MS),
    ACTIONRUNNER_HEARTBEAT_MS: '1000',
    ACTIONRUNNER_IN_FLIGHT_VISIBILITY_SECONDS: '15',
    ACTIONRUNNER_SWEEP_INTERVAL_SECONDS: '2',
    ACTIONRUNNER_KILL_GRACE_MS: '300',
    ACTIONRUNNER_BATCHING_WINDOW: '0',
  });
});

afterEach(async () => {
  target?.close();
  target = undefined;
  await local?.stop('SIGKILL').catch(() => undefined);
  local = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const connect = () => (target = resolveTarget({ cwd: dir, env }));

/** Most processes of `action` running at once, from its marks file. */
function peakOfMarks(action: string): number {
  const file = path.join(dir, `${action}.marks`);
  let running = 0;
  let most = 0;
  for (const mark of existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : []) most = Math.max(most, (running += mark === 's' ? 1 : -1));
  return most;
}

/** Highest number of executions whose running spans (first `running` to the end) overlap. */
function peak(executions: Execution[]): number {
  const edges = executions.flatMap((e) => [
    [Date.parse(e.log.find((entry) => entry.status === 'running')!.timestamp), 1],
    [Date.parse(e.end_timestamp!), -1],
  ]);
  // An end and a start at the same millisecond: the end first (the slot was given back before it was taken).
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, step] of edges) most = Math.max(most, (now += step));
  return most;
}

async function request(action: string, count: number, parameters = (n: number): Record<string, unknown> => ({ n })): Promise<string[]> {
  const { service } = await connect().services();
  const made = await Promise.all(Array.from({ length: count }, (_, n) => service.request({ action, parameters: parameters(n) })));
  return made.map(({ execution }) => execution.id);
}

async function allEnded(ids: string[], timeoutMs: number): Promise<Execution[]> {
  const { store } = connect().runtime;
  return eventually(
    async () => {
      const records = await Promise.all(ids.map(async (id) => (await store.get(id))!));
      expect(records.filter((r) => !isTerminal(r.status)).map((r) => `${r.id} ${r.status}`)).toEqual([]);
      return records;
    },
    { timeoutMs, intervalMs: 500 },
  );
}

it('100 requests at once for an action with threshold 2 run at most 2 at a time, all of them; a workflow’s tasks count too', async () => {
  local = await startLocal(dir, [], env);
  const list = await cli(dir, ['policy', 'list'], env);
  expect(list.code, list.stderr).toBe(0);
  expect(list.stdout).toMatch(/limits\.two\.at-most-2\s+limits\.two\s+action\.concurrency\s+true/);
  expect(list.stdout).toMatch(/limits\.one\.off\s+limits\.one\s+action\.retry\s+false/);
  expect(list.stdout).toContain('limits.bad (unavailable)');
  const json = JSON.parse((await cli(dir, ['policy', 'list', '--resource-ref', 'limits.one', '--json'], env)).stdout) as Array<{ ref: string }>;
  expect(json.map((p) => p.ref)).toEqual(['limits.one.at-a-time', 'limits.one.off']);

  const started = Date.now();
  const ids = await request('limits.two', 100);
  // Bounded for a 2-core machine shared with other test runs (about 40 s when it is not).
  const ended = await allEnded(ids, 240_000);
  expect(ended.filter((e) => e.status !== 'succeeded').map((e) => `${e.status}: ${e.error}`)).toEqual([]);
  const most = peakOfMarks('two');
  console.log(
    `policies: 100 x limits.two (threshold 2, 0.1 s each) all succeeded in ${Date.now() - started} ms; peak running ${most}; ` +
      `${ended.filter((e) => e.log.some((entry) => entry.status === 'delayed')).length} were delayed`,
  );
  expect(most).toBeLessThanOrEqual(2);
  expect(most).toBe(2);
  expect(peak(ended)).toBeLessThanOrEqual(2);

  const [workflow] = await request('limits.fan', 1, () => ({}));
  const [done] = await allEnded([workflow], 60_000);
  expect(done.status).toBe('succeeded');
  const store = connect().runtime.store;
  const tasks = await Promise.all((await store.list({ parent: workflow, limit: 10 })).map(async (t) => (await store.get(t.id))!));
  expect(tasks.map((t) => [t.action, t.status])).toEqual(Array.from({ length: 4 }, () => ['limits.one', 'succeeded']));
  expect(peakOfMarks('one')).toBe(1);
  expect(readFileSync(path.join(dir, 'one.marks'), 'utf8')).toBe('s\ne\n'.repeat(4));
  expect(tasks.some((t) => t.log.some((entry) => entry.status === 'delayed' && entry.reason?.includes('policy limits.one.at-a-time')))).toBe(true);
}, 360_000);

it('kill -9 of the runtime mid-way: after a restart every execution ends, at most 2 ran at once, and no slot is held past its lease', async () => {
  const dataDir = path.join(dir, 'dynamodb-data');
  local = await startLocal(dir, ['--data-dir', dataDir], env, 90_000, true);
  const ids = await request('limits.slow', 20);
  const { store } = connect().runtime;
  // Mid-way: some have run, and some run now (their runner is killed under them).
  await eventually(
    async () => {
      const now = (await Promise.all(ids.map((id) => store.get(id)))).map((e) => e!.status);
      expect(now.filter((status) => status === 'succeeded').length).toBeGreaterThan(2);
      expect(now).toContain('running');
    },
    { timeoutMs: 60_000, intervalMs: 50 },
  );
  const atKill = (await Promise.all(ids.map((id) => store.get(id)))).map((e) => e!.status);
  process.kill(-local.child.pid!, 'SIGKILL');
  target!.close();
  await local.exited;
  const killedAt = Date.now();
  // What ran after the restart, apart: those killed mid-run never wrote their end mark.
  const beforeKill = peakOfMarks('slow');
  renameSync(path.join(dir, 'slow.marks'), path.join(dir, 'slow-before-kill.marks'));

  local = await startLocal(dir, ['--data-dir', dataDir], env);
  const ended = await allEnded(ids, 120_000);
  const succeeded = ended.filter((e) => e.status === 'succeeded');
  console.log(
    `policies kill -9: 20 x limits.slow (threshold 2, 1 s each): ${succeeded.length} succeeded, ${ended.filter((e) => e.status === 'abandoned').length} abandoned, ` +
      `all ended ${Date.now() - killedAt} ms after the kill; peak running ${beforeKill} before the kill, ${peakOfMarks('slow')} after; at the kill: ${JSON.stringify(atKill)}`,
  );
  expect(ended.map((e) => e.status).filter((s) => s !== 'succeeded' && s !== 'abandoned')).toEqual([]);
  // Only those running at the kill may be abandoned (limits.slow does not say retry_on_abandon); nothing else is lost.
  expect(ended.length - succeeded.length).toBeLessThanOrEqual(atKill.filter((status) => status === 'running').length);
  expect(peak(succeeded)).toBeLessThanOrEqual(2);
  expect(beforeKill).toBeLessThanOrEqual(2);
  expect(peakOfMarks('slow')).toBeLessThanOrEqual(2);
  const { config, clients } = connect().runtime;
  const slots = new DynamoSlotPool({ doc: clients.doc, tableName: config.executionsTable });
  expect(await slots.running('policy:limits.slow')).toBe(0);
}, 300_000);
