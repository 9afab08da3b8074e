import { TERMINAL_STATUSES, type ExecutionStatus } from './status.ts';

/**
 * The execution lifecycle: every allowed status move, named by the event that causes it.
 * `ExecutionStore` builds each of its named operations on one event of this table (the `from`
 * statuses of its conditional write come from here), and `docs/lifecycle.md` is generated from it.
 */
export const LIFECYCLE_EVENTS = {
  /** A runner takes a waiting execution and starts it at once (lease, attempt + 1). */
  claim: { from: ['requested', 'scheduled', 'delayed'], to: ['running'] },
  /** A runner takes a waiting execution under its lease but has no free slot yet (st2's "scheduled"). */
  reserve: { from: ['requested', 'scheduled', 'delayed'], to: ['scheduled'] },
  /** A reserved execution got its slot: its process starts. */
  start: { from: ['scheduled'], to: ['running'] },
  /** A reserved execution goes back to its queue (too little time left in this invocation). */
  requeue: { from: ['scheduled'], to: ['requested'] },
  /** Held but not (or no longer) running: given back, for this delivery or the next to run it (also `retry_on_abandon`). */
  release: { from: ['running', 'scheduled'], to: ['scheduled'] },
  /** Must wait before it may start (a policy, or a workflow task's `delay`). */
  delay: { from: ['requested'], to: ['delayed'] },
  /** The action ended, by itself or by its timeout (`scheduled`: its start write did not land). */
  finish: { from: ['running', 'scheduled'], to: ['succeeded', 'failed', 'timeout'] },
  /** Refused before it started: invalid request, no runner, nothing to run it. */
  reject: { from: ['requested', 'scheduled', 'delayed'], to: ['failed'] },
  /** A cancel asked for before it started: canceled at once. */
  cancelWaiting: { from: ['requested', 'scheduled', 'delayed', 'pending'], to: ['canceled'] },
  /** A cancel asked for while it runs: its runner (or engine) stops it. */
  requestCancel: { from: ['running', 'pausing', 'paused', 'resuming'], to: ['canceling'] },
  /** The canceled action's process tree is gone (or its runner died meanwhile). */
  cancelDone: { from: ['canceling'], to: ['canceled'] },
  /** Its runner stopped (shutdown, lost lease, died): nobody knows how it ended. */
  abandon: { from: ['running', 'scheduled'], to: ['abandoned'] },
  /** Its message reached its last delivery (or the DLQ) without an outcome: failed with the reason. */
  giveUp: {
    from: ['requested', 'scheduled', 'delayed', 'running', 'canceling', 'pausing', 'paused', 'resuming'],
    to: ['failed'],
  },
  /** A workflow's engine starts it (a workflow holds no lease: it advances on events). */
  startWorkflow: { from: ['requested', 'scheduled', 'delayed'], to: ['running'] },
  /** A workflow ended: all its tasks did, it failed, or it was canceled. */
  endWorkflow: {
    from: ['running', 'canceling', 'pausing', 'paused', 'resuming'],
    to: ['succeeded', 'failed', 'canceled'],
  },
  /** A pause asked for (or every active task of a running workflow waits: a paused sub-workflow, an inquiry): no new task starts. */
  pause: { from: ['running'], to: ['pausing'] },
  /** Every running task of the pausing workflow has ended, or waits paused or pending. */
  paused: { from: ['pausing'], to: ['paused'] },
  /** A resume asked for. */
  resume: { from: ['pausing', 'paused'], to: ['resuming'] },
  /** The workflow runs again where it stopped. */
  resumed: { from: ['resuming'], to: ['running'] },
  /** An inquiry (`inquirer` runner) asks its question: it waits, holding nothing, for a response. */
  inquire: { from: ['requested', 'scheduled', 'delayed'], to: ['pending'] },
  /** An inquiry got a response that its schema accepts. */
  respond: { from: ['pending'], to: ['succeeded'] },
  /** An inquiry's ttl ran out without a response. */
  expire: { from: ['pending'], to: ['timeout'] },
} as const satisfies Record<string, { from: readonly ExecutionStatus[]; to: readonly ExecutionStatus[] }>;

export type LifecycleEvent = keyof typeof LIFECYCLE_EVENTS;

/** The statuses an execution is created in: waiting, waiting out a delay, or already refused. */
export const INITIAL_STATUSES: readonly ExecutionStatus[] = ['requested', 'delayed', 'failed'];

/** Statuses an execution may be in when `event` moves it to `to`; terminal statuses never appear. */
export function fromStatuses(event: LifecycleEvent, to: ExecutionStatus): readonly ExecutionStatus[] {
  const move: { from: readonly ExecutionStatus[]; to: readonly ExecutionStatus[] } = LIFECYCLE_EVENTS[event];
  if (!move.to.includes(to)) throw new Error(`no such move: ${event} - it leads to ${move.to.join(' or ')}, not ${to}`);
  return move.from.filter((status) => !TERMINAL_STATUSES.includes(status));
}

/** Every `from -> to` edge of the table, with its event: what the diagram and the table's tests walk. */
export function lifecycleEdges(): Array<{ event: LifecycleEvent; from: ExecutionStatus; to: ExecutionStatus }> {
  return Object.entries(LIFECYCLE_EVENTS).flatMap(([event, move]) =>
    move.from.flatMap((from) => move.to.map((to) => ({ event: event as LifecycleEvent, from, to }))),
  );
}

/** The lifecycle as a Mermaid state diagram, one arrow per (from, to) labelled with its events. */
export function lifecycleMermaid(): string {
  const labels = new Map<string, string[]>();
  for (const { event, from, to } of lifecycleEdges()) {
    const key = `${from} --> ${to}`;
    labels.set(key, [...(labels.get(key) ?? []), event]);
  }
  const lines = ['stateDiagram-v2'];
  for (const status of INITIAL_STATUSES) lines.push(`    [*] --> ${status}`);
  for (const [edge, events] of labels) lines.push(`    ${edge}: ${events.join(', ')}`);
  for (const status of TERMINAL_STATUSES) lines.push(`    ${status} --> [*]`);
  return lines.join('\n');
}
