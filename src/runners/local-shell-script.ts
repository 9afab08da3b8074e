import { constants, existsSync } from 'node:fs';
import { access, open } from 'node:fs/promises';
import { interpreterFor } from '../pack-manager/layout.ts';
import { runProcess } from '../process/run-process.ts';
import { COMMAND_SHELL, actionParameters, entryPoint, processOptions, SUDO_UNSUPPORTED } from './common.ts';
import { scriptArguments } from './shell-args.ts';
import { refusedShellOutcome, shellOutcome } from './shell-result.ts';
import type { RunOutcome, RunRequest, Runner } from './types.ts';

/** st2's own interpreter, which Exchange scripts name in their `#!` line (stackstorm-ansible's `#!/opt/stackstorm/st2/bin/python`). */
const ST2_PYTHON = /^\/opt\/stackstorm\/st2\/bin\/python[0-9.]*$/;

/**
 * How to start a script: directly when it is executable (the kernel honours its shebang); otherwise
 * through the interpreter its `#!` line names; otherwise through bash (`COMMAND_SHELL`), as st2's `bash -c`. st2 fails the last two
 * with "Permission denied" (packs copied without modes, e.g. from a zip); running them is kinder. A script whose
 * `#!` names st2's own python (absent here) runs with `st2Python` (the pack's virtualenv, else python3).
 */
export async function scriptInvocation(path: string, st2Python = 'python3'): Promise<{ file: string; args: string[] }> {
  const shebang = await readShebang(path);
  if (shebang && ST2_PYTHON.test(shebang.file) && !existsSync(shebang.file)) return { file: st2Python, args: [...shebang.args, path] };
  try {
    await access(path, constants.X_OK);
    return { file: path, args: [] };
  } catch {
    // not executable by us: through its shebang
  }
  return shebang ? { file: shebang.file, args: [...shebang.args, path] } : { file: COMMAND_SHELL, args: [path] };
}

async function readShebang(path: string): Promise<{ file: string; args: string[] } | undefined> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(256);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const firstLine = buffer.subarray(0, bytesRead).toString('utf8').split('\n')[0];
    if (firstLine.startsWith('#!')) {
      // Linux semantics: the interpreter, then everything after it as a single optional argument.
      const spec = firstLine.slice(2).trim();
      const space = spec.search(/[ \t]/);
      if (spec !== '') return space === -1 ? { file: spec, args: [] } : { file: spec.slice(0, space), args: [spec.slice(space + 1).trim()] };
    }
  } finally {
    await handle.close();
  }
  return undefined;
}

/** st2 `local-shell-script`: `<entry point> <named args> <positional args>`, started without a shell. */
export class LocalShellScriptRunner implements Runner {
  readonly name = 'local-shell-script';

  async run(request: RunRequest): Promise<RunOutcome> {
    const { action, parameters } = request;
    if (parameters.sudo === true) return refusedShellOutcome(SUDO_UNSUPPORTED);
    const found = await entryPoint(action, this.name);
    if ('error' in found) return refusedShellOutcome(found.error);
    const script = found.file;

    const kwargOp = typeof parameters.kwarg_op === 'string' ? parameters.kwarg_op : '--';
    const args = scriptArguments(action.parameters, actionParameters(parameters, 'local-shell-script'), kwargOp);
    const python = interpreterFor(action.packPath, 'python3');
    const invocation = await scriptInvocation(script, python.python);
    const options = processOptions(request);
    const result = await runProcess({
      file: invocation.file,
      args: [...invocation.args, ...args],
      ...options,
      // A packaged stage's virtualenv ships its libraries only: they go on the path of st2's python.
      ...(invocation.file === python.python && python.pythonPath ? { env: { ...options.env, PYTHONPATH: python.pythonPath } } : {}),
    });
    return shellOutcome(result, request.timeoutMs);
  }
}
