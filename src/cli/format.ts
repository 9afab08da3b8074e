import pc from 'picocolors';
import type { ExecutionListing } from '../model/execution.ts';
import type { ExecutionStatus } from '../model/status.ts';
import { elapsedMs } from '../app/documents.ts';

export { elapsedMs, executionDocument, listingDocument } from '../app/documents.ts';

/** Colours for one stream: on only for a TTY, and never with NO_COLOR (https://no-color.org). */
export function colorsFor(stream: NodeJS.WriteStream): ReturnType<typeof pc.createColors> {
  return pc.createColors(Boolean(stream.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb');
}

export type Colors = ReturnType<typeof pc.createColors>;

/** The status, coloured by how it ended. */
export function paintStatus(status: ExecutionStatus | string, c: Colors): string {
  switch (status) {
    case 'succeeded':
      return c.green(status);
    case 'failed':
    case 'timeout':
    case 'abandoned':
      return c.red(status);
    case 'canceled':
    case 'canceling':
      return c.yellow(status);
    case 'running':
      return c.cyan(status);
    default:
      return c.dim(status);
  }
}

/** `0.31s`, `2m 03s`, `1h 02m`: short and sortable by eye. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h ${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const visibleLength = (text: string) => text.replace(ANSI, '').length;

/** An aligned table: a header row, then one row per entry; cells may hold colours. */
export function table(headers: string[], rows: string[][], c: Colors): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => visibleLength(row[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell + ' '.repeat(widths[i] - visibleLength(cell))))
      .join('  ')
      .trimEnd();
  return [c.bold(line(headers)), ...rows.map(line)].join('\n');
}

/** Rows of `execution list`: children indented under their parent when the parent is in the list. */
export function executionRows(executions: ExecutionListing[], c: Colors): string[][] {
  const ids = new Set(executions.map((e) => e.id));
  const children = new Map<string, ExecutionListing[]>();
  const roots: ExecutionListing[] = [];
  for (const execution of executions) {
    const parent = execution.context?.parent;
    if (parent && ids.has(parent) && parent !== execution.id) children.set(parent, [...(children.get(parent) ?? []), execution]);
    else roots.push(execution);
  }
  const rows: string[][] = [];
  const visit = (execution: ExecutionListing, depth: number) => {
    const prefix = depth === 0 ? '' : `${'  '.repeat(depth - 1)}+ `;
    rows.push([prefix + execution.id, execution.action, paintStatus(execution.status, c), execution.start_timestamp, formatDuration(elapsedMs(execution))]);
    // Tasks in the order they started.
    for (const child of [...(children.get(execution.id) ?? [])].reverse()) visit(child, depth + 1);
  };
  for (const root of roots) visit(root, 0);
  return rows;
}

export const EXECUTION_HEADERS = ['ID', 'ACTION', 'STATUS', 'STARTED', 'DURATION'];

/** Columns of `execution get --show-tasks`. */
export const TASK_HEADERS = ['ID', 'TASK', 'ACTION', 'STATUS', 'STARTED', 'DURATION'];

/** Rows of `execution get --show-tasks`, in the order given (the store lists a workflow's tasks oldest first); `name[i]` for an item of a `with` task. */
export function taskRows(tasks: ExecutionListing[], c: Colors): string[][] {
  return tasks.map((task) => {
    const name = task.context?.task ?? '-';
    const item = task.context?.itemIndex;
    return [
      task.id,
      item === undefined ? name : `${name}[${item}]`,
      task.action,
      paintStatus(task.status, c),
      task.start_timestamp,
      formatDuration(elapsedMs(task)),
    ];
  });
}
