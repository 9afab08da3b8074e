import { ActionRunnerError } from '../model/errors.ts';

/** serverless.yml's resources could not be read into a definition. */
export class ResourceDefinitionError extends ActionRunnerError {
  override name = 'ResourceDefinitionError';
}

/** Creating or deleting the queues/tables of a stage failed. */
export class ResourceProvisionError extends ActionRunnerError {
  override name = 'ResourceProvisionError';
}
