// Engine benchmarks (issue 3): dispatch overhead against plain execa, slot refill, 100 MB of output.
// Every number is measured in this run; ratios compare against a baseline measured here too.
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { execa } from 'execa';
import pLimit from 'p-limit';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { line, median, percentile, startBench, waitDeleted } from './harness.ts';

const COUNT = Number(process.env.BENCH_OVERHEAD_COUNT ?? 1000);

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

/**
 * 1000 `core.local cmd=true` through request -> queue -> handler -> store at parallelism 60, against
 * execa + p-limit(60); the two alternate for a few rounds and the medians are compared.
 */
export async function overhead(): Promise<number> {
  const plainMs: number[] = [];
  const plainCpuMs: number[] = [];
  const systemMs: number[] = [];
  let failed = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const limit = pLimit(60);
    let t0 = performance.now();
    const cpu0 = process.cpuUsage();
    await Promise.all(Array.from({ length: COUNT }, () => limit(() => execa('/bin/sh', ['-c', 'true'], { reject: false }))));
    plainMs.push(performance.now() - t0);
    plainCpuMs.push(cpuMs(process.cpuUsage(cpu0)));

    // 6 concurrent invocations x 10 actions each = 60 child processes at most.
    const bench = await startBench({ ACTIONRUNNER_PARALLELISM: '10', ACTIONRUNNER_BATCH_SIZE: '10' }, { actions: { maxConcurrency: 6 } });
    const submit = pLimit(32);
    t0 = performance.now();
    await Promise.all(Array.from({ length: COUNT }, () => submit(() => bench.runtime.service.request({ action: 'core.local', parameters: { cmd: 'true' } }))));
    await waitDeleted(bench.mappings[0], COUNT);
    systemMs.push(performance.now() - t0);
    await bench.stop();
    failed += (await bench.runtime.store.list({ limit: COUNT, status: 'failed' })).length;
  }
  // The same path with core.noop (no child process): what the queue, the store and the emulators cost alone.
  const noop = await startBench({ ACTIONRUNNER_PARALLELISM: '10', ACTIONRUNNER_BATCH_SIZE: '10' }, { actions: { maxConcurrency: 6 } });
  const submitNoop = pLimit(32);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: COUNT }, () => submitNoop(() => noop.runtime.service.request({ action: 'core.noop' }))));
  await waitDeleted(noop.mappings[0], COUNT);
  const noopMs = performance.now() - t0;
  await noop.stop();

  // The handler's own CPU: the same 1000 requests submitted first, then only the mapping and the handler
  // run in this process (the emulators run in a process of their own; the children's CPU is theirs).
  const handler = await startBench({ ACTIONRUNNER_PARALLELISM: '10', ACTIONRUNNER_BATCH_SIZE: '10' }, { actions: { maxConcurrency: 6 }, start: false });
  const submitFirst = pLimit(32);
  await Promise.all(
    Array.from({ length: COUNT }, () => submitFirst(() => handler.runtime.service.request({ action: 'core.local', parameters: { cmd: 'true' } }))),
  );
  const handlerCpu0 = process.cpuUsage();
  const handlerT0 = performance.now();
  handler.mappings[0].start();
  await waitDeleted(handler.mappings[0], COUNT);
  const handlerCpuMs = cpuMs(process.cpuUsage(handlerCpu0));
  const handlerMs = performance.now() - handlerT0;
  await handler.stop();

  const rounds = (values: number[]) => values.map((value) => Math.round(value)).join('/');
  line('overhead: plain execa + p-limit(60)', {
    actions: COUNT,
    medianMs: Math.round(median(plainMs)),
    rounds: rounds(plainMs),
    perSecond: (COUNT / median(plainMs)) * 1000,
  });
  line('overhead: request->queue->handler', {
    actions: COUNT,
    medianMs: Math.round(median(systemMs)),
    rounds: rounds(systemMs),
    perSecond: (COUNT / median(systemMs)) * 1000,
    failed,
  });
  line('overhead: same path, core.noop', {
    actions: COUNT,
    ms: Math.round(noopMs),
    perSecond: (COUNT / noopMs) * 1000,
    note: 'queue+store+emulators, no process',
  });
  line('overhead: throughput ratio', { ratio: median(plainMs) / median(systemMs), target: '>= 0.8' });
  line('overhead: CPU per spawn, plain execa', { cpuMsPerAction: median(plainCpuMs) / COUNT, rounds: rounds(plainCpuMs) });
  line('overhead: CPU per action, handler', {
    cpuMsPerAction: handlerCpuMs / COUNT,
    ms: Math.round(handlerMs),
    note: 'requests submitted first; mapping + handler only',
  });
  line('overhead: handler CPU / execa CPU', { ratio: handlerCpuMs / median(plainCpuMs), target: '<= 2' });
  return (COUNT / median(systemMs)) * 1000;
}

/** User + system CPU time of a `process.cpuUsage()` difference, in ms. */
const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;

/** Under backlog (one invocation of 100 records, 4 slots), time from a child's exit to the next child's start. */
export async function slotRefill(): Promise<void> {
  const records = 100;
  const bench = await startBench(
    { ACTIONRUNNER_PARALLELISM: '4' },
    { actions: { maxConcurrency: 1, batchSize: records, maximumBatchingWindowSeconds: 2 }, start: false },
  );
  const cmd = 'echo "start $(date +%s%N)"; sleep 0.05; echo "end $(date +%s%N)"';
  const ids = [];
  for (let i = 0; i < records; i++) ids.push((await bench.runtime.service.request({ action: 'core.local', parameters: { cmd } })).execution.id);
  bench.mappings[0].start();
  await waitDeleted(bench.mappings[0], records);
  await bench.stop();
  const texts = await Promise.all(ids.map(async (id) => (await bench.runtime.output.read(id)).map((r) => r.data).join('')));
  const gaps = refillGaps(texts, 4);

  // Baseline: the same commands through plain execa + p-limit(4), nothing recorded anywhere.
  const limit = pLimit(4);
  const plainTexts = await Promise.all(ids.map(() => limit(async () => (await execa('/bin/sh', ['-c', cmd])).stdout)));
  const plainGaps = refillGaps(plainTexts, 4);
  line('slot refill: plain execa + p-limit(4)', { refills: plainGaps.length, p50ms: median(plainGaps), p99ms: percentile(plainGaps, 99) });
  line('slot refill: dispatcher', { refills: gaps.length, p50ms: median(gaps), p99ms: percentile(gaps, 99), maxms: Math.max(...gaps), target: 'p99 < 10' });
}

/** Exit-to-next-start gaps from the `start <ns>` / `end <ns>` lines each action printed, while work was waiting. */
function refillGaps(outputs: string[], slots: number): number[] {
  const starts = outputs.map((text) => Number(/start (\d+)/.exec(text)![1]) / 1e6).sort((a, b) => a - b);
  const ends = outputs.map((text) => Number(/end (\d+)/.exec(text)![1]) / 1e6).sort((a, b) => a - b);
  // Pair every exit with the first start after it that no earlier exit took; the first starts filled empty slots.
  const gaps: number[] = [];
  let next = slots;
  for (const end of ends) {
    while (next < starts.length && starts[next] < end) next++;
    if (next >= starts.length) break;
    gaps.push(starts[next++] - end);
  }
  return gaps;
}

/** An action printing 100 MB in 1 KB lines: every byte stored, handler peak RSS, storing time vs printing to /dev/null. */
export async function bigOutput(): Promise<void> {
  const mb = Number(process.env.BENCH_OUTPUT_MB ?? 100);
  const lines = mb * 1024;
  const cmd = `python3 -c "import sys; w = sys.stdout.write; line = 'x' * 1023 + '\\n'; [w(line) for _ in range(${lines})]"`;
  const devNull: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await execa('/bin/sh', ['-c', `${cmd} > /dev/null`]);
    devNull.push(performance.now() - t0);
  }
  // The handler runs in a process of its own, bundled as Lambda runs it, so that its peak RSS is the handler's alone.
  const bench = await startBench({}, { actions: { maxConcurrency: 1 }, start: false });
  const { execution } = await bench.runtime.service.request({ action: 'core.local', parameters: { cmd, timeout: 600 } });
  const worker = join(mkdtempSync(join(tmpdir(), 'bench-')), 'output-worker.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('../test/fixtures/handle-one-batch.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: worker,
    banner: { js: "import { createRequire as __createRequire } from 'module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'error',
  });
  const { stdout } = await execa('node', [worker], { env: { ...bench.env, ACTIONRUNNER_PACKS_PATH: fileURLToPath(new URL('../packs', import.meta.url)) } });
  const report = JSON.parse(stdout.trim().split('\n').pop()!) as { durationMs: number; idleRssMb: number; maxRssMb: number; status: string };
  const stored = await bench.runtime.output.read(execution.id);
  const bytes = stored.reduce((sum, record) => sum + Buffer.byteLength(record.data), 0);
  // The store's own pace: the same bytes as 64 KiB items through BatchWriteItem, two calls in flight, no process at all.
  const chunk = 'x'.repeat(65_535) + '\n';
  const items = Math.ceil((lines * 1024) / chunk.length);
  const t0 = performance.now();
  for (let first = 0; first < items; first += 50) {
    const calls = [first, first + 25]
      .filter((start) => start < items)
      .map((start) =>
        bench.runtime.clients.doc.send(
          new BatchWriteCommand({
            RequestItems: {
              [bench.config.outputTable]: Array.from({ length: Math.min(25, items - start) }, (_, i) => ({
                PutRequest: { Item: { execution_id: 'raw-store', seq: start + i, data: chunk } },
              })),
            },
          }),
        ),
      );
    await Promise.all(calls);
  }
  const rawStoreMs = performance.now() - t0;
  line('output: print to /dev/null', { mb, medianMs: Math.round(median(devNull)) });
  line('output: raw BatchWriteItem, same bytes', { items, ms: Math.round(rawStoreMs) });
  line('output: run + store through handler', {
    status: report.status,
    ms: Math.round(report.durationMs),
    items: stored.length,
    bytes,
    complete: bytes === lines * 1024 ? 'yes' : 'NO',
  });
  line('output: handler peak RSS', { mb: report.maxRssMb, beforeRunMb: report.idleRssMb, target: '< 150' });
  line('output: storing / printing ratio', { ratio: report.durationMs / median(devNull), target: '<= 2' });
  line('output: storing / raw store ratio', { ratio: report.durationMs / rawStoreMs });
}
