import type { Command } from 'commander';
import { concurrencyCap } from '../../local/function-settings.ts';
import { startLocal, type LocalRuntime } from '../../local/runtime.ts';
import type { CliContext } from '../context.ts';
import { EXIT, UsageError } from '../errors.ts';
import { colorsFor } from '../format.ts';
import { prettyPrintLogs } from '../log-format.ts';

function milliseconds(raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new UsageError(`bad grace period: ${raw} - expected milliseconds, a whole number >= 0`);
  return value;
}

export function registerLocal(program: Command, ctx: CliContext): void {
  program
    .command('local')
    .description('run the whole system on this machine (embedded SQS + DynamoDB, the real handlers); Ctrl-C stops it')
    .option('--data-dir <dir>', "keep DynamoDB's tables in this directory across restarts (default: in memory)")
    .option('--grace <ms>', 'on Ctrl-C/SIGTERM, how long running actions may finish before they are killed and recorded abandoned (env ACTIONRUNNER_SHUTDOWN_GRACE_MS)', milliseconds)
    .option('--pretty-logs', 'readable log lines instead of JSON (the default on a terminal)')
    .action(async (flags: { dataDir?: string; grace?: number; prettyLogs?: boolean }) => {
      if (flags.prettyLogs || (process.stderr.isTTY && !process.env.ACTIONRUNNER_LOG_JSON)) prettyPrintLogs(colorsFor(process.stderr));
      const graceMs = flags.grace ?? (process.env.ACTIONRUNNER_SHUTDOWN_GRACE_MS ? milliseconds(process.env.ACTIONRUNNER_SHUTDOWN_GRACE_MS) : 10_000);
      const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
      // Signals that arrive while starting end the process once it is up.
      let received: string | undefined;
      let wake: ((signal: string) => void) | undefined;
      let local: LocalRuntime | undefined = undefined;
      const onSignal = (signal: string) => {
        if (received) {
          // A second Ctrl-C: no more grace.
          local?.abandonRunning(`the local runtime shut down (${signal} received twice)`);
          return;
        }
        received = signal;
        wake?.(signal);
      };
      for (const signal of signals) process.on(signal, onSignal);
      local = await startLocal({ dataDir: flags.dataDir, graceMs });
      const c = colorsFor(process.stdout);
      const caps = (['actions', 'workflows'] as const)
        .map((name) => `${name}: ${concurrencyCap(local.settings[name])} concurrent invocations x batch ${local.settings[name].batchSize}`)
        .join(', ');
      ctx.print(
        `${c.green('actionrunner local ready')} - stage ${local.stage}, sqs ${local.sqsEndpoint}, dynamodb ${local.dynamodbEndpoint}` +
          ` (${caps}; parallelism ${local.config.parallelism} per invocation; ${flags.dataDir ? `data in ${flags.dataDir}` : 'data in memory'})`,
      );
      const outcome = received !== undefined
        ? { signal: received }
        : await Promise.race([
          new Promise<{ signal: string }>((resolve) => (wake = (signal) => resolve({ signal }))),
          local.failed.then((error) => ({ error })),
        ]);
      if ('error' in outcome) {
        // Said at once; the runtime already stops by itself, and this process exits 1 once it did.
        process.stderr.write(`error: ${outcome.error.message}\n`);
        await local.stop();
        for (const s of signals) process.off(s, onSignal);
        ctx.exitCode = EXIT.failed;
        return;
      }
      process.stderr.write(`${outcome.signal}: stopping (running actions get ${graceMs} ms; again to kill them now)\n`);
      await local.stop(`${outcome.signal} received`);
      for (const s of signals) process.off(s, onSignal);
    });
}
