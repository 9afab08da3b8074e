import { describeIssue, type InspectionIssue, type TaskAction } from './inspect/index.ts';

/** Engine commands: reserved words usable in a transition's `do` (orquesta's ENGINE_EVENT_MAP). */
export const ENGINE_COMMANDS = ['continue', 'fail', 'noop', 'retry'] as const;
export type EngineCommand = (typeof ENGINE_COMMANDS)[number];

export function isEngineCommand(name: string): name is EngineCommand {
  return (ENGINE_COMMANDS as readonly string[]).includes(name);
}

/** One `{ name: value }` entry of `vars`, `output`, `publish`, or a defaulted `input`. Order matters. */
export interface NamedValue {
  name: string;
  value: unknown;
}

export interface InputSpec {
  name: string;
  /** False when the input is a bare name (required at runtime, orquesta gives it `null`). */
  hasDefault: boolean;
  default?: unknown;
}

export interface TransitionSpec {
  /** Expression; absent means "on completion". */
  when?: string;
  publish: NamedValue[];
  /** Task names and engine commands; `['continue']` when `do` was not given. */
  do: string[];
}

export interface RetrySpec {
  when?: string;
  /** Integer or an expression evaluating to one. */
  count: number | string;
  delay?: number | string;
}

export interface WithItemsSpec {
  /** The items expression (without any `x, y in` prefix). */
  items: string;
  /** Names from `x, y in <expr>`; absent for the plain form. */
  keys?: string[];
  concurrency?: number | string;
}

export interface TaskSpec {
  name: string;
  action?: string;
  /** Action input: a mapping (values may hold expressions) or one expression rendering to a mapping. */
  input?: Record<string, unknown> | string;
  next: TransitionSpec[];
  join?: 'all' | number;
  with?: WithItemsSpec;
  retry?: RetrySpec;
  delay?: number | string;
}

/** One edge of the graph: `from` task's transition `index` leads to `to` (a task or an engine command). */
export interface Edge {
  from: string;
  to: string;
  index: number;
}

export interface WorkflowGraph {
  /** Tasks with no inbound transition, sorted by name (orquesta's rule). */
  startTasks: string[];
  /** Inbound edges per task (from other tasks' transitions; engine commands excluded). */
  inbound: Record<string, Edge[]>;
  /** Tasks that are part of a cycle. */
  inCycle: Record<string, boolean>;
  /** Tasks referenced by more than one inbound transition without `join` and not in a cycle: every arrival starts a new route. */
  splits: Record<string, boolean>;
  /** Retry policy per task, from `retry:` or from a `do: retry` transition (3 times, no delay). */
  retry: Record<string, RetrySpec>;
}

export interface WorkflowSpec {
  file: string;
  version: string;
  description?: string;
  input: InputSpec[];
  vars: NamedValue[];
  output: NamedValue[];
  tasks: Record<string, TaskSpec>;
  graph: WorkflowGraph;
}

/**
 * Thrown by the loader; `issues` lists every problem found as orquesta's inspection reports it
 * (type, message, spec and schema paths), `message` names the file and all of them. `tasks` are
 * the tasks' actions and inputs as far as they could be read, for st2's inspection of task contents.
 */
export class WorkflowSpecError extends Error {
  override name = 'WorkflowSpecError';
  readonly errors: string[];
  readonly issues: InspectionIssue[];
  constructor(
    readonly file: string,
    problems: Array<string | InspectionIssue>,
    readonly tasks: TaskAction[] = [],
  ) {
    const issues = problems.map((p): InspectionIssue => (typeof p === 'string' ? { type: 'syntax', message: p, spec_path: null, schema_path: null } : p));
    const errors = problems.map((p) => (typeof p === 'string' ? p : describeIssue(p)));
    super(`invalid workflow: ${file} - ${errors.join('; ')}`);
    this.errors = errors;
    this.issues = issues;
  }
}
