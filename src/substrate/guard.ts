import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';

// Runs in a tiny node process between us and the JVM. Its stdin is a pipe from us: when we die in any way
// (exit, crash, SIGKILL) the pipe closes and the guard kills the JVM, so no emulator outlives its parent.
// SIGTERM/SIGINT/SIGHUP to the guard stop the JVM too (TERM, then KILL after a grace period).
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
child.on('exit', (code, signal) => { process.stdout.write('', () => process.exit(code ?? (signal && !stopping ? 1 : 0))); });
`;

export interface GuardedProcessOptions {
  cwd?: string;
  /** Delay between SIGTERM and SIGKILL when stopping. @default 2000 */
  killGraceMs?: number;
}

/** Starts `command` under a guard process that kills it when this process goes away. */
export function spawnGuarded(command: string, args: string[], options: GuardedProcessOptions = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['-e', GUARD_SOURCE, JSON.stringify([command, ...args]), String(options.killGraceMs ?? 2000)], {
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: process.env,
  });
}
