import { runProcess } from '../process/run-process.ts';
import { COMMAND_SHELL, processOptions, SUDO_UNSUPPORTED } from './common.ts';
import { refusedShellOutcome, shellOutcome } from './shell-result.ts';
import type { RunOutcome, RunRequest, Runner } from './types.ts';

/** st2 `local-shell-cmd`: the `cmd` parameter through `bash -c` (see `COMMAND_SHELL`). */
export class LocalShellCommandRunner implements Runner {
  readonly name = 'local-shell-cmd';

  async run(request: RunRequest): Promise<RunOutcome> {
    const { parameters } = request;
    if (parameters.sudo === true) return refusedShellOutcome(SUDO_UNSUPPORTED);
    const cmd = parameters.cmd;
    if (typeof cmd !== 'string' || cmd.trim() === '') {
      return refusedShellOutcome(`invalid parameter: cmd - expected a non-empty command string, got ${JSON.stringify(cmd)}`);
    }
    const result = await runProcess({
      file: COMMAND_SHELL,
      args: ['-c', cmd],
      ...processOptions(request),
    });
    return shellOutcome(result, request.timeoutMs);
  }
}
