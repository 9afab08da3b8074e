import { execa } from 'execa';
import { stat } from 'node:fs/promises';
import type { OutputType } from '../model/execution.ts';
import type { OutputSink } from '../runners/types.ts';
import { CappedText } from './capture.ts';
import { OutputPump, type CapturedOutput, type TextFilter } from './output-pump.ts';
import { releasePipesWhenGroupGone } from './pipes.ts';
import { reapOnExit } from './reaper.ts';
import { GroupTermination, type Termination } from './termination.ts';

export type { TextFilter } from './output-pump.ts';

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
  const captured: CapturedOutput = { stdout: new CappedText(options.resultMaxBytes), stderr: new CappedText(options.resultMaxBytes) };
  const finish = (partial: Partial<ProcessResult>): ProcessResult => buildResult(captured, started, partial);
  const refusal = await refuseToStart(options);
  if (refusal) return finish(refusal);

  const child = startInGroup(options);
  const termination = new GroupTermination(child.pgid, options);
  const output = new OutputPump(options, captured, () => termination.terminate('sink-error'));
  const [result] = await Promise.all([
    child.subprocess,
    output.pump(child.subprocess.stdout, 'stdout', options.stdoutFilter),
    output.pump(child.subprocess.stderr, 'stderr', options.stderrFilter),
  ]);
  termination.disarm();
  child.pipes?.dispose();
  await termination.reap();
  output.throwIfSinkFailed();
  return finish(outcome(result, child, termination.reason, options.file));
}

/** A run that must not start: already aborted, or its cwd is not a directory. */
async function refuseToStart(options: RunProcessOptions): Promise<Partial<ProcessResult> | undefined> {
  if (options.signal?.aborted) return { canceled: true };
  // Checked here: a missing cwd makes spawn() report ENOENT for the program, which misleads.
  const cwdInfo = await stat(options.cwd).catch(() => undefined);
  if (!cwdInfo?.isDirectory()) {
    return { spawnError: { code: 'INVALID_CWD', message: `invalid cwd: ${options.cwd} - not an existing directory` } };
  }
  return undefined;
}

/** How the leader exited, from its 'exit' event. */
interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Spawns the program as the leader of a new process group (`pgid` is undefined when it did not
 * start), with output as bytes on pipes and the group registered with the reaper.
 */
function startInGroup(options: RunProcessOptions) {
  const subprocess = execa(options.file, [...(options.args ?? [])], {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    shell: options.shell ?? false,
    detached: true,
    reject: false,
    buffer: false,
    encoding: 'buffer',
    stripFinalNewline: false,
    ...(options.stdin === undefined ? { stdin: 'ignore' as const } : { input: options.stdin }),
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const pgid = subprocess.pid;
  // The group is detached from ours: should this process die (even by SIGKILL), the reaper ends it.
  if (pgid !== undefined) reapOnExit(pgid);
  // Once the group is gone, a setsid() escapee holding the pipes must not hold the run (PIPE_DRAIN_MS).
  const pipes = pgid === undefined ? undefined : releasePipesWhenGroupGone(subprocess, pgid);
  const child = { subprocess, pgid, pipes, exit: undefined as ExitStatus | undefined };
  subprocess.once('exit', (code, signal) => (child.exit = { code, signal }));
  return child;
}

/** What execa reports about the end of the process (or its failure to start). */
interface ExecaEnd {
  exitCode?: number;
  signal?: string;
  code?: string;
  originalMessage?: string;
  shortMessage?: string;
  message?: string;
}

/** How the process ended, in our terms. */
function outcome(result: ExecaEnd, child: { pgid?: number; exit?: ExitStatus }, termination: Termination | undefined, file: string): Partial<ProcessResult> {
  const { exit } = child;
  const spawnFailed = child.pgid === undefined || (result.exitCode === undefined && result.signal === undefined);
  return {
    // The 'exit' event's values: execa's may describe the pipes we closed rather than the process.
    exitCode: exit ? exit.code : (result.exitCode ?? null),
    signal: exit ? exit.signal : (result.signal ?? null),
    timedOut: termination === 'timeout',
    canceled: termination === 'cancel',
    ...(spawnFailed && termination === undefined
      ? { spawnError: { code: result.code, message: result.originalMessage || result.shortMessage || result.message || `could not start ${file}` } }
      : {}),
  };
}

/** The result: defaults for a process that did not run, what was captured, overridden by `partial`. */
function buildResult(captured: CapturedOutput, started: number, partial: Partial<ProcessResult>): ProcessResult {
  return {
    exitCode: null,
    signal: null,
    timedOut: false,
    canceled: false,
    stdout: captured.stdout.toString(),
    stderr: captured.stderr.toString(),
    stdoutTruncated: captured.stdout.truncated,
    stderrTruncated: captured.stderr.truncated,
    durationMs: Date.now() - started,
    ...partial,
  };
}
