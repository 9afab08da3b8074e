import { startDynamoDbLocal } from './dynamodb-local.ts';
import type { DynamoDbLocal, EmulatorDeath } from './dynamodb-local.ts';
import { startEmbeddedSqs } from './sqs.ts';
import type { EmbeddedSqs } from './sqs.ts';

export { SubstrateError, EmulatorDiedError } from './errors.ts';
import { EMULATOR_CREDENTIALS } from './credentials.ts';
export { EMULATOR_CREDENTIALS, useEmulatorCredentials } from './credentials.ts';
export { freePort } from './free-port.ts';
export { findJava } from './java.ts';
export { startDynamoDbLocal, dynamoDbLocalHome } from './dynamodb-local.ts';
export type { DynamoDbLocal, DynamoDbLocalOptions, EmulatorDeath } from './dynamodb-local.ts';
export { describeGuardExit } from './guard.ts';
export { startEmbeddedSqs } from './sqs.ts';
export type { EmbeddedSqs } from './sqs.ts';

type Env = Record<string, string | undefined>;

export interface EmulatorOptions {
  /** Directory where DynamoDB Local keeps its tables between runs; in memory when unset. SQS is always in memory. */
  dataDir?: string;
  /** Receives DynamoDB Local's output lines. */
  log?: (line: string) => void;
  /** Longest wait for DynamoDB Local. @default 30000 */
  startTimeoutMs?: number;
  /** Environment to read `AWS_ENDPOINT_URL*` and `JAVA_HOME`/`PATH` from. @default process.env */
  env?: Env;
}

export interface Emulators {
  sqsEndpoint: string;
  dynamodbEndpoint: string;
  /** True when the endpoints come from `AWS_ENDPOINT_URL*` (LocalStack, AWS) and nothing was started. */
  external: boolean;
  /** Pid of the process owning DynamoDB Local's JVM (its guard), when started here. */
  dynamodbPid?: number;
  /** Stops what was started (nothing when external); safe to call more than once. */
  stop(): Promise<void>;
  /** Resolves when an emulator started here ends without `stop()`; never resolves otherwise (or when external). */
  died: Promise<EmulatorDeath>;
}

/** The endpoints named by the environment, when it names them (`AWS_ENDPOINT_URL`, or both service-specific ones). */
export function externalEndpoints(env: Env = process.env): { sqsEndpoint: string; dynamodbEndpoint: string } | undefined {
  const sqsEndpoint = env.AWS_ENDPOINT_URL_SQS || env.AWS_ENDPOINT_URL;
  const dynamodbEndpoint = env.AWS_ENDPOINT_URL_DYNAMODB || env.AWS_ENDPOINT_URL;
  return sqsEndpoint && dynamodbEndpoint ? { sqsEndpoint, dynamodbEndpoint } : undefined;
}

/**
 * Starts the embedded AWS-API emulators: fauxqs (SQS, in process) and DynamoDB Local (java, guarded so it
 * dies with this process), each on a free port. When `AWS_ENDPOINT_URL` is set nothing starts: its endpoints are returned.
 * @example
 * const emulators = await startEmulators();
 * const config = loadConfig({ AWS_ENDPOINT_URL_SQS: emulators.sqsEndpoint, AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamodbEndpoint });
 * await emulators.stop();
 */
export async function startEmulators(options: EmulatorOptions = {}): Promise<Emulators> {
  const external = externalEndpoints(options.env ?? process.env);
  if (external) return { ...external, external: true, stop: async () => {}, died: new Promise<never>(() => {}) };
  const [sqs, dynamodb] = await Promise.allSettled([
    startEmbeddedSqs(),
    startDynamoDbLocal({ dataDir: options.dataDir, log: options.log, startTimeoutMs: options.startTimeoutMs, env: options.env }),
  ]);
  if (sqs.status === 'rejected' || dynamodb.status === 'rejected') {
    await Promise.allSettled([sqs, dynamodb].map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
    throw sqs.status === 'rejected' ? sqs.reason : (dynamodb as PromiseRejectedResult).reason;
  }
  const started: [EmbeddedSqs, DynamoDbLocal] = [sqs.value, dynamodb.value];
  let stopped: Promise<void> | undefined;
  return {
    sqsEndpoint: started[0].endpoint,
    dynamodbEndpoint: started[1].endpoint,
    external: false,
    dynamodbPid: started[1].pid,
    stop: () => (stopped ??= Promise.all(started.map((s) => s.stop())).then(() => undefined)),
    died: started[1].died,
  };
}

/**
 * Environment for a process (CLI, local runtime, child test process) that should talk to these emulators:
 * endpoints, region and dummy credentials (emulators accept any).
 */
export function emulatorEnv(emulators: Pick<Emulators, 'sqsEndpoint' | 'dynamodbEndpoint' | 'external'>, region = 'us-east-1'): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_SQS: emulators.sqsEndpoint,
    AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamodbEndpoint,
    AWS_REGION: region,
    ...(!emulators.external && EMULATOR_CREDENTIALS),
  };
}
