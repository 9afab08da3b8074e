import type { SQSRecord } from 'aws-lambda';

/** How the event source mapping judged one invocation: which records to delete, which to leave for redelivery. */
export interface BatchVerdict {
  /** Records whose messages are deleted from the queue. */
  succeeded: SQSRecord[];
  /** Records left on the queue: they reappear after the visibility timeout. */
  failed: SQSRecord[];
  /** Why the whole batch failed, when it did. */
  batchError?: string;
}

export type InvocationOutcome = { kind: 'returned'; response: unknown } | { kind: 'threw'; error: unknown } | { kind: 'timed-out'; timeoutMs: number };

/**
 * Judges an invocation the way Lambda's SQS event source mapping does with `ReportBatchItemFailures`
 * (AWS docs, "Handling errors for an SQS event source"):
 * - a thrown error or a timeout fails the whole batch;
 * - `null`/`undefined`, `{}`, a missing/null/empty `batchItemFailures` list: every record succeeded;
 * - an invalid response (not an object, `batchItemFailures` not an array, an entry without `itemIdentifier`,
 *   a null, empty or unknown `itemIdentifier`): the whole batch failed;
 * - otherwise the listed records failed and every other record succeeded.
 * @example judgeBatch(records, { kind: 'returned', response: { batchItemFailures: [{ itemIdentifier: records[0].messageId }] } })
 */
export function judgeBatch(records: SQSRecord[], outcome: InvocationOutcome): BatchVerdict {
  const wholeBatch = (batchError: string): BatchVerdict => ({ succeeded: [], failed: [...records], batchError });
  if (outcome.kind === 'threw') return wholeBatch(`function error: ${errorText(outcome.error)}`);
  if (outcome.kind === 'timed-out') return wholeBatch(`function timed out: no answer after ${outcome.timeoutMs} ms`);
  const response = outcome.response;
  if (response === undefined || response === null) return { succeeded: [...records], failed: [] };
  if (typeof response !== 'object' || Array.isArray(response))
    return wholeBatch(`invalid response: expected an object with batchItemFailures, got ${preview(response)}`);
  const list = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (list === undefined || list === null) return { succeeded: [...records], failed: [] };
  if (!Array.isArray(list)) return wholeBatch(`invalid response: batchItemFailures must be an array, got ${preview(list)}`);
  const byId = new Map(records.map((record) => [record.messageId, record]));
  const failedIds = new Set<string>();
  for (const entry of list) {
    const id = entry !== null && typeof entry === 'object' ? (entry as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    if (id === undefined || id === null || id === '')
      return wholeBatch(`invalid batchItemFailures entry: itemIdentifier missing, null or empty - got ${preview(entry)}`);
    if (typeof id !== 'string' || !byId.has(id))
      return wholeBatch(`invalid batchItemFailures entry: itemIdentifier ${preview(id)} is not a message of this batch`);
    failedIds.add(id);
  }
  return {
    succeeded: records.filter((record) => !failedIds.has(record.messageId)),
    failed: records.filter((record) => failedIds.has(record.messageId)),
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 120)}...` : text;
}
