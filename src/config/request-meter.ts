// Which AWS requests a set of clients sends, as IAM names them: what a function's role must allow
// (the package test checks each role against them) and what an execution costs (the bench counts them).
import type { InitializeMiddleware, MetadataBearer } from '@smithy/types';
import type { AwsClients } from './clients.ts';

/** One request as IAM sees it: `dynamodb:PutItem` on a table (or `table/index/name`), `sqs:SendMessage` on a queue. */
export interface AwsRequest {
  /** e.g. `dynamodb:UpdateItem`, `sqs:SendMessage` (batch calls under the action IAM checks: SendMessageBatch is sqs:SendMessage). */
  action: string;
  /** Table names (with `/index/NAME` for an index) or queue names. */
  resources: string[];
}

// The SQS batch calls are authorized as their single-message action.
const SQS_ACTION: Record<string, string> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

// A transaction is authorized per item, by the action that item performs.
const TRANSACT_ACTION: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
  Get: 'GetItem',
};

type Input = Record<string, unknown>;

function queueName(url: unknown): string[] {
  return typeof url === 'string' ? [url.slice(url.lastIndexOf('/') + 1)] : [];
}

/** The IAM requests one SDK call makes. */
export function iamRequests(service: 'sqs' | 'dynamodb', operation: string, input: Input): AwsRequest[] {
  if (service === 'sqs') {
    const resources = operation === 'GetQueueUrl' ? [String(input.QueueName)] : queueName(input.QueueUrl);
    return [{ action: `sqs:${SQS_ACTION[operation] ?? operation}`, resources }];
  }
  const table = (name: unknown, index?: unknown) => (index ? `${String(name)}/index/${String(index)}` : String(name));
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    const items = (input.TransactItems as Input[] | undefined) ?? [];
    const perItem = items.flatMap((item) =>
      Object.entries(item).map(([kind, body]) => ({ action: `dynamodb:${TRANSACT_ACTION[kind] ?? kind}`, resources: [table((body as Input).TableName)] })),
    );
    return [{ action: `dynamodb:${operation}`, resources: [...new Set(perItem.flatMap((r) => r.resources))] }, ...perItem];
  }
  if (operation === 'BatchWriteItem' || operation === 'BatchGetItem')
    return [{ action: `dynamodb:${operation}`, resources: Object.keys((input.RequestItems as Input | undefined) ?? {}) }];
  return [{ action: `dynamodb:${operation}`, resources: [table(input.TableName, input.IndexName)] }];
}

/** Calls `listener` with every request `clients` send from now on (before it is sent, so refused ones count too). */
export function meterRequests(clients: Pick<AwsClients, 'sqs' | 'dynamodb'>, listener: (request: AwsRequest) => void): void {
  const meter =
    (service: 'sqs' | 'dynamodb'): InitializeMiddleware<object, MetadataBearer> =>
    (next, context) =>
    (args) => {
      const operation = String(context.commandName).replace(/Command$/, '');
      for (const request of iamRequests(service, operation, args.input as Input)) listener(request);
      return next(args);
    };
  clients.sqs.middlewareStack.add(meter('sqs'), { step: 'initialize', name: 'actionrunnerRequestMeter' });
  clients.dynamodb.middlewareStack.add(meter('dynamodb'), { step: 'initialize', name: 'actionrunnerRequestMeter' });
}
