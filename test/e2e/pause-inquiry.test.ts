// End to end, through `actionrunner local` and the CLI: pause and resume (`execution pause|resume`) and inquiries
// (`inquiry list|get|respond`) on st2's example workflows (test/fixtures/packs/st2_control), with the statuses
// st2's integration tests expect (test_wiring_pause_and_resume.py, test_wiring_inquiry.py).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, cli, cliJson, startLocal, type LocalProcess } from './helpers.ts';

const PACKS = fileURLToPath(new URL('../fixtures/packs', import.meta.url));

describe('pause, resume and inquiries under actionrunner local', () => {
  let dir: string;
  let local: LocalProcess;
  const env = () => cleanEnv({ ACTIONRUNNER_PACKS_PATH: PACKS });
  const run = (...args: string[]) => cli(dir, args, env());
  const json = (...args: string[]) => cliJson(dir, args, env());
  const start = async (ref: string, ...parameters: string[]): Promise<string> => (await json('run', ref, ...parameters, '--async')).id;
  /** Polls `execution get` (bounded) until the execution is in `status`. */
  const waitFor = async (id: string, status: string, timeoutMs = 45_000) => {
    const until = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < until) {
      const current = await json('execution', 'get', id);
      if (current.status === status) return current;
      last = current.status;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    throw new Error(`execution ${id}: still ${last} after ${timeoutMs} ms, expected ${status}`);
  };
  /** The task executions of workflow `id` named `task`, once one is in `status`. */
  const waitForTask = async (id: string, task: string, status: string, timeoutMs = 45_000) => {
    const until = Date.now() + timeoutMs;
    let tasks: Array<{ id: string; status: string; context: { task?: string } }> = [];
    while (Date.now() < until) {
      tasks = (await json('execution', 'get', id, '--show-tasks')).tasks;
      const found = tasks.find((child) => child.context.task === task && child.status === status);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    throw new Error(`workflow ${id}: no task ${task} ${status}; tasks ${JSON.stringify(tasks.map((child) => [child.context.task, child.status]))}`);
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ar-pause-'));
    local = await startLocal(dir, [], cleanEnv({ ACTIONRUNNER_PACKS_PATH: PACKS, ACTIONRUNNER_BATCHING_WINDOW: '0' }));
  });

  afterAll(async () => {
    await local?.stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('execution pause: pausing while task1 runs, paused once it ends; execution resume: succeeded', async () => {
    const file = path.join(dir, 'wait-1');
    writeFileSync(file, '');
    const id = await start('st2_control.orquesta-test-pause', `tempfile=${file}`);
    await waitForTask(id, 'task1', 'running');
    const paused = await run('execution', 'pause', id);
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout.trim()).toBe(`execution ${id}: pausing`);
    expect((await json('execution', 'get', id)).status).toBe('pausing');
    rmSync(file);
    await waitFor(id, 'paused');
    expect((await json('execution', 'get', id, '--show-tasks')).tasks.map((task: { context: { task: string } }) => task.context.task)).toEqual(['task1']);
    expect((await run('execution', 'resume', id)).stdout.trim()).toBe(`execution ${id}: resuming`);
    await waitFor(id, 'succeeded');
    expect((await waitForTask(id, 'task2', 'succeeded')) as unknown as { result: { stdout: string } }).toMatchObject({
      result: { stdout: `${file} is deleted.` },
    });
  });

  it('pause of a sub-workflow pauses its parent once nothing else runs; resuming the parent finishes both', async () => {
    const file = path.join(dir, 'wait-2');
    writeFileSync(file, '');
    const id = await start('st2_control.orquesta-test-pause-subworkflow', `tempfile=${file}`);
    const sub = await waitForTask(id, 'task1', 'running');
    await run('execution', 'pause', id);
    await waitFor(sub.id, 'pausing');
    rmSync(file);
    await waitFor(sub.id, 'paused');
    await waitFor(id, 'paused');
    await run('execution', 'resume', id);
    await waitFor(sub.id, 'succeeded');
    await waitFor(id, 'succeeded');
  });

  it('refuses to pause an execution that ended, saying why (exit 1)', async () => {
    const echo = await json('run', 'core.echo', 'message=hi');
    const refused = await run('execution', 'pause', echo.id);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/already ended: execution \w+ - it is succeeded, there is nothing to pause/);
  });

  it('inquiry (orquesta-ask-basic): paused at the pending inquiry; list, get, a refused response, then an accepted one', async () => {
    const id = await start('st2_control.orquesta-ask-basic');
    await waitFor(id, 'paused');
    const ask = await waitForTask(id, 'get_approval', 'pending');
    const listed = await json('inquiry', 'list');
    expect(listed.find((inquiry: { id: string }) => inquiry.id === ask.id)).toMatchObject({ parent: id, ttl: 1440, roles: [], users: [], route: '' });
    const shown = await run('inquiry', 'get', ask.id);
    expect(shown.stdout).toContain('"approved"');
    const wrong = await run('inquiry', 'respond', ask.id, '-r', '{"approved": "yes"}');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/error: invalid response: inquiry \w+ - \/approved: must be boolean; got \{"approved":"yes"\}/);
    const notJson = await run('inquiry', 'respond', ask.id, '-r', 'yes');
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/invalid --response: expected a JSON object such as/);
    const accepted = await run('inquiry', 'respond', ask.id, '-r', '{"approved": true}');
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.stdout.trim()).toBe(`inquiry ${ask.id}: response accepted (succeeded)`);
    await waitFor(id, 'succeeded');
  });

  it('inquiries (orquesta-ask-consecutive): paused again at the second inquiry, succeeded once both are answered', async () => {
    const id = await start('st2_control.orquesta-ask-consecutive');
    await waitFor(id, 'paused');
    await run('inquiry', 'respond', (await waitForTask(id, 'get_approval', 'pending')).id, '-r', '{"approved": true}');
    const second = await waitForTask(id, 'get_confirmation', 'pending');
    await waitFor(id, 'paused');
    await run('inquiry', 'respond', second.id, '-r', '{"approved": true}');
    await waitFor(id, 'succeeded');
  });

  it('inquiries (orquesta-ask-parallel): still paused after the first answer, succeeded after the second', async () => {
    const id = await start('st2_control.orquesta-ask-parallel');
    await waitFor(id, 'paused');
    await run('inquiry', 'respond', (await waitForTask(id, 'ask_jack', 'pending')).id, '-r', '{"approved": true}');
    await waitForTask(id, 'ask_jack', 'succeeded');
    await waitFor(id, 'paused');
    await run('inquiry', 'respond', (await waitForTask(id, 'ask_jill', 'pending')).id, '-r', '{"approved": true}');
    await waitFor(id, 'succeeded');
  });

  it('inquiries (orquesta_ask_multiple_parameters): the answer is published to the next tasks', async () => {
    const id = await start('st2_control.orquesta_ask_multiple_parameters');
    await waitFor(id, 'paused');
    const ask = await waitForTask(id, 'get_approval', 'pending');
    await run('inquiry', 'respond', ask.id, '-r', '{"approved": true, "department_id": 12}');
    await waitFor(id, 'succeeded');
    const finish = await waitForTask(id, 'finish', 'succeeded');
    expect((finish as unknown as { result: { stdout: string } }).result.stdout).toBe('Approved by department 12. Automation completed.');
  });

  it('inquiries (orquesta-ask-nested): the sub-workflow and its parent pause; one answer finishes both', async () => {
    const id = await start('st2_control.orquesta-ask-nested');
    await waitFor(id, 'paused');
    const sub = await waitForTask(id, 'get_approval', 'paused');
    await run('inquiry', 'respond', (await waitForTask(sub.id, 'get_approval', 'pending')).id, '-r', '{"approved": true}');
    await waitFor(sub.id, 'succeeded');
    await waitFor(id, 'succeeded');
  });
});
