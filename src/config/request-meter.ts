// Which AWS requests a set of clients sends, as IAM names them: what a function's role must allow
// (the package test checks each role against them) and what an execution costs (the bench counts them).
import type { InitializeMiddleware, MetadataBearer } from '@smithy/types';
import type { AwsClients } from './clients.ts';

/** One request as IAM sees it: `dynamodb:PutItem` on a table (or `table/index/name`), `sqs:SendMessage` on a queue. */
export interface AwsRequest {
  /** e.g. `dynamodb:UpdateItem`, `sqs:SendMessage` (batch calls under the action IAM checks: SendMessageBatch is sqs:SendMessage). */
  action: string;
  /** Table names (with `/index/NAME` for an index), queue names, or the KMS key as the request names it. */
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
export function iamRequests(service: 'sqs' | 'dynamodb' | 'kms', operation: string, input: Input): AwsRequest[] {
  if (service === 'kms') return [{ action: `kms:${operation}`, resources: input.KeyId === undefined ? [] : [String(input.KeyId)] }];
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
export function meterRequests(clients: Pick<AwsClients, 'sqs' | 'dynamodb'> & Partial<Pick<AwsClients, 'kms'>>, listener: (request: AwsRequest) => void): void {
  const meter =
    (service: 'sqs' | 'dynamodb' | 'kms'): InitializeMiddleware<object, MetadataBearer> =>
    (next, context) =>
    (args) => {
      const operation = String(context.commandName).replace(/Command$/, '');
      for (const request of iamRequests(service, operation, args.input as Input)) listener(request);
      return next(args);
    };
  clients.sqs.middlewareStack.add(meter('sqs'), { step: 'initialize', name: 'actionrunnerRequestMeter' });
  clients.dynamodb.middlewareStack.add(meter('dynamodb'), { step: 'initialize', name: 'actionrunnerRequestMeter' });
  clients.kms?.use((kms) => kms.middlewareStack.add(meter('kms'), { step: 'initialize', name: 'actionrunnerRequestMeter' }));
}

/** What one request bills, by kind: DynamoDB read or write request units, or SQS requests (one per started 64 KiB of payload). */
export interface BilledRequest {
  /** e.g. `dynamodb:UpdateItem`, `sqs:SendMessageBatch` (the API call, not its IAM action). */
  operation: string;
  kind: 'read' | 'write' | 'sqs';
  /** Read or write request units DynamoDB reported (`ReturnConsumedCapacity: TOTAL`), or SQS billed requests. */
  units: number;
  /** Messages a ReceiveMessage brought (0: an empty poll). */
  messages?: number;
  /** The `id` of the one item a DynamoDB GetItem, PutItem, UpdateItem or DeleteItem names (an execution's id, `slot#actions#3`, ...). */
  item?: string;
}

const DYNAMODB_READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
const DYNAMODB_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
/** SQS bills every 64 KiB chunk of a request's payload as one request. */
export const SQS_CHUNK_BYTES = 64 * 1024;

type Capacity = { CapacityUnits?: number; ReadCapacityUnits?: number; WriteCapacityUnits?: number };

function sqsPayloadBytes(operation: string, input: Input, output: Input): number {
  const size = (message: Input | undefined, body: string) => {
    let bytes = Buffer.byteLength(String(message?.[body] ?? ''));
    for (const [name, attribute] of Object.entries((message?.MessageAttributes as Record<string, Input> | undefined) ?? {}))
      bytes += Buffer.byteLength(name) + Buffer.byteLength(String(attribute.DataType ?? '')) + Buffer.byteLength(String(attribute.StringValue ?? ''));
    return bytes;
  };
  if (operation === 'SendMessage') return size(input, 'MessageBody');
  if (operation === 'SendMessageBatch') return ((input.Entries as Input[] | undefined) ?? []).reduce((sum, entry) => sum + size(entry, 'MessageBody'), 0);
  if (operation === 'ReceiveMessage') return ((output.Messages as Input[] | undefined) ?? []).reduce((sum, message) => sum + size(message, 'Body'), 0);
  return 0;
}

/**
 * Calls `listener` with what every request `clients` send from now on bills: DynamoDB calls are sent
 * with `ReturnConsumedCapacity: TOTAL` and counted in the units DynamoDB reports (on-demand read and
 * write request units equal them); SQS calls count one request per started 64 KiB of payload.
 * For benchmarks and tests: it changes what is sent.
 * @example meterBilling(runtime.clients, (billed) => bill.push(billed));
 */
export function meterBilling(clients: Pick<AwsClients, 'sqs' | 'dynamodb'>, listener: (billed: BilledRequest) => void): void {
  const sqs: InitializeMiddleware<object, MetadataBearer> = (next, context) => async (args) => {
    const operation = String(context.commandName).replace(/Command$/, '');
    const result = await next(args);
    const bytes = sqsPayloadBytes(operation, args.input as Input, result.output as unknown as Input);
    const messages = operation === 'ReceiveMessage' ? { messages: ((result.output as unknown as Input).Messages as unknown[] | undefined)?.length ?? 0 } : {};
    listener({ operation: `sqs:${operation}`, kind: 'sqs', units: Math.max(1, Math.ceil(bytes / SQS_CHUNK_BYTES)), ...messages });
    return result;
  };
  const dynamodb: InitializeMiddleware<object, MetadataBearer> = (next, context) => async (args) => {
    const operation = String(context.commandName).replace(/Command$/, '');
    const kind = DYNAMODB_READS.has(operation) ? 'read' : DYNAMODB_WRITES.has(operation) ? 'write' : undefined;
    if (!kind) return next(args);
    const result = await next({ ...args, input: { ...(args.input as Input), ReturnConsumedCapacity: 'TOTAL' } });
    const reported = (result.output as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity;
    const units = [reported ?? []].flat().reduce((sum, c) => sum + (c.CapacityUnits ?? (c.ReadCapacityUnits ?? 0) + (c.WriteCapacityUnits ?? 0)), 0);
    const input = args.input as { Key?: { id?: unknown }; Item?: { id?: unknown } };
    const id = input.Key?.id ?? input.Item?.id;
    listener({ operation: `dynamodb:${operation}`, kind, units, ...(typeof id === 'string' ? { item: id } : {}) });
    return result;
  };
  clients.sqs.middlewareStack.add(sqs, { step: 'initialize', name: 'actionrunnerBillingMeter' });
  clients.dynamodb.middlewareStack.add(dynamodb, { step: 'initialize', name: 'actionrunnerBillingMeter' });
}
