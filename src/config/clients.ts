import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from './index.ts';

export interface AwsClients {
  sqs: SQSClient;
  dynamodb: DynamoDBClient;
  /** Document client over `dynamodb`: plain JS values in and out. */
  doc: DynamoDBDocumentClient;
}

/** Builds the SDK clients once, pointed at the configured endpoints (emulator, LocalStack, or AWS). */
export function createClients(config: Pick<Config, 'region' | 'sqsEndpoint' | 'dynamodbEndpoint'>): AwsClients {
  const sqs = new SQSClient({ region: config.region, endpoint: config.sqsEndpoint });
  const dynamodb = new DynamoDBClient({ region: config.region, endpoint: config.dynamodbEndpoint });
  const doc = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
  });
  return { sqs, dynamodb, doc };
}
