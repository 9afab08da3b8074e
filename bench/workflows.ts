// Workflow benchmarks (issue 5): per-transition engine overhead against a standalone action, and
// many concurrent workflows against the workflows function's cap.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowEngine } from '../src/workflow/engine.ts';
import type { Execution } from '../src/model/execution.ts';
import { line, median, startBench, waitAllEnded, type Bench } from './harness.ts';

/** A pack with one workflow: `length` core.noop tasks in a chain. */
function chainPack(length: number): string {
  const packs = mkdtempSync(join(tmpdir(), 'bench-wf-'));
  const actions = join(packs, 'benchwf', 'actions');
  mkdirSync(join(actions, 'workflows'), { recursive: true });
  writeFileSync(join(actions, `chain${length}.yaml`), `name: chain${length}\nrunner_type: orquesta\nentry_point: workflows/chain${length}.yaml\n`);
  const tasks = Array.from({ length }, (_, i) => `  t${i}:\n    action: core.noop\n${i + 1 < length ? `    next: [{ do: t${i + 1} }]\n` : ''}`);
  writeFileSync(join(actions, 'workflows', `chain${length}.yaml`), `version: 1.0\ntasks:\n${tasks.join('')}`);
  return packs;
}

const ms = (from: string, to: string | undefined) => Date.parse(to!) - Date.parse(from);

async function workflowBench(length: number, workflowsCap: number): Promise<Bench> {
  return startBench(
    { ACTIONRUNNER_PACKS_PATH: chainPack(length) },
    { actions: { maxConcurrency: 60, maximumBatchingWindowSeconds: 0 }, workflows: { maxConcurrency: workflowsCap, maximumBatchingWindowSeconds: 0 } },
    { workflows: (deps) => new WorkflowEngine(deps) },
  );
}

/** A 100-task sequential workflow of core.noop: time from one task's end to the next one's request, against a standalone core.noop end to end. */
export async function workflowTransitions(): Promise<void> {
  const bench = await workflowBench(100, 40);
  const { service, store } = bench.runtime;
  const standalone: number[] = [];
  for (let i = 0; i < 30; i++) {
    const { execution } = await service.request({ action: 'core.noop' });
    await waitAllEnded(bench.runtime, [execution.id]);
    const done = (await store.get(execution.id))!;
    standalone.push(ms(done.start_timestamp, done.end_timestamp));
  }
  const { execution } = await service.request({ action: 'benchwf.chain100' });
  await waitAllEnded(bench.runtime, [execution.id]);
  const workflow = (await store.get(execution.id))!;
  const children = await store.list({ parent: execution.id, limit: 200 });
  const transitions = children.slice(1).map((child, i) => ms(children[i].end_timestamp!, child.start_timestamp));
  await bench.stop();
  line('workflow: standalone core.noop e2e', { runs: standalone.length, medianMs: median(standalone) });
  line('workflow: 100-task chain', { status: workflow.status, tasks: children.length, totalMs: ms(workflow.start_timestamp, workflow.end_timestamp) });
  line('workflow: per-transition overhead', { medianMs: median(transitions), ratio: median(transitions) / median(standalone), target: '<= 1.5' });
}

/** 50 workflows of 10 tasks at once: total time, and the workflows function's peak concurrency against its cap. */
export async function concurrentWorkflows(): Promise<void> {
  const cap = 40;
  const bench = await workflowBench(10, cap);
  const t0 = performance.now();
  const requested = await Promise.all(Array.from({ length: 50 }, () => bench.runtime.service.request({ action: 'benchwf.chain10' })));
  const ids = requested.map(({ execution }) => execution.id);
  await waitAllEnded(bench.runtime, ids);
  const totalMs = performance.now() - t0;
  const ended: Execution[] = await Promise.all(ids.map(async (id) => (await bench.runtime.store.get(id))!));
  await bench.stop();
  const workflows = bench.mappings[1].metrics;
  line('workflow: 50 x 10-task workflows', {
    totalMs: Math.round(totalMs),
    succeeded: ended.filter((e) => e.status === 'succeeded').length,
    tasksPerSecond: (500 / totalMs) * 1000,
  });
  line('workflow: workflows function peak', { peakInvocations: workflows.peakInFlight, cap, under: workflows.peakInFlight <= cap ? 'yes' : 'NO' });
}
