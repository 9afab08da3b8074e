import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { OutputRecord, OutputType } from '../model/execution.ts';
import type { OutputSink } from '../runners/types.ts';
import { backoffMs, sleep } from '../shared/timers.ts';
import { splitUtf8 } from '../shared/utf8.ts';
import { expiresAt } from './keys.ts';

export interface OutputWriterOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  executionId: string;
  actionRef: string;
  runnerRef: string;
  /** Largest `data` of one item, in UTF-8 bytes (DynamoDB items stay under 400 KB). @default 65536 */
  chunkBytes?: number;
  /** Output waits at most this long before it is written. @default 250 */
  flushMs?: number;
  /** @default 14 */
  ttlDays?: number;
  /** First sequence number (a retried run continues after the previous attempt's output). @default 0 */
  firstSeq?: number;
}

const BATCH_ITEMS = 25;
/** BatchWriteItem calls in flight at once: chunks may land out of order, so readers stop at a gap (see readOutput). */
const PARALLEL_BATCHES = 2;
const MAX_RETRIES = 8;

/**
 * Buffers an execution's output into chunks and writes them in batches, in order.
 * `write()` waits while more than a few chunks are unwritten, so a fast child is slowed
 * to the store's pace instead of growing memory.
 */
export class OutputWriter implements OutputSink {
  readonly #options: Required<Omit<OutputWriterOptions, 'firstSeq'>>;
  readonly #sealed: OutputRecord[] = [];
  readonly #highWater: number;
  #current: { type: OutputType; parts: string[]; bytes: number } | undefined;
  #seq: number;
  #flushing: Promise<void> | undefined;
  #failure: unknown;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: OutputWriterOptions) {
    this.#options = { chunkBytes: 65536, flushMs: 250, ttlDays: 14, ...options };
    this.#seq = options.firstSeq ?? 0;
    this.#highWater = BATCH_ITEMS * PARALLEL_BATCHES;
  }

  /** Sequence number of the last chunk known to be stored (-1 before the first). */
  get storedUpTo(): number {
    return this.#seq - 1;
  }

  async write(type: OutputType, data: string): Promise<void> {
    if (this.#failure) throw this.#failure;
    if (data === '') return;
    for (const piece of splitUtf8(data, this.#options.chunkBytes)) this.#append(type, piece);
    this.#timer ??= setTimeout(() => this.#flushSoon(), this.#options.flushMs);
    if (this.#sealed.length >= BATCH_ITEMS) this.#flushSoon();
    while (this.#sealed.length >= this.#highWater && this.#flushing) await this.#flushing;
    if (this.#failure) throw this.#failure;
  }

  /** Writes everything still buffered; call once the process has ended. */
  async close(): Promise<void> {
    this.#seal();
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#sealed.length > 0 || this.#flushing) {
      if (this.#failure) throw this.#failure;
      await (this.#flushing ?? this.#flush());
    }
    if (this.#failure) throw this.#failure;
  }

  #append(type: OutputType, piece: string): void {
    const bytes = Buffer.byteLength(piece);
    if (this.#current && (this.#current.type !== type || this.#current.bytes + bytes > this.#options.chunkBytes)) this.#seal();
    this.#current ??= { type, parts: [], bytes: 0 };
    this.#current.parts.push(piece);
    this.#current.bytes += bytes;
  }

  #seal(): void {
    if (!this.#current) return;
    const { executionId, actionRef, runnerRef, ttlDays } = this.#options;
    this.#sealed.push({
      execution_id: executionId,
      seq: this.#seq + this.#sealed.length,
      action_ref: actionRef,
      runner_ref: runnerRef,
      timestamp: new Date().toISOString(),
      output_type: this.#current.type,
      data: this.#current.parts.join(''),
      expires_at: expiresAt(ttlDays),
    });
    this.#current = undefined;
  }

  #flushSoon(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#seal();
    if (!this.#flushing) void this.#flush().catch(() => undefined);
  }

  #flush(): Promise<void> {
    const run = async () => {
      try {
        while (this.#sealed.length > 0) {
          const taken = this.#sealed.slice(0, BATCH_ITEMS * PARALLEL_BATCHES);
          const batches = [];
          for (let start = 0; start < taken.length; start += BATCH_ITEMS) batches.push(taken.slice(start, start + BATCH_ITEMS));
          await Promise.all(batches.map((batch) => this.#writeBatch(batch)));
          this.#sealed.splice(0, taken.length);
          this.#seq += taken.length;
        }
      } catch (error) {
        this.#failure = error;
        throw error;
      } finally {
        this.#flushing = undefined;
      }
    };
    this.#flushing = run();
    return this.#flushing;
  }

  async #writeBatch(records: OutputRecord[]): Promise<void> {
    let pending = records.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > MAX_RETRIES)
        throw new Error(
          `output write failed: execution ${this.#options.executionId} - ${pending.length} chunks still unprocessed after ${MAX_RETRIES} retries`,
        );
      if (attempt > 0) await sleep(backoffMs(attempt, 25, 1000));
      const answer = await this.#options.doc.send(new BatchWriteCommand({ RequestItems: { [this.#options.tableName]: pending } }));
      pending = (answer.UnprocessedItems?.[this.#options.tableName] ?? []) as typeof pending;
    }
  }
}

export interface ReadOutputOptions {
  type?: OutputType;
  /**
   * Only chunks after this sequence number, for tailing. The answer then stops before the first
   * missing sequence number: a chunk written in parallel with an earlier one can land first,
   * and a reader that skipped past the gap would never see the earlier one.
   */
  afterSeq?: number;
}

/** An execution's stored output chunks, in order. */
export async function readOutput(
  doc: DynamoDBDocumentClient,
  tableName: string,
  executionId: string,
  options: ReadOutputOptions = {},
): Promise<OutputRecord[]> {
  const records: OutputRecord[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'execution_id = :id AND seq > :after',
        ExpressionAttributeValues: { ':id': executionId, ':after': options.afterSeq ?? -1 },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    records.push(...((page.Items ?? []) as OutputRecord[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  let contiguous = records;
  if (options.afterSeq !== undefined) {
    const gap = records.findIndex((record, index) => record.seq !== options.afterSeq! + 1 + index);
    if (gap >= 0) contiguous = records.slice(0, gap);
  }
  return options.type ? contiguous.filter((record) => record.output_type === options.type) : contiguous;
}

/** The last stored chunk's sequence number, -1 when there is none (a re-run continues after it). */
export async function lastOutputSeq(doc: DynamoDBDocumentClient, tableName: string, executionId: string): Promise<number> {
  const { Items = [] } = await doc.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'execution_id = :id',
      ExpressionAttributeValues: { ':id': executionId },
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  return Items.length ? Number(Items[0].seq) : -1;
}

export type OutputStoreOptions = Pick<OutputWriterOptions, 'doc' | 'tableName' | 'chunkBytes' | 'flushMs' | 'ttlDays'>;

/** The output table: writers for running actions, reads for the CLI and the API. The only way to it. */
export class OutputStore {
  constructor(private readonly options: OutputStoreOptions) {}

  /** A writer for one run of an action's output (after `firstSeq - 1`, when a re-run continues an abandoned attempt). */
  writer(run: Pick<OutputWriterOptions, 'executionId' | 'actionRef' | 'runnerRef' | 'firstSeq'>): OutputWriter {
    return new OutputWriter({ ...this.options, ...run });
  }

  /** An execution's stored output chunks, in order (see `ReadOutputOptions` for tailing). */
  read(executionId: string, options: ReadOutputOptions = {}): Promise<OutputRecord[]> {
    return readOutput(this.options.doc, this.options.tableName, executionId, options);
  }

  /** The last stored chunk's sequence number, -1 when there is none. */
  lastSeq(executionId: string): Promise<number> {
    return lastOutputSeq(this.options.doc, this.options.tableName, executionId);
  }
}
