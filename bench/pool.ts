// Stage-wide pool benchmark (issue 10): `actionrunner local` (= npm start) at its defaults (actions pool 60,
// 60 containers x batch 10 x parallelism 10), a backlog of 300 short actions, then of 300 `sleep 1` actions,
// each sent at once as full request messages (SendMessageBatch, as any AWS producer may). Every action marks
// its process's start and end (epoch ms) in a file: from those, the peak of actions running at once (must
// never exceed the pool), the mean running while a backlog waits (first start to last start; target >= 55 of
// 60), and the time to drain the `sleep 1` backlog against 300 x 1 s / 60 of work (target within 1.2x),
// next to the same 300 `sleep 1` run by plain execa + p-limit(60) in this process (this machine's floor).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { execa } from 'execa';
import pLimit from 'p-limit';
import { resolveTarget } from '../src/cli/target.ts';
import { isTerminal } from '../src/model/status.ts';
import { line } from './harness.ts';
import { withLocal } from './local.ts';

const COUNT = Number(process.env.BENCH_POOL_COUNT ?? 300);
const POOL = 60;
/** A pool small enough for this machine to keep full: how fast freed slots are taken again, apart from how many actions a second the machine can start. */
const SMALL_POOL = Number(process.env.BENCH_POOL_SMALL ?? 10);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Running {
  peak: number;
  /** Mean running from the first start to the last start (while something still waited). */
  meanDuringBacklog: number;
  /** First message sent to last process end, ms. */
  drainMs: number;
}

/** The running curve of the marks (`<ms> s` / `<ms> e` lines). */
function measure(marks: string, sentAt: number): Running {
  const edges = readFileSync(marks, 'utf8')
    .trim()
    .split('\n')
    .map((row) => row.split(' '))
    .map(([ms, kind]) => [Number(ms), kind === 's' ? 1 : -1] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const starts = edges.filter(([, delta]) => delta > 0).map(([ms]) => ms);
  const [firstStart, lastStart] = [starts[0]!, starts.at(-1)!];
  let now = 0;
  let peak = 0;
  let area = 0;
  let at = firstStart;
  for (const [time, delta] of edges) {
    const clipped = Math.min(Math.max(time, firstStart), lastStart);
    area += now * (clipped - at);
    at = clipped;
    now += delta;
    peak = Math.max(peak, now);
  }
  return { peak, meanDuringBacklog: lastStart > firstStart ? area / (lastStart - firstStart) : now, drainMs: edges.at(-1)![0] - sentAt };
}

async function backlog(dir: string, name: string, body: string, count = COUNT): Promise<Running> {
  const target = resolveTarget({ cwd: dir });
  const { clients, store, config } = target.runtime;
  const marks = path.join(dir, `${name}.marks`);
  const cmd = `echo "$(date +%s%3N) s" >> ${marks}; ${body}; echo "$(date +%s%3N) e" >> ${marks}`;
  const queueUrl = await target.runtime.queue.url('actions');
  const sentAt = Date.now();
  for (let start = 0; start < count; start += 10) {
    await clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Array.from({ length: Math.min(10, count - start) }, (_, i) => ({
          Id: String(i),
          MessageBody: JSON.stringify({ action: 'core.local', parameters: { cmd }, idempotencyKey: `bench-${name}-${start + i}` }),
        })),
      }),
    );
  }
  const lines = () => (existsSync(marks) ? readFileSync(marks, 'utf8').trim().split('\n').length : 0);
  while (lines() < 2 * count) await sleep(200);
  // A listing has no parameters: each listed core.local is read whole.
  const listed = await store.list({ limit: 2 * count + 50, action: 'core.local' });
  const ended = (await Promise.all(listed.map(async (record) => (await store.get(record.id))!))).filter((record) => record.parameters.cmd === cmd);
  const failed = ended.filter((record) => isTerminal(record.status) && record.status !== 'succeeded').length;
  target.close();
  if (failed > 0) throw new Error(`pool bench: ${failed} of ${count} "${body}" did not succeed (${config.stage})`);
  return measure(marks, sentAt);
}

/** The same `sleep 1` backlog through execa + p-limit(60) in this process: the floor of this machine. */
async function floorMs(): Promise<number> {
  const limit = pLimit(POOL);
  const t0 = Date.now();
  await Promise.all(Array.from({ length: COUNT }, () => limit(() => execa('/bin/sh', ['-c', 'sleep 1']))));
  return Date.now() - t0;
}

export async function poolBench(): Promise<void> {
  const floor = await floorMs();
  await withLocal(async (dir) => {
    const short = await backlog(dir, 'short', 'true');
    line(`pool: ${COUNT} short actions, pool ${POOL}`, {
      peakRunning: short.peak,
      meanRunningDuringBacklog: Number(short.meanDuringBacklog.toFixed(1)),
      drainMs: short.drainMs,
      target: `peak <= ${POOL}`,
    });
    const slow = await backlog(dir, 'sleep1', 'sleep 1');
    const work = (COUNT * 1000) / POOL;
    line(`pool: ${COUNT} x sleep 1, pool ${POOL}`, {
      peakRunning: slow.peak,
      meanRunningDuringBacklog: Number(slow.meanDuringBacklog.toFixed(1)),
      drainMs: slow.drainMs,
      workMs: work,
      drainVsWork: Number((slow.drainMs / work).toFixed(2)),
      floorMs: floor,
      drainVsFloor: Number((slow.drainMs / floor).toFixed(2)),
      target: `peak <= ${POOL}, mean >= 55, drain <= 1.2x work`,
    });
  });
  // The same with a pool this machine can keep busy: refill alone.
  const smallCount = SMALL_POOL * 10;
  await withLocal(
    async (dir) => {
      const small = await backlog(dir, 'small', 'sleep 1', smallCount);
      const work = (smallCount * 1000) / SMALL_POOL;
      line(`pool: ${smallCount} x sleep 1, pool ${SMALL_POOL}`, {
        peakRunning: small.peak,
        meanRunningDuringBacklog: Number(small.meanDuringBacklog.toFixed(1)),
        meanVsPool: Number((small.meanDuringBacklog / SMALL_POOL).toFixed(2)),
        drainMs: small.drainMs,
        workMs: work,
        drainVsWork: Number((small.drainMs / work).toFixed(2)),
        target: `peak <= ${SMALL_POOL}, mean >= ${(SMALL_POOL * 55) / 60}, drain <= 1.2x work`,
      });
    },
    { ACTIONRUNNER_ACTIONS_POOL_SIZE: String(SMALL_POOL) },
  );
}
