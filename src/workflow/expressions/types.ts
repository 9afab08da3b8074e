/**
 * What an orquesta expression can see. Both syntaxes (YAQL `<% %>` and Jinja `{{ }}`)
 * evaluate against the same context.
 */
export interface ExpressionContext {
  /** Workflow variables: input, vars and everything published so far (`ctx()`, `ctx(name)`, `ctx().name`). */
  ctx: Record<string, unknown>;
  /** Result of the task whose transition is being evaluated (`result()`). */
  result?: unknown;
  /** Current item of a with-items task (`item()`, `item(name)`). */
  item?: unknown;
  /** Status of the current task when evaluating its transitions (`succeeded()`, `failed()`, `completed()`). */
  currentTaskStatus?: string;
  /** Name of the current task (`task().task_name`). */
  currentTaskName?: string;
  /**
   * Looks a task up by name (`task(name)`, `task_status(name)`), on `route` when given (`task(name, route=1)`):
   * undefined when the task has not run (there).
   */
  task?: (name: string, route?: number) => { task_name: string; status: string; result: unknown } | undefined;
  /** Workflow execution id and other st2 facts. */
  st2?: { action_execution_id?: string; [key: string]: unknown };
  /** The datastore as read for this step (`st2kv()`); absent where no datastore is available. */
  datastore?: DatastoreLookup;
}

/** What `st2kv()` reads: see DatastoreSnapshot (src/datastore). */
export interface DatastoreLookup {
  /** The value of `key` (`system.x`, `user.x`, `x`); the default when missing and one is given; else throws KeyNotFoundError. */
  lookup(key: string, options: { decrypt?: boolean; hasDefault?: boolean; default?: unknown }): unknown;
}

/** An expression that could not be parsed or evaluated. `expression` is the source text. */
export class ExpressionError extends Error {
  override name = 'ExpressionError';
  constructor(
    message: string,
    readonly expression: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
