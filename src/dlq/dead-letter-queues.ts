import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { QueueKind, WorkQueue } from '../queue/work-queue.ts';

/** One message found on a dead-letter queue, held (invisible to others) until released, redriven or deleted. */
export interface DeadLetter {
  messageId: string;
  /** The work queue it came from (and goes back to on redrive). */
  queue: QueueKind;
  body: string;
  receiptHandle: string;
  /** SQS's own attributes (`SentTimestamp`, `ApproximateReceiveCount`, ...). */
  attributes: Record<string, string>;
  /** String message attributes: `error`, `sourceQueue`, `originalMessageId`, `receiveCount` when a handler put it there. */
  messageAttributes: Record<string, string>;
}

/** Where one work queue's dead letters are, and after how many receives SQS moves a message there. */
export interface DeadLetterQueueInfo {
  queue: QueueKind;
  sourceUrl: string;
  dlqUrl: string;
  dlqName: string;
  /** The source queue's redrive `maxReceiveCount`; undefined when it has no redrive policy. */
  maxReceiveCount: number | undefined;
}

/** How long a scan holds the messages it received before it gives them back (a crashed CLI's hold ends by itself). */
export const HOLD_SECONDS = 30;

/** At most this many messages are read from one dead-letter queue per command. */
export const MAX_SCAN = 1000;

/**
 * The dead-letter queues of the two work queues, read without consuming: SQS has no peek, so a scan
 * receives every message with a short visibility timeout and then makes them visible again at once.
 * Reading counts as a receive (`ApproximateReceiveCount` grows); nothing is deleted unless redriven.
 * @example
 * const dlqs = new DeadLetterQueues({ sqs, queue });
 * const held = await dlqs.scan('actions'); await dlqs.release(held);
 */
export class DeadLetterQueues {
  readonly #sqs: SQSClient;
  readonly #queue: Pick<WorkQueue, 'url'>;
  readonly #info = new Map<QueueKind, Promise<DeadLetterQueueInfo>>();

  constructor(options: { sqs: SQSClient; queue: Pick<WorkQueue, 'url'> }) {
    this.#sqs = options.sqs;
    this.#queue = options.queue;
  }

  /** The DLQ of `queue`: the target of the source queue's redrive policy, else `<queue name>-dlq` (the handlers' convention). */
  info(queue: QueueKind): Promise<DeadLetterQueueInfo> {
    let info = this.#info.get(queue);
    if (!info) {
      info = this.#resolve(queue);
      info.catch(() => this.#info.delete(queue));
      this.#info.set(queue, info);
    }
    return info;
  }

  async #resolve(queue: QueueKind): Promise<DeadLetterQueueInfo> {
    const sourceUrl = await this.#queue.url(queue);
    const { Attributes = {} } = await this.#sqs.send(new GetQueueAttributesCommand({ QueueUrl: sourceUrl, AttributeNames: ['RedrivePolicy'] }));
    const policy = Attributes.RedrivePolicy ? (JSON.parse(Attributes.RedrivePolicy) as { deadLetterTargetArn?: string; maxReceiveCount?: number }) : {};
    const dlqName = policy.deadLetterTargetArn?.split(':').pop() ?? `${sourceUrl.split('/').pop()}-dlq`;
    const { QueueUrl } = await this.#sqs.send(new GetQueueUrlCommand({ QueueName: dlqName }));
    const maxReceiveCount = policy.maxReceiveCount === undefined ? undefined : Number(policy.maxReceiveCount);
    return { queue, sourceUrl, dlqUrl: QueueUrl!, dlqName, maxReceiveCount };
  }

  /** Receives every message of `queue`'s DLQ (up to MAX_SCAN) and holds them for HOLD_SECONDS; `release` gives them back. */
  async scan(queue: QueueKind): Promise<DeadLetter[]> {
    const { dlqUrl } = await this.info(queue);
    const found = new Map<string, DeadLetter>();
    while (found.size < MAX_SCAN) {
      const { Messages = [] } = await this.#sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: dlqUrl,
          MaxNumberOfMessages: 10,
          // Long polling asks every SQS server: a short poll may answer "empty" while messages remain.
          WaitTimeSeconds: 1,
          VisibilityTimeout: HOLD_SECONDS,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) break;
      for (const message of Messages) found.set(message.MessageId!, deadLetterOf(queue, message));
    }
    return [...found.values()].sort((a, b) => Number(a.attributes.SentTimestamp ?? 0) - Number(b.attributes.SentTimestamp ?? 0));
  }

  /** Makes held messages visible again at once (what a scan took, it gives back). */
  async release(letters: readonly DeadLetter[]): Promise<void> {
    for (const queue of new Set(letters.map((letter) => letter.queue))) {
      const { dlqUrl } = await this.info(queue);
      const mine = letters.filter((letter) => letter.queue === queue);
      for (let start = 0; start < mine.length; start += 10) {
        const Entries = mine
          .slice(start, start + 10)
          .map((letter, index) => ({ Id: String(index), ReceiptHandle: letter.receiptHandle, VisibilityTimeout: 0 }));
        // A message not given back reappears by itself after HOLD_SECONDS: nothing is lost.
        await this.#sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: dlqUrl, Entries })).catch(() => undefined);
      }
    }
  }

  /** Sends `body` to the letter's source queue, marked as a redrive of it (`redriveOf` attribute). */
  async sendBack(letter: DeadLetter, body: string): Promise<string> {
    const { sourceUrl } = await this.info(letter.queue);
    const { MessageId } = await this.#sqs.send(
      new SendMessageCommand({
        QueueUrl: sourceUrl,
        MessageBody: body,
        MessageAttributes: { redriveOf: { DataType: 'String', StringValue: letter.messageId } },
      }),
    );
    return MessageId!;
  }

  /** Deletes the letter from its DLQ (after it was sent back). */
  async delete(letter: DeadLetter): Promise<void> {
    const { dlqUrl } = await this.info(letter.queue);
    await this.#sqs.send(new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: letter.receiptHandle }));
  }
}

function deadLetterOf(queue: QueueKind, message: Message): DeadLetter {
  const messageAttributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) if (value.StringValue !== undefined) messageAttributes[name] = value.StringValue;
  return {
    messageId: message.MessageId!,
    queue,
    body: message.Body ?? '',
    receiptHandle: message.ReceiptHandle!,
    attributes: { ...message.Attributes },
    messageAttributes,
  };
}
