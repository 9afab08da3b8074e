/** How the conductor words what goes into a workflow's `errors` list (orquesta's wording). */
import { ExpressionError } from '../expressions/index.ts';

/** The message orquesta logs for a task that failed. */
export const EXECUTION_FAILED = 'Execution failed. See result for details.';

/**
 * orquesta's exception name for an expression error, by the syntax of the expression: tools that read
 * st2's workflow errors look for `YaqlEvaluationException:` and `JinjaEvaluationException:`.
 */
function evaluationException(expression: string): string {
  const yaql = expression.includes('<%');
  const jinja = expression.includes('{{') || expression.includes('{%');
  if (yaql && !jinja) return 'YaqlEvaluationException';
  if (jinja && !yaql) return 'JinjaEvaluationException';
  return 'ExpressionEvaluationException';
}

/**
 * An error as a workflow error message: an expression error as orquesta words it
 * (`YaqlEvaluationException: Unable to evaluate expression '<% ... %>'. ...`), another Error as
 * `Name: message`, anything else as its string.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof ExpressionError) return `${evaluationException(error.expression)}: ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
