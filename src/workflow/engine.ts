import { isWorkflowRunner } from '../actions/runner-parameters.ts';
import type { ActionCatalog, ActionDefinition } from '../actions/types.ts';
import type { AwsClients } from '../config/clients.ts';
import { DEFAULT_API_URL, type Config } from '../config/index.ts';
import type { WorkflowDriver } from '../dispatch/types.ts';
import type { Logger } from '../log/index.ts';
import { NotFoundError, ValidationError } from '../model/errors.ts';
import type { Execution } from '../model/execution.ts';
import { CLAIMABLE_STATUSES, isTerminal } from '../model/status.ts';
import type { TaskCompletedMessage } from '../queue/messages.ts';
import type { WorkQueue } from '../queue/work-queue.ts';
import type { ExecutionService } from '../request/service.ts';
import { recordOf } from '../store/errors.ts';
import { notifyParent } from '../queue/notify-parent.ts';
import { secretParameterNames } from '../actions/resolve.ts';
import { sleep } from '../shared/timers.ts';
import type { ExecutionStore } from '../store/executions.ts';
import { childKey, WorkflowChildren } from '../store/workflow-children.ts';
import { workflowSt2Context } from './st2-context.ts';
import {
  cancelWorkflow,
  fromStored,
  RerunError,
  rerunWorkflow,
  ITEM_BYTES_PER_STEP,
  ITEMS_PER_STEP,
  onTaskCompleted,
  startWorkflow,
  toStored,
} from './conductor/index.ts';
import type { Command, ConductorResult, ScheduleCommand, TaskRun, WorkflowState } from './conductor/index.ts';
import { UnknownWorkflowError } from './errors.ts';
import { DatastoreSnapshot, DEFAULT_USER, type KeyValueStore } from '../datastore/index.ts';
import { EventBatcher } from './event-batcher.ts';
import { loadWorkflow, WorkflowSpecError, type WorkflowSpec } from './spec/index.ts';
import { inspectTaskContents, st2InspectionErrors, type InspectionIssue, type TaskAction } from './spec/inspect/index.ts';
import { isStale, type WorkflowExecution } from './workflow-record.ts';
import { holdWhilePaused, Pauses } from './pauses.ts';

/** The workflow's whole state and outbox must leave room in its 400 KB item for the rest of the record. */
const STATE_BYTES = 300 * 1024;
/** Child executions created (or canceled) at once while commands are carried out. */
const CARRY_OUT_CONCURRENCY = 16;

export interface WorkflowEngineDeps {
  /** `workflowMaxTaskRuns` bounds every workflow started here; `executionsTable` holds the children; `apiUrl` is `ctx(st2).api_url`. */
  config: Pick<Config, 'workflowMaxTaskRuns' | 'executionsTable'> & Partial<Pick<Config, 'apiUrl'>>;
  clients: Pick<AwsClients, 'doc'>;
  store: ExecutionStore;
  queue: WorkQueue;
  catalog: ActionCatalog;
  service: ExecutionService;
  log: Logger;
  /** The datastore, read once per step of a workflow whose expressions call `st2kv()`. */
  kv?: KeyValueStore;
}

/** Whether a workflow's expressions call `st2kv()` (its spec's text names it). */
const readsDatastore = new WeakMap<WorkflowSpec, boolean>();

/** How long an event keeps trying (conflicts, an outbox being carried out) before it is given back to SQS for redelivery. */
const BUSY_MS = 20_000;

/**
 * Orquesta on the workflows queue. A workflow never holds a slot while its tasks run: each
 * event (start, a task completed, cancel) loads the state from the workflow's record, advances
 * it with the conductor, saves it with a version check (parallel branches retry on conflict),
 * then carries out the commands: child executions on the actions queue (or workflows, for a
 * sub-workflow), cancels, and the workflow's own end. Commands are saved with the state
 * (outbox) and are idempotent; the next step waits until they are carried out, and carries them out
 * itself when they are older than 30 s (their step died), so a crash between the two loses nothing.
 * The events of one workflow that arrive while one of its steps runs here are applied together in
 * the next step (one save). Neither the state nor the outbox grows with a with-items task's size:
 * see `toStored` and the conductor's page of children per step.
 */
export class WorkflowEngine implements WorkflowDriver {
  readonly #specs = new Map<string, Promise<WorkflowSpec>>();
  readonly #children: WorkflowChildren;
  readonly #pauses: Pauses;
  readonly #events = new EventBatcher<TaskCompletedMessage>((id, messages) => this.#applyEvents(id, messages));

  constructor(private readonly deps: WorkflowEngineDeps) {
    this.#children = new WorkflowChildren({ doc: deps.clients.doc, tableName: deps.config.executionsTable });
    this.#pauses = new Pauses({ ...deps, children: this.#children });
  }

  async start(execution: Execution): Promise<void> {
    const workflow = execution as WorkflowExecution;
    if (workflow.status === 'canceling') return this.#advance(workflow.id, undefined, (spec, state) => cancelWorkflow(spec, state));
    if (workflow.status === 'pausing') return this.#pausing(workflow);
    if (workflow.status === 'resuming') return this.#resuming(workflow);
    if (!CLAIMABLE_STATUSES.includes(workflow.status)) {
      await this.#drainStaleOutbox(workflow);
      // A task of it may have just paused or begun waiting (an inquiry): it pauses once all its active tasks wait.
      if (workflow.status === 'running') await this.#pauses.pauseIfAllWait(workflow.id);
      return;
    }

    const action = this.deps.catalog.get(workflow.action);
    let spec: WorkflowSpec;
    let input: Record<string, unknown>;
    try {
      if (!action?.entryPointPath) throw new NotFoundError(`unknown workflow: ${workflow.action} - no workflow action with an entry point`);
      spec = await this.#inspected(action);
      input = (await this.deps.service.prepareWithDatastore(workflow.action, workflow.parameters, workflow.context)).values;
    } catch (error) {
      if (!(error instanceof ValidationError || error instanceof NotFoundError || error instanceof WorkflowSpecError)) throw error;
      // An invalid definition fails with one error per problem, as st2 records its inspection errors.
      const errors = error instanceof WorkflowSpecError ? error.issues : [{ type: 'error', message: error.message }];
      const failed = await this.deps.store.reject(workflow.id, error.message, { result: { errors, output: null } });
      return this.#notifyParent(failed);
    }
    const datastore = await this.#datastore(spec, workflow);
    let started: ConductorResult;
    try {
      started = workflow.context['re-run']
        ? await this.#rerun(spec, workflow, workflow.context['re-run'], datastore)
        : startWorkflow(spec, input, {
            executionId: workflow.id,
            maxTaskRuns: this.deps.config.workflowMaxTaskRuns,
            st2: workflowSt2Context(workflow, this.deps.config.apiUrl ?? DEFAULT_API_URL),
            datastore,
          });
    } catch (error) {
      if (!(error instanceof RerunError)) throw error;
      const failed = await this.deps.store.reject(workflow.id, error.message, {
        result: { errors: [{ type: 'error', message: error.message }], output: null },
      });
      return this.#notifyParent(failed);
    }
    const state = toStored(started.state);
    const commands = started.commands;
    try {
      const size = bytes(state) + bytes(commands);
      if (size > STATE_BYTES) throw new StateTooLargeError(size);
      const running = (await this.deps.store.startWorkflow(workflow.id, {
        workflow_state: state,
        workflow_version: 1,
        workflow_outbox: commands,
        workflow_outbox_at: Date.now(),
      })) as WorkflowExecution;
      await this.#carryOut(running, commands, 1);
    } catch (error) {
      if (error instanceof StateTooLargeError) return this.#tooLarge(workflow, error.bytes);
      // Another delivery started it first: finish what it decided, if anything is left.
      const current = recordOf(error);
      if (!isTerminal(current.status)) await this.#drainStaleOutbox(current as WorkflowExecution);
    }
  }

  /**
   * The state a re-run from some tasks starts with: the state of the workflow it re-runs, those
   * tasks started again (the rest is kept, as st2 keeps the workflow execution of a re-run).
   */
  async #rerun(spec: WorkflowSpec, workflow: WorkflowExecution, request: NonNullable<Execution['context']['re-run']>, datastore?: DatastoreSnapshot) {
    const original = (await this.deps.store.get(request.ref)) as WorkflowExecution | undefined;
    if (!original?.workflow_state) throw new RerunError(`cannot re-run: execution ${request.ref} - no such workflow, or it never started`);
    return rerunWorkflow(spec, fromStored(original.workflow_state), request, { executionId: workflow.id, from: original.id, datastore });
  }

  /** Applied together with the other events of this workflow that arrive while one of its steps runs here (`EventBatcher`). */
  onTaskCompleted(message: TaskCompletedMessage): Promise<void> {
    return this.#events.push(message.workflowId, message);
  }

  /** One step over `messages`, in order, until a page of commands is decided: returns how many it applied (the rest wait for the next step). */
  async #applyEvents(id: string, messages: TaskCompletedMessage[]): Promise<number> {
    // The workflow and the tasks that ended, in one consistent read (BatchGetItem), not one read each.
    const read = this.deps.store.getMany([id, ...messages.map((message) => message.executionId)]);
    const ended = messages.map((message) => read.then((found) => found.get(message.executionId)));
    let consumed = messages.length;
    const first = read.then((found) => found.get(id) as WorkflowExecution | undefined);
    // Awaited in the step (a failed read fails it there), but not all of them when it stops early: never an unhandled rejection.
    for (const pending of [read, first, ...ended]) pending.catch(() => undefined);
    await this.#advance(id, first, async (spec, state, workflow) => {
      let current: ConductorResult = { state, commands: [], ignored: 'no event applied' };
      consumed = messages.length;
      // Read once per step, whatever the number of events applied in it.
      let datastore: Promise<DatastoreSnapshot | undefined> | undefined;
      const readDatastore = () => (datastore ??= this.#datastore(spec, workflow));
      for (let index = 0; index < messages.length; index++) {
        if (current.commands.length >= ITEMS_PER_STEP || bytes(current.commands) >= ITEM_BYTES_PER_STEP) {
          consumed = index;
          break;
        }
        const next = await this.#taskCompleted(spec, current.state, workflow, messages[index], await ended[index], readDatastore);
        if (next.ignored && next.commands.length === 0) {
          this.deps.log.debug('workflow event ignored', { executionId: id, reason: next.ignored });
          continue;
        }
        current = { state: next.state, commands: [...current.commands, ...next.commands] };
      }
      return current;
    });
    return consumed;
  }

  /** The conductor's step for one child that ended. */
  async #taskCompleted(
    spec: WorkflowSpec,
    state: WorkflowState,
    workflow: WorkflowExecution,
    message: TaskCompletedMessage,
    child: Execution | undefined,
    readDatastore: () => Promise<DatastoreSnapshot | undefined>,
  ): Promise<ConductorResult> {
    if (!child || !isTerminal(child.status)) return { state, commands: [], ignored: `child ${message.executionId} has not ended` };
    const event = { taskId: message.taskId, status: child.status as never, result: child.result, itemIndex: child.context.itemIndex };
    const datastore = await readDatastore();
    const advance = (from: WorkflowState): ConductorResult => {
      // A cancel recorded on the workflow but not yet seen by the conductor comes first.
      const current = workflow.status === 'canceling' && from.status !== 'canceling' ? cancelWorkflow(spec, from) : { state: from, commands: [] };
      const next = onTaskCompleted(spec, current.state, event, { datastore });
      return { ...next, commands: [...current.commands, ...next.commands], ignored: current.commands.length > 0 ? undefined : next.ignored };
    };
    const result = advance(state);
    // The last item of a with-items task ended: its result list is read from its children, then the step is taken again with it.
    const before = state.runs.find((run) => run.id === message.taskId && !run.cmd);
    const after = result.state.runs.find((run) => run.id === message.taskId && !run.cmd);
    if (!before?.items || before.status !== 'running' || !after || after.status === 'running') return result;
    const filled = structuredClone(state);
    const run = filled.runs.find((r) => r.id === message.taskId && !r.cmd) as TaskRun;
    (run.items as NonNullable<TaskRun['items']>).results = await this.#itemResults(workflow.id, run, { ...event, result: child.result ?? null });
    return advance(filled);
  }

  /**
   * A with-items task's results, in item order, from its children's executions (the index first,
   * then, for an item it does not show ended yet, the child itself, found by its key).
   */
  async #itemResults(workflowId: string, run: TaskRun, last: { itemIndex?: number; result: unknown }): Promise<unknown[]> {
    const statuses = (run.items as NonNullable<TaskRun['items']>).status;
    const results: unknown[] = statuses.map(() => null);
    const found = new Set<number>();
    for await (const child of this.#children.list(workflowId, { taskId: run.id, results: true })) {
      if (child.itemIndex === undefined || child.itemIndex >= results.length || !isTerminal(child.status)) continue;
      results[child.itemIndex] = child.result ?? null;
      found.add(child.itemIndex);
    }
    if (last.itemIndex !== undefined) {
      results[last.itemIndex] = last.result;
      found.add(last.itemIndex);
    }
    for (let index = 0; index < statuses.length; index++) {
      if (statuses[index] === null || statuses[index] === 'running' || found.has(index)) continue;
      // An item a re-run kept ran in an earlier workflow execution.
      let id: string | undefined;
      for (const from of [workflowId, ...(run.items?.from ?? [])]) if ((id = await this.#children.idOf(childKey(from, run.id, index)))) break;
      const child = id ? await this.deps.store.get(id) : undefined;
      if (!child || !isTerminal(child.status))
        throw new Error(
          `workflow busy: ${workflowId} - item ${index} of task "${run.id}" ended, its execution does not show it yet; the event will be redelivered`,
        );
      results[index] = child.result ?? null;
    }
    return results;
  }

  /** Loads (the first time from `first` when given, a read made already), advances and saves the state until the save wins, then carries out the commands. */
  async #advance(
    id: string,
    first: Promise<WorkflowExecution | undefined> | undefined,
    step: (spec: WorkflowSpec, state: WorkflowState, workflow: WorkflowExecution) => ConductorResult | Promise<ConductorResult>,
  ): Promise<void> {
    const until = Date.now() + BUSY_MS;
    for (let attempt = 0; Date.now() < until; attempt++) {
      const workflow = attempt === 0 && first ? await first : ((await this.deps.store.get(id)) as WorkflowExecution | undefined);
      if (!workflow) throw new UnknownWorkflowError(`unknown workflow: execution ${id} - no such record`, { context: { executionId: id } });
      if (!isWorkflowRunner(workflow.runner)) {
        throw new UnknownWorkflowError(`not a workflow: execution ${id} - it is a ${workflow.runner} execution of ${workflow.action}, not an orquesta one`, {
          context: { executionId: id },
        });
      }
      // Already ended: make sure its parent heard of it (the notice may have been lost in a crash).
      if (isTerminal(workflow.status)) return this.#notifyParent(workflow);
      if (!workflow.workflow_state) return;
      if (workflow.workflow_outbox?.length) {
        // The previous step's commands first: wait for its step to carry them out, or do it when that step died.
        if (isStale(workflow)) await this.#drainOutbox(workflow);
        else await sleep(50 + Math.random() * 200);
        continue;
      }
      const action = this.deps.catalog.get(workflow.action);
      if (!action) throw new NotFoundError(`unknown workflow: ${workflow.action}`);
      const result = await step(await this.#spec(action), fromStored(workflow.workflow_state), workflow);
      if (result.ignored && result.commands.length === 0) {
        this.deps.log.debug('workflow event ignored', { executionId: id, reason: result.ignored });
        return;
      }
      const version = workflow.workflow_version ?? 0;
      // Paused or pausing: no new task starts, its schedules are held on the record until it resumes.
      const { commands, held } = holdWhilePaused(workflow, result.commands);
      const state = toStored(result.state);
      const size = bytes(state) + bytes(commands) + bytes(held);
      if (size > STATE_BYTES) return this.#tooLarge(workflow, size);
      const saved = await this.deps.store.updateVersioned(
        id,
        'workflow_version',
        version,
        { workflow_state: state, workflow_outbox: commands, workflow_outbox_at: Date.now(), ...(held ? { workflow_held: held } : {}) },
        true,
        workflow.status,
      );
      if (saved) {
        await this.#carryOut({ ...workflow, workflow_state: state }, commands, version + 1);
        return this.#pauses.afterStep(workflow, commands);
      }
      await sleep(Math.random() * Math.min(1000, 10 * 2 ** attempt)); // many containers on one workflow: losers wait longer, not work more
    }
    throw new Error(`workflow busy: ${id} - state kept changing for ${BUSY_MS / 1000} s; the event will be redelivered`);
  }

  /** A pause was recorded: running sub-workflows pause too, and it is `paused` once nothing of it runs. */
  async #pausing(workflow: WorkflowExecution): Promise<void> {
    await this.#drainStaleOutbox(workflow);
    await this.#pauses.cascade(workflow.id, 'pause');
    await this.#pauses.pausedIfQuiet(workflow.id);
  }

  /**
   * A resume was recorded: its paused sub-workflows resume, the schedules it held are saved as its
   * outbox and carried out (one versioned step: a crash in between leaves them on the record), then it
   * runs again; its paused parent resumes too (st2 resumes the parent of a sub-workflow resumed alone).
   */
  async #resuming(workflow: WorkflowExecution): Promise<void> {
    await this.#pauses.cascade(workflow.id, 'resume');
    await this.#advance(workflow.id, undefined, (_spec, state, current) =>
      current.status === 'resuming' ? { state, commands: [] } : { state, commands: [], ignored: `workflow is ${current.status}, not resuming` },
    );
    let running: Execution;
    try {
      running = await this.deps.store.resumed(workflow.id);
    } catch (error) {
      const current = recordOf(error) as WorkflowExecution;
      // Another step got there first: it runs again, or its released tasks already ran it to its end while
      // it was resuming. Either way a paused parent must hear of it (it holds this task's completion);
      // only a workflow paused again meanwhile leaves its parent as it is.
      if (current.status !== 'running' && !isTerminal(current.status)) return;
      running = current;
    }
    this.deps.log.info('workflow resumed', { executionId: workflow.id });
    await this.#pauses.resumeParent(running);
    await this.#pauses.pauseIfAllWait(workflow.id);
  }

  async #drainStaleOutbox(workflow: WorkflowExecution): Promise<void> {
    if (isStale(workflow)) await this.#drainOutbox(workflow);
  }

  async #drainOutbox(workflow: WorkflowExecution): Promise<void> {
    if (workflow.workflow_outbox?.length) await this.#carryOut(workflow, workflow.workflow_outbox, workflow.workflow_version ?? 0);
  }

  async #carryOut(workflow: WorkflowExecution, commands: Command[], version: number): Promise<void> {
    await mapLimit(
      commands.filter((command) => command.type === 'schedule'),
      CARRY_OUT_CONCURRENCY,
      (command) => this.#schedule(workflow, command),
    );
    let ended = false;
    for (const command of commands) {
      if (command.type === 'cancel') await this.#cancelChildren(workflow, command.taskIds);
      else if (command.type === 'complete') {
        await this.#complete(workflow, command.status, { output: command.output, ...(command.errors.length ? { errors: command.errors } : {}) });
        ended = true;
      }
    }
    // Done: forget them, unless a newer state (with its own outbox) was saved meanwhile. The write that ended the workflow forgot them already.
    if (commands.length > 0 && !ended) await this.deps.store.updateVersioned(workflow.id, 'workflow_version', version, { workflow_outbox: [] }, false);
  }

  /** Creates the task's child execution (with the id planned for it: idempotent) and queues it. */
  async #schedule(workflow: WorkflowExecution, command: ScheduleCommand): Promise<void> {
    const context = {
      parent: workflow.id,
      parentAction: workflow.action,
      ...(workflow.context.user === undefined ? {} : { user: workflow.context.user }),
      task: command.taskName,
      taskId: command.taskId,
      ...(command.itemIndex !== undefined ? { itemIndex: command.itemIndex } : {}),
    };
    const idempotencyKey = childKey(workflow.id, command.taskId, command.itemIndex);
    let prepared;
    try {
      prepared = await this.deps.service.prepareWithDatastore(command.action, command.input, context);
    } catch (error) {
      if (!(error instanceof ValidationError || error instanceof NotFoundError)) throw error;
      // The task fails with the reason, as an execution the user can see.
      const { execution } = await this.deps.store.create({
        action: command.action,
        runner: this.deps.catalog.get(command.action)?.runner_type ?? 'unknown',
        parameters: command.input,
        secretParameters: secretParameterNames(this.deps.catalog.get(command.action)?.parameters),
        context,
        idempotencyKey,
        status: 'failed',
        error: error.message,
        result: { error: error.message },
      });
      return this.#notifyParent(execution);
    }
    const delaySeconds = command.delaySeconds ?? 0;
    const { execution, created } = await this.deps.store.create({
      action: prepared.action.ref,
      runner: prepared.action.runner_type,
      parameters: command.input,
      secretParameters: prepared.secretNames,
      context: delaySeconds > 0 ? { ...context, notBefore: Date.now() + delaySeconds * 1000 } : context,
      idempotencyKey,
      ...(delaySeconds > 0 ? { status: 'delayed' as const } : {}),
    });
    if (created || CLAIMABLE_STATUSES.includes(execution.status)) await this.deps.service.enqueue(execution);
    else if (isTerminal(execution.status)) await this.#notifyParent(execution);
  }

  /** Cancels the running children of these task runs: found through the byParent index, and a single task's child also by its key (the index may lag). */
  async #cancelChildren(workflow: WorkflowExecution, taskIds: string[]): Promise<void> {
    const wanted = new Set(taskIds);
    const running: string[] = [];
    const seen = new Set<string>();
    for await (const child of this.#children.list(workflow.id)) {
      if (child.taskId === undefined || !wanted.has(child.taskId)) continue;
      seen.add(child.id);
      if (!isTerminal(child.status)) running.push(child.id);
    }
    for (const taskId of taskIds) {
      const id = await this.#children.idOf(childKey(workflow.id, taskId));
      if (id && !seen.has(id)) running.push(id);
    }
    await mapLimit(running, CARRY_OUT_CONCURRENCY, (id) => this.deps.service.cancel(id));
  }

  /** The state outgrew its item: the workflow fails with the reason instead of retrying a write that cannot succeed. */
  async #tooLarge(workflow: WorkflowExecution, size: number): Promise<void> {
    const message = `workflow state too large: ${Math.round(size / 1024)} KB exceeds the ${STATE_BYTES / 1024} KB an execution item can hold - publish less, or split the workflow`;
    this.deps.log.error('workflow failed', { executionId: workflow.id, error: message });
    await this.#complete(workflow, 'failed', { output: null, errors: [{ type: 'error', message }] });
  }

  /**
   * Ends the workflow (its outbox forgotten in the same write: nothing carries out a terminal workflow's
   * commands) and tells its parent.
   */
  async #complete(workflow: WorkflowExecution, status: 'succeeded' | 'failed' | 'canceled', result: Record<string, unknown>): Promise<void> {
    const errors = result.errors as Array<{ message: string }> | undefined;
    try {
      const set = { result, workflow_outbox: null, ...(errors?.length ? { error: errors.map((error) => error.message).join('; ') } : {}) };
      // Still waiting: its state could not be saved at start.
      const ended =
        CLAIMABLE_STATUSES.includes(workflow.status) && status === 'failed'
          ? await this.deps.store.reject(workflow.id, set.error ?? 'workflow failed before it started', { result, workflow_outbox: null })
          : await this.deps.store.endWorkflow(workflow.id, status, set, workflow);
      this.deps.log.info('workflow ended', { executionId: workflow.id, action: workflow.action, status });
      await this.#notifyParent(ended);
    } catch (error) {
      const current = recordOf(error);
      if (!isTerminal(current.status)) throw error;
      await this.#notifyParent(current);
    }
  }

  #notifyParent(execution: Execution): Promise<void> {
    return notifyParent(this.deps.queue, execution);
  }

  /** The datastore as it is now (system scope and the workflow user's), when the workflow's expressions call `st2kv()`. */
  async #datastore(spec: WorkflowSpec, workflow: Pick<Execution, 'context'>): Promise<DatastoreSnapshot | undefined> {
    if (!this.deps.kv) return undefined;
    let reads = readsDatastore.get(spec);
    if (reads === undefined) readsDatastore.set(spec, (reads = /\bst2kv\s*\(/.test(JSON.stringify(spec))));
    return reads ? DatastoreSnapshot.load(this.deps.kv, workflow.context.user ?? DEFAULT_USER) : undefined;
  }

  /**
   * The workflow's spec once it passed orquesta's inspection and st2's inspection of task
   * contents (actions registered, inputs as they declare); otherwise a WorkflowSpecError with
   * every problem, sorted as st2 sorts them.
   */
  async #inspected(action: ActionDefinition): Promise<WorkflowSpec> {
    let spec: WorkflowSpec | undefined;
    let issues: InspectionIssue[] = [];
    let tasks: TaskAction[];
    try {
      spec = await this.#spec(action);
      tasks = Object.values(spec.tasks);
    } catch (error) {
      if (!(error instanceof WorkflowSpecError)) throw error;
      issues = error.issues;
      tasks = error.tasks;
    }
    const all = st2InspectionErrors(issues, inspectTaskContents(tasks, this.deps.catalog));
    if (spec && all.length === 0) return spec;
    throw new WorkflowSpecError(action.entryPointPath!, all);
  }

  #spec(action: ActionDefinition): Promise<WorkflowSpec> {
    const file = action.entryPointPath!;
    let spec = this.#specs.get(file);
    if (!spec) {
      spec = loadWorkflow(file);
      spec.catch(() => this.#specs.delete(file));
      this.#specs.set(file, spec);
    }
    return spec;
  }
}

/** The state (and outbox) of a workflow cannot fit on its item. */
class StateTooLargeError extends Error {
  constructor(readonly bytes: number) {
    super(`workflow state too large: ${bytes} bytes`);
  }
}

function bytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '');
}

/** Runs `fn` over `items`, at most `limit` at once. */
async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
