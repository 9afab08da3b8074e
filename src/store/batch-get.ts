import { BatchGetCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { backoffMs, sleep } from '../shared/timers.ts';

/** BatchGetItem takes at most this many keys. */
const BATCH_KEYS = 100;

/**
 * The items of `table` under `keys`, read consistently, 100 keys a request; keys DynamoDB left
 * unprocessed (throttled) are asked again with backoff. Items come back in no particular order; a key
 * with no item is simply absent. `fields`: only these attributes.
 */
export async function batchGetItems(
  doc: DynamoDBDocumentClient,
  table: string,
  keys: Record<string, unknown>[],
  fields?: readonly string[],
): Promise<Record<string, unknown>[]> {
  const projection = fields && {
    ProjectionExpression: fields.map((_, index) => `#f${index}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(fields.map((field, index) => [`#f${index}`, field])),
  };
  const found: Record<string, unknown>[] = [];
  for (let at = 0; at < keys.length; at += BATCH_KEYS) {
    let pending: Record<string, unknown>[] | undefined = keys.slice(at, at + BATCH_KEYS);
    for (let round = 0; pending?.length; round++) {
      if (round > 0) await sleep(backoffMs(round, 50, 1000)); // unprocessed keys: throttled, back off
      const page: BatchGetCommandOutput = await doc.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true, ...projection } } }),
      );
      found.push(...(page.Responses?.[table] ?? []));
      pending = page.UnprocessedKeys?.[table]?.Keys;
    }
  }
  return found;
}
