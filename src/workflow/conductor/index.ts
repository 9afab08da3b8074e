export { startWorkflow, onTaskCompleted, cancelWorkflow, taskStatuses, ITEMS_PER_STEP, ITEM_BYTES_PER_STEP } from './conductor.ts';
export type * from './types.ts';
export { toStored, fromStored, STATE_RESULT_BYTES, type StoredWorkflowState } from './storage.ts';
export { checkRerun, rerunWorkflow, RerunError, type RerunRequest } from './rerun.ts';
