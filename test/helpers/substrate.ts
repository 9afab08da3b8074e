// Per-file AWS substrate for integration tests: a unique stage (own queues and tables) on the shared emulators.
import { randomBytes } from 'node:crypto';
import { DeleteMessageBatchCommand, PurgeQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, inject } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import type { Config } from '../../src/config/index.ts';
import { createClients } from '../../src/config/clients.ts';
import type { AwsClients } from '../../src/config/clients.ts';
import { createResources, deleteResources } from '../../src/resources/index.ts';
import type { CreatedResources, QueueUrls, TableNames } from '../../src/resources/index.ts';
import { EMULATOR_CREDENTIALS } from '../../src/substrate/index.ts';

export interface Substrate {
  /** Unique stage of this test file, e.g. `t3f9a1c2b`. */
  stage: string;
  /** Config for the stage: endpoints, table names, queue URLs, plus `env` overrides. */
  config: Config;
  /** Environment that yields `config` through `loadConfig()`: pass it to child processes (CLI, local runtime). */
  env: Record<string, string>;
  clients: AwsClients;
  resources: CreatedResources;
  queueUrls: QueueUrls;
  tableNames: TableNames;
  /** Empties both queues and both DLQs. */
  purgeQueues(): Promise<void>;
  /** Deletes the stage's queues and tables and closes the clients (done by `useSubstrate` after all tests). */
  teardown(): Promise<void>;
}

export interface SubstrateOptions {
  /** Stage name. @default `t` + 8 random hex characters */
  stage?: string;
  /** Extra `ACTIONRUNNER_*` variables for `loadConfig` (e.g. `{ ACTIONRUNNER_PARALLELISM: '2' }`). */
  env?: Record<string, string>;
  /** Keep the queues and tables after the file (for debugging). @default false */
  keep?: boolean;
}

/** A stage name no other test file uses. */
export function uniqueStage(): string {
  return `t${randomBytes(4).toString('hex')}`;
}

async function drain(clients: AwsClients, queueUrl: string): Promise<void> {
  for (;;) {
    const { Messages = [] } = await clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 30,
      }),
    );
    if (Messages.length === 0) return;
    await clients.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  }
}

async function purge(clients: AwsClients, queueUrl: string): Promise<void> {
  try {
    await clients.sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
  } catch (error) {
    // AWS allows one purge a minute per queue: fall back to receive-and-delete.
    if ((error as { name?: string }).name !== 'PurgeQueueInProgress') throw error;
    await drain(clients, queueUrl);
  }
}

/**
 * Creates a fresh stage (queues, DLQs, tables) on the substrate provided by the integration globalSetup.
 * @example const substrate = await setupSubstrate(); ... await substrate.teardown();
 */
export async function setupSubstrate(options: SubstrateOptions = {}): Promise<Substrate> {
  const stage = options.stage ?? uniqueStage();
  const sqsEndpoint = inject('sqsEndpoint');
  const dynamodbEndpoint = inject('dynamodbEndpoint');
  const external = inject('externalSubstrate');
  const baseEnv: Record<string, string> = {
    ACTIONRUNNER_STAGE: stage,
    AWS_REGION: inject('region'),
    AWS_ENDPOINT_URL_SQS: sqsEndpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
    ...(!external && EMULATOR_CREDENTIALS),
  };
  // The SDK reads credentials from the environment; emulators accept any.
  if (!external) {
    process.env.AWS_ACCESS_KEY_ID ??= EMULATOR_CREDENTIALS.AWS_ACCESS_KEY_ID;
    process.env.AWS_SECRET_ACCESS_KEY ??= EMULATOR_CREDENTIALS.AWS_SECRET_ACCESS_KEY;
  }
  const clients = createClients(loadConfig(baseEnv));
  const resources = await createResources(clients, stage);
  const env: Record<string, string> = {
    ...baseEnv,
    ACTIONRUNNER_ACTIONS_QUEUE_URL: resources.queueUrls.actions,
    ACTIONRUNNER_WORKFLOWS_QUEUE_URL: resources.queueUrls.workflows,
    ACTIONRUNNER_EXECUTIONS_TABLE: resources.tableNames.executions,
    ACTIONRUNNER_OUTPUT_TABLE: resources.tableNames.output,
    ACTIONRUNNER_KEYVALUE_TABLE: resources.tableNames.keyvalue,
    ACTIONRUNNER_APIKEYS_TABLE: resources.tableNames.apikeys,
    ...options.env,
  };
  const queues = Object.values(resources.queueUrls);
  let tornDown: Promise<void> | undefined;
  return {
    stage,
    config: loadConfig(env),
    env,
    clients,
    resources,
    queueUrls: resources.queueUrls,
    tableNames: resources.tableNames,
    purgeQueues: async () => {
      await Promise.all(queues.map((url) => purge(clients, url)));
    },
    teardown: () =>
      (tornDown ??= (async () => {
        try {
          if (!options.keep) await deleteResources(clients, resources.definition);
        } finally {
          clients.sqs.destroy();
          clients.dynamodb.destroy();
        }
      })()),
  };
}

/**
 * Registers beforeAll/afterAll for this test file and returns the substrate; its fields are readable
 * inside tests and hooks (after beforeAll), never at module level.
 * @example const substrate = useSubstrate(); it('...', async () => { await substrate.clients.sqs.send(...) });
 */
export function useSubstrate(options: SubstrateOptions = {}): Substrate {
  let current: Substrate | undefined;
  beforeAll(async () => {
    current = await setupSubstrate(options);
  });
  afterAll(async () => {
    await current?.teardown();
  });
  return new Proxy({} as Substrate, {
    get(_target, property) {
      if (property === 'then') return undefined; // not a thenable
      if (!current) throw new Error(`useSubstrate: "${String(property)}" read before beforeAll ran - read it inside a test or hook`);
      return Reflect.get(current, property);
    },
  });
}

export interface EventuallyOptions {
  /** @default 10000 */
  timeoutMs?: number;
  /** @default 50 */
  intervalMs?: number;
}

/**
 * Calls `fn` until it resolves without throwing, and returns its value; put assertions inside.
 * Throws the last error when `timeoutMs` passes. Never a fixed sleep.
 * @example const item = await eventually(async () => { const r = await get(id); expect(r.status).toBe('succeeded'); return r; });
 */
export async function eventually<T>(fn: () => T | Promise<T>, options: EventuallyOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let attempts = 0;
  for (;;) {
    attempts += 1;
    try {
      return await fn();
    } catch (error) {
      if (Date.now() + intervalMs > deadline) {
        const detail = error instanceof Error ? error.message : String(error);
        throw new Error(`eventually: timed out after ${timeoutMs} ms (${attempts} attempts) - ${detail}`, { cause: error });
      }
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
