import type { ActionDefinition } from '../actions/types.ts';
import { maskSecretsInLogs, type Logger } from '../log/index.ts';
import type { Execution } from '../model/execution.ts';
import { maskDeep, secretValuesOf } from '../model/mask.ts';
import { DEFAULT_USER } from '../datastore/keys.ts';
import { InvalidPackConfigError, loadPackConfig } from '../pack-config/index.ts';
import { isTerminal, type ExecutionStatus } from '../model/status.ts';
import { PACK_CONFIG_RUNNERS } from '../runners/registry.ts';
import type { RunOutcome, Runner } from '../runners/types.ts';
import type { ExecutionStore } from '../store/executions.ts';
import { recordOf, TransitionConflictError } from '../store/errors.ts';
import type { OutputWriter } from '../store/output.ts';
import { fitResult, RESULT_ITEM_BYTES } from './fit-result.ts';
import type { DispatchDeps } from './types.ts';
import { backoffMs, sleep } from '../shared/timers.ts';
import { leaseRenewalMs } from '../config/index.ts';

export interface ActionRun {
  execution: Execution;
  action: ActionDefinition;
  runner: Runner;
  parameters: Record<string, unknown>;
  secretNames: string[];
  commandEnv: Record<string, string>;
  /** Plaintexts of encrypted datastore keys its parameters were rendered from: masked as secrets are. */
  datastoreSecrets?: string[];
  /** The pack's config, handed to the action by the runners that do (python-script, node-script). */
  packConfig?: Record<string, unknown>;
  /** Lease owner: this invocation and record. */
  owner: string;
  /** Epoch ms by which the outcome must be recorded (Lambda deadline minus margin). */
  deadline: number;
  /**
   * The write that moves a `scheduled` execution to `running`, made beside the start rather than
   * before it (the slot refills at once); when it loses (canceled meanwhile), the action is killed.
   */
  confirm?: Promise<unknown>;
  /** Aborted when the slot of the stage's pool this action runs in was lost (not renewed in time, taken by another): it is stopped as for a lost lease. */
  slotLost?: AbortSignal;
}

type StopReason = 'cancel' | 'lease-lost' | 'shutdown';

/** How a claimed action's process ended, as `runClaimedAction` hands it back: the data `recordExit` writes. */
export interface ActionExit {
  kind: 'exited';
  run: ActionRun;
  outcome: RunOutcome;
  /** Why it was stopped from outside, if it was. */
  stopReason?: StopReason;
  output: OutputWriter;
  /** Secret parameter values: masked in the output as it streams, and in the result and error where the outcome is written. */
  secrets: string[];
  /** Ends the masking of log lines that started with the run; called once the outcome is written. */
  releaseLogMasking: () => void;
  /** The timeout it ran under (cut to the invocation's deadline), and the one it asked for. */
  timeoutMs: number;
  actionTimeoutMs: number;
}

/**
 * Runs a claimed execution's action: heartbeats the lease (and so notices cancel), streams
 * output to the output table, kills the process tree on cancel, timeout or shutdown. Resolves
 * as soon as the child has exited, so that the caller can give its slot to the next action
 * before `recordExit` flushes the output and writes the outcome.
 */
export async function runClaimedAction(run: ActionRun, deps: DispatchDeps, log: Logger): Promise<ActionExit> {
  const { execution, action } = run;
  const { config } = deps;
  const stop = new AbortController();
  let stopReason: StopReason | undefined;
  const abort = (reason: StopReason) => {
    if (stopReason) return;
    stopReason = reason;
    log.info('stopping action', { executionId: execution.id, reason });
    stop.abort(reason);
  };
  // Handled before anything is awaited: a rejection left unhandled would end the whole process.
  run.confirm?.catch((error: unknown) => {
    if (!(error instanceof TransitionConflictError)) return log.warn('could not mark the execution running', { executionId: execution.id, error });
    abort(error.current && isTerminal(error.current.status) ? 'cancel' : 'lease-lost');
  });

  // A run after an abandoned attempt keeps that attempt's output and continues after it.
  const firstSeq = execution.attempt > 1 ? (await deps.output.lastSeq(execution.id)) + 1 : 0;

  const onShutdown = () => abort('shutdown');
  if (deps.stopping.aborted) onShutdown();
  else deps.stopping.addEventListener('abort', onShutdown, { once: true });

  const heartbeat = keepLease(run, deps, abort, log);
  const onSlotLost = () => abort('lease-lost');
  if (run.slotLost?.aborted) onSlotLost();
  else run.slotLost?.addEventListener('abort', onSlotLost, { once: true });

  const actionTimeoutMs = Number(run.parameters.timeout ?? config.defaultTimeoutSeconds) * 1000;
  const timeoutMs = Math.min(actionTimeoutMs, Math.max(0, run.deadline - Date.now()));
  // python's self.config, node's context.config and a chain's config_context: read here, in the actions function, unless the templates already did.
  let packConfigError: string | undefined;
  const loaded =
    run.packConfig === undefined && PACK_CONFIG_RUNNERS.has(action.runner_type) && deps.kv
      ? await loadPackConfig(deps.kv, action.pack, action.packPath).catch((error: unknown) => {
          // A stored config that cannot be read fails the execution, saying why; the store being unreachable is retried.
          if (!(error instanceof InvalidPackConfigError)) throw error;
          packConfigError = error.message;
          return undefined;
        })
      : undefined;
  const packConfig = run.packConfig ?? loaded?.config;
  const secrets = [...secretValuesOf(run.parameters, run.secretNames), ...(run.datastoreSecrets ?? []), ...(loaded?.secrets ?? [])];
  const releaseLogMasking = maskSecretsInLogs(secrets);
  const output = deps.output.writer({ firstSeq, executionId: execution.id, actionRef: action.ref, runnerRef: action.runner_type });

  let outcome: RunOutcome;
  try {
    if (packConfigError !== undefined) throw new Error(packConfigError);
    outcome = await run.runner.run({
      executionId: execution.id,
      action,
      parameters: run.parameters,
      commandEnv: run.commandEnv,
      secretValues: secrets,
      timeoutMs,
      signal: stop.signal,
      output,
      killGraceMs: config.killGraceMs,
      resultMaxBytes: config.resultMaxBytes,
      ...(packConfig ? { packConfig } : {}),
      ...(deps.kv ? { datastore: { kv: deps.kv, user: execution.context.user ?? DEFAULT_USER } } : {}),
    });
  } catch (error) {
    outcome = { status: 'failed', result: { error: `runner ${action.runner_type} failed: ${(error as Error).message}` } };
  } finally {
    clearInterval(heartbeat);
    deps.stopping.removeEventListener('abort', onShutdown);
    run.slotLost?.removeEventListener('abort', onSlotLost);
  }
  return { kind: 'exited', run, outcome, stopReason, output, secrets, releaseLogMasking, timeoutMs, actionTimeoutMs };
}

/**
 * Every heartbeat looks at the record for a cancel (a small eventually consistent read, no write);
 * every `leaseRenewalMs` that look is the renewal of the lease instead (one conditional write, which
 * also returns the status). A failed renewal is retried at the next heartbeat; renewals that keep
 * failing (store unreachable) stop the action: the tree is gone before the lease ends and another
 * runner may take the execution. Returns the timer to clear when the child has exited.
 */
function keepLease(run: ActionRun, deps: Pick<DispatchDeps, 'store' | 'config'>, abort: (reason: StopReason) => void, log: Logger): NodeJS.Timeout {
  const { config } = deps;
  const { execution } = run;
  // Renewed once the lease has aged `leaseRenewalMs` (half a heartbeat early: the timer is not exact).
  const renewWhenLeft = config.leaseMs - leaseRenewalMs(config) + config.heartbeatMs / 2;
  let leaseEnds = execution.lease?.expiresAt ?? Date.now() + config.leaseMs;
  let peeking = false;
  return setInterval(() => {
    if (Date.now() > leaseEnds - config.heartbeatMs - config.killGraceMs) abort('lease-lost');
    const failed = (error: unknown) =>
      error instanceof TransitionConflictError ? abort('lease-lost') : log.warn('heartbeat failed', { executionId: execution.id, error });
    if (leaseEnds - Date.now() <= renewWhenLeft) {
      // As before this design: a renewal is sent at every heartbeat until one succeeds, even while an earlier one hangs.
      deps.store.heartbeat(execution.id, run.owner, config.leaseMs).then((current) => {
        leaseEnds = Math.max(leaseEnds, current.lease?.expiresAt ?? leaseEnds);
        if (current.status === 'canceling') abort('cancel');
      }, failed);
      return;
    }
    // A store slower than the heartbeat gets no second read on top of the first.
    if (peeking) return;
    peeking = true;
    deps.store
      .peek(execution.id)
      .then((current) => {
        if (current?.status === 'canceling') abort('cancel');
      }, failed)
      .finally(() => (peeking = false));
  }, config.heartbeatMs);
}

/** Flushes an exited action's output, then writes its outcome (one conditional write); returns the record as written. */
export async function recordExit(exit: ActionExit, deps: Pick<DispatchDeps, 'store' | 'stopping'>, log: Logger): Promise<Execution> {
  try {
    return await writeExit(exit, deps, log);
  } finally {
    exit.releaseLogMasking();
  }
}

async function writeExit(exit: ActionExit, deps: Pick<DispatchDeps, 'store' | 'stopping'>, log: Logger): Promise<Execution> {
  const { run, outcome, stopReason, output, secrets, timeoutMs, actionTimeoutMs } = exit;
  const { execution } = run;
  let error: string | undefined;
  try {
    await output.close();
  } catch (outputError) {
    // The outcome is still recorded, and says what part of the output is missing.
    error = `output incomplete: chunks from ${output.storedUpTo + 1} on could not be stored - ${(outputError as Error).message}`;
  }
  let status: ExecutionStatus = outcome.status;
  if (status === 'timeout' && timeoutMs < actionTimeoutMs) {
    error = `${error ? `${error}; ` : ''}Action failed to complete in ${Math.round(timeoutMs / 1000)} seconds: stopped before the function's deadline (action timeout ${actionTimeoutMs / 1000} s)`;
  }
  if (stopReason === 'cancel') status = 'canceled';
  if (stopReason === 'shutdown') {
    status = 'abandoned';
    error = `execution abandoned: ${String(deps.stopping.reason)} - its process tree was killed`;
  }
  if (stopReason === 'lease-lost') {
    const current = await deps.store.get(execution.id);
    // Nobody took it over: it is ours to end, or its message would be deleted with it left running.
    if (current && !isTerminal(current.status) && current.lease?.owner === run.owner) {
      return recordOutcome(
        deps.store,
        execution.id,
        run.owner,
        'abandoned',
        fitResult(maskDeep(outcome.result, secrets)),
        secrets,
        'execution abandoned: its lease could not be renewed - its process tree was killed',
      );
    }
    log.warn('lease lost while running: another runner or a cancel has it', { executionId: execution.id, status: current?.status });
    return current ?? execution;
  }
  // What the item can hold besides the result: its parameters take their share. Masked before it is
  // cut to fit: a short secret repeated often grows when masked.
  const room = Math.max(16 * 1024, RESULT_ITEM_BYTES - Buffer.byteLength(JSON.stringify(execution.parameters)));
  return withRetries(() => recordOutcome(deps.store, execution.id, run.owner, status, fitResult(maskDeep(outcome.result, secrets), room), secrets, error));
}

/** Retries a store write that failed for a passing reason (a lost condition is final), with backoff. */
async function withRetries<T>(write: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (error instanceof TransitionConflictError || attempt >= attempts) throw error;
      await sleep(backoffMs(attempt, 100));
    }
  }
}

/** Writes the terminal status; a cancel asked for meanwhile wins (canceled is sticky, as in st2). */
async function recordOutcome(
  store: ExecutionStore,
  id: string,
  owner: string,
  status: ExecutionStatus,
  result: unknown,
  secrets: string[],
  error?: string,
): Promise<Execution> {
  const set = { result, error };
  const canceled = () => store.cancelDone(id, owner, set, `canceled while running (the action ended ${status})`, secrets);
  try {
    if (status === 'canceled') return await canceled();
    if (status === 'abandoned') return await store.abandon(id, owner, set, undefined, secrets);
    return await store.finish(id, owner, status as 'succeeded' | 'failed' | 'timeout', set, secrets);
  } catch (conflict) {
    const current = recordOf(conflict);
    // Canceled at once while it was about to start: that record stands.
    if (isTerminal(current.status)) return current;
    if (current.status !== 'canceling') throw conflict;
    return canceled();
  }
}
