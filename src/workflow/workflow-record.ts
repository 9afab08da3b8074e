// A workflow execution's record as the engine keeps it: the conductor's state and the outbox of its last step.
import type { Execution } from '../model/execution.ts';
import type { Command, StoredWorkflowState } from './conductor/index.ts';

/** A workflow execution's record: the conductor's state lives on it, versioned. */
export type WorkflowExecution = Execution & {
  /** As `toStored` wrote it (with-items statuses packed, item results left on the children). */
  workflow_state?: StoredWorkflowState;
  workflow_version?: number;
  /**
   * Commands decided by the last state change and not yet known to be carried out. A child's id
   * is not in it: it is created under `childKey(workflow, task, item)`, so twice is once.
   */
  workflow_outbox?: Command[];
  /** When the outbox was saved (epoch ms): a step carries out only its own outbox, or one older than `OUTBOX_STALE_MS`. */
  workflow_outbox_at?: number;
  /** Schedules decided while it was pausing or paused: no task starts until it resumes, when they become an outbox. */
  workflow_held?: Command[];
};

/**
 * An outbox older than this was left by a step that died: the next step carries it out. A younger
 * one is being carried out by its own step, which every other step waits for rather than repeat
 * its work (forty containers each creating the same hundred children again made 10,000 items crawl).
 */
const OUTBOX_STALE_MS = 30_000;

/** Its outbox was left by a step that died (or by a version that did not date outboxes). */
export function isStale(workflow: WorkflowExecution): boolean {
  return Date.now() - (workflow.workflow_outbox_at ?? 0) > OUTBOX_STALE_MS;
}
