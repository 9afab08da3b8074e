import { describe, expect, it } from 'vitest';
import { loadActions } from '../../../src/actions/index.ts';
import { loadConfig } from '../../../src/config/index.ts';
import { applyRetryPolicy } from '../../../src/dispatch/retry-policy.ts';
import { createLogger } from '../../../src/log/index.ts';
import type { OutgoingMessage } from '../../../src/queue/messages.ts';
import type { QueueKind } from '../../../src/queue/work-queue.ts';
import { ExecutionService } from '../../../src/request/service.ts';
import { PacksFixture } from '../actions/pack-fixture.ts';
import { execution } from '../../helpers/factories.ts';
import { InMemoryExecutionStore } from '../../helpers/in-memory-store.ts';

const fixture = new PacksFixture();
fixture.pack('p', {
  'actions/flaky.yaml': 'name: flaky\nrunner_type: local-shell-cmd\nparameters:\n  cmd: { default: "false" }\n',
  'policies/retry.yaml': 'name: flaky.retry\nresource_ref: p.flaky\npolicy_type: action.retry\nparameters: { retry_on: failure, delay: 5 }\n',
});
const catalog = loadActions({ packsDir: null, packsPaths: [fixture.dir] });
const config = loadConfig({});
const log = createLogger({ test: 'retry-policy' }, 'error');

/** A queue whose first `failures` sends fail (SQS unreachable for a moment). */
function queue(failures: number) {
  const sent: Array<{ executionId: string; delaySeconds: number }> = [];
  return {
    sent,
    send: async (_kind: QueueKind, message: OutgoingMessage, delaySeconds = 0) => {
      if (failures-- > 0) throw new Error('sqs unreachable');
      sent.push({ executionId: 'executionId' in message ? message.executionId : '?', delaySeconds });
    },
    retryAfter: async () => undefined,
    deadLetter: async () => undefined,
  };
}

describe('applyRetryPolicy', () => {
  it('creates one retry, sent with its delay, however often it is asked; a failed send is made again on the next delivery', async () => {
    const store = new InMemoryExecutionStore();
    const q = queue(1);
    const deps = { catalog, log, store, queue: q };
    const service = new ExecutionService({ config, store, queue: q, catalog });
    const ended = store.put(execution({ action: 'p.flaky', status: 'failed', result: { return_code: 1 }, parameters: {} }));
    await expect(applyRetryPolicy(ended, deps, service)).rejects.toThrow('sqs unreachable');
    const retry = await applyRetryPolicy(ended, deps, service);
    const again = await applyRetryPolicy(ended, deps, service);
    expect(again?.id).toBe(retry?.id);
    expect([...store.records.values()].filter((e) => e.context.policies?.retry?.retried_liveaction_id === ended.id)).toHaveLength(1);
    expect(retry).toMatchObject({ status: 'requested', context: { policies: { retry: { applied_policy: 'p.flaky.retry', retry_count: 1 } } } });
    expect(q.sent.map((m) => m.executionId)).toEqual([retry!.id, retry!.id]);
    expect(q.sent[0].delaySeconds).toBeGreaterThanOrEqual(4);
    expect(q.sent[0].delaySeconds).toBeLessThanOrEqual(5);
  });

  it('does nothing for an action without a retry policy', async () => {
    const store = new InMemoryExecutionStore();
    const q = queue(0);
    const service = new ExecutionService({ config, store, queue: q, catalog });
    const ended = store.put(execution({ status: 'failed', result: {} }));
    expect(await applyRetryPolicy(ended, { catalog, log, store, queue: q }, service)).toBeUndefined();
    expect(q.sent).toEqual([]);
  });
});
