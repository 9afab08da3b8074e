// Record factories for unit tests (as Powertools' tests/helpers/factories.ts): a valid record, with what the test cares about.
import type { SQSRecord } from 'aws-lambda';
import type { Execution } from '../../src/model/execution.ts';

let counter = 0;

/** An execution of core.local, `requested`, with `overrides` applied. */
export function execution(overrides: Partial<Execution> = {}): Execution {
  const id = `01TEST${String(++counter).padStart(20, '0')}`;
  const timestamp = new Date().toISOString();
  return {
    id,
    action: 'core.local',
    runner: 'local-shell-cmd',
    status: 'requested',
    parameters: { cmd: 'true' },
    secretParameters: [],
    context: {},
    log: [{ status: overrides.status ?? 'requested', timestamp }],
    start_timestamp: timestamp,
    attempt: 0,
    expires_at: Math.floor(Date.now() / 1000) + 86_400,
    ...overrides,
  };
}

/** An SQS record carrying `body` (JSON-encoded when it is not a string), first delivery. */
export function sqsRecord(body: unknown, overrides: Partial<SQSRecord> = {}): SQSRecord {
  const messageId = `m-${++counter}`;
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'test', ApproximateFirstReceiveTimestamp: String(Date.now()) },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:lambda-actionrunner-test-actions',
    awsRegion: 'us-east-1',
    ...overrides,
  };
}
