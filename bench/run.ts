// `npm run bench`: every benchmark, each printing its numbers and its ratio against a baseline
// measured in the same run. BENCH_ONLY=overhead,refill,output,latency,throughput,transitions,workflows,cli,pool,api,cost runs some.
import { stopEmulators } from './harness.ts';
import { bigOutput, overhead, slotRefill } from './engine.ts';
import { apiListing } from './api.ts';
import { cliStartup } from './cli.ts';
import { costBench } from './cost.ts';
import { localLatency, localThroughput } from './local.ts';
import { poolBench } from './pool.ts';
import { concurrentWorkflows, workflowTransitions } from './workflows.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
let engineOnlyPerSecond: number | undefined;
const suites: Record<string, () => Promise<unknown>> = {
  overhead: async () => (engineOnlyPerSecond = await overhead()),
  refill: slotRefill,
  output: bigOutput,
  latency: localLatency,
  throughput: () => localThroughput(engineOnlyPerSecond),
  transitions: workflowTransitions,
  workflows: concurrentWorkflows,
  cli: cliStartup,
  pool: poolBench,
  api: apiListing,
  cost: costBench,
};
const only = process.env.BENCH_ONLY?.split(',');
try {
  for (const [name, suite] of Object.entries(suites)) {
    if (!only || only.includes(name)) await suite();
  }
} finally {
  await stopEmulators();
}
