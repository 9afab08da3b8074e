import { createServices } from '../src/app/services.ts';
import { Sweeper, type SweepReport } from '../src/sweep/index.ts';

// Built once per cold start.
const services = createServices();
const sweeper = new Sweeper(services);

/** EventBridge schedule (every minute): hands executions whose runner died or whose message was lost back to their queue. */
export function handler(): Promise<SweepReport> {
  return sweeper.sweep({ waitingAfterMs: services.config.sweepWaitingAfterSeconds * 1000 });
}
