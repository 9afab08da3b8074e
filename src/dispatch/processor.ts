import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { setTimeout as delay } from 'node:timers/promises';
import pLimit from 'p-limit';
import type { ExecutionService } from '../request/service.ts';
import { BatchProcessingError, RetryLaterError } from './errors.ts';
import { keepInFlight } from './in-flight.ts';
import { RecordProcessor } from './record-processor.ts';
import type { DispatchDeps } from './types.ts';

/** How long a batch waits at most for the wakes of its freed slots before it returns, ms. */
const WAKE_SETTLE_MS = 2000;

/** Longest retry delay SQS allows (ChangeMessageVisibility), seconds. */
const MAX_RETRY_SECONDS = 900;

/**
 * The buffered dispatcher of one invocation, as its batch sees it: every record is worked on at
 * once by a `RecordProcessor` (whose actions share the `config.parallelism` slots of one p-limit
 * pool, so a freed slot takes the next action at once), while this class keeps the batch's
 * messages invisible, turns failed records into `batchItemFailures` retried soon (an action that
 * fails is an outcome: its message is deleted), and fails the whole batch when every record failed.
 */
export class BatchProcessor {
  readonly #limit;
  readonly #records: RecordProcessor;
  /** Highest number of actions running at once in this container, logged with every batch (pool saturation). */
  peakActive = 0;

  constructor(
    private readonly deps: DispatchDeps,
    service: ExecutionService,
  ) {
    this.#limit = pLimit(deps.config.parallelism);
    this.#records = new RecordProcessor(deps, service, this.#limit, () => (this.peakActive = Math.max(this.peakActive, this.#limit.activeCount)));
  }

  async process(event: SQSEvent, context: Pick<Context, 'awsRequestId' | 'getRemainingTimeInMillis'>): Promise<SQSBatchResponse> {
    const deadline = Date.now() + context.getRemainingTimeInMillis() - this.deps.config.deadlineMarginMs;
    const started = Date.now();
    const visibility = keepInFlight(event.Records, this.deps);
    const results = await Promise.all(
      event.Records.map((record) =>
        this.#records.process({ record, owner: `${context.awsRequestId}/${record.messageId}`, deadline }).then(
          () => undefined,
          (error: unknown) => ({ record, error: error instanceof Error ? error : new Error(String(error)) }),
        ),
      ),
    );
    await visibility.stop();
    // The waiting actions this batch's freed slots wake are sent before it returns (a container frozen between
    // invocations would hold them back), within a bound: a lost wake only delays them until their message comes.
    if (this.deps.waitlist) {
      const settled = new AbortController();
      const bound = delay(WAKE_SETTLE_MS, undefined, { ref: false, signal: settled.signal }).catch(() => undefined);
      await Promise.race([this.deps.waitlist.settled().finally(() => settled.abort()), bound]);
    }
    const failures = results.filter((failure) => failure !== undefined);
    await Promise.all(failures.map(({ record, error }) => this.#retrySoon(record, error)));
    this.deps.log.info('batch done', {
      records: event.Records.length,
      failed: failures.length,
      durationMs: Date.now() - started,
      peakActive: this.peakActive,
      parallelism: this.deps.config.parallelism,
    });
    if (failures.length > 0 && failures.length === event.Records.length) throw new BatchProcessingError(failures.map((failure) => failure.error));
    return { batchItemFailures: failures.map((failure) => ({ itemIdentifier: failure.record.messageId })) };
  }

  /** A failed record comes back after `retryDelaySeconds`, doubled per delivery (at most 15 minutes), not after the queue's visibility timeout. */
  async #retrySoon(record: SQSRecord, error: Error): Promise<void> {
    const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? 1);
    const seconds =
      error instanceof RetryLaterError ? error.afterSeconds : Math.min(MAX_RETRY_SECONDS, this.deps.config.retryDelaySeconds * 2 ** (receiveCount - 1));
    await this.deps.queue
      .retryAfter([record], seconds)
      .catch((error: unknown) => this.deps.log.warn('could not shorten the retry delay', { messageId: record.messageId, error }));
  }
}
