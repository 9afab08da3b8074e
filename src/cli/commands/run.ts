import type { Command } from 'commander';
import { unavailableError } from '../../actions/catalog.ts';
import { NotFoundError } from '../../model/errors.ts';
import type { Execution } from '../../model/execution.ts';
import type { CliContext } from '../context.ts';
import { follow, writeChunk } from '../follow.ts';
import { actionParameters } from '../parameters.ts';

export interface WaitFlags {
  async?: boolean;
  tail?: boolean;
  json?: boolean;
}

/** After a request: print the id (--async), or wait (streaming with --tail) and print the execution. */
export async function finishRequest(ctx: CliContext, execution: Execution, flags: WaitFlags): Promise<void> {
  if (flags.async) {
    if (flags.json) ctx.printJson({ id: execution.id, action: execution.action, status: execution.status });
    else ctx.print(execution.id);
    return;
  }
  const runtime = ctx.target().runtime;
  // With --json, stdout holds only the document: live output goes to stderr.
  const streams = flags.json ? { stdout: process.stderr, stderr: process.stderr } : process;
  const final = await follow(runtime, execution.id, {
    spinner: !flags.json,
    ...(flags.tail ? { tail: { write: (record) => writeChunk(record, streams) } } : {}),
  });
  ctx.printExecution(final, Boolean(flags.json));
  ctx.exitFor(final);
}

export function registerRun(program: Command, ctx: CliContext): void {
  program
    .command('run')
    .description('run an action and wait for it (st2 run)')
    .argument('<ref>', 'action reference, pack.name (e.g. core.local)')
    .argument('[parameters...]', 'key=value pairs, cast by the parameter types (JSON for arrays and objects)')
    .option('--async', 'print the execution id and return at once')
    .option('--tail', 'stream the output while it runs')
    .option('--json', 'print the execution as one JSON document')
    .action(async (ref: string, words: string[], flags: WaitFlags) => {
      const runtime = ctx.target().runtime;
      const action = runtime.catalog.get(ref);
      const unavailable = action ? undefined : runtime.catalog.unavailable?.(ref);
      if (unavailable) throw unavailableError(unavailable);
      if (!action) throw new NotFoundError(`unknown action: ${ref} - expected pack.name of an installed action (see "actionrunner action list")`);
      const parameters = actionParameters(action, words);
      const { execution } = await runtime.service.request({ action: ref, parameters });
      await finishRequest(ctx, execution, flags);
    });
}
