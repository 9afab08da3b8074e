export type { ActionCatalog, ActionDefinition, ParameterSpec } from './types.ts';
export {
  RUNNER_PARAMETERS, RUNNER_TYPES, RUNNER_ALIASES, ENTRY_POINT_RUNNERS, SHELL_COMMAND_PARAMETERS,
  canonicalRunnerType, runnerParameters, isWorkflowRunner,
} from './runner-parameters.ts';
export { InvalidActionMetadataError, InvalidParameterError } from './errors.ts';
export { RUNNER_PARAM_OVERRIDABLE_ATTRS, mergeParameters, parseActionMetadata, type MetadataSource } from './metadata.ts';
export { PackCatalog, assertRunnable, defaultPacksDir, loadActions, loadPack, type LoadActionsOptions } from './loader.ts';
export { castParameters, castValue } from './cast.ts';
export { COMMAND_ENV_PREFIX, compileTemplate, isTemplate, renderShellCommand, renderValue, type CompiledTemplate, type ShellRender } from './render-template.ts';
export { resolveParameters, type ResolvedParameters } from './resolve.ts';
export { validateValues } from './validate.ts';
export { maskSecrets } from '../model/mask.ts';
