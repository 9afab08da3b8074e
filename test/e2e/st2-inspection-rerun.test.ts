// End to end, through `actionrunner local` and the CLI: our equivalents of st2's inspection and
// re-run examples (test/fixtures/packs/st2_examples) with what st2's integration tests expect
// (st2tests/integration/orquesta/test_wiring_error_handling.py, test_wiring_rerun.py).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAIL_INSPECTION_RESULT, TASK_CONTENTS_RESULT } from '../fixtures/st2-inspection-results.ts';
import { cleanEnv, cli, startLocal, type LocalProcess } from './helpers.ts';

const PACKS = fileURLToPath(new URL('../fixtures/packs', import.meta.url));

describe('st2 inspection and re-run examples under actionrunner local', () => {
  let dir: string;
  let local: LocalProcess;
  const run = (...args: string[]) => cli(dir, args, cleanEnv({ ACTIONRUNNER_PACKS_PATH: PACKS }));

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ar-inspect-'));
    local = await startLocal(dir, [], cleanEnv({ ACTIONRUNNER_PACKS_PATH: PACKS, ACTIONRUNNER_BATCHING_WINDOW: '0' }));
  });

  afterAll(async () => {
    await local?.stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('a workflow with problems fails at start with one error per problem (test_inspection_error)', async () => {
    const result = await run('run', 'st2_examples.orquesta-fail-inspection', '--json');
    expect(result.code).toBe(1);
    const doc = JSON.parse(result.stdout);
    expect(doc.status).toBe('failed');
    expect(doc.result).toEqual(FAIL_INSPECTION_RESULT);
  });

  it('task contents: malformed ref, unregistered action, missing and unexpected input (test_task_content_errors)', async () => {
    const result = await run('run', 'st2_examples.orquesta-fail-inspection-task-contents', '--json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).result).toEqual(TASK_CONTENTS_RESULT);
  });

  it('re-runs a failed workflow from a task: a new execution that succeeds without running the tasks before it (test_rerun_task)', async () => {
    const file = path.join(dir, 'code');
    writeFileSync(file, '1');
    const failed = await run('run', 'st2_examples.orquesta-test-rerun', `tempfile=${file}`, '--json');
    expect(failed.code).toBe(1);
    const original = JSON.parse(failed.stdout);
    writeFileSync(file, '0');
    const again = await run('execution', 're-run', original.id, '--tasks', 'check', '--json');
    expect(again.code, again.stderr).toBe(0);
    const doc = JSON.parse(again.stdout);
    expect(doc.id).not.toBe(original.id);
    expect(doc.status).toBe('succeeded');
    expect(doc.result).toEqual({ output: { prepared_by: 'prepare' } });
    expect(doc.context['re-run']).toEqual({ ref: original.id, tasks: ['check'], reset: ['check'] });
  });

  it('re-runs only the failed items of a with-items task with --no-reset (test_rerun_and_resume_with_items_task)', async () => {
    const file = path.join(dir, 'items-code');
    writeFileSync(file, '1');
    const original = JSON.parse((await run('run', 'st2_examples.orquesta-test-rerun-with-items', `tempfile=${file}`, '--json')).stdout);
    expect(original.status).toBe('failed');
    writeFileSync(file, '0');
    const again = await run('execution', 're-run', original.id, '--tasks', 'each', '--no-reset', 'each', '--json');
    expect(again.code, again.stderr).toBe(0);
    const doc = JSON.parse(again.stdout);
    expect(doc.context['re-run']).toEqual({ ref: original.id, tasks: ['each'], reset: [] });
    const children = JSON.parse((await run('execution', 'list', '--parent', doc.id, '--json')).stdout) as Array<{ context: { itemIndex: number } }>;
    expect(children.map((child) => child.context.itemIndex).sort()).toEqual([1, 3]);
  });

  it('refuses a task the workflow does not have, and one that never ran, saying why (exit 2)', async () => {
    const file = path.join(dir, 'code-refused');
    writeFileSync(file, '1');
    const original = JSON.parse((await run('run', 'st2_examples.orquesta-test-rerun', `tempfile=${file}`, '--json')).stdout);
    const unknown = await run('execution', 're-run', original.id, '--tasks', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toBe(
      `error: cannot re-run tasks: execution ${original.id} - st2_examples.orquesta-test-rerun has no task "nope" (its tasks: prepare, check, finish)`,
    );
    const never = await run('execution', 're-run', original.id, '--tasks', 'finish');
    expect(never.code).toBe(2);
    expect(never.stderr).toContain("Unable to rerun task|route(s) because it doesn't exist or isn't rerunnable: finish|0");
  });
});
