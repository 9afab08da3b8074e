import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Execution, StatusLogEntry } from '../model/execution.ts';
import { isTerminal, type ExecutionStatus } from '../model/status.ts';

/** Fields to set along with a status change; `null` removes the field, `undefined` leaves it. */
export type FieldUpdates = Partial<Record<keyof Execution, unknown>> & Record<string, unknown>;

/**
 * What a claim made on a message's arrival, before anyone read the record, asks of the execution
 * besides being claimable: the action and runner its sender named (which this function runs at
 * once, see `arrivalFilter`), and that it is due.
 */
export interface ClaimFilter {
  action: string;
  runner: string;
  /** Epoch ms: it is due by then (no `context.notBefore` after it). */
  dueBy: number;
}

/** The conditions and updates of one lifecycle move, besides its `from` statuses. */
export interface MoveOptions {
  set?: FieldUpdates;
  reason?: string;
  /** Only when this runner still holds the lease. */
  leaseOwner?: string;
  /** Numeric fields to add one to. */
  increment?: readonly (keyof Execution)[];
  /** Only when no live lease holds it (none, or expired). */
  unleased?: boolean;
  /** Only an execution this filter lets through. */
  only?: ClaimFilter;
  /**
   * Secret values masked in `set.result`, `set.error` and `reason` (`maskDeep`). When not given and
   * a result or an error is written, they are read from the record (and a workflow's tasks): no
   * writer can store a secret. @default read from the record when a result or an error is written
   */
  secrets?: readonly string[];
  /** The record's parameters and secret names, when the caller holds it: the secrets to mask are then not read from it again. */
  own?: Pick<Execution, 'parameters' | 'secretParameters'>;
}

export type MoveExpression = Pick<UpdateCommandInput, 'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>;

/**
 * The conditional update of one status move: status, log entry and `set` fields written only while
 * the record is in one of `from` (and held by `leaseOwner`, or by no live lease, when asked).
 * A terminal status also stamps `end_timestamp` and leaves the sparse byOpen and byWaiting indexes.
 */
export function moveExpression(from: readonly ExecutionStatus[], to: ExecutionStatus, options: MoveOptions, now: number): MoveExpression {
  const timestamp = new Date(now).toISOString();
  const entry: StatusLogEntry = { status: to, timestamp, ...(options.reason ? { reason: options.reason } : {}) };
  const set: Record<string, unknown> = { ...options.set, status: to };
  if (isTerminal(to)) Object.assign(set, { end_timestamp: timestamp, open: null, waiting_for: null });
  const names: Record<string, string> = { '#log': 'log', '#status': 'status' };
  const values: Record<string, unknown> = { ':entry': [entry] };
  const assignments = ['#log = list_append(#log, :entry)'];
  const removals: string[] = [];
  for (const [field, value] of Object.entries(set)) {
    if (value === undefined) continue;
    names[`#${field}`] = field;
    if (value === null) removals.push(`#${field}`);
    else {
      values[`:${field}`] = value;
      assignments.push(`#${field} = :${field}`);
    }
  }
  for (const field of options.increment ?? []) {
    names[`#${field}`] = field;
    values[':one'] = 1;
    assignments.push(`#${field} = #${field} + :one`);
  }
  from.forEach((status, index) => (values[`:from${index}`] = status));
  const conditions = [`#status IN (${from.map((_, index) => `:from${index}`).join(', ')})`];
  if (options.leaseOwner) {
    Object.assign(names, { '#lease': 'lease', '#owner': 'owner' });
    values[':owner'] = options.leaseOwner;
    conditions.push('#lease.#owner = :owner');
  }
  if (options.unleased) {
    Object.assign(names, { '#lease': 'lease', '#expiresAt': 'expiresAt' });
    values[':now'] = now;
    conditions.push('(attribute_not_exists(#lease) OR #lease.#expiresAt < :now)');
  }
  if (options.only) conditions.push(...filterConditions(options.only, names, values));
  return {
    UpdateExpression: `SET ${assignments.join(', ')}${removals.length ? ` REMOVE ${removals.join(', ')}` : ''}`,
    ConditionExpression: `attribute_exists(id) AND ${conditions.join(' AND ')}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** The conditions of a `ClaimFilter`, their names and values added to `names` and `values`. */
function filterConditions(filter: ClaimFilter, names: Record<string, string>, values: Record<string, unknown>): string[] {
  Object.assign(names, { '#action': 'action', '#runner': 'runner', '#context': 'context', '#notBefore': 'notBefore' });
  Object.assign(values, { ':onlyAction': filter.action, ':onlyRunner': filter.runner, ':dueBy': filter.dueBy });
  return ['#action = :onlyAction', '#runner = :onlyRunner', '(attribute_not_exists(#context.#notBefore) OR #context.#notBefore <= :dueBy)'];
}
