/**
 * Parsing of one task of a workflow: its name, then one parser per property group (action and
 * input, join, delay, with items, retry, next). Every parser appends its problems to `errors`.
 */
import { checkExpressions, checkKnownKeys, describe, intOrExpression, isGiven, isObject } from './fields.ts';
import { parseInlineParams } from './inline.ts';
import { parseTransition } from './transition.ts';
import { isEngineCommand, type RetrySpec, type TaskSpec, type TransitionSpec, type WithItemsSpec } from './types.ts';

const TASK_KEYS = new Set(['action', 'input', 'next', 'join', 'with', 'retry', 'delay']);
const WITH_KEYS = new Set(['items', 'concurrency']);
const RETRY_KEYS = new Set(['when', 'count', 'delay']);
const TASK_NAME = /^\w+$/;
const EXPR = String.raw`<%.*%>|\{\{.*\}\}`;
const ITEMS_RE = new RegExp(String.raw`^\s*(?:((?:\w+\s*,\s*)*\w+)\s+in\s+)?(${EXPR})\s*$`, 's');

/** Parses task `name`; returns undefined when it has any problem (all of them are in `errors`). */
export function parseTask(name: string, raw: unknown, errors: string[]): TaskSpec | undefined {
  const where = `task "${name}"`;
  if (!checkTaskName(name, where, errors)) return undefined;
  if (!isGiven(raw)) raw = {};
  if (!isObject(raw)) {
    errors.push(`${where}: must be a mapping, got ${describe(raw)}`);
    return undefined;
  }
  const before = errors.length;
  checkKnownKeys(raw, TASK_KEYS, `${where}: `, errors);

  const task: TaskSpec = { name, next: [] };
  if (isGiven(raw.action)) parseAction(raw.action, task, where, errors);
  if (isGiven(raw.input) && task.input === undefined) task.input = parseInput(raw.input, where, errors);
  if (task.input !== undefined) checkExpressions(`${where}: input`, task.input, errors);
  if (isGiven(raw.join)) task.join = parseJoin(raw.join, where, errors);
  task.delay = intOrExpression(raw.delay, `${where}: delay`, errors, 0);
  if (task.delay !== undefined) checkExpressions(`${where}: delay`, task.delay, errors);
  if (isGiven(raw.with)) parseWith(raw.with, task, where, errors);
  if (isGiven(raw.retry)) parseRetry(raw.retry, task, where, errors);
  if (isGiven(raw.next)) task.next = parseNext(raw.next, where, errors);

  return errors.length === before ? task : undefined;
}

/** Task names are identifiers and may not be an engine command (`fail`, `noop`...). */
function checkTaskName(name: string, where: string, errors: string[]): boolean {
  if (!TASK_NAME.test(name)) {
    errors.push(`${where}: invalid task name (letters, digits and underscores only)`);
    return false;
  }
  if (isEngineCommand(name)) {
    errors.push(`${where}: the task name "${name}" is reserved with special function`);
    return false;
  }
  return true;
}

/** `action: ref` or `action: ref k=v ...`, whose inline parameters become the task's input. */
function parseAction(raw: unknown, task: TaskSpec, where: string, errors: string[]): void {
  if (typeof raw !== 'string' || raw.trim() === '') {
    errors.push(`${where}: action must be a non-empty string, got ${describe(raw)}`);
    return;
  }
  const text = raw.trim();
  const inline = parseInlineParams(text);
  if (inline.length > 0) {
    task.action = text.slice(0, text.indexOf(' '));
    task.input = Object.fromEntries(inline);
  } else {
    task.action = text;
  }
  checkExpressions(`${where}: action`, task.action, errors);
}

/** `input`: a non-empty mapping, or an expression giving one. */
function parseInput(raw: unknown, where: string, errors: string[]): TaskSpec['input'] {
  if (isObject(raw) && Object.keys(raw).length > 0) return raw;
  if (typeof raw === 'string' && raw.trim() !== '') return raw;
  errors.push(`${where}: input must be a non-empty mapping, got ${describe(raw)}`);
  return undefined;
}

/** `join`: `all`, or how many inbound transitions must have happened. */
function parseJoin(raw: unknown, where: string, errors: string[]): TaskSpec['join'] {
  if (raw === 'all') return 'all';
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 1) return raw;
  errors.push(`${where}: join must be "all" or a positive integer, got ${describe(raw)}`);
  return undefined;
}

/** `with`: an items expression (`x, y in <% ... %>`), or `{items, concurrency}`; needs an action. */
function parseWith(raw: unknown, task: TaskSpec, where: string, errors: string[]): void {
  const w = typeof raw === 'string' ? { items: raw } : raw;
  if (!isObject(w)) {
    errors.push(`${where}: with must be an items expression or {items, concurrency}, got ${describe(raw)}`);
    return;
  }
  checkKnownKeys(w, WITH_KEYS, `${where}: with: `, errors);
  const m = typeof w.items === 'string' ? ITEMS_RE.exec(w.items) : null;
  if (!m) {
    errors.push(`${where}: with.items must be an expression like "<% ctx(list) %>" or "x, y in <% ... %>", got ${describe(w.items)}`);
  } else {
    const spec: WithItemsSpec = { items: m[2].trim() };
    if (m[1]) spec.keys = m[1].split(',').map((k) => k.trim());
    spec.concurrency = intOrExpression(w.concurrency, `${where}: with.concurrency`, errors, 1);
    checkExpressions(`${where}: with.items`, spec.items, errors);
    if (spec.concurrency !== undefined) checkExpressions(`${where}: with.concurrency`, spec.concurrency, errors);
    task.with = spec;
  }
  if (!task.action) errors.push(`${where}: the action property is required for a with items task`);
}

/** `retry`: `{when?, count, delay?}`. */
function parseRetry(raw: unknown, task: TaskSpec, where: string, errors: string[]): void {
  if (!isObject(raw)) {
    errors.push(`${where}: retry must be a mapping {when?, count, delay?}, got ${describe(raw)}`);
    return;
  }
  checkKnownKeys(raw, RETRY_KEYS, `${where}: retry: `, errors);
  const count = intOrExpression(raw.count, `${where}: retry.count`, errors, 0);
  if (raw.count === undefined) errors.push(`${where}: retry.count is required`);
  const retry: RetrySpec = { count: count ?? 0 };
  if (raw.when !== undefined) {
    if (typeof raw.when !== 'string' || !raw.when.trim()) errors.push(`${where}: retry.when must be an expression`);
    else retry.when = raw.when;
  }
  const delay = intOrExpression(raw.delay, `${where}: retry.delay`, errors, 0);
  if (delay !== undefined) retry.delay = delay;
  checkExpressions(`${where}: retry`, retry, errors);
  task.retry = retry;
}

/** `next`: the list of transitions, with the expressions of each checked. */
function parseNext(raw: unknown, where: string, errors: string[]): TransitionSpec[] {
  if (!Array.isArray(raw)) {
    errors.push(`${where}: next must be a list of transitions, got ${describe(raw)}`);
    return [];
  }
  const next: TransitionSpec[] = [];
  raw.forEach((t, i) => {
    const tr = parseTransition(t, `${where}: next[${i}]`, errors);
    if (!tr) return;
    checkExpressions(`${where}: next[${i}].when`, tr.when, errors);
    for (const p of tr.publish) checkExpressions(`${where}: next[${i}].publish.${p.name}`, p.value, errors);
    next.push(tr);
  });
  return next;
}
