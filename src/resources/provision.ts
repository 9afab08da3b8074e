import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { AttributeDefinition, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { resourceDefinition } from './definition.ts';
import type { KeySchema, QueueDefinition, ResourceDefinition, TableDefinition } from './definition.ts';
import { ResourceProvisionError } from './errors.ts';
import { sleep } from '../shared/timers.ts';

/** Queue URLs of a stage: each queue by its short name, and its DLQ as `<name>Dlq`. */
export type QueueUrls = Record<'actions' | 'workflows' | 'actionsDlq' | 'workflowsDlq', string> & Record<string, string>;
/** Table names of a stage by short name. */
export type TableNames = Record<'executions' | 'output', string> & Record<string, string>;
export interface CreatedResources {
  definition: ResourceDefinition;
  queueUrls: QueueUrls;
  tableNames: TableNames;
}
export interface ProvisionOptions {
  /** Longest wait for a table (and its indexes) to become ACTIVE. @default 300000 */
  tableTimeoutMs?: number;
}

type Clients = { sqs: SQSClient; dynamodb: DynamoDBClient };

function errorName(error: unknown): string {
  return (error as { name?: string })?.name ?? '';
}

function keyElements(keys: KeySchema) {
  return [
    { AttributeName: keys.partition.name, KeyType: 'HASH' as const },
    ...(keys.sort ? [{ AttributeName: keys.sort.name, KeyType: 'RANGE' as const }] : []),
  ];
}

function attributeDefinitions(table: TableDefinition): AttributeDefinition[] {
  const all = new Map<string, string>();
  for (const keys of [table.keys, ...table.gsis.map((g) => g.keys)]) {
    all.set(keys.partition.name, keys.partition.type);
    if (keys.sort) all.set(keys.sort.name, keys.sort.type);
  }
  return [...all].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType: AttributeType as 'S' | 'N' | 'B' }));
}

async function waitActive(client: DynamoDBClient, name: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 2000)) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    const indexes = Table?.GlobalSecondaryIndexes ?? [];
    if (Table?.TableStatus === 'ACTIVE' && indexes.every((i) => i.IndexStatus === undefined || i.IndexStatus === 'ACTIVE')) return;
    if (Date.now() + delay > deadline) {
      throw new ResourceProvisionError(`table not active: ${name} - still ${Table?.TableStatus} after ${timeoutMs} ms`);
    }
    await sleep(delay);
  }
}

function indexDefinition(gsi: TableDefinition['gsis'][number]) {
  return {
    IndexName: gsi.name,
    KeySchema: keyElements(gsi.keys),
    Projection: { ProjectionType: gsi.projection as 'ALL' | 'KEYS_ONLY' | 'INCLUDE', NonKeyAttributes: gsi.nonKeyAttributes },
  };
}

async function createTable(client: DynamoDBClient, table: TableDefinition, timeoutMs: number): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: table.name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attributeDefinitions(table),
        KeySchema: keyElements(table.keys),
        ...(table.gsis.length > 0 && { GlobalSecondaryIndexes: table.gsis.map(indexDefinition) }),
      }),
    );
  } catch (error) {
    if (errorName(error) !== 'ResourceInUseException') throw error;
    await addMissingIndexes(client, table, timeoutMs);
  }
  await waitActive(client, table.name, timeoutMs);
  if (!table.ttlAttribute) return;
  const { TimeToLiveDescription: ttl } = await client.send(new DescribeTimeToLiveCommand({ TableName: table.name }));
  const enabled = ttl?.TimeToLiveStatus === 'ENABLED' || ttl?.TimeToLiveStatus === 'ENABLING';
  if (enabled && ttl?.AttributeName === table.ttlAttribute) return;
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: table.name,
      TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
    }),
  );
}

/** A table kept from an earlier release (`--data-dir`) gets the indexes added since, one at a time as DynamoDB allows. */
async function addMissingIndexes(client: DynamoDBClient, table: TableDefinition, timeoutMs: number): Promise<void> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: table.name }));
  const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  for (const gsi of table.gsis.filter((index) => !present.has(index.name))) {
    await waitActive(client, table.name, timeoutMs);
    await client.send(
      new UpdateTableCommand({
        TableName: table.name,
        AttributeDefinitions: attributeDefinitions(table),
        GlobalSecondaryIndexUpdates: [{ Create: indexDefinition(gsi) }],
      }),
    );
  }
}

async function createQueue(client: SQSClient, name: string, attributes: Record<string, string>): Promise<string> {
  try {
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    if (!QueueUrl) throw new ResourceProvisionError(`queue not created: ${name} - no QueueUrl returned`);
    return QueueUrl;
  } catch (error) {
    // The queue exists with other attributes: converge them instead of failing.
    if (!['QueueNameExists', 'QueueAlreadyExists'].includes(errorName(error))) throw error;
    const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: name }));
    await client.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: attributes }));
    return QueueUrl!;
  }
}

function stringAttributes(values: Record<string, number | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, String(v)]),
  );
}

async function createQueuePair(client: SQSClient, queue: QueueDefinition, urls: Record<string, string>): Promise<void> {
  const attributes = stringAttributes({ VisibilityTimeout: queue.visibilityTimeout, MessageRetentionPeriod: queue.retention });
  if (queue.dlq) {
    const dlqUrl = await createQueue(client, queue.dlq.name, stringAttributes({ MessageRetentionPeriod: queue.dlq.retention }));
    const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));
    attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: queue.dlq.maxReceiveCount });
    urls[`${queue.key}Dlq`] = dlqUrl;
  }
  urls[queue.key] = await createQueue(client, queue.name, attributes);
}

function definitionOf(stageOrDefinition: string | ResourceDefinition): ResourceDefinition {
  return typeof stageOrDefinition === 'string' ? resourceDefinition(stageOrDefinition) : stageOrDefinition;
}

/**
 * Creates a stage's queues (with DLQ and redrive) and tables (ACTIVE, TTL on) as serverless.yml defines them.
 * Idempotent: existing resources are kept (queue attributes are converged).
 * @example const { queueUrls, tableNames } = await createResources(createClients(config), config.stage);
 */
export async function createResources(
  clients: Clients,
  stageOrDefinition: string | ResourceDefinition,
  options: ProvisionOptions = {},
): Promise<CreatedResources> {
  const definition = definitionOf(stageOrDefinition);
  const urls: Record<string, string> = {};
  await Promise.all([
    ...definition.tables.map((table) => createTable(clients.dynamodb, table, options.tableTimeoutMs ?? 300_000)),
    ...definition.queues.map((queue) => createQueuePair(clients.sqs, queue, urls)),
  ]);
  const tableNames = Object.fromEntries(definition.tables.map((t) => [t.key, t.name]));
  for (const required of ['actions', 'workflows', 'actionsDlq', 'workflowsDlq']) {
    if (!urls[required]) throw new ResourceProvisionError(`missing queue: ${required} - serverless.yml defines no such queue`);
  }
  return { definition, queueUrls: urls as QueueUrls, tableNames: tableNames as TableNames };
}

async function ignoring<T>(names: string[], work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    if (names.includes(errorName(error))) return undefined;
    throw error;
  }
}

/** Deletes a stage's queues, DLQs and tables; missing ones are skipped. For tests and throwaway stages. */
export async function deleteResources(clients: Clients, stageOrDefinition: string | ResourceDefinition): Promise<void> {
  const definition = definitionOf(stageOrDefinition);
  const queueNames = definition.queues.flatMap((q) => [q.name, ...(q.dlq ? [q.dlq.name] : [])]);
  const missingQueue = ['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue'];
  await Promise.all([
    ...definition.tables.map((t) => ignoring(['ResourceNotFoundException'], () => clients.dynamodb.send(new DeleteTableCommand({ TableName: t.name })))),
    ...queueNames.map((name) =>
      ignoring(missingQueue, async () => {
        const { QueueUrl } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: name }));
        await clients.sqs.send(new DeleteQueueCommand({ QueueUrl }));
      }),
    ),
  ]);
}
