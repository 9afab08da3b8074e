import { isWorkflowRunner } from '../actions/runner-parameters.ts';
import { actionContext, assertFitsProcess, resolveParameters, unavailableError } from '../actions/index.ts';
import type { ActionDefinition } from '../actions/types.ts';
import type { Config } from '../config/index.ts';
import { NotFoundError, ValidationError } from '../model/errors.ts';
import type { Execution, ExecutionContext } from '../model/execution.ts';
import { CLAIMABLE_STATUSES, isTerminal, type ExecutionStatus } from '../model/status.ts';
import type { WorkQueue } from '../queue/work-queue.ts';
import { ACTION_ATTRIBUTE } from '../queue/messages.ts';
import { notifyParent } from '../queue/notify-parent.ts';
import { TransitionConflictError } from '../store/errors.ts';
import type { ExecutionStore } from '../store/executions.ts';
import type { ActionCatalog } from '../actions/types.ts';
import { readsDatastore, readsPackConfig } from '../actions/resolve.ts';
import { planTaskRerun } from '../workflow/rerun-request.ts';
import { loadPackConfig, type LoadedPackConfig } from '../pack-config/store.ts';
import { DatastoreSnapshot, DEFAULT_USER, type KeyValueStore } from '../datastore/index.ts';

/** readsDatastore, true on an invalid template: prepare then reports it as resolveParameters does. */
function readsDatastoreOrError(action: ActionDefinition): boolean {
  try {
    return readsDatastore(action);
  } catch {
    return false;
  }
}

/** Whether preparing `action` needs its pack's config: its templates read config_context (runners that hand it to the action read it when they run). */
function readsPackConfigOrError(action: ActionDefinition): boolean {
  try {
    return readsPackConfig(action);
  } catch {
    return false;
  }
}

export interface ExecutionRequest {
  /** Action ref, `pack.name`. */
  action: string;
  parameters?: Record<string, unknown>;
  /** A second request with the same key returns the first execution instead of creating another. */
  idempotencyKey?: string;
  context?: ExecutionContext;
}

/** A validated request: the action and its final parameter values. */
export interface PreparedRequest {
  action: ActionDefinition;
  values: Record<string, unknown>;
  secretNames: string[];
  commandEnv: Record<string, string>;
  /** Plaintexts of encrypted datastore keys the parameter templates decrypted, and the pack config's secret values: masked like secret parameters. */
  datastoreSecrets?: string[];
  /** The pack's config (schema defaults filled in): python's `self.config`, node's `context.config`. */
  packConfig?: Record<string, unknown>;
}

export interface ExecutionServiceDeps {
  config: Config;
  store: ExecutionStore;
  queue: Pick<WorkQueue, 'send'>;
  catalog: ActionCatalog;
  /** The datastore, read when a parameter template names `st2kv`. */
  kv?: KeyValueStore;
}

/** What pause and resume move a workflow from, through and (when nothing is left to do) to. */
const CONTROLS = {
  pause: { from: ['running'], during: 'pausing', done: 'paused', only: 'a running workflow pauses' },
  resume: { from: ['pausing', 'paused'], during: 'resuming', done: undefined, only: 'a pausing or paused workflow resumes' },
} as const satisfies Record<string, { from: readonly ExecutionStatus[]; during: ExecutionStatus; done: ExecutionStatus | undefined; only: string }>;

/** Requests, cancels and re-runs executions: what the CLI, an API and the workflow engine call. */
export class ExecutionService {
  constructor(private readonly deps: ExecutionServiceDeps) {}

  /**
   * Validates the action and its parameters against its metadata; `context` is the execution's
   * (what templates read as `action_context`).
   * @throws NotFoundError for an unknown action, ValidationError for anything else wrong.
   */
  prepare(
    ref: string,
    given: Record<string, unknown>,
    context: ExecutionContext = {},
    datastore?: DatastoreSnapshot,
    packConfig?: LoadedPackConfig,
  ): PreparedRequest {
    const action = this.deps.catalog.get(ref);
    const unavailable = action ? undefined : this.deps.catalog.unavailable?.(ref);
    if (unavailable) throw unavailableError(unavailable);
    if (!action) throw new NotFoundError(`unknown action: ${ref} - no pack provides it (try "actionrunner action list")`, { context: { action: ref } });
    if (!action.enabled) throw new ValidationError(`action disabled: ${ref} - its metadata says enabled: false`, { context: { action: ref } });
    const resolved = resolveParameters(action, given, { actionContext: actionContext(action, context), datastore, packConfig });
    assertFitsProcess(action, resolved.values, resolved.commandEnv ?? {});
    if (!isWorkflowRunner(action.runner_type)) this.#checkTimeoutFits(action, resolved.values);
    return { action, ...resolved, commandEnv: resolved.commandEnv ?? {}, ...(packConfig ? { packConfig: packConfig.config } : {}) };
  }

  /**
   * `prepare`, after reading the datastore when a parameter template names `st2kv` (the system
   * scope and the scope of the context's user, st2's `stanley` when none is given).
   */
  async prepareWithDatastore(ref: string, given: Record<string, unknown>, context: ExecutionContext = {}): Promise<PreparedRequest> {
    const action = this.deps.catalog.get(ref);
    let datastore: DatastoreSnapshot | undefined;
    if (action && this.deps.kv && readsDatastoreOrError(action)) datastore = await DatastoreSnapshot.load(this.deps.kv, context.user ?? DEFAULT_USER);
    const packConfig = action && this.deps.kv && readsPackConfigOrError(action) ? await loadPackConfig(this.deps.kv, action.pack, action.packPath) : undefined;
    return this.prepare(ref, given, context, datastore, packConfig);
  }

  /** Creates the execution and sends it to its queue (workflows for workflow runners, else actions). */
  async request(request: ExecutionRequest): Promise<{ execution: Execution; created: boolean }> {
    const given = request.parameters ?? {};
    const prepared = await this.prepareWithDatastore(request.action, given, request.context);
    const created = await this.deps.store.create({
      action: prepared.action.ref,
      runner: prepared.action.runner_type,
      parameters: given,
      secretParameters: prepared.secretNames,
      context: request.context,
      idempotencyKey: request.idempotencyKey,
    });
    // Also when the key was used before but its execution never got its message (a crash in between).
    if (created.created || created.execution.status === 'requested') await this.enqueue(created.execution);
    return created;
  }

  /**
   * Sends an existing execution to its queue (an action's with its action ref), delayed until its `context.notBefore` (SQS delays
   * stop at 900 s: a message that arrives early is sent again, see `isEarly` in src/dispatch/decide.ts). When sending fails,
   * the execution is failed with the reason.
   */
  async enqueue(execution: Pick<Execution, 'id' | 'action' | 'runner' | 'context'>): Promise<void> {
    const kind = isWorkflowRunner(execution.runner) ? 'workflows' : 'actions';
    const delaySeconds = Math.ceil(Math.max(0, Number(execution.context.notBefore ?? 0) - Date.now()) / 1000);
    try {
      // Its action named in a message attribute: the actions function may claim it on arrival, without reading it
      // first. Not in the body, which a function of the release before reads strictly (during a deploy or a rollback).
      const attributes: Record<string, string> = kind === 'actions' ? { [ACTION_ATTRIBUTE]: execution.action } : {};
      await this.deps.queue.send(kind, { executionId: execution.id }, delaySeconds, attributes);
    } catch (error) {
      await this.deps.store.reject(execution.id, `could not enqueue: ${kind} queue - ${(error as Error).message}`).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Cancels: an execution that has not started is `canceled` at once; a running one becomes
   * `canceling` and its runner kills the process tree within one heartbeat.
   */
  async cancel(id: string): Promise<Execution> {
    const current = await this.deps.store.get(id);
    if (!current) throw new NotFoundError(`unknown execution: ${id}`);
    if (isTerminal(current.status)) return current;
    if (current.status === 'canceling') {
      // Asking again re-sends what a workflow's engine needs to hear (the first notice may have been lost).
      if (isWorkflowRunner(current.runner)) await this.deps.queue.send('workflows', { executionId: id });
      return current;
    }
    try {
      if (CLAIMABLE_STATUSES.includes(current.status)) {
        return await this.deps.store.cancelWaiting(id);
      }
      if (current.status === 'pending') {
        // An inquiry holds nothing: canceled at once, and its workflow hears of it.
        const canceled = await this.deps.store.cancelWaiting(id, 'canceled while waiting for a response');
        await notifyParent(this.deps.queue, canceled);
        return canceled;
      }
      const canceling = await this.deps.store.requestCancel(id);
      // A workflow holds no runner that would notice: its engine is told through its queue.
      if (isWorkflowRunner(canceling.runner)) await this.deps.queue.send('workflows', { executionId: id });
      return canceling;
    } catch (error) {
      // It moved meanwhile (started, or ended): try again against its new status.
      if (error instanceof TransitionConflictError) return this.cancel(id);
      throw error;
    }
  }

  /**
   * Pauses a running workflow (st2's `pause`): it becomes `pausing`, starts no new task, and is
   * `paused` once its running tasks have ended (a running sub-workflow is paused too).
   * @throws ValidationError for an execution that is no workflow, or not running.
   */
  pause(id: string): Promise<Execution> {
    return this.#control(id, 'pause');
  }

  /**
   * Resumes a pausing or paused workflow (st2's `resume`): `resuming`, then `running` once the
   * tasks it held back are scheduled; its paused sub-workflows resume too.
   * @throws ValidationError for an execution that is no workflow, or neither pausing nor paused.
   */
  resume(id: string): Promise<Execution> {
    return this.#control(id, 'resume');
  }

  /** Records the pause or resume and tells the workflow's engine; asked again while it is under way, tells the engine again. */
  async #control(id: string, verb: 'pause' | 'resume'): Promise<Execution> {
    const rule: { from: readonly ExecutionStatus[]; during: ExecutionStatus; done?: ExecutionStatus; only: string } = CONTROLS[verb];
    const current = await this.#workflow(id, verb);
    if (current.status === rule.done) return current;
    if (current.status !== rule.during) {
      if (!rule.from.includes(current.status)) throw new ValidationError(`cannot ${verb}: execution ${id} - it is ${current.status}, only ${rule.only}`);
      try {
        const moved = await this.deps.store[verb](id);
        await this.deps.queue.send('workflows', { executionId: id });
        return moved;
      } catch (error) {
        if (error instanceof TransitionConflictError) return this.#control(id, verb);
        throw error;
      }
    }
    await this.deps.queue.send('workflows', { executionId: id });
    return current;
  }

  async #workflow(id: string, verb: 'pause' | 'resume'): Promise<Execution> {
    const current = await this.deps.store.get(id);
    if (!current) throw new NotFoundError(`unknown execution: ${id}`);
    if (!isWorkflowRunner(current.runner))
      throw new ValidationError(
        `cannot ${verb}: execution ${id} - it is a ${current.runner} execution of ${current.action}; only workflows (orquesta) ${verb}`,
      );
    return current;
  }

  /**
   * Runs the same action again with the same parameters, `overrides` replacing some of them. With
   * `tasks`, a completed workflow goes on from those tasks instead, keeping the rest of its state
   * (st2's `re_run(tasks=...)`): a new execution, whose `context["re-run"]` names the one it continues;
   * `noReset` lists with-items tasks that run again only their items that did not succeed.
   */
  async reRun(id: string, overrides: Record<string, unknown> = {}, options: { tasks?: string[]; noReset?: string[] } = {}): Promise<Execution> {
    const original = await this.deps.store.get(id);
    if (!original) throw new NotFoundError(`unknown execution: ${id}`);
    if (options.tasks === undefined && options.noReset?.length) throw new ValidationError(`cannot re-run: execution ${id} - --no-reset needs --tasks`);
    if (options.tasks !== undefined && Object.keys(overrides).length > 0) {
      throw new ValidationError(
        `cannot re-run tasks: execution ${id} - parameters cannot change when a workflow goes on from some tasks (its input was rendered when it started)`,
      );
    }
    const rerun = options.tasks === undefined ? undefined : await planTaskRerun(original, this.deps.catalog, options.tasks, options.noReset);
    const { execution } = await this.request({
      action: original.action,
      parameters: { ...original.parameters, ...overrides },
      context: { reRunOf: id, ...(rerun ? { 're-run': rerun } : {}) },
    });
    return execution;
  }

  #checkTimeoutFits(action: ActionDefinition, values: Record<string, unknown>): void {
    const { actionsFunctionTimeoutSeconds, deadlineMarginMs, defaultTimeoutSeconds } = this.deps.config;
    const timeout = Number(values.timeout ?? defaultTimeoutSeconds);
    const usable = actionsFunctionTimeoutSeconds - deadlineMarginMs / 1000;
    if (timeout > usable) {
      throw new ValidationError(
        `timeout does not fit: ${action.ref} - timeout ${timeout} s exceeds the ${usable} s an invocation can give it (actions function timeout ${actionsFunctionTimeoutSeconds} s minus ${deadlineMarginMs / 1000} s to record the outcome)`,
        { context: { action: action.ref } },
      );
    }
  }
}
