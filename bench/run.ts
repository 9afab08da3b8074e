// `npm run bench`: every benchmark, each printing its numbers and its ratio against a baseline
// measured in the same run. BENCH_ONLY=overhead,refill,... runs some of them.
import { stopEmulators } from './harness.ts';
import { bigOutput, overhead, slotRefill } from './engine.ts';

const suites: Record<string, () => Promise<void>> = { overhead, refill: slotRefill, output: bigOutput };
const only = process.env.BENCH_ONLY?.split(',');
try {
  for (const [name, suite] of Object.entries(suites)) {
    if (!only || only.includes(name)) await suite();
  }
} finally {
  await stopEmulators();
}
