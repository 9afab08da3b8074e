export { startWorkflow, onTaskCompleted, cancelWorkflow, taskStatuses, actionRefs } from './conductor.ts';
export type * from './types.ts';
