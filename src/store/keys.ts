/** Every key and index name of the two tables, in one place (they must match serverless.yml). */
export const EXECUTIONS_BY_TIME_INDEX = 'byTime';
export const EXECUTIONS_BY_PARENT_INDEX = 'byParent';
/** Constant partition of the byTime index: every execution is in it, sorted by its time-ordered id. */
export const LIST_KEY_VALUE = 'execution';
/** Sparse index of the executions that are not terminal yet (`open` is removed when they end): what the sweeper reads. */
export const EXECUTIONS_BY_OPEN_INDEX = 'byOpen';
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
};

/** Epoch seconds `days` from `now`: the TTL attribute. */
export function expiresAt(days: number, now = Date.now()): number {
  return Math.floor(now / 1000) + days * 86_400;
}
