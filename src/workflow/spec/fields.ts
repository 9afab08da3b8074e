/**
 * Small validators shared by the parsers of a workflow, its tasks and their transitions. Each
 * one appends its problems to the `errors` list it is given, so that one pass reports them all.
 */
import { validate as validateExpression } from '../expressions/index.ts';

/** A YAML mapping (not a list, not null). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** How a value that was not what we expected reads in an error message. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** True when a property is given at all (YAML `key:` with no value is null, i.e. not given). */
export function isGiven(v: unknown): boolean {
  return v !== undefined && v !== null;
}

/** Reports every key of `raw` that is not one of `known`; `prefix` starts each message (`task "t": `). */
export function checkKnownKeys(raw: Record<string, unknown>, known: ReadonlySet<string>, prefix: string, errors: string[]): void {
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) errors.push(`${prefix}unknown property "${key}"`);
  }
}

/** An integer of at least `min`, or an expression to evaluate at run time; undefined when absent or invalid. */
export function intOrExpression(value: unknown, where: string, errors: string[], min: number): number | string | undefined {
  if (!isGiven(value)) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min) return value;
  if (typeof value === 'string' && value.trim() !== '') return value;
  errors.push(`${where} must be an integer >= ${min} or an expression, got ${describe(value)}`);
  return undefined;
}

/** Reports every malformed expression in `value`, recursively through lists and mappings (keys too). */
export function checkExpressions(where: string, value: unknown, errors: string[]): void {
  if (typeof value === 'string') {
    let problems: string[];
    try {
      problems = validateExpression(value);
    } catch (e) {
      problems = [(e as Error).message];
    }
    for (const p of problems) errors.push(`${where}: malformed expression ${JSON.stringify(value)}: ${p}`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => checkExpressions(`${where}[${i}]`, v, errors));
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      checkExpressions(where, k, errors);
      checkExpressions(`${where}.${k}`, v, errors);
    }
  }
}
