import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand, GetCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { maskDeep, secretValuesOf } from '../model/mask.ts';
import { keyFor } from './keys.ts';
import { backoffMs, sleep } from '../shared/timers.ts';

const PROJECTION = { ProjectionExpression: '#p, #s, #c', ExpressionAttributeNames: { '#p': 'parameters', '#s': 'secretParameters', '#c': 'workflow_children' } };

/**
 * The secret values an execution's stored result and error must not hold: those of its own secret
 * parameters, and for a workflow those of its tasks' executions (a task's secret can flow into the
 * workflow's output or errors).
 */
export async function storedSecrets(doc: DynamoDBDocumentClient, table: string, id: string): Promise<string[]> {
  const { Item } = await doc.send(new GetCommand({ TableName: table, Key: keyFor.execution(id), ConsistentRead: true, ...PROJECTION }));
  if (!Item) return [];
  const secrets = new Set(secretValuesOf(Item.parameters, Item.secretParameters));
  const children = [...new Set(Object.values((Item.workflow_children ?? {}) as Record<string, string>))];
  for (let at = 0; at < children.length; at += 100) {
    let keys: Record<string, unknown>[] | undefined = children.slice(at, at + 100).map((child) => keyFor.execution(child));
    // Unprocessed keys (throttling) are asked for again: a secret left out would be stored.
    for (let round = 0; keys && keys.length > 0; round++) {
      if (round > 0) await sleep(backoffMs(Math.min(round, 6), 50));
      const page: BatchGetCommandOutput = await doc.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true, ...PROJECTION } } }));
      for (const child of page.Responses?.[table] ?? []) for (const value of secretValuesOf(child.parameters, child.secretParameters)) secrets.add(value);
      keys = page.UnprocessedKeys?.[table]?.Keys;
    }
  }
  return [...secrets];
}

/** `set` and `reason` of a write with `result`, `error` and the reason masked. */
export function maskWrite<T extends Record<string, unknown>>(set: T, reason: string | undefined, secrets: readonly string[]): { set: T; reason: string | undefined } {
  const masked: Record<string, unknown> = { ...set };
  for (const field of ['result', 'error']) if (masked[field] !== undefined && masked[field] !== null) masked[field] = maskDeep(masked[field], secrets);
  return { set: masked as T, reason: reason === undefined ? undefined : maskDeep(reason, secrets) };
}
