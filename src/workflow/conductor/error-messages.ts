/** How the conductor words what goes into a workflow's `errors` list (orquesta's wording). */

/** The message orquesta logs for a task that failed. */
export const EXECUTION_FAILED = 'Execution failed. See result for details.';

/** An error as a workflow error message: `Name: message` for an Error, else its string. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
