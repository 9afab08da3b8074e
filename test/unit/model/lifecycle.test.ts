import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromStatuses, INITIAL_STATUSES, LIFECYCLE_EVENTS, lifecycleEdges, lifecycleMermaid } from '../../../src/model/lifecycle.ts';
import { EXECUTION_STATUSES, isTerminal, TERMINAL_STATUSES, type ExecutionStatus } from '../../../src/model/status.ts';

/** Every status reachable from `starts` by the table's edges. */
function reachable(starts: readonly ExecutionStatus[]): Set<ExecutionStatus> {
  const seen = new Set(starts);
  const edges = lifecycleEdges();
  for (let grew = true; grew;) {
    grew = false;
    for (const { from, to } of edges) {
      if (seen.has(from) && !seen.has(to)) {
        seen.add(to);
        grew = true;
      }
    }
  }
  return seen;
}

describe('the execution lifecycle table', () => {
  it('reaches every status from requested', () => {
    // `delayed` and `failed` are also initial (a delayed task, a refused request), and reachable besides.
    expect([...reachable(['requested'])].sort()).toEqual([...EXECUTION_STATUSES].sort());
    expect(INITIAL_STATUSES).toContain('requested');
  });

  it('lets every non-terminal status reach a terminal one', () => {
    for (const status of EXECUTION_STATUSES.filter((status) => !isTerminal(status))) {
      const ends = [...reachable([status])].filter(isTerminal);
      expect(ends, `${status} cannot end`).not.toHaveLength(0);
    }
  });

  it('has no way out of a terminal status', () => {
    expect(lifecycleEdges().filter(({ from }) => TERMINAL_STATUSES.includes(from))).toEqual([]);
  });

  it('names real statuses only, and never moves a status onto itself', () => {
    for (const { event, from, to } of lifecycleEdges()) {
      expect(EXECUTION_STATUSES, event).toContain(from);
      expect(EXECUTION_STATUSES, event).toContain(to);
      expect(from === to && to !== 'scheduled', `${event}: ${from} -> ${to}`).toBe(false);
    }
  });

  it('refuses a move its event does not make', () => {
    expect(fromStatuses('finish', 'succeeded')).toEqual(['running', 'scheduled']);
    expect(() => fromStatuses('finish', 'canceled')).toThrow('no such move: finish - it leads to succeeded or failed or timeout, not canceled');
    expect(Object.keys(LIFECYCLE_EVENTS)).toContain('requestCancel');
  });

  it('matches the committed diagram in docs/lifecycle.md (regenerate with npm run gen:docs)', () => {
    const doc = readFileSync(new URL('../../../docs/lifecycle.md', import.meta.url), 'utf8');
    const diagram = /```mermaid\n([\s\S]*?)\n```/.exec(doc)?.[1];
    expect(diagram).toBe(lifecycleMermaid());
  });
});
