import { Option, type Command } from 'commander';
import { EXECUTION_STATUSES, isExecutionStatus } from '../../model/status.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { follow, writeChunk } from '../follow.ts';
import { EXECUTION_HEADERS, executionDocument, executionRows, table } from '../format.ts';
import { actionParameters } from '../parameters.ts';
import { finishRequest, type WaitFlags } from './run.ts';

function positiveInt(raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`bad count: -n ${raw} - expected a whole number >= 1`);
  return value;
}

export function registerExecution(program: Command, ctx: CliContext): void {
  const execution = program.command('execution').description('inspect and control executions');

  execution
    .command('get')
    .description('show one execution')
    .argument('<id>', 'execution id, or "last" for the newest')
    .option('--json', 'print one JSON document')
    .option('--show-tasks', "also list a workflow's task executions")
    .action(async (idOrLast: string, flags: { json?: boolean; showTasks?: boolean }) => {
      const id = await ctx.executionId(idOrLast);
      const { store } = ctx.target().runtime;
      const found = await store.get(id);
      if (!found) throw new UsageError(`unknown execution: ${id} - expected an id from "actionrunner execution list"`);
      const tasks = flags.showTasks ? await store.list({ parent: id, limit: 1000 }) : [];
      if (flags.json) {
        ctx.printJson(flags.showTasks ? { ...executionDocument(found), tasks: tasks.map(executionDocument) } : executionDocument(found));
        return;
      }
      ctx.printExecution(found, false);
      if (flags.showTasks) ctx.print(tasks.length ? `\n${table(EXECUTION_HEADERS, executionRows(tasks, ctx.colors), ctx.colors)}` : '\n(no tasks)');
    });

  execution
    .command('list')
    .description('list executions, newest first (children under their parent)')
    .option('-n, --limit <N>', 'how many', positiveInt, 50)
    .option('--action <ref>', 'only this action')
    .addOption(new Option('--status <status>', 'only this status').choices([...EXECUTION_STATUSES]))
    .option('--json', 'print one JSON array')
    .action(async (flags: { limit: number; action?: string; status?: string; json?: boolean }) => {
      if (flags.status !== undefined && !isExecutionStatus(flags.status)) throw new UsageError(`bad status: ${flags.status} - expected one of ${EXECUTION_STATUSES.join(', ')}`);
      const executions = await ctx.target().runtime.store.list({ limit: flags.limit, action: flags.action, status: flags.status });
      if (flags.json) ctx.printJson(executions.map(executionDocument));
      else ctx.print(executions.length ? table(EXECUTION_HEADERS, executionRows(executions, ctx.colors), ctx.colors) : '(no executions)');
    });

  execution
    .command('tail')
    .description("stream an execution's output until it ends (a finished one: its stored output)")
    .argument('<id>', 'execution id, or "last" for the newest')
    .addOption(new Option('--type <type>', 'only this stream').choices(['stdout', 'stderr']))
    .action(async (idOrLast: string, flags: { type?: 'stdout' | 'stderr' }) => {
      const id = await ctx.executionId(idOrLast);
      const final = await follow(ctx.target().runtime, id, { tail: { type: flags.type, write: (record) => writeChunk(record) } });
      ctx.exitFor(final);
    });

  execution
    .command('cancel')
    .description('cancel an execution: a running one has its process tree killed')
    .argument('<id>', 'execution id, or "last" for the newest')
    .option('--no-wait', 'return once the cancel is recorded, without waiting for the process to be gone')
    .option('--json', 'print the execution as one JSON document')
    .action(async (idOrLast: string, flags: { wait: boolean; json?: boolean }) => {
      const id = await ctx.executionId(idOrLast);
      const runtime = ctx.target().runtime;
      let current = await runtime.service.cancel(id);
      // A running action is `canceling` until its runner notices (one heartbeat) and the tree is gone.
      if (flags.wait && current.status === 'canceling') current = await follow(runtime, id, { timeoutMs: 60_000 });
      if (flags.json) ctx.printJson(executionDocument(current));
      else ctx.print(`execution ${current.id}: ${current.status}`);
    });

  execution
    .command('re-run')
    .description('run an execution again, with the same parameters unless overridden')
    .argument('<id>', 'execution id, or "last" for the newest')
    .argument('[parameters...]', 'key=value overrides')
    .option('--async', 'print the new execution id and return at once')
    .option('--tail', 'stream the output while it runs')
    .option('--json', 'print the execution as one JSON document')
    .action(async (idOrLast: string, words: string[], flags: WaitFlags) => {
      const id = await ctx.executionId(idOrLast);
      const runtime = ctx.target().runtime;
      const original = await runtime.store.get(id);
      if (!original) throw new UsageError(`unknown execution: ${id} - expected an id from "actionrunner execution list"`);
      const action = runtime.catalog.get(original.action);
      const overrides = action ? actionParameters(action, words) : {};
      const next = await runtime.service.reRun(id, overrides);
      await finishRequest(ctx, next, flags);
    });
}
