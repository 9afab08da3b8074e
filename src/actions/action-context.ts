/**
 * `action_context`: what st2 lets a parameter default read about the execution being requested
 * (`{{ action_context.api_user | default(None) }}`, `{{ action_context.parent.pack }}`). st2 builds it
 * in `st2common/services/action.py` (a root execution) and `services/workflows.py` (a workflow task);
 * these are its fields, with the values this bundle has.
 */
import type { ExecutionContext } from '../model/execution.ts';

/**
 * The user an execution runs as when its requester named none: st2's default `system_user`. There is
 * no authentication here, so no `api_user` either (st2 sets it only for an authenticated API caller).
 */
export const DEFAULT_ACTION_USER = 'stanley';

/**
 * st2's `action_context` of an execution of `action` requested with `context`:
 * - `user`: `context.user`, else `stanley`; `pack`: the action's pack; `api_user`: absent (no auth);
 * - a workflow task's also `parent: { execution_id, user, pack }` (the workflow's execution id and pack)
 *   and `orquesta: { workflow_execution_id, task_name, task_id, item_id? }`.
 * @example actionContext({ pack: 'core' }, {}) // { user: 'stanley', pack: 'core' }
 */
export function actionContext(action: { pack: string }, context: ExecutionContext = {}): Record<string, unknown> {
  const user = context.user ?? DEFAULT_ACTION_USER;
  const out: Record<string, unknown> = { user, pack: action.pack };
  if (context.parent !== undefined) {
    const parent: Record<string, unknown> = { execution_id: context.parent, user };
    if (context.parentAction !== undefined) parent.pack = context.parentAction.split('.')[0];
    out.parent = parent;
    const orquesta: Record<string, unknown> = { workflow_execution_id: context.parent };
    if (context.task !== undefined) Object.assign(orquesta, { task_name: context.task, task_id: context.task });
    if (context.itemIndex !== undefined) orquesta.item_id = context.itemIndex;
    out.orquesta = orquesta;
  }
  return out;
}
