import { setMaxListeners } from 'node:events';
import { createServices, type Services, type ServicesOptions } from '../app/services.ts';
import { createRunners } from '../runners/index.ts';
import { DynamoSlotPool } from '../pool/index.ts';
import { PoolGate } from './pool-gate.ts';
import { Waitlist } from './waitlist.ts';
import { BatchProcessor } from './processor.ts';
import { leaseRenewalMs } from '../config/index.ts';
import type { DispatchDeps, WorkflowDriver } from './types.ts';

/** What a function's handler runs on: the shared services, the runners and the batch processor. */
export type Runtime = Services &
  DispatchDeps & {
    processor: BatchProcessor;
    /**
     * Stops every action running in this runtime, and any that starts afterwards: process trees
     * killed, executions recorded `abandoned` with `reason` (the local runtime's shutdown after its
     * grace period; what Lambda does to a container is out of our hands, the lease covers it).
     */
    abandonRunning(reason: string): void;
  };

export interface RuntimeOptions extends ServicesOptions {
  /** Builds the workflow driver from the rest of the runtime (the workflows function has one). */
  workflows?: (deps: Services & Pick<DispatchDeps, 'runner' | 'stopping'>) => WorkflowDriver;
}

/**
 * Builds everything a handler needs, once per cold start: the services (`createServices`), the
 * runners, the workflow driver when there is one, this container's door to its function's
 * stage-wide pool (`actions` or `workflows`, sized by `ACTIONRUNNER_*_POOL_SIZE`), and the dispatcher.
 */
export function createRuntime(options: RuntimeOptions = {}): Runtime {
  const services = createServices(options);
  // The catalog lets an action chain find the actions its nodes name.
  const runners = createRunners({ catalog: services.catalog });
  const stopping = new AbortController();
  // One listener per running action: many at once is normal, not a leak.
  setMaxListeners(0, stopping.signal);
  const { config, clients, log } = services;
  // One slot pool for the function's pool and the packs' concurrency policies.
  const slots = new DynamoSlotPool({ doc: clients.doc, tableName: config.executionsTable });
  const base = { ...services, runner: (name: string) => runners.get(name), stopping: stopping.signal, slots };
  const runsWorkflows = Boolean(options.workflows);
  // Actions that find the pool full wait on its waitlist, woken as slots free (workflow steps wait in their queue).
  const waitlist = runsWorkflows ? undefined : new Waitlist({ store: services.store, queue: services.queue, log, pool: 'actions' });
  const gate = new PoolGate({
    slots,
    pool: runsWorkflows ? 'workflows' : 'actions',
    limit: runsWorkflows ? config.workflowsPoolSize : config.actionsPoolSize,
    leaseMs: config.leaseMs,
    heartbeatMs: config.heartbeatMs,
    renewMs: leaseRenewalMs(config),
    log,
    ...(waitlist ? { onUnclaimedFree: (watched: boolean) => waitlist.wake(watched), othersWait: () => waitlist.busy } : {}),
  });
  const deps = { ...base, gate, waitlist, workflows: options.workflows?.(base) };
  return { ...deps, processor: new BatchProcessor(deps, services.service), abandonRunning: (reason) => stopping.abort(reason) };
}
