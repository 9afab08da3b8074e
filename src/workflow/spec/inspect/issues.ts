/**
 * One problem found by inspecting a workflow before it starts, in the shape st2 records in the
 * failed execution's `result.errors` (orquesta's inspection, formatted by st2's workflow service).
 */
export type InspectionType = 'syntax' | 'semantic' | 'expression' | 'context' | 'content';

export interface InspectionIssue {
  type: InspectionType;
  message: string;
  /** Where in the definition: `tasks.task2.next[0].when`; null for the whole document. */
  spec_path: string | null;
  /** Where in orquesta's JSON schema: `properties.tasks.patternProperties.^\w+$.properties.input`. */
  schema_path: string | null;
  /** `yaql` or `jinja`, for expression and context issues. */
  language?: 'yaql' | 'jinja';
  /** The expression at fault, for expression and context issues. */
  expression?: string;
}

/** Schema path of a task (`tasks.<name>`) and of a task transition (`tasks.<name>.next[i]`). */
export const TASK_SCHEMA = 'properties.tasks.patternProperties.^\\w+$';
export const TRANSITION_SCHEMA = `${TASK_SCHEMA}.properties.next.items`;

/** Orquesta sorts each kind of issue by schema path, then spec path. */
export function byPaths(a: InspectionIssue, b: InspectionIssue): number {
  return compare(a.schema_path, b.schema_path) || compare(a.spec_path, b.spec_path);
}

/** st2 sorts the whole list by type, then schema path (a stable sort: ties keep orquesta's order). */
export function byTypeAndSchema(a: InspectionIssue, b: InspectionIssue): number {
  return compare(a.type, b.type) || compare(a.schema_path, b.schema_path);
}

function compare(a: string | null, b: string | null): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/** How one issue reads in the execution's `error` line. */
export function describeIssue(issue: InspectionIssue): string {
  return `${issue.type} error at ${issue.spec_path ?? 'the workflow'}: ${issue.message}`;
}
