import { createRuntime } from '../src/dispatch/runtime.ts';
import { Sweeper, type SweepReport } from '../src/sweep/index.ts';

// Built once per cold start.
const runtime = createRuntime();
const sweeper = new Sweeper(runtime);

/** EventBridge schedule (every minute): hands executions whose runner died or whose message was lost back to their queue. */
export function handler(): Promise<SweepReport> {
  return sweeper.sweep({ waitingAfterMs: runtime.config.sweepWaitingAfterSeconds * 1000 });
}
