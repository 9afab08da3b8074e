import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { SQSRecord } from 'aws-lambda';
import { createClients, type AwsClients } from '../config/clients.ts';
import { loadConfig, type Config } from '../config/index.ts';
import { createServices } from '../app/services.ts';
import { createLogger, type Logger } from '../log/index.ts';
import { createResources, type CreatedResources, type QueueUrls, type TableNames } from '../resources/index.ts';
import { ensureKeyFile } from '../datastore/index.ts';
import { ValidationError } from '../model/errors.ts';
import { localPacksDir } from '../pack-manager/layout.ts';
import { ExecutionStore } from '../store/executions.ts';
import { EmulatorDiedError, externalEndpoints, startEmulators, useEmulatorCredentials, type Emulators } from '../substrate/index.ts';
import { Sweeper } from '../sweep/index.ts';
import { discoveryFile, removeDiscovery, writeDiscovery } from './discovery.ts';
import { EventSourceMapping } from './event-source-mapping.ts';
import { FunctionPool, importFunction, type ContainerLoader } from './function-pool.ts';
import { concurrencyCap, functionSettings, warmContainers, type FunctionName, type FunctionSettings } from './function-settings.ts';

export interface LocalOptions {
  /** Where the discovery file goes (`.actionrunner/local.json`). @default process.cwd() */
  projectDir?: string;
  /** DynamoDB Local keeps its tables here between runs (`-dbPath`); in memory when unset. */
  dataDir?: string;
  /** How long running actions may go on after a stop before they are killed and recorded `abandoned`. @default 10000 */
  graceMs?: number;
  /** Long-poll wait of the mappings' receives, in seconds. @default 20 */
  pollWaitSeconds?: number;
  /** Write the discovery file. @default true */
  discovery?: boolean;
  /** Port of the HTTP API (0: any free port). @default ACTIONRUNNER_API_PORT, else 9101 (st2api's) */
  apiPort?: number;
  /** Told each step of the start-up as it begins (`DynamoDB Local (Java)`...): the CLI shows them. @default none */
  progress?: (step: string) => void;
  log?: Logger;
  /** Loads a container of a function; default: a fresh instance of the real `functions/<name>.ts` module. */
  loaders?: Partial<Record<FunctionName, ContainerLoader>>;
}

export interface LocalRuntime {
  stage: string;
  region: string;
  sqsEndpoint: string;
  dynamodbEndpoint: string;
  external: boolean;
  config: Config;
  clients: AwsClients;
  queueUrls: QueueUrls;
  tableNames: TableNames;
  settings: Record<FunctionName, FunctionSettings>;
  mappings: Record<FunctionName, EventSourceMapping>;
  pools: Record<FunctionName, FunctionPool>;
  discoveryFile?: string;
  /** Where the api function's handler listens (`http://127.0.0.1:9101`): the API under /v1, the web page at /. */
  apiUrl: string;
  /**
   * Resolves when an embedded emulator died under the runtime (which emulator, exit code or signal). The
   * runtime then stops by itself at once (no grace: nothing can be recorded any more); `stop()` awaits that.
   * Never resolves otherwise.
   */
  failed: Promise<EmulatorDiedError>;
  /**
   * Stops polling, lets running actions finish within the grace period, abandons the rest, stops the emulators.
   * `graceMs` overrides the runtime's grace period for this stop.
   */
  stop(reason?: string, graceMs?: number): Promise<void>;
  /** Kills every running action now (no grace), recording it `abandoned` with `reason`: a second Ctrl-C. */
  abandonRunning(reason: string): void;
}

const FUNCTIONS: FunctionName[] = ['workflows', 'actions'];
// Set per function while its module loads; every other variable is common to both and stays set.
const PER_FUNCTION = new Set(['ACTIONRUNNER_FUNCTION_TIMEOUT', 'ACTIONRUNNER_BATCH_SIZE']);

/**
 * Runs the whole system on this machine: the embedded emulators (or `AWS_ENDPOINT_URL`), the stage's
 * resources from serverless.yml, and one event source mapping per queue invoking the real handlers.
 * Configures `process.env` for its functions (endpoints, queue URLs, table names), as Lambda would.
 * @example const local = await startLocal({ graceMs: 2000 }); ... await local.stop();
 */
export async function startLocal(options: LocalOptions = {}): Promise<LocalRuntime> {
  const log = options.log ?? createLogger({ component: 'local' });
  const progress = options.progress ?? (() => {});
  const external = externalEndpoints();
  if (external) progress(`no embedded emulators: using sqs ${external.sqsEndpoint}, dynamodb ${external.dynamodbEndpoint} (AWS_ENDPOINT_URL*)`);
  else ['SQS emulator (fauxqs, in this process)', 'DynamoDB Local (Java; the slowest step, often 10-20 s)'].forEach(progress);
  const emulators = await startEmulators({ dataDir: options.dataDir, log: (line) => log.debug('dynamodb-local', { line }) });
  try {
    return await wire(emulators, options, log);
  } catch (error) {
    await emulators.stop();
    throw error;
  }
}

async function wire(emulators: Emulators, options: LocalOptions, log: Logger): Promise<LocalRuntime> {
  const progress = options.progress ?? (() => {});
  const { env, base, clients, resources, settings, functionEnv } = await prepareStage(emulators, progress, datastoreKeyFile(options), installedPacks(options));
  const { pools, mappings } = createMappings({ clients, resources, settings, functionEnv, options, log, region: base.region });
  const functionConfig = loadConfig({ ...env, ...functionEnv('actions') });
  const warm = warmContainers(functionConfig, settings.actions);
  progress(`warm containers: ${warm} of the actions function (enough to fill its pool of ${functionConfig.actionsPoolSize})`);
  await pools.actions.prewarm(warm);
  progress('event source mappings: the workflows and actions functions on their queues');
  await Promise.all(FUNCTIONS.map((name) => mappings[name].start()));
  progress('sweeper: sending again the executions an earlier run left waiting');
  const sweepTimer = await startSweeper(functionConfig, clients, emulators.external, log);
  progress('api: the api function on a local port (the HTTP API and the web page)');
  const api = await startApi(functionConfig, clients, options, log);
  const file = options.discovery === false ? undefined : discoveryFile(path.resolve(options.projectDir ?? process.cwd()));
  if (file) advertise(file, emulators, base, resources, { ...actionrunnerVariables(env), ...functionEnv('actions') }, api.url);

  const abandonRunning = (reason: string) => FUNCTIONS.forEach((name) => pools[name].abandonRunning(reason));
  let stopping: Promise<void> | undefined;
  const stop = (reason = 'stop requested', graceOverrideMs?: number) =>
    (stopping ??= (async () => {
      clearInterval(sweepTimer);
      await api.close();
      await drainOrAbandon({
        mappings,
        pools,
        log,
        reason,
        abandonRunning,
        graceMs: graceOverrideMs ?? options.graceMs ?? 10_000,
        killGraceMs: base.killGraceMs,
      });
      if (file) removeDiscovery(file);
      clients.sqs.destroy();
      clients.dynamodb.destroy();
      await emulators.stop();
      log.info('stopped');
    })());
  const failed = watchEmulators(emulators, options.dataDir, log, stop);

  return {
    stage: base.stage,
    region: base.region,
    sqsEndpoint: emulators.sqsEndpoint,
    dynamodbEndpoint: emulators.dynamodbEndpoint,
    external: emulators.external,
    config: functionConfig,
    clients,
    queueUrls: resources.queueUrls,
    tableNames: resources.tableNames,
    settings,
    mappings,
    pools,
    discoveryFile: file,
    apiUrl: api.url,
    failed,
    stop,
    abandonRunning,
  };
}

/** Writes the discovery file the CLI reads to find this runtime: who runs it, where its endpoints, queues and tables are. */
function advertise(file: string, emulators: Emulators, base: Config, resources: CreatedResources, env: Record<string, string>, apiUrl: string): void {
  writeDiscovery(file, {
    apiUrl,
    pid: process.pid,
    stage: base.stage,
    region: base.region,
    sqsEndpoint: emulators.sqsEndpoint,
    dynamodbEndpoint: emulators.dynamodbEndpoint,
    external: emulators.external,
    queueUrls: resources.queueUrls,
    tableNames: resources.tableNames,
    env,
    startedAt: new Date().toISOString(),
  });
}

/**
 * Points this process's SDK clients (and the functions it loads) at the emulators, as Lambda's
 * environment would, creates the stage's resources from serverless.yml, and reads the functions' settings.
 */
async function prepareStage(emulators: Emulators, progress: (step: string) => void, keyFile: string, packsDir: string) {
  const env = process.env;
  // The packs of `actionrunner pack install`, after those the user named.
  env.ACTIONRUNNER_PACKS_PATH = [...(env.ACTIONRUNNER_PACKS_PATH ?? '').split(':').filter((dir) => dir !== '' && dir !== packsDir), packsDir].join(':');
  env.AWS_ENDPOINT_URL_SQS = emulators.sqsEndpoint;
  env.AWS_ENDPOINT_URL_DYNAMODB = emulators.dynamodbEndpoint;
  env.AWS_REGION ||= env.AWS_DEFAULT_REGION || 'us-east-1';
  if (!emulators.external) useEmulatorCredentials(env);
  const base = loadConfig(env);
  const clients = createClients(base);
  progress(`stage ${base.stage} resources: queues, dead-letter queues and tables from serverless.yml`);
  const resources = await createResources(clients, base.stage);
  Object.assign(env, {
    ACTIONRUNNER_ACTIONS_QUEUE_URL: resources.queueUrls.actions,
    ACTIONRUNNER_WORKFLOWS_QUEUE_URL: resources.queueUrls.workflows,
    ACTIONRUNNER_EXECUTIONS_TABLE: resources.tableNames.executions,
    ACTIONRUNNER_OUTPUT_TABLE: resources.tableNames.output,
    ACTIONRUNNER_KEYVALUE_TABLE: resources.tableNames.keyvalue,
    ACTIONRUNNER_APIKEYS_TABLE: resources.tableNames.apikeys,
    ACTIONRUNNER_DATASTORE_KEY_FILE: keyFile,
    ACTIONRUNNER_MAX_RECEIVE_COUNT:
      env.ACTIONRUNNER_MAX_RECEIVE_COUNT || String(resources.definition.queues.find((q) => q.key === 'actions')?.dlq?.maxReceiveCount ?? 5),
  });
  const settings = functionSettings(base.stage, env);
  const functionEnv = (name: FunctionName): Record<string, string> => {
    const own = settings[name].environment;
    // What the user exported wins over serverless.yml's values, except the two the settings already reconciled.
    return Object.fromEntries(Object.entries(own).map(([key, value]) => [key, !PER_FUNCTION.has(key) && env[key] ? env[key]! : value]));
  };
  return { env, base, clients, resources, settings, functionEnv };
}

/** The packs folder `actionrunner pack install` fills (`.actionrunner/packs` of the project), created empty when missing. */
function installedPacks(options: LocalOptions): string {
  const dir = localPacksDir(path.resolve(options.projectDir ?? process.cwd()));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * The key that encrypts the datastore's secrets: ACTIONRUNNER_DATASTORE_KEY_FILE when set, else
 * `datastore.key` in the data dir (beside the tables it protects) or in the project's .actionrunner/;
 * created (32 random bytes, mode 0600) when missing.
 */
function datastoreKeyFile(options: LocalOptions): string {
  const given = process.env.ACTIONRUNNER_DATASTORE_KEY_FILE;
  const dir = options.dataDir ?? path.join(path.resolve(options.projectDir ?? process.cwd()), '.actionrunner');
  return ensureKeyFile(given || path.join(dir, 'datastore.key'));
}

interface MappingsSetup {
  clients: AwsClients;
  resources: CreatedResources;
  settings: Record<FunctionName, FunctionSettings>;
  functionEnv(name: FunctionName): Record<string, string>;
  options: LocalOptions;
  log: Logger;
  region: string;
}

/** One warm-container pool per function, and the event source mapping that invokes it from its queue. */
function createMappings(setup: MappingsSetup): Pick<LocalRuntime, 'pools' | 'mappings'> {
  const { clients, resources, settings, options } = setup;
  const store = new ExecutionStore({ doc: clients.doc, tableName: resources.tableNames.executions });
  const pools = {} as Record<FunctionName, FunctionPool>;
  const mappings = {} as Record<FunctionName, EventSourceMapping>;
  for (const name of FUNCTIONS) {
    const log = setup.log.child({ functionName: name });
    pools[name] = new FunctionPool(name, options.loaders?.[name] ?? importFunction(settings[name], setup.functionEnv(name)), log);
    mappings[name] = new EventSourceMapping({
      sqs: clients.sqs,
      queueUrl: resources.queueUrls[name],
      functionName: name,
      handler: pools[name].handler,
      log,
      batchSize: settings[name].batchSize,
      maximumBatchingWindowSeconds: settings[name].maximumBatchingWindowSeconds,
      maxConcurrency: concurrencyCap(settings[name]),
      functionTimeoutMs: settings[name].timeoutSeconds * 1000,
      pollWaitSeconds: options.pollWaitSeconds,
      region: setup.region,
      onLastDeliveryFailed: (record, reason) => failNamedExecution(store, record, reason, log),
    });
  }
  return { pools, mappings };
}

/**
 * The api function's handler behind a local HTTP server (API Gateway's part): the same code as deployed.
 * Its port: `apiPort`, else ACTIONRUNNER_API_PORT, else st2api's 9101.
 */
async function startApi(config: Config, clients: AwsClients, options: LocalOptions, log: Logger) {
  const [{ createApiHandler, startApiServer }, { createApiServices }] = await Promise.all([import('../api/index.ts'), import('../api/services.ts')]);
  const raw = process.env.ACTIONRUNNER_API_PORT;
  const port = options.apiPort ?? (raw ? Number(raw) : DEFAULT_API_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ValidationError(`invalid configuration: ACTIONRUNNER_API_PORT - expected a port from 0 to 65535, got ${JSON.stringify(raw)}`);
  const handler = createApiHandler(createApiServices({ config, clients, log: log.child({ functionName: 'api' }) }));
  try {
    return await startApiServer(handler, { port });
  } catch (error) {
    throw new ValidationError(
      `api port unavailable: ${port} - ${(error as Error).message}; pick another with --api-port or ACTIONRUNNER_API_PORT (0: any free port)`,
      {
        cause: error,
      },
    );
  }
}

/** st2api's port. */
export const DEFAULT_API_PORT = 9101;

/**
 * The sweeper function's schedule, here a timer. At start-up the embedded queues are new (in
 * memory): every execution still waiting lost its message, so it is sent again at once.
 */
async function startSweeper(config: Config, clients: AwsClients, externalQueues: boolean, log: Logger): Promise<NodeJS.Timeout> {
  const sweeper = new Sweeper(createServices({ config, clients, log: log.child({ component: 'sweeper' }) }));
  const sweep = (waitingAfterMs: number) => sweeper.sweep({ waitingAfterMs }).catch((error: unknown) => log.warn('sweep failed', { error }));
  await sweep(externalQueues ? config.sweepWaitingAfterSeconds * 1000 : 0);
  return setInterval(() => void sweep(config.sweepWaitingAfterSeconds * 1000), config.sweepIntervalSeconds * 1000);
}

interface Drain extends Pick<LocalRuntime, 'pools' | 'mappings' | 'abandonRunning'> {
  log: Logger;
  reason: string;
  graceMs: number;
  killGraceMs: number;
}

/** Stops polling and lets running invocations finish within the grace period; past it, their actions are killed and recorded `abandoned`. */
async function drainOrAbandon({ mappings, pools, log, reason, abandonRunning, graceMs, killGraceMs }: Drain): Promise<void> {
  log.info('stopping', { reason, graceMs, running: mappings.actions.metrics.inFlight + mappings.workflows.metrics.inFlight });
  await Promise.all(FUNCTIONS.map((name) => mappings[name].stop()));
  const drained = Promise.all(FUNCTIONS.map((name) => mappings[name].drained()));
  if (!(await within(drained, graceMs))) {
    log.warn('grace period over: killing running actions, recording them abandoned', { graceMs });
    abandonRunning(`the local runtime shut down (${reason}; grace period of ${graceMs} ms over)`);
    if (!(await within(drained, killGraceMs + 15_000))) log.error('invocations still running after the kill: giving up on them');
  }
  for (const name of FUNCTIONS) log.info('mapping stopped', { functionName: name, containers: pools[name].containers, ...mappings[name].metrics });
}

/**
 * An emulator that dies is said at once, with how, and ends the runtime: it would only fail every
 * invocation from now on. In memory its data is gone; with --data-dir a restart finds it again.
 */
function watchEmulators(emulators: Emulators, dataDir: string | undefined, log: Logger, stop: LocalRuntime['stop']): Promise<EmulatorDiedError> {
  return emulators.died.then((death) => {
    const error = new EmulatorDiedError(
      `emulator died: ${death.emulator} - ${death.how} (guard pid ${death.pid}); the local runtime stops and its running actions are killed` +
        `${dataDir ? ` (the tables in ${dataDir} are kept: start it again)` : ' (its in-memory data is lost: start it again)'}`,
    );
    log.error('emulator died', { emulator: death.emulator, how: death.how, guardPid: death.pid, lastLines: death.lastLines });
    void stop(`${death.emulator} ${death.how}`, 0);
    return error;
  });
}

/** Marks the execution a dead-lettered message names as failed, unless it already ended. */
async function failNamedExecution(store: ExecutionStore, record: SQSRecord, reason: string, log: Logger): Promise<void> {
  let executionId: unknown;
  try {
    executionId = (JSON.parse(record.body) as { executionId?: unknown }).executionId;
  } catch {
    return;
  }
  if (typeof executionId !== 'string') return;
  try {
    await store.giveUp(executionId, reason);
    log.warn('execution failed: its message goes to the dead-letter queue', { executionId, reason });
  } catch {
    // Already terminal (the handler recorded it on the last delivery) or unknown: nothing to do.
  }
}

function actionrunnerVariables(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[0].startsWith('ACTIONRUNNER_') && entry[1] !== undefined));
}

async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const done = promise.then(() => true as const);
  const result = await Promise.race([done, timeout]);
  clearTimeout(timer);
  return result;
}
