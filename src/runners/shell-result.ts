import { constants } from 'node:os';
import type { ProcessResult } from '../process/run-process.ts';
import { CANCEL_EXIT_CODE, CANCEL_MESSAGE, TIMEOUT_EXIT_CODE, timeoutMessage } from './common.ts';
import type { RunOutcome } from './types.ts';

/** st2's strip_shell_chars: one trailing "\n", then one trailing "\r". */
export function stripShellChars(text: string): string {
  let out = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (out.endsWith('\r')) out = out.slice(0, -1);
  return out;
}

/** st2's jsonify.try_loads: the parsed value when the text is JSON, else the text itself. */
export function tryLoads(text: string): unknown {
  if (text.trim() === '') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Exit code in Python's convention: -N when signal N ended the process. */
export function returnCode(result: ProcessResult): number | null {
  if (result.exitCode !== null) return result.exitCode;
  if (result.signal) return -(constants.signals[result.signal as NodeJS.Signals] ?? 0) || null;
  return null;
}

/** Notes `*_truncated` flags; the complete output is in the execution's output records. */
export function truncationFields(result: ProcessResult): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (result.stdoutTruncated) fields.stdout_truncated = true;
  if (result.stderrTruncated) fields.stderr_truncated = true;
  if (result.stdoutTruncated || result.stderrTruncated) {
    fields.truncated_note = "stdout/stderr in this result are cut; the complete output is in the execution's output records";
  }
  return fields;
}

/** Status and error shared by every process runner: timeout/cancel first, then what the caller decides. */
export function terminationOf(result: ProcessResult, timeoutMs: number): { status: 'timeout' | 'canceled'; code: number; error: string } | undefined {
  if (result.timedOut) return { status: 'timeout', code: TIMEOUT_EXIT_CODE, error: timeoutMessage(timeoutMs) };
  if (result.canceled) return { status: 'canceled', code: CANCEL_EXIT_CODE, error: CANCEL_MESSAGE };
  return undefined;
}

/**
 * st2's local runner result: `{ failed, succeeded, return_code, stdout, stderr }` (+ `error` on
 * timeout, cancel or a start failure); stdout/stderr stripped of one trailing newline and parsed when JSON.
 */
export function shellOutcome(result: ProcessResult, timeoutMs: number): RunOutcome {
  const ended = terminationOf(result, timeoutMs);
  const code = ended ? ended.code : returnCode(result);
  const succeeded = !ended && !result.spawnError && code === 0;
  const status = ended ? ended.status : succeeded ? 'succeeded' : 'failed';
  const error = ended?.error ?? result.spawnError?.message;
  return {
    status,
    result: {
      failed: !succeeded,
      succeeded,
      return_code: code,
      stdout: tryLoads(stripShellChars(result.stdout)),
      stderr: tryLoads(stripShellChars(result.stderr)),
      ...(error === undefined ? {} : { error }),
      ...truncationFields(result),
    },
  };
}

/** A failed outcome for an action that never started (refused or misconfigured). */
export function refusedShellOutcome(error: string): RunOutcome {
  return { status: 'failed', result: { failed: true, succeeded: false, return_code: null, stdout: '', stderr: '', error } };
}
