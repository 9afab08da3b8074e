// Stage-wide pool benchmark (issue 10): `actionrunner local` (= npm start) at its defaults (actions pool 60,
// 60 containers x batch 10 x parallelism 10), a backlog of 300 short actions, of 300 `sleep 1`, and of 300
// `sleep 5` actions, each sent at once as full request messages (SendMessageBatch, as any AWS producer may).
// Every action marks its process's start and end (epoch ms) in a file: from those, the peak of actions running
// at once (must never exceed the pool), the mean running while a backlog waits (first start to last start;
// target >= 55 of 60), and the time to drain against the work (300 x the sleep / 60; target within 1.2x).
// Next to each `sleep` backlog, the floor of this machine: the same 300 commands (marks included) run by plain
// child_process.spawn + p-limit(60) in this process, with nothing else running; its mean and drain bound what
// any runner can reach here. `sleep 5` needs 12 starts a second, which this machine makes with room to spare;
// `sleep 1` needs 60. Then 100 x `sleep 1` with the pool at 10 (BENCH_POOL_SMALL): refill alone.
// BENCH_POOL_PHASES=short,sleep1,sleep5,small runs some; BENCH_POOL_CURVE=1 prints the running count every
// 500 ms; BENCH_RUNTIME_NODE_ARGS (bench/local.ts) passes Node flags to the runtime (`--cpu-prof`).
import path from 'node:path';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import pLimit from 'p-limit';
import { resolveTarget } from '../src/cli/target.ts';
import { isTerminal } from '../src/model/status.ts';
import { line } from './harness.ts';
import { withLocal } from './local.ts';

const COUNT = Number(process.env.BENCH_POOL_COUNT ?? 300);
const POOL = 60;
/** A pool small enough for this machine to keep full: how fast freed slots are taken again, apart from how many actions a second the machine can start. */
const SMALL_POOL = Number(process.env.BENCH_POOL_SMALL ?? 10);
const PHASES = (process.env.BENCH_POOL_PHASES ?? 'short,sleep1,sleep5,small').split(',');
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
  if (process.env.BENCH_POOL_CURVE) {
    const curve: number[] = [];
    for (let t = firstStart, i = 0, running = 0; t <= edges.at(-1)![0]; t += 500) {
      for (; i < edges.length && edges[i]![0] <= t; i++) running += edges[i]![1];
      curve.push(running);
    }
    console.log(`running every 500 ms: ${curve.join(' ')}`);
  }
  return { peak, meanDuringBacklog: lastStart > firstStart ? area / (lastStart - firstStart) : now, drainMs: edges.at(-1)![0] - sentAt };
}

async function backlog(dir: string, name: string, body: string, count = COUNT): Promise<Running> {
  const target = resolveTarget({ cwd: dir });
  const { clients, store, config } = target.runtime;
  const marks = path.join(dir, `${name}.marks`);
  const cmd = marked(marks, body);
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

/** `body` between two marks of its start and end (epoch ms) appended to `marks`. */
function marked(marks: string, body: string): string {
  return `echo "$(date +%s%3N) s" >> ${marks}; ${body}; echo "$(date +%s%3N) e" >> ${marks}`;
}

/** The same backlog (marks included) through plain spawn + p-limit(60) in this process, nothing else running: this machine's floor. */
async function floor(body: string): Promise<Running> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ar-floor-'));
  const marks = path.join(dir, 'floor.marks');
  const limit = pLimit(POOL);
  const sentAt = Date.now();
  const run = () =>
    new Promise((resolve, reject) =>
      spawn('/bin/sh', ['-c', marked(marks, body)], { stdio: 'ignore' })
        .on('exit', resolve)
        .on('error', reject),
    );
  await Promise.all(Array.from({ length: COUNT }, () => limit(run)));
  const result = measure(marks, sentAt);
  rmSync(dir, { recursive: true, force: true });
  return result;
}

/** The line of a `sleep` backlog at the default pool, next to this machine's floor for it. */
function sleepLine(seconds: number, ours: Running, floorOf: Running): void {
  const work = (COUNT * 1000 * seconds) / POOL;
  line(`pool: ${COUNT} x sleep ${seconds}, pool ${POOL}`, {
    peakRunning: ours.peak,
    meanRunningDuringBacklog: Number(ours.meanDuringBacklog.toFixed(1)),
    drainMs: ours.drainMs,
    workMs: work,
    drainVsWork: Number((ours.drainMs / work).toFixed(2)),
    floorMean: Number(floorOf.meanDuringBacklog.toFixed(1)),
    floorDrainVsWork: Number((floorOf.drainMs / work).toFixed(2)),
    meanVsFloor: Number((ours.meanDuringBacklog / floorOf.meanDuringBacklog).toFixed(2)),
    drainVsFloor: Number((ours.drainMs / floorOf.drainMs).toFixed(2)),
    target: `peak <= ${POOL}, mean >= 55, drain <= 1.2x work`,
  });
}

export async function poolBench(): Promise<void> {
  const sleeps = [1, 5].filter((seconds) => PHASES.includes(`sleep${seconds}`));
  const floors = new Map<number, Running>();
  for (const seconds of sleeps) floors.set(seconds, await floor(`sleep ${seconds}`));
  await withLocal(async (dir) => {
    if (PHASES.includes('short')) {
      const short = await backlog(dir, 'short', 'true');
      line(`pool: ${COUNT} short actions, pool ${POOL}`, {
        peakRunning: short.peak,
        meanRunningDuringBacklog: Number(short.meanDuringBacklog.toFixed(1)),
        drainMs: short.drainMs,
        target: `peak <= ${POOL}`,
      });
    }
    for (const seconds of sleeps) sleepLine(seconds, await backlog(dir, `sleep${seconds}`, `sleep ${seconds}`), floors.get(seconds)!);
  });
  if (!PHASES.includes('small')) return;
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
