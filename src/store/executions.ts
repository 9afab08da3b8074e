import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { monotonicFactory } from 'ulid';
import type { Execution, ExecutionContext, ExecutionListing, Lease } from '../model/execution.ts';
import { fromStatuses, type LifecycleEvent } from '../model/lifecycle.ts';
import { moveExpression, type ClaimFilter, type FieldUpdates, type MoveOptions } from './move-expression.ts';
import { listOpenExecutions, type OpenExecution } from './open-executions.ts';
import { joinWaitlist, leaveWaitlist, waitlistHead } from './waitlist.ts';
import { isTerminal, type ExecutionStatus } from '../model/status.ts';
import { secretValuesOf } from '../model/mask.ts';
import { TransitionConflictError } from './errors.ts';
import { batchGetItems } from './batch-get.ts';
import { idRange, type IdRangeOptions } from './list-range.ts';
import { maskWrite, storedSecrets } from './secrets.ts';
import { EXECUTIONS_BY_PARENT_INDEX, EXECUTIONS_BY_TIME_INDEX, expiresAt, keyFor, LIST_SHARDS, listShard, openShard } from './keys.ts';

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

export interface ListOptions extends IdRangeOptions {
  /** @default 50 */
  limit?: number;
  action?: string;
  status?: ExecutionStatus;
  /** Only the children of this workflow execution. */
  parent?: string;
  /** Only executions that are no workflow's task (no parent). @default false */
  topLevel?: boolean;
  /** @default true, except for a workflow's children (`parent`): oldest first */
  newestFirst?: boolean;
}

export interface ExecutionStoreOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** @default 14 */
  ttlDays?: number;
  now?: () => number;
}

const monotonicId = monotonicFactory();

/** The record `create` writes for `input` at `now`: status and its log entry, timestamps, TTL, and its result and error with its secrets masked. */
export function newExecutionRecord(input: NewExecution, now: number, ttlDays: number): Execution {
  const timestamp = new Date(now).toISOString();
  const status = input.status ?? 'requested';
  const { error, result } = maskWrite({ error: input.error, result: input.result }, undefined, secretValuesOf(input.parameters, input.secretParameters)).set;
  return {
    id: input.id ?? newExecutionId(now),
    action: input.action,
    runner: input.runner,
    status,
    parameters: input.parameters,
    secretParameters: input.secretParameters,
    context: input.context ?? {},
    log: [{ status, timestamp, ...(error ? { reason: error } : {}) }],
    start_timestamp: timestamp,
    ...(isTerminal(status) ? { end_timestamp: timestamp } : {}),
    ...(error ? { error } : {}),
    ...(result !== undefined ? { result } : {}),
    attempt: 0,
    ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
    expires_at: expiresAt(ttlDays, now),
  };
}

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
    const execution = newExecutionRecord(input, this.#now(), this.#ttlDays);
    const item = {
      ...execution,
      listKey: listShard(execution.id),
      ...(execution.context.parent ? { parent: execution.context.parent } : {}),
      ...(isTerminal(execution.status) ? {} : { open: openShard(execution.id) }),
    };
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

  /** Several executions in one consistent read (BatchGetItem), by id; an id with no record is absent. */
  async getMany(ids: readonly string[]): Promise<Map<string, Execution>> {
    const unique = [...new Set(ids)];
    const items = await batchGetItems(
      this.#doc,
      this.#table,
      unique.map((id) => keyFor.execution(id)),
    );
    return new Map(items.map((item) => [String(item.id), strip(item) as unknown as Execution]));
  }

  /**
   * Newest first, through the byTime index's shards merged by id (or oldest first through byParent for a
   * workflow's children): never a Scan. An execution is listed with what the indexes hold of it
   * (`ExecutionListing`); `get` has the rest.
   */
  async list(options: ListOptions = {}): Promise<ExecutionListing[]> {
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
    if (options.topLevel) {
      filters.push('attribute_not_exists(#parent)');
      names['#parent'] = 'parent';
    }
    const byParent = options.parent !== undefined;
    const newestFirst = options.newestFirst ?? !byParent;
    names['#pk'] = byParent ? 'parent' : 'listKey';
    const range = idRange(options);
    if (range) {
      names['#sk'] = 'id';
      Object.assign(values, range.values);
    }
    // One cursor per partition, read a page at a time as the merge needs it.
    const partitions = byParent ? [options.parent!] : Array.from({ length: LIST_SHARDS }, (_, shard) => `execution#${shard}`);
    const cursors = partitions.map((pk) => ({ pk, items: [] as ExecutionListing[], startKey: undefined as Record<string, unknown> | undefined, done: false }));
    const fill = async (cursor: (typeof cursors)[number]) => {
      while (cursor.items.length === 0 && !cursor.done) {
        const page = await this.#doc.send(
          new QueryCommand({
            TableName: this.#table,
            IndexName: byParent ? EXECUTIONS_BY_PARENT_INDEX : EXECUTIONS_BY_TIME_INDEX,
            KeyConditionExpression: range ? `#pk = :pk AND ${range.condition}` : '#pk = :pk',
            FilterExpression: filters.length ? filters.join(' AND ') : undefined,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ...values, ':pk': cursor.pk },
            ScanIndexForward: !newestFirst,
            Limit: Math.max(limit, 25),
            ExclusiveStartKey: cursor.startKey,
          }),
        );
        // BETWEEN includes `before` itself: the page starts after it.
        cursor.items.push(...((page.Items ?? []) as ExecutionListing[]).filter((item) => item.id !== options.before));
        cursor.startKey = page.LastEvaluatedKey;
        cursor.done = !cursor.startKey;
      }
    };
    const found: ExecutionListing[] = [];
    while (found.length < limit) {
      await Promise.all(cursors.map(fill));
      const live = cursors.filter((cursor) => cursor.items.length > 0);
      if (live.length === 0) break;
      const next = live.reduce((a, b) => (a.items[0].id > b.items[0].id === newestFirst ? a : b));
      found.push(next.items.shift()!);
    }
    return found.map(strip);
  }

  /**
   * A runner takes a waiting execution that no live lease holds and starts it (`attempt` counts claims);
   * with `only`, just an execution that filter lets through (a claim made before any read of the record).
   */
  claim(id: string, owner: string, leaseMs: number, only?: ClaimFilter): Promise<Execution> {
    return this.#take(id, 'claim', 'running', owner, leaseMs, `claimed by ${owner}`, only);
  }

  /** As `claim`, but the runner has no free slot yet: `scheduled` under its lease until `start`. */
  reserve(id: string, owner: string, leaseMs: number): Promise<Execution> {
    return this.#take(id, 'reserve', 'scheduled', owner, leaseMs, `claimed by ${owner}, waiting for a slot`);
  }

  /**
   * A `requested` execution waits in its queue (st2's `delayed`): its pool is full, or a policy holds it back.
   * `waitingFor`: the stage pool it waits for, on whose waitlist it goes (see `joinWaitlist`).
   */
  delay(id: string, reason: string, waitingFor?: string): Promise<Execution> {
    return this.move(id, 'delay', 'delayed', { reason, ...(waitingFor ? { set: { waiting_for: waitingFor } } : {}) });
  }

  /** A waiting execution (delayed already, say) goes on the waitlist of `pool`; false when it is not waiting any more. */
  joinWaitlist(id: string, pool: string): Promise<boolean> {
    return joinWaitlist(this.#doc, this.#table, id, pool, this.#now());
  }

  /** The first `limit` ids on the waitlist of `pool`, oldest request first. */
  waitlistHead(pool: string, limit: number): Promise<string[]> {
    return waitlistHead(this.#doc, this.#table, pool, limit);
  }

  /** Takes `id` off the waitlist of `pool`: its record when this call did, else undefined (another waker did, or it was claimed). */
  async leaveWaitlist(id: string, pool: string): Promise<Execution | undefined> {
    const record = await leaveWaitlist(this.#doc, this.#table, id, pool);
    return record && strip(record);
  }

  /** A reserved execution got its slot. */
  start(id: string, owner: string): Promise<Execution> {
    return this.move(id, 'start', 'running', { leaseOwner: owner, reason: `started by ${owner}` });
  }

  /** A reserved execution goes back to `requested`, its lease dropped, for its queue to bring it again. */
  requeue(id: string, owner: string, reason: string): Promise<Execution> {
    return this.move(id, 'requeue', 'requested', { leaseOwner: owner, set: { lease: null }, reason });
  }

  /** `owner` (a live runner, or one whose lease expired) gives the execution back as `scheduled`, without a lease. */
  release(id: string, owner: string | undefined, reason: string): Promise<Execution> {
    return this.move(id, 'release', 'scheduled', { leaseOwner: owner, set: { lease: null }, reason });
  }

  /** The action ended: its status, result and error, written while `owner` still holds it. */
  finish(id: string, owner: string, status: 'succeeded' | 'failed' | 'timeout', set: FieldUpdates, secrets?: readonly string[]): Promise<Execution> {
    return this.move(id, 'finish', status, { leaseOwner: owner, set: { ...set, lease: null }, secrets });
  }

  /** Nobody knows how it ended: its runner (`owner`, live or expired) stopped. */
  abandon(id: string, owner: string | undefined, set: FieldUpdates, reason?: string, secrets?: readonly string[]): Promise<Execution> {
    return this.move(id, 'abandon', 'abandoned', { leaseOwner: owner, set: { ...set, lease: null }, reason, secrets });
  }

  /** A canceling execution is over: its process tree is gone (or its runner `owner` died meanwhile). */
  cancelDone(id: string, owner: string | undefined, set: FieldUpdates, reason?: string, secrets?: readonly string[]): Promise<Execution> {
    return this.move(id, 'cancelDone', 'canceled', { leaseOwner: owner, set: { ...set, lease: null }, reason, secrets });
  }

  /** Refused before it started (no live lease may hold it): failed with `error`. */
  reject(id: string, error: string, set: FieldUpdates = {}): Promise<Execution> {
    return this.move(id, 'reject', 'failed', { unleased: true, set: { ...set, error } });
  }

  /** A cancel asked for before the execution started (or a concurrency policy's `action: cancel`, with its `error`). */
  cancelWaiting(id: string, error?: string): Promise<Execution> {
    return this.move(id, 'cancelWaiting', 'canceled', error ? { set: { error }, reason: error } : { reason: 'canceled before it started' });
  }

  /** A cancel asked for while it runs: its runner notices at its next heartbeat, a workflow's engine through its queue. */
  requestCancel(id: string): Promise<Execution> {
    return this.move(id, 'requestCancel', 'canceling', { reason: 'cancel requested' });
  }

  /** Its message is at its last delivery without an outcome: failed with the reason (only while `owner`, if given, holds it). */
  giveUp(id: string, reason: string, owner?: string): Promise<Execution> {
    return this.move(id, 'giveUp', 'failed', { leaseOwner: owner, set: { error: reason, lease: null }, reason });
  }

  /** The workflow engine starts a workflow, with its first state. */
  startWorkflow(id: string, set: FieldUpdates): Promise<Execution> {
    return this.move(id, 'startWorkflow', 'running', { set, reason: 'workflow started' });
  }

  /** The workflow engine ends a workflow (`own`: its record's parameters, which its masking then does not read again). */
  endWorkflow(
    id: string,
    status: 'succeeded' | 'failed' | 'canceled',
    set: FieldUpdates,
    own?: Pick<Execution, 'parameters' | 'secretParameters'>,
  ): Promise<Execution> {
    return this.move(id, 'endWorkflow', status, { set, ...(own ? { own } : {}) });
  }

  /** A pause asked for on a running workflow: no new task starts (its engine hears of it through its queue). */
  pause(id: string, reason = 'pause requested'): Promise<Execution> {
    return this.move(id, 'pause', 'pausing', { reason });
  }

  /** A pausing workflow has nothing running any more (its active tasks ended, or wait paused or pending). */
  paused(id: string): Promise<Execution> {
    return this.move(id, 'paused', 'paused', { reason: 'no task runs' });
  }

  /** A resume asked for on a pausing or paused workflow. */
  resume(id: string, reason = 'resume requested'): Promise<Execution> {
    return this.move(id, 'resume', 'resuming', { reason });
  }

  /** A resuming workflow's held tasks are scheduled: it runs again. */
  resumed(id: string): Promise<Execution> {
    return this.move(id, 'resumed', 'running', { reason: 'resumed' });
  }

  /** An inquiry asks: `pending` with its question (schema, users, roles, route, ttl) as its result, until `expiresAt` (epoch ms). */
  inquire(id: string, result: Record<string, unknown>, expiresAt: number): Promise<Execution> {
    return this.move(id, 'inquire', 'pending', { unleased: true, set: { result, inquiry_expires_at: expiresAt }, reason: 'waiting for a response' });
  }

  /** An inquiry got its response: succeeded, the response added to its result. */
  respond(id: string, result: Record<string, unknown>, user: string): Promise<Execution> {
    return this.move(id, 'respond', 'succeeded', { set: { result, inquiry_expires_at: null }, reason: `response from ${user}` });
  }

  /** An inquiry's ttl ran out: `timeout`, as st2's garbage collector marks it. */
  expire(id: string, error: string): Promise<Execution> {
    return this.move(id, 'expire', 'timeout', { set: { error, inquiry_expires_at: null }, reason: error });
  }

  #take(id: string, event: 'claim' | 'reserve', to: ExecutionStatus, owner: string, leaseMs: number, reason: string, only?: ClaimFilter): Promise<Execution> {
    // Taken: off any waitlist (nobody is to wake it any more).
    const set = { lease: this.#lease(owner, leaseMs), waiting_for: null };
    return this.move(id, event, to, { unleased: true, set, increment: ['attempt'], reason, ...(only ? { only } : {}) });
  }

  /**
   * Moves the execution to `to` by `event` of the lifecycle table when it is in one of the event's
   * `from` statuses (never a terminal one); appends to its log.
   * @throws TransitionConflictError carrying the current record when the condition fails.
   */
  protected async move(id: string, event: LifecycleEvent, to: ExecutionStatus, options: MoveOptions): Promise<Execution> {
    // Read only for a write of a result or an error (not for a claim's or a heartbeat's reason: hot paths).
    const writesOutcome = options.set?.result !== undefined || options.set?.error !== undefined;
    if (options.secrets || writesOutcome) {
      options = {
        ...options,
        ...maskWrite(options.set ?? {}, options.reason, options.secrets ?? (await storedSecrets(this.#doc, this.#table, id, options.own))),
      };
    }
    return this.#update(id, moveExpression(fromStatuses(event, to), to, options, this.#now()), (current) => {
      const detail = current ? `it is ${current.status}${current.lease ? ` (lease held by ${current.lease.owner})` : ''}` : 'it does not exist';
      return `transition refused: execution ${id} - cannot ${event} to ${to}, ${detail}`;
    });
  }

  /**
   * Every execution that has not ended, through the sparse byOpen index (never a Scan), without the
   * fields a sweep does not read (a workflow's state, results, parameters, status log).
   */
  listOpen(): Promise<OpenExecution[]> {
    return listOpenExecutions(this.#doc, this.#table);
  }

  /** Notes that the sweeper sent the execution to its queue again (so it is not sent again before its time). */
  async markSwept(id: string): Promise<void> {
    await this.#doc.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: keyFor.execution(id),
        UpdateExpression: 'SET swept_at = :now',
        ConditionExpression: 'attribute_exists(id)',
        ExpressionAttributeValues: { ':now': this.#now() },
      }),
    );
  }

  /**
   * The status and lease as last written, read cheaply: one eventually consistent GetItem of two
   * attributes (half a read unit for an item up to 4 KB), no write. What a running action polls to
   * notice a cancel between renewals of its lease.
   */
  async peek(id: string): Promise<Pick<Execution, 'status' | 'lease'> | undefined> {
    const { Item } = await this.#doc.send(
      new GetCommand({
        TableName: this.#table,
        Key: keyFor.execution(id),
        ProjectionExpression: '#status, #lease',
        ExpressionAttributeNames: { '#status': 'status', '#lease': 'lease' },
        ConsistentRead: false,
      }),
    );
    return Item as Pick<Execution, 'status' | 'lease'> | undefined;
  }

  /** Renews `owner`'s lease; the returned record tells whether a cancel was asked for meanwhile. */
  heartbeat(id: string, owner: string, leaseMs: number): Promise<Execution> {
    return this.#update(
      id,
      {
        UpdateExpression: 'SET #lease = :lease',
        ConditionExpression: '#lease.#owner = :owner AND #status IN (:scheduled, :running, :canceling)',
        ExpressionAttributeNames: { '#lease': 'lease', '#owner': 'owner', '#status': 'status' },
        ExpressionAttributeValues: {
          ':lease': this.#lease(owner, leaseMs),
          ':owner': owner,
          ':scheduled': 'scheduled',
          ':running': 'running',
          ':canceling': 'canceling',
        },
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
   * With `status`, only while the record is in that status too (a pause or resume recorded meanwhile makes the write lose).
   * @returns false when someone else wrote first.
   */
  async updateVersioned(
    id: string,
    versionField: string,
    expectedVersion: number | undefined,
    fields: Record<string, unknown>,
    bump = true,
    status?: ExecutionStatus,
  ): Promise<boolean> {
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
    let condition = expectedVersion === undefined ? 'attribute_exists(id) AND attribute_not_exists(#v)' : '#v = :expected';
    if (status) {
      names['#status'] = 'status';
      values[':status'] = status;
      condition += ' AND #status = :status';
    }
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keyFor.execution(id),
          UpdateExpression: `SET ${assignments.join(', ')}`,
          ConditionExpression: condition,
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
  const {
    listKey: _listKey,
    parent: _parent,
    open: _open,
    waiting_for: _waitingFor,
    ...rest
  } = item as T & { listKey?: unknown; parent?: unknown; open?: unknown; waiting_for?: unknown };
  return rest as T;
}
