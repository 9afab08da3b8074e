import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCfnYaml } from './cfn-yaml.ts';
import { ResourceDefinitionError } from './errors.ts';
import { resolveValue } from './variables.ts';

export type AttributeType = 'S' | 'N' | 'B';
export interface KeyAttribute {
  name: string;
  type: AttributeType;
}
/** Partition key and optional sort key of a table or index. */
export interface KeySchema {
  partition: KeyAttribute;
  sort?: KeyAttribute;
}
export interface IndexDefinition {
  name: string;
  keys: KeySchema;
  projection: string;
  /** The attributes an INCLUDE projection copies besides the keys. */
  nonKeyAttributes?: string[];
}
export interface TableDefinition {
  logicalId: string;
  name: string;
  /** Short name, the table name without `<service>-<stage>-` (`executions`, `output`). */
  key: string;
  keys: KeySchema;
  gsis: IndexDefinition[];
  ttlAttribute?: string;
  billingMode: string;
}
export interface DlqDefinition {
  logicalId: string;
  name: string;
  retention?: number;
  maxReceiveCount: number;
}
export interface QueueDefinition {
  logicalId: string;
  name: string;
  /** Short name, the queue name without `<service>-<stage>-` (`actions`, `workflows`). */
  key: string;
  visibilityTimeout?: number;
  retention?: number;
  dlq?: DlqDefinition;
}
/** The AWS resources of one stage, normalized from serverless.yml's `resources`. */
export interface ResourceDefinition {
  service: string;
  stage: string;
  queues: QueueDefinition[];
  tables: TableDefinition[];
}

export interface ResourceDefinitionOptions {
  /** Path of the serverless.yml to read. @default the project's serverless.yml */
  file?: string;
  /** YAML text to read instead of `file`. */
  source?: string;
}

type CfnResource = { Type: string; Properties?: Record<string, unknown> };
type Props = Record<string, unknown>;

/** Where the project's serverless.yml is, relative to this module. */
export const SERVERLESS_FILE = fileURLToPath(new URL('../../serverless.yml', import.meta.url));

/** Reads and parses serverless.yml (CloudFormation tags included), variables unresolved. */
export function readServerlessDocument(options: ResourceDefinitionOptions = {}): Record<string, unknown> {
  const file = options.file ?? SERVERLESS_FILE;
  const source = options.source ?? readFileSync(file, 'utf8');
  const document = parseCfnYaml(source);
  if (!document || typeof document !== 'object') throw new ResourceDefinitionError(`invalid serverless.yml: ${file} - not a mapping`);
  return document as Record<string, unknown>;
}

function num(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new ResourceDefinitionError(`invalid number: ${what} - got ${JSON.stringify(value)}`);
  return n;
}

function str(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new ResourceDefinitionError(`invalid name: ${what} - expected a string, got ${JSON.stringify(value)}`);
  return value;
}

function keySchema(schema: unknown, attributes: Map<string, AttributeType>, what: string): KeySchema {
  const entries = (schema ?? []) as { AttributeName: string; KeyType: string }[];
  const attribute = (keyType: string): KeyAttribute | undefined => {
    const entry = entries.find((e) => e.KeyType === keyType);
    if (!entry) return undefined;
    const type = attributes.get(entry.AttributeName);
    if (!type) throw new ResourceDefinitionError(`undefined key attribute: ${what} - ${entry.AttributeName} is not in AttributeDefinitions`);
    return { name: entry.AttributeName, type };
  };
  const partition = attribute('HASH');
  if (!partition) throw new ResourceDefinitionError(`missing partition key: ${what}`);
  const sort = attribute('RANGE');
  return sort ? { partition, sort } : { partition };
}

function shortName(name: string, prefix: string): string {
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

function table(logicalId: string, p: Props, prefix: string): TableDefinition {
  const attributes = new Map(
    ((p.AttributeDefinitions ?? []) as { AttributeName: string; AttributeType: AttributeType }[]).map((a) => [a.AttributeName, a.AttributeType]),
  );
  const name = str(p.TableName, `${logicalId}.TableName`);
  const ttl = p.TimeToLiveSpecification as { AttributeName?: string; Enabled?: boolean } | undefined;
  const gsis = ((p.GlobalSecondaryIndexes ?? []) as Props[]).map((index) => ({
    name: str(index.IndexName, `${logicalId}.GlobalSecondaryIndexes.IndexName`),
    keys: keySchema(index.KeySchema, attributes, `${logicalId}/${String(index.IndexName)}`),
    projection: String((index.Projection as Props | undefined)?.ProjectionType ?? 'ALL'),
    ...((index.Projection as Props | undefined)?.NonKeyAttributes
      ? { nonKeyAttributes: ((index.Projection as Props).NonKeyAttributes as unknown[]).map(String) }
      : {}),
  }));
  return {
    logicalId,
    name,
    key: shortName(name, prefix),
    keys: keySchema(p.KeySchema, attributes, logicalId),
    gsis,
    ...(ttl?.Enabled && ttl.AttributeName ? { ttlAttribute: ttl.AttributeName } : {}),
    billingMode: String(p.BillingMode ?? 'PROVISIONED'),
  };
}

function getAttTarget(value: unknown): string | undefined {
  const getAtt = (value as { 'Fn::GetAtt'?: unknown } | undefined)?.['Fn::GetAtt'];
  return Array.isArray(getAtt) && getAtt[1] === 'Arn' ? String(getAtt[0]) : undefined;
}

/**
 * Reads serverless.yml's `resources` for `stage` into queues (each with its DLQ) and tables.
 * @example resourceDefinition('dev').queues.map((q) => q.name) // ['lambda-actionrunner-dev-workflows', ...]
 */
export function resourceDefinition(stage: string, options: ResourceDefinitionOptions = {}): ResourceDefinition {
  if (!/^[A-Za-z0-9-]+$/.test(stage)) throw new ResourceDefinitionError(`invalid stage: "${stage}" - expected letters, digits and dashes`);
  const document = readServerlessDocument(options);
  const ctx = { document, stage };
  const service = str(resolveValue(document.service, ctx), 'service');
  const resources = resolveValue((document.resources as Props | undefined)?.Resources ?? {}, ctx) as Record<string, CfnResource>;
  const prefix = `${service}-${stage}-`;
  const sqs = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::SQS::Queue');
  const dlqIds = new Set<string>();
  const queues: QueueDefinition[] = [];
  for (const [logicalId, r] of sqs) {
    const p = r.Properties ?? {};
    const name = str(p.QueueName, `${logicalId}.QueueName`);
    const queue: QueueDefinition = {
      logicalId,
      name,
      key: shortName(name, prefix),
      visibilityTimeout: num(p.VisibilityTimeout, `${logicalId}.VisibilityTimeout`),
      retention: num(p.MessageRetentionPeriod, `${logicalId}.MessageRetentionPeriod`),
    };
    const redrive = p.RedrivePolicy as Props | undefined;
    if (redrive) {
      const target = getAttTarget(redrive.deadLetterTargetArn);
      const dlq = target ? resources[target] : undefined;
      if (!target || dlq?.Type !== 'AWS::SQS::Queue') {
        throw new ResourceDefinitionError(`invalid RedrivePolicy: ${logicalId} - deadLetterTargetArn must be !GetAtt <Queue>.Arn of a queue in resources`);
      }
      dlqIds.add(target);
      const dp = dlq.Properties ?? {};
      queue.dlq = {
        logicalId: target,
        name: str(dp.QueueName, `${target}.QueueName`),
        retention: num(dp.MessageRetentionPeriod, `${target}.MessageRetentionPeriod`),
        maxReceiveCount: num(redrive.maxReceiveCount, `${logicalId}.RedrivePolicy.maxReceiveCount`) ?? 0,
      };
    }
    queues.push(queue);
  }
  const tables = Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::DynamoDB::Table')
    .map(([logicalId, r]) => table(logicalId, r.Properties ?? {}, prefix));
  return { service, stage, queues: queues.filter((q) => !dlqIds.has(q.logicalId)), tables };
}
