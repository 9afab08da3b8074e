import type { SQSRecord } from 'aws-lambda';
import type pLimit from 'p-limit';
import { secretParameterNames } from '../actions/resolve.ts';
import type { Logger } from '../log/index.ts';
import { NotFoundError, ValidationError } from '../model/errors.ts';
import type { Execution } from '../model/execution.ts';
import { CLAIMABLE_STATUSES, isTerminal } from '../model/status.ts';
import { notifyParent } from '../queue/notify-parent.ts';
import { ACTION_ATTRIBUTE, isRequest, parseMessage, type Message, type OutgoingMessage, type RequestActionMessage } from '../queue/messages.ts';
import type { ExecutionService, PreparedRequest } from '../request/service.ts';
import { recordOf, TransitionConflictError } from '../store/errors.ts';
import { UnknownWorkflowError } from '../workflow/errors.ts';
import { arrivalFilter } from './arrival.ts';
import { decide } from './decide.ts';
import { askInquiry, judgeInquiry } from './inquiry.ts';
import { INQUIRER_RUNNER } from '../runners/registry.ts';
import { PoisonMessageError, RetryLaterError } from './errors.ts';
import type { Runner } from '../runners/types.ts';
import { heldBackReason, type PolicySlot } from './policy-slots.ts';
import { policyDelaySeconds, takePolicySlots, waitForPolicySlots } from './take-policy-slots.ts';
import { applyRetryPolicy } from './retry-policy.ts';
import { recordExit, runClaimedAction, type ActionExit } from './run-action.ts';
import { MIN_START_MS, shouldRequeue, SlotReservation } from './slot-reservation.ts';
import type { DispatchDeps } from './types.ts';
import { WOKEN_ATTRIBUTE } from './waitlist.ts';

/** What an action's turn in the pool came to. */
type SlotResult =
  /** Sent back to its queue: this invocation had too little time left for it. */
  | { kind: 'requeued' }
  /** The stage's pool is full and nothing in this container will free a slot: it waits in its queue. */
  | { kind: 'no-slot'; reservation?: SlotReservation }
  /** Someone else moved it first (another delivery claimed it, or it was canceled): judge it as it is now. */
  | { kind: 'moved'; current: Execution }
  | ActionExit;

/** How a claim on arrival came out: the action exited; it was refused (invalid, failed); the claim found the record otherwise; or the stage's pool was full. */
type ArrivalResult = ActionExit | { kind: 'refused'; final: Execution } | { kind: 'found'; current: Execution | undefined } | { kind: 'pool-full' };

/** Where the per-record work stands in one invocation. */
export interface RecordWork {
  record: SQSRecord;
  /** Lease owner: this invocation and record. */
  owner: string;
  /** Epoch ms by which outcomes must be recorded (Lambda deadline minus margin). */
  deadline: number;
}

/** Seconds a message that found the pool full waits in its queue: 1 to 3, at random, so that the waiting ones do not all come back at once. */
export function slotWaitSeconds(random = Math.random()): number {
  return 1 + Math.floor(random * 3);
}

/**
 * Seconds the message of an action on the pool's waitlist waits in its queue: 10 to 20, at random. A freed slot
 * wakes the action before (`Waitlist`); this message is the safety net for a wake that was lost, and for slots
 * whose holder died (freed by their lease, with no release to wake anyone).
 */
export function waitlistRecheckSeconds(random = Math.random()): number {
  return 10 + Math.floor(random * 11);
}

/**
 * Who holds an action's slot of the stage's pool: its execution in this delivery. Another delivery of the same
 * execution (SQS delivers at least once; the sweeper sends again) is another holder, so that it can neither
 * find the running one's slot as its own nor free it when its claim is refused.
 */
export function slotHolder(executionId: string, owner: string): string {
  return `${executionId}@${owner}`;
}

/** Message attribute of a message sent back to its queue to wait for a pool slot. */
export const WAITING_FOR_SLOT_ATTRIBUTE = 'waitingForSlot';

/**
 * The work of one SQS record: parse it, create the execution a request names, then act on the
 * execution as `decide` says: tell its parent it ended, pass it on, hand it to the workflow engine,
 * judge it when a runner holds it, or run its action in a slot of `limit` (one slot, one child process).
 */
export class RecordProcessor {
  /** Deliveries (lease owners) the stage's pool refused a slot a moment ago: the next step waits for one freed, rather than ask again. */
  readonly #poolRefused = new Set<string>();

  constructor(
    private readonly deps: DispatchDeps,
    private readonly service: ExecutionService,
    private readonly limit: ReturnType<typeof pLimit>,
    private readonly onStart: () => void,
  ) {}

  async process(work: RecordWork): Promise<void> {
    let message: Message;
    try {
      message = parseMessage(work.record.body);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const action = actionOf(work.record.body);
      if (!action) return this.#deadLetter(work.record, error.message);
      // It names an action: record the rejection where the user looks for it, on an execution.
      await this.#recordRejected({ version: 1, action, parameters: {} }, work.record, error.message);
      return;
    }
    // Woken from the waitlist: more work waits, so the slots this container takes are taken watched.
    if (work.record.messageAttributes?.[WOKEN_ATTRIBUTE]) this.deps.waitlist?.sawWaiting();
    // The execution this message is about: failed with the reason if its last delivery fails too.
    let target = 'type' in message ? message.workflowId : 'executionId' in message ? message.executionId : undefined;
    try {
      if ('type' in message)
        return await this.#stepInPool(`${message.workflowId}@${work.record.messageId}`, work, () => this.#workflows().onTaskCompleted(message));
      if (isRequest(message)) {
        const created = await this.#createFromRequest(message, work.record);
        target = created?.execution.id;
        return created && (await this.#dispatch(created.execution, work, created.prepared));
      }
      const action = message.action ?? work.record.messageAttributes?.[ACTION_ATTRIBUTE]?.stringValue;
      const arrived = await this.#runOnArrival(message.executionId, action, work);
      if (arrived === 'done') return;
      const execution = arrived ? arrived.current : await this.deps.store.get(message.executionId);
      if (!execution) throw new PoisonMessageError(`unknown execution: ${message.executionId} - no such record in ${this.deps.config.executionsTable}`);
      await this.#dispatch(execution, work);
    } catch (error) {
      if (error instanceof PoisonMessageError || error instanceof UnknownWorkflowError) return this.#deadLetter(work.record, error.message);
      await this.#giveUpIfLastAttempt(work, target, error as Error);
      throw error;
    } finally {
      this.#poolRefused.delete(work.owner);
    }
  }

  /**
   * The usual delivery of an action's message, without reading its record first: with a slot free
   * here and one taken in the stage's pool, a claim that holds only for the execution its message
   * says it is (`arrivalFilter`: that action and runner, due now) returns the record, and the action
   * runs. 'done' when it ran (or was refused, invalid); the record a refused claim found (undefined:
   * no such execution), judged as a read one; undefined when not tried, or the stage's pool is full,
   * and the usual way (read, decide) follows.
   */
  async #runOnArrival(id: string, action: string | undefined, work: RecordWork): Promise<'done' | { current: Execution | undefined } | undefined> {
    const only = arrivalFilter(action, this.deps);
    // Only with a slot of this container free now (one queued behind others waits reserved, the usual way) and time to start.
    if (!only || this.limit.activeCount + this.limit.pendingCount >= this.limit.concurrency || work.deadline - Date.now() < 2 * MIN_START_MS) return undefined;
    const started = Date.now();
    const log = this.deps.log.child({ executionId: id, action });
    const result = await this.limit(async (): Promise<ArrivalResult> => {
      const gate = this.deps.gate;
      const slotLost = new AbortController();
      const holder = slotHolder(id, work.owner);
      if (gate && !(await gate.tryEnter(holder, () => slotLost.abort()))) return { kind: 'pool-full' };
      try {
        let claimed: Execution;
        try {
          claimed = await this.deps.store.claim(id, work.owner, this.deps.config.leaseMs, only);
        } catch (error) {
          if (!(error instanceof TransitionConflictError)) throw error;
          return { kind: 'found', current: error.current };
        }
        this.onStart();
        return await this.#runClaimed(claimed, work.owner, log, (execution) => this.#startOnArrival(execution, work, slotLost.signal, log));
      } finally {
        await gate?.leave(holder);
      }
    });
    if (result.kind === 'pool-full') {
      // The usual way waits for a slot without asking the pool again at once.
      this.#poolRefused.add(work.owner);
      return undefined;
    }
    if (result.kind === 'found') return { current: result.current };
    if (result.kind === 'refused') {
      await notifyParent(this.deps.queue, result.final);
      return 'done';
    }
    const final = await recordExit(result, this.deps, log);
    log.info('action ended', { status: final.status, durationMs: Date.now() - started });
    await this.#ended(final);
    return 'done';
  }

  /** An execution claimed on arrival: its request is prepared from the claimed record, then it runs (or fails, invalid; or is given back when its action changed meanwhile). */
  async #startOnArrival(claimed: Execution, work: RecordWork, slotLost: AbortSignal, log: Logger): Promise<ArrivalResult> {
    let prepared: PreparedRequest;
    try {
      prepared = await this.service.prepareWithDatastore(claimed.action, claimed.parameters, claimed.context);
    } catch (error) {
      if (!(error instanceof ValidationError || error instanceof NotFoundError)) throw error;
      return { kind: 'refused', final: await this.deps.store.finish(claimed.id, work.owner, 'failed', { error: error.message }) };
    }
    const runner = this.deps.runner(prepared.action.runner_type);
    if (!runner || arrivalFilter(prepared.action.ref, this.deps)?.runner !== claimed.runner) {
      // Its action is no longer one that runs at once as it is (a new runner, a concurrency policy): the usual way takes it.
      const current = await this.deps.store.release(claimed.id, work.owner, 'given back: its action changed since it was requested');
      return { kind: 'found', current };
    }
    log.info('action started', { runner: runner.name, attempt: claimed.attempt });
    return runClaimedAction(
      { ...prepared, parameters: prepared.values, execution: claimed, runner, owner: work.owner, deadline: work.deadline, slotLost },
      this.deps,
      log,
    );
  }

  /** Runs `start` on an execution this delivery claimed; when it throws, the execution is given back so that a redelivery runs it, instead of staying held under a lease nobody renews. */
  async #runClaimed<T>(claimed: Execution, owner: string, log: Logger, start: (claimed: Execution) => Promise<T>): Promise<T> {
    try {
      return await start(claimed);
    } catch (error) {
      await this.deps.store
        .release(claimed.id, owner, `not started: ${(error as Error).message}`)
        .catch((releaseError: unknown) => log.error('could not give the execution back; its lease will expire', { error: releaseError }));
      throw error;
    }
  }

  /** A full request message: create (idempotent on the message id) and run it here. */
  async #createFromRequest(message: RequestActionMessage, record: SQSRecord): Promise<{ execution: Execution; prepared: PreparedRequest } | undefined> {
    const idempotencyKey = message.idempotencyKey ?? `sqs:${record.messageId}`;
    try {
      const prepared = await this.service.prepareWithDatastore(message.action, message.parameters, undefined);
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

  /** Acts on the execution as it is now; `prepared` when its request was just validated. */
  async #dispatch(execution: Execution, work: RecordWork, prepared?: PreparedRequest): Promise<void> {
    const decision = decide(execution, { runsWorkflows: Boolean(this.deps.workflows) });
    switch (decision.kind) {
      case 'notify-parent':
        return this.#ended(execution);
      case 'pass-on':
        return this.service.enqueue(execution);
      case 'advance-workflow':
        return this.#stepInPool(`${execution.id}@${work.record.messageId}`, work, () => this.#workflows().start(execution));
      case 'judge-held':
        return this.#judgeHeld(execution, work);
      case 'run':
        return this.#run(execution, work, prepared);
      case 'judge-inquiry':
        return judgeInquiry(this.deps, this.service, execution);
    }
  }

  /** Validates, waits for a slot (reserved as `scheduled` when none is free), runs, records, tells the parent. */
  async #run(execution: Execution, work: RecordWork, prepared?: PreparedRequest): Promise<void> {
    const log = this.deps.log.child({ executionId: execution.id, action: execution.action });
    try {
      prepared ??= await this.service.prepareWithDatastore(execution.action, execution.parameters, execution.context);
    } catch (error) {
      if (!(error instanceof ValidationError || error instanceof NotFoundError)) throw error;
      return notifyParent(this.deps.queue, await this.deps.store.reject(execution.id, error.message));
    }
    if (prepared.action.runner_type === INQUIRER_RUNNER) return askInquiry(this.deps, execution, prepared);
    const runner = this.deps.runner(prepared.action.runner_type);
    if (!runner) {
      const error = `no runner: ${prepared.action.runner_type} - action ${execution.action} cannot run in this function`;
      return notifyParent(this.deps.queue, await this.deps.store.reject(execution.id, error));
    }
    let policySlots = await takePolicySlots(execution, prepared, work.owner, this.deps, log);
    if ('refused' in policySlots && policySlots.refused.policy.parameters.action === 'delay') {
      // Delayed (st2's status while a policy holds it back), waiting here while a slot of that pool is held here.
      try {
        if (execution.status === 'requested') execution = await this.deps.store.delay(execution.id, heldBackReason('delayed', execution, policySlots.refused));
      } catch (error) {
        return this.#judgeMoved(recordOf(error), work);
      }
      const giveUp = AbortSignal.any([this.deps.stopping, AbortSignal.timeout(Math.max(0, work.deadline - Date.now() - MIN_START_MS))]);
      policySlots = await waitForPolicySlots(policySlots, execution, prepared, work.owner, this.deps, log, giveUp);
    }
    if ('refused' in policySlots) return this.#heldBack(execution, policySlots.refused, work);
    try {
      await this.#runHeld(execution, work, prepared, runner, log);
    } finally {
      // After the outcome is written: an execution counts against its policies until it has ended.
      await policySlots.held.release().catch((error: unknown) => log.warn('could not give policy slots back; their lease frees them', { error }));
    }
  }

  /** Runs the action in a slot of this container's pool (reserved as `scheduled` while none is free), records its outcome. */
  async #runHeld(execution: Execution, work: RecordWork, prepared: PreparedRequest, runner: Runner, log: Logger): Promise<void> {
    const started = Date.now();
    let reservation: SlotReservation | undefined;
    if (this.limit.activeCount >= this.limit.concurrency) {
      try {
        reservation = await SlotReservation.take(this.deps.store, execution.id, work.owner, this.deps.config.leaseMs, log);
      } catch (error) {
        return this.#judgeMoved(recordOf(error), work);
      }
    }
    const result: SlotResult = await this.limit(() =>
      this.#inSlot({ ...prepared, parameters: prepared.values, execution, runner, owner: work.owner, deadline: work.deadline }, reservation, started, log),
    );
    if (result.kind === 'requeued') return this.service.enqueue(execution);
    if (result.kind === 'no-slot') {
      // Its reservation (taken while this container's slots were busy) stops renewing: it is given back now.
      result.reservation?.stop();
      return this.#waitInQueue(execution, work, result.reservation);
    }
    if (result.kind === 'moved') return this.#judgeMoved(result.current, work);
    const final = await recordExit(result, this.deps, log);
    log.info('action ended', { status: final.status, durationMs: Date.now() - started });
    await this.#ended(final);
  }

  /**
   * A concurrency policy's pool is full: `action: cancel` ends the execution `canceled` saying why;
   * `delay` (st2's default) marks it `delayed` and sends its message again a moment later (this one is
   * deleted: a wait is no failed delivery, so it never counts towards the DLQ).
   */
  async #heldBack(execution: Execution, full: PolicySlot, work: RecordWork): Promise<void> {
    try {
      if (full.policy.parameters.action === 'cancel')
        return this.#ended(await this.deps.store.cancelWaiting(execution.id, heldBackReason('canceled', execution, full)));
      if (execution.status === 'requested') await this.deps.store.delay(execution.id, heldBackReason('delayed', execution, full));
    } catch (error) {
      return this.#judgeMoved(recordOf(error), work);
    }
    await this.deps.queue.send('actions', { executionId: execution.id }, policyDelaySeconds());
  }

  /** An execution ended: its retry policy applies (again, on a redelivery: idempotent), then its parent workflow is told. */
  async #ended(execution: Execution): Promise<void> {
    await applyRetryPolicy(execution, this.deps, this.service);
    await notifyParent(this.deps.queue, execution);
  }

  /**
   * An action's turn in this invocation's pool: it takes a slot of the stage's pool (waiting here,
   * `scheduled`, only while this container holds slots that will free), then runs in it; the slot
   * is freed as soon as the child exits.
   */
  async #inSlot(run: Parameters<typeof runClaimedAction>[0], reservation: SlotReservation | undefined, started: number, log: Logger): Promise<SlotResult> {
    const gate = this.deps.gate;
    if (!gate) return this.#inPoolSlot(run, reservation, started, log);
    const { execution, owner } = run;
    const slotLost = new AbortController();
    const lost = () => slotLost.abort();
    const holder = slotHolder(execution.id, owner);
    try {
      if (this.#poolRefused.delete(owner) || !(await gate.tryEnter(holder, lost))) {
        const timeoutMs = Number(run.parameters.timeout ?? this.deps.config.defaultTimeoutSeconds) * 1000;
        // Waiting here is worth it only while this container holds slots (one frees here soon) and a
        // slot freed now could still give the action its whole timeout.
        const waitUntil = run.deadline - Math.max(timeoutMs, MIN_START_MS);
        if (gate.holding === 0 || waitUntil <= Date.now()) return { kind: 'no-slot', reservation };
        if (!reservation) {
          try {
            reservation = await SlotReservation.take(this.deps.store, execution.id, owner, this.deps.config.leaseMs, log);
          } catch (error) {
            return { kind: 'moved', current: recordOf(error) };
          }
        }
        const giveUp = AbortSignal.any([this.deps.stopping, AbortSignal.timeout(waitUntil - Date.now())]);
        // The caller stops the reservation of an action that goes back to wait.
        if (!(await gate.enterWhenFreed(holder, lost, giveUp))) return { kind: 'no-slot', reservation };
      }
    } catch (error) {
      // Its lease is let run out (the record's redelivery then runs it), not renewed as long as this container lives.
      reservation?.stop();
      throw error;
    }
    try {
      return await this.#inPoolSlot({ ...run, slotLost: slotLost.signal }, reservation, started, log);
    } finally {
      await gate.leave(holder);
    }
  }

  /** An action that holds its slots: re-queue it, find it moved, or start its child process. */
  async #inPoolSlot(run: Parameters<typeof runClaimedAction>[0], reservation: SlotReservation | undefined, started: number, log: Logger): Promise<SlotResult> {
    reservation?.stop();
    if (reservation?.endedWhileWaiting) return { kind: 'moved', current: reservation.endedWhileWaiting };
    this.onStart();
    const { execution, owner } = run;
    const timeoutMs = Number(run.parameters.timeout ?? this.deps.config.defaultTimeoutSeconds) * 1000;
    const claims = reservation?.record.attempt ?? execution.attempt;
    if (shouldRequeue({ claims, leftMs: run.deadline - Date.now(), timeoutMs, waitedMs: Date.now() - started })) {
      if (!reservation) return { kind: 'requeued' };
      try {
        await this.deps.store.requeue(execution.id, owner, 're-queued: too little time left in this invocation');
        return { kind: 'requeued' };
      } catch (error) {
        return { kind: 'moved', current: recordOf(error) };
      }
    }
    let claimed = reservation?.record;
    let confirm: Promise<unknown> | undefined;
    if (claimed && reservation && Date.now() - started > this.deps.config.heartbeatMs) {
      // It waited for a slot: its lease is as old as the last renewal of the wait, which a loaded
      // store may have delayed; the run starts on a fresh one (and sees a cancel of the wait).
      try {
        claimed = await this.deps.store.heartbeat(execution.id, owner, this.deps.config.leaseMs);
      } catch (error) {
        return { kind: 'moved', current: recordOf(error) };
      }
    }
    if (claimed) {
      confirm = this.deps.store.start(execution.id, owner);
      confirm.catch(() => undefined); // handled by the run; never an unhandled rejection
    } else {
      try {
        claimed = await this.deps.store.claim(execution.id, owner, this.deps.config.leaseMs);
      } catch (error) {
        return { kind: 'moved', current: recordOf(error) };
      }
    }
    log.info('action started', { runner: run.runner.name, attempt: claimed.attempt });
    return this.#runClaimed(claimed, owner, log, (execution) => runClaimedAction({ ...run, execution, confirm }, this.deps, log));
  }

  /**
   * The stage's pool is full: the execution waits (st2's `delayed`, with the reason) without holding a
   * container. It joins the pool's waitlist, whose first action a freed slot wakes, and its message is sent
   * again (this one is deleted, so waiting never counts against the queue's `maxReceiveCount`) to come back
   * after a long wait, in case no wake comes: every delivery that leaves it waiting sends one, so a waiting
   * execution always has a message on its way. Without a waitlist, the message comes back in 1 to 3 s.
   */
  async #waitInQueue(execution: Execution, work: RecordWork, reservation: SlotReservation | undefined): Promise<void> {
    const { gate, waitlist, store } = this.deps;
    const pool = gate!.pool;
    const reason = `waiting for a slot: the ${pool} pool is full (${gate!.limit} running)`;
    let current = execution;
    try {
      if (reservation) current = await store.requeue(execution.id, work.owner, reason);
      if (current.status === 'requested') await store.delay(execution.id, reason, waitlist && pool);
      else if (waitlist && !(await store.joinWaitlist(execution.id, pool))) {
        // It stopped waiting meanwhile (canceled, claimed by another delivery, or held by one a moment ago): as it is now.
        const now = await store.get(execution.id);
        if (!now) return;
        const held = now.lease && now.lease.expiresAt > Date.now();
        return CLAIMABLE_STATUSES.includes(now.status) && !held ? this.#dispatch(now, work) : this.#judgeMoved(now, work);
      }
    } catch (error) {
      return this.#judgeMoved(recordOf(error), work);
    }
    this.deps.log.debug('waiting for a pool slot', { executionId: execution.id, pool });
    if (waitlist) {
      waitlist.sawWaiting();
      // The container that frees a slot held now is to know that someone waits.
      gate!.watchHeld();
    }
    const delay = waitlist ? waitlistRecheckSeconds() : slotWaitSeconds();
    await this.deps.queue.send('actions', { executionId: execution.id }, delay, { [WAITING_FOR_SLOT_ATTRIBUTE]: pool });
  }

  /**
   * A workflow engine step, taken while holding a slot of the workflows pool: when the pool is full
   * it waits here while this container holds slots, else its message waits in its queue (sent again, 1 to 3 s later).
   */
  async #stepInPool(holder: string, work: RecordWork, step: () => Promise<void>): Promise<void> {
    const gate = this.deps.gate;
    if (!gate) return step();
    if (!(await gate.tryEnter(holder))) {
      const giveUp = AbortSignal.any([this.deps.stopping, AbortSignal.timeout(Math.max(0, work.deadline - Date.now() - MIN_START_MS))]);
      if (gate.holding === 0 || !(await gate.enterWhenFreed(holder, undefined, giveUp))) {
        const message = JSON.parse(work.record.body) as OutgoingMessage;
        await this.deps.queue.send('workflows', message, slotWaitSeconds(), { [WAITING_FOR_SLOT_ATTRIBUTE]: gate.pool });
        return;
      }
    }
    try {
      await step();
    } finally {
      await gate.leave(holder);
    }
  }

  #judgeMoved(current: Execution, work: RecordWork): Promise<void> {
    return isTerminal(current.status) ? this.#ended(current) : this.#judgeHeld(current, work);
  }

  /**
   * A delivery for an execution that is running (or canceling). Under a live lease another
   * runner has it: look again later. With an expired lease its runner died: mark it `abandoned`
   * (`canceled` when it was canceling), or run it again when the action says it is safe to
   * (`retry_on_abandon: true`).
   */
  async #judgeHeld(execution: Execution, work: RecordWork): Promise<void> {
    const lease = execution.lease;
    if (lease && lease.expiresAt > Date.now()) {
      // A redriven copy (`actionrunner dlq redrive`): its runner records the outcome, and the sweeper
      // sends the execution again should that runner die, so this copy is dropped rather than bounced
      // between the queue and the DLQ.
      if (work.record.messageAttributes?.redriveOf) {
        this.deps.log.info('redriven message ignored: its execution runs elsewhere', { executionId: execution.id, owner: lease.owner });
        return;
      }
      // A message of a wait (its safety net, or a wake) that finds it held: the delivery that holds it runs it or,
      // when it gives it back to wait, sends a message of its own; the sweeper sends it again should its runner die.
      const attributes = work.record.messageAttributes ?? {};
      if (attributes[WAITING_FOR_SLOT_ATTRIBUTE] || attributes[WOKEN_ATTRIBUTE]) {
        this.deps.log.debug('message of a wait ignored: its execution runs', { executionId: execution.id, owner: lease.owner });
        return;
      }
      // Its runner is alive (this is a duplicate) or died a moment ago: look again once the lease
      // has run out rather than drop the message of an execution that has not ended.
      throw new RetryLaterError(
        `held elsewhere: execution ${execution.id} - lease of ${lease.owner} runs until ${new Date(lease.expiresAt).toISOString()}`,
        Math.ceil((lease.expiresAt - Date.now()) / 1000) + 1,
      );
    }
    const expiredOwner = lease?.owner;
    if (execution.status === 'running' && this.deps.catalog.get(execution.action)?.retry_on_abandon) {
      const reset = await this.deps.store.release(execution.id, expiredOwner, `lease of ${expiredOwner} expired: run again (retry_on_abandon)`);
      return this.#dispatch(reset, work);
    }
    const reason = `runner ${expiredOwner ?? '(unknown)'} stopped renewing its lease`;
    const set = { error: `execution abandoned: ${reason}` };
    const ended =
      execution.status === 'canceling'
        ? await this.deps.store.cancelDone(execution.id, expiredOwner, set, reason)
        : await this.deps.store.abandon(execution.id, expiredOwner, set, reason);
    await notifyParent(this.deps.queue, ended);
  }

  async #recordRejected(message: RequestActionMessage, record: SQSRecord, error: string): Promise<void> {
    const action = this.deps.catalog.get(message.action);
    const { execution, created } = await this.deps.store.create({
      action: message.action,
      runner: action?.runner_type ?? 'unknown',
      parameters: message.parameters,
      secretParameters: secretParameterNames(action?.parameters),
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
  async #giveUpIfLastAttempt(work: RecordWork, target: string | undefined, error: Error): Promise<void> {
    const receiveCount = Number(work.record.attributes?.ApproximateReceiveCount ?? 1);
    if (receiveCount < this.deps.config.maxReceiveCount || !target) return;
    const reason = `gave up after ${receiveCount} deliveries: ${error.message}`;
    try {
      const current = await this.deps.store.get(target);
      const heldElsewhere = current?.lease && current.lease.owner !== work.owner && current.lease.expiresAt > Date.now();
      if (!current || isTerminal(current.status) || heldElsewhere) return;
      await notifyParent(this.deps.queue, await this.deps.store.giveUp(target, reason, current.lease?.owner));
    } catch (giveUpError) {
      this.deps.log.error('could not record the failure of a message going to the DLQ', { executionId: target, reason, error: giveUpError });
    }
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
