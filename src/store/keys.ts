/** Every key and index name of the two tables, in one place (they must match serverless.yml). */
export const EXECUTIONS_BY_TIME_INDEX = 'byTime';
export const EXECUTIONS_BY_PARENT_INDEX = 'byParent';
/**
 * Partitions of the byTime index. One constant partition would take every execution's creation and status
 * writes (about 1,000 writes a second at most); eight, chosen by the random end of the id, take eight
 * times that. A listing reads all eight, newest first, and merges them.
 */
export const LIST_SHARDS = 8;

/** The byTime partition of an execution: from the random last character of its ULID. */
export function listShard(id: string): string {
  return `execution#${id.charCodeAt(id.length - 1) % LIST_SHARDS}`;
}

/**
 * What the byTime and byParent indexes copy of an execution (serverless.yml projects exactly these): what a
 * listing shows, and a child's result for its workflow. Not its parameters, status log, lease (so a
 * heartbeat writes no index) or workflow state. Kept in one place with the YAML by a unit test.
 */
export const LISTING_ATTRIBUTES = ['action', 'runner', 'status', 'context', 'start_timestamp', 'end_timestamp', 'error', 'parent'] as const;
/**
 * byParent has `parent` as its key, and adds the result (a workflow collects its tasks' results through it)
 * and the parameters with the names of the secret ones (a workflow masks its tasks' secrets in its own result).
 */
export const CHILD_ATTRIBUTES = [...LISTING_ATTRIBUTES.filter((name) => name !== 'parent'), 'result', 'parameters', 'secretParameters'];
/** Sparse index of the executions that are not terminal yet (`open` is removed when they end): what the sweeper reads. */
export const EXECUTIONS_BY_OPEN_INDEX = 'byOpen';
/** Sparse index of the actions waiting for a slot of a stage pool (`waiting_for` = the pool), oldest request first. */
export const EXECUTIONS_BY_WAITING_INDEX = 'byWaiting';
/** Partitions of the byOpen index, so that creating and ending executions spreads over more than one partition. */
export const OPEN_SHARDS = 4;

/** The byOpen partition of an execution: from the random last character of its ULID. */
export function openShard(id: string): string {
  return `open#${id.charCodeAt(id.length - 1) % OPEN_SHARDS}`;
}

export const keyFor = {
  execution: (id: string) => ({ id }),
  idempotency: (key: string) => ({ id: `idempotency#${key}` }),
  output: (executionId: string, seq: number) => ({ execution_id: executionId, seq }),
  /** Slot `index` of a slot pool (`src/pool/`): items of the executions table in no index. */
  slot: (pool: string, index: number) => ({ id: `slot#${pool}#${index}` }),
  /** A slot pool's own item: how many slots it has had at most. */
  slotPool: (pool: string) => ({ id: `slot#${pool}` }),
  /** What the actions function last reported about where it runs (its interpreters): an item in no index. */
  actionsRuntime: () => ({ id: 'runtime#actions' }),
};

/** Epoch seconds `days` from `now`: the TTL attribute. */
export function expiresAt(days: number, now = Date.now()): number {
  return Math.floor(now / 1000) + days * 86_400;
}
