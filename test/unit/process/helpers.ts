import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { groupMembers } from '../../../src/process/group.ts';

/** Absolute path of a fixture under test/fixtures. */
export const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url));

/** True when `pid` runs (zombies, which this sandbox's init never reaps, count as gone). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Reads the pgid and pids written by forks-grandchildren.sh, and what of them still lives. */
export function treeLeft(pidsFile: string): { pgid: number; pids: number[]; alive: number[]; groupAlive: number[] } {
  const lines = readFileSync(pidsFile, 'utf8').trim().split('\n');
  const pgid = Number(lines.find((l) => l.startsWith('pgid '))?.slice(5));
  const pids = lines.filter((l) => l.startsWith('pid ')).map((l) => Number(l.slice(4)));
  return { pgid, pids, alive: pids.filter(isAlive), groupAlive: groupMembers(pgid) };
}
