import { loadActions } from '../actions/index.ts';
import type { ActionCatalog } from '../actions/types.ts';
import { ReloadingCatalog } from '../actions/reloading-catalog.ts';
import { createClients, type AwsClients } from '../config/clients.ts';
import { loadConfig, type Config } from '../config/index.ts';
import { createLogger, type Logger } from '../log/index.ts';
import { workQueueFor, type WorkQueue } from '../queue/work-queue.ts';
import { ExecutionService } from '../request/service.ts';
import { keyValueStoreFor } from '../datastore/for-config.ts';
import type { KeyValueStore } from '../datastore/index.ts';
import { ExecutionStore } from '../store/executions.ts';
import { OutputStore } from '../store/output.ts';

/** The parts of the system every entry point shares: what the CLI and tools use, and the functions build on. */
export interface Services {
  config: Config;
  clients: AwsClients;
  log: Logger;
  store: ExecutionStore;
  output: OutputStore;
  /** The datastore (st2kv). */
  kv: KeyValueStore;
  queue: WorkQueue;
  catalog: ActionCatalog;
  service: ExecutionService;
}

export interface ServicesOptions {
  /** @default loadConfig() */
  config?: Config;
  /** @default createClients(config) */
  clients?: AwsClients;
  /** @default a JSON logger on stderr */
  log?: Logger;
  /** The actions. @default loadActions() now (again when a packs folder of ACTIONRUNNER_PACKS_PATH changes), each unavailable one logged (`action unavailable`) */
  catalog?: ActionCatalog;
}

/**
 * The composition root without any handler: config, SDK clients, the execution and output stores,
 * the work queues, the pack catalog and the request service. Built once per process (cold start).
 * @example const { service } = createServices(); await service.request({ action: 'core.echo', parameters: { message: 'hi' } });
 */
export function createServices(options: ServicesOptions = {}): Services {
  const config = options.config ?? loadConfig();
  const clients = options.clients ?? createClients(config);
  const log = options.log ?? createLogger({ stage: config.stage });
  const store = new ExecutionStore({ doc: clients.doc, tableName: config.executionsTable, ttlDays: config.ttlDays });
  const output = new OutputStore({
    doc: clients.doc,
    tableName: config.outputTable,
    chunkBytes: config.outputChunkBytes,
    flushMs: config.outputFlushMs,
    ttlDays: config.ttlDays,
  });
  const kv = keyValueStoreFor(config, clients);
  const queue = workQueueFor(config, clients.sqs);
  const catalog = options.catalog ?? new ReloadingCatalog(() => loadActions({ packsPaths: config.packsPaths }), config.packsPaths);
  if (!options.catalog) {
    for (const problem of catalog.listUnavailable?.() ?? []) log.info('action unavailable', { ...problem });
    for (const problem of catalog.policies?.().listUnavailable() ?? []) log.warn('policy unavailable', { ...problem });
  }
  const service = new ExecutionService({ config, store, queue, catalog, kv });
  return { config, clients, log, store, output, kv, queue, catalog, service };
}
