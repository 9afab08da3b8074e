// Stage-wide pool benchmark (issue 10): `actionrunner local` (= npm start) at its defaults (actions pool 60,
// 60 containers x batch 10 x parallelism 10), a backlog of 300 short actions, then of 300 `sleep 1` actions.
// From the executions' status logs (every running interval, exact): the peak of actions running at once
// (must never exceed the pool), the mean running while a backlog waits (target >= 55 of 60), and the time
// to drain the `sleep 1` backlog against 300 x 1 s / 60 of work (target within 1.2x), next to the same 300
// `sleep 1` run by plain execa + p-limit(60) in this process (the machine's own floor, same run).
import { execa } from 'execa';
import pLimit from 'p-limit';
import { resolveTarget } from '../src/cli/target.ts';
import type { Execution } from '../src/model/execution.ts';
import { isTerminal } from '../src/model/status.ts';
import { line } from './harness.ts';
import { withLocal } from './local.ts';

const COUNT = Number(process.env.BENCH_POOL_COUNT ?? 300);
const POOL = 60;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Running {
  peak: number;
  /** Mean running from the first start to the last start (while something still waited). */
  meanDuringBacklog: number;
  /** First request to last end, ms. */
  drainMs: number;
}

/** Running intervals from the status logs: `running` until the next status. */
function measure(records: Execution[], submittedAt: number): Running {
  const intervals = records.flatMap((record) =>
    record.log.flatMap((entry, i) => {
      const next = record.log[i + 1];
      return entry.status === 'running' && next ? [[Date.parse(entry.timestamp), Date.parse(next.timestamp)] as const] : [];
    }),
  );
  const edges = intervals.flatMap(([start, end]) => [[start, 1] as const, [end, -1] as const]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const firstStart = Math.min(...intervals.map(([start]) => start));
  const lastStart = Math.max(...intervals.map(([start]) => start));
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
  const lastEnd = Math.max(...intervals.map(([, end]) => end));
  return { peak, meanDuringBacklog: lastStart > firstStart ? area / (lastStart - firstStart) : now, drainMs: lastEnd - submittedAt };
}

async function backlog(dir: string, cmd: string): Promise<Running> {
  const target = resolveTarget({ cwd: dir });
  const { service, store } = await target.services();
  const submit = pLimit(32);
  const submittedAt = Date.now();
  const ids = await Promise.all(
    Array.from({ length: COUNT }, () => submit(async () => (await service.request({ action: 'core.local', parameters: { cmd } })).execution.id)),
  );
  let records: Execution[] = [];
  for (;;) {
    records = (await Promise.all(ids.map((id) => store.get(id)))) as Execution[];
    if (records.every((record) => isTerminal(record.status))) break;
    await sleep(250);
  }
  const failed = records.filter((record) => record.status !== 'succeeded').length;
  target.close();
  if (failed > 0) throw new Error(`pool bench: ${failed} of ${COUNT} "${cmd}" did not succeed`);
  return measure(records, submittedAt);
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
    const short = await backlog(dir, 'true');
    line(`pool: ${COUNT} short actions, pool ${POOL}`, {
      peakRunning: short.peak,
      meanRunningDuringBacklog: Number(short.meanDuringBacklog.toFixed(1)),
      drainMs: short.drainMs,
      target: `peak <= ${POOL}`,
    });
    const slow = await backlog(dir, 'sleep 1');
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
}
