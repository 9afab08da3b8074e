/**
 * Semantic inspection, orquesta's rules: reserved task names, a workflow with no start task,
 * transitions to undefined tasks (from the tasks reachable from the start), join tasks that
 * nested splits make ambiguous, and with-items tasks without an action.
 */
import { isEngineCommand } from '../types.ts';
import { TASK_SCHEMA, type InspectionIssue } from './issues.ts';
import type { TaskView } from './view.ts';

const UNREACHABLE =
  'The join task "%s" is unreachable. A join task is determined to be unreachable if there are nested forks from multi-referenced tasks that join on the said task. This is ambiguous to the workflow engine because it does not know at which level should the join occurs.';

export function inspectSemantics(tasks: Record<string, TaskView>): InspectionIssue[] {
  const issues: InspectionIssue[] = [];
  const names = Object.keys(tasks);
  const at = (name: string) => ({ spec_path: `tasks.${name}`, schema_path: TASK_SCHEMA });
  for (const name of names) {
    if (isEngineCommand(name)) issues.push({ type: 'semantic', message: `The task name "${name}" is reserved with special function.`, ...at(name) });
  }
  const starts = startTasks(tasks);
  if (names.length > 0 && starts.length === 0) {
    issues.push({
      type: 'semantic',
      message:
        'Unable to identify any tasks to start the workflow. If the workflow has a loop, please add a task that serves as an entry point (or lead) into the loop.',
      spec_path: 'tasks',
      schema_path: 'properties.tasks',
    });
  }
  issues.push(...undefinedTasks(tasks, starts), ...unreachableJoins(tasks, starts));
  for (const task of Object.values(tasks)) {
    if (task.with && !task.action) issues.push({ type: 'semantic', message: 'The action property is required for with items task.', ...at(task.name) });
  }
  return issues;
}

/** Tasks no transition leads to, by name (orquesta's start tasks). */
export function startTasks(tasks: Record<string, TaskView>): string[] {
  const referenced = new Set(Object.values(tasks).flatMap((t) => t.next.flatMap((n) => n.do)));
  return Object.keys(tasks)
    .filter((name) => !referenced.has(name))
    .sort();
}

function undefinedTasks(tasks: Record<string, TaskView>, starts: string[]): InspectionIssue[] {
  const issues: InspectionIssue[] = [];
  const traversed = new Set<string>();
  const queued = new Set<string>(starts);
  const queue = [...starts];
  while (queue.length > 0) {
    const name = queue.shift() as string;
    traversed.add(name);
    tasks[name]?.next.forEach((transition, i) => {
      for (const next of transition.do) {
        if (traversed.has(next) || isEngineCommand(next)) continue;
        if (next in tasks) {
          if (!queued.has(next)) {
            queue.push(next);
            queued.add(next);
          }
        } else {
          issues.push({
            type: 'semantic',
            message: `The task "${next}" is not defined.`,
            spec_path: `tasks.${name}.next[${i}].do`,
            schema_path: `${TASK_SCHEMA}.properties.next.items.properties.do`,
          });
        }
      }
    });
  }
  return issues;
}

function successors(tasks: Record<string, TaskView>, name: string): string[] {
  return (tasks[name]?.next ?? [])
    .flatMap((t) => t.do)
    .filter((n) => n in tasks)
    .sort();
}

function inCycle(tasks: Record<string, TaskView>, name: string): boolean {
  const seen = new Set<string>();
  const queue = successors(tasks, name);
  while (queue.length > 0) {
    const next = queue.shift() as string;
    if (next === name) return true;
    if (!seen.has(next)) {
      seen.add(next);
      queue.push(...successors(tasks, next));
    }
  }
  return false;
}

/** A join whose inbound tasks sit under different splits (a task reached by several transitions without a join). */
function unreachableJoins(tasks: Record<string, TaskView>, starts: string[]): InspectionIssue[] {
  const inbound: Record<string, number> = {};
  for (const task of Object.values(tasks)) for (const next of successors(tasks, task.name)) inbound[next] = (inbound[next] ?? 0) + 1;
  const isSplit = (name: string) => !tasks[name].join && (inbound[name] ?? 0) > 1;
  const staging = new Map<string, { splits: Set<string>; prev: Set<string> }>();
  const tracked = new Map<string, Set<string>>();
  const queue: Array<[string | undefined, string, string[]]> = starts.map((s) => [undefined, s, []]);
  while (queue.length > 0) {
    const [prev, name, splits] = queue.shift() as [string | undefined, string, string[]];
    if (!(name in tasks)) continue;
    if (isSplit(name) && !inCycle(tasks, name)) splits.push(name);
    const meta = staging.get(name) ?? { splits: new Set<string>(), prev: new Set<string>() };
    staging.set(name, meta);
    for (const s of splits) meta.splits.add(s);
    if (prev) meta.prev.add(prev);
    for (const next of successors(tasks, name)) {
      if (staging.has(next) && inCycle(tasks, next)) continue;
      const id = `${name}_${next}`;
      const existing = tracked.get(id);
      if (!existing) {
        queue.push([name, next, [...splits]]);
        tracked.set(id, new Set(splits));
      } else if (splits.some((s) => !existing.has(s))) {
        queue.push([name, next, [...splits]]);
        for (const s of splits) existing.add(s);
      }
    }
  }
  const issues: InspectionIssue[] = [];
  for (const [name, meta] of staging) {
    if (!tasks[name].join) continue;
    for (const prev of meta.prev) {
      const other = staging.get(prev)?.splits ?? new Set<string>();
      if (!sameSet(meta.splits, other)) {
        issues.push({ type: 'semantic', message: UNREACHABLE.replace('%s', name), spec_path: `tasks.${name}`, schema_path: TASK_SCHEMA });
        break;
      }
    }
  }
  return issues;
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}
