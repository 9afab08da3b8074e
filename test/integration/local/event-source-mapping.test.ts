// The event source mapping emulator against the real SQS emulator, with small handlers standing in for the functions.
import { randomBytes } from 'node:crypto';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { EventSourceMapping, type EventSourceMappingOptions, type SqsHandler } from '../../../src/local/event-source-mapping.ts';
import { createLogger } from '../../../src/log/index.ts';
import { eventually } from '../../helpers/substrate.ts';

const log = createLogger({ test: 'esm' }, 'error');
let sqs: SQSClient;
const queues: string[] = [];
let mapping: EventSourceMapping | undefined;

beforeAll(() => {
  sqs = new SQSClient({ region: 'us-east-1', endpoint: inject('sqsEndpoint'), credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
});
afterEach(async () => {
  await mapping?.stop();
  await mapping?.drained();
  mapping = undefined;
});
afterAll(async () => {
  await Promise.all(queues.map((QueueUrl) => sqs.send(new DeleteQueueCommand({ QueueUrl })).catch(() => undefined)));
  sqs.destroy();
});

/** A queue with a short visibility timeout (1 s by default) and a DLQ after `maxReceiveCount` receives. */
async function queuePair(maxReceiveCount = 2, visibilityTimeout = 1): Promise<{ url: string; dlq: string }> {
  const name = `esm-${randomBytes(4).toString('hex')}`;
  const { QueueUrl: dlq } = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }));
  const { QueueUrl: url } = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(visibilityTimeout),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes!.QueueArn, maxReceiveCount }),
      },
    }),
  );
  queues.push(url!, dlq!);
  return { url: url!, dlq: dlq! };
}

async function send(url: string, bodies: string[]): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: bodies.slice(i, i + 10).map((body, j) => ({ Id: String(j), MessageBody: body })) }));
  }
}

async function count(url: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return Number(Attributes!.ApproximateNumberOfMessages) + Number(Attributes!.ApproximateNumberOfMessagesNotVisible);
}

async function start(url: string, handler: SqsHandler, options: Partial<EventSourceMappingOptions> = {}): Promise<EventSourceMapping> {
  mapping = new EventSourceMapping({ sqs, queueUrl: url, functionName: 'test', handler, log, pollWaitSeconds: 1, ...options });
  await mapping.start();
  return mapping;
}

/** Bodies seen by the handler, with how many times each was delivered. */
function recorder(respond: (event: SQSEvent) => unknown) {
  const seen: SQSRecord[] = [];
  const handler: SqsHandler = async (event) => {
    seen.push(...event.Records);
    return respond(event);
  };
  return { seen, handler, deliveries: (body: string) => seen.filter((r) => r.body === body).length };
}

describe('EventSourceMapping', () => {
  it('delivers full SQS records and deletes the batch on success', async () => {
    const { url } = await queuePair();
    await sqs.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'hello', MessageAttributes: { kind: { DataType: 'String', StringValue: 'greeting' } } }),
    );
    let remaining = -1;
    const rec = recorder(() => undefined);
    await start(
      url,
      async (event, context) => {
        remaining = context.getRemainingTimeInMillis();
        return rec.handler(event, context);
      },
      { functionTimeoutMs: 30_000 },
    );
    await eventually(async () => expect(await count(url)).toBe(0));
    const [record] = rec.seen;
    expect(record).toMatchObject({
      body: 'hello',
      eventSource: 'aws:sqs',
      awsRegion: 'us-east-1',
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: { kind: { stringValue: 'greeting', dataType: 'String' } },
    });
    expect(record.eventSourceARN).toMatch(/^arn:aws:sqs:.*:esm-/);
    expect(record.md5OfBody).toMatch(/^[0-9a-f]{32}$/);
    expect(remaining).toBeGreaterThan(25_000);
    expect(remaining).toBeLessThanOrEqual(30_000);
  });

  it('deletes only the records not reported in batchItemFailures; the failed one comes back', async () => {
    const { url } = await queuePair(5);
    await send(url, ['ok-1', 'bad', 'ok-2']);
    const rec = recorder((event) => ({
      batchItemFailures: event.Records.filter((r) => r.body === 'bad' && r.attributes.ApproximateReceiveCount === '1').map((r) => ({
        itemIdentifier: r.messageId,
      })),
    }));
    await start(url, rec.handler, { batchSize: 3 });
    await eventually(async () => expect(await count(url)).toBe(0), { timeoutMs: 8000 });
    expect(rec.deliveries('ok-1')).toBe(1);
    expect(rec.deliveries('ok-2')).toBe(1);
    expect(rec.seen.filter((r) => r.body === 'bad').map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
  });

  it.each([
    ['an unknown itemIdentifier', { batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] }],
    ['an empty itemIdentifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a null itemIdentifier', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['a thrown error', new Error('boom')],
  ])('redelivers the whole batch for %s', async (_name, outcome) => {
    const { url } = await queuePair(5);
    await send(url, ['x', 'y']);
    // Every first delivery fails its whole batch, so each message comes exactly twice however SQS splits them.
    const rec = recorder((event) => {
      if (!event.Records.some((r) => r.attributes.ApproximateReceiveCount === '1')) return undefined;
      if (outcome instanceof Error) throw outcome;
      return outcome;
    });
    const started = await start(url, rec.handler, { batchSize: 2 });
    await eventually(async () => expect(await count(url)).toBe(0), { timeoutMs: 8000 });
    expect(rec.seen.map((r) => `${r.body}:${r.attributes.ApproximateReceiveCount}`).sort()).toEqual(['x:1', 'x:2', 'y:1', 'y:2']);
    expect(started.metrics.failedInvocations).toBeGreaterThanOrEqual(1);
  });

  it('enforces the function timeout: the batch is redelivered, the slot held until the handler settles', async () => {
    const { url } = await queuePair(5);
    await send(url, ['slow']);
    let calls = 0;
    const started = await start(
      url,
      async () => {
        calls += 1;
        if (calls === 1) await new Promise((resolve) => setTimeout(resolve, 600));
      },
      { functionTimeoutMs: 200 },
    );
    await eventually(async () => expect(await count(url)).toBe(0), { timeoutMs: 8000 });
    expect(calls).toBe(2);
    expect(started.metrics.timedOutInvocations).toBe(1);
  });

  it('never runs more invocations at once than maxConcurrency, and reaches it', async () => {
    const { url } = await queuePair(5);
    await send(
      url,
      Array.from({ length: 24 }, (_, i) => `m${i}`),
    );
    let active = 0;
    let peak = 0;
    const started = await start(
      url,
      async () => {
        active += 1;
        peak = Math.max(peak, active);
        await new Promise((resolve) => setTimeout(resolve, 100));
        active -= 1;
      },
      { maxConcurrency: 3, batchSize: 2 },
    );
    await eventually(async () => expect(await count(url)).toBe(0), { timeoutMs: 10_000 });
    expect(peak).toBe(3);
    expect(started.metrics.peakInFlight).toBe(3);
  });

  it('gathers a batch within the batching window', async () => {
    const { url } = await queuePair(5, 5);
    const sizes: number[] = [];
    await start(url, async (event) => void sizes.push(event.Records.length), { batchSize: 5, maximumBatchingWindowSeconds: 1 });
    await send(url, ['a']);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await send(url, ['b', 'c']);
    await eventually(() => expect(sizes.reduce((a, b) => a + b, 0)).toBe(3), { timeoutMs: 5000 });
    expect(sizes).toEqual([3]);
  });

  it('after maxReceiveCount failed deliveries the message is in the DLQ and the last-delivery hook ran', async () => {
    const { url, dlq } = await queuePair(2);
    await send(url, ['{"executionId":"E1"}']);
    const reasons: string[] = [];
    await start(
      url,
      async () => {
        throw new Error('always');
      },
      { onLastDeliveryFailed: async (_record, reason) => void reasons.push(reason) },
    );
    const moved = await eventually(
      async () => {
        const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, WaitTimeSeconds: 1, AttributeNames: ['All'] }));
        expect(Messages).toHaveLength(1);
        return Messages[0];
      },
      { timeoutMs: 10_000 },
    );
    expect(moved.Body).toBe('{"executionId":"E1"}');
    expect(reasons).toEqual(['moved to the dead-letter queue after 2 deliveries: function error: Error: always']);
  });

  it('long-polls an idle queue even when options are given as undefined (as the local runtime passes them), never busy-polls', async () => {
    const { url } = await queuePair();
    // A client of its own that notes the wait of every receive; it still talks to the real emulator.
    const watched = new SQSClient({ region: 'us-east-1', endpoint: inject('sqsEndpoint'), credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const waits: Array<number | undefined> = [];
    watched.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { MaxNumberOfMessages?: number; WaitTimeSeconds?: number };
        if (input.MaxNumberOfMessages !== undefined) waits.push(input.WaitTimeSeconds);
        return next(args);
      },
      { step: 'initialize' },
    );
    try {
      await start(url, async () => ({}), { sqs: watched, pollWaitSeconds: undefined, maximumBatchingWindowSeconds: undefined, batchSize: undefined });
      await eventually(() => expect(waits.length).toBeGreaterThan(0), { timeoutMs: 5_000 });
      // One receive that waits up to 20 s on the empty queue; a short poll (no WaitTimeSeconds) would be followed by many more.
      expect(waits).toEqual([20]);
    } finally {
      await mapping?.stop();
      watched.destroy();
    }
  });
});
