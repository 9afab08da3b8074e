import type { SQSRecord } from 'aws-lambda';
import { VisibilityNotChangedError } from '../queue/work-queue.ts';
import type { DispatchDeps } from './types.ts';

/** SQS's answers for a receipt handle that no longer names a message in flight. */
const GONE = new Set(['ReceiptHandleIsInvalid', 'MessageNotInflight']);

/**
 * A batch still running after `inFlightAfterSeconds` has its messages made invisible only a short
 * while at a time (`inFlightVisibilitySeconds`), renewed every third of it until the batch returns:
 * if this function dies, they come back soon and their executions are judged (abandoned or re-run).
 * A batch that ends before then never changes their visibility (most batches of short actions: one
 * request fewer each); should the function die that early, its messages come back after the queue's
 * own visibility timeout, and its executions are recovered before that by their leases and the
 * sweeper, as an execution whose message is lost is (lease + one sweep).
 * Every record stays in flight until the batch returns (SQS deletes the finished ones then), except a
 * message SQS no longer knows under its receipt handle: delivered again (a duplicate of it was sent,
 * or its visibility lapsed) or deleted. Renewing that one is pointless, and harmless to skip: its
 * execution's lease decides which delivery runs it, never two at once. It is dropped from the renewals
 * and logged at info; any other refusal is a warning.
 * @example const visibility = keepInFlight(event.Records, deps); ...; await visibility.stop();
 */
export function keepInFlight(batch: readonly SQSRecord[], deps: Pick<DispatchDeps, 'queue' | 'config' | 'log'>): { stop(): Promise<void> } {
  const { queue, config, log } = deps;
  let records = [...batch];
  let renewing: Promise<void> = Promise.resolve();
  const renew = () => {
    renewing = queue.retryAfter(records, config.inFlightVisibilitySeconds).catch((error: unknown) => {
      const refused = error instanceof VisibilityNotChangedError ? error.refused : [];
      const gone = new Set(refused.filter((entry) => GONE.has(entry.code)).map((entry) => entry.messageId));
      if (gone.size > 0) {
        records = records.filter((record) => !gone.has(record.messageId));
        log.info('no longer in flight under this batch (delivered again or deleted): not renewed', { messageIds: [...gone] });
      }
      if (!(error instanceof VisibilityNotChangedError) || refused.length > gone.size) log.warn('could not renew the batch visibility', { error });
    });
  };
  let timer: NodeJS.Timeout | undefined;
  const start = () => {
    renew();
    timer = setInterval(renew, (config.inFlightVisibilitySeconds * 1000) / 3);
  };
  const first = config.inFlightAfterSeconds > 0 ? setTimeout(start, config.inFlightAfterSeconds * 1000) : (start(), undefined);
  return {
    stop: async () => {
      clearTimeout(first);
      clearInterval(timer);
      await renewing;
    },
  };
}
