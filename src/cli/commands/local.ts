import type { Command } from 'commander';
import { claimProject, DISCOVERY_PATH, type ProjectHolder } from '../../local/discovery.ts';
import type { FunctionSettings } from '../../local/function-settings.ts';
import type { LocalRuntime } from '../../local/runtime.ts';
import type { CliContext } from '../context.ts';
import { AlreadyRunningError, EXIT, UsageError } from '../errors.ts';
import { colorsFor } from '../format.ts';
import { prettyPrintLogs } from '../log-format.ts';

interface LocalFlags {
  dataDir?: string;
  grace?: number;
  prettyLogs?: boolean;
  apiPort?: number;
}

function milliseconds(raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new UsageError(`bad grace period: ${raw} - expected milliseconds, a whole number >= 0`);
  return value;
}

function port(raw: string): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value > 65535) throw new UsageError(`bad port: --api-port ${raw} - expected a whole number from 0 to 65535`);
  return value;
}

function describeHolder(holder: ProjectHolder): string {
  const d = holder.discovery;
  return d
    ? `pid ${holder.pid}, sqs ${d.sqsEndpoint}, dynamodb ${d.dynamodbEndpoint}, started at ${d.startedAt}`
    : `pid ${holder.pid}, still starting (since ${holder.startedAt})`;
}

/** One runtime per folder: a second one would take over the discovery file the CLI reads. Returns the release. */
function claimFolder(): () => void {
  const dir = process.cwd();
  const claim = claimProject(dir);
  if (!claim.held) {
    throw new AlreadyRunningError(
      `already running: actionrunner local in ${dir} - ${describeHolder(claim.holder)}; use that one, stop it first (kill ${claim.holder.pid}), or start in another folder`,
    );
  }
  if (claim.tookOverFrom) process.stderr.write(`taking over ${DISCOVERY_PATH}: the runtime it names is gone (${describeHolder(claim.tookOverFrom)})\n`);
  process.once('exit', claim.release);
  return claim.release;
}

function readyLine(local: LocalRuntime, flags: LocalFlags, concurrencyCap: (settings: FunctionSettings) => number): string {
  const c = colorsFor(process.stdout);
  // The pool sizes bound what runs stage-wide; containers x batch x parallelism only bound the containers.
  const pools = { actions: local.config.actionsPoolSize, workflows: local.config.workflowsPoolSize };
  const caps = (['actions', 'workflows'] as const)
    .map(
      (name) =>
        `${name} running 0/${pools[name]} (at most ${concurrencyCap(local.settings[name])} containers x batch ${local.settings[name].batchSize} x parallelism ${local.config.parallelism})`,
    )
    .join(', ');
  return (
    `${c.green('actionrunner local ready')} - stage ${local.stage}, api ${local.apiUrl}, sqs ${local.sqsEndpoint}, dynamodb ${local.dynamodbEndpoint}` +
    ` (${caps}; ${flags.dataDir ? `data in ${flags.dataDir}` : 'data in memory'})`
  );
}

async function runLocal(ctx: CliContext, flags: LocalFlags): Promise<void> {
  if (flags.prettyLogs || (process.stderr.isTTY && !process.env.ACTIONRUNNER_LOG_JSON)) prettyPrintLogs(colorsFor(process.stderr));
  const graceMs = flags.grace ?? (process.env.ACTIONRUNNER_SHUTDOWN_GRACE_MS ? milliseconds(process.env.ACTIONRUNNER_SHUTDOWN_GRACE_MS) : 10_000);
  const release = claimFolder();
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
  try {
    // The runtime (emulators, SDK, handlers) is loaded here, not when the CLI starts: other commands never pay for it.
    const [{ startLocal }, { concurrencyCap }] = await Promise.all([import('../../local/runtime.ts'), import('../../local/function-settings.ts')]);
    // What is starting, one line a step, on stderr: stdout keeps only the "ready" line that tools wait for.
    local = await startLocal({ dataDir: flags.dataDir, graceMs, apiPort: flags.apiPort, progress: (step) => process.stderr.write(`starting: ${step}\n`) });
    ctx.print(readyLine(local, flags, concurrencyCap));
    const outcome =
      received !== undefined
        ? { signal: received }
        : await Promise.race([
            new Promise<{ signal: string }>((resolve) => (wake = (signal) => resolve({ signal }))),
            local.failed.then((error) => ({ error })),
          ]);
    if ('error' in outcome) {
      // Said at once; the runtime already stops by itself, and this process exits 1 once it did.
      process.stderr.write(`error: ${outcome.error.message}\n`);
      await local.stop();
      ctx.exitCode = EXIT.failed;
      return;
    }
    process.stderr.write(`${outcome.signal}: stopping (running actions get ${graceMs} ms; again to kill them now)\n`);
    await local.stop(`${outcome.signal} received`);
  } finally {
    for (const s of signals) process.off(s, onSignal);
    release();
  }
}

export function registerLocal(program: Command, ctx: CliContext): void {
  program
    .command('local')
    .description('run the whole system on this machine (embedded SQS + DynamoDB, the real handlers); Ctrl-C stops it; one per folder')
    .option('--data-dir <dir>', "keep DynamoDB's tables in this directory across restarts (default: in memory)")
    .option(
      '--grace <ms>',
      'on Ctrl-C/SIGTERM, how long running actions may finish before they are killed and recorded abandoned (env ACTIONRUNNER_SHUTDOWN_GRACE_MS)',
      milliseconds,
    )
    .option('--api-port <port>', "the HTTP API's and web page's port, 0 for any free one (env ACTIONRUNNER_API_PORT; default 9101, st2api's)", port)
    .option('--pretty-logs', 'readable log lines instead of JSON (the default on a terminal)')
    .action((flags: LocalFlags) => runLocal(ctx, flags));
}
