// Local runtime benchmarks (issue 4), against `actionrunner local` running as its own process (= npm start):
// - submit-to-start latency of one action on an idle system, no batching window (target p50 < 50 ms);
// - throughput of 1000 `core.local cmd=true` submitted through the CLI's request path, next to the engine-only number.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import { resolveTarget } from '../src/cli/target.ts';
import { isTerminal } from '../src/model/status.ts';
import { line, median, percentile } from './harness.ts';

export const BIN = fileURLToPath(new URL('../bin/actionrunner.mjs', import.meta.url));
const LATENCY_RUNS = Number(process.env.BENCH_LATENCY_RUNS ?? 200);
const THROUGHPUT_COUNT = Number(process.env.BENCH_LOCAL_COUNT ?? 1000);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `work` against a fresh `actionrunner local` (its pid too) started in a temporary folder, then stops it; `extraEnv` for its knobs. */
export async function withLocal<T>(work: (dir: string, pid: number) => Promise<T>, extraEnv: Record<string, string> = {}): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ar-bench-'));
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_ENDPOINT_URL') && !k.startsWith('ACTIONRUNNER_')));
  // BENCH_RUNTIME_NODE_ARGS: Node flags for the runtime alone, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` (NODE_OPTIONS refuses --cpu-prof).
  const child = spawn(process.execPath, [...(process.env.BENCH_RUNTIME_NODE_ARGS?.split(' ') ?? []), BIN, 'local'], {
    cwd: dir,
    env: { ...env, ACTIONRUNNER_BATCHING_WINDOW: '0', ACTIONRUNNER_LOG_LEVEL: 'warn', ACTIONRUNNER_LOG_JSON: '1', ...extraEnv },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`actionrunner local exited with ${code} before ready`)));
  });
  try {
    return await work(dir, child.pid!);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Sequential single actions on an idle system: time from the request to the claim (status running). */
export async function localLatency(): Promise<void> {
  await withLocal(async (dir) => {
    const target = resolveTarget({ cwd: dir });
    const { service, store } = await target.services();
    const latencies: number[] = [];
    for (let i = 0; i < LATENCY_RUNS; i++) {
      const { execution } = await service.request({ action: 'core.local', parameters: { cmd: 'true' } });
      let current = execution;
      while (!isTerminal(current.status)) {
        await sleep(5);
        current = (await store.get(execution.id)) ?? current;
      }
      const running = current.log.find((entry) => entry.status === 'running');
      if (running) latencies.push(Date.parse(running.timestamp) - Date.parse(current.start_timestamp));
    }
    target.close();
    line('local: submit-to-start latency', { runs: latencies.length, p50ms: median(latencies), p99ms: percentile(latencies, 99), target: 'p50 < 50' });
  });
}

/** 1000 `core.local cmd=true` through `actionrunner local` (default caps), submitted as `run --async` does. */
export async function localThroughput(engineOnlyPerSecond?: number): Promise<void> {
  await withLocal(async (dir) => {
    // What one `actionrunner run --async` process costs (start, find the runtime, request), for scale.
    const cliRuns: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await new Promise((resolve) =>
        spawn(process.execPath, [BIN, 'run', 'core.local', 'cmd=true', '--async'], { cwd: dir, stdio: 'ignore' }).on('exit', resolve),
      );
      cliRuns.push(performance.now() - t0);
    }
    const target = resolveTarget({ cwd: dir });
    const { service, store } = await target.services();
    const submit = pLimit(32);
    const t0 = performance.now();
    const ids = await Promise.all(
      Array.from({ length: THROUGHPUT_COUNT }, () =>
        submit(async () => (await service.request({ action: 'core.local', parameters: { cmd: 'true' } })).execution.id),
      ),
    );
    const wanted = new Set(ids);
    for (;;) {
      const done = (await store.list({ limit: THROUGHPUT_COUNT + 10 })).filter((e) => wanted.has(e.id) && isTerminal(e.status));
      if (done.length >= THROUGHPUT_COUNT) break;
      await sleep(100);
    }
    const ms = performance.now() - t0;
    const failed = (await store.list({ limit: THROUGHPUT_COUNT + 10, status: 'failed' })).length;
    target.close();
    line('local: CLI run --async process', { runs: cliRuns.length, p50ms: Math.round(median(cliRuns)) });
    const perSecond = (THROUGHPUT_COUNT / ms) * 1000;
    line('local: npm start + CLI request path', { actions: THROUGHPUT_COUNT, ms: Math.round(ms), perSecond, failed });
    if (engineOnlyPerSecond) line('local: vs engine-only (same run)', { ratio: perSecond / engineOnlyPerSecond });
  });
}
