export type { ActionCatalog, ActionDefinition, ParameterSpec, UnavailableAction } from './types.ts';
export { canonicalRunnerType, runnerParameters, isWorkflowRunner } from './runner-parameters.ts';
export { InvalidActionMetadataError, InvalidParameterError } from './errors.ts';
export { RUNNER_PARAM_OVERRIDABLE_ATTRS, mergeParameters, parseActionMetadata, type MetadataSource } from './metadata.ts';
export { MAX_METADATA_BYTES, MAX_YAML_ALIASES, defaultPacksDir, loadActions, scanPack, type LoadActionsOptions, type PackScan } from './loader.ts';
export { PackCatalog, assertRunnable, unavailableError } from './catalog.ts';
export { castParameters, castValue } from './cast.ts';
export {
  COMMAND_ENV_PREFIX,
  compileTemplate,
  isTemplate,
  renderShellCommand,
  renderValue,
  type CompiledTemplate,
  type ShellRender,
} from './render-template.ts';
export { resolveParameters, type ResolveOptions, type ResolvedParameters } from './resolve.ts';
export { DEFAULT_ACTION_USER, actionContext } from './action-context.ts';
export { validateValues } from './validate.ts';
export { maskSecrets } from '../model/mask.ts';
export { MAX_ARG_STRLEN, MAX_ARGS_TOTAL, assertFitsProcess } from './process-limits.ts';
