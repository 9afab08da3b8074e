import { describe, expect, it } from 'vitest';
import { NotRedrivableError, queueKinds, redriveBody, type DeadLetter } from '../../../src/dlq/index.ts';

const letter = (body: string, messageAttributes: Record<string, string> = {}): DeadLetter => ({
  messageId: 'dlq-message-1',
  queue: 'actions',
  body,
  receiptHandle: 'handle',
  attributes: {},
  messageAttributes,
});

describe('redriveBody', () => {
  it('sends an executionId message and a task event back as they are', () => {
    for (const body of [
      '{"executionId":"01J"}',
      '{"executionId":"01J","action":"core.local"}',
      '{"version":1,"type":"task-completed","workflowId":"w","taskId":"t","executionId":"e"}',
    ])
      expect(redriveBody(letter(body))).toBe(body);
  });

  it('gives a request without a key the key of its first delivery, so that it names the execution that delivery created', () => {
    expect(JSON.parse(redriveBody(letter('{"action":"core.echo","parameters":{"message":"x"}}')))).toEqual({
      action: 'core.echo',
      parameters: { message: 'x' },
      idempotencyKey: 'sqs:dlq-message-1',
    });
    expect(JSON.parse(redriveBody(letter('{"action":"core.echo"}', { originalMessageId: 'first-id' }))).idempotencyKey).toBe('sqs:first-id');
    expect(redriveBody(letter('{"action":"core.echo","idempotencyKey":"mine"}'))).toBe('{"action":"core.echo","idempotencyKey":"mine"}');
  });

  it('refuses a body that can never be processed, saying why', () => {
    expect(() => redriveBody(letter('not json'))).toThrow(NotRedrivableError);
    expect(() => redriveBody(letter('{"version":2,"executionId":"x"}'))).toThrow(
      'not redrivable: message dlq-message-1 - its body is no valid message, it would come straight back (malformed message: unsupported version - expected 1, got 2)',
    );
  });
});

describe('queueKinds', () => {
  it('is both queues by default, one when named, and refuses any other name', () => {
    expect(queueKinds()).toEqual(['actions', 'workflows']);
    expect(queueKinds('workflows')).toEqual(['workflows']);
    expect(() => queueKinds('dlq')).toThrow('invalid queue: "dlq" - expected actions or workflows');
  });
});
