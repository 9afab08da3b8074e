import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';

// Runs in a tiny node process of its own session (so neither a kill of our process group nor a terminal's
// Ctrl-C reaches it). Its stdin is a pipe from us carrying "+<pgid>" / "-<pgid>" lines: the action process
// groups alive right now. When the pipe closes (we exited, crashed or were SIGKILLed) it SIGKILLs every
// group still registered, then exits. Action groups are detached from ours, so nothing else would end them.
const REAPER_SOURCE = `
const groups = new Set();
let pending = '';
const reap = () => {
  for (const pgid of groups) { try { process.kill(-pgid, 'SIGKILL'); } catch {} }
  process.exit(0);
};
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  const lines = (pending + chunk).split('\\n');
  pending = lines.pop();
  for (const line of lines) {
    const pgid = Number(line.slice(1));
    if (!Number.isInteger(pgid) || pgid <= 1) continue;
    if (line[0] === '+') groups.add(pgid); else if (line[0] === '-') groups.delete(pgid);
  }
});
process.stdin.on('end', reap);
process.stdin.on('close', reap);
process.stdin.on('error', reap);
for (const signal of ['SIGINT', 'SIGHUP', 'SIGPIPE']) process.on(signal, () => {});
`;

let reaper: ChildProcess | undefined;

function start(): ChildProcess | undefined {
  try {
    const child = spawn(process.execPath, ['-e', REAPER_SOURCE], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      env: { PATH: process.env.PATH ?? '' },
    });
    child.on('error', () => {
      if (reaper === child) reaper = undefined;
    });
    child.on('exit', () => {
      if (reaper === child) reaper = undefined;
    });
    child.stdin!.on('error', () => {});
    // Neither the reaper nor its pipe may keep this process alive: it exists for when this process ends.
    child.unref();
    (child.stdin as unknown as Socket).unref();
    return child;
  } catch {
    return undefined;
  }
}

function send(line: string): void {
  reaper ??= start();
  if (reaper?.stdin?.writable) reaper.stdin.write(`${line}\n`);
}

/**
 * Registers an action's process group with this process's reaper (started on first use): if this
 * process dies in any way, SIGKILL included, the reaper kills the group within moments. Best effort:
 * when the reaper cannot start, nothing is reaped and the run goes on.
 * @example
 * const child = execa('sleep', ['60'], { detached: true });
 * reapOnExit(child.pid!);
 * await child;
 * forgetGroup(child.pid!);
 */
export function reapOnExit(pgid: number): void {
  send(`+${pgid}`);
}

/** The group is gone (or killed by us): the reaper forgets it, so a reused pgid is never killed. */
export function forgetGroup(pgid: number): void {
  if (reaper) send(`-${pgid}`);
}

/** Pid of the reaper, when it runs (for tests and diagnostics). */
export function reaperPid(): number | undefined {
  return reaper?.pid;
}
