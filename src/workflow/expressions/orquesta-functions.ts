/**
 * orquesta's workflow functions (`ctx`, `result`, `succeeded`, `failed`, `completed`, `item`,
 * `task`, `task_status`): what an expression knows about the workflow and its current task.
 */
import { arg, required, str, type CatalogFunction } from './call-args.ts';
import { fault, typeFault } from './faults.ts';
import { isPlainObject, pyTypeName } from './pystr.ts';
import type { ExpressionContext } from './types.ts';

/** orquesta's statuses that count as completed (`completed()`). */
const COMPLETED_STATUSES = ['succeeded', 'failed', 'expired', 'abandoned', 'canceled'];

/** `ctx()`: the workflow variables without the internal `__` ones (and `st2` when given separately). */
export function ctxAll(context: ExpressionContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(context.ctx ?? {})) if (!k.startsWith('__')) out[k] = v;
  if (context.st2 !== undefined && !('st2' in out)) out.st2 = context.st2;
  return out;
}

/** `ctx(name)`: one workflow variable; undefined and internal names are errors, as in orquesta. */
export function ctxGet(context: ExpressionContext, key: unknown): unknown {
  if (key === undefined || key === null || key === '') return ctxAll(context);
  if (typeof key !== 'string') throw typeFault(`ctx() expects a variable name, got ${pyTypeName(key)}`);
  const vars = context.ctx ?? {};
  if (!Object.prototype.hasOwnProperty.call(vars, key)) {
    if (key === 'st2' && context.st2 !== undefined) return context.st2;
    throw fault('VariableUndefinedError', `The variable "${key}" is undefined.`);
  }
  if (key.startsWith('__')) throw fault('VariableInaccessibleError', `The variable "${key}" is for internal use and inaccessible.`);
  return vars[key];
}

function currentStatus(context: ExpressionContext): string {
  if (context.currentTaskStatus === undefined) {
    throw fault('ExpressionEvaluationException', 'The current task is not set in the context.');
  }
  return context.currentTaskStatus;
}

function taskEntry(context: ExpressionContext, name: string, route?: number): Record<string, unknown> | undefined {
  const found = context.task?.(name, route);
  if (found) return { task_id: found.task_name, route: 0, ...found };
  if (route === undefined && name === context.currentTaskName && context.currentTaskStatus !== undefined) {
    return { task_id: name, task_name: name, route: 0, status: context.currentTaskStatus, result: context.result ?? null };
  }
  return undefined;
}

/**
 * st2's `st2kv(key, decrypt=false, default=...)`: a datastore value (`system.x`, `user.x`, or a bare
 * name in the user scope). The value is returned as data, never evaluated. A missing key without
 * a default fails with st2's message.
 */
function st2kv(context: ExpressionContext, key: unknown, args: unknown[], kwargs: Record<string, unknown>): unknown {
  if (typeof key !== 'string') throw typeFault(`Given key is not typeof string (st2kv() expects a key such as "system.name", got ${pyTypeName(key)}).`);
  const decrypt = arg(args, kwargs, 1, 'decrypt', false);
  if (typeof decrypt !== 'boolean') throw typeFault(`Decrypt parameter is not typeof bool (got ${pyTypeName(decrypt)}).`);
  const hasDefault = args.length > 2 || Object.prototype.hasOwnProperty.call(kwargs, 'default');
  if (!context.datastore) throw fault('ExpressionEvaluationException', 'st2kv(): the datastore is not available here.');
  try {
    return context.datastore.lookup(key, { decrypt, hasDefault, default: arg(args, kwargs, 2, 'default') });
  } catch (error) {
    throw fault('ExpressionEvaluationException', (error as Error).message);
  }
}

/** The workflow functions, by name. */
export const ORQUESTA_FUNCTIONS: Record<string, CatalogFunction> = {
  ctx: (c, a, k) => ctxGet(c, arg(a, k, 0, 'key')),
  result: (c) => {
    if (c.result === undefined && c.currentTaskName === undefined && c.currentTaskStatus === undefined) {
      throw fault('ExpressionEvaluationException', 'The current task is not set in the context.');
    }
    return c.result ?? null;
  },
  succeeded: (c) => currentStatus(c) === 'succeeded',
  failed: (c) => currentStatus(c) === 'failed',
  completed: (c) => COMPLETED_STATUSES.includes(currentStatus(c)),
  item: (c, a, k) => {
    const key = arg(a, k, 0, 'key');
    const current = c.item === undefined ? null : c.item;
    if (key === undefined || key === null || key === '') return current;
    if (!isPlainObject(current)) throw fault('ExpressionEvaluationException', 'Item is not type of collections.abc.Mapping.');
    const name = str(key);
    if (!Object.prototype.hasOwnProperty.call(current, name)) {
      throw fault('ExpressionEvaluationException', `Item does not have key "${name}".`);
    }
    return current[name];
  },
  task: (c, a, k) => {
    const given = arg(a, k, 0, 'task_id');
    const name = given === undefined || given === null ? c.currentTaskName : str(given);
    if (name === undefined) throw fault('ExpressionEvaluationException', 'The current task is not set in the context.');
    // `route`: the run of that route (a task reached twice after a split runs once per route), as orquesta.
    const givenRoute = arg(a, k, 1, 'route');
    if (givenRoute !== undefined && givenRoute !== null && !Number.isInteger(givenRoute)) {
      throw typeFault(`task() expects an integer route, got ${pyTypeName(givenRoute)}`);
    }
    const route = givenRoute === undefined || givenRoute === null ? undefined : (givenRoute as number);
    const entry = taskEntry(c, name, route);
    if (!entry) {
      const where = route === undefined ? '' : ` on route ${route}`;
      throw fault('ExpressionEvaluationException', `Unable to find task execution for "${name}"${where}.`);
    }
    return entry;
  },
  task_status: (c, a, k) => {
    const name = str(required('task_status', a, k, 0, 'task_id'));
    const entry = taskEntry(c, name);
    return entry && typeof entry.status === 'string' ? entry.status : 'unset';
  },
  st2kv: (c, a, k) => st2kv(c, required('st2kv', a, k, 0, 'key'), a, k),
};
