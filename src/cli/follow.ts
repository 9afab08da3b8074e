import type { Reader } from './target.ts';
import type { Execution, OutputRecord, OutputType } from '../model/execution.ts';
import { NotFoundError } from '../model/errors.ts';
import { isTerminal } from '../model/status.ts';
import { StaleExecutionError } from './errors.ts';
import { colorsFor, formatDuration } from './format.ts';
import { expiredLeaseText, leaseView, STALE_LEASE_MS } from './lease.ts';
import { sleep } from '../shared/timers.ts';

export interface FollowOptions {
  /** Print output chunks as they are stored. */
  tail?: { type?: OutputType; write(record: OutputRecord): void };
  /** Show a spinner on stderr (only when stderr is a TTY). */
  spinner?: boolean;
  /** Stop waiting after this long (the execution goes on). @default Infinity */
  timeoutMs?: number;
  /** Give up (StaleExecutionError) once the execution's lease has been expired this long. @default STALE_LEASE_MS */
  staleLeaseMs?: number;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Polling interval: quick at first (short actions), then gentler on the store. */
function intervalFor(elapsedMs: number): number {
  return elapsedMs < 2000 ? 100 : elapsedMs < 20_000 ? 250 : 1000;
}

/**
 * Waits until the execution is terminal, polling the store with bounded intervals; streams its output when
 * `tail` is given (everything stored, then new chunks as they come, and the last ones once it ended).
 * Throws a StaleExecutionError when the execution's runner stopped renewing its lease more than
 * `staleLeaseMs` ago (it would never end by itself before the sweeper marks it abandoned).
 * @returns the terminal record, or the latest one when `timeoutMs` passed first.
 */
export async function follow(runtime: Reader, id: string, options: FollowOptions = {}): Promise<Execution> {
  const started = Date.now();
  const spinner = options.spinner && process.stderr.isTTY && !options.tail ? createSpinner() : undefined;
  let afterSeq = -1;
  const drain = async () => {
    if (!options.tail) return;
    const records = await runtime.output.read(id, { afterSeq, ...(options.tail.type ? { type: options.tail.type } : {}) });
    for (const record of records) {
      options.tail.write(record);
      afterSeq = Math.max(afterSeq, record.seq);
    }
  };
  try {
    for (;;) {
      const execution = await runtime.store.get(id);
      if (!execution) throw new NotFoundError(`unknown execution: ${id} - no such record in ${runtime.config.executionsTable}`);
      await drain();
      if (isTerminal(execution.status)) {
        // Output written just before the status changed is already stored: one last read catches it.
        await drain();
        return execution;
      }
      const lease = leaseView(execution);
      if (lease && lease.expiredForMs > (options.staleLeaseMs ?? STALE_LEASE_MS)) {
        throw new StaleExecutionError(`execution not progressing: ${id} - ${execution.status}, but its ${expiredLeaseText(lease)}`);
      }
      const elapsed = Date.now() - started;
      if (elapsed > (options.timeoutMs ?? Infinity)) return execution;
      spinner?.update(
        `${execution.action} ${execution.status} ${formatDuration(Date.parse(execution.start_timestamp) ? Date.now() - Date.parse(execution.start_timestamp) : elapsed)}`,
      );
      await sleep(intervalFor(elapsed));
    }
  } finally {
    spinner?.stop();
  }
}

function createSpinner() {
  const c = colorsFor(process.stderr);
  let frame = 0;
  let text = '';
  const draw = () => process.stderr.write(`\r\u001b[2K${c.cyan(FRAMES[frame++ % FRAMES.length])} ${text}`);
  const timer = setInterval(draw, 80);
  return {
    update(next: string) {
      text = next;
    },
    stop() {
      clearInterval(timer);
      process.stderr.write('\r\u001b[2K');
    },
  };
}

/** Writes an output chunk to the stream it came from. */
export function writeChunk(record: OutputRecord, streams: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process): void {
  (record.output_type === 'stderr' ? streams.stderr : streams.stdout).write(record.data);
}
