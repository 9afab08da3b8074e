import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect, it } from 'vitest';
import { eventually } from '../../helpers/substrate.ts';
import { fixture, isAlive, treeLeft } from './helpers.ts';

const work = mkdtempSync(join(tmpdir(), 'reaper-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let pidsFile = '';
afterEach(() => {
  // Whatever a failing test left behind.
  if (!existsSync(pidsFile)) return;
  for (const pid of treeLeft(pidsFile).pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

/** Starts run-tree.ts (a process running an action tree) in a process group of its own, once the tree is up. */
async function startRunner(name: string): Promise<ChildProcess> {
  pidsFile = join(work, name);
  const runner = spawn(process.execPath, ['--import', 'tsx', fixture('run-tree.ts')], {
    env: { ...process.env, PIDS_FILE: pidsFile },
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    runner.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('forked')) resolve();
    });
    runner.once('exit', (code) => reject(new Error(`run-tree.ts exited with ${code} before the tree was up`)));
  });
  return runner;
}

it('kills the action tree within seconds when the process running it is SIGKILLed', async () => {
  const runner = await startRunner('sigkill-process');
  const { pids } = treeLeft(pidsFile);
  expect(pids.filter(isAlive)).toHaveLength(4);
  runner.kill('SIGKILL');
  await eventually(() => expect(treeLeft(pidsFile).alive).toEqual([]), { timeoutMs: 5000 });
});

it('kills the action tree when the whole process group of that process is SIGKILLed (kill -9 -pgid)', async () => {
  const runner = await startRunner('sigkill-group');
  process.kill(-runner.pid!, 'SIGKILL');
  await eventually(() => expect(treeLeft(pidsFile).alive).toEqual([]), { timeoutMs: 5000 });
});
