import type { ChildProcess } from 'node:child_process';
import { groupMembers } from './group.ts';

/**
 * How long output may still arrive once the action's process group is gone, before its pipes are
 * closed from our side. A descendant that called setsid() has left the group but can keep the pipes
 * open for as long as it lives: without this the run would wait for it.
 */
export const PIPE_DRAIN_MS = 250;

/** How often the group is checked after its leader exited: at first, then backing off (a /proc scan each time) to the max. */
const GROUP_POLL_MS = 50;
const GROUP_POLL_MAX_MS = 1000;

/** Handle returned by `releasePipesWhenGroupGone`. */
export interface PipeRelease {
  /** True when the pipes were still open after the drain, i.e. something outside the group held them. */
  readonly released: boolean;
  /** Stops watching (the run is over). */
  dispose(): void;
}

/**
 * Once `child` (the group leader) exited and group `pgid` has no living member, waits `drainMs` for
 * its stdout/stderr to end, then destroys them: whatever still holds them left the group (setsid) and
 * must not keep the run, its status or its slot.
 * @example
 * const pipes = releasePipesWhenGroupGone(subprocess, subprocess.pid!);
 * await Promise.all([subprocess, pump(subprocess.stdout)]);
 * pipes.dispose();
 */
export function releasePipesWhenGroupGone(child: ChildProcess, pgid: number, drainMs = PIPE_DRAIN_MS): PipeRelease {
  let poll: NodeJS.Timeout | undefined;
  let drain: NodeJS.Timeout | undefined;
  let released = false;
  const open = () => [child.stdout, child.stderr].filter((s) => s !== null && !s.readableEnded && !s.destroyed);
  const onGroupGone = () => {
    drain = setTimeout(() => {
      const streams = open();
      if (streams.length === 0) return;
      released = true;
      for (const stream of streams) stream!.destroy();
    }, drainMs);
  };
  const onExit = () => {
    let delay = GROUP_POLL_MS;
    const check = () => {
      if (open().length === 0) return;
      if (groupMembers(pgid).length === 0) return onGroupGone();
      poll = setTimeout(check, delay);
      delay = Math.min(delay * 2, GROUP_POLL_MAX_MS);
    };
    check();
  };
  child.once('exit', onExit);
  return {
    get released() {
      return released;
    },
    dispose() {
      child.off('exit', onExit);
      clearTimeout(poll);
      clearTimeout(drain);
    },
  };
}
