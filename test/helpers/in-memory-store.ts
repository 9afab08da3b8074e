// An ExecutionStore kept in memory, for fast unit tests of dispatch and store logic. It inherits
// the store's named lifecycle operations and replaces only the storage under them, applying the
// same conditions the DynamoDB writes express (from-statuses, lease owner, no live lease, a claim filter).
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { fromStatuses, type LifecycleEvent } from '../../src/model/lifecycle.ts';
import type { Execution } from '../../src/model/execution.ts';
import { isTerminal, type ExecutionStatus } from '../../src/model/status.ts';
import { TransitionConflictError } from '../../src/store/errors.ts';
import { ExecutionStore, newExecutionRecord, type ListOptions, type NewExecution } from '../../src/store/executions.ts';
import type { MoveOptions } from '../../src/store/move-expression.ts';
import type { OpenExecution } from '../../src/store/open-executions.ts';

const clone = <T>(value: T): T => structuredClone(value);

export class InMemoryExecutionStore extends ExecutionStore {
  readonly records = new Map<string, Execution>();
  readonly #idempotency = new Map<string, string>();
  readonly #clock: () => number;

  constructor(now: () => number = Date.now) {
    super({ doc: undefined as unknown as DynamoDBDocumentClient, tableName: 'in-memory', now });
    this.#clock = now;
  }

  /** Puts a record as it is (a factory's), replacing any with its id. */
  put(execution: Execution): Execution {
    this.records.set(execution.id, clone(execution));
    return execution;
  }

  override async create(input: NewExecution): Promise<{ execution: Execution; created: boolean }> {
    const known = input.idempotencyKey ? this.#idempotency.get(input.idempotencyKey) : input.id;
    if (known && this.records.has(known)) return { execution: clone(this.records.get(known)!), created: false };
    const execution = newExecutionRecord(input, this.#clock(), 1);
    this.records.set(execution.id, clone(execution));
    if (input.idempotencyKey) this.#idempotency.set(input.idempotencyKey, execution.id);
    return { execution, created: true };
  }

  override async get(id: string): Promise<Execution | undefined> {
    const found = this.records.get(id);
    return found && clone(found);
  }

  override async getMany(ids: readonly string[]): Promise<Map<string, Execution>> {
    return new Map(ids.flatMap((id) => (this.records.has(id) ? [[id, clone(this.records.get(id)!)] as const] : [])));
  }

  override async list(options: ListOptions = {}): Promise<Execution[]> {
    const all = [...this.records.values()]
      .filter(
        (e) =>
          (options.parent === undefined || e.context.parent === options.parent) &&
          (!options.action || e.action === options.action) &&
          (!options.status || e.status === options.status),
      )
      .sort((a, b) => (options.parent === undefined ? b.id.localeCompare(a.id) : a.id.localeCompare(b.id)));
    return clone(all.slice(0, options.limit ?? 50));
  }

  override async listOpen(): Promise<OpenExecution[]> {
    return clone([...this.records.values()].filter((e) => !isTerminal(e.status)));
  }

  override async markSwept(id: string): Promise<void> {
    this.#require(id).swept_at = this.#clock();
  }

  override async peek(id: string): Promise<Pick<Execution, 'status' | 'lease'> | undefined> {
    const current = this.records.get(id);
    return current && clone({ status: current.status, ...(current.lease ? { lease: current.lease } : {}) });
  }

  override async heartbeat(id: string, owner: string, leaseMs: number): Promise<Execution> {
    const current = this.#require(id);
    if (current.lease?.owner !== owner || !['scheduled', 'running', 'canceling'].includes(current.status)) {
      throw new TransitionConflictError(`heartbeat refused: execution ${id} - lease no longer held by ${owner}`, clone(current));
    }
    current.lease = { owner, expiresAt: this.#clock() + leaseMs };
    return clone(current);
  }

  override async updateVersioned(
    id: string,
    versionField: string,
    expected: number | undefined,
    fields: Record<string, unknown>,
    bump = true,
  ): Promise<boolean> {
    const current = this.records.get(id) as (Execution & Record<string, unknown>) | undefined;
    if (!current || current[versionField] !== expected) return false;
    Object.assign(current, clone(fields), bump ? { [versionField]: (expected ?? 0) + 1 } : {});
    return true;
  }

  protected override async move(id: string, event: LifecycleEvent, to: ExecutionStatus, options: MoveOptions): Promise<Execution> {
    const current = this.records.get(id);
    const now = this.#clock();
    const allowed =
      current &&
      fromStatuses(event, to).includes(current.status) &&
      (!options.leaseOwner || current.lease?.owner === options.leaseOwner) &&
      (!options.unleased || !current.lease || current.lease.expiresAt < now) &&
      (!options.only ||
        (current.action === options.only.action && current.runner === options.only.runner && !(Number(current.context.notBefore) > options.only.dueBy)));
    if (!allowed) {
      const detail = current ? `it is ${current.status}${current.lease ? ` (lease held by ${current.lease.owner})` : ''}` : 'it does not exist';
      throw new TransitionConflictError(`transition refused: execution ${id} - cannot ${event} to ${to}, ${detail}`, current && clone(current));
    }
    const timestamp = new Date(now).toISOString();
    const record = current as Execution & Record<string, unknown>;
    for (const [field, value] of Object.entries(options.set ?? {})) {
      if (value === null) delete record[field];
      else if (value !== undefined) record[field] = clone(value);
    }
    for (const field of options.increment ?? []) (record as Record<string, unknown>)[field] = Number(record[field] ?? 0) + 1;
    record.status = to;
    record.log.push({ status: to, timestamp, ...(options.reason ? { reason: options.reason } : {}) });
    if (isTerminal(to)) record.end_timestamp = timestamp;
    return clone(record);
  }

  #require(id: string): Execution {
    const found = this.records.get(id);
    if (!found) throw new Error(`in-memory store: no execution ${id}`);
    return found;
  }
}
