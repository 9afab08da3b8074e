import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { Execution } from '../model/execution.ts';
import { maskDeep, secretValuesOf } from '../model/mask.ts';
import { EXECUTIONS_BY_PARENT_INDEX, keyFor } from './keys.ts';

const NAMES = { '#p': 'parameters', '#s': 'secretParameters' };

/**
 * The secret values an execution's stored result and error must not hold: those of its own secret
 * parameters, and for a workflow those of its tasks' executions (a task's secret can flow into the
 * workflow's output or errors), found through the byParent index. `own`: the execution's parameters and
 * secret names when the caller has its record (then only its tasks are read).
 */
export async function storedSecrets(
  doc: DynamoDBDocumentClient,
  table: string,
  id: string,
  own?: Pick<Execution, 'parameters' | 'secretParameters'>,
): Promise<string[]> {
  // Parameters never change once recorded: a caller that holds the record needs no read of them.
  const Item =
    own ??
    (
      await doc.send(
        new GetCommand({ TableName: table, Key: keyFor.execution(id), ConsistentRead: true, ProjectionExpression: '#p, #s', ExpressionAttributeNames: NAMES }),
      )
    ).Item;
  if (!Item) return [];
  const secrets = new Set(secretValuesOf(Item.parameters, Item.secretParameters));
  let startKey: Record<string, unknown> | undefined;
  do {
    const page: QueryCommandOutput = await doc.send(
      new QueryCommand({
        TableName: table,
        IndexName: EXECUTIONS_BY_PARENT_INDEX,
        KeyConditionExpression: '#parent = :id',
        // Only the children that have secrets come back.
        FilterExpression: 'size(#s) > :none',
        ProjectionExpression: '#p, #s',
        ExpressionAttributeNames: { ...NAMES, '#parent': 'parent' },
        ExpressionAttributeValues: { ':id': id, ':none': 0 },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const child of page.Items ?? []) for (const value of secretValuesOf(child.parameters, child.secretParameters)) secrets.add(value);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return [...secrets];
}

/** `set` and `reason` of a write with `result`, `error` and the reason masked. */
export function maskWrite<T extends Record<string, unknown>>(
  set: T,
  reason: string | undefined,
  secrets: readonly string[],
): { set: T; reason: string | undefined } {
  const masked: Record<string, unknown> = { ...set };
  for (const field of ['result', 'error']) if (masked[field] !== undefined && masked[field] !== null) masked[field] = maskDeep(masked[field], secrets);
  return { set: masked as T, reason: reason === undefined ? undefined : maskDeep(reason, secrets) };
}
