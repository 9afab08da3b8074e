import { NotFoundError } from '../model/errors.ts';

/**
 * An event names a workflow that does not exist, or an execution that is not a workflow: no
 * redelivery can change that, so its message is a poison message (dead-lettered at once, with this reason).
 */
export class UnknownWorkflowError extends NotFoundError {
  override name = 'UnknownWorkflowError';
}
