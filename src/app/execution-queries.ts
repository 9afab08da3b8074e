// Reading executions a page at a time and following their output: what `execution list|get|tail` and the API share.
import type { Execution, ExecutionListing, OutputRecord, OutputType } from '../model/execution.ts';
import { NotFoundError } from '../model/errors.ts';
import type { ExecutionStatus } from '../model/status.ts';
import { isTerminal } from '../model/status.ts';
import type { ExecutionStore } from '../store/executions.ts';
import type { OutputStore } from '../store/output.ts';
import { sleep } from '../shared/timers.ts';

export interface PageQuery {
  /** Executions on this page. */
  limit: number;
  action?: string;
  status?: ExecutionStatus;
  parent?: string;
  /** Created at or after / at or before (epoch ms). */
  since?: number;
  until?: number;
  /** The cursor a previous page returned: the id of its last execution. */
  next?: string;
}

/** One page, newest first, from the store's indexes (never a Scan); `next` is set when there is another. */
export async function listPage(store: Pick<ExecutionStore, 'list'>, query: PageQuery): Promise<{ executions: ExecutionListing[]; next?: string }> {
  // One more than asked for tells whether there is a next page.
  const page = await store.list({
    limit: query.limit + 1,
    action: query.action,
    status: query.status,
    since: query.since,
    until: query.until,
    parent: query.parent,
    before: query.next,
    newestFirst: true,
  });
  const executions = page.slice(0, query.limit);
  return page.length > query.limit ? { executions, next: executions.at(-1)!.id } : { executions };
}

/** A workflow's tasks, oldest first (what `execution get --show-tasks` lists). */
export function tasksOf(store: Pick<ExecutionStore, 'list'>, id: string): Promise<ExecutionListing[]> {
  return store.list({ parent: id, limit: 1000 });
}

/** The execution, or a NotFoundError saying where the id should come from. */
export async function foundExecution(store: Pick<ExecutionStore, 'get'>, id: string): Promise<Execution> {
  const execution = await store.get(id);
  if (!execution) throw new NotFoundError(`unknown execution: ${id} - expected an id from "actionrunner execution list" (GET /v1/executions)`);
  return execution;
}

export interface OutputSlice {
  execution: Execution;
  /** Chunks from `offset` on (only the stream asked for, when one was). */
  records: OutputRecord[];
  /** Where the next read starts: the sequence number after the last chunk read. */
  nextOffset: number;
  /** The execution had ended before this read (which reads every stored chunk): nothing more will come. */
  done: boolean;
}

/**
 * The output from chunk `offset` on. With `waitMs`, while the execution runs and nothing new is stored, polls
 * (every `pollMs`) up to that long: a client following it sees a chunk within `pollMs` of its being stored.
 */
export async function readOutputFrom(
  deps: { store: Pick<ExecutionStore, 'get'>; output: Pick<OutputStore, 'read'> },
  id: string,
  options: { offset: number; type?: OutputType; waitMs?: number; pollMs?: number },
): Promise<OutputSlice> {
  const started = Date.now();
  for (;;) {
    const execution = await foundExecution(deps.store, id);
    // Read after the status: output stored before the execution ended is then surely in this read.
    const records = await deps.output.read(id, { afterSeq: options.offset - 1 });
    const nextOffset = records.length ? records.at(-1)!.seq + 1 : options.offset;
    const done = isTerminal(execution.status);
    if (records.length || done || Date.now() - started >= (options.waitMs ?? 0)) {
      const shown = options.type ? records.filter((record) => record.output_type === options.type) : records;
      return { execution, records: shown, nextOffset, done };
    }
    await sleep(options.pollMs ?? 200);
  }
}
