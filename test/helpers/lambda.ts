// Delivers real SQS messages from the emulator to a handler, as the Lambda event source mapping would.
import { DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createLambdaContext } from '../../src/local/lambda-context.ts';
import { toSqsRecord } from '../../src/local/sqs-event.ts';
import type { Substrate } from './substrate.ts';

export type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
type QueueName = 'actions' | 'workflows' | 'actionsDlq' | 'workflowsDlq';

/** Receives up to `max` messages (waiting up to `waitSeconds` for the first). */
export async function receive(substrate: Substrate, queue: QueueName, max = 10, waitSeconds = 2): Promise<Message[]> {
  const { Messages = [] } = await substrate.clients.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: substrate.queueUrls[queue],
      MaxNumberOfMessages: max,
      WaitTimeSeconds: waitSeconds,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  return Messages;
}

export async function queueArn(substrate: Substrate, queue: QueueName): Promise<string> {
  const { Attributes } = await substrate.clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: substrate.queueUrls[queue], AttributeNames: ['QueueArn'] }),
  );
  return Attributes!.QueueArn!;
}

export async function toEvent(substrate: Substrate, queue: QueueName, messages: Message[]): Promise<SQSEvent> {
  const arn = await queueArn(substrate, queue);
  return { Records: messages.map((message) => toSqsRecord(message, arn, substrate.config.region)) };
}

/** Invokes `handler` with `event` and deletes the records it did not report as failed. */
export async function invoke(substrate: Substrate, queue: QueueName, handler: Handler, event: SQSEvent, timeoutMs = 60_000): Promise<SQSBatchResponse> {
  const response = await handler(event, createLambdaContext({ functionName: `test-${queue}`, timeoutMs, region: substrate.config.region }));
  const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
  for (const record of event.Records) {
    if (!failed.has(record.messageId)) {
      await substrate.clients.sqs.send(new DeleteMessageCommand({ QueueUrl: substrate.queueUrls[queue], ReceiptHandle: record.receiptHandle }));
    }
  }
  return response;
}

/** Receives what is on `queue` and hands it to `handler` once. */
export async function deliver(
  substrate: Substrate,
  queue: QueueName,
  handler: Handler,
  timeoutMs?: number,
): Promise<{ event: SQSEvent; response: SQSBatchResponse }> {
  const messages = await receive(substrate, queue);
  if (messages.length === 0) throw new Error(`deliver: no message on the ${queue} queue`);
  const event = await toEvent(substrate, queue, messages);
  return { event, response: await invoke(substrate, queue, handler, event, timeoutMs) };
}
