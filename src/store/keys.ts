/** Every key and index name of the two tables, in one place (they must match serverless.yml). */
export const EXECUTIONS_BY_TIME_INDEX = 'byTime';
export const EXECUTIONS_BY_PARENT_INDEX = 'byParent';
/** Constant partition of the byTime index: every execution is in it, sorted by its time-ordered id. */
export const LIST_KEY_VALUE = 'execution';

export const keyFor = {
  execution: (id: string) => ({ id }),
  idempotency: (key: string) => ({ id: `idempotency#${key}` }),
  output: (executionId: string, seq: number) => ({ execution_id: executionId, seq }),
};

/** Epoch seconds `days` from `now`: the TTL attribute. */
export function expiresAt(days: number, now = Date.now()): number {
  return Math.floor(now / 1000) + days * 86_400;
}
