// Starts the embedded emulators once for the integration project (or uses AWS_ENDPOINT_URL) and provides the endpoints.
import type { TestProject } from 'vitest/node';
import { emulatorEnv, startEmulators } from '../../src/substrate/index.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** SQS endpoint of the substrate (embedded fauxqs, LocalStack or AWS). */
    sqsEndpoint: string;
    /** DynamoDB endpoint of the substrate (embedded DynamoDB Local, LocalStack or AWS). */
    dynamodbEndpoint: string;
    /** True when the endpoints came from AWS_ENDPOINT_URL* and nothing was started. */
    externalSubstrate: boolean;
    region: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const emulators = await startEmulators({ dataDir: process.env.ACTIONRUNNER_EMULATOR_DATA_DIR || undefined });
  const region = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1';
  // Test workers (and the processes they spawn) inherit these: dummy credentials only for the embedded emulators.
  for (const [name, value] of Object.entries(emulatorEnv(emulators, region))) {
    if (name.startsWith('AWS_ENDPOINT_URL')) continue;
    process.env[name] ??= value;
  }
  // The handlers log every batch at info: keep test output to what went wrong.
  process.env.ACTIONRUNNER_LOG_LEVEL ??= 'warn';
  project.provide('sqsEndpoint', emulators.sqsEndpoint);
  project.provide('dynamodbEndpoint', emulators.dynamodbEndpoint);
  project.provide('externalSubstrate', emulators.external);
  project.provide('region', region);
  return () => emulators.stop();
}
