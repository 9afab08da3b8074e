/**
 * Runs the conformance cases translated from openstack/yaql's and orquesta's own tests
 * (tools/extract_*.py) through our evaluator. A case passes when the value (or the error)
 * is the one the Python original asserts.
 */
import { readFileSync } from 'node:fs';
import { evaluate, renderValue, validate } from '../../../src/workflow/expressions/index.ts';
import { Fault, SyntaxFault } from '../../../src/workflow/expressions/faults.ts';
import { evaluateNode } from '../../../src/workflow/expressions/yaql/evaluator.ts';
import { parseYaql } from '../../../src/workflow/expressions/yaql/parser.ts';
import { deepEqual, truthy } from '../../../src/workflow/expressions/pystr.ts';
import { SandboxError } from '../../../src/template/errors.ts';
import { assertPlainData } from '../../../src/template/plain-data.ts';
import { ExpressionError } from '../../../src/workflow/expressions/types.ts';

export interface Case {
  id: string;
  line?: number;
  /** A string; orquesta's facade also takes lists and dicts of them. */
  expr?: string;
  data?: unknown;
  expect?: unknown;
  truthy?: boolean;
  unordered?: boolean;
  almost?: boolean;
  error?: string;
  valid?: boolean;
  skip?: string;
  source?: string;
}

const here = new URL('.', import.meta.url);
export const load = (file: string): Case[] => JSON.parse(readFileSync(new URL(file, here), 'utf8')) as Case[];
export const loadReasons = (file: string): Record<string, string> => JSON.parse(readFileSync(new URL(file, here), 'utf8')) as Record<string, string>;

/** Evaluates a bare yaql expression with `$` (and `$data`) bound to the data, as yaql's tests do. */
export function evaluateYaql(expr: string, data: unknown): unknown {
  const value = evaluateNode(parseYaql(expr), { context: { ctx: {} }, dollar: data, vars: { data } });
  assertPlainData(value, 'the value');
  return value === undefined ? null : value;
}

const SYNTAX = new Set(['YaqlGrammarException', 'YaqlLexicalException']);

function sameUnordered(a: unknown, b: unknown): boolean {
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  const rest = [...b];
  for (const x of a) {
    const i = rest.findIndex((y) => deepEqual(x, y));
    if (i < 0) return false;
    rest.splice(i, 1);
  }
  return true;
}

function matches(c: Case, actual: unknown): boolean {
  if (c.truthy !== undefined) return truthy(actual) === c.truthy;
  const expect = c.expect;
  if (expect !== null && typeof expect === 'object' && !Array.isArray(expect) && '$set' in expect) {
    return sameUnordered(actual, (expect as { $set: unknown[] }).$set);
  }
  if (c.unordered) return sameUnordered(actual, expect);
  if (c.almost && typeof actual === 'number' && typeof expect === 'number') return Math.abs(actual - expect) < 1e-7;
  return deepEqual(actual, expect);
}

/** Runs one case; returns undefined when it passes, else what went wrong. */
export function runCase(c: Case, run: (c: Case) => unknown): string | undefined {
  if (c.valid !== undefined) {
    const errors = validate(c.expr as string);
    return (errors.length === 0) === c.valid ? undefined : `validate gave ${JSON.stringify(errors)}`;
  }
  let actual: unknown;
  try {
    actual = run(c);
  } catch (e) {
    if (c.error === undefined) return `threw ${(e as Error).name}: ${(e as Error).message}`;
    // An evaluator error, never a JavaScript crash (TypeError: cannot read properties ...).
    const cause = e instanceof ExpressionError ? e.cause : e;
    if (!(cause instanceof Fault || cause instanceof SandboxError || e instanceof ExpressionError)) return `crashed: ${String(e)}`;
    if (SYNTAX.has(c.error) && !(cause instanceof SyntaxFault)) return `expected a syntax error, got ${String(e)}`;
    return undefined;
  }
  if (c.error !== undefined) return `expected ${c.error}, got ${JSON.stringify(actual)}`;
  return matches(c, actual) ? undefined : `got ${JSON.stringify(actual)}, expected ${JSON.stringify(c.expect ?? c.truthy)}`;
}

export const runYaql = (c: Case): unknown => evaluateYaql(c.expr as string, c.data);
export const runOrquesta = (c: Case): unknown => {
  const context = { ctx: (c.data ?? {}) as Record<string, unknown> };
  return typeof c.expr === 'string' ? evaluate(c.expr, context) : renderValue(c.expr, context);
};
