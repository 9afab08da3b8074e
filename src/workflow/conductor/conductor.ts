import { evaluate, renderValue, isExpression } from '../expressions/index.ts';
import type { ExpressionContext } from '../expressions/types.ts';
import { isEngineCommand, type TaskSpec, type WorkflowSpec } from '../spec/types.ts';
import type {
  Command,
  ConductorResult,
  StartMeta,
  TaskCompletedEvent,
  TaskRun,
  TaskRunStatus,
  TaskStatusEntry,
  WorkflowError,
  WorkflowState,
} from './types.ts';

const EXECUTION_FAILED = 'Execution failed. See result for details.';
/** With-items children one step schedules at most (with at least one running): a 10,000-item task starts page by page, its concurrency still honored. */
export const ITEMS_PER_STEP = 100;
/** Bytes of rendered item input one step schedules at most (the step's commands are saved on the workflow's 400 KB item). */
export const ITEM_BYTES_PER_STEP = 64 * 1024;

function errorMessage(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Working copy of a state plus the commands produced while advancing it. */
class Run {
  readonly commands: Command[] = [];
  /** Runs to launch, in order (processed iteratively so action-less chains don't recurse). */
  private readonly queue: TaskRun[] = [];
  private lastCompleted: TaskRun | undefined;

  constructor(
    readonly spec: WorkflowSpec,
    readonly state: WorkflowState,
    readonly st2: Record<string, unknown>,
  ) {}

  // ---- context helpers -------------------------------------------------------------------

  mergeCtx(idxs: number[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const i of idxs) Object.assign(out, this.state.contexts[i]);
    return out;
  }

  /** `task(name)` for expressions: the latest run of `name` on `route` (or on a route it split from), else the latest anywhere. */
  taskLookup(route: number): (name: string) => { task_id: string; task_name: string; route: number; status: string; result: unknown } | undefined {
    return (name) => {
      const runs = this.state.runs.filter((r) => r.name === name && !r.cmd);
      if (runs.length === 0) return undefined;
      const details = this.state.routes[route] ?? [];
      const related = (r: TaskRun): boolean => r.route === route || (this.state.routes[r.route] ?? []).every((x) => details.includes(x));
      const found = runs.filter((r) => r.route === route).pop() ?? runs.filter(related).pop() ?? (runs.pop() as TaskRun);
      const items = found.items;
      // A with-items task's results are kept in the state only while they are small (see storage.ts): else its `result` is a note.
      const result = items && found.result === undefined ? { items: items.status.map((s, i) => ({ status: s ?? 'null', result: items.results[i] ?? null })) } : (found.result ?? null);
      return { task_id: found.name, task_name: found.name, route: found.route, status: found.status, result };
    };
  }

  /** Route of the task being rendered or completed (for `task(name)` lookups). */
  private currentRoute = 0;

  exprCtx(ctx: Record<string, unknown>, extra: Partial<ExpressionContext> = {}, route = this.currentRoute): ExpressionContext {
    return { ctx, task: this.taskLookup(route), st2: { action_execution_id: this.state.executionId, ...this.st2 }, ...extra };
  }

  logError(entry: Omit<WorkflowError, 'type'>): void {
    const e: WorkflowError = { type: 'error', ...entry };
    const key = JSON.stringify(e);
    if (!this.state.errors.some((x) => JSON.stringify(x) === key)) this.state.errors.push(e);
  }

  failWorkflow(): void {
    if (this.state.status === 'running') this.state.status = 'failed';
  }

  isActive(r: TaskRun): boolean {
    return r.status === 'running' && !r.retried && !r.cmd;
  }

  activeRuns(): TaskRun[] {
    return this.state.runs.filter((r) => this.isActive(r));
  }

  // ---- scheduling ------------------------------------------------------------------------

  newRun(name: string, route: number, ctxs: number[], attempt = 0): TaskRun {
    const occurrence = this.state.runs.filter((r) => r.name === name && r.route === route && !r.cmd && !r.attempt).length;
    const base = name + (route > 0 ? `.r${route}` : '');
    const first = attempt > 0 ? occurrence - 1 : occurrence;
    let id = base + (first > 0 ? `.${first + 1}` : '');
    if (attempt > 0) id += `.retry${attempt}`;
    const run: TaskRun = { id, name, route, ctxs, status: 'running' };
    if (attempt > 0) run.attempt = attempt;
    this.state.runs.push(run);
    return run;
  }

  enqueue(run: TaskRun): void {
    this.queue.push(run);
  }

  drain(): void {
    while (this.queue.length > 0) {
      const run = this.queue.shift() as TaskRun;
      this.launch(run);
    }
  }

  private renderDelay(task: TaskSpec, ctx: Record<string, unknown>): number | undefined {
    if (task.delay === undefined) return undefined;
    const v = typeof task.delay === 'string' ? evaluate(task.delay, this.exprCtx(ctx)) : task.delay;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new TypeError('The value of task delay is not type of integer.');
    return v;
  }

  private renderAction(task: TaskSpec, ctx: Record<string, unknown>, item?: { value: unknown }): { action: string; input: Record<string, unknown> } {
    const ectx = this.exprCtx(ctx, item ? { item: item.value } : {});
    const action = task.action && isExpression(task.action) ? evaluate(task.action, ectx) : task.action;
    if (typeof action !== 'string' || action === '') throw new TypeError(`The action of task "${task.name}" did not render to an action reference.`);
    const input = task.input === undefined ? {} : renderValue(task.input, ectx);
    if (!isPlainObject(input)) throw new TypeError(`The input of task "${task.name}" is not a mapping.`);
    return { action, input };
  }

  private itemValues(task: TaskSpec, ctx: Record<string, unknown>): unknown[] {
    const w = task.with as NonNullable<TaskSpec['with']>;
    const items = evaluate(w.items, this.exprCtx(ctx));
    if (!Array.isArray(items)) throw new TypeError(`The value of "${w.items}" is not type of list.`);
    return items.map((item) => {
      if (w.keys && Array.isArray(item)) return Object.fromEntries(w.keys.map((k, i) => [k, item[i]]));
      if (w.keys && w.keys.length === 1) return { [w.keys[0]]: item };
      return item;
    });
  }

  /** With-items children scheduled in this step, and the bytes of their input: bounded so that one step's outbox fits its item. */
  private itemsThisStep = 0;
  private itemBytesThisStep = 0;

  /** Set when the task run limit was reached in this step: the workflow ends now, its running tasks are canceled. */
  aborted = false;

  /** Refuses a run beyond the workflow's task run limit: the workflow fails at once (a loop without an end stops here). */
  private overLimit(run: TaskRun): boolean {
    const limit = this.state.maxTaskRuns;
    if (limit === undefined || this.state.runs.filter((r) => !r.cmd).length <= limit) return false;
    this.state.runs = this.state.runs.filter((r) => r !== run);
    this.logError({
      message: `task run limit reached: workflow ${this.state.executionId} - task "${run.name}" would be task run ${limit + 1}, the limit is ${limit} task runs (ACTIONRUNNER_WORKFLOW_MAX_TASK_RUNS)`,
      task_id: run.name,
      route: run.route,
    });
    this.state.status = 'failed';
    this.aborted = true;
    return true;
  }

  /** Start a run: schedule its action (or items), or complete it at once if it has no action. */
  private launch(run: TaskRun, retryDelay?: number): void {
    if (this.aborted || this.overLimit(run)) {
      this.state.runs = this.state.runs.filter((r) => r !== run);
      return;
    }
    const task = this.spec.tasks[run.name];
    const ctx = this.mergeCtx(run.ctxs);
    this.currentRoute = run.route;
    try {
      const delay = retryDelay ?? this.renderDelay(task, ctx);
      if (!task.action) {
        this.complete(run, 'succeeded', null);
        return;
      }
      if (task.with) {
        const values = this.itemValues(task, ctx);
        let concurrency: number | null = null;
        if (task.with.concurrency !== undefined) {
          const c = typeof task.with.concurrency === 'string' ? evaluate(task.with.concurrency, this.exprCtx(ctx)) : task.with.concurrency;
          if (c !== null && c !== undefined) {
            if (typeof c !== 'number' || !Number.isInteger(c)) throw new TypeError('The value of concurrency is not type of integer.');
            concurrency = Math.max(1, c);
          }
        }
        run.items = { concurrency, status: values.map(() => null), results: values.map(() => null) };
        if (values.length === 0) {
          this.complete(run, 'succeeded', []);
          return;
        }
        this.scheduleItems(run, delay);
        return;
      }
      const { action, input } = this.renderAction(task, ctx);
      this.commands.push({ type: 'schedule', taskId: run.id, taskName: run.name, action, input, ...(delay ? { delaySeconds: delay } : {}) });
    } catch (e) {
      run.status = 'failed';
      this.logError({ message: errorMessage(e), task_id: run.name, route: run.route });
      this.failWorkflow();
    }
  }

  /** Schedule not-yet-started items up to the concurrency limit. Throws on rendering errors. */
  private scheduleItems(run: TaskRun, delay?: number): void {
    const task = this.spec.tasks[run.name];
    const items = run.items as NonNullable<TaskRun['items']>;
    const ctx = this.mergeCtx(run.ctxs);
    this.currentRoute = run.route;
    const values = this.itemValues(task, ctx);
    let active = items.status.filter((s) => s === 'running').length;
    for (let i = 0; i < items.status.length; i++) {
      if (items.concurrency !== null && active >= items.concurrency) break;
      if (items.status[i] !== null) continue;
      // A page per step; the rest follows as items complete (each completion schedules again), so one always runs.
      if (active > 0 && (this.itemsThisStep >= ITEMS_PER_STEP || this.itemBytesThisStep >= ITEM_BYTES_PER_STEP)) break;
      const { action, input } = this.renderAction(task, ctx, { value: values[i] });
      items.status[i] = 'running';
      active++;
      this.itemsThisStep++;
      this.itemBytesThisStep += Buffer.byteLength(JSON.stringify(input));
      this.commands.push({ type: 'schedule', taskId: run.id, taskName: run.name, action, input, itemIndex: i, ...(delay ? { delaySeconds: delay } : {}) });
    }
  }

  // ---- completion ------------------------------------------------------------------------

  itemCompleted(run: TaskRun, index: number, status: TaskRunStatus, result: unknown): void {
    const items = run.items as NonNullable<TaskRun['items']>;
    items.status[index] = status;
    items.results[index] = result;
    if (status === 'failed') this.logError({ message: EXECUTION_FAILED, task_id: run.name, route: run.route, result });
    const notStarted = items.status.some((s) => s === null);
    if (this.state.status === 'running' && notStarted) {
      try {
        this.scheduleItems(run);
      } catch (e) {
        this.logError({ message: errorMessage(e), task_id: run.name, route: run.route });
        this.failWorkflow();
      }
    }
    if (items.status.some((s) => s === 'running')) return;
    if (items.status.some((s) => s === null) && this.state.status === 'running') return;
    let final: TaskRunStatus = 'succeeded';
    if (items.status.some((s) => s === 'canceled')) final = 'canceled';
    else if (items.status.some((s) => s === 'failed')) final = 'failed';
    else if (items.status.some((s) => s === null)) final = this.state.status === 'failed' ? 'failed' : 'canceled';
    this.complete(run, final, items.results.slice(), true);
  }

  /** A run reached a terminal status: retry, publish, transition, update the workflow status. */
  complete(run: TaskRun, status: TaskRunStatus, result: unknown, itemsLogged = false): void {
    const task = this.spec.tasks[run.name];
    this.currentRoute = run.route;
    run.status = status;
    if (!run.items) run.result = result;
    this.lastCompleted = run;
    const taskCtx = this.mergeCtx(run.ctxs);
    const ectx = (ctx: Record<string, unknown>): ExpressionContext =>
      this.exprCtx(ctx, { result, currentTaskStatus: status, currentTaskName: run.name });

    // Retry.
    const retry = this.spec.graph.retry[run.name];
    if (retry && this.state.status === 'running' && status !== 'canceled') {
      try {
        const count = typeof retry.count === 'string' ? evaluate(retry.count, this.exprCtx(taskCtx)) : retry.count;
        if (typeof count !== 'number' || !Number.isInteger(count)) throw new TypeError(`The retry count for task "${run.name}" is not an integer.`);
        const attempt = run.attempt ?? 0;
        const wanted = attempt < count && (retry.when === undefined ? status === 'failed' : Boolean(evaluate(retry.when, ectx(taskCtx))));
        if (wanted) {
          const delay = typeof retry.delay === 'string' ? evaluate(retry.delay, this.exprCtx(taskCtx)) : retry.delay;
          if (delay !== undefined && (typeof delay !== 'number' || !Number.isInteger(delay))) {
            throw new TypeError(`The retry delay for task "${run.name}" is not an integer.`);
          }
          run.retried = true;
          const next = this.newRun(run.name, run.route, run.ctxs, attempt + 1);
          this.launch(next, (delay as number | undefined) ?? 0);
          return;
        }
      } catch (e) {
        this.logError({ message: errorMessage(e), task_id: run.name, route: run.route });
        this.failWorkflow();
      }
    }

    if (status === 'failed' && !itemsLogged) this.logError({ message: EXECUTION_FAILED, task_id: run.name, route: run.route, result });

    // Transitions.
    let hasNext = false;
    let manualFail = false;
    const staged: TaskRun[] = [];
    const satisfied: string[] = [];
    if (task.next.length === 0) run.term = true;
    task.next.forEach((t, index) => {
      const transitionId = `${t.do[0]}__t${index}`;
      let met: boolean;
      try {
        met = t.when === undefined ? true : Boolean(evaluate(t.when, ectx(taskCtx)));
      } catch (e) {
        this.logError({ message: errorMessage(e), task_id: run.name, route: run.route, task_transition_id: transitionId });
        this.failWorkflow();
        return;
      }
      if (!met) return;
      const rolling = { ...taskCtx };
      const published: Record<string, unknown> = {};
      try {
        for (const p of t.publish) {
          const v = renderValue(p.value, ectx(rolling));
          rolling[p.name] = v;
          published[p.name] = v;
        }
      } catch (e) {
        this.logError({ message: errorMessage(e), task_id: run.name, route: run.route, task_transition_id: transitionId });
        this.failWorkflow();
        return;
      }
      let outCtxs = run.ctxs;
      if (Object.keys(published).length > 0) {
        this.state.contexts.push(published);
        outCtxs = [...run.ctxs, this.state.contexts.length - 1];
      }
      for (const target of t.do) {
        if (target === 'retry') continue;
        satisfied.push(`${target}__t${index}`);
        if (isEngineCommand(target)) {
          const pseudo: TaskRun = { id: target, name: target, route: run.route, ctxs: outCtxs, status: target === 'fail' ? 'failed' : 'succeeded', term: true, cmd: true };
          this.state.runs.push(pseudo);
          if (target !== 'continue') hasNext = true;
          if (target === 'fail') {
            manualFail = true;
            this.logError({ message: EXECUTION_FAILED, task_id: 'fail', route: run.route });
          }
          continue;
        }
        hasNext = true;
        const nextTask = this.spec.tasks[target];
        const route = this.evaluateRoute(target, run.name, index, run.route);
        if (nextTask.join !== undefined) {
          let barrier = this.state.barriers.find((b) => b.name === target && b.route === route);
          if (barrier?.fired && barrier.arrived.includes(run.name)) {
            // A branch arrives again after the join ran (a loop around the join): start a new round.
            this.state.barriers = this.state.barriers.filter((b) => b !== barrier);
            barrier = undefined;
          }
          if (!barrier) {
            barrier = { name: target, route, ctxs: [...outCtxs], arrived: [] };
            this.state.barriers.push(barrier);
          } else {
            barrier.ctxs.push(...outCtxs.filter((c) => c !== 0));
          }
          if (!barrier.arrived.includes(run.name)) barrier.arrived.push(run.name);
          const inboundTasks = new Set(this.spec.graph.inbound[target].map((e) => e.from)).size;
          const required = nextTask.join === 'all' ? inboundTasks : nextTask.join;
          if (!barrier.fired && barrier.arrived.length >= required) {
            // Fires once; later arrivals (join: N with more inbound branches) are recorded and ignored.
            barrier.fired = true;
            staged.push(this.newRun(target, route, barrier.ctxs));
          }
        } else {
          staged.push(this.newRun(target, route, outCtxs));
        }
      }
    });
    if (satisfied.length > 0) run.next = satisfied;

    // Workflow status (orquesta's workflow state machine, reduced to the statuses we have).
    if (status === 'canceled') {
      if (this.state.status === 'running' || this.state.status === 'failed') this.state.status = 'canceling';
    } else if (status === 'failed' && !hasNext) {
      this.failWorkflow();
    }
    if (manualFail) this.failWorkflow();

    // Launch what was staged: only while running, or remediation tasks requested along with `fail`.
    for (const next of staged) {
      if (this.state.status === 'running' || (manualFail && this.state.status === 'failed')) this.enqueue(next);
      else this.state.runs = this.state.runs.filter((r) => r !== next);
    }
  }

  private evaluateRoute(target: string, from: string, index: number, prevRoute: number): number {
    if (!this.spec.graph.splits[target]) return prevRoute;
    const old = this.state.routes[prevRoute];
    const id = `${from}__t${index}`;
    if (old.includes(id)) return prevRoute;
    this.state.routes.push([...old, id]);
    return this.state.routes.length - 1;
  }

  // ---- finishing -------------------------------------------------------------------------

  terminalContext(): Record<string, unknown> {
    const terms = this.state.runs.filter((r) => r.term);
    if (terms.length === 0) return {};
    const ctx = this.mergeCtx(terms[0].ctxs);
    for (const t of terms.slice(1)) Object.assign(ctx, this.mergeCtx(t.ctxs.filter((c) => c !== 0)));
    return ctx;
  }

  /** Complete the workflow if nothing is left running (or at once, canceling what runs, when the task run limit was reached). */
  settle(): void {
    if (this.state.done) return;
    if (this.aborted) {
      const active = this.activeRuns();
      if (active.length > 0) this.commands.push({ type: 'cancel', taskIds: active.map((r) => r.id) });
      for (const r of active) {
        r.status = 'canceled';
        if (r.items) r.items.status = r.items.status.map((s) => (s === 'running' ? 'canceled' : s));
      }
    } else if (this.activeRuns().length > 0) return;
    let status: 'succeeded' | 'failed' | 'canceled';
    if (this.state.status === 'running') {
      const unreachable = this.state.barriers.filter((b) => !b.fired);
      if (unreachable.length > 0) {
        for (const b of unreachable) {
          this.logError({ message: `UnreachableJoinError: The join task|route "${b.name}|${b.route}" is partially satisfied but unreachable.`, task_id: b.name, route: b.route });
        }
        status = 'failed';
      } else {
        status = 'succeeded';
      }
    } else if (this.state.status === 'canceling' || this.state.status === 'canceled') {
      status = 'canceled';
    } else {
      status = 'failed';
    }
    if (this.lastCompleted) this.lastCompleted.term = true;
    const output = this.renderOutput();
    if (output.errors && status !== 'canceled') status = 'failed';
    this.state.status = status;
    this.state.done = true;
    this.state.output = output.value;
    this.commands.push({ type: 'complete', status, output: output.value, errors: this.state.errors.slice() });
  }

  renderOutput(): { value: Record<string, unknown> | null; errors: boolean } {
    if (this.spec.output.length === 0) return { value: null, errors: false };
    this.currentRoute = 0;
    const rolling = this.terminalContext();
    const out: Record<string, unknown> = {};
    let errors = false;
    for (const o of this.spec.output) {
      try {
        const v = renderValue(o.value, this.exprCtx(rolling));
        rolling[o.name] = v;
        out[o.name] = v;
      } catch (e) {
        errors = true;
        this.logError({ message: errorMessage(e) });
      }
    }
    return { value: Object.keys(out).length > 0 ? out : null, errors };
  }
}

function copyState(state: WorkflowState): WorkflowState {
  return structuredClone(state);
}

/**
 * Start a workflow: input (runtime values as data, else rendered defaults) then vars, in
 * orquesta's order, and schedule the start tasks. Missing required input (no default) fails the workflow.
 */
export function startWorkflow(spec: WorkflowSpec, input: Record<string, unknown>, meta: StartMeta): ConductorResult {
  const state: WorkflowState = {
    v: 1,
    executionId: meta.executionId,
    status: 'running',
    contexts: [],
    routes: [[]],
    runs: [],
    barriers: [],
    errors: [],
    ...(meta.maxTaskRuns !== undefined ? { maxTaskRuns: meta.maxTaskRuns } : {}),
  };
  const run = new Run(spec, state, meta.st2 ?? {});
  const rolling: Record<string, unknown> = {};
  for (const i of spec.input) {
    try {
      // As orquesta: an input given no value and declaring no default is null (the action's
      // metadata is where `required` is enforced, before the workflow starts). Unlike orquesta,
      // only the default (written in the workflow) is evaluated: a value given at run time is
      // data, whatever it holds, so a caller can never run an expression.
      if (Object.hasOwn(input, i.name) && input[i.name] !== undefined) rolling[i.name] = structuredClone(input[i.name]);
      else rolling[i.name] = i.hasDefault ? renderValue(i.default, run.exprCtx(rolling)) : null;
    } catch (e) {
      run.logError({ message: errorMessage(e) });
    }
  }
  if (state.errors.length === 0) {
    for (const v of spec.vars) {
      try {
        rolling[v.name] = renderValue(v.value, run.exprCtx(rolling));
      } catch (e) {
        run.logError({ message: errorMessage(e) });
      }
    }
  }
  if (state.errors.length > 0) {
    state.status = 'failed';
    state.done = true;
    state.output = null;
    return { state, commands: [{ type: 'complete', status: 'failed', output: null, errors: state.errors.slice() }] };
  }
  state.contexts.push(rolling);
  for (const name of spec.graph.startTasks) run.enqueue(run.newRun(name, 0, [0]));
  run.drain();
  run.settle();
  return { state, commands: run.commands };
}

const STATUS_MAP: Record<string, TaskRunStatus> = {
  succeeded: 'succeeded',
  failed: 'failed',
  timeout: 'failed',
  abandoned: 'failed',
  canceled: 'canceled',
};

/**
 * A child execution finished. Idempotent: an event for a task (or item) that is not running
 * any more is ignored and yields no commands.
 */
export function onTaskCompleted(spec: WorkflowSpec, state: WorkflowState, event: TaskCompletedEvent): ConductorResult {
  if (state.done) return { state, commands: [], ignored: 'workflow already completed' };
  const found = state.runs.find((r) => r.id === event.taskId && !r.cmd);
  if (!found) return { state, commands: [], ignored: `unknown task id "${event.taskId}"` };
  if (found.status !== 'running' || found.retried) return { state, commands: [], ignored: `task "${event.taskId}" already completed` };
  const status = STATUS_MAP[event.status];
  if (!status) throw new TypeError(`invalid task completion status "${event.status}"`);
  if (found.items) {
    const i = event.itemIndex;
    if (i === undefined || !Number.isInteger(i) || found.items.status[i] !== 'running') {
      return { state, commands: [], ignored: `item ${String(i)} of task "${event.taskId}" is not running` };
    }
  }

  const next = copyState(state);
  const run = new Run(spec, next, {});
  const target = next.runs.find((r) => r.id === event.taskId && !r.cmd) as TaskRun;
  const wasActive = next.status;
  if (target.items) run.itemCompleted(target, event.itemIndex as number, status, event.result ?? null);
  else run.complete(target, status, event.result ?? null);
  run.drain();
  if (next.status === 'canceling' && wasActive !== 'canceling') {
    const others = run.activeRuns().map((r) => r.id);
    if (others.length > 0) run.commands.push({ type: 'cancel', taskIds: others });
  }
  run.settle();
  return { state: next, commands: run.commands };
}

/** Cancel the workflow: nothing new starts, running children are asked to cancel; it ends `canceled` once they have all completed. */
export function cancelWorkflow(spec: WorkflowSpec, state: WorkflowState): ConductorResult {
  if (state.done) return { state, commands: [], ignored: 'workflow already completed' };
  if (state.status === 'canceling') return { state, commands: [], ignored: 'workflow already canceling' };
  const next = copyState(state);
  const run = new Run(spec, next, {});
  next.status = 'canceling';
  const active = run.activeRuns().map((r) => r.id);
  if (active.length > 0) run.commands.push({ type: 'cancel', taskIds: active });
  run.settle();
  return { state: next, commands: run.commands };
}

/** Every task run (and item) for a `--show-tasks` tree, in the order they started. */
export function taskStatuses(state: WorkflowState): TaskStatusEntry[] {
  const out: TaskStatusEntry[] = [];
  for (const r of state.runs) {
    if (r.cmd) continue;
    const entry: TaskStatusEntry = { name: r.name, taskId: r.id, route: r.route, status: r.status };
    if (r.attempt) entry.attempt = r.attempt;
    out.push(entry);
    r.items?.status.forEach((s, i) => {
      out.push({ name: r.name, taskId: r.id, route: r.route, status: s ?? 'pending', itemIndex: i });
    });
  }
  return out;
}

/** Static action references of the workflow (tasks whose action is an expression are left out), for the engine to check at start. */
export function actionRefs(spec: WorkflowSpec): Array<{ task: string; action: string }> {
  const out: Array<{ task: string; action: string }> = [];
  for (const t of Object.values(spec.tasks)) {
    if (t.action && !isExpression(t.action)) out.push({ task: t.name, action: t.action });
  }
  return out;
}
