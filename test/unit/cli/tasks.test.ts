import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import { TASK_HEADERS, table, taskRows } from '../../../src/cli/format.ts';
import type { Execution } from '../../../src/model/execution.ts';

const plain = pc.createColors(false);

function task(id: string, context: Execution['context']): Execution {
  return {
    id,
    action: 'core.echo',
    runner: 'local-shell-cmd',
    status: 'succeeded',
    parameters: {},
    secretParameters: [],
    context,
    log: [],
    start_timestamp: '2026-01-01T12:00:00.000Z',
    end_timestamp: '2026-01-01T12:00:01.500Z',
    attempt: 1,
    expires_at: 0,
  };
}

describe('execution get --show-tasks', () => {
  it("names each task, an item of a with-items task by its index, in the store's order", () => {
    const rows = taskRows(
      [task('T1', { parent: 'W', task: 'greet' }), task('T2', { parent: 'W', task: 'each', itemIndex: 3 }), task('T3', { parent: 'W' })],
      plain,
    );
    expect(rows).toEqual([
      ['T1', 'greet', 'core.echo', 'succeeded', '2026-01-01T12:00:00.000Z', '1.50s'],
      ['T2', 'each[3]', 'core.echo', 'succeeded', '2026-01-01T12:00:00.000Z', '1.50s'],
      ['T3', '-', 'core.echo', 'succeeded', '2026-01-01T12:00:00.000Z', '1.50s'],
    ]);
    expect(table(TASK_HEADERS, rows, plain).split('\n')[0]).toMatch(/^ID\s+TASK\s+ACTION\s+STATUS\s+STARTED\s+DURATION$/);
  });
});
