import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { constants as osConstants } from 'node:os';

// Runs in a tiny node process between us and the JVM, in a session of its own: a terminal's Ctrl-C (SIGINT to
// the foreground process group) does not reach it, so the emulator outlives our shutdown grace period. Its
// stdin is a pipe from us: when we die in any way (exit, crash, SIGKILL) the pipe closes and the guard kills
// the JVM, so no emulator outlives its parent. SIGTERM/SIGINT/SIGHUP to the guard stop the JVM too (TERM,
// then KILL after a grace period). When the JVM ends on its own, the guard exits with its code, or with
// 128 + the signal number when a signal killed it (as a shell reports it).
const GUARD_SOURCE = `
const { spawn } = require('node:child_process');
const [command, ...args] = JSON.parse(process.argv[1]);
const graceMs = Number(process.argv[2]);
const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
const alive = () => child.exitCode === null && child.signalCode === null;
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  if (alive()) child.kill('SIGTERM');
  setTimeout(() => { if (alive()) child.kill('SIGKILL'); }, graceMs).unref();
};
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.on('error', stop);
process.stdin.resume();
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, stop);
child.on('error', (error) => { console.error('guard: cannot start ' + command + ': ' + error.message); process.exit(127); });
const exitCode = (code, signal) => code ?? (signal && !stopping ? 128 + (require('node:os').constants.signals[signal] ?? 0) : 0);
child.on('exit', (code, signal) => { process.stdout.write('', () => process.exit(exitCode(code, signal))); });
`;

export interface GuardedProcessOptions {
  cwd?: string;
  /** Delay between SIGTERM and SIGKILL when stopping. @default 2000 */
  killGraceMs?: number;
}

/**
 * Starts `command` under a guard process that kills it when this process goes away. The guard and
 * `command` run in a session of their own, out of reach of signals sent to this process's group.
 * @example const jvm = spawnGuarded('java', ['-jar', 'DynamoDBLocal.jar'], { killGraceMs: 0 });
 */
export function spawnGuarded(command: string, args: string[], options: GuardedProcessOptions = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['-e', GUARD_SOURCE, JSON.stringify([command, ...args]), String(options.killGraceMs ?? 2000)], {
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: process.env,
    detached: true,
  });
}

/**
 * How a guarded command ended, from its guard's exit code: `exited with code N`, or `killed by SIGKILL`
 * when the code is 128 + a signal number.
 * @example describeGuardExit(137, null) // 'killed by SIGKILL'
 */
export function describeGuardExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (code === null) return `its guard was killed by ${signal ?? 'a signal'}`;
  if (code > 128) {
    const name = Object.entries(osConstants.signals).find(([, number]) => number === code - 128)?.[0];
    if (name) return `killed by ${name}`;
  }
  return `exited with code ${code}`;
}
