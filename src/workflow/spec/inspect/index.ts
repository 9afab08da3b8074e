/**
 * Orquesta's inspection of a workflow definition, before it starts: syntax (its JSON schema),
 * semantics, expressions and context, every problem reported with its spec and schema paths.
 * st2 adds the inspection of task contents (actions and their inputs), which needs the catalog.
 */
import { isObject } from '../fields.ts';
import { byPaths, byTypeAndSchema, type InspectionIssue } from './issues.ts';
import { inspectContext } from './context.ts';
import { inspectExpressions } from './expressions.ts';
import { inspectSemantics } from './semantics.ts';
import { inspectSyntax } from './syntax.ts';
import { taskViews } from './view.ts';

export { inspectTaskContents, type TaskAction } from './content.ts';
export { byTypeAndSchema, describeIssue, type InspectionIssue, type InspectionType } from './issues.ts';
export { taskActions, taskViews } from './view.ts';

/** Every problem of the definition, in orquesta's order (syntax, semantics, expressions, context; each by path). */
export function inspectWorkflow(doc: Record<string, unknown>): InspectionIssue[] {
  const tasks = taskViews(doc);
  return [
    ...inspectSyntax(withShorthand(doc)).sort(byPaths),
    ...inspectSemantics(tasks).sort(byPaths),
    ...inspectExpressions(doc, tasks).sort(byPaths),
    ...inspectContext(doc, tasks).sort(byPaths),
  ];
}

/** st2's error list: orquesta's, then the task contents', sorted by type then schema path. */
export function st2InspectionErrors(workflow: InspectionIssue[], contents: InspectionIssue[]): InspectionIssue[] {
  return [...workflow, ...contents].sort(byTypeAndSchema);
}

/** As orquesta, `with: <items>` is read as `with: {items: <items>}` before the schema checks it. */
function withShorthand(doc: Record<string, unknown>): Record<string, unknown> {
  const tasks = doc.tasks;
  if (!isObject(tasks)) return doc;
  const out: Record<string, unknown> = {};
  for (const [name, task] of Object.entries(tasks)) {
    out[name] = isObject(task) && typeof task.with === 'string' ? { ...task, with: { items: task.with } } : task;
  }
  return { ...doc, tasks: out };
}
