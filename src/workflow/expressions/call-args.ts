/** How catalog functions receive their arguments: positional, or by keyword as in Python. */
import { typeFault } from './faults.ts';
import { pyStr } from './pystr.ts';
import type { ExpressionContext } from './types.ts';

/** A function of the catalog: the evaluation context, positional arguments, keyword arguments. */
export type CatalogFunction = (context: ExpressionContext, args: unknown[], kwargs: Record<string, unknown>) => unknown;

/** Argument `index`, or keyword `name`, or `fallback`. */
export function arg(args: unknown[], kwargs: Record<string, unknown>, index: number, name: string, fallback?: unknown): unknown {
  if (index < args.length) return args[index];
  if (Object.prototype.hasOwnProperty.call(kwargs, name)) return kwargs[name];
  return fallback;
}

/** Argument `index` or keyword `name` of function `fn`; a TypeError as Python's when missing. */
export function required(fn: string, args: unknown[], kwargs: Record<string, unknown>, index: number, name: string): unknown {
  if (index < args.length || Object.prototype.hasOwnProperty.call(kwargs, name)) return arg(args, kwargs, index, name);
  throw typeFault(`${fn}() missing required argument: '${name}'`);
}

/** A function of one required argument, `value`. */
export const one =
  (name: string, fn: (value: unknown) => unknown): CatalogFunction =>
  (_c, a, k) =>
    fn(required(name, a, k, 0, 'value'));

/** A string argument as Python's `str()` would give it. */
export function str(value: unknown): string {
  return typeof value === 'string' ? value : pyStr(value);
}
