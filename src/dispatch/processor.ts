import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import pLimit from 'p-limit';
import { isWorkflowRunner } from '../actions/runner-parameters.ts';
import { ActionRunnerError, NotFoundError, ValidationError } from '../model/errors.ts';
import type { Execution } from '../model/execution.ts';
import { CLAIMABLE_STATUSES, isTerminal } from '../model/status.ts';
import { parseMessage, type Message, type RequestActionMessage } from '../queue/messages.ts';
import type { ExecutionService, PreparedRequest } from '../request/service.ts';
import { TransitionConflictError } from '../store/errors.ts';
import { UnknownWorkflowError } from '../workflow/errors.ts';
import { runClaimedAction } from './run-action.ts';
import type { DispatchDeps } from './types.ts';

/** How often an action that waited for a slot past its time is sent back to the queue before it runs with what is left. */
const MAX_REQUEUES = 3;
/** Below this much time left in the invocation an action is not started here at all (unless its timeout is shorter). */
const MIN_START_MS = 3_000;

/** The message cannot be processed, now or ever: it goes to the dead-letter queue with this reason. */
export class PoisonMessageError extends ActionRunnerError {
  override name = 'PoisonMessageError';
}

/** The record must come back later, not be deleted: its execution is held under a live lease that may belong to a dead runner. */
export class RetryLaterError extends ActionRunnerError {
  override name = 'RetryLaterError';
  constructor(
    message: string,
    readonly afterSeconds: number,
  ) {
    super(message);
  }
}

/** One batch error per failed record, thrown when every record of a batch failed. */
export class BatchProcessingError extends ActionRunnerError {
  override name = 'BatchProcessingError';
  constructor(readonly errors: Error[]) {
    super(`batch failed: all ${errors.length} records - ${errors.map((error) => error.message).join('; ')}`);
  }
}

/**
 * The buffered dispatcher of one invocation: every record of the batch is read and validated
 * at once, and its action waits for one of the `config.parallelism` slots of a p-limit pool
 * (one slot, one child process), so a freed slot takes the next action at once.
 * An action that fails is an outcome (its message is deleted); only records whose outcome
 * could not be recorded become `batchItemFailures` and are redelivered.
 */
export class BatchProcessor {
  readonly #limit;
  /** Highest number of actions running at once in this container, logged with every batch (pool saturation). */
  peakActive = 0;

  constructor(
    private readonly deps: DispatchDeps,
    private readonly service: ExecutionService,
  ) {
    this.#limit = pLimit(deps.config.parallelism);
  }

  async process(event: SQSEvent, context: Pick<Context, 'awsRequestId' | 'getRemainingTimeInMillis'>): Promise<SQSBatchResponse> {
    const deadline = Date.now() + context.getRemainingTimeInMillis() - this.deps.config.deadlineMarginMs;
    const started = Date.now();
    // The batch's messages stay invisible only a short while at a time, renewed while it runs: if
    // this function dies, they come back soon and their executions are judged (abandoned or re-run).
    // Every record of the batch stays in flight until the batch returns: SQS deletes the finished ones then.
    const keepInvisible = () =>
      this.deps.queue.retryAfter(event.Records, this.deps.config.inFlightVisibilitySeconds).catch((error: unknown) => this.deps.log.warn('could not renew the batch visibility', { error }));
    let renewing = keepInvisible();
    const renewal = setInterval(() => (renewing = keepInvisible()), (this.deps.config.inFlightVisibilitySeconds * 1000) / 3);
    const results = await Promise.all(
      event.Records.map((record) =>
        this.#processRecord(record, `${context.awsRequestId}/${record.messageId}`, deadline).then(
          () => undefined,
          (error: unknown) => ({ record, error: error instanceof Error ? error : new Error(String(error)) }),
        ),
      ),
    );
    clearInterval(renewal);
    await renewing;
    const failures = results.filter((failure) => failure !== undefined);
    await Promise.all(failures.map(({ record, error }) => this.#retrySoon(record, error)));
    this.deps.log.info('batch done', {
      records: event.Records.length,
      failed: failures.length,
      durationMs: Date.now() - started,
      peakActive: this.peakActive,
      parallelism: this.deps.config.parallelism,
    });
    if (failures.length > 0 && failures.length === event.Records.length) throw new BatchProcessingError(failures.map((failure) => failure.error));
    return { batchItemFailures: failures.map((failure) => ({ itemIdentifier: failure.record.messageId })) };
  }

  async #processRecord(record: SQSRecord, owner: string, deadline: number): Promise<void> {
    let message: Message;
    try {
      message = parseMessage(record.body);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const action = actionOf(record.body);
      if (!action) return this.#deadLetter(record, error.message);
      // It names an action: record the rejection where the user looks for it, on an execution.
      await this.#recordRejected({ version: 1, action, parameters: {} }, record, error.message);
      return;
    }
    // The execution this message is about: failed with the reason if its last delivery fails too.
    let target = 'type' in message ? message.workflowId : 'executionId' in message ? message.executionId : undefined;
    try {
      if ('type' in message) return await this.#workflows().onTaskCompleted(message);
      if ('action' in message) {
        const created = await this.#createFromRequest(message, record);
        target = created?.execution.id;
        return created && (await this.#dispatch(created.execution, owner, deadline, created.prepared));
      }
      const execution = await this.deps.store.get(message.executionId);
      if (!execution) throw new PoisonMessageError(`unknown execution: ${message.executionId} - no such record in ${this.deps.config.executionsTable}`);
      await this.#dispatch(execution, owner, deadline);
    } catch (error) {
      if (error instanceof PoisonMessageError || error instanceof UnknownWorkflowError) return this.#deadLetter(record, error.message);
      await this.#giveUpIfLastAttempt(record, target, owner, error as Error);
      throw error;
    }
  }

  /** A full request message: create (idempotent on the message id) and run it here. */
  async #createFromRequest(message: RequestActionMessage, record: SQSRecord): Promise<{ execution: Execution; prepared: PreparedRequest } | undefined> {
    const idempotencyKey = message.idempotencyKey ?? `sqs:${record.messageId}`;
    try {
      const prepared = this.service.prepare(message.action, message.parameters);
      const { execution } = await this.deps.store.create({
        action: prepared.action.ref,
        runner: prepared.action.runner_type,
        parameters: message.parameters,
        secretParameters: prepared.secretNames,
        idempotencyKey,
      });
      return { execution, prepared };
    } catch (error) {
      if (!(error instanceof ValidationError || error instanceof NotFoundError)) throw error;
      await this.#recordRejected(message, record, error.message);
      return undefined;
    }
  }

  /** Runs the execution's action (or hands a workflow to its engine); `prepared` when it was just validated. */
  async #dispatch(execution: Execution, owner: string, deadline: number, prepared?: PreparedRequest): Promise<void> {
    const log = this.deps.log.child({ executionId: execution.id, action: execution.action });
    if (isTerminal(execution.status)) return this.#notifyParent(execution);
    if (CLAIMABLE_STATUSES.includes(execution.status) && this.service.isEarly(execution)) return this.service.enqueue(execution);
    // Each function runs only its own kind: a misrouted message is passed to the right queue.
    if (isWorkflowRunner(execution.runner) !== Boolean(this.deps.workflows)) return this.service.enqueue(execution);
    if (this.deps.workflows) return this.deps.workflows.start(execution);
    if (!CLAIMABLE_STATUSES.includes(execution.status)) return this.#handleHeld(execution, owner, deadline);

    try {
      prepared ??= this.service.prepare(execution.action, execution.parameters);
    } catch (error) {
      if (!(error instanceof ValidationError || error instanceof NotFoundError)) throw error;
      const failed = await this.deps.store.transition(execution.id, 'failed', { from: CLAIMABLE_STATUSES, unleased: true, set: { error: error.message } });
      return this.#notifyParent(failed);
    }
    const runner = this.deps.runner(prepared.action.runner_type);
    if (!runner) {
      const error = `no runner: ${prepared.action.runner_type} - action ${execution.action} cannot run in this function`;
      const failed = await this.deps.store.transition(execution.id, 'failed', { from: CLAIMABLE_STATUSES, unleased: true, set: { error } });
      return this.#notifyParent(failed);
    }

    const started = Date.now();
    const timeoutMs = Number(prepared.values.timeout ?? this.deps.config.defaultTimeoutSeconds) * 1000;
    // A slot is a child process, given back the moment the child exits. With no slot free, the
    // execution is claimed now as `scheduled` (st2's "taken by a runner, not started yet"), so that
    // when one frees the child starts at once and `running` is written beside the start.
    let reserved: Execution | undefined;
    let keepAlive: NodeJS.Timeout | undefined;
    let endedWhileWaiting: Execution | undefined;
    if (this.#limit.activeCount >= this.#limit.concurrency) {
      try {
        reserved = await this.deps.store.claim(execution.id, owner, this.deps.config.leaseMs, 'scheduled');
      } catch (error) {
        if (!(error instanceof TransitionConflictError) || !error.current) throw error;
        return isTerminal(error.current.status) ? this.#notifyParent(error.current) : this.#handleHeld(error.current, owner, deadline);
      }
      keepAlive = setInterval(() => {
        this.deps.store.heartbeat(execution.id, owner, this.deps.config.leaseMs).then(
          (renewed) => (reserved = renewed),
          (error: unknown) => {
            // Canceled while it waited, or its lease lost: it will not start here.
            if (error instanceof TransitionConflictError && error.current) endedWhileWaiting = error.current;
            else log.warn('could not renew a waiting lease', { error });
          },
        );
      }, this.deps.config.leaseMs / 3);
    }
    const ran = await this.#limit(async () => {
      clearInterval(keepAlive);
      if (endedWhileWaiting) return endedWhileWaiting;
      this.peakActive = Math.max(this.peakActive, this.#limit.activeCount);
      // It waited for a slot: when this invocation can no longer give it its whole timeout, a
      // fresh invocation will. Not forever: after a few claims it runs with the time there is.
      const claims = reserved?.attempt ?? execution.attempt;
      const left = deadline - Date.now();
      const waitedLong = left < timeoutMs && Date.now() - started > 1000 && claims <= MAX_REQUEUES;
      if (waitedLong || left < Math.min(timeoutMs, MIN_START_MS)) {
        if (!reserved) return 'requeue' as const;
        try {
          await this.deps.store.transition(execution.id, 'requested', { from: ['scheduled'], leaseOwner: owner, set: { lease: null }, reason: 're-queued: too little time left in this invocation' });
          return 'requeue' as const;
        } catch (error) {
          if (!(error instanceof TransitionConflictError) || !error.current) throw error;
          return error.current;
        }
      }
      let claimed = reserved;
      let confirm: Promise<unknown> | undefined;
      if (claimed) {
        confirm = this.deps.store.transition(execution.id, 'running', { from: ['scheduled'], leaseOwner: owner, reason: `started by ${owner}` });
        confirm.catch(() => undefined); // handled by the run; never an unhandled rejection
      } else {
        try {
          claimed = await this.deps.store.claim(execution.id, owner, this.deps.config.leaseMs);
        } catch (error) {
          if (!(error instanceof TransitionConflictError) || !error.current) throw error;
          return error.current;
        }
      }
      try {
        log.info('action started', { runner: runner.name, attempt: claimed.attempt });
        return await runClaimedAction({ ...prepared, parameters: prepared.values, execution: claimed, runner, owner, deadline, confirm }, this.deps, log);
      } catch (error) {
        // Claimed but never started: give it back so that a redelivery runs it, instead of
        // leaving it held under a lease nobody renews.
        await this.deps.store
          .transition(execution.id, 'scheduled', { from: ['running', 'scheduled'], leaseOwner: owner, set: { lease: null }, reason: `not started: ${(error as Error).message}` })
          .catch((releaseError: unknown) => log.error('could not give the execution back; its lease will expire', { error: releaseError }));
        throw error;
      }
    });
    if (ran === 'requeue') return this.service.enqueue(execution);
    if (typeof ran !== 'function') {
      // Someone else moved it first (another delivery claimed it, or it was canceled): judge it as it is now.
      return isTerminal(ran.status) ? this.#notifyParent(ran) : this.#handleHeld(ran, owner, deadline);
    }
    const final = await ran();
    log.info('action ended', { status: final.status, durationMs: Date.now() - started });
    await this.#notifyParent(final);
  }

  /**
   * A delivery for an execution that is running (or canceling). Under a live lease another
   * runner has it: do nothing. With an expired lease its runner died: mark it `abandoned`,
   * or run it again when the action says it is safe to (`retry_on_abandon: true`).
   */
  async #handleHeld(execution: Execution, owner: string, deadline: number): Promise<void> {
    const lease = execution.lease;
    if (lease && lease.expiresAt > Date.now()) {
      // Its runner is alive (this is a duplicate) or died a moment ago: look again once the lease
      // has run out rather than drop the message of an execution that has not ended.
      throw new RetryLaterError(`held elsewhere: execution ${execution.id} - lease of ${lease.owner} runs until ${new Date(lease.expiresAt).toISOString()}`, Math.ceil((lease.expiresAt - Date.now()) / 1000) + 1);
    }
    const from = [execution.status];
    const expiredOwner = lease?.owner;
    const action = this.deps.catalog.get(execution.action);
    if (execution.status === 'running' && action?.retry_on_abandon) {
      const reset = await this.deps.store.transition(execution.id, 'scheduled', {
        from,
        leaseOwner: expiredOwner,
        set: { lease: null },
        reason: `lease of ${expiredOwner} expired: run again (retry_on_abandon)`,
      });
      return this.#dispatch(reset, owner, deadline);
    }
    const status = execution.status === 'canceling' ? 'canceled' : 'abandoned';
    const reason = `runner ${expiredOwner ?? '(unknown)'} stopped renewing its lease`;
    const ended = await this.deps.store.transition(execution.id, status, { from, leaseOwner: expiredOwner, set: { lease: null, error: `execution abandoned: ${reason}` }, reason });
    await this.#notifyParent(ended);
  }

  /** Tells the parent workflow that this task ended; safe to repeat (the workflow ignores duplicates). */
  async #notifyParent(execution: Execution): Promise<void> {
    const { parent, taskId } = execution.context;
    if (!parent) return;
    await this.deps.queue.send('workflows', { type: 'task-completed', workflowId: parent, taskId: String(taskId ?? execution.context.task), executionId: execution.id });
  }

  async #recordRejected(message: RequestActionMessage, record: SQSRecord, error: string): Promise<void> {
    const { execution, created } = await this.deps.store.create({
      action: message.action,
      runner: this.deps.catalog.get(message.action)?.runner_type ?? 'unknown',
      parameters: message.parameters,
      secretParameters: Object.entries(this.deps.catalog.get(message.action)?.parameters ?? {}).filter(([, spec]) => spec.secret).map(([name]) => name),
      idempotencyKey: message.idempotencyKey ?? `sqs:${record.messageId}`,
      status: 'failed',
      error,
    });
    this.deps.log.warn('request rejected', { executionId: execution.id, created, error });
  }

  /**
   * On the last delivery before SQS moves the message to the DLQ, the execution it is about is
   * failed with the reason (unless a live runner holds it), and its parent workflow is told.
   */
  async #giveUpIfLastAttempt(record: SQSRecord, target: string | undefined, owner: string, error: Error): Promise<void> {
    const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? 1);
    if (receiveCount < this.deps.config.maxReceiveCount || !target) return;
    const reason = `gave up after ${receiveCount} deliveries: ${error.message}`;
    try {
      const current = await this.deps.store.get(target);
      const heldElsewhere = current?.lease && current.lease.owner !== owner && current.lease.expiresAt > Date.now();
      if (!current || isTerminal(current.status) || heldElsewhere) return;
      const failed = await this.deps.store.transition(target, 'failed', { from: [current.status], leaseOwner: current.lease?.owner, set: { error: reason, lease: null } });
      await this.#notifyParent(failed);
    } catch (giveUpError) {
      this.deps.log.error('could not record the failure of a message going to the DLQ', { executionId: target, reason, error: giveUpError });
    }
  }

  /** A failed record comes back after `retryDelaySeconds`, doubled per delivery (at most 15 minutes), not after the queue's visibility timeout. */
  async #retrySoon(record: SQSRecord, error: Error): Promise<void> {
    const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? 1);
    const seconds = error instanceof RetryLaterError ? error.afterSeconds : Math.min(900, this.deps.config.retryDelaySeconds * 2 ** (receiveCount - 1));
    await this.deps.queue.retryAfter([record], seconds).catch((error: unknown) => this.deps.log.warn('could not shorten the retry delay', { messageId: record.messageId, error }));
  }

  async #deadLetter(record: SQSRecord, reason: string): Promise<void> {
    this.deps.log.error('poison message sent to the dead-letter queue', { reason });
    await this.deps.queue.deadLetter(record, reason);
  }

  #workflows() {
    if (!this.deps.workflows) throw new PoisonMessageError('misrouted message: task-completed events belong on the workflows queue');
    return this.deps.workflows;
  }
}

/** The action ref of a body that failed validation, when it names one. */
function actionOf(body: string): string | undefined {
  try {
    const value = (JSON.parse(body) as { action?: unknown }).action;
    return typeof value === 'string' && /^[\w-]+\.[\w.-]+$/.test(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
