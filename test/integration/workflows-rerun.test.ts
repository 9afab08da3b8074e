// Re-running a workflow from some of its tasks through the workflows handler, as st2's
// st2tests/integration/orquesta/test_wiring_rerun.py does with its examples (our equivalents in
// test/fixtures/packs/st2_examples): a new execution that goes on from the named tasks with the
// rest of the original's state; a with-items task runs all its items again, or with no reset only
// those that failed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isTerminal } from '../../src/model/status.ts';
import type { Execution } from '../../src/model/execution.ts';
import { useFunctions } from '../helpers/functions.ts';
import { eventually, useSubstrate } from '../helpers/substrate.ts';

const PACKS = fileURLToPath(new URL('../fixtures/packs', import.meta.url));
const substrate = useSubstrate({ env: { ACTIONRUNNER_PACKS_PATH: PACKS } });
const functions = useFunctions(substrate);
const dir = mkdtempSync(join(tmpdir(), 'wf-rerun-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
const tempfile = (content: string) => {
  const file = join(dir, `code-${files++}`);
  writeFileSync(file, content);
  return file;
};

const ended = (id: string) =>
  eventually(
    async () => {
      const execution = await functions.runtime.store.get(id);
      if (!execution || !isTerminal(execution.status)) throw new Error(`execution ${id} has not ended`);
      return execution;
    },
    { timeoutMs: 60_000 },
  );

const rerun = async (id: string, tasks: string[], noReset?: string[]) => ended((await functions.runtime.service.reRun(id, {}, { tasks, noReset })).id);
const children = async (execution: Execution) => (await functions.runtime.store.list({ parent: execution.id, limit: 100 })).map((child) => child.context.task);

describe('re-run from tasks', () => {
  it('goes on from the failed task in a new execution that keeps what the tasks before it published (test_rerun_task)', async () => {
    const file = tempfile('1');
    const original = await functions.run('st2_examples.orquesta-test-rerun', { tempfile: file });
    expect(original.status).toBe('failed');
    writeFileSync(file, '0');
    const again = await rerun(original.id, ['check']);
    expect(again.id).not.toBe(original.id);
    expect(again.status).toBe('succeeded');
    expect(again.context).toMatchObject({ reRunOf: original.id, 're-run': { ref: original.id, tasks: ['check'], reset: ['check'] } });
    // prepare did not run again: its publish is kept, and only check and finish are children of the re-run.
    expect(again.result).toEqual({ output: { prepared_by: 'prepare' } });
    expect((await children(again)).sort()).toEqual(['check', 'finish']);
    expect((await functions.runtime.store.get(original.id))?.status).toBe('failed');
  });

  it('re-runs a task of a workflow that succeeded (test_rerun_task_of_workflow_already_succeeded)', async () => {
    const original = await functions.run('st2_examples.orquesta-test-rerun', { tempfile: tempfile('0') });
    expect(original.status).toBe('succeeded');
    const again = await rerun(original.id, ['check']);
    expect(again.status).toBe('succeeded');
    expect((await children(again)).sort()).toEqual(['check', 'finish']);
  });

  it.each([
    ['with reset, every item runs again (test_rerun_and_reset_with_items_task)', undefined, 4],
    ['with no reset, only the failed items run again (test_rerun_and_resume_with_items_task)', ['each'], 2],
  ])('a with-items task: %s', async (_name, noReset, count) => {
    const file = tempfile('1');
    const original = await functions.run('st2_examples.orquesta-test-rerun-with-items', { tempfile: file });
    expect(original.status).toBe('failed');
    writeFileSync(file, '0');
    const again = await rerun(original.id, ['each'], noReset);
    expect(again.status, JSON.stringify(again.result)).toBe('succeeded');
    const items = await functions.runtime.store.list({ parent: again.id, limit: 100 });
    expect(items).toHaveLength(count);
    expect(items.map((item) => item.context.itemIndex).sort()).toEqual(count === 4 ? [0, 1, 2, 3] : [1, 3]);
    expect(items.every((item) => item.status === 'succeeded')).toBe(true);
  });

  it('refuses, saying why: a task the workflow does not have, one that never ran, a workflow still running, a --no-reset task not re-run', async () => {
    const file = tempfile('1');
    const original = await functions.run('st2_examples.orquesta-test-rerun', { tempfile: file });
    const service = functions.runtime.service;
    await expect(service.reRun(original.id, {}, { tasks: ['nope'] })).rejects.toThrow(
      `cannot re-run tasks: execution ${original.id} - st2_examples.orquesta-test-rerun has no task "nope" (its tasks: prepare, check, finish)`,
    );
    await expect(service.reRun(original.id, {}, { tasks: ['finish'] })).rejects.toThrow(
      `cannot re-run tasks: execution ${original.id} - Unable to rerun task|route(s) because it doesn't exist or isn't rerunnable: finish|0 (a task re-runs only once it ran)`,
    );
    await expect(service.reRun(original.id, {}, { tasks: ['check'], noReset: ['prepare'] })).rejects.toThrow(
      `cannot re-run tasks: execution ${original.id} - --no-reset prepare: only a task given to --tasks can keep its items (--tasks check)`,
    );
    const { execution: running } = await functions.runtime.store.create({
      action: 'st2_examples.orquesta-test-rerun',
      runner: 'orquesta',
      parameters: {},
      secretParameters: [],
    });
    await expect(service.reRun(running.id, {}, { tasks: ['check'] })).rejects.toThrow(
      `cannot re-run tasks: execution ${running.id} - it is requested. Unable to rerun workflow because it is not in a completed state.`,
    );
  });
});
