// The JSON documents of executions that the CLI's --json and the API both return: st2's field names, secrets masked.
import type { ActionDefinition } from '../actions/types.ts';
import { SECRET_MASK, type Execution, type ExecutionListing } from '../model/execution.ts';
import type { DeadLetterView, RedriveOutcome } from '../dlq/index.ts';
import { maskSecrets } from '../model/mask.ts';
import { isTerminal } from '../model/status.ts';

/** The lease of an execution that has not ended, and whether its runner stopped renewing it. */
export interface LeaseView {
  owner: string;
  expiresAt: number;
  /** Milliseconds since the lease expired; 0 or less while it holds. */
  expiredForMs: number;
  expired: boolean;
}

/** The lease as readers see it; undefined for an ended execution or one no runner holds. */
export function leaseView(execution: Pick<Execution, 'status' | 'lease'>, now = Date.now()): LeaseView | undefined {
  if (isTerminal(execution.status) || !execution.lease) return undefined;
  const { owner, expiresAt } = execution.lease;
  const expiredForMs = now - expiresAt;
  return { owner, expiresAt, expiredForMs, expired: expiredForMs > 0 };
}

/** How long the execution ran (or has been running). */
export function elapsedMs(execution: Pick<Execution, 'start_timestamp' | 'end_timestamp'>, now = Date.now()): number {
  const end = execution.end_timestamp ? Date.parse(execution.end_timestamp) : now;
  return end - Date.parse(execution.start_timestamp);
}

/**
 * The execution as `--json` prints it: st2's field names, secrets masked, internal bookkeeping
 * (TTL, idempotency marker) left out. `lease` only while it has not ended and a runner holds it:
 * `{ owner, expires_at, expired }`, plus `expired_seconds_ago` once the runner stopped renewing it.
 */
export function executionDocument(execution: Execution, now = Date.now()): Record<string, unknown> {
  const lease = leaseView(execution, now);
  return {
    id: execution.id,
    action: execution.action,
    runner: execution.runner,
    status: execution.status,
    parameters: maskSecrets(execution.parameters ?? {}, execution.secretParameters ?? []),
    result: execution.result ?? null,
    ...(execution.error ? { error: execution.error } : {}),
    context: execution.context ?? {},
    start_timestamp: execution.start_timestamp,
    end_timestamp: execution.end_timestamp ?? null,
    elapsed_seconds: Number((elapsedMs(execution) / 1000).toFixed(3)),
    attempt: execution.attempt,
    log: execution.log ?? [],
    ...(lease
      ? {
          lease: {
            owner: lease.owner,
            expires_at: new Date(lease.expiresAt).toISOString(),
            expired: lease.expired,
            ...(lease.expired ? { expired_seconds_ago: Math.round(lease.expiredForMs / 1000) } : {}),
          },
        }
      : {}),
  };
}

/**
 * One listed execution as `execution list --json` prints it: what a listing holds (no parameters, result
 * or status log: `execution get` has them), as st2's list prints its listing attributes.
 */
export function listingDocument(execution: ExecutionListing, now = Date.now()): Record<string, unknown> {
  return {
    id: execution.id,
    action: execution.action,
    runner: execution.runner,
    status: execution.status,
    ...('result' in execution ? { result: execution.result ?? null } : {}),
    ...(execution.error ? { error: execution.error } : {}),
    context: execution.context ?? {},
    start_timestamp: execution.start_timestamp,
    end_timestamp: execution.end_timestamp ?? null,
    elapsed_seconds: Number((elapsedMs(execution, now) / 1000).toFixed(3)),
  };
}

/** The action as `--json` prints it: its metadata, secret defaults masked. */
export function actionDocument(action: ActionDefinition): Record<string, unknown> {
  const parameters = Object.fromEntries(
    Object.entries(action.parameters).map(([name, spec]) => [name, spec.secret && spec.default !== undefined ? { ...spec, default: SECRET_MASK } : spec]),
  );
  return {
    ref: action.ref,
    pack: action.pack,
    name: action.name,
    description: action.description,
    runner_type: action.runner_type,
    enabled: action.enabled,
    ...(action.entry_point ? { entry_point: action.entry_point } : {}),
    parameters,
  };
}

/** One dead letter as `--json` prints it; `whole` adds its body, attributes and execution (`dlq show`; the API lists the short form). */
export function deadLetterDocument(view: DeadLetterView, whole = false): Record<string, unknown> {
  const { letter } = view;
  return {
    message_id: letter.messageId,
    queue: letter.queue,
    execution_id: view.executionId ?? null,
    action: view.action ?? null,
    received: view.received ?? null,
    sent_at: view.sentAt ?? null,
    moved_by: view.movedBy,
    reason: view.reason,
    ...(whole
      ? {
          body: letter.body,
          message_attributes: letter.messageAttributes,
          attributes: letter.attributes,
          execution: view.execution ? executionDocument(view.execution) : null,
        }
      : {}),
  };
}

/** What a redrive did with one message, as `dlq redrive --json` and the API show it. */
export function redriveOutcomeDocument(outcome: RedriveOutcome): Record<string, unknown> {
  return {
    message_id: outcome.messageId,
    queue: outcome.queue,
    redriven: outcome.redriven,
    ...(outcome.redriven ? { sent_as: outcome.sentAs } : { reason: outcome.reason }),
  };
}
