export { startWorkflow, onTaskCompleted, cancelWorkflow, taskStatuses, actionRefs } from './conductor.ts';
export type * from './types.ts';
export { toStored, fromStored, STATE_RESULT_BYTES, type StoredWorkflowState } from './storage.ts';
