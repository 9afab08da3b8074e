/**
 * `ctx(st2)` of a workflow: the fields st2's orquesta runner gives it (`_construct_st2_context`, plus
 * `workflow_execution_id` set once the workflow record exists), with the values this bundle has.
 */
import { DEFAULT_ACTION_USER } from '../actions/action-context.ts';
import type { ExecutionContext } from '../model/execution.ts';

/**
 * The st2 facts of workflow execution `id` of action `action`:
 * `action_execution_id` and `workflow_execution_id` (both the execution's id: st2 keeps a separate
 * workflow record, we do not), `api_url` (config `apiUrl`), `user` (the requester's, else `stanley`),
 * `pack`, `action` (ref), `runner` (`orquesta`). No `api_user`: there is no authentication here.
 * @example workflowSt2Context({ id: '01J', action: 'examples.x', context: {} }, 'http://127.0.0.1:9101/v1').pack // 'examples'
 */
export function workflowSt2Context(
  workflow: { id: string; action: string; runner?: string; context: ExecutionContext },
  apiUrl: string,
): Record<string, unknown> {
  return {
    action_execution_id: workflow.id,
    workflow_execution_id: workflow.id,
    api_url: apiUrl,
    user: workflow.context.user ?? DEFAULT_ACTION_USER,
    pack: workflow.action.split('.')[0],
    action: workflow.action,
    runner: workflow.runner ?? 'orquesta',
  };
}
