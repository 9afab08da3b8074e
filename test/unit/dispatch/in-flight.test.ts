import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../src/config/index.ts';
import { keepInFlight } from '../../../src/dispatch/in-flight.ts';
import type { Logger } from '../../../src/log/index.ts';
import { VisibilityNotChangedError } from '../../../src/queue/work-queue.ts';
import { sqsRecord } from '../../helpers/factories.ts';

// The renewal tests start at batch start; the delayed start has its own tests.
const config = loadConfig({ ACTIONRUNNER_IN_FLIGHT_AFTER_SECONDS: '0' });
const every = (config.inFlightVisibilitySeconds * 1000) / 3;
const delayed = loadConfig({});

function fixture(refuse: (ids: string[], call: number) => Array<{ messageId: string; code: string }>) {
  const calls: string[][] = [];
  const queue = {
    send: async () => undefined,
    deadLetter: async () => undefined,
    retryAfter: async (records: readonly { messageId: string }[]) => {
      const ids = records.map((record) => record.messageId);
      calls.push(ids);
      const refused = refuse(ids, calls.length);
      if (refused.length > 0) throw new VisibilityNotChangedError(`visibility not changed: ${refused.length}`, refused);
    },
  };
  const log = { info: vi.fn(), warn: vi.fn() } as unknown as Logger & { info: ReturnType<typeof vi.fn>; warn: ReturnType<typeof vi.fn> };
  return { queue, log, calls };
}

describe('keepInFlight', () => {
  afterEach(() => vi.useRealTimers());

  it('stops renewing a message SQS no longer knows under its receipt handle (delivered again or deleted), without a warning', async () => {
    vi.useFakeTimers();
    const records = [sqsRecord({ executionId: 'a' }), sqsRecord({ executionId: 'b' })];
    const [a, b] = records.map((record) => record.messageId);
    const { queue, log, calls } = fixture((ids, call) => (call === 1 ? [{ messageId: b!, code: 'ReceiptHandleIsInvalid' }] : []));
    const visibility = keepInFlight(records, { queue, config, log });
    await vi.advanceTimersByTimeAsync(2 * every);
    await visibility.stop();
    expect(calls).toEqual([[a, b], [a], [a]]);
    expect(log.warn).not.toHaveBeenCalled();
    expect(log.info).toHaveBeenCalledWith(expect.stringContaining('no longer in flight'), { messageIds: [b] });
  });

  it('warns about any other refusal and keeps renewing that message', async () => {
    vi.useFakeTimers();
    const records = [sqsRecord({ executionId: 'a' })];
    const { queue, log, calls } = fixture((ids, call) => (call === 1 ? [{ messageId: ids[0]!, code: 'InternalError' }] : []));
    const visibility = keepInFlight(records, { queue, config, log });
    await vi.advanceTimersByTimeAsync(every);
    await visibility.stop();
    expect(calls).toHaveLength(2);
    expect(calls[1]).toEqual([records[0]!.messageId]);
    expect(log.warn).toHaveBeenCalledWith('could not renew the batch visibility', expect.anything());
  });

  it('changes nothing for a batch that ends within inFlightAfterSeconds (10 s by default)', async () => {
    vi.useFakeTimers();
    expect(delayed.inFlightAfterSeconds).toBe(10);
    const { queue, log, calls } = fixture(() => []);
    const visibility = keepInFlight([sqsRecord({ executionId: 'a' })], { queue, config: delayed, log });
    await vi.advanceTimersByTimeAsync(delayed.inFlightAfterSeconds * 1000 - 1);
    await visibility.stop();
    await vi.advanceTimersByTimeAsync(10 * every);
    expect(calls).toEqual([]);
  });

  it('a batch still running after inFlightAfterSeconds gets its visibility then, renewed every third of it', async () => {
    vi.useFakeTimers();
    const records = [sqsRecord({ executionId: 'a' })];
    const { queue, log, calls } = fixture(() => []);
    const visibility = keepInFlight(records, { queue, config: delayed, log });
    await vi.advanceTimersByTimeAsync(delayed.inFlightAfterSeconds * 1000);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(every - 1);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    await visibility.stop();
    await vi.advanceTimersByTimeAsync(10 * every);
    expect(calls).toHaveLength(2);
  });
});
