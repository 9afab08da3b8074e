// The dispatcher over fakes at its narrow seams, for unit tests: an in-memory store, a queue that records
// what is sent, an output sink that keeps nothing; real runners and catalog.
import type { ActionCatalog } from '../../src/actions/types.ts';
import type { Config } from '../../src/config/index.ts';
import { BatchProcessor } from '../../src/dispatch/processor.ts';
import type { DispatchDeps } from '../../src/dispatch/types.ts';
import { createLogger } from '../../src/log/index.ts';
import type { OutgoingMessage } from '../../src/queue/messages.ts';
import type { QueueKind } from '../../src/queue/work-queue.ts';
import { ExecutionService } from '../../src/request/service.ts';
import { createRunners } from '../../src/runners/index.ts';
import type { OutputWriter } from '../../src/store/output.ts';
import type { InMemoryExecutionStore } from './in-memory-store.ts';

/** A message the fake queue was given. */
export interface SentMessage {
  kind: string;
  message: Record<string, unknown>;
  delaySeconds: number;
  attributes: Record<string, string>;
}

/** A batch processor on `store` whose queue records into `sent` (and dead letters into `deadLettered`); `extra` adds deps (slots, gate). */
export function fakeDispatcher(options: {
  config: Config;
  store: InMemoryExecutionStore;
  catalog: ActionCatalog;
  sent: SentMessage[];
  deadLettered?: Array<{ body: string; reason: string }>;
  extra?: Partial<DispatchDeps>;
}): BatchProcessor {
  const { config, store, catalog, sent } = options;
  const queue = {
    send: async (kind: QueueKind, message: OutgoingMessage, delaySeconds = 0, attributes: Record<string, string> = {}) =>
      void sent.push({ kind, message: message as Record<string, unknown>, delaySeconds, attributes }),
    retryAfter: async () => undefined,
    deadLetter: async (record: { body: string }, reason: string) => void options.deadLettered?.push({ body: record.body, reason }),
  };
  const sink = { storedUpTo: -1, write: () => undefined, close: async () => undefined } as unknown as OutputWriter;
  const runners = createRunners();
  const deps: DispatchDeps = {
    config,
    store,
    output: { writer: () => sink, lastSeq: async () => -1 },
    queue,
    catalog,
    runner: (name) => runners.get(name),
    log: createLogger({}, 'error'),
    stopping: new AbortController().signal,
    ...options.extra,
  };
  return new BatchProcessor(deps, new ExecutionService({ config, store, queue, catalog }));
}
