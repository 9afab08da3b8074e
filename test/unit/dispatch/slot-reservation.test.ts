import { afterEach, describe, expect, it, vi } from 'vitest';
import { SlotReservation } from '../../../src/dispatch/slot-reservation.ts';
import { createLogger } from '../../../src/log/index.ts';
import type { Execution } from '../../../src/model/execution.ts';
import type { ExecutionStore } from '../../../src/store/executions.ts';
import { TransitionConflictError } from '../../../src/store/errors.ts';
import { execution } from '../../helpers/factories.ts';

const log = createLogger({}, 'error');
afterEach(() => vi.useRealTimers());

describe('SlotReservation', () => {
  it('stops renewing once its lease is gone (given back, or canceled while it waited), and keeps what it found', async () => {
    vi.useFakeTimers();
    const reserved = execution({ status: 'scheduled' });
    const requeued = { ...reserved, status: 'delayed' } as Execution;
    const heartbeat = vi.fn().mockRejectedValue(new TransitionConflictError('refused', requeued));
    const store = { reserve: vi.fn().mockResolvedValue(reserved), heartbeat } as unknown as ExecutionStore;
    const reservation = await SlotReservation.take(store, reserved.id, 'owner', 3000, log);
    await vi.advanceTimersByTimeAsync(1000);
    expect(heartbeat).toHaveBeenCalledTimes(1);
    expect(reservation.endedWhileWaiting).toEqual(requeued);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(heartbeat).toHaveBeenCalledTimes(1);
  });

  it('keeps renewing through a store that fails for a while', async () => {
    vi.useFakeTimers();
    const reserved = execution({ status: 'scheduled' });
    const heartbeat = vi.fn().mockRejectedValueOnce(new Error('ECONNRESET')).mockResolvedValue(reserved);
    const store = { reserve: vi.fn().mockResolvedValue(reserved), heartbeat } as unknown as ExecutionStore;
    const reservation = await SlotReservation.take(store, reserved.id, 'owner', 3000, log);
    await vi.advanceTimersByTimeAsync(3000);
    expect(heartbeat).toHaveBeenCalledTimes(3);
    reservation.stop();
    await vi.advanceTimersByTimeAsync(3000);
    expect(heartbeat).toHaveBeenCalledTimes(3);
  });
});
