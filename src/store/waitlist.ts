import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Execution } from '../model/execution.ts';
import { CLAIMABLE_STATUSES } from '../model/status.ts';
import { EXECUTIONS_BY_WAITING_INDEX, keyFor } from './keys.ts';

/**
 * Puts an execution that is waiting already (requested, delayed, or scheduled without a live lease) on the
 * waitlist of `pool`: no status change, no log entry. False when it is not waiting any more.
 */
export async function joinWaitlist(doc: DynamoDBDocumentClient, table: string, id: string, pool: string, now: number): Promise<boolean> {
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: keyFor.execution(id),
        UpdateExpression: 'SET waiting_for = :pool',
        ConditionExpression: `#status IN (${CLAIMABLE_STATUSES.map((_, i) => `:w${i}`).join(', ')}) AND (attribute_not_exists(#lease) OR #lease.#expiresAt < :now)`,
        ExpressionAttributeNames: { '#status': 'status', '#lease': 'lease', '#expiresAt': 'expiresAt' },
        ExpressionAttributeValues: { ':pool': pool, ':now': now, ...Object.fromEntries(CLAIMABLE_STATUSES.map((status, i) => [`:w${i}`, status])) },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** The ids of the first `limit` executions on the waitlist of `pool`, oldest request first (the index lags the table a little). */
export async function waitlistHead(doc: DynamoDBDocumentClient, table: string, pool: string, limit: number): Promise<string[]> {
  const page = await doc.send(
    new QueryCommand({
      TableName: table,
      IndexName: EXECUTIONS_BY_WAITING_INDEX,
      KeyConditionExpression: 'waiting_for = :pool',
      ExpressionAttributeValues: { ':pool': pool },
      Limit: limit,
    }),
  );
  return (page.Items ?? []).map((item) => String(item.id));
}

/**
 * Takes execution `id` off the waitlist of `pool`: the record as it is now, when this call took it off (one
 * waker per waiting execution); undefined when it was not on it any more (woken by another, or claimed).
 */
export async function leaveWaitlist(doc: DynamoDBDocumentClient, table: string, id: string, pool: string): Promise<Execution | undefined> {
  try {
    const { Attributes } = await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: keyFor.execution(id),
        UpdateExpression: 'REMOVE waiting_for',
        ConditionExpression: 'waiting_for = :pool',
        ExpressionAttributeValues: { ':pool': pool },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes as Execution;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}
