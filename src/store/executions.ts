import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { monotonicFactory } from 'ulid';
import type { Execution, ExecutionContext, Lease, StatusLogEntry } from '../model/execution.ts';
import { CLAIMABLE_STATUSES, isTerminal, TERMINAL_STATUSES, type ExecutionStatus } from '../model/status.ts';
import { secretValuesOf } from '../model/mask.ts';
import { TransitionConflictError } from './errors.ts';
import { maskWrite, storedSecrets } from './secrets.ts';
import { EXECUTIONS_BY_PARENT_INDEX, EXECUTIONS_BY_TIME_INDEX, expiresAt, keyFor, LIST_KEY_VALUE } from './keys.ts';

/** What a caller gives to create an execution; the store fills in id, status, log and timestamps. */
export interface NewExecution {
  action: string;
  runner: string;
  parameters: Record<string, unknown>;
  secretParameters: string[];
  context?: ExecutionContext;
  idempotencyKey?: string;
  /** Create it already terminal (a request that failed validation is still recorded). */
  status?: ExecutionStatus;
  error?: string;
  result?: unknown;
  /** Id to use instead of a fresh one; creating an id that exists returns it (`created: false`). */
  id?: string;
}

export interface ListOptions {
  /** @default 50 */
  limit?: number;
  action?: string;
  status?: ExecutionStatus;
  /** Only the children of this workflow execution. */
  parent?: string;
}

export interface TransitionOptions {
  /** Statuses the record must be in; terminal statuses are never left whatever this says. */
  from: readonly ExecutionStatus[];
  /** Fields to set along with the status. `null` removes the field. */
  set?: Partial<Record<keyof Execution, unknown>> & Record<string, unknown>;
  reason?: string;
  /** Only when this runner still holds the lease. */
  leaseOwner?: string;
  /** Numeric fields to add one to. */
  increment?: readonly (keyof Execution)[];
  /** Only when no live lease holds it (none, or expired). */
  unleased?: boolean;
  /**
   * Secret values masked in `set.result`, `set.error` and `reason` (`maskDeep`). When not given and
   * a result or an error is written, they are read from the record (and a workflow's tasks): no
   * writer can store a secret. @default read from the record when a result or an error is written
   */
  secrets?: readonly string[];
}

export interface ExecutionStoreOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** @default 14 */
  ttlDays?: number;
  now?: () => number;
}

const monotonicId = monotonicFactory();

/** A fresh execution id: a ULID, so ids sort by creation time (the byTime index relies on it). */
export function newExecutionId(now = Date.now()): string {
  return monotonicId(now);
}

/** Executions in DynamoDB. Every status change is one conditional write that also appends to the log. */
export class ExecutionStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #ttlDays: number;
  readonly #now: () => number;

  constructor(options: ExecutionStoreOptions) {
    this.#doc = options.doc;
    this.#table = options.tableName;
    this.#ttlDays = options.ttlDays ?? 14;
    this.#now = options.now ?? Date.now;
  }

  /** Creates the execution; with an idempotency key already used, returns the existing one instead. */
  async create(input: NewExecution): Promise<{ execution: Execution; created: boolean }> {
    const now = this.#now();
    const timestamp = new Date(now).toISOString();
    const status = input.status ?? 'requested';
    input = { ...input, ...maskWrite({ error: input.error, result: input.result }, undefined, secretValuesOf(input.parameters, input.secretParameters)).set };
    const execution: Execution = {
      id: input.id ?? newExecutionId(now),
      action: input.action,
      runner: input.runner,
      status,
      parameters: input.parameters,
      secretParameters: input.secretParameters,
      context: input.context ?? {},
      log: [{ status, timestamp, ...(input.error ? { reason: input.error } : {}) }],
      start_timestamp: timestamp,
      ...(isTerminal(status) ? { end_timestamp: timestamp } : {}),
      ...(input.error ? { error: input.error } : {}),
      ...(input.result !== undefined ? { result: input.result } : {}),
      attempt: 0,
      ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
      expires_at: expiresAt(this.#ttlDays, now),
    };
    const item = { ...execution, listKey: LIST_KEY_VALUE, ...(execution.context.parent ? { parent: execution.context.parent } : {}) };
    const putExecution = { Put: { TableName: this.#table, Item: item, ConditionExpression: 'attribute_not_exists(id)' } };
    if (!input.idempotencyKey) {
      try {
        await this.#doc.send(new PutCommand(putExecution.Put));
        return { execution, created: true };
      } catch (error) {
        // A caller-chosen id that exists already: creating it again is a no-op (idempotent by id).
        const existing = input.id && error instanceof ConditionalCheckFailedException ? await this.get(input.id) : undefined;
        if (!existing) throw error;
        return { execution: existing, created: false };
      }
    }
    const marker = { ...keyFor.idempotency(input.idempotencyKey), executionId: execution.id, expires_at: execution.expires_at };
    try {
      await this.#doc.send(
        new TransactWriteCommand({
          TransactItems: [{ Put: { TableName: this.#table, Item: marker, ConditionExpression: 'attribute_not_exists(id)' } }, putExecution],
        }),
      );
      return { execution, created: true };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException) || error.CancellationReasons?.[0]?.Code !== 'ConditionalCheckFailed') throw error;
      const existing = await this.#get(keyFor.idempotency(input.idempotencyKey));
      const found = existing && (await this.get(String(existing.executionId)));
      if (!found) throw error;
      return { execution: found, created: false };
    }
  }

  async get(id: string): Promise<Execution | undefined> {
    return (await this.#get(keyFor.execution(id))) as Execution | undefined;
  }

  /** Newest first, through the byTime index (or byParent for a workflow's children): never a Scan. */
  async list(options: ListOptions = {}): Promise<Execution[]> {
    const limit = options.limit ?? 50;
    const filters: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    if (options.action) {
      filters.push('#action = :action');
      names['#action'] = 'action';
      values[':action'] = options.action;
    }
    if (options.status) {
      filters.push('#status = :status');
      names['#status'] = 'status';
      values[':status'] = options.status;
    }
    const byParent = options.parent !== undefined;
    names['#pk'] = byParent ? 'parent' : 'listKey';
    values[':pk'] = byParent ? options.parent : LIST_KEY_VALUE;
    const found: Execution[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.#doc.send(
        new QueryCommand({
          TableName: this.#table,
          IndexName: byParent ? EXECUTIONS_BY_PARENT_INDEX : EXECUTIONS_BY_TIME_INDEX,
          KeyConditionExpression: '#pk = :pk',
          FilterExpression: filters.length ? filters.join(' AND ') : undefined,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ScanIndexForward: byParent,
          Limit: Math.max(limit, 25),
          ExclusiveStartKey: startKey,
        }),
      );
      found.push(...((page.Items ?? []) as Execution[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey && found.length < limit);
    return found.slice(0, limit).map(strip);
  }

  /**
   * Moves the execution to `to` when it is in one of `from` (and not terminal); appends to its log.
   * @throws TransitionConflictError carrying the current record when the condition fails.
   */
  async transition(id: string, to: ExecutionStatus, options: TransitionOptions): Promise<Execution> {
    // Read only for a write of a result or an error (not for a claim's or a heartbeat's reason: hot paths).
    const writesOutcome = options.set?.result !== undefined || options.set?.error !== undefined;
    if (options.secrets || writesOutcome) {
      options = { ...options, ...maskWrite(options.set ?? {}, options.reason, options.secrets ?? (await storedSecrets(this.#doc, this.#table, id))) };
    }
    const now = new Date(this.#now()).toISOString();
    const entry: StatusLogEntry = { status: to, timestamp: now, ...(options.reason ? { reason: options.reason } : {}) };
    const set: Record<string, unknown> = { ...options.set, status: to };
    if (isTerminal(to)) set.end_timestamp = now;
    const names: Record<string, string> = { '#log': 'log', '#status': 'status' };
    const values: Record<string, unknown> = { ':entry': [entry] };
    const assignments = ['#log = list_append(#log, :entry)'];
    const removals: string[] = [];
    for (const [field, value] of Object.entries(set)) {
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
    const from = options.from.filter((status) => !TERMINAL_STATUSES.includes(status));
    from.forEach((status, index) => (values[`:from${index}`] = status));
    const conditions = [`#status IN (${from.map((_, index) => `:from${index}`).join(', ')})`];
    if (options.leaseOwner) {
      names['#lease'] = 'lease';
      names['#owner'] = 'owner';
      values[':owner'] = options.leaseOwner;
      conditions.push('#lease.#owner = :owner');
    }
    if (options.unleased) {
      names['#lease'] = 'lease';
      names['#expiresAt'] = 'expiresAt';
      values[':now'] = this.#now();
      conditions.push('(attribute_not_exists(#lease) OR #lease.#expiresAt < :now)');
    }
    return this.#update(
      id,
      {
        UpdateExpression: `SET ${assignments.join(', ')}${removals.length ? ` REMOVE ${removals.join(', ')}` : ''}`,
        ConditionExpression: `attribute_exists(id) AND ${conditions.join(' AND ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
      (current) => {
        const detail = current ? `it is ${current.status}${current.lease ? ` (lease held by ${current.lease.owner})` : ''}` : 'it does not exist';
        return `transition refused: execution ${id} - cannot move to ${to}, ${detail}`;
      },
    );
  }

  /**
   * Takes a requested, delayed or scheduled execution that no live lease holds, for `owner`, under
   * a lease: `running`, or `scheduled` when it must wait for a slot first (`attempt` counts claims).
   */
  claim(id: string, owner: string, leaseMs: number, status: 'running' | 'scheduled' = 'running'): Promise<Execution> {
    return this.transition(id, status, {
      from: CLAIMABLE_STATUSES,
      unleased: true,
      set: { lease: this.#lease(owner, leaseMs) },
      increment: ['attempt'],
      reason: status === 'running' ? `claimed by ${owner}` : `claimed by ${owner}, waiting for a slot`,
    });
  }

  /** Renews `owner`'s lease; the returned record tells whether a cancel was asked for meanwhile. */
  heartbeat(id: string, owner: string, leaseMs: number): Promise<Execution> {
    return this.#update(
      id,
      {
        UpdateExpression: 'SET #lease = :lease',
        ConditionExpression: '#lease.#owner = :owner AND #status IN (:scheduled, :running, :canceling)',
        ExpressionAttributeNames: { '#lease': 'lease', '#owner': 'owner', '#status': 'status' },
        ExpressionAttributeValues: { ':lease': this.#lease(owner, leaseMs), ':owner': owner, ':scheduled': 'scheduled', ':running': 'running', ':canceling': 'canceling' },
      },
      () => `heartbeat refused: execution ${id} - lease no longer held by ${owner}`,
    );
  }

  /** One conditional update returning the new record; a failed condition becomes a TransitionConflictError carrying the old one. */
  async #update(
    id: string,
    expression: Pick<UpdateCommandInput, 'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>,
    refused: (current: Execution | undefined) => string,
  ): Promise<Execution> {
    try {
      const updated = await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keyFor.execution(id),
          ...expression,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return strip(updated.Attributes as Execution);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const current = error.Item ? strip(unmarshall(error.Item) as Execution) : undefined;
      throw new TransitionConflictError(refused(current), current);
    }
  }

  /**
   * Sets `fields` only when the record's `versionField` still holds `expectedVersion`
   * (optimistic locking; `undefined` = never set), and bumps it unless `bump` is false.
   * @returns false when someone else wrote first.
   */
  async updateVersioned(id: string, versionField: string, expectedVersion: number | undefined, fields: Record<string, unknown>, bump = true): Promise<boolean> {
    const names: Record<string, string> = { '#v': versionField };
    const values: Record<string, unknown> = {};
    const assignments = Object.keys(fields).map((field, index) => {
      names[`#f${index}`] = field;
      values[`:f${index}`] = fields[field];
      return `#f${index} = :f${index}`;
    });
    if (bump) {
      values[':next'] = (expectedVersion ?? 0) + 1;
      assignments.push('#v = :next');
    }
    if (expectedVersion !== undefined) values[':expected'] = expectedVersion;
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keyFor.execution(id),
          UpdateExpression: `SET ${assignments.join(', ')}`,
          ConditionExpression: expectedVersion === undefined ? 'attribute_exists(id) AND attribute_not_exists(#v)' : '#v = :expected',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  #lease(owner: string, leaseMs: number): Lease {
    return { owner, expiresAt: this.#now() + leaseMs };
  }

  async #get(key: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.#doc.send(new GetCommand({ TableName: this.#table, Key: key, ConsistentRead: true }));
    return Item ? strip(Item) : undefined;
  }
}

/** Drops the index-only attributes so callers see the Execution shape. */
function strip<T extends object>(item: T): T {
  const { listKey: _listKey, parent: _parent, ...rest } = item as T & { listKey?: unknown; parent?: unknown };
  return rest as T;
}
