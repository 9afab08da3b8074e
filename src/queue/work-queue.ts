import { ChangeMessageVisibilityBatchCommand, GetQueueUrlCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../config/index.ts';
import type { OutgoingMessage } from './messages.ts';

export type QueueKind = 'actions' | 'workflows';

/** Some messages of a visibility change were refused: which ones (their message ids) and why (SQS's error codes). */
export class VisibilityNotChangedError extends Error {
  override name = 'VisibilityNotChangedError';
  constructor(
    message: string,
    readonly refused: ReadonlyArray<{ messageId: string; code: string }>,
  ) {
    super(message);
  }
}

export interface WorkQueueOptions {
  sqs: SQSClient;
  /** Queue URLs, when known; otherwise resolved once by name. */
  urls?: Partial<Record<QueueKind, string>>;
  names: Record<QueueKind, string>;
}

/** The work queues of a stage as its config names them. */
export function workQueueFor(
  config: Pick<Config, 'actionsQueueUrl' | 'workflowsQueueUrl' | 'actionsQueueName' | 'workflowsQueueName'>,
  sqs: SQSClient,
): WorkQueue {
  return new WorkQueue({
    sqs,
    urls: { actions: config.actionsQueueUrl, workflows: config.workflowsQueueUrl },
    names: { actions: config.actionsQueueName, workflows: config.workflowsQueueName },
  });
}

/** Sends messages to the two work queues. */
export class WorkQueue {
  readonly #sqs: SQSClient;
  readonly #names: Record<QueueKind, string>;
  readonly #urls = new Map<QueueKind, Promise<string>>();
  readonly #byName = new Map<string, Promise<string>>();

  constructor(options: WorkQueueOptions) {
    this.#sqs = options.sqs;
    this.#names = options.names;
    for (const [kind, url] of Object.entries(options.urls ?? {})) if (url) this.#urls.set(kind as QueueKind, Promise.resolve(url));
  }

  url(kind: QueueKind): Promise<string> {
    let url = this.#urls.get(kind);
    if (!url) {
      url = this.#sqs.send(new GetQueueUrlCommand({ QueueName: this.#names[kind] })).then((answer) => answer.QueueUrl!);
      url.catch(() => this.#urls.delete(kind));
      this.#urls.set(kind, url);
    }
    return url;
  }

  /**
   * Makes received messages (of one queue) visible again after `seconds`: a failed record's retry, or the in-flight lease of a batch.
   * @throws VisibilityNotChangedError naming the messages SQS refused, after changing the others.
   */
  async retryAfter(records: readonly { messageId: string; receiptHandle: string; eventSourceARN: string }[], seconds: number): Promise<void> {
    if (records.length === 0) return;
    const QueueUrl = await this.#urlOf(records[0].eventSourceARN);
    const VisibilityTimeout = Math.min(43_200, Math.round(seconds));
    const refused: Array<{ messageId: string; code: string; text?: string }> = [];
    for (let start = 0; start < records.length; start += 10) {
      const entries = records.slice(start, start + 10).map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle, VisibilityTimeout }));
      const { Failed = [] } = await this.#sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl, Entries: entries }));
      refused.push(
        ...Failed.map((entry) => ({ messageId: records[start + Number(entry.Id)]?.messageId ?? '?', code: entry.Code ?? '?', text: entry.Message })),
      );
    }
    if (refused.length > 0)
      throw new VisibilityNotChangedError(
        `visibility not changed: ${refused.length} of ${records.length} messages - ${refused.map((entry) => `${entry.messageId} ${entry.code}: ${entry.text}`).join('; ')}`,
        refused,
      );
  }

  /** The URL of the queue an event source ARN names (resolved once). */
  #urlOf(arn: string): Promise<string> {
    const name = arn.split(':').pop()!;
    const kind = (Object.keys(this.#names) as QueueKind[]).find((candidate) => this.#names[candidate] === name);
    if (kind) return this.url(kind);
    let url = this.#byName.get(name);
    if (!url) {
      url = this.#sqs.send(new GetQueueUrlCommand({ QueueName: name })).then((answer) => answer.QueueUrl!);
      url.catch(() => this.#byName.delete(name));
      this.#byName.set(name, url);
    }
    return url;
  }

  /**
   * Moves a message that can never be processed to its queue's dead-letter queue
   * (`<queue>-dlq`, as serverless.yml names it), with the reason as a message attribute (and where it
   * came from, and how many times it had been received: what `actionrunner dlq list` shows).
   */
  async deadLetter(
    record: { body: string; messageId: string; eventSourceARN: string; attributes?: { ApproximateReceiveCount?: string } },
    reason: string,
  ): Promise<void> {
    const source = record.eventSourceARN.split(':').pop()!;
    const QueueUrl = await this.#urlOf(`${record.eventSourceARN}-dlq`);
    await this.#sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: record.body === '' ? '(empty body)' : record.body,
        MessageAttributes: {
          error: { DataType: 'String', StringValue: reason.slice(0, 4000) },
          sourceQueue: { DataType: 'String', StringValue: source },
          originalMessageId: { DataType: 'String', StringValue: record.messageId },
          receiveCount: { DataType: 'Number', StringValue: record.attributes?.ApproximateReceiveCount ?? '1' },
        },
      }),
    );
  }

  /**
   * Sends one JSON message; `delaySeconds` is capped at SQS's 900 (callers re-send what must wait longer).
   * `attributes` become string message attributes.
   */
  async send(kind: QueueKind, message: OutgoingMessage, delaySeconds = 0, attributes: Record<string, string> = {}): Promise<void> {
    const entries = Object.entries(attributes);
    await this.#sqs.send(
      new SendMessageCommand({
        QueueUrl: await this.url(kind),
        MessageBody: JSON.stringify({ version: 1, ...message }),
        DelaySeconds: Math.min(900, Math.max(0, Math.round(delaySeconds))),
        ...(entries.length > 0
          ? { MessageAttributes: Object.fromEntries(entries.map(([name, value]) => [name, { DataType: 'String', StringValue: value }])) }
          : {}),
      }),
    );
  }
}
