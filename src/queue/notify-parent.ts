import type { Execution } from '../model/execution.ts';
import type { WorkQueue } from './work-queue.ts';

/** Tells the parent workflow (if any) that this task ended; safe to repeat (the workflow ignores duplicates). */
export async function notifyParent(queue: Pick<WorkQueue, 'send'>, execution: Pick<Execution, 'id' | 'context'>): Promise<void> {
  const { parent, taskId, task } = execution.context;
  if (!parent) return;
  await queue.send('workflows', { type: 'task-completed', workflowId: parent, taskId: String(taskId ?? task), executionId: execution.id });
}
