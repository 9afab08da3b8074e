import type { ProcessResult } from '../process/run-process.ts';
import { returnCode, terminationOf, truncationFields } from './shell-result.ts';
import type { RunOutcome } from './types.ts';

/**
 * st2's python runner result, shared by node-script: `{ result, stdout, stderr, exit_code }`
 * (+ `error`). Status: timeout/cancel first; then the wrapper's boolean status (a `(bool, result)`
 * tuple or a thrown error); else exit code 0 is success.
 */
export function scriptOutcome(
  result: ProcessResult,
  block: { result?: unknown; status?: unknown; error?: unknown } | undefined,
  timeoutMs: number,
  blockOverflow = false,
): RunOutcome {
  const ended = terminationOf(result, timeoutMs);
  const code = ended ? ended.code : returnCode(result);
  let status: RunOutcome['status'];
  if (ended) status = ended.status;
  else if (result.spawnError) status = 'failed';
  else if (typeof block?.status === 'boolean') status = block.status && code === 0 ? 'succeeded' : 'failed';
  else status = code === 0 ? 'succeeded' : 'failed';
  let error: unknown = ended?.error ?? result.spawnError?.message ?? block?.error;
  if (error === undefined && blockOverflow) error = "the action's result is too large to keep";
  return {
    status,
    result: {
      result: block?.result ?? null,
      stdout: result.stdout,
      stderr: result.stderr,
      exit_code: code,
      ...(error === undefined || error === null ? {} : { error }),
      ...truncationFields(result),
    },
  };
}
