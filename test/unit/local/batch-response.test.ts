import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { judgeBatch } from '../../../src/local/batch-response.ts';

const record = (messageId: string) => ({ messageId, body: '{}' }) as SQSRecord;
const records = [record('a'), record('b'), record('c')];
const ids = (list: SQSRecord[]) => list.map((r) => r.messageId);
const returned = (response: unknown) => judgeBatch(records, { kind: 'returned', response });

describe('judgeBatch (AWS ReportBatchItemFailures rules)', () => {
  it.each([undefined, null, {}, { batchItemFailures: [] }, { batchItemFailures: null }])('treats %j as complete success', (response) => {
    const verdict = returned(response);
    expect(ids(verdict.succeeded)).toEqual(['a', 'b', 'c']);
    expect(verdict.failed).toEqual([]);
    expect(verdict.batchError).toBeUndefined();
  });

  it('deletes every record not listed', () => {
    const verdict = returned({ batchItemFailures: [{ itemIdentifier: 'b' }] });
    expect(ids(verdict.succeeded)).toEqual(['a', 'c']);
    expect(ids(verdict.failed)).toEqual(['b']);
  });

  it.each([
    [{ batchItemFailures: [{ itemIdentifier: 'zzz' }] }, 'is not a message of this batch'],
    [{ batchItemFailures: [{ itemIdentifier: '' }] }, 'missing, null or empty'],
    [{ batchItemFailures: [{ itemIdentifier: null }] }, 'missing, null or empty'],
    [{ batchItemFailures: [{ itemIdentifer: 'a' }] }, 'missing, null or empty'],
    [{ batchItemFailures: [{ itemIdentifier: 'a' }, { itemIdentifier: 'nope' }] }, 'is not a message of this batch'],
    [{ batchItemFailures: 'a' }, 'must be an array'],
    ['ok', 'invalid response'],
  ])('fails the whole batch for %j', (response, message) => {
    const verdict = returned(response);
    expect(verdict.succeeded).toEqual([]);
    expect(ids(verdict.failed)).toEqual(['a', 'b', 'c']);
    expect(verdict.batchError).toContain(message);
  });

  it('fails the whole batch when the handler throws or times out', () => {
    expect(judgeBatch(records, { kind: 'threw', error: new TypeError('boom') })).toMatchObject({
      succeeded: [],
      batchError: 'function error: TypeError: boom',
    });
    const timedOut = judgeBatch(records, { kind: 'timed-out', timeoutMs: 500 });
    expect(ids(timedOut.failed)).toEqual(['a', 'b', 'c']);
    expect(timedOut.batchError).toBe('function timed out: no answer after 500 ms');
  });
});
