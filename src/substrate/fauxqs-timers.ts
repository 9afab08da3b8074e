// fauxqs 1.9 (the last release that runs on Node 20) moves a queue's delayed messages and expired
// in-flight messages back to the ready list on a 20 ms interval, kept for as long as a receive is long
// polling that queue. The local runtime long-polls its two queues all the time, so an idle `npm start`
// woke 100 times a second. This replaces the interval with one timer per queue set for that queue's next
// deadline (a delayed message's delay, an in-flight message's visibility), and none when there is none:
// a send or a visibility change that makes a message available already wakes the receivers itself.
// fauxqs exports only its server, so the queue class is reached by its file in the installed package
// (looked up along Node's own search path: `import.meta.resolve` is missing under vitest's module runner).

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface Deadlined {
  delayUntil?: number;
}

/** The part of fauxqs's SqsQueue that its timers touch. */
interface FauxqsQueue {
  pollWaiters: unknown[];
  pollTimer?: NodeJS.Timeout;
  inflightMessages: Map<string, { visibilityDeadline: number }>;
  delayedMessages: Deadlined[];
  fifoDelayed: Map<string, Deadlined[]>;
  processTimers(): void;
  startPollTimerIfNeeded(): void;
  stopPollTimerIfEmpty(): void;
}

type Method = (this: FauxqsQueue, ...args: unknown[]) => unknown;

/** The earliest moment something of `queue` becomes ready again, if anything waits to. */
export function nextDeadline(queue: Pick<FauxqsQueue, 'inflightMessages' | 'delayedMessages' | 'fifoDelayed'>): number | undefined {
  let next = Infinity;
  for (const entry of queue.inflightMessages.values()) next = Math.min(next, entry.visibilityDeadline);
  for (const message of [...queue.delayedMessages, ...[...queue.fifoDelayed.values()].flat()])
    if (message.delayUntil !== undefined) next = Math.min(next, message.delayUntil);
  return next === Infinity ? undefined : next;
}

const MAX_TIMEOUT_MS = 2 ** 31 - 1;

function arm(queue: FauxqsQueue): void {
  clearTimeout(queue.pollTimer);
  queue.pollTimer = undefined;
  const next = nextDeadline(queue);
  if (next === undefined || queue.pollWaiters.length === 0) return;
  queue.pollTimer = setTimeout(
    () => {
      queue.pollTimer = undefined;
      queue.processTimers();
      arm(queue);
    },
    Math.min(MAX_TIMEOUT_MS, Math.max(0, next - Date.now()) + 1),
  );
}

/** The file URL of fauxqs's queue module, from the `node_modules` folders Node would search. */
function sqsStoreUrl(): string {
  const candidates = (createRequire(import.meta.url).resolve.paths('fauxqs') ?? []).map((dir) => join(dir, 'fauxqs', 'dist', 'sqs', 'sqsStore.js'));
  const found = candidates.find((file) => existsSync(file));
  if (!found) throw new Error(`fauxqs: dist/sqs/sqsStore.js not found; looked in ${candidates.join(', ')}`);
  return pathToFileURL(found).href;
}

let patched: Promise<void> | undefined;

/** Swaps fauxqs's polling interval for deadline timers (once per process). */
export function useDeadlineTimers(): Promise<void> {
  return (patched ??= (async () => {
    const { SqsQueue } = (await import(sqsStoreUrl())) as {
      SqsQueue: { prototype: FauxqsQueue & Record<string, Method> };
    };
    const proto = SqsQueue.prototype;
    for (const name of ['startPollTimerIfNeeded', 'stopPollTimerIfEmpty', 'processTimers', 'enqueue', 'dequeue', 'changeVisibility'])
      if (typeof proto[name] !== 'function') throw new Error(`fauxqs: SqsQueue.${name} is gone; the deadline timers need updating for this version`);
    proto.startPollTimerIfNeeded = function (this: FauxqsQueue) {
      arm(this);
    };
    proto.stopPollTimerIfEmpty = function (this: FauxqsQueue) {
      arm(this);
    };
    // Whatever adds a deadline (a delayed send, a receive, a visibility change) sets the timer again.
    for (const name of ['enqueue', 'dequeue', 'changeVisibility']) {
      const original = proto[name];
      proto[name] = function (this: FauxqsQueue, ...args: unknown[]) {
        const result = original.apply(this, args);
        arm(this);
        return result;
      };
    }
  })());
}
