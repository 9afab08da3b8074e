import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { Config } from './index.ts';

/**
 * A client whose SDK is loaded on its first use: KMS serves only secrets of a deployed stage, and loading its
 * SDK at every cold start would cost every function time for nothing.
 * @example const kms = await clients.kms.get();
 */
export class LazyClient<T extends { destroy(): void }> {
  #client: Promise<T> | undefined;
  readonly #hooks: ((client: T) => void)[] = [];
  constructor(private readonly create: () => Promise<T>) {}

  get(): Promise<T> {
    this.#client ??= this.create().then((client) => {
      for (const hook of this.#hooks) hook(client);
      return client;
    });
    return this.#client;
  }

  /** Calls `hook` with the client once it exists (middleware such as the request meter). */
  use(hook: (client: T) => void): void {
    this.#hooks.push(hook);
    void this.#client?.then(hook);
  }

  /** Closes its sockets when it was created. */
  destroy(): void {
    void this.#client?.then((client) => client.destroy());
  }
}

export interface AwsClients {
  sqs: SQSClient;
  dynamodb: DynamoDBClient;
  /** Document client over `dynamodb`: plain JS values in and out. */
  doc: DynamoDBDocumentClient;
  /** KMS (the datastore's secrets on a deployed stage), created on first use. */
  kms: LazyClient<KMSClient>;
}

/** Builds the SDK clients once, pointed at the configured endpoints (emulator, LocalStack, or AWS). */
export function createClients(config: Pick<Config, 'region' | 'sqsEndpoint' | 'dynamodbEndpoint'> & Partial<Pick<Config, 'kmsEndpoint'>>): AwsClients {
  const sqs = new SQSClient({ region: config.region, endpoint: config.sqsEndpoint });
  const dynamodb = new DynamoDBClient({ region: config.region, endpoint: config.dynamodbEndpoint });
  const doc = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
  });
  const kms = new LazyClient(async () => {
    const { KMSClient } = await import('@aws-sdk/client-kms');
    return new KMSClient({ region: config.region, endpoint: config.kmsEndpoint });
  });
  return { sqs, dynamodb, doc, kms };
}
