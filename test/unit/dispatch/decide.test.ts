import { describe, expect, it } from 'vitest';
import { decide, isEarly } from '../../../src/dispatch/decide.ts';
import { shouldRequeue } from '../../../src/dispatch/slot-reservation.ts';
import { EXECUTION_STATUSES, isTerminal } from '../../../src/model/status.ts';
import { execution } from '../../helpers/factories.ts';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const inActions = { runsWorkflows: false, now: NOW };
const inWorkflows = { runsWorkflows: true, now: NOW };

describe('decide: what a delivery of an execution leads to', () => {
  it('tells the parent again when the execution has ended, whatever the function', () => {
    for (const status of EXECUTION_STATUSES.filter(isTerminal)) {
      expect(decide(execution({ status }), inActions)).toEqual({ kind: 'notify-parent' });
      expect(decide(execution({ status, runner: 'orquesta' }), inWorkflows)).toEqual({ kind: 'notify-parent' });
    }
  });

  it('runs a waiting action in the actions function', () => {
    for (const status of ['requested', 'scheduled', 'delayed'] as const) expect(decide(execution({ status }), inActions)).toEqual({ kind: 'run' });
  });

  it('passes on a waiting execution whose time has not come (its SQS delay was capped at 900 s)', () => {
    const early = execution({ status: 'delayed', context: { notBefore: NOW + 60_000 } });
    expect(decide(early, inActions)).toEqual({ kind: 'pass-on', why: 'early' });
    // Within the tolerance it is due.
    expect(decide(execution({ status: 'delayed', context: { notBefore: NOW + 400 } }), inActions)).toEqual({ kind: 'run' });
    expect(isEarly({ context: {} }, NOW)).toBe(false);
  });

  it('passes a misrouted execution on to the queue of its kind', () => {
    expect(decide(execution({ runner: 'orquesta' }), inActions)).toEqual({ kind: 'pass-on', why: 'misrouted' });
    expect(decide(execution({ runner: 'local-shell-cmd' }), inWorkflows)).toEqual({ kind: 'pass-on', why: 'misrouted' });
  });

  it('hands a workflow to its engine in the workflows function, whatever its open status', () => {
    for (const status of ['requested', 'running', 'canceling', 'paused'] as const) {
      expect(decide(execution({ status, runner: 'orquesta' }), inWorkflows)).toEqual({ kind: 'advance-workflow' });
    }
  });

  it('judges an action a runner holds (running, canceling) instead of running it twice', () => {
    for (const status of ['running', 'canceling'] as const) expect(decide(execution({ status }), inActions)).toEqual({ kind: 'judge-held' });
  });

  it('judges a pending inquiry (to time it out when due) instead of running or abandoning it', () => {
    expect(decide(execution({ status: 'pending', runner: 'inquirer' }), inActions)).toEqual({ kind: 'judge-inquiry' });
  });

  it('a held execution is judged even when its notBefore is still ahead (only waiting ones are early)', () => {
    expect(decide(execution({ status: 'running', context: { notBefore: NOW + 60_000 } }), inActions)).toEqual({ kind: 'judge-held' });
  });
});

describe('shouldRequeue: an action that just got its slot', () => {
  const base = { claims: 1, leftMs: 100_000, timeoutMs: 60_000, waitedMs: 5_000 };

  it('starts when the invocation can give it its whole timeout', () => {
    expect(shouldRequeue(base)).toBe(false);
  });

  it('goes back to the queue when it waited and the time left is shorter than its timeout', () => {
    expect(shouldRequeue({ ...base, leftMs: 30_000 })).toBe(true);
  });

  it('does not go back when it hardly waited, or after three claims: it runs with the time there is', () => {
    expect(shouldRequeue({ ...base, leftMs: 30_000, waitedMs: 500 })).toBe(false);
    expect(shouldRequeue({ ...base, leftMs: 30_000, claims: 4 })).toBe(false);
  });

  it('never starts with less than 3 s left, unless its timeout is shorter', () => {
    expect(shouldRequeue({ ...base, claims: 9, waitedMs: 0, leftMs: 2_000 })).toBe(true);
    expect(shouldRequeue({ ...base, claims: 9, waitedMs: 0, leftMs: 2_000, timeoutMs: 1_000 })).toBe(false);
  });
});
