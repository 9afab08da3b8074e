/**
 * st2's own inspection of task contents, after orquesta's: each task's action reference is
 * well formed (`pack.name`) and registered, and its input gives every required parameter (one
 * without a default) and no parameter the action does not have. Actions given as expressions are
 * resolved at run time and not checked here.
 */
import type { ActionCatalog } from '../../../actions/types.ts';
import { isExpression } from '../../expressions/index.ts';
import { isObject } from '../fields.ts';
import { TASK_SCHEMA, type InspectionIssue } from './issues.ts';

/** A task's action and input as orquesta reads them (inline parameters moved to the input). */
export interface TaskAction {
  name: string;
  action?: unknown;
  input?: unknown;
}

const REF = /^[^.]+\.\S+$/;

export function inspectTaskContents(tasks: TaskAction[], catalog: Pick<ActionCatalog, 'get' | 'unavailable'>): InspectionIssue[] {
  const issues: InspectionIssue[] = [];
  const actionPath = `${TASK_SCHEMA}.properties.action`;
  const inputPath = `${TASK_SCHEMA}.properties.input`;
  for (const task of tasks) {
    const ref = task.action;
    if (typeof ref !== 'string' || ref === '' || isExpression(ref)) continue;
    const at = `tasks.${task.name}`;
    if (!REF.test(ref)) {
      issues.push({
        type: 'content',
        message: `The action reference "${ref}" is not formatted correctly.`,
        spec_path: `${at}.action`,
        schema_path: actionPath,
      });
      continue;
    }
    const action = catalog.get(ref);
    if (!action) {
      const why = catalog.unavailable?.(ref)?.reason;
      const message = why ? `The action "${ref}" is unavailable: ${why}` : `The action "${ref}" is not registered in the database.`;
      issues.push({ type: 'content', message, spec_path: `${at}.action`, schema_path: actionPath });
      continue;
    }
    const input = task.input ?? {};
    if (!isObject(input)) continue;
    const given = new Set(Object.keys(input));
    const parameters = action.parameters;
    const missing = Object.keys(parameters).filter((p) => parameters[p].required === true && !('default' in parameters[p]) && !given.has(p));
    for (const p of missing.sort()) {
      issues.push({ type: 'content', message: `Action "${ref}" is missing required input "${p}".`, spec_path: `${at}.input`, schema_path: inputPath });
    }
    for (const p of [...given].filter((p) => !(p in parameters)).sort()) {
      issues.push({
        type: 'content',
        message: `Action "${ref}" has unexpected input "${p}".`,
        spec_path: `${at}.input.${p}`,
        schema_path: `${inputPath}.patternProperties.^\\w+$`,
      });
    }
  }
  return issues;
}
