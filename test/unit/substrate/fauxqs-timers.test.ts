// fauxqs's queue with the deadline timers: no timer while receivers wait on a queue with nothing pending
// (an idle runtime must not wake), and a delayed or in-flight message still comes back to a waiting
// receiver at its deadline.
import { beforeAll, describe, expect, it } from 'vitest';
import { nextDeadline, useDeadlineTimers } from '../../../src/substrate/fauxqs-timers.ts';

interface Queue {
  pollTimer?: NodeJS.Timeout;
  enqueue(message: Record<string, unknown>): void;
  dequeue(max: number, visibilityTimeout?: number): { MessageId: string }[];
  waitForMessages(seconds: number): Promise<void>;
  cancelWaiters(): void;
}
let SqsQueue: new (name: string, url: string, arn: string, attributes: Record<string, string>, tags: Record<string, string>) => Queue;

beforeAll(async () => {
  await useDeadlineTimers();
  ({ SqsQueue } = await import(new URL('./sqs/sqsStore.js', import.meta.resolve('fauxqs')).href));
});

const newQueue = () => new SqsQueue('q', 'http://127.0.0.1/000000000000/q', 'arn:aws:sqs:us-east-1:000000000000:q', { VisibilityTimeout: '30' }, {});
const message = (id: string, delayUntil?: number) => ({
  messageId: id,
  body: id,
  messageAttributes: {},
  attributes: {},
  approximateReceiveCount: 0,
  delayUntil,
});

describe('fauxqs deadline timers', () => {
  it('sets no timer while a receive waits on a queue with nothing delayed or in flight', () => {
    const queue = newQueue();
    void queue.waitForMessages(20);
    expect(queue.pollTimer).toBeUndefined();
    queue.cancelWaiters();
  });

  it('wakes a waiting receive when a delayed message is due, and then holds no timer', async () => {
    const queue = newQueue();
    const waited = queue.waitForMessages(20);
    const t0 = Date.now();
    queue.enqueue(message('later', t0 + 200));
    expect(queue.pollTimer).toBeDefined();
    await waited;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(queue.dequeue(10).map((m) => m.MessageId)).toEqual(['later']);
    expect(queue.pollTimer).toBeUndefined();
  });

  it('gives an in-flight message back to a waiting receive when its visibility ends', async () => {
    const queue = newQueue();
    queue.enqueue(message('once'));
    expect(queue.dequeue(1, 1).map((m) => m.MessageId)).toEqual(['once']);
    const t0 = Date.now();
    await queue.waitForMessages(20);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(queue.dequeue(1).map((m) => m.MessageId)).toEqual(['once']);
  });

  it('finds the earliest deadline of delayed, FIFO-delayed and in-flight messages', () => {
    expect(nextDeadline({ inflightMessages: new Map(), delayedMessages: [], fifoDelayed: new Map() })).toBeUndefined();
    expect(
      nextDeadline({
        inflightMessages: new Map([['h', { visibilityDeadline: 300 }]]),
        delayedMessages: [{ delayUntil: 200 }, {}],
        fifoDelayed: new Map([['g', [{ delayUntil: 100 }]]]),
      }),
    ).toBe(100);
  });
});
