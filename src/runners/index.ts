export type { OutputSink, RunRequest, RunOutcome, Runner } from './types.ts';
export { LocalShellCommandRunner } from './local-shell-cmd.ts';
export { LocalShellScriptRunner, scriptInvocation } from './local-shell-script.ts';
export { PythonScriptRunner } from './python-script.ts';
export type { PythonScriptRunnerOptions } from './python-script.ts';
export { NodeScriptRunner, nativeTypeStripping } from './node-script.ts';
export type { NodeScriptRunnerOptions } from './node-script.ts';
export { NoopRunner } from './noop.ts';
export { ActionChainRunner, type ActionChainRunnerOptions, type ChainResult, type ChainTask } from './action-chain.ts';
export { ChainSpecError, loadChain, parseChain, type ChainNode, type ChainSpec } from './action-chain-spec.ts';
export { HttpRequestRunner, type HttpResult } from './http-request.ts';
export { planRequest, HttpParameterError, HTTP_METHODS, type HttpRequestPlan } from './http-options.ts';
export { scriptArguments, serializePositional } from './shell-args.ts';
export { stripShellChars, tryLoads } from './shell-result.ts';
export { RESULT_DELIMITER, ResultBlockFilter } from './result-block.ts';
export { wantsAwsCredentials, CANCEL_EXIT_CODE, TIMEOUT_EXIT_CODE } from './common.ts';
export {
  RUNNERS,
  RUNNER_ALIASES,
  RUNNER_TYPES,
  ACTION_RUNNER_NAMES,
  canonicalRunnerType,
  runnerSpec,
  runnerParameters,
  runnerParameterNames,
  isWorkflowRunner,
  type RunnerSpec,
  type RunnerName,
  type ActionRunnerName,
  type RunnerQueue,
  type ParameterPassing,
} from './registry.ts';
export { RUNNER_FACTORIES, createRunners, getRunner, type RunnerOptions } from './factories.ts';
