import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Execution } from '../model/execution.ts';
import { isTerminal } from '../model/status.ts';
import { batchGetItems } from './batch-get.ts';
import { EXECUTIONS_BY_OPEN_INDEX, keyFor, OPEN_SHARDS } from './keys.ts';

/** What a sweep reads of each open execution. */
const OPEN_FIELDS = ['id', 'action', 'runner', 'status', 'lease', 'context', 'start_timestamp', 'swept_at', 'inquiry_expires_at'] as const;
export type OpenExecution = Pick<Execution, (typeof OPEN_FIELDS)[number]>;

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
  const found = (await batchGetItems(
    doc,
    table,
    ids.map((id) => keyFor.execution(id)),
    OPEN_FIELDS,
  )) as OpenExecution[];
  // The index lags the table a little: a record that ended meanwhile is left out.
  return found.filter((execution) => !isTerminal(execution.status));
}
