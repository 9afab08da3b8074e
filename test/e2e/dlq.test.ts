// End to end: a message dead-lettered for real by `actionrunner local`, seen with its reason through
// `actionrunner dlq list`, redriven twice, and its action run once.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTarget, type Target } from '../../src/cli/target.ts';
import { DeadLetterQueues, DeadLetters } from '../../src/dlq/index.ts';
import { newExecutionId } from '../../src/store/executions.ts';
import { eventually } from '../helpers/substrate.ts';
import { cleanEnv, cli, startLocal, type LocalProcess } from './helpers.ts';

describe('actionrunner dlq', () => {
  let dir: string;
  let local: LocalProcess;
  let target: Target;
  const run = (...args: string[]) => cli(dir, args, cleanEnv());

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ar-dlq-'));
    local = await startLocal(dir, [], cleanEnv({ ACTIONRUNNER_BATCHING_WINDOW: '0' }));
    target = resolveTarget({ cwd: dir, env: cleanEnv() });
  });

  afterAll(async () => {
    target?.close();
    await local?.stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists a dead-lettered message with its reason; redriving it twice runs its action once', async () => {
    const { runtime } = target;
    const file = path.join(dir, 'runs.txt');
    writeFileSync(file, '');
    // A producer sends its message (twice: SQS delivers at least once) before its execution record lands.
    const id = newExecutionId();
    const body = JSON.stringify({ executionId: id });
    const queueUrl = await runtime.queue.url('actions');
    for (let i = 0; i < 2; i++) await runtime.clients.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    const dlq = new DeadLetters(new DeadLetterQueues({ sqs: runtime.clients.sqs, queue: runtime.queue }), runtime.store);
    await eventually(async () => expect(await dlq.list(['actions'])).toHaveLength(2), { timeoutMs: 30_000, intervalMs: 500 });

    const list = await run('dlq', 'list');
    expect(list.code, list.stderr).toBe(0);
    const rows = list.stdout.trimEnd().split('\n').slice(1);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row).toMatch(new RegExp(`^\\S+\\s+actions\\s+${id}\\s+-\\s+1\\s+\\S+\\s+unknown execution: ${id} - no such record in `));
    const [first, second] = rows.map((row) => row.split(/\s+/)[0]);

    // The record lands: now the messages can be processed.
    await runtime.store.create({ id, action: 'core.local', runner: 'local-shell-cmd', parameters: { cmd: `echo ran >> ${file}` }, secretParameters: [] });
    const redriven = await run('dlq', 'redrive', first);
    expect(redriven.code, redriven.stderr).toBe(0);
    expect(redriven.stdout).toMatch(new RegExp(`^redriven: ${first} - back on the actions queue as \\S+\\n$`));
    const again = await run('dlq', 'redrive', first);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`error: unknown message: ${first} - expected the id of a message on`);
    const rest = await run('dlq', 'redrive', '--all', '--json');
    expect(rest.code, rest.stderr).toBe(0);
    expect(JSON.parse(rest.stdout)).toMatchObject([{ message_id: second, queue: 'actions', redriven: true }]);

    const done = await eventually(
      async () => {
        const got = await run('execution', 'get', id, '--json');
        const execution = JSON.parse(got.stdout) as { status: string; attempt: number };
        expect(execution.status).toBe('succeeded');
        return execution;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(done.attempt).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe('ran\n');
    const empty = await run('dlq', 'list');
    expect(empty.stdout).toBe('(no dead-lettered messages on the actions and workflows queues)\n');
  });
});
