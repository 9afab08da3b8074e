/**
 * Context inspection: a variable read with `ctx()` must be set before, on every path that
 * reaches the expression: by the workflow's input or vars, or by a publish of a transition that
 * leads there (orquesta's rolling context, walked from the start tasks; a join sees what all its
 * inbound branches published). Names starting with `__` are private and cannot be read.
 */
import { variableReferences } from '../../expressions/index.ts';
import { isObject } from '../fields.ts';
import { isEngineCommand } from '../types.ts';
import { TASK_SCHEMA, TRANSITION_SCHEMA, type InspectionIssue } from './issues.ts';
import { startTasks } from './semantics.ts';
import type { TaskView } from './view.ts';

/** What st2 puts in every workflow's context before it starts (`ctx(st2)`, and `parent` for a subworkflow). */
export const APP_CONTEXT = ['st2', 'parent'];

export function inspectContext(doc: Record<string, unknown>, tasks: Record<string, TaskView>): InspectionIssue[] {
  const issues: InspectionIssue[] = [];
  let rolling = new Set(APP_CONTEXT);
  for (const prop of ['input', 'vars']) rolling = checkList(doc[prop], prop, `properties.${prop}`, rolling, true, issues);
  rolling = union(rolling, inspectTasks(tasks, rolling, issues));
  checkList(doc.output, 'output', 'properties.output', rolling, true, issues);
  return issues.sort((a, b) => ((a.spec_path ?? '') < (b.spec_path ?? '') ? -1 : (a.spec_path ?? '') > (b.spec_path ?? '') ? 1 : 0));
}

/** Each entry in order; with `defines`, each entry's name is known to the entries after it. */
function checkList(value: unknown, specPath: string, schemaPath: string, ctx: Set<string>, defines: boolean, issues: InspectionIssue[]): Set<string> {
  if (!Array.isArray(value)) {
    check(value, specPath, schemaPath, ctx, issues);
    return defines ? union(ctx, namesOf(value)) : ctx;
  }
  let rolling = ctx;
  value.forEach((entry, i) => {
    check(entry, `${specPath}[${i}]`, schemaPath, rolling, issues);
    if (defines) rolling = union(rolling, namesOf(entry));
  });
  return rolling;
}

function namesOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (isObject(value)) return Object.keys(value);
  if (Array.isArray(value)) return value.flatMap((v) => (typeof v === 'string' ? [v] : isObject(v) && Object.keys(v).length === 1 ? Object.keys(v) : []));
  return [];
}

function check(value: unknown, specPath: string, schemaPath: string, ctx: Set<string>, issues: InspectionIssue[]): void {
  for (const text of strings(value)) {
    for (const ref of variableReferences(text)) {
      const at = { type: 'context' as const, language: ref.language, expression: ref.expression, spec_path: specPath, schema_path: schemaPath };
      if (ref.name.startsWith('__')) {
        issues.push({
          ...at,
          message: `Variable "${ref.name}" that is prefixed with double underscores is considered a private variable and cannot be referenced.`,
        });
      }
      if (!ctx.has(ref.name)) issues.push({ ...at, message: `Variable "${ref.name}" is referenced before assignment.` });
    }
  }
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (isObject(value)) return Object.entries(value).flatMap(([k, v]) => [k, ...strings(v)]);
  return [];
}

/** Walks the tasks from the start tasks, carrying what each path has set; returns everything any path sets. */
function inspectTasks(tasks: Record<string, TaskView>, ctx: Set<string>, issues: InspectionIssue[]): Set<string> {
  let rolling = new Set(ctx);
  const joined = new Map<string, Set<string>>();
  const seen = new Map<string, string>();
  const traversed = new Set<string>();
  const queue: Array<[string, Set<string> | undefined]> = startTasks(tasks).map((name) => [name, new Set(ctx)]);
  while (queue.length > 0) {
    const [name, given] = queue.shift() as [string, Set<string> | undefined];
    traversed.add(name);
    const taskCtx = given ?? joined.get(name) ?? new Set<string>();
    const task = tasks[name];
    const at = `tasks.${name}`;
    for (const [prop, value] of [
      ['delay', task.raw.delay],
      ['with', task.with],
      ['action', task.action],
      ['input', task.input],
    ] as const) {
      if (prop === 'with') {
        for (const p of ['items', 'concurrency']) check(task.with?.[p], `${at}.with.${p}`, `${TASK_SCHEMA}.properties.with.properties.${p}`, taskCtx, issues);
      } else check(value, `${at}.${prop}`, `${TASK_SCHEMA}.properties.${prop}`, taskCtx, issues);
    }
    rolling = union(rolling, taskCtx);
    task.next.forEach((transition, i) => {
      const where = `${at}.next[${i}]`;
      check(transition.when, `${where}.when`, `${TRANSITION_SCHEMA}.properties.when`, taskCtx, issues);
      const branch = checkList(transition.publish, `${where}.publish`, `${TRANSITION_SCHEMA}.properties.publish`, taskCtx, true, issues);
      rolling = union(rolling, branch);
      for (const next of transition.do) {
        if (isEngineCommand(next) || traversed.has(next) || !(next in tasks)) continue;
        if (!tasks[next].join) {
          const key = [...branch].sort().join('\u0000');
          if (seen.get(next) !== key) {
            queue.push([next, branch]);
            seen.set(next, key);
          }
        } else {
          joined.set(next, union(joined.get(next) ?? new Set<string>(), branch));
          queue.push([next, undefined]);
        }
      }
    });
  }
  return rolling;
}

function union(a: Iterable<string>, b: Iterable<string>): Set<string> {
  return new Set([...a, ...b]);
}
