import { loadActions } from '../actions/index.ts';
import { createClients, type AwsClients } from '../config/clients.ts';
import { loadConfig, type Config } from '../config/index.ts';
import { createLogger, type Logger } from '../log/index.ts';
import { WorkQueue } from '../queue/work-queue.ts';
import { ExecutionService } from '../request/service.ts';
import { getRunner, RUNNER_NAMES } from '../runners/index.ts';
import { ExecutionStore } from '../store/executions.ts';
import { BatchProcessor } from './processor.ts';
import type { DispatchDeps, WorkflowDriver } from './types.ts';

export interface Runtime extends DispatchDeps {
  service: ExecutionService;
  processor: BatchProcessor;
}

export interface RuntimeOptions {
  config?: Config;
  clients?: AwsClients;
  log?: Logger;
  /** Builds the workflow driver from the rest of the runtime (the workflows function has one). */
  workflows?: (deps: Omit<Runtime, 'processor' | 'workflows'>) => WorkflowDriver;
}

/**
 * Builds everything a handler needs, once per cold start: config, SDK clients, the store,
 * the queues, the pack catalog and the dispatcher.
 */
export function createRuntime(options: RuntimeOptions = {}): Runtime {
  const config = options.config ?? loadConfig();
  const clients = options.clients ?? createClients(config);
  const log = options.log ?? createLogger({ stage: config.stage });
  const store = new ExecutionStore({ doc: clients.doc, tableName: config.executionsTable, ttlDays: config.ttlDays });
  const queue = new WorkQueue({
    sqs: clients.sqs,
    urls: { actions: config.actionsQueueUrl, workflows: config.workflowsQueueUrl },
    names: { actions: config.actionsQueueName, workflows: config.workflowsQueueName },
  });
  const catalog = loadActions({ packsPaths: config.packsPaths });
  for (const problem of catalog.listUnavailable()) log.info('action unavailable', { ...problem });
  const service = new ExecutionService({ config, store, queue, catalog });
  const runners = new Map(RUNNER_NAMES.map((name) => [name as string, getRunner(name)]));
  const base = { config, clients, log, store, queue, catalog, service, runner: (name: string) => runners.get(name) };
  const workflows = options.workflows?.(base);
  const deps = { ...base, workflows };
  return { ...deps, processor: new BatchProcessor(deps, service) };
}
