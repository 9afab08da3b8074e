/**
 * Rendering what a task runs from its inbound context: its delay, its action and input (per item
 * for a with-items task), its items and their concurrency. Each throws a TypeError when a value
 * renders to the wrong type; the caller fails the task.
 */
import { evaluate, isExpression, renderValue } from '../expressions/index.ts';
import type { TaskSpec } from '../spec/types.ts';
import type { Run } from './run.ts';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The task's `delay` in seconds (undefined: none). */
export function renderDelay(run: Run, task: TaskSpec, context: Record<string, unknown>): number | undefined {
  if (task.delay === undefined) return undefined;
  const delay = typeof task.delay === 'string' ? evaluate(task.delay, run.expressionContext(context)) : task.delay;
  if (typeof delay !== 'number' || !Number.isInteger(delay) || delay < 0) throw new TypeError('The value of task delay is not type of integer.');
  return delay;
}

/** The task's action reference and input, for the whole task or for one item (`item()` is its value). */
export function renderAction(
  run: Run,
  task: TaskSpec,
  context: Record<string, unknown>,
  item?: { value: unknown },
): { action: string; input: Record<string, unknown> } {
  const itemContext = run.expressionContext(context, item ? { item: item.value } : {});
  const action = task.action && isExpression(task.action) ? evaluate(task.action, itemContext) : task.action;
  if (typeof action !== 'string' || action === '') throw new TypeError(`The action of task "${task.name}" did not render to an action reference.`);
  const input = task.input === undefined ? {} : renderValue(task.input, itemContext);
  if (!isPlainObject(input)) throw new TypeError(`The input of task "${task.name}" is not a mapping.`);
  return { action, input };
}

/** The values of a with-items task's items (a mapping per item when `keys` name them). */
export function itemValues(run: Run, task: TaskSpec, context: Record<string, unknown>): unknown[] {
  const withItems = task.with as NonNullable<TaskSpec['with']>;
  const items = evaluate(withItems.items, run.expressionContext(context));
  if (!Array.isArray(items)) throw new TypeError(`The value of "${withItems.items}" is not type of list.`);
  return items.map((item) => {
    if (withItems.keys && Array.isArray(item)) return Object.fromEntries(withItems.keys.map((key, index) => [key, item[index]]));
    if (withItems.keys && withItems.keys.length === 1) return { [withItems.keys[0]]: item };
    return item;
  });
}

/** A with-items task's concurrency: at least 1, or null for unlimited. */
export function renderConcurrency(run: Run, task: TaskSpec, context: Record<string, unknown>): number | null {
  const declared = task.with?.concurrency;
  if (declared === undefined) return null;
  const concurrency = typeof declared === 'string' ? evaluate(declared, run.expressionContext(context)) : declared;
  if (concurrency === null || concurrency === undefined) return null;
  if (typeof concurrency !== 'number' || !Number.isInteger(concurrency)) throw new TypeError('The value of concurrency is not type of integer.');
  return Math.max(1, concurrency);
}
