// Pause, resume and inquiries (core.ask) on the engine: st2's example workflows (test/fixtures/packs/st2_control)
// driven as st2's integration tests drive them (test_wiring_pause_and_resume.py, test_wiring_inquiry.py),
// through the actions and workflows functions over the SQS emulator and DynamoDB Local.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index.ts';
import type { Execution, ExecutionListing } from '../../src/model/execution.ts';
import type { ExecutionStatus } from '../../src/model/status.ts';
import { InquiryService } from '../../src/request/inquiries.ts';
import { keyFor } from '../../src/store/keys.ts';
import { Sweeper } from '../../src/sweep/sweeper.ts';
import type { WorkflowExecution } from '../../src/workflow/workflow-record.ts';
import { useFunctions } from '../helpers/functions.ts';
import { eventually, useSubstrate } from '../helpers/substrate.ts';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'packs');
const substrate = useSubstrate({ env: { ACTIONRUNNER_PACKS_PATH: fixtures } });
const functions = useFunctions(substrate);
const files = mkdtempSync(join(tmpdir(), 'pause-'));
let fileCount = 0;

/** A file whose deletion lets st2's `orquesta-test-pause` task1 end. */
function tempFile(): string {
  const path = join(files, `f${fileCount++}`);
  writeFileSync(path, '');
  return path;
}

const get = async (id: string) => (await functions.runtime.store.get(id)) as WorkflowExecution;

function waitFor(id: string, status: ExecutionStatus, timeoutMs = 30_000): Promise<WorkflowExecution> {
  return eventually(
    async () => {
      const current = await get(id);
      expect(current.status, `execution ${id} (${current.error ?? ''})`).toBe(status);
      return current;
    },
    { timeoutMs, intervalMs: 100 },
  );
}

/** st2's `_wait_for_task`: the executions of task `name` of workflow `id`, once one is in `status`. */
function waitForTask(id: string, name: string, status: ExecutionStatus, timeoutMs = 30_000): Promise<ExecutionListing> {
  return eventually(
    async () => {
      const tasks = await functions.runtime.store.list({ parent: id, limit: 100 });
      const task = tasks.find((child) => child.context.task === name && child.status === status);
      expect(task, `task ${name} of ${id} ${status}; tasks: ${tasks.map((child) => `${child.context.task}=${child.status}`).join(', ')}`).toBeDefined();
      return task!;
    },
    { timeoutMs, intervalMs: 100 },
  );
}

async function start(action: string, parameters: Record<string, unknown> = {}): Promise<Execution> {
  return (await functions.runtime.service.request({ action, parameters })).execution;
}

const inquiries = () => new InquiryService({ store: functions.runtime.store, queue: functions.runtime.queue, service: functions.runtime.service });

async function tasksOf(id: string): Promise<string[]> {
  return (await functions.runtime.store.list({ parent: id, limit: 100 })).map((child) => String(child.context.task));
}

describe('pause and resume (st2 test_wiring_pause_and_resume)', () => {
  it('pauses: pausing while task1 runs, paused once it ends, task2 held (not created) until resume, then succeeds', async () => {
    const path = tempFile();
    const ex = await start('st2_control.orquesta-test-pause', { tempfile: path });
    await waitForTask(ex.id, 'task1', 'running');
    expect((await functions.runtime.service.pause(ex.id)).status).toBe('pausing');
    await waitFor(ex.id, 'pausing');
    rmSync(path);
    const paused = await waitFor(ex.id, 'paused');
    // Nothing started after the pause: task2 is held on the record, no child exists for it; no lease, no outbox.
    expect(await tasksOf(ex.id)).toEqual(['task1']);
    expect(paused.workflow_held?.map((command) => command.type === 'schedule' && command.taskName)).toEqual(['task2']);
    expect(paused.lease).toBeUndefined();
    expect(paused.workflow_outbox ?? []).toEqual([]);
    expect(paused.log.map((entry) => entry.status)).toEqual(['requested', 'running', 'pausing', 'paused']);
    expect((await functions.runtime.service.resume(ex.id)).status).toBe('resuming');
    const done = await waitFor(ex.id, 'succeeded');
    expect(done.log.map((entry) => entry.status)).toEqual(['requested', 'running', 'pausing', 'paused', 'resuming', 'running', 'succeeded']);
    const task2 = await waitForTask(ex.id, 'task2', 'succeeded');
    expect((task2.result as { stdout: string }).stdout).toBe(`${path} is deleted.`);
  });

  it('refuses to pause what is no running workflow, saying why', async () => {
    const echo = await functions.run('core.echo', { message: 'hi' });
    await expect(functions.runtime.service.pause(echo.id)).rejects.toThrow(
      /cannot pause: execution .* - it is a local-shell-cmd execution of core.echo; only workflows/,
    );
    await expect(functions.runtime.service.resume(echo.id)).rejects.toThrow(/cannot resume: execution .* only workflows \(orquesta\) resume/);
    const path = tempFile();
    const ex = await start('st2_control.orquesta-test-pause', { tempfile: path });
    await waitForTask(ex.id, 'task1', 'running');
    await expect(functions.runtime.service.resume(ex.id)).rejects.toThrow(
      /cannot resume: execution .* - it is running, only a pausing or paused workflow resumes/,
    );
    rmSync(path);
    await waitFor(ex.id, 'succeeded');
    await expect(functions.runtime.service.pause(ex.id)).rejects.toThrow(/cannot pause: execution .* - it is succeeded, only a running workflow pauses/);
  });

  it('cascades a pause to the sub-workflow and a resume back down', async () => {
    const path = tempFile();
    const ex = await start('st2_control.orquesta-test-pause-subworkflow', { tempfile: path });
    await waitFor(ex.id, 'running');
    const tk = await waitForTask(ex.id, 'task1', 'running');
    await functions.runtime.service.pause(ex.id);
    await waitFor(ex.id, 'pausing');
    await waitFor(tk.id, 'pausing');
    rmSync(path);
    await waitFor(tk.id, 'paused');
    await waitFor(ex.id, 'paused');
    await functions.runtime.service.resume(ex.id);
    await waitFor(tk.id, 'succeeded');
    await waitFor(ex.id, 'succeeded');
  });

  it('cascades from the sub-workflow: paused alone, the parent pauses once nothing else runs; resumed alone, the parent resumes', async () => {
    const path = tempFile();
    const ex = await start('st2_control.orquesta-test-pause-subworkflow', { tempfile: path });
    const tk = await waitForTask(ex.id, 'task1', 'running');
    await functions.runtime.service.pause(tk.id);
    await waitFor(tk.id, 'pausing');
    expect((await get(ex.id)).status).toBe('running');
    rmSync(path);
    await waitFor(tk.id, 'paused');
    await waitFor(ex.id, 'paused');
    await functions.runtime.service.resume(tk.id);
    await waitFor(tk.id, 'succeeded');
    await waitFor(ex.id, 'succeeded');
  });

  it('pauses one of two sub-workflows: the parent keeps running until the other ends, then pauses; resuming the sub-workflow finishes all', async () => {
    const [file1, file2] = [tempFile(), tempFile()];
    const ex = await start('st2_control.orquesta-test-pause-subworkflows', { file1, file2 });
    const tk1 = await waitForTask(ex.id, 'task1', 'running');
    const tk2 = await waitForTask(ex.id, 'task2', 'running');
    await functions.runtime.service.pause(tk1.id);
    await waitFor(tk1.id, 'pausing');
    rmSync(file1);
    await waitFor(tk1.id, 'paused');
    expect((await get(ex.id)).status).toBe('running');
    expect((await get(tk2.id)).status).toBe('running');
    rmSync(file2);
    await waitFor(tk2.id, 'succeeded');
    await waitFor(ex.id, 'paused');
    await functions.runtime.service.resume(tk1.id);
    await waitFor(tk1.id, 'succeeded');
    await waitFor(ex.id, 'succeeded');
  });

  it('converges after a crash between pausing and paused: the sweeper wakes a pausing workflow, never a paused one', async () => {
    const path = tempFile();
    const ex = await start('st2_control.orquesta-test-pause', { tempfile: path });
    await waitForTask(ex.id, 'task1', 'running');
    // The pause is recorded but its message is lost (the CLI died after the write).
    await functions.runtime.store.pause(ex.id);
    rmSync(path);
    // task1's end is what the engine hears next: it holds task2 and settles the pause.
    await waitFor(ex.id, 'paused');
    // Died just before the `paused` write: the record says pausing, and no message will come.
    await substrate.clients.doc.send(
      new UpdateCommand({
        TableName: substrate.config.executionsTable,
        Key: keyFor.execution(ex.id),
        UpdateExpression: 'SET #s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': 'pausing' },
      }),
    );
    const { store, queue, service } = functions.runtime;
    const sweeper = new Sweeper({ store, queue, service, log: createLogger({}, 'warn') });
    await sweeper.sweep({ waitingAfterMs: 0 });
    await waitFor(ex.id, 'paused');
    const swept = (await get(ex.id)).swept_at;
    // Paused: nothing polls it, the sweeper leaves it alone.
    await sweeper.sweep({ waitingAfterMs: 0 });
    expect((await get(ex.id)).swept_at).toBe(swept);
    await service.resume(ex.id);
    await waitFor(ex.id, 'succeeded');
  });

  it('cancels a paused workflow: its held tasks never run, it ends canceled', async () => {
    const path = tempFile();
    const ex = await start('st2_control.orquesta-test-pause', { tempfile: path });
    await waitForTask(ex.id, 'task1', 'running');
    await functions.runtime.service.pause(ex.id);
    rmSync(path);
    await waitFor(ex.id, 'paused');
    await functions.runtime.service.cancel(ex.id);
    await waitFor(ex.id, 'canceled');
    const tasks = await functions.runtime.store.list({ parent: ex.id, limit: 100 });
    expect(tasks.map((task) => `${task.context.task}=${task.status}`).sort()).toEqual(['task1=succeeded', 'task2=canceled']);
  });
});

describe('inquiries (st2 test_wiring_inquiry)', () => {
  it('basic: the workflow pauses at the pending inquiry and succeeds once it is answered', async () => {
    const ex = await start('st2_control.orquesta-ask-basic');
    const paused = await waitFor(ex.id, 'paused');
    expect(paused.lease).toBeUndefined();
    const ask = await waitForTask(ex.id, 'get_approval', 'pending');
    const inquiry = await inquiries().get(ask.id);
    expect(inquiry).toMatchObject({ status: 'pending', roles: [], users: [], route: '', ttl: 1440, parent: ex.id });
    expect(inquiry.schema).toMatchObject({ properties: { approved: { type: 'boolean', required: true } } });
    expect((await inquiries().list()).map((found) => found.id)).toContain(ask.id);
    await inquiries().respond(ask.id, { approved: true });
    await waitFor(ex.id, 'succeeded');
    const answered = await get(ask.id);
    expect(answered.result).toMatchObject({ response: { approved: true } });
    expect(await tasksOf(ex.id)).toEqual(['start', 'get_approval', 'finish']);
  });

  it('consecutive: paused again at the second inquiry', async () => {
    const ex = await start('st2_control.orquesta-ask-consecutive');
    await waitFor(ex.id, 'paused');
    const first = await waitForTask(ex.id, 'get_approval', 'pending');
    await inquiries().respond(first.id, { approved: true });
    const second = await waitForTask(ex.id, 'get_confirmation', 'pending');
    await waitFor(ex.id, 'paused');
    await inquiries().respond(second.id, { approved: true });
    await waitFor(ex.id, 'succeeded');
  });

  it('parallel: stays paused while one of two inquiries waits, succeeds when both are answered', async () => {
    const ex = await start('st2_control.orquesta-ask-parallel');
    await waitFor(ex.id, 'paused');
    const jack = await waitForTask(ex.id, 'ask_jack', 'pending');
    const jill = await waitForTask(ex.id, 'ask_jill', 'pending');
    await inquiries().respond(jack.id, { approved: true });
    await waitForTask(ex.id, 'ask_jack', 'succeeded');
    await waitFor(ex.id, 'paused');
    await inquiries().respond(jill.id, { approved: true });
    await waitForTask(ex.id, 'ask_jill', 'succeeded');
    await waitFor(ex.id, 'succeeded');
  });

  it('nested: the sub-workflow and its parent pause; answering resumes both', async () => {
    const ex = await start('st2_control.orquesta-ask-nested');
    await waitFor(ex.id, 'paused');
    const sub = await waitForTask(ex.id, 'get_approval', 'paused');
    const ask = await waitForTask(sub.id, 'get_approval', 'pending');
    await inquiries().respond(ask.id, { approved: true });
    await waitFor(sub.id, 'succeeded');
    await waitFor(ex.id, 'succeeded');
  });

  it('multiple parameters: a response the schema refuses is a clear error; an accepted one is published', async () => {
    const ex = await start('st2_control.orquesta_ask_multiple_parameters');
    await waitFor(ex.id, 'paused');
    const ask = await waitForTask(ex.id, 'get_approval', 'pending');
    expect((await inquiries().get(ask.id)).ttl).toBe(60);
    const refused = await inquiries()
      .respond(ask.id, { approved: 'yes' })
      .then(
        () => 'accepted',
        (error: Error) => error.message,
      );
    expect(refused).toMatch(/^invalid response: inquiry \w+ - .*; got \{"approved":"yes"\}, expected a value of the schema \{/);
    expect(refused).toContain('/approved: must be boolean');
    expect(refused).toContain('(response): missing required property "department_id"');
    expect((await get(ask.id)).status).toBe('pending');
    await inquiries().respond(ask.id, { approved: true, department_id: 7, extra_output: 'hello' });
    await waitFor(ex.id, 'succeeded');
    const finish = await waitForTask(ex.id, 'finish', 'succeeded');
    expect((finish.result as { stdout: string }).stdout).toBe('Approved by department 7. Automation completed.');
    expect(await tasksOf(ex.id)).toContain('echo_extra_message');
  });

  it('a ttl that runs out fails the task (the sweeper times it out); the workflow resumes and takes its failure path', async () => {
    const ex = await start('st2_control.orquesta-ask-basic');
    await waitFor(ex.id, 'paused');
    const ask = await waitForTask(ex.id, 'get_approval', 'pending');
    const { store, queue, service } = functions.runtime;
    const sweeper = new Sweeper({ store, queue, service, log: createLogger({}, 'warn') });
    // Not due yet: the sweeper leaves it waiting.
    await sweeper.sweep({ waitingAfterMs: 0 });
    expect((await get(ask.id)).status).toBe('pending');
    // Its ttl ran out (the clock moved 1440 minutes on).
    await substrate.clients.doc.send(
      new UpdateCommand({
        TableName: substrate.config.executionsTable,
        Key: keyFor.execution(ask.id),
        UpdateExpression: 'SET inquiry_expires_at = :t',
        ExpressionAttributeValues: { ':t': Date.now() - 1000 },
      }),
    );
    await sweeper.sweep({ waitingAfterMs: 0 });
    const expired = await waitFor(ask.id, 'timeout');
    expect(expired.error).toMatch(/inquiry timed out: execution .* - no response within its ttl of 1440 minutes/);
    await waitFor(ex.id, 'failed');
    expect(await tasksOf(ex.id)).toEqual(['start', 'get_approval', 'stop']);
    await expect(inquiries().respond(ask.id, { approved: true })).rejects.toThrow(/inquiry not pending: .* - it is timeout/);
  });
});
