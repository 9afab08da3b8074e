/**
 * Expression inspection: every YAQL and Jinja expression of the definition must parse. Walks the
 * properties orquesta's spec classes walk, with the same spec and schema paths.
 */
import { expressionProblems } from '../../expressions/index.ts';
import { isObject } from '../fields.ts';
import { TASK_SCHEMA, TRANSITION_SCHEMA, type InspectionIssue } from './issues.ts';
import type { TaskView } from './view.ts';

export function inspectExpressions(doc: Record<string, unknown>, tasks: Record<string, TaskView>): InspectionIssue[] {
  const issues: InspectionIssue[] = [];
  const check = (value: unknown, specPath: string, schemaPath: string) => collect(value, specPath, schemaPath, issues);
  for (const prop of ['vars', 'input', 'output']) check(doc[prop], prop, `properties.${prop}`);
  for (const task of Object.values(tasks)) {
    const at = `tasks.${task.name}`;
    check(task.raw.delay, `${at}.delay`, `${TASK_SCHEMA}.properties.delay`);
    check(task.raw.join, `${at}.join`, `${TASK_SCHEMA}.properties.join`);
    if (task.with) {
      for (const prop of ['items', 'concurrency']) check(task.with[prop], `${at}.with.${prop}`, `${TASK_SCHEMA}.properties.with.properties.${prop}`);
    }
    check(task.action, `${at}.action`, `${TASK_SCHEMA}.properties.action`);
    check(task.input, `${at}.input`, `${TASK_SCHEMA}.properties.input`);
    if (isObject(task.raw.retry)) {
      for (const prop of ['when', 'count', 'delay']) check(task.raw.retry[prop], `${at}.retry.${prop}`, `${TASK_SCHEMA}.properties.retry.properties.${prop}`);
    }
    const next = Array.isArray(task.raw.next) ? task.raw.next : [];
    next.forEach((raw, i) => {
      const transition = task.next[i];
      if (!isObject(raw) || !transition) return;
      check(raw.when, `${at}.next[${i}].when`, `${TRANSITION_SCHEMA}.properties.when`);
      check(transition.publish, `${at}.next[${i}].publish`, `${TRANSITION_SCHEMA}.properties.publish`);
      check(raw.do, `${at}.next[${i}].do`, `${TRANSITION_SCHEMA}.properties.do`);
    });
  }
  return issues;
}

/** Every string in `value`, through lists and mappings (keys too), as orquesta's validate does. */
function collect(value: unknown, specPath: string, schemaPath: string, issues: InspectionIssue[]): void {
  if (typeof value === 'string') {
    for (const p of expressionProblems(value)) {
      issues.push({ type: 'expression', language: p.language, expression: p.expression, message: p.message, spec_path: specPath, schema_path: schemaPath });
    }
  } else if (Array.isArray(value)) {
    for (const v of value) collect(v, specPath, schemaPath, issues);
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      collect(k, specPath, schemaPath, issues);
      collect(v, specPath, schemaPath, issues);
    }
  }
}
