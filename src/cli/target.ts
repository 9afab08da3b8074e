import { loadConfig, type Config } from '../config/index.ts';
import type { Services } from '../app/services.ts';
import { createClients } from '../config/clients.ts';
import { createLogger } from '../log/index.ts';
import { ExecutionStore } from '../store/executions.ts';
import { workQueueFor } from '../queue/work-queue.ts';
import { OutputStore } from '../store/output.ts';
import { findLocal } from '../local/discovery.ts';
import { useEmulatorCredentials } from '../substrate/credentials.ts';
import { ActionRunnerError } from '../model/errors.ts';

type Env = Record<string, string | undefined>;

/** No system to talk to: neither a running `npm start` nor a stage. */
export class NoTargetError extends ActionRunnerError {
  override name = 'NoTargetError';
}

/** What the commands that only read executions need (`execution get|list|tail`). */
export type Reader = Pick<Services, 'config' | 'clients' | 'store' | 'output' | 'queue'>;

export interface Target {
  /** `local (pid 1234)` or `stage prod`: for messages. */
  description: string;
  /** The stores, built at once (the AWS SDK clients and the two tables). */
  runtime: Reader;
  /**
   * Everything else (the request service, the work queues, the pack catalog), loaded on first use: the
   * template engine, the schema validator and the YAML parser behind them cost more than a read itself.
   */
  services(): Promise<Services>;
  config: Config;
  close(): void;
}

// The CLI's own log lines stay quiet: only warnings and errors. The packs are read only by the commands that look at actions.
// The runners that cannot run where the actions function runs (python3 missing on Lambda's nodejs22.x zip) are
// decided by what its containers report; before any has started, by this machine's PATH.
async function loadServices(config: Config, clients: Services['clients']): Promise<Services> {
  const [{ createServices }, { loadActions }, { LazyCatalog }, { ActionsRuntimeRecord }, { findInterpreters }] = await Promise.all([
    import('../app/services.ts'),
    import('../actions/loader.ts'),
    import('../actions/lazy-catalog.ts'),
    import('../store/actions-runtime.ts'),
    import('../runners/interpreters.ts'),
  ]);
  const report = await new ActionsRuntimeRecord({ doc: clients.doc, tableName: config.executionsTable }).read();
  const interpreters = report?.interpreters ?? findInterpreters();
  const catalog = new LazyCatalog((packs) => loadActions({ packsPaths: config.packsPaths, packs, interpreters }));
  return createServices({ config, clients, log: createLogger({ component: 'cli' }, 'warn'), catalog });
}

/**
 * Where the CLI sends its requests:
 * 1. `--stage NAME`: that deployed stage (AWS's default credential chain; `AWS_ENDPOINT_URL` still honoured);
 * 2. the `actionrunner local` running in this directory or a parent (its discovery file), unless the
 *    environment names another stage;
 * 3. a stage or endpoint named by the environment (`ACTIONRUNNER_STAGE`, `AWS_ENDPOINT_URL*`).
 * Queue URLs of a deployed stage are resolved by name.
 */
export function resolveTarget(options: { stage?: string; cwd?: string; env?: Env } = {}): Target {
  const env = options.env ?? process.env;
  let config: Config;
  let description: string;
  const local = options.stage ? undefined : findLocal(options.cwd ?? process.cwd());
  if (options.stage) {
    config = loadConfig({ ...env, ACTIONRUNNER_STAGE: options.stage });
    description = `stage ${options.stage}`;
  } else if (local && (!env.ACTIONRUNNER_STAGE || env.ACTIONRUNNER_STAGE === local.stage)) {
    config = loadConfig({
      ...local.env,
      AWS_REGION: local.region,
      ACTIONRUNNER_STAGE: local.stage,
      AWS_ENDPOINT_URL_SQS: local.sqsEndpoint,
      AWS_ENDPOINT_URL_DYNAMODB: local.dynamodbEndpoint,
      ACTIONRUNNER_ACTIONS_QUEUE_URL: local.queueUrls.actions,
      ACTIONRUNNER_WORKFLOWS_QUEUE_URL: local.queueUrls.workflows,
      ACTIONRUNNER_EXECUTIONS_TABLE: local.tableNames.executions,
      ACTIONRUNNER_OUTPUT_TABLE: local.tableNames.output,
    });
    if (!local.external) useEmulatorCredentials();
    description = `local runtime (pid ${local.pid}, ${local.file})`;
  } else if (env.ACTIONRUNNER_STAGE || env.AWS_ENDPOINT_URL || env.AWS_ENDPOINT_URL_SQS) {
    config = loadConfig(env);
    description = `stage ${config.stage}`;
  } else {
    throw new NoTargetError(
      'no actionrunner to talk to: no running local runtime found from this directory - start one with "npm start" (actionrunner local) in the project, or pass --stage NAME for a deployed stage',
    );
  }
  const clients = createClients(config);
  const store = new ExecutionStore({ doc: clients.doc, tableName: config.executionsTable, ttlDays: config.ttlDays });
  const output = new OutputStore({
    doc: clients.doc,
    tableName: config.outputTable,
    chunkBytes: config.outputChunkBytes,
    flushMs: config.outputFlushMs,
    ttlDays: config.ttlDays,
  });
  let services: Promise<Services> | undefined;
  return {
    description,
    runtime: { config, clients, store, output, queue: workQueueFor(config, clients.sqs) },
    services: () => (services ??= loadServices(config, clients)),
    config,
    close: () => {
      clients.sqs.destroy();
      clients.dynamodb.destroy();
      clients.kms.destroy();
    },
  };
}
