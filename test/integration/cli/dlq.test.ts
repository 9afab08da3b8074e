// `actionrunner dlq list|show|redrive` against the emulators: messages dead-lettered the two ways they
// are today (a handler's poison message with its reason; SQS's redrive after maxReceiveCount receives),
// and redrives repeated as a crash between send and delete would repeat them, run once.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../../../src/dispatch/runtime.ts';
import { DeadLetterQueues, DeadLetters, queueKinds, redriveBody } from '../../../src/dlq/index.ts';
import { cleanEnv, cli } from '../../e2e/helpers.ts';
import { invoke, receive, toEvent } from '../../helpers/lambda.ts';
import { eventually, useSubstrate } from '../../helpers/substrate.ts';

const substrate = useSubstrate();
let runtime: Runtime;
let dlqs: DeadLetterQueues;
let deadLetters: DeadLetters;
let work: string;
const handler = (event: SQSEvent, context: Context) => runtime.processor.process(event, context);

beforeAll(() => {
  runtime = createRuntime({ config: substrate.config, clients: substrate.clients });
  dlqs = new DeadLetterQueues({ sqs: substrate.clients.sqs, queue: runtime.queue });
  deadLetters = new DeadLetters(dlqs, runtime.store);
  work = mkdtempSync(path.join(tmpdir(), 'ar-dlq-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeEach(() => substrate.purgeQueues());

/** Sends `body` to the actions queue and lets a consumer that never finishes receive it until SQS moves it to the DLQ. */
async function deadLetterBySqs(body: string): Promise<string> {
  const { MessageId } = await substrate.clients.sqs.send(new SendMessageCommand({ QueueUrl: substrate.queueUrls.actions, MessageBody: body }));
  const maxReceiveCount = (await dlqs.info('actions')).maxReceiveCount!;
  for (let i = 0; i < maxReceiveCount; i++) {
    const { Messages = [] } = await substrate.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: substrate.queueUrls.actions, WaitTimeSeconds: 1, VisibilityTimeout: 0 }),
    );
    expect(Messages.map((m) => m.MessageId)).toEqual([MessageId]);
  }
  // The next receive finds it over maxReceiveCount: SQS moves it instead of delivering it.
  expect(await receive(substrate, 'actions', 10, 0)).toEqual([]);
  return MessageId!;
}

/** A core.local execution that appends a line to a file each time it runs, and the file. */
async function appendingExecution(): Promise<{ id: string; file: string }> {
  const file = path.join(work, `runs-${Date.now()}-${Math.random()}`);
  writeFileSync(file, '');
  const { execution } = await runtime.store.create({
    action: 'core.local',
    runner: 'local-shell-cmd',
    parameters: { cmd: `echo ran >> ${file}` },
    secretParameters: [],
  });
  return { id: execution.id, file };
}

const runs = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).length;

/** Delivers every message on the actions queue to the actions handler, in one batch. */
async function deliverAll(): Promise<number> {
  const messages = await receive(substrate, 'actions', 10, 1);
  if (messages.length > 0) await invoke(substrate, 'actions', handler, await toEvent(substrate, 'actions', messages));
  return messages.length;
}

describe('dlq list and show', () => {
  it('shows the reason a handler recorded, without consuming the message', async () => {
    await substrate.clients.sqs.send(new SendMessageCommand({ QueueUrl: substrate.queueUrls.actions, MessageBody: 'not json \u009b31m' }));
    expect(await deliverAll()).toBe(1);
    const first = await deadLetters.list(['actions', 'workflows']);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ movedBy: 'handler', received: 1, executionId: undefined, action: undefined });
    expect(first[0].reason).toMatch(/^malformed message: body is not JSON/);
    expect(first[0].sentAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    // Listed again at once: still there (a list gives back what it read).
    const again = await deadLetters.list(['actions']);
    expect(again.map((view) => view.letter.messageId)).toEqual([first[0].letter.messageId]);
    expect(await deadLetters.list(['workflows'])).toEqual([]);
  });

  it('says when SQS moved a message, with the status and error of the execution it names', async () => {
    const { id } = await appendingExecution();
    await runtime.store.giveUp(id, 'gave up after 5 deliveries: store unreachable', undefined);
    const messageId = await deadLetterBySqs(JSON.stringify({ executionId: id }));
    const view = await deadLetters.show(messageId, queueKinds());
    expect(view).toMatchObject({ movedBy: 'sqs', received: 5, executionId: id, action: 'core.local' });
    expect(view.reason).toBe(`moved by SQS after 5 receives (no reason recorded); execution ${id} failed: gave up after 5 deliveries: store unreachable`);
  });

  it('finds the execution a request message created through its idempotency key', async () => {
    const body = JSON.stringify({ action: 'core.echo', parameters: { message: 'hi' } });
    const messageId = await deadLetterBySqs(body);
    const { execution } = await runtime.store.create({
      action: 'core.echo',
      runner: 'local-shell-cmd',
      parameters: { message: 'hi' },
      secretParameters: [],
      idempotencyKey: `sqs:${messageId}`,
    });
    const view = await deadLetters.show(messageId, ['actions']);
    expect(view.executionId).toBe(execution.id);
    expect(view.reason).toBe(`moved by SQS after 5 receives (no reason recorded); execution ${execution.id} requested`);
  });
});

describe('dlq redrive', () => {
  it('runs a dead-lettered execution once, redriven twice (a crash between send and delete)', async () => {
    const { id, file } = await appendingExecution();
    const messageId = await deadLetterBySqs(JSON.stringify({ executionId: id }));
    const [letter] = await dlqs.scan('actions');
    // The crash: sent back, never deleted; the next redrive sends it again.
    await dlqs.sendBack(letter, redriveBody(letter));
    await dlqs.release([letter]);
    const outcomes = await deadLetters.redrive(['actions'], [messageId]);
    expect(outcomes).toMatchObject([{ messageId, redriven: true }]);
    expect(await dlqs.scan('actions')).toEqual([]);
    // Both copies in one batch: one claims it, the other finds it running and is dropped.
    expect(await deliverAll()).toBe(2);
    await eventually(async () => expect((await runtime.store.get(id))!.status).toBe('succeeded'));
    expect(await deliverAll()).toBe(0);
    expect(runs(file)).toBe(1);
    expect((await runtime.store.get(id))!.attempt).toBe(1);
  });

  it('creates a request once, redriven twice, under the idempotency key of its first delivery', async () => {
    const marker = `m${Date.now()}`;
    const messageId = await deadLetterBySqs(JSON.stringify({ action: 'core.echo', parameters: { message: marker } }));
    const [letter] = await dlqs.scan('actions');
    expect(JSON.parse(redriveBody(letter))).toEqual({ action: 'core.echo', parameters: { message: marker }, idempotencyKey: `sqs:${messageId}` });
    await dlqs.sendBack(letter, redriveBody(letter));
    await dlqs.release([letter]);
    await deadLetters.redrive(['actions'], []);
    await deliverAll();
    expect(await deliverAll()).toBe(0);
    const listed = await runtime.store.list({ limit: 20, action: 'core.echo' });
    const echoes = (await Promise.all(listed.map((e) => runtime.store.get(e.id)))).filter((e) => e!.parameters.message === marker);
    expect(echoes.map((e) => e!.status)).toEqual(['succeeded']);
  });

  it('drops a redriven message whose execution runs elsewhere (a duplicate is retried instead)', async () => {
    const { id, file } = await appendingExecution();
    await runtime.store.claim(id, 'other-runner', 60_000);
    const messageId = await deadLetterBySqs(JSON.stringify({ executionId: id }));
    await deadLetters.redrive(['actions'], [messageId]);
    const [redriven] = await receive(substrate, 'actions', 1);
    expect(redriven.MessageAttributes?.redriveOf?.StringValue).toBe(messageId);
    const response = await invoke(substrate, 'actions', handler, await toEvent(substrate, 'actions', [redriven]));
    expect(response.batchItemFailures).toEqual([]);
    // The same message without the mark is a plain duplicate: it comes back later.
    await substrate.clients.sqs.send(new SendMessageCommand({ QueueUrl: substrate.queueUrls.actions, MessageBody: JSON.stringify({ executionId: id }) }));
    const [duplicate] = await receive(substrate, 'actions', 1);
    await expect(invoke(substrate, 'actions', handler, await toEvent(substrate, 'actions', [duplicate]))).rejects.toThrow(
      /^batch failed: all 1 records - held elsewhere/,
    );
    expect(await runtime.store.get(id)).toMatchObject({ status: 'running', lease: { owner: 'other-runner' } });
    expect(runs(file)).toBe(0);
  });

  it('leaves a message that can never be processed on the DLQ, saying why', async () => {
    await substrate.clients.sqs.send(new SendMessageCommand({ QueueUrl: substrate.queueUrls.actions, MessageBody: '{"nope": 1}' }));
    await deliverAll();
    const [outcome] = await deadLetters.redrive(['actions'], []);
    expect(outcome).toMatchObject({ redriven: false });
    expect(outcome.redriven === false && outcome.reason).toMatch(
      /^not redrivable: message \S+ - its body is no valid message, it would come straight back \(malformed message: expected "executionId" or "action"/,
    );
    expect(await deadLetters.list(['actions'])).toHaveLength(1);
  });
});

describe('the dlq commands', () => {
  const run = (...args: string[]) => cli(work, args, cleanEnv(substrate.env));

  it('list: one row per message with its reason; show --json: the whole message', async () => {
    await substrate.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: substrate.queueUrls.actions, MessageBody: JSON.stringify({ executionId: 'NO-SUCH-ID' }) }),
    );
    await deliverAll();
    const list = await run('dlq', 'list');
    expect(list.code, list.stderr).toBe(0);
    const [header, row, ...rest] = list.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^MESSAGE ID\s+QUEUE\s+EXECUTION\s+ACTION\s+RECEIVED\s+SENT\s+REASON$/);
    expect(rest).toEqual([]);
    expect(row).toMatch(/^\S+\s+actions\s+NO-SUCH-ID\s+-\s+1\s+\S+Z\s+unknown execution: NO-SUCH-ID - no such record in /);
    const messageId = row.split(/\s+/)[0];
    const show = await run('dlq', 'show', messageId, '--json');
    expect(show.code, show.stderr).toBe(0);
    expect(JSON.parse(show.stdout)).toMatchObject({
      message_id: messageId,
      queue: 'actions',
      execution_id: 'NO-SUCH-ID',
      moved_by: 'handler',
      body: JSON.stringify({ executionId: 'NO-SUCH-ID' }),
      message_attributes: { sourceQueue: expect.stringMatching(/-actions$/), error: expect.stringMatching(/^unknown execution/) },
      execution: null,
    });
  });

  it('refuses an unknown message id, an empty DLQ and a queue that is not actions or workflows', async () => {
    const unknown = await run('dlq', 'redrive', 'nope-123');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /^error: unknown message: nope-123 - expected the id of a message on \S+-actions-dlq and \S+-workflows-dlq \(which are empty; see "actionrunner dlq list"\)/,
    );
    const empty = await run('dlq', 'redrive', '--all', '--queue', 'workflows');
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/^error: nothing to redrive: \S+-workflows-dlq - no message is there/);
    const queue = await run('dlq', 'list', '--queue', 'action');
    expect(queue.code).toBe(2);
    expect(queue.stderr).toBe('error: invalid queue: "action" - expected actions or workflows\n');
  });
});
