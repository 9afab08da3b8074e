import path from 'node:path';
import { ValidationError } from '../model/errors.ts';

/**
 * Every knob of the runtime, read once from the environment by `loadConfig()`.
 * Each field names its variable and default.
 */
export interface Config {
  /** `AWS_REGION` @default 'us-east-1' */
  region: string;
  /** `AWS_ENDPOINT_URL_SQS`, else `AWS_ENDPOINT_URL` (LocalStack, an emulator); unset for real AWS. The embedded emulators listen on two ports. */
  sqsEndpoint?: string;
  /** `AWS_ENDPOINT_URL_DYNAMODB`, else `AWS_ENDPOINT_URL`; unset for real AWS. */
  dynamodbEndpoint?: string;
  /** `ACTIONRUNNER_STAGE` @default 'dev' */
  stage: string;
  /** `ACTIONRUNNER_EXECUTIONS_TABLE` @default 'lambda-actionrunner-<stage>-executions' */
  executionsTable: string;
  /** `ACTIONRUNNER_OUTPUT_TABLE` @default 'lambda-actionrunner-<stage>-output' */
  outputTable: string;
  /** `ACTIONRUNNER_KEYVALUE_TABLE`: the datastore (st2kv). @default 'lambda-actionrunner-<stage>-keyvalue' */
  keyValueTable: string;
  /** `ACTIONRUNNER_APIKEYS_TABLE`: the API's keys (hashed). @default 'lambda-actionrunner-<stage>-apikeys' */
  apiKeysTable: string;
  /** `AWS_ENDPOINT_URL_KMS`, else `AWS_ENDPOINT_URL` (LocalStack, a KMS stand-in); unset for real AWS. */
  kmsEndpoint?: string;
  /** `ACTIONRUNNER_DATASTORE_KMS_KEY`: ARN, id or alias of the KMS key that encrypts secret datastore values (a deployed stage's `DatastoreKey`). Wins over the key file. */
  datastoreKmsKey?: string;
  /** `ACTIONRUNNER_DATASTORE_KEY_FILE`: AES-256 key (base64) that encrypts secret datastore values; the local runtime creates it. Neither this nor a KMS key: secrets are refused. */
  datastoreKeyFile?: string;
  /** `ACTIONRUNNER_ACTIONS_QUEUE_URL`: URL of the actions queue (resolved by name when unset). */
  actionsQueueUrl?: string;
  /** `ACTIONRUNNER_WORKFLOWS_QUEUE_URL`: URL of the workflows queue (resolved by name when unset). */
  workflowsQueueUrl?: string;
  /** `ACTIONRUNNER_ACTIONS_QUEUE` @default 'lambda-actionrunner-<stage>-actions' */
  actionsQueueName: string;
  /** `ACTIONRUNNER_WORKFLOWS_QUEUE` @default 'lambda-actionrunner-<stage>-workflows' */
  workflowsQueueName: string;
  /** `ACTIONRUNNER_WORKFLOWS_POOL_SIZE`: workflow engine steps running at once across the stage (st2's workflows_pool_size). @default 40 */
  workflowsPoolSize: number;
  /** `ACTIONRUNNER_ACTIONS_POOL_SIZE`: actions running at once across the stage (st2's actions_pool_size); containers are bounded apart, by reserved concurrency. @default 60 */
  actionsPoolSize: number;
  /** `ACTIONRUNNER_PARALLELISM`: actions run at once inside one invocation (p-limit). @default 10 */
  parallelism: number;
  /** `ACTIONRUNNER_BATCH_SIZE`: SQS records per invocation. @default 10 */
  batchSize: number;
  /** `ACTIONRUNNER_DEFAULT_TIMEOUT`: seconds, for actions whose runner sets none. @default 60 */
  defaultTimeoutSeconds: number;
  /** `ACTIONRUNNER_DEADLINE_MARGIN_MS`: time kept before the Lambda deadline to kill, flush and record. @default 5000 */
  deadlineMarginMs: number;
  /** `ACTIONRUNNER_FUNCTION_TIMEOUT`: seconds, this Lambda function's own timeout. @default 900 */
  functionTimeoutSeconds: number;
  /** `ACTIONRUNNER_ACTIONS_FUNCTION_TIMEOUT`: seconds, the actions function's timeout: a request whose action timeout cannot fit in it is refused. @default 900 */
  actionsFunctionTimeoutSeconds: number;
  /** `ACTIONRUNNER_OUTPUT_CHUNK_BYTES`: largest output item's data. @default 65536 */
  outputChunkBytes: number;
  /** `ACTIONRUNNER_OUTPUT_FLUSH_MS`: longest time output waits before it is written. @default 250 */
  outputFlushMs: number;
  /** `ACTIONRUNNER_RESULT_MAX_BYTES`: stdout/stderr kept in `result`, each; the rest is in the output table. @default 131072 */
  resultMaxBytes: number;
  /** `ACTIONRUNNER_TTL_DAYS`: days before executions and output expire. @default 14 */
  ttlDays: number;
  /** `ACTIONRUNNER_LEASE_MS`: how long a running execution's lease lasts without a heartbeat. @default 30000 */
  leaseMs: number;
  /** `ACTIONRUNNER_HEARTBEAT_MS`: how often a running action looks for a cancel (one small read); its lease is renewed less often (`leaseRenewalMs`). @default 2000 */
  heartbeatMs: number;
  /** `ACTIONRUNNER_KILL_GRACE_MS`: SIGTERM to SIGKILL delay for an action's process group. @default 2000 */
  killGraceMs: number;
  /** `ACTIONRUNNER_MAX_RECEIVE_COUNT`: the queues' redrive maxReceiveCount; on the last delivery a failing execution is marked failed. @default 5 */
  maxReceiveCount: number;
  /** `ACTIONRUNNER_RETRY_DELAY_SECONDS`: a record that failed (store or queue unreachable) is retried after this, doubling per delivery up to 15 minutes, not after the queue's long visibility timeout. @default 30 */
  retryDelaySeconds: number;
  /** `ACTIONRUNNER_IN_FLIGHT_VISIBILITY_SECONDS`: while a batch runs, its messages stay invisible this long, renewed every third of it; if the function dies they come back this soon (not after the queue's 90-minute visibility timeout). @default 60 */
  inFlightVisibilitySeconds: number;
  /**
   * `ACTIONRUNNER_IN_FLIGHT_AFTER_SECONDS`: a batch still running after this long gets its in-flight visibility
   * (one ChangeMessageVisibilityBatch, renewed every third of `inFlightVisibilitySeconds`); a shorter batch never changes
   * it (one request saved per batch). If the function dies before then, its messages come back after the queue's
   * visibility timeout, and its executions are recovered by their leases and the sweeper (lease + one sweep). 0: at batch start. @default 10
   */
  inFlightAfterSeconds: number;
  /** `ACTIONRUNNER_WORKFLOW_MAX_TASK_RUNS`: task runs one workflow may start (loops and retries included; a with-items task is one run); the next one fails the workflow. st2 has no such limit. @default 1000 */
  workflowMaxTaskRuns: number;
  /** `ACTIONRUNNER_API_URL`: what workflows read as `ctx(st2).api_url` (st2's public API URL). Set it to the stage's API (`npm start` serves it on 9101); the CLI, with ACTIONRUNNER_API_KEY, talks to it instead of AWS. @default 'http://127.0.0.1:9101/v1' (st2's) */
  apiUrl: string;
  /** `ACTIONRUNNER_PACKS_PATH`: extra pack directories, colon-separated (st2's packs_base_paths). */
  packsPaths: string[];
  /** `ACTIONRUNNER_SWEEP_INTERVAL_SECONDS`: local runtime only, how often the sweeper looks for expired leases and lost messages (deployed: the sweeper function's schedule, 1 minute). @default 60 */
  sweepIntervalSeconds: number;
  /** `ACTIONRUNNER_SWEEP_WAITING_AFTER_SECONDS`: a waiting execution (requested, delayed) or an idle workflow is sent to its queue again after this long, in case its message was lost. @default 900 */
  sweepWaitingAfterSeconds: number;
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min = 1): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new ValidationError(`invalid configuration: ${name} - expected an integer >= ${min}, got "${raw}"`);
  }
  return value;
}

/** st2's default public API URL, for `ctx(st2).api_url` when ACTIONRUNNER_API_URL is unset. */
export const DEFAULT_API_URL = 'http://127.0.0.1:9101/v1';

function apiUrl(env: Env): string {
  const value = env.ACTIONRUNNER_API_URL || DEFAULT_API_URL;
  if (!/^https?:\/\/[^\s/]+/.test(value))
    throw new ValidationError(`invalid configuration: ACTIONRUNNER_API_URL - expected an http(s) URL, got ${JSON.stringify(value)}`);
  return value.replace(/\/+$/, '');
}

/**
 * How often a running action's lease (and its pool slot) is renewed: two thirds of the lease, but early
 * enough that two more heartbeats can retry a failed renewal before the runner gives the lease up
 * (`leaseMs - heartbeatMs - killGraceMs`); never more often than the heartbeat. 20 s by default: 3
 * writes a minute per item instead of one per heartbeat.
 * @example leaseRenewalMs(loadConfig()) // 20000
 */
export function leaseRenewalMs(config: Pick<Config, 'leaseMs' | 'heartbeatMs' | 'killGraceMs'>): number {
  const lastRetry = config.leaseMs - 2 * config.heartbeatMs - config.killGraceMs;
  return Math.max(config.heartbeatMs, Math.min(Math.round((config.leaseMs * 2) / 3), lastRetry));
}

/** Reads the configuration from `env` (default: `process.env`) and validates it. */
export function loadConfig(env: Env = process.env): Config {
  const stage = env.ACTIONRUNNER_STAGE || 'dev';
  const prefix = `lambda-actionrunner-${stage}`;
  const config: Config = {
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    sqsEndpoint: env.AWS_ENDPOINT_URL_SQS || env.AWS_ENDPOINT_URL || undefined,
    dynamodbEndpoint: env.AWS_ENDPOINT_URL_DYNAMODB || env.AWS_ENDPOINT_URL || undefined,
    stage,
    executionsTable: env.ACTIONRUNNER_EXECUTIONS_TABLE || `${prefix}-executions`,
    outputTable: env.ACTIONRUNNER_OUTPUT_TABLE || `${prefix}-output`,
    keyValueTable: env.ACTIONRUNNER_KEYVALUE_TABLE || `${prefix}-keyvalue`,
    apiKeysTable: env.ACTIONRUNNER_APIKEYS_TABLE || `${prefix}-apikeys`,
    kmsEndpoint: env.AWS_ENDPOINT_URL_KMS || env.AWS_ENDPOINT_URL || undefined,
    datastoreKmsKey: env.ACTIONRUNNER_DATASTORE_KMS_KEY || undefined,
    datastoreKeyFile: env.ACTIONRUNNER_DATASTORE_KEY_FILE || undefined,
    actionsQueueUrl: env.ACTIONRUNNER_ACTIONS_QUEUE_URL || undefined,
    workflowsQueueUrl: env.ACTIONRUNNER_WORKFLOWS_QUEUE_URL || undefined,
    actionsQueueName: env.ACTIONRUNNER_ACTIONS_QUEUE || `${prefix}-actions`,
    workflowsQueueName: env.ACTIONRUNNER_WORKFLOWS_QUEUE || `${prefix}-workflows`,
    workflowsPoolSize: int(env, 'ACTIONRUNNER_WORKFLOWS_POOL_SIZE', 40),
    actionsPoolSize: int(env, 'ACTIONRUNNER_ACTIONS_POOL_SIZE', 60),
    parallelism: int(env, 'ACTIONRUNNER_PARALLELISM', 10),
    batchSize: int(env, 'ACTIONRUNNER_BATCH_SIZE', 10),
    defaultTimeoutSeconds: int(env, 'ACTIONRUNNER_DEFAULT_TIMEOUT', 60),
    deadlineMarginMs: int(env, 'ACTIONRUNNER_DEADLINE_MARGIN_MS', 5000, 0),
    functionTimeoutSeconds: int(env, 'ACTIONRUNNER_FUNCTION_TIMEOUT', 900),
    actionsFunctionTimeoutSeconds: int(env, 'ACTIONRUNNER_ACTIONS_FUNCTION_TIMEOUT', 900),
    outputChunkBytes: int(env, 'ACTIONRUNNER_OUTPUT_CHUNK_BYTES', 65536, 1024),
    outputFlushMs: int(env, 'ACTIONRUNNER_OUTPUT_FLUSH_MS', 250),
    resultMaxBytes: int(env, 'ACTIONRUNNER_RESULT_MAX_BYTES', 131072, 0),
    ttlDays: int(env, 'ACTIONRUNNER_TTL_DAYS', 14),
    leaseMs: int(env, 'ACTIONRUNNER_LEASE_MS', 30000),
    heartbeatMs: int(env, 'ACTIONRUNNER_HEARTBEAT_MS', 2000),
    killGraceMs: int(env, 'ACTIONRUNNER_KILL_GRACE_MS', 2000, 0),
    maxReceiveCount: int(env, 'ACTIONRUNNER_MAX_RECEIVE_COUNT', 5),
    retryDelaySeconds: int(env, 'ACTIONRUNNER_RETRY_DELAY_SECONDS', 30, 0),
    inFlightVisibilitySeconds: int(env, 'ACTIONRUNNER_IN_FLIGHT_VISIBILITY_SECONDS', 60),
    inFlightAfterSeconds: int(env, 'ACTIONRUNNER_IN_FLIGHT_AFTER_SECONDS', 10, 0),
    workflowMaxTaskRuns: int(env, 'ACTIONRUNNER_WORKFLOW_MAX_TASK_RUNS', 1000),
    apiUrl: apiUrl(env),
    // Relative folders are under the function's root in Lambda (user-packs/ of a packaged stage), else the working directory.
    packsPaths: (env.ACTIONRUNNER_PACKS_PATH ?? '')
      .split(':')
      .filter(Boolean)
      .map((dir) => path.resolve(env.LAMBDA_TASK_ROOT ?? process.cwd(), dir)),
    sweepIntervalSeconds: int(env, 'ACTIONRUNNER_SWEEP_INTERVAL_SECONDS', 60),
    sweepWaitingAfterSeconds: int(env, 'ACTIONRUNNER_SWEEP_WAITING_AFTER_SECONDS', 900, 0),
  };
  // A message must not come back while the lease of its (dead) runner is still live: it would be taken for a duplicate.
  // (It is renewed every third of it, so a message may come back 2/3 of it after the last renewal.)
  if ((config.inFlightVisibilitySeconds * 1000 * 2) / 3 <= config.leaseMs + config.heartbeatMs) {
    throw new ValidationError(
      `invalid configuration: ACTIONRUNNER_IN_FLIGHT_VISIBILITY_SECONDS - expected 2/3 of it to exceed the lease plus one heartbeat (${config.leaseMs + config.heartbeatMs} ms), got ${config.inFlightVisibilitySeconds} s`,
    );
  }
  return config;
}
