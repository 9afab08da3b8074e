import { execa } from 'execa';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { OutputType } from '../model/execution.ts';
import type { OutputSink } from '../runners/types.ts';
import { CappedText } from './capture.ts';
import { killGroup, signalGroup, waitGroupEmpty, terminateGroup } from './group.ts';
import { DEFAULT_MAX_WRITE_BYTES, LineChunker } from './lines.ts';
import { releasePipesWhenGroupGone } from './pipes.ts';
import { forgetGroup, reapOnExit } from './reaper.ts';

/** A stateful rewrite of a stream's text before it is cut into lines (e.g. removing a result block). */
export interface TextFilter {
  /** Text to pass on after `text` arrived (may hold some back). */
  push(text: string): string;
  /** Whatever was held back, at end of stream. */
  end(): string;
}

/** Options of `runProcess`. */
export interface RunProcessOptions {
  /** Program to run (looked up in `env.PATH` when it has no slash). */
  file: string;
  /** @default [] */
  args?: readonly string[];
  /** Run `file args` through a shell (execa's `shell` option). Prefer an explicit `/bin/sh -c`. @default false */
  shell?: boolean;
  cwd: string;
  /** The complete child environment (nothing of `process.env` is added; see `buildChildEnv`). */
  env: Record<string, string>;
  /** Run time limit; the process group gets SIGTERM, then SIGKILL after `killGraceMs`. `Infinity` for none. */
  timeoutMs: number;
  /** Aborting kills the process group like a timeout does and reports `canceled`. */
  signal?: AbortSignal;
  /** SIGTERM to SIGKILL delay. */
  killGraceMs: number;
  /** Receives stdout/stderr as whole lines (several at once when they arrived together); each write is awaited. */
  output: OutputSink;
  /** Bytes of stdout and of stderr kept in the result (the first ones). */
  resultMaxBytes: number;
  /** Text written to the child's stdin (which is closed afterwards). @default stdin is /dev/null */
  stdin?: string;
  /** Largest single write to `output`, UTF-8 bytes. @default 65536 */
  maxWriteBytes?: number;
  /** Applied to every piece before it is written and kept (secret masking). */
  transform?: (type: OutputType, text: string) => string;
  /** Rewrites stdout text before it is cut into lines (result protocol of script wrappers, secret masking). */
  stdoutFilter?: TextFilter;
  /** Rewrites stderr text before it is cut into lines (secret masking). */
  stderrFilter?: TextFilter;
}

/** What happened to the process. */
export interface ProcessResult {
  /** Exit code, or null when the process was killed by a signal or never started. */
  exitCode: number | null;
  /** Signal that ended the process, if any. */
  signal: string | null;
  timedOut: boolean;
  canceled: boolean;
  /** First `resultMaxBytes` of stdout (after `stdoutFilter` and `transform`). */
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  durationMs: number;
  /** Set when the process could not be started (missing program, bad cwd...). */
  spawnError?: { code?: string; message: string };
}

type Termination = 'timeout' | 'cancel' | 'sink-error';

/**
 * Runs one program in its own process group, streams its output to `output` line by line with
 * backpressure, and guarantees that on timeout or abort the whole group is gone when it returns:
 * SIGTERM to the group, SIGKILL to the group after `killGraceMs`, and a wait until no member lives.
 * Leftover group members of a normally ended run get the same treatment. A descendant that called
 * setsid() has left the group and is out of reach: once the group is gone the run stops waiting for
 * the pipes such a process holds after `PIPE_DRAIN_MS`, and reports the leader's own status.
 * @example
 * const r = await runProcess({ file: '/bin/sh', args: ['-c', 'echo hi'], cwd: '/tmp', env: buildChildEnv(),
 *   timeoutMs: 5000, killGraceMs: 1000, output: { write: (t, d) => console.log(t, d) }, resultMaxBytes: 1024 });
 */
export async function runProcess(options: RunProcessOptions): Promise<ProcessResult> {
  const started = Date.now();
  const captured = { stdout: new CappedText(options.resultMaxBytes), stderr: new CappedText(options.resultMaxBytes) };
  const finish = (partial: Partial<ProcessResult>): ProcessResult => ({
    exitCode: null, signal: null, timedOut: false, canceled: false,
    stdout: captured.stdout.toString(), stderr: captured.stderr.toString(),
    stdoutTruncated: captured.stdout.truncated, stderrTruncated: captured.stderr.truncated,
    durationMs: Date.now() - started, ...partial,
  });
  if (options.signal?.aborted) return finish({ canceled: true });
  // Checked here: a missing cwd makes spawn() report ENOENT for the program, which misleads.
  const cwdInfo = await stat(options.cwd).catch(() => undefined);
  if (!cwdInfo?.isDirectory()) {
    return finish({ spawnError: { code: 'INVALID_CWD', message: `invalid cwd: ${options.cwd} - not an existing directory` } });
  }

  const subprocess = execa(options.file, [...(options.args ?? [])], {
    cwd: options.cwd, env: options.env, extendEnv: false, shell: options.shell ?? false,
    detached: true, reject: false, buffer: false, encoding: 'buffer', stripFinalNewline: false,
    ...(options.stdin === undefined ? { stdin: 'ignore' as const } : { input: options.stdin }),
    stdout: 'pipe', stderr: 'pipe',
  });
  const pgid = subprocess.pid;
  // The group is detached from ours: should this process die (even by SIGKILL), the reaper ends it.
  if (pgid !== undefined) reapOnExit(pgid);
  // Once the group is gone, a setsid() escapee holding the pipes must not hold the run (PIPE_DRAIN_MS).
  const pipes = pgid === undefined ? undefined : releasePipesWhenGroupGone(subprocess, pgid);
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  subprocess.once('exit', (code, signal) => (exit = { code, signal }));

  let termination: Termination | undefined;
  let terminatedAt = 0;
  let sinkError: { error: unknown } | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const terminate = (reason: Termination) => {
    if (termination !== undefined || pgid === undefined) return;
    termination = reason;
    terminatedAt = Date.now();
    if (reason === 'sink-error') {
      signalGroup(pgid, 'SIGKILL');
      return;
    }
    signalGroup(pgid, 'SIGTERM');
    killTimer = setTimeout(() => signalGroup(pgid, 'SIGKILL'), options.killGraceMs);
  };
  const timer = Number.isFinite(options.timeoutMs) ? setTimeout(() => terminate('timeout'), options.timeoutMs) : undefined;
  const onAbort = () => terminate('cancel');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort(); // aborted while the process was being started

  const emit = async (type: OutputType, piece: string) => {
    const text = options.transform ? options.transform(type, piece) : piece;
    captured[type].append(text);
    if (sinkError) return;
    try {
      await options.output.write(type, text);
    } catch (error) {
      // Keep draining the pipes (the child would block on a full pipe), but kill the tree: output is being lost.
      sinkError = { error };
      terminate('sink-error');
    }
  };

  const pump = async (stream: Readable | null, type: OutputType, filter?: TextFilter) => {
    if (!stream) return;
    const decoder = new TextDecoder('utf-8');
    const chunker = new LineChunker(options.maxWriteBytes ?? DEFAULT_MAX_WRITE_BYTES);
    const pass = async (text: string, pieces: (t: string) => string[]) => {
      for (const piece of pieces(filter && text !== '' ? filter.push(text) : text)) await emit(type, piece);
    };
    try {
      // Async iteration pauses the stream while a write is pending: the pipe fills and the child blocks.
      for await (const chunk of stream) {
        await pass(decoder.decode(chunk as Uint8Array, { stream: true }), (t) => chunker.push(t));
      }
    } catch {
      // A broken pipe ends the stream early; what arrived is kept.
    }
    await pass(decoder.decode(), (t) => chunker.push(t));
    if (filter) for (const piece of chunker.push(filter.end())) await emit(type, piece);
    for (const piece of chunker.end()) await emit(type, piece);
  };

  const [result] = await Promise.all([
    subprocess,
    pump(subprocess.stdout, 'stdout', options.stdoutFilter),
    pump(subprocess.stderr, 'stderr', options.stderrFilter),
  ]);
  clearTimeout(timer);
  pipes?.dispose();
  options.signal?.removeEventListener('abort', onAbort);

  if (pgid !== undefined) {
    if (termination !== undefined) {
      // The leader is gone; members that ignore SIGTERM get the rest of the grace, then SIGKILL.
      const left = Math.max(0, terminatedAt + options.killGraceMs - Date.now());
      if (!(await waitGroupEmpty(pgid, left))) await killGroup(pgid);
    } else {
      await terminateGroup(pgid, options.killGraceMs);
    }
  }
  clearTimeout(killTimer);
  if (pgid !== undefined) forgetGroup(pgid);
  if (sinkError) throw sinkError.error;

  const spawnFailed = pgid === undefined || (result.exitCode === undefined && result.signal === undefined);
  return finish({
    // The 'exit' event's values: execa's may describe the pipes we closed rather than the process.
    exitCode: exit ? exit.code : (result.exitCode ?? null),
    signal: exit ? exit.signal : (result.signal ?? null),
    timedOut: termination === 'timeout',
    canceled: termination === 'cancel',
    ...(spawnFailed && termination === undefined
      ? { spawnError: { code: result.code, message: result.originalMessage || result.shortMessage || result.message || `could not start ${options.file}` } }
      : {}),
  });
}
