import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import { executionDocument } from '../../../src/cli/format.ts';
import { renderExecution } from '../../../src/cli/render-execution.ts';
import { leaseView } from '../../../src/cli/lease.ts';
import type { Execution } from '../../../src/model/execution.ts';

const plain = pc.createColors(false);
const now = Date.parse('2026-01-01T12:10:00.000Z');

function execution(overrides: Partial<Execution>): Execution {
  return {
    id: '01TEST',
    action: 'core.local',
    runner: 'local-shell-cmd',
    status: 'running',
    parameters: {},
    secretParameters: [],
    context: {},
    log: [],
    start_timestamp: '2026-01-01T12:05:00.000Z',
    attempt: 1,
    expires_at: 0,
    ...overrides,
  };
}

describe('an execution whose runner stopped renewing its lease', () => {
  const stale = execution({ lease: { owner: 'local-7', expiresAt: now - 4 * 60_000 } });

  it('says so on the status line of execution get', () => {
    const status = renderExecution(stale, plain, now)
      .split('\n')
      .find((line) => line.startsWith('status:'));
    expect(status).toBe('status: running (5m 00s elapsed) — lease expired 4m 00s ago (runner local-7 stopped renewing; the sweeper will mark it abandoned)');
  });

  it('has the lease, expired, in --json', () => {
    expect(executionDocument(stale, now).lease).toEqual({ owner: 'local-7', expires_at: '2026-01-01T12:06:00.000Z', expired: true, expired_seconds_ago: 240 });
  });
});

describe('an execution whose lease holds, or that ended', () => {
  it('shows a live lease as not expired and says nothing on the status line', () => {
    const live = execution({ lease: { owner: 'local-7', expiresAt: now + 20_000 } });
    expect(executionDocument(live, now).lease).toEqual({ owner: 'local-7', expires_at: '2026-01-01T12:10:20.000Z', expired: false });
    expect(renderExecution(live, plain, now)).not.toMatch(/lease/);
  });

  it('ignores a lease left on an ended execution', () => {
    const ended = execution({ status: 'succeeded', end_timestamp: '2026-01-01T12:06:00.000Z', lease: { owner: 'x', expiresAt: now - 60_000 } });
    expect(leaseView(ended, now)).toBeUndefined();
    expect(executionDocument(ended, now)).not.toHaveProperty('lease');
    expect(renderExecution(ended, plain, now)).not.toMatch(/lease/);
  });
});
