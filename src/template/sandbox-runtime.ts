/**
 * The runtime that sandboxed templates run against (sandbox.ts gives it to every compiled entry
 * point instead of nunjucks' own): lookups see only own data of plain dicts and lists, names
 * resolve through own properties only, calls reach only registered functions, and `in` works on
 * data only. Each function is wrapped by `noting` so that a SandboxError survives nunjucks' re-wrapping.
 */
import nunjucks from 'nunjucks';
import { SandboxError } from './errors.ts';
import { assertPlainData, isPlainData, ownMember } from './plain-data.ts';
import { CALL_PREFIX, isBuiltinMember } from './sandbox-tree.ts';

/** Wraps a runtime function or filter so that a SandboxError it throws is remembered for the render. */
export type Noting = <A extends unknown[], R>(fn: (this: unknown, ...args: A) => R) => (this: unknown, ...args: A) => R;

/** What the safe runtime needs from its sandbox. */
export interface RuntimeScope {
  /** Functions templates may call by name (`range`), besides those in the render context. */
  globals: Record<string, unknown>;
  /** Every function registered with `Sandbox.callable()`: the only ones `callWrap` calls. */
  callables: WeakSet<object>;
  noting: Noting;
}

interface Frame {
  variables: Record<string, unknown>;
  parent?: Frame;
}

/** nunjucks' runtime with its lookup, call and `in` entry points replaced by safe ones. */
export function safeRuntime(scope: RuntimeScope): Record<string, unknown> {
  const { noting } = scope;
  return {
    ...(nunjucks.runtime as unknown as Record<string, unknown>),
    memberLookup: noting(memberLookup),
    contextOrFrameLookup: noting((context: { ctx: Record<string, unknown> }, frame: Frame, name: string) => nameLookup(scope.globals, context, frame, name)),
    callWrap: noting((fn: unknown, name: string, _context: unknown, args: unknown[]) => callWrap(scope.callables, fn, name, args)),
    inOperator: noting(inOperator),
  };
}

/** `x.k`, `x[k]`: own data only. A miss on data is undefined, as in nunjucks; reaching for a built-in is an error, so that it is seen. */
function memberLookup(target: unknown, key: unknown): unknown {
  if (target === undefined || target === null) return undefined;
  const value = ownMember(target, key);
  if (value !== undefined) return value;
  if (!isPlainData(target) || (typeof key === 'string' && isBuiltinMember(key))) {
    throw new SandboxError(`attribute ${JSON.stringify(String(key))}`, 'templates read only the data of dicts and lists, not JavaScript members');
  }
  return undefined;
}

/** A name: template variables (innermost frame first), then the render context, then the globals; a function only as a callee. */
function nameLookup(globals: Record<string, unknown>, context: { ctx: Record<string, unknown> }, frame: Frame, name: string): unknown {
  const callee = name.startsWith(CALL_PREFIX);
  const key = callee ? name.slice(CALL_PREFIX.length) : name;
  let value: unknown;
  for (let f: Frame | undefined = frame; f && value === undefined; f = f.parent) {
    if (Object.hasOwn(f.variables, key)) value = f.variables[key];
  }
  if (value === undefined && Object.hasOwn(context.ctx, key)) value = context.ctx[key];
  if (value === undefined && Object.hasOwn(globals, key)) value = globals[key];
  if (typeof value === 'function' && !callee) throw new SandboxError(`"${key}"`, 'a function can only be called, it is not a value');
  return value;
}

/** `f(args)`: only registered functions, with plain data in and out. */
function callWrap(callables: WeakSet<object>, fn: unknown, name: string, args: unknown[]): unknown {
  name = name.startsWith(CALL_PREFIX) ? name.slice(CALL_PREFIX.length) : name;
  if (!fn) throw new Error(`Unable to call \`${name}\`, which is undefined or falsey`);
  if (typeof fn !== 'function' || !callables.has(fn)) throw new SandboxError(`"${name}"`, 'not a function templates may call (only registered functions are)');
  args.forEach((a, i) => assertPlainData(a, `argument ${i + 1} of ${name}()`));
  const result: unknown = fn(...args);
  assertPlainData(result, `the result of ${name}()`);
  return result;
}

/** `key in container`: substring, list element or own dict key. */
function inOperator(key: unknown, container: unknown): boolean {
  if (typeof container === 'string') return typeof key === 'string' && container.includes(key);
  if (Array.isArray(container)) return container.includes(key);
  if (isPlainData(container) && typeof container === 'object' && container !== null) return typeof key === 'string' && Object.hasOwn(container, key);
  throw new SandboxError('"in"', 'needs a string, list or dict on its right');
}
