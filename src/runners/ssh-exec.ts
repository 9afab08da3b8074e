/**
 * One command on one host over SSH (ssh2, pure JavaScript, so it runs on Lambda too): connect, run, stream
 * output, and on timeout or cancel kill the remote command's whole process group. sshd makes each session's
 * command a process group leader (setsid), so the command first prints its pid behind a random marker and
 * the kill is `kill -KILL -- -<pid>` on a second channel of the same connection.
 */
import { randomBytes } from 'node:crypto';
import { Client, type ConnectConfig } from 'ssh2';

/** How to reach and log in to one host. */
export interface SshTarget {
  host: string;
  port: number;
  username: string;
  privateKey?: string;
  passphrase?: string;
  password?: string;
}

/** What happened on one host. */
export interface SshExecResult {
  /** Exit code; -9 after a timeout kill, -15 after a cancel, 255 when the connection failed. */
  code: number;
  /** `connect`: never ran (the error says why); `timeout` / `canceled`: killed. */
  ended: 'exited' | 'connect' | 'timeout' | 'canceled';
  error?: string;
}

export interface SshExecOptions {
  target: SshTarget;
  /** Shell text run by the login shell (sh-compatible, as st2 assumes). */
  script: string;
  /** Fed to the command's stdin, then closed. @default nothing */
  stdin?: string;
  timeoutMs: number;
  signal: AbortSignal;
  onStdout(text: string): void;
  onStderr(text: string): void;
}

/** Single-quoted for a POSIX shell: any byte is data. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Runs `script` on the target; never throws (connection problems are a result). */
export function sshExec(options: SshExecOptions): Promise<SshExecResult> {
  const { target, signal } = options;
  const marker = `__actionrunner_pid_${randomBytes(8).toString('hex')}__`;
  const client = new Client();
  return new Promise<SshExecResult>((resolve) => {
    let settled = false;
    let pid: number | undefined;
    let launched = false;
    let stopping: { why: 'timeout' | 'canceled'; code: number } | undefined;
    const finish = (result: SshExecResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      client.end();
      resolve(result);
    };
    const killed = () => finish({ code: stopping!.code, ended: stopping!.why });
    // Kill the command's process group on a channel of its own; end the connection whatever happens.
    const kill = () => {
      client.exec(`kill -KILL -- -${pid} 2>/dev/null || kill -KILL ${pid} 2>/dev/null`, (error, channel) => {
        if (error) return killed();
        channel.on('close', killed).resume();
        channel.stderr.resume();
      });
      setTimeout(killed, 5000).unref();
    };
    const stop = (why: 'timeout' | 'canceled') => {
      if (stopping || settled) return;
      stopping = { why, code: why === 'timeout' ? -9 : -15 };
      // Not started yet: ending the connection is enough. Started, pid not known yet: killed as soon as it is.
      if (!launched) return killed();
      if (pid !== undefined) return kill();
      setTimeout(killed, 10_000).unref();
    };
    const onAbort = () => stop('canceled');
    const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) return stop('canceled');

    client.on('error', (error) => finish({ code: 255, ended: 'connect', error: connectError(target, error) }));
    client.on('ready', () => {
      if (stopping) return killed();
      launched = true;
      client.exec(`printf '%s%s\\n' ${marker} "$$"; ${options.script}`, (error, channel) => {
        if (error) return finish({ code: 255, ended: 'connect', error: `could not start the command: ${target.host} - ${error.message}` });
        let head = '';
        channel.on('data', (chunk: Buffer) => {
          if (pid !== undefined) return options.onStdout(chunk.toString('utf8'));
          // Anything the login shell's start-up files printed before the marker is dropped with it.
          head += chunk.toString('utf8');
          const at = head.indexOf(marker);
          const newline = at < 0 ? -1 : head.indexOf('\n', at);
          if (newline < 0) return;
          pid = Number(head.slice(at + marker.length, newline));
          const rest = head.slice(newline + 1);
          head = '';
          if (rest) options.onStdout(rest);
          if (stopping) kill();
        });
        channel.stderr.on('data', (chunk: Buffer) => options.onStderr(chunk.toString('utf8')));
        channel.on('exit', (code: number | null, signalName?: string) => {
          if (stopping) return;
          exitCode = code ?? (signalName ? -(SIGNALS[signalName] ?? 0) : 255);
        });
        channel.on('close', () => {
          if (!stopping) finish({ code: exitCode ?? 255, ended: 'exited' });
        });
        if (options.stdin !== undefined) channel.end(options.stdin);
        else channel.end();
      });
    });
    let exitCode: number | undefined;
    const config: ConnectConfig = {
      host: target.host,
      port: target.port,
      username: target.username,
      readyTimeout: Math.max(1000, Math.min(20_000, options.timeoutMs)),
      ...(target.privateKey ? { privateKey: target.privateKey } : {}),
      ...(target.passphrase ? { passphrase: target.passphrase } : {}),
      ...(target.password ? { password: target.password } : {}),
    };
    try {
      client.connect(config);
    } catch (error) {
      // ssh2 throws synchronously on a key it cannot parse (its message names the format, never the key).
      finish({ code: 255, ended: 'connect', error: connectError(target, error as Error) });
    }
  });
}

const SIGNALS: Record<string, number> = { HUP: 1, INT: 2, QUIT: 3, KILL: 9, TERM: 15, PIPE: 13, ABRT: 6, SEGV: 11 };

function connectError(target: SshTarget, error: Error & { code?: string; level?: string }): string {
  const detail = error.code ?? error.level ?? '';
  return `could not connect: ${target.username}@${target.host}:${target.port} - ${error.message}${detail && !error.message.includes(detail) ? ` (${detail})` : ''}`;
}
