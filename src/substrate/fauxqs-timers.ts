// fauxqs 1.9 (the last release that runs on Node 20) moves a queue's delayed messages and expired
// in-flight messages back to the ready list on a 20 ms interval, kept for as long as a receive is long
// polling that queue. The local runtime long-polls its two queues all the time, so an idle `npm start`
// woke 100 times a second. This replaces the interval with one timer per queue set for that queue's next
// deadline (a delayed message's delay, an in-flight message's visibility), and none when there is none:
// a send or a visibility change that makes a message available already wakes the receivers itself.
// fauxqs exports only its server, so the queue class is reached through the module next to its entry.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
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

let patched: Promise<void> | undefined;

/**
 * URL of fauxqs's entry module. `import.meta.resolve` where it works; vitest's module runner (the
 * integration tests' global setup) throws on it, and fauxqs exports no `require` condition, so
 * there it is found in the node_modules folders Node would search.
 */
function fauxqsEntry(): string {
  try {
    return import.meta.resolve('fauxqs');
  } catch {
    for (const dir of createRequire(import.meta.url).resolve.paths('fauxqs') ?? []) {
      const entry = path.join(dir, 'fauxqs', 'dist', 'app.js');
      if (existsSync(entry)) return pathToFileURL(entry).href;
    }
    throw new Error('fauxqs: not found in node_modules; run npm install');
  }
}

/** Swaps fauxqs's polling interval for deadline timers (once per process). */
export function useDeadlineTimers(): Promise<void> {
  return (patched ??= (async () => {
    const { SqsQueue } = (await import(new URL('./sqs/sqsStore.js', fauxqsEntry()).href)) as {
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
