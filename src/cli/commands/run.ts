import type { Command } from 'commander';
import { unavailableError } from '../../actions/catalog.ts';
import { NotFoundError } from '../../model/errors.ts';
import type { ActionDefinition } from '../../actions/types.ts';
import type { Execution, OutputRecord } from '../../model/execution.ts';
import type { CliContext } from '../context.ts';
import { cliUser } from '../user.ts';
import { follow, writeChunk } from '../follow.ts';
import { UsageError } from '../errors.ts';
import { actionParameters } from '../parameters.ts';
import { parameterTable } from './action.ts';

export interface WaitFlags {
  async?: boolean;
  tail?: boolean;
  json?: boolean;
}

/** After a request: print the id and how to follow it (--async), or wait (streaming with --tail) and print the execution. */
export async function finishRequest(ctx: CliContext, execution: Pick<Execution, 'id' | 'action' | 'status'>, flags: WaitFlags): Promise<void> {
  if (flags.async) {
    if (flags.json) ctx.printJson({ id: execution.id, action: execution.action, status: execution.status });
    else {
      // The id alone on stdout (scripts take it with $(...)); what to do next on stderr, for the person.
      ctx.print(execution.id);
      process.stderr.write(`to follow it: actionrunner execution tail ${execution.id}\nits result: actionrunner execution get ${execution.id}\n`);
    }
    return;
  }
  // With --json, stdout holds only the document: live output goes to stderr.
  const streams = flags.json ? { stdout: process.stderr, stderr: process.stderr } : process;
  const api = await ctx.api();
  if (api) {
    const { followViaApi, executionFromDocument } = await import('../via-api.ts');
    const doc = await followViaApi(api, execution.id, flags.tail ? { write: (record) => writeChunk(record as OutputRecord, streams) } : {});
    const final = executionFromDocument(doc);
    if (flags.json) ctx.printJson(doc);
    else await ctx.printExecution(final, false);
    ctx.exitFor(final);
    return;
  }
  const runtime = (await ctx.target()).runtime;
  const final = await follow(runtime, execution.id, {
    spinner: !flags.json,
    ...(flags.tail ? { tail: { write: (record) => writeChunk(record, streams) } } : {}),
  });
  await ctx.printExecution(final, Boolean(flags.json));
  ctx.exitFor(final);
}

async function findAction(ctx: CliContext, ref: string): Promise<ActionDefinition> {
  const api = await ctx.api();
  // Through the API: its metadata (parameter types, to cast key=value words) from GET /v1/actions/{ref}.
  if (api) return (await api.getAction(ref)) as unknown as ActionDefinition;
  const catalog = (await ctx.services()).catalog;
  const action = catalog.get(ref);
  const unavailable = action ? undefined : catalog.unavailable?.(ref);
  if (unavailable) throw unavailableError(unavailable);
  if (!action) throw new NotFoundError(`unknown action: ${ref} - expected pack.name of an installed action (see "actionrunner action list")`);
  return action;
}

/** `run <ref> -h`, as st2 does: what the action takes, rather than the generic help of `run`. */
function printActionHelp(ctx: CliContext, action: ActionDefinition): void {
  const c = ctx.colors;
  ctx.print(
    [
      `${c.bold(action.ref)}: ${action.description}`,
      `usage: actionrunner run ${action.ref} [name=value ...] [-a] [--tail] [-j]`,
      '',
      parameterTable(action, c),
    ].join('\n'),
  );
}

export function registerRun(program: Command, ctx: CliContext): void {
  const run = program
    .command('run')
    .description('run an action and wait for it (st2 run); "run <ref> -h" lists its parameters')
    .argument('[ref]', 'action reference, pack.name (e.g. core.local)')
    .argument('[parameters...]', 'key=value pairs, cast by the parameter types (JSON for arrays and objects)')
    .option('-a, --async', 'print the execution id and return at once')
    .option('--tail', 'stream the output while it runs')
    .option('-j, --json', 'print the execution as one JSON document')
    .helpOption(false)
    .option('-h, --help', "this help; with an action reference, the action's parameters")
    .action(async (ref: string | undefined, words: string[], flags: WaitFlags & { help?: boolean }) => {
      if (flags.help && !ref) return run.help();
      if (!ref) throw new UsageError('missing required argument \'ref\' - expected pack.name of an action (see "actionrunner action list")');
      const action = await findAction(ctx, ref);
      if (flags.help) return printActionHelp(ctx, action);
      const parameters = actionParameters(action, words);
      const api = await ctx.api();
      // Through the API, the user is the API key's.
      const execution = api
        ? ((await api.createExecution({ action: ref, parameters })) as Pick<Execution, 'id' | 'action' | 'status'>)
        : (await (await ctx.services()).service.request({ action: ref, parameters, context: { user: cliUser() } })).execution;
      await finishRequest(ctx, execution, flags);
    });
}
