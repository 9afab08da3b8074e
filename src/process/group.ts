import { readdirSync, readFileSync } from 'node:fs';
import { sleep } from '../shared/timers.ts';

/**
 * Sends `signal` to every process of group `pgid` (`kill(-pgid)`). Returns false when the group is
 * already empty. Never throws for a vanished group.
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** Reads the process group and state of one /proc entry; undefined when it vanished. */
function readStat(pid: string): { pgrp: number; state: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so parse after the last ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], pgrp: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

const hasProc = (() => {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
})();

/**
 * Pids of the living (non-zombie) processes in group `pgid`. Uses /proc where it exists (zombies
 * whose parent never reaps them would otherwise look alive); elsewhere falls back to `kill(-pgid, 0)`
 * and returns `[pgid]` when anything answers.
 */
export function groupMembers(pgid: number): number[] {
  // One syscall answers the common case (the group is gone); only a group that still answers,
  // possibly with zombies alone, needs the /proc scan.
  const answers = signalGroup(pgid, 0 as unknown as NodeJS.Signals);
  if (!answers) return [];
  if (!hasProc) return [pgid];
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (stat && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') members.push(Number(entry));
  }
  return members;
}

/** Waits until group `pgid` has no living process, or `ms` passed; true when it is empty. */
export async function waitGroupEmpty(pgid: number, ms: number, pollMs = 25): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (groupMembers(pgid).length === 0) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(pollMs, Math.max(1, deadline - Date.now())));
  }
}

/**
 * Ends group `pgid` for good: SIGTERM, up to `graceMs` for it to go, then SIGKILL and a short wait
 * until the kernel has removed every member. Processes that called setsid() left the group and
 * are out of reach (documented limit).
 */
export async function terminateGroup(pgid: number, graceMs: number): Promise<void> {
  if (groupMembers(pgid).length === 0) return;
  signalGroup(pgid, 'SIGTERM');
  if (await waitGroupEmpty(pgid, graceMs)) return;
  await killGroup(pgid);
}

/** SIGKILL to the whole group, then waits (bounded) until no member is alive. */
export async function killGroup(pgid: number): Promise<void> {
  signalGroup(pgid, 'SIGKILL');
  await waitGroupEmpty(pgid, 2000, 10);
}
