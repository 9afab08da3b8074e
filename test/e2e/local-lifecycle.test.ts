// End to end: how `actionrunner local` ends. Ctrl-C in a terminal signals its whole process group; an
// emulator may die under it. In both cases no action keeps running and the operator is told.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { eventually } from '../helpers/substrate.ts';
import { cleanEnv, cli, processesMatching, startLocal, type LocalProcess } from './helpers.ts';

let dir: string;
let local: LocalProcess | undefined;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ar-e2e-life-'));
});

afterEach(async () => {
  await local?.stop('SIGKILL').catch(() => undefined);
  local = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** Requests `count` sleeps tagged with `tag` and waits until each runs (one process per action: bash, the shell of cmd, execs a lone command in place). */
async function runSleeps(count: number, tag: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await cli(dir, ['run', 'core.local', `cmd=sleep ${tag}`, '--async'], cleanEnv())).stdout.trim());
  await eventually(() => expect(processesMatching(`sleep ${tag}`)).toHaveLength(count), { timeoutMs: 20_000, intervalMs: 100 });
  return ids;
}

it('on Ctrl-C to its whole process group, records running actions abandoned (the emulators outlive the grace period)', async () => {
  const dataDir = path.join(dir, 'dynamodb-data');
  const env = cleanEnv({ ACTIONRUNNER_SHUTDOWN_GRACE_MS: '1000', ACTIONRUNNER_BATCHING_WINDOW: '0' });
  local = await startLocal(dir, ['--data-dir', dataDir], env, 90_000, true);
  const ids = await runSleeps(3, '55.5');

  // What a terminal does on Ctrl-C: SIGINT to every process of the foreground group.
  process.kill(-local.child.pid!, 'SIGINT');
  expect(await local.exited).toBe(0);
  expect(local.output().stderr).not.toMatch(/ECONNREFUSED/);
  expect(processesMatching('sleep 55.5')).toEqual([]);
  expect(processesMatching(dataDir)).toEqual([]); // DynamoDB Local and its guard stopped after the records were written

  local = await startLocal(dir, ['--data-dir', dataDir], env);
  for (const id of ids) {
    const doc = JSON.parse((await cli(dir, ['execution', 'get', id, '--json'], cleanEnv())).stdout);
    expect(doc.status).toBe('abandoned');
    expect(doc.error).toMatch(/the local runtime shut down \(SIGINT received; grace period of 1000 ms over\)/);
  }
});

it('leaves no action and no emulator running when its whole process group is killed with kill -9', async () => {
  local = await startLocal(dir, [], cleanEnv({ ACTIONRUNNER_BATCHING_WINDOW: '0' }), 90_000, true);
  await runSleeps(3, '33.3');
  const port = new URL(local.discovery().dynamodbEndpoint).port;
  process.kill(-local.child.pid!, 'SIGKILL');
  // The reaper and the emulator's guard run in sessions of their own: they outlive the kill and clean up.
  await eventually(() => expect(processesMatching('sleep 33.3')).toEqual([]), { timeoutMs: 5000, intervalMs: 100 });
  await eventually(() => expect(processesMatching(`DynamoDBLocal.jar -port ${port} `)).toEqual([]), { timeoutMs: 5000, intervalMs: 100 });
});

it('says which emulator died and how, kills running actions and exits 1 when DynamoDB Local is killed', async () => {
  local = await startLocal(dir, [], cleanEnv({ ACTIONRUNNER_BATCHING_WINDOW: '0' }));
  await runSleeps(2, '44.4');
  const port = new URL(local.discovery().dynamodbEndpoint).port;
  const [jvm] = processesMatching(`DynamoDBLocal.jar -port ${port} `).filter((line) => /\bjava\b/.test(line.split(' ')[1] ?? ''));
  expect(jvm).toBeDefined();
  const killedAt = Date.now();
  process.kill(Number(jvm.split(' ')[0]), 'SIGKILL');

  expect(await local.exited).toBe(1);
  expect(Date.now() - killedAt).toBeLessThan(30_000);
  expect(local.output().stderr).toMatch(
    /error: emulator died: DynamoDB Local - killed by SIGKILL \(guard pid \d+\); the local runtime stops and its running actions are killed/,
  );
  expect(processesMatching('sleep 44.4')).toEqual([]);
  expect(processesMatching(`DynamoDBLocal.jar -port ${port} `)).toEqual([]);
});
