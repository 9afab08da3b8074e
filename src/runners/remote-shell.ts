/**
 * st2's `remote-shell-cmd` and `remote-shell-script` (`core.remote`): a command or a pack's script run over SSH
 * on every host of `hosts`, in parallel, the result keyed by host as st2 keys it. Output is streamed into the
 * output table as it arrives, each line labelled `[host] `. Secrets (the private key, password, passphrase and
 * every other secret parameter) are masked in output, results and errors.
 */
import { readFile } from 'node:fs/promises';
import { textMasker } from '../model/mask.ts';
import { SecretStreamMasker } from '../model/mask-stream.ts';
import { CANCEL_MESSAGE, SUDO_UNSUPPORTED, actionParameters, entryPoint, timeoutMessage } from './common.ts';
import { scriptArguments } from './shell-args.ts';
import { refusedShellOutcome, stripShellChars, tryLoads } from './shell-result.ts';
import { shellQuote, sshExec, type SshExecResult, type SshTarget } from './ssh-exec.ts';
import type { RunOutcome, RunRequest, Runner } from './types.ts';

type Remote = 'remote-shell-cmd' | 'remote-shell-script';
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

class RefusedError extends Error {}

/** `hosts` as st2 takes it: a comma-separated string (`web1,web2:2222`); a JSON array is accepted too. */
export function parseHosts(value: unknown, defaultPort: number): { host: string; port: number }[] {
  const items = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : [];
  const hosts = items.map((item) => item.trim()).filter(Boolean);
  if (hosts.length === 0)
    throw new RefusedError(`invalid parameter: hosts - expected a comma-separated list of hosts (e.g. "web1,web2:2222"), got ${JSON.stringify(value)}`);
  return hosts.map((entry) => {
    const match = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(entry);
    if (!match) throw new RefusedError(`invalid parameter: hosts - expected host or host:port, got ${JSON.stringify(entry)}`);
    return { host: match[1].replace(/^\[|\]$/g, ''), port: match[2] ? Number(match[2]) : defaultPort };
  });
}

/** `export NAME='value'; ...` for the env parameter and the command's interpolated values. */
function exports(variables: Record<string, string>): string {
  const names = Object.keys(variables);
  const bad = names.find((name) => !NAME.test(name));
  if (bad !== undefined) throw new RefusedError(`invalid parameter: env - expected variable names of letters, digits and _, got ${JSON.stringify(bad)}`);
  return names.length ? `export ${names.map((name) => `${name}=${shellQuote(variables[name])}`).join(' ')}; ` : '';
}

function envParameter(value: unknown): Record<string, string> {
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  );
}

/** The key material: the parameter itself (PEM/OpenSSH text), or the file it names (st2 takes either). */
async function privateKey(value: unknown): Promise<string | undefined> {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (value.includes('-----BEGIN')) return value;
  try {
    return await readFile(value, 'utf8');
  } catch (error) {
    throw new RefusedError(
      `invalid parameter: private_key - expected key material or a readable key file, got a path that cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

/** Writes one host's stream to the output table as whole lines labelled `[host] `, masked; keeps what the result shows. */
class HostStream {
  readonly #masker: SecretStreamMasker;
  #partial = '';
  #kept = '';
  #writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly request: RunRequest,
    private readonly type: 'stdout' | 'stderr',
    private readonly label: string,
    secrets: string[],
  ) {
    this.#masker = new SecretStreamMasker(secrets);
  }

  push(text: string): void {
    this.#take(this.#masker.push(text));
  }

  async end(): Promise<string> {
    this.#take(this.#masker.end());
    if (this.#partial) this.#emit(`${this.#partial}\n`);
    this.#partial = '';
    await this.#writes;
    return this.#kept;
  }

  #take(text: string): void {
    if (!text) return;
    if (this.#kept.length < this.request.resultMaxBytes) this.#kept += text.slice(0, this.request.resultMaxBytes - this.#kept.length);
    const lines = (this.#partial + text).split('\n');
    this.#partial = lines.pop()!;
    if (lines.length) this.#emit(lines.map((line) => `${line}\n`).join(''));
  }

  #emit(lines: string): void {
    const labelled = lines.replace(/^(?=.)/gm, `[${this.label}] `);
    this.#writes = this.#writes.then(() => this.request.output.write(this.type, labelled));
  }
}

/** The per-host result st2 gives: stdout, stderr, return_code, succeeded, failed (+ error, timeout). */
function hostResult(ran: SshExecResult, stdout: string, stderr: string, timeoutMs: number, mask: (text: string) => string): Record<string, unknown> {
  const succeeded = ran.ended === 'exited' && ran.code === 0;
  const result: Record<string, unknown> = {
    stdout: tryLoads(stripShellChars(stdout)),
    stderr: tryLoads(stripShellChars(stderr)),
    return_code: ran.code,
    succeeded,
    failed: !succeeded,
  };
  if (ran.ended === 'timeout') Object.assign(result, { timeout: true, error: timeoutMessage(timeoutMs) });
  if (ran.ended === 'canceled') result.error = CANCEL_MESSAGE;
  if (ran.error) result.error = mask(ran.error);
  return result;
}

export class RemoteShellRunner implements Runner {
  constructor(readonly name: Remote) {}

  async run(request: RunRequest): Promise<RunOutcome> {
    const { parameters } = request;
    const secrets = [...(request.secretValues ?? [])];
    try {
      if (parameters.sudo === true) return refusedShellOutcome(`${SUDO_UNSUPPORTED} (core.remote_sudo is refused as core.local_sudo is)`);
      const username = parameters.username;
      if (typeof username !== 'string' || username === '')
        throw new RefusedError('invalid parameter: username - expected the user to log in as (st2 falls back to its system_user; there is none here)');
      const key = await privateKey(parameters.private_key);
      if (key) secrets.push(key);
      const password = typeof parameters.password === 'string' ? parameters.password : undefined;
      if (!key && !password) throw new RefusedError('invalid parameter: private_key - expected a private key (or password) to log in with, got neither');
      const hosts = parseHosts(parameters.hosts, typeof parameters.port === 'number' ? parameters.port : 22);
      const { script, stdin } = await this.#command(request);
      const mask = textMasker(secrets);
      const runOne = async ({ host, port }: { host: string; port: number }) => {
        const label = port === 22 ? host : `${host}:${port}`;
        const out = new HostStream(request, 'stdout', label, secrets);
        const err = new HostStream(request, 'stderr', label, secrets);
        const target: SshTarget = {
          host,
          port,
          username,
          ...(key ? { privateKey: key } : {}),
          ...(password ? { password } : {}),
          ...(typeof parameters.passphrase === 'string' ? { passphrase: parameters.passphrase } : {}),
        };
        const ran = await sshExec({
          target,
          script,
          stdin,
          timeoutMs: request.timeoutMs,
          signal: request.signal,
          onStdout: (t) => out.push(t),
          onStderr: (t) => err.push(t),
        });
        return [label, hostResult(ran, await out.end(), await err.end(), request.timeoutMs, mask)] as const;
      };
      const results: (readonly [string, Record<string, unknown>])[] = [];
      if (parameters.parallel === false) for (const host of hosts) results.push(await runOne(host));
      else results.push(...(await Promise.all(hosts.map(runOne))));
      const byHost = Object.fromEntries(results);
      const values = Object.values(byHost);
      const status = request.signal.aborted
        ? 'canceled'
        : values.some((r) => r.timeout)
          ? 'timeout'
          : values.every((r) => r.succeeded)
            ? 'succeeded'
            : 'failed';
      return { status, result: byHost };
    } catch (error) {
      if (error instanceof RefusedError) return refusedShellOutcome(textMasker(secrets)(error.message));
      throw error;
    }
  }

  /** The shell text each host runs: exports, cd, then the command or the script sent on stdin. */
  async #command(request: RunRequest): Promise<{ script: string; stdin?: string }> {
    const { parameters, action } = request;
    const prefix = exports({ ...envParameter(parameters.env), ...(request.commandEnv ?? {}) });
    const where = typeof parameters.cwd === 'string' && parameters.cwd !== '' ? shellQuote(parameters.cwd) : undefined;
    const cwd = where ? `cd ${where} || exit 1; ` : '';
    if (this.name === 'remote-shell-cmd') {
      const cmd = parameters.cmd;
      if (typeof cmd !== 'string' || cmd.trim() === '')
        throw new RefusedError(`invalid parameter: cmd - expected a non-empty command string, got ${JSON.stringify(cmd)}`);
      return { script: `${prefix}${cwd}${cmd}` };
    }
    const found = await entryPoint(action, this.name);
    if ('error' in found) throw new RefusedError(found.error);
    const source = await readFile(found.file, 'utf8');
    const kwargOp = typeof parameters.kwarg_op === 'string' ? parameters.kwarg_op : '--';
    const args = scriptArguments(action.parameters, actionParameters(parameters, this.name), kwargOp).map(shellQuote).join(' ');
    const dir = typeof parameters.dir === 'string' && parameters.dir !== '' ? parameters.dir : '/tmp';
    // The script arrives on stdin into a private temporary folder under `dir` (st2 copies it there with SFTP), runs, and is removed.
    const runner = source.startsWith('#!') ? '"$f"' : 'bash "$f"';
    return {
      stdin: source,
      script:
        `d=$(mktemp -d ${shellQuote(`${dir}/actionrunner.XXXXXXXX`)}) || exit 1; f="$d"/${shellQuote(action.entry_point!.split('/').pop()!)}; ` +
        `cat > "$f" && chmod 700 "$f" || exit 1; ${prefix}${where ? `cd ${where} || { rm -rf "$d"; exit 1; }; ` : ''}${runner} ${args} </dev/null; rc=$?; rm -rf "$d"; exit $rc`,
    };
  }
}
