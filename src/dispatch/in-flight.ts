import type { SQSRecord } from 'aws-lambda';
import { VisibilityNotChangedError } from '../queue/work-queue.ts';
import type { DispatchDeps } from './types.ts';

/** SQS's answers for a receipt handle that no longer names a message in flight. */
const GONE = new Set(['ReceiptHandleIsInvalid', 'MessageNotInflight']);

/**
 * The batch's messages stay invisible only a short while at a time (`inFlightVisibilitySeconds`),
 * renewed every third of it while the batch runs: if this function dies, they come back soon and their
 * executions are judged (abandoned or re-run). Every record stays in flight until the batch returns
 * (SQS deletes the finished ones then), except a message SQS no longer knows under its receipt handle:
 * delivered again (a duplicate of it was sent, or its visibility lapsed) or deleted. Renewing that one is
 * pointless, and harmless to skip: its execution's lease decides which delivery runs it, never two at
 * once. It is dropped from the renewals and logged at info; any other refusal is a warning.
 * @example const visibility = keepInFlight(event.Records, deps); ...; await visibility.stop();
 */
export function keepInFlight(batch: readonly SQSRecord[], deps: Pick<DispatchDeps, 'queue' | 'config' | 'log'>): { stop(): Promise<void> } {
  const { queue, config, log } = deps;
  let records = [...batch];
  const renew = () =>
    queue.retryAfter(records, config.inFlightVisibilitySeconds).catch((error: unknown) => {
      const refused = error instanceof VisibilityNotChangedError ? error.refused : [];
      const gone = new Set(refused.filter((entry) => GONE.has(entry.code)).map((entry) => entry.messageId));
      if (gone.size > 0) {
        records = records.filter((record) => !gone.has(record.messageId));
        log.info('no longer in flight under this batch (delivered again or deleted): not renewed', { messageIds: [...gone] });
      }
      if (!(error instanceof VisibilityNotChangedError) || refused.length > gone.size) log.warn('could not renew the batch visibility', { error });
    });
  let renewing = renew();
  const timer = setInterval(() => (renewing = renew()), (config.inFlightVisibilitySeconds * 1000) / 3);
  return {
    stop: async () => {
      clearInterval(timer);
      await renewing;
    },
  };
}
