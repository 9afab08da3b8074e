import { Option, type Command } from 'commander';
import type { Execution } from '../../model/execution.ts';
import { EXECUTION_STATUSES, isExecutionStatus, isTerminal } from '../../model/status.ts';
import type { CliContext } from '../context.ts';
import { AlreadyEndedError, UsageError } from '../errors.ts';
import { follow, writeChunk } from '../follow.ts';
import { EXECUTION_HEADERS, executionDocument, executionRows, listingDocument, table, TASK_HEADERS, taskRows } from '../format.ts';
import { actionParameters } from '../parameters.ts';
import { parsePageToken, parseTimeBound } from '../time-bound.ts';
import { finishRequest, type WaitFlags } from './run.ts';

const ID_HELP = 'execution id, or "last" for the newest top-level execution (the one on top of "execution list")';

function positiveInt(raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`bad count: -n ${raw} - expected a whole number >= 1`);
  return value;
}

async function found(ctx: CliContext, id: string): Promise<Execution> {
  const execution = await (await ctx.target()).runtime.store.get(id);
  if (!execution) throw new UsageError(`unknown execution: ${id} - expected an id from "actionrunner execution list"`);
  return execution;
}

function registerGet(execution: Command, ctx: CliContext): void {
  execution
    .command('get')
    .description('show one execution')
    .argument('<id>', ID_HELP)
    .option('-j, --json', 'print one JSON document')
    .option('--show-tasks', "also list a workflow's task executions")
    .option('--tasks', 'same as --show-tasks')
    .action(async (idOrLast: string, flags: { json?: boolean; showTasks?: boolean; tasks?: boolean }) => {
      const current = await found(ctx, await ctx.executionId(idOrLast));
      const showTasks = Boolean(flags.showTasks || flags.tasks);
      const tasks = showTasks ? await (await ctx.target()).runtime.store.list({ parent: current.id, limit: 1000 }) : [];
      if (flags.json) {
        ctx.printJson(showTasks ? { ...executionDocument(current), tasks: tasks.map((task) => listingDocument(task)) } : executionDocument(current));
        return;
      }
      await ctx.printExecution(current, false);
      if (showTasks) ctx.print(tasks.length ? `\n${table(TASK_HEADERS, taskRows(tasks, ctx.colors), ctx.colors)}` : '\n(no tasks)');
    });
}

interface ListFlags {
  limit: number;
  action?: string;
  status?: string;
  since?: number;
  until?: number;
  parent?: string;
  next?: string;
  json?: boolean;
}

/** The same command line with the page token of the next page (for the person to copy). */
function nextPageCommand(token: string): string {
  const args = process.argv.slice(2);
  const at = args.findIndex((arg) => arg === '--next' || arg.startsWith('--next='));
  if (at >= 0) args.splice(at, args[at] === '--next' ? 2 : 1);
  return `actionrunner ${[...args, '--next', token].join(' ')}`;
}

function registerList(execution: Command, ctx: CliContext): void {
  execution
    .command('list')
    .description('list executions, newest first (children under their parent), a page at a time')
    .option('-n, --limit <N>', 'how many on this page', positiveInt, 50)
    .option('-a, --action <ref>', 'only this action')
    .addOption(new Option('--status <status>', 'only this status').choices([...EXECUTION_STATUSES]))
    .option('--since <time>', 'created at or after: ISO date/time, or a duration ago (30s, 15m, 2h, 7d)', (raw) => parseTimeBound('--since', raw))
    .option('--until <time>', 'created at or before: ISO date/time, or a duration ago', (raw) => parseTimeBound('--until', raw))
    .option('--parent <id>', "only this workflow's tasks")
    .option('--next <token>', 'the next page: the token the previous page printed', parsePageToken)
    .option('-j, --json', 'print one JSON array (the next page token goes to stderr)')
    .action(async (flags: ListFlags) => {
      if (flags.status !== undefined && !isExecutionStatus(flags.status))
        throw new UsageError(`bad status: ${flags.status} - expected one of ${EXECUTION_STATUSES.join(', ')}`);
      // One more than asked for tells whether there is a next page.
      const page = await (
        await ctx.target()
      ).runtime.store.list({
        limit: flags.limit + 1,
        action: flags.action,
        status: flags.status,
        since: flags.since,
        until: flags.until,
        parent: flags.parent,
        before: flags.next,
        newestFirst: true,
      });
      const executions = page.slice(0, flags.limit);
      const next = page.length > flags.limit ? `next page: ${nextPageCommand(executions.at(-1)!.id)}` : undefined;
      if (flags.json) {
        ctx.printJson(executions.map((execution) => listingDocument(execution)));
        if (next) process.stderr.write(`${next}\n`);
        return;
      }
      ctx.print(executions.length ? table(EXECUTION_HEADERS, executionRows(executions, ctx.colors), ctx.colors) : '(no executions)');
      if (next) ctx.print(next);
    });
}

function registerTail(execution: Command, ctx: CliContext): void {
  execution
    .command('tail')
    .description("stream an execution's output until it ends (a finished one: its stored output)")
    .argument('<id>', ID_HELP)
    .addOption(new Option('--type <type>', 'only this stream').choices(['stdout', 'stderr']))
    .action(async (idOrLast: string, flags: { type?: 'stdout' | 'stderr' }) => {
      const id = await ctx.executionId(idOrLast);
      const final = await follow((await ctx.target()).runtime, id, { tail: { type: flags.type, write: (record) => writeChunk(record) } });
      ctx.exitFor(final);
    });
}

function alreadyEnded(execution: Execution): AlreadyEndedError {
  return new AlreadyEndedError(
    `already ended: execution ${execution.id} - it is ${execution.status}${execution.end_timestamp ? ` since ${execution.end_timestamp}` : ''}, there is nothing to cancel`,
  );
}

function registerCancel(execution: Command, ctx: CliContext): void {
  execution
    .command('cancel')
    .description('cancel an execution: a running one has its process tree killed (one that already ended: exit 1)')
    .argument('<id>', ID_HELP)
    .option('--no-wait', 'return once the cancel is recorded, without waiting for the process to be gone')
    .option('-j, --json', 'print the execution as one JSON document')
    .action(async (idOrLast: string, flags: { wait: boolean; json?: boolean }) => {
      const before = await found(ctx, await ctx.executionId(idOrLast));
      if (isTerminal(before.status)) throw alreadyEnded(before);
      const { runtime } = await ctx.target();
      let current = await (await ctx.services()).service.cancel(before.id);
      // It ended by itself between the two reads: the cancel did nothing.
      if (isTerminal(current.status) && current.status !== 'canceled') throw alreadyEnded(current);
      // A running action is `canceling` until its runner notices (one heartbeat) and the tree is gone.
      if (flags.wait && current.status === 'canceling') current = await follow(runtime, before.id, { timeoutMs: 60_000 });
      if (flags.json) ctx.printJson(executionDocument(current));
      else ctx.print(`execution ${current.id}: ${current.status}`);
    });
}

function registerPauseResume(execution: Command, ctx: CliContext): void {
  for (const verb of ['pause', 'resume'] as const) {
    execution
      .command(verb)
      .description(
        verb === 'pause'
          ? 'pause a running workflow: no new task starts; paused once its running tasks end (sub-workflows pause too)'
          : 'resume a pausing or paused workflow where it stopped (its paused sub-workflows resume too)',
      )
      .argument('<id>', ID_HELP)
      .option('-j, --json', 'print the execution as one JSON document')
      .action(async (idOrLast: string, flags: { json?: boolean }) => {
        const before = await found(ctx, await ctx.executionId(idOrLast));
        if (isTerminal(before.status))
          throw new AlreadyEndedError(`already ended: execution ${before.id} - it is ${before.status}, there is nothing to ${verb}`);
        const current = await (await ctx.services()).service[verb](before.id);
        if (flags.json) ctx.printJson(executionDocument(current));
        else ctx.print(`execution ${current.id}: ${current.status}`);
      });
  }
}

function registerReRun(execution: Command, ctx: CliContext): void {
  execution
    .command('re-run')
    .description('run an execution again, with the same parameters unless overridden')
    .argument('<id>', ID_HELP)
    .argument('[parameters...]', 'key=value overrides')
    .option('-a, --async', 'print the new execution id and return at once')
    .option('--tail', 'stream the output while it runs')
    .option('-j, --json', 'print the execution as one JSON document')
    .action(async (idOrLast: string, words: string[], flags: WaitFlags) => {
      const original = await found(ctx, await ctx.executionId(idOrLast));
      const { catalog, service } = await ctx.services();
      const action = catalog.get(original.action);
      const overrides = action ? actionParameters(action, words) : {};
      const next = await service.reRun(original.id, overrides);
      await finishRequest(ctx, next, flags);
    });
}

export function registerExecution(program: Command, ctx: CliContext): void {
  const execution = program.command('execution').description('inspect and control executions');
  registerGet(execution, ctx);
  registerList(execution, ctx);
  registerTail(execution, ctx);
  registerCancel(execution, ctx);
  registerPauseResume(execution, ctx);
  registerReRun(execution, ctx);
}
