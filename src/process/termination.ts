/**
 * Ending a run's process group early (on timeout, on abort, or when its output can no longer be
 * written) and, once the leader has exited, making sure no member of the group is left.
 */
import { killGroup, signalGroup, terminateGroup, waitGroupEmpty } from './group.ts';
import { forgetGroup } from './reaper.ts';

/** Why a run was ended early. */
export type Termination = 'timeout' | 'cancel' | 'sink-error';

/** The limits a run is ended by. */
export interface TerminationOptions {
  /** Run time limit; `Infinity` for none. */
  timeoutMs: number;
  /** Aborting ends the run like a timeout does. */
  signal?: AbortSignal;
  /** SIGTERM to SIGKILL delay. */
  killGraceMs: number;
}

/**
 * Watches one process group from its start: a timeout or an abort sends SIGTERM to the group and
 * SIGKILL after the grace period; a sink error sends SIGKILL at once. Only the first reason counts.
 * Without a group (the program did not start) nothing is ever signalled.
 */
export class GroupTermination {
  /** Why the group was ended early, if it was. */
  reason: Termination | undefined;
  private terminatedAt = 0;
  private killTimer: NodeJS.Timeout | undefined;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly onAbort = () => this.terminate('cancel');

  constructor(
    private readonly pgid: number | undefined,
    private readonly options: TerminationOptions,
  ) {
    this.timer = Number.isFinite(options.timeoutMs) ? setTimeout(() => this.terminate('timeout'), options.timeoutMs) : undefined;
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (options.signal?.aborted) this.onAbort(); // aborted while the process was being started
  }

  /** Ends the group for `reason`, unless it is already being ended. */
  terminate(reason: Termination): void {
    if (this.reason !== undefined || this.pgid === undefined) return;
    const pgid = this.pgid;
    this.reason = reason;
    this.terminatedAt = Date.now();
    if (reason === 'sink-error') {
      signalGroup(pgid, 'SIGKILL');
      return;
    }
    signalGroup(pgid, 'SIGTERM');
    this.killTimer = setTimeout(() => signalGroup(pgid, 'SIGKILL'), this.options.killGraceMs);
  }

  /** The leader has exited: no more timeout or abort. */
  disarm(): void {
    clearTimeout(this.timer);
    this.options.signal?.removeEventListener('abort', this.onAbort);
  }

  /** Waits until no group member lives, killing leftovers, then stops watching the group. */
  async reap(): Promise<void> {
    if (this.pgid !== undefined) {
      if (this.reason !== undefined) {
        // The leader is gone; members that ignore SIGTERM get the rest of the grace, then SIGKILL.
        const left = Math.max(0, this.terminatedAt + this.options.killGraceMs - Date.now());
        if (!(await waitGroupEmpty(this.pgid, left))) await killGroup(this.pgid);
      } else {
        await terminateGroup(this.pgid, this.options.killGraceMs);
      }
    }
    clearTimeout(this.killTimer);
    if (this.pgid !== undefined) forgetGroup(this.pgid);
  }
}
