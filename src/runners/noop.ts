import type { RunOutcome, RunRequest, Runner } from './types.ts';

/** st2 `noop`: does nothing and succeeds, with the shell runners' result shape. */
export class NoopRunner implements Runner {
  readonly name = 'noop';

  async run(request: RunRequest): Promise<RunOutcome> {
    if (request.signal.aborted) {
      return { status: 'canceled', result: { failed: true, succeeded: false, return_code: null, stdout: '', stderr: '' } };
    }
    return { status: 'succeeded', result: { failed: false, succeeded: true, return_code: 0, stdout: '', stderr: '' } };
  }
}
