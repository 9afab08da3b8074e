import { BatchGetCommand, QueryCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Execution } from '../model/execution.ts';
import { isTerminal } from '../model/status.ts';
import { backoffMs, sleep } from '../shared/timers.ts';
import { EXECUTIONS_BY_OPEN_INDEX, keyFor, OPEN_SHARDS } from './keys.ts';

/** What a sweep reads of each open execution. */
const OPEN_FIELDS = ['id', 'action', 'runner', 'status', 'lease', 'context', 'start_timestamp', 'swept_at', 'inquiry_expires_at'] as const;
export type OpenExecution = Pick<Execution, (typeof OPEN_FIELDS)[number]>;

/** BatchGetItem takes at most this many keys. */
const BATCH_KEYS = 100;

/** The ids in every partition of the sparse byOpen index (keys only), then those records' sweep fields. */
export async function listOpenExecutions(doc: DynamoDBDocumentClient, table: string): Promise<OpenExecution[]> {
  const ids: string[] = [];
  for (let shard = 0; shard < OPEN_SHARDS; shard++) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new QueryCommand({
          TableName: table,
          IndexName: EXECUTIONS_BY_OPEN_INDEX,
          KeyConditionExpression: '#open = :shard',
          ExpressionAttributeNames: { '#open': 'open' },
          ExpressionAttributeValues: { ':shard': `open#${shard}` },
          ExclusiveStartKey: startKey,
        }),
      );
      ids.push(...(page.Items ?? []).map((item) => String(item.id)));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
  const found: OpenExecution[] = [];
  for (let at = 0; at < ids.length; at += BATCH_KEYS) {
    let keys: Record<string, unknown>[] | undefined = ids.slice(at, at + BATCH_KEYS).map((id) => keyFor.execution(id));
    for (let round = 0; keys?.length; round++) {
      if (round > 0) await sleep(backoffMs(round, 50, 1000)); // unprocessed keys: throttled, back off
      const page: BatchGetCommandOutput = await doc.send(
        new BatchGetCommand({
          RequestItems: {
            [table]: {
              Keys: keys,
              ConsistentRead: true,
              ProjectionExpression: OPEN_FIELDS.map((_, index) => `#f${index}`).join(', '),
              ExpressionAttributeNames: Object.fromEntries(OPEN_FIELDS.map((field, index) => [`#f${index}`, field])),
            },
          },
        }),
      );
      found.push(...((page.Responses?.[table] ?? []) as OpenExecution[]));
      keys = page.UnprocessedKeys?.[table]?.Keys;
    }
  }
  // The index lags the table a little: a record that ended meanwhile is left out.
  return found.filter((execution) => !isTerminal(execution.status));
}
