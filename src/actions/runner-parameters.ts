/**
 * Runner facts for the modules that ask them by this path (request, sweep, dispatch). They live in
 * the runner registry, `src/runners/registry.ts`; nothing is declared here.
 */
export { canonicalRunnerType, isWorkflowRunner, runnerParameters } from '../runners/registry.ts';
