import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Logger } from '../log/index.ts';
import { judgeBatch, type InvocationOutcome } from './batch-response.ts';
import { createLambdaContext } from './lambda-context.ts';
import { toSqsRecord } from './sqs-event.ts';
import { sleep } from '../shared/timers.ts';

/** A Lambda handler for SQS events, as `functions/*.ts` export it. */
export type SqsHandler = (event: SQSEvent, context: Context) => Promise<unknown>;

export interface EventSourceMappingOptions {
  sqs: SQSClient;
  queueUrl: string;
  functionName: string;
  handler: SqsHandler;
  log: Logger;
  /** Records per invocation (1..10000; one receive returns at most 10). @default 10 */
  batchSize?: number;
  /** Seconds to gather records before invoking; 0 invokes as soon as a receive returns messages. @default 0 */
  maximumBatchingWindowSeconds?: number;
  /** Concurrent invocations: min(reserved concurrency, the mapping's maximumConcurrency). @default 1 */
  maxConcurrency?: number;
  /** The function timeout, enforced: an invocation that has not answered by then failed. @default 900000 */
  functionTimeoutMs?: number;
  /** Long-poll wait of one receive, in seconds (stop() interrupts it). @default 20 */
  pollWaitSeconds?: number;
  /** @default 'us-east-1' */
  region?: string;
  /**
   * Called for every record left on the queue on its last delivery (its receive count reached the queue's
   * redrive `maxReceiveCount`): SQS moves it to the DLQ on the next receive. Errors are logged, not thrown.
   */
  onLastDeliveryFailed?: (record: SQSRecord, reason: string) => Promise<void>;
}

/** Counters of one mapping, read live (the demo shows them, the tests check the peak). */
export interface MappingMetrics {
  inFlight: number;
  peakInFlight: number;
  invocations: number;
  failedInvocations: number;
  timedOutInvocations: number;
  received: number;
  deleted: number;
  /** Records left on the queue for redelivery. */
  retried: number;
}

/** `options` without its `undefined` entries. */
export function definedOnly<T extends object>(options: T): T {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as T;
}

/**
 * Emulates Lambda's SQS event source mapping for one queue and one function: long-polls, batches
 * (`batchSize`, `maximumBatchingWindow`), invokes the handler with full SQS records and a counting-down
 * context, caps concurrent invocations, enforces the function timeout, judges partial batch responses
 * as AWS does and deletes only the records that succeeded. Failed records are left alone: they reappear
 * after the visibility timeout and SQS's redrive moves them to the DLQ after `maxReceiveCount` receives.
 * @example
 * const mapping = new EventSourceMapping({ sqs, queueUrl, functionName: 'actions', handler, log, maxConcurrency: 60 });
 * mapping.start(); ... await mapping.stop(); await mapping.drained();
 */
export class EventSourceMapping {
  readonly metrics: MappingMetrics = {
    inFlight: 0,
    peakInFlight: 0,
    invocations: 0,
    failedInvocations: 0,
    timedOutInvocations: 0,
    received: 0,
    deleted: 0,
    retried: 0,
  };
  readonly #o: Required<Omit<EventSourceMappingOptions, 'onLastDeliveryFailed'>> & Pick<EventSourceMappingOptions, 'onLastDeliveryFailed'>;
  readonly #abort = new AbortController();
  readonly #running = new Set<Promise<void>>();
  #slotFreed: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  #queueArn = '';
  #maxReceiveCount = Infinity;

  constructor(options: EventSourceMappingOptions) {
    this.#o = {
      batchSize: 10,
      maximumBatchingWindowSeconds: 0,
      maxConcurrency: 1,
      functionTimeoutMs: 900_000,
      pollWaitSeconds: 20,
      region: 'us-east-1',
      // An option given as `undefined` keeps its default: a spread would let it erase the default, and a
      // receive without WaitTimeSeconds is a short poll, so an idle queue was polled in a busy loop.
      ...definedOnly(options),
    };
    if (this.#o.maxConcurrency < 1) throw new RangeError(`invalid maxConcurrency: ${this.#o.functionName} - expected >= 1, got ${this.#o.maxConcurrency}`);
    if (this.#o.batchSize < 1) throw new RangeError(`invalid batchSize: ${this.#o.functionName} - expected >= 1, got ${this.#o.batchSize}`);
  }

  /** Reads the queue's ARN and redrive policy, then starts polling. */
  async start(): Promise<void> {
    if (this.#loop) return;
    const { Attributes = {} } = await this.#o.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: this.#o.queueUrl, AttributeNames: ['QueueArn', 'RedrivePolicy'] }),
    );
    this.#queueArn = Attributes.QueueArn ?? `arn:aws:sqs:${this.#o.region}:000000000000:${this.#o.queueUrl.split('/').pop()}`;
    if (Attributes.RedrivePolicy)
      this.#maxReceiveCount = Number((JSON.parse(Attributes.RedrivePolicy) as { maxReceiveCount?: number }).maxReceiveCount ?? Infinity);
    this.#loop = this.#poll();
  }

  /** Stops polling (an ongoing long poll is interrupted); invocations in flight go on. */
  async stop(): Promise<void> {
    this.#abort.abort();
    this.#slotFreed?.();
    await this.#loop;
  }

  /** Resolves when no invocation is in flight (handlers that outlived their timeout included). */
  async drained(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  get stopped(): boolean {
    return this.#abort.signal.aborted;
  }

  async #poll(): Promise<void> {
    while (!this.stopped) {
      if (this.metrics.inFlight >= this.#o.maxConcurrency) {
        await new Promise<void>((resolve) => (this.#slotFreed = resolve));
        continue;
      }
      let messages: Message[];
      try {
        messages = await this.#collectBatch();
      } catch (error) {
        if (this.stopped) break;
        this.#o.log.warn('receive failed: retrying', { functionName: this.#o.functionName, error });
        await sleep(500);
        continue;
      }
      if (messages.length > 0) this.#invoke(messages);
    }
  }

  /** One batch: up to `batchSize` messages, gathered for at most the batching window after the first one. */
  async #collectBatch(): Promise<Message[]> {
    const batch = await this.#receive(Math.min(10, this.#o.batchSize), this.#o.pollWaitSeconds);
    const windowEnd = Date.now() + this.#o.maximumBatchingWindowSeconds * 1000;
    while (batch.length > 0 && batch.length < this.#o.batchSize && !this.stopped) {
      const left = windowEnd - Date.now();
      if (left <= 0) break;
      // Whole seconds of long polling, then short polls: a receive is never cut short on our side
      // (SQS may already have taken messages for it, which would then stay invisible).
      const wait = Math.floor(left / 1000);
      const more = await this.#receive(Math.min(10, this.#o.batchSize - batch.length), wait).catch(() => [] as Message[]);
      batch.push(...more);
      if (more.length === 0 && wait === 0) await sleep(Math.min(left, 50));
    }
    return batch;
  }

  async #receive(max: number, waitSeconds: number): Promise<Message[]> {
    const { Messages = [] } = await this.#o.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.#o.queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: waitSeconds,
        AttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: this.#abort.signal },
    );
    return Messages;
  }

  #invoke(messages: Message[]): void {
    this.metrics.received += messages.length;
    this.metrics.inFlight += 1;
    this.metrics.peakInFlight = Math.max(this.metrics.peakInFlight, this.metrics.inFlight);
    this.metrics.invocations += 1;
    const done = this.#runInvocation(messages).finally(() => {
      this.metrics.inFlight -= 1;
      this.#running.delete(done);
      this.#slotFreed?.();
      this.#slotFreed = undefined;
    });
    this.#running.add(done);
  }

  async #runInvocation(messages: Message[]): Promise<void> {
    const { functionName, functionTimeoutMs, log } = this.#o;
    const records = messages.map((message) => toSqsRecord(message, this.#queueArn, this.#o.region));
    const context = createLambdaContext({ functionName, timeoutMs: functionTimeoutMs, region: this.#o.region });
    const started = Date.now();
    // The handler keeps its concurrency slot until it really settles, even after its timeout:
    // an in-process handler cannot be frozen, and its child processes must stay under the cap.
    const settled: Promise<InvocationOutcome> = Promise.resolve()
      .then(() => this.#o.handler({ Records: records }, context))
      .then(
        (response) => ({ kind: 'returned' as const, response }),
        (error: unknown) => ({ kind: 'threw' as const, error }),
      );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<InvocationOutcome>((resolve) => {
      timer = setTimeout(() => resolve({ kind: 'timed-out', timeoutMs: functionTimeoutMs }), functionTimeoutMs);
    });
    const outcome = await Promise.race([settled, timeout]);
    clearTimeout(timer);
    const verdict = judgeBatch(records, outcome);
    const fields = { functionName, requestId: context.awsRequestId, records: records.length, failed: verdict.failed.length, durationMs: Date.now() - started };
    if (verdict.batchError) {
      this.metrics.failedInvocations += 1;
      if (outcome.kind === 'timed-out') this.metrics.timedOutInvocations += 1;
      log.error('invocation failed: whole batch left on the queue', { ...fields, reason: verdict.batchError });
    } else {
      log.debug('invocation done', fields);
    }
    await this.#delete(verdict.succeeded);
    this.metrics.retried += verdict.failed.length;
    await this.#lastDeliveries(verdict.failed, verdict.batchError ?? 'reported in batchItemFailures');
    if (outcome.kind === 'timed-out') {
      const late = await settled;
      log.warn('timed-out invocation ended', { functionName, requestId: context.awsRequestId, outcome: late.kind, durationMs: Date.now() - started });
    }
  }

  async #delete(records: SQSRecord[]): Promise<void> {
    for (let i = 0; i < records.length; i += 10) {
      const chunk = records.slice(i, i + 10);
      try {
        const answer = await this.#o.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.#o.queueUrl,
            Entries: chunk.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
          }),
        );
        this.metrics.deleted += answer.Successful?.length ?? 0;
        if (answer.Failed?.length)
          this.#o.log.warn('delete failed: messages will be redelivered', { functionName: this.#o.functionName, failed: answer.Failed });
      } catch (error) {
        this.#o.log.warn('delete failed: messages will be redelivered', { functionName: this.#o.functionName, error });
      }
    }
  }

  async #lastDeliveries(records: SQSRecord[], reason: string): Promise<void> {
    const hook = this.#o.onLastDeliveryFailed;
    for (const record of records) {
      const count = Number(record.attributes.ApproximateReceiveCount);
      if (count < this.#maxReceiveCount) continue;
      this.#o.log.warn('last delivery failed: the message goes to the dead-letter queue', {
        functionName: this.#o.functionName,
        messageId: record.messageId,
        receiveCount: count,
        reason,
      });
      await hook?.(record, `moved to the dead-letter queue after ${count} deliveries: ${reason}`).catch((error: unknown) =>
        this.#o.log.warn('last-delivery hook failed', { messageId: record.messageId, error }),
      );
    }
  }
}
