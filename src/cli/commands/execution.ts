import { Option, type Command } from 'commander';
import { foundExecution, listPage, tasksOf, type PageQuery } from '../../app/execution-queries.ts';
import type { Execution, ExecutionListing, OutputRecord } from '../../model/execution.ts';
import type { ActionDefinition } from '../../actions/types.ts';
import type { ApiClient } from '../../api/client.ts';
import { ConflictError } from '../../model/errors.ts';
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
  return foundExecution((await ctx.target()).runtime.store, id);
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
      const showTasks = Boolean(flags.showTasks || flags.tasks);
      const api = await ctx.api();
      if (api) {
        const doc = await api.getExecution(await ctx.executionId(idOrLast), showTasks);
        if (flags.json) return ctx.printJson(doc);
        const { executionFromDocument, listingFromDocument } = await import('../via-api.ts');
        await ctx.printExecution(executionFromDocument(doc), false);
        const tasks = ((doc.tasks ?? []) as Record<string, unknown>[]).map((task) => listingFromDocument(task));
        if (showTasks) ctx.print(tasks.length ? `\n${table(TASK_HEADERS, taskRows(tasks, ctx.colors), ctx.colors)}` : '\n(no tasks)');
        return;
      }
      const current = await found(ctx, await ctx.executionId(idOrLast));
      const tasks = showTasks ? await tasksOf((await ctx.target()).runtime.store, current.id) : [];
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
      const query = {
        limit: flags.limit,
        action: flags.action,
        status: flags.status,
        since: flags.since,
        until: flags.until,
        parent: flags.parent,
        next: flags.next,
      };
      const api = await ctx.api();
      const page = api ? await listViaApi(api, query) : await listPage((await ctx.target()).runtime.store, query);
      const executions = page.executions;
      const next = page.next ? `next page: ${nextPageCommand(page.next)}` : undefined;
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
      const api = await ctx.api();
      if (api) {
        const { executionFromDocument, followViaApi } = await import('../via-api.ts');
        const doc = await followViaApi(api, id, { type: flags.type, write: (record) => writeChunk(record as OutputRecord) });
        return ctx.exitFor(executionFromDocument(doc));
      }
      const final = await follow((await ctx.target()).runtime, id, { tail: { type: flags.type, write: (record) => writeChunk(record) } });
      ctx.exitFor(final);
    });
}

/** A page of `execution list` from the API (times as ISO 8601: the API's query takes them so). */
async function listViaApi(api: ApiClient, query: PageQuery): Promise<{ executions: ExecutionListing[]; next?: string }> {
  const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  const page = await api.listExecutions({ ...query, since: iso(query.since), until: iso(query.until) });
  const { listingFromDocument } = await import('../via-api.ts');
  return { executions: page.executions.map((doc) => listingFromDocument(doc)), ...(page.next ? { next: page.next } : {}) };
}

/** `execution cancel` through the API: 409 there is an execution that had already ended. */
async function cancelViaApi(ctx: CliContext, api: ApiClient, id: string, flags: { wait: boolean; json?: boolean }): Promise<void> {
  let doc;
  try {
    doc = await api.cancel(id);
  } catch (error) {
    if (error instanceof ConflictError) throw new AlreadyEndedError(error.message);
    throw error;
  }
  if (flags.wait && doc.status === 'canceling') doc = await (await import('../via-api.ts')).followViaApi(api, id, { timeoutMs: 60_000 });
  if (flags.json) ctx.printJson(doc);
  else ctx.print(`execution ${doc.id}: ${doc.status}`);
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
      const api = await ctx.api();
      if (api) return cancelViaApi(ctx, api, await ctx.executionId(idOrLast), flags);
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
        const api = await ctx.api();
        if (api) {
          const doc = await api.control(await ctx.executionId(idOrLast), verb).catch((error: unknown) => {
            throw error instanceof ConflictError ? new AlreadyEndedError(error.message) : error;
          });
          if (flags.json) ctx.printJson(doc);
          else ctx.print(`execution ${doc.id}: ${doc.status}`);
          return;
        }
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
    .description('run an execution again, with the same parameters unless overridden; with --tasks, a completed workflow goes on from those tasks')
    .argument('<id>', ID_HELP)
    .argument('[parameters...]', 'key=value overrides')
    .option('--tasks <names>', 'comma-separated tasks of the workflow to run again, keeping the rest of its state (st2 re-run --tasks)')
    .option('--no-reset <names>', 'comma-separated with-items tasks of --tasks that run again only their items that did not succeed')
    .option('-a, --async', 'print the new execution id and return at once')
    .option('--tail', 'stream the output while it runs')
    .option('-j, --json', 'print the execution as one JSON document')
    .action(async (idOrLast: string, words: string[], flags: WaitFlags & { tasks?: string; reset?: string | boolean }) => {
      const names = (list: string) =>
        list
          .split(',')
          .map((name) => name.trim())
          .filter((name) => name !== '');
      // Commander reads `--no-reset <names>` as the option `reset` (true when not given).
      const options = {
        tasks: flags.tasks === undefined ? undefined : names(flags.tasks),
        noReset: typeof flags.reset === 'string' ? names(flags.reset) : undefined,
      };
      const api = await ctx.api();
      if (api) {
        const original = await api.getExecution(await ctx.executionId(idOrLast));
        const overrides = actionParameters((await api.getAction(original.action as string)) as { parameters: ActionDefinition['parameters'] }, words);
        return finishRequest(ctx, (await api.reRun(original.id as string, overrides, options)) as Pick<Execution, 'id' | 'action' | 'status'>, flags);
      }
      const original = await found(ctx, await ctx.executionId(idOrLast));
      const { catalog, service } = await ctx.services();
      const action = catalog.get(original.action);
      const overrides = action ? actionParameters(action, words) : {};
      const next = await service.reRun(original.id, overrides, options);
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
