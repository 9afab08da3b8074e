// The actions and workflows functions on a test file's stage, polled as Lambda's event source mappings
// would poll them, and a runtime beside them to request executions and read them back.
import { afterAll, beforeAll, expect } from 'vitest';
import { createRuntime, type Runtime } from '../../src/dispatch/runtime.ts';
import { createLogger } from '../../src/log/index.ts';
import { EventSourceMapping } from '../../src/local/event-source-mapping.ts';
import type { Execution, ExecutionContext } from '../../src/model/execution.ts';
import { isTerminal } from '../../src/model/status.ts';
import { eventually, type Substrate } from './substrate.ts';

export interface Functions {
  /** Built before the first test (after the stage's environment is set). */
  readonly runtime: Runtime;
  /** Requests `action` and waits until its execution has ended. */
  run(action: string, parameters?: Record<string, unknown>, options?: { context?: Partial<ExecutionContext>; timeoutMs?: number }): Promise<Execution>;
}

/** Starts both functions' mappings before the file's tests (`maxConcurrency` containers each) and stops them after. */
export function useFunctions(substrate: Substrate, options: { maxConcurrency?: number } = {}): Functions {
  let runtime: Runtime | undefined;
  let mappings: EventSourceMapping[] = [];
  beforeAll(async () => {
    Object.assign(process.env, substrate.env);
    const log = createLogger({}, 'warn');
    const { handler: actions } = await import('../../functions/actions.ts');
    const { handler: workflows } = await import('../../functions/workflows.ts');
    runtime = createRuntime({ config: substrate.config, clients: substrate.clients, log });
    mappings = (['workflows', 'actions'] as const).map(
      (queue) =>
        new EventSourceMapping({
          sqs: substrate.clients.sqs,
          queueUrl: substrate.queueUrls[queue],
          functionName: queue,
          handler: queue === 'actions' ? actions : workflows,
          log,
          maxConcurrency: options.maxConcurrency ?? 4,
          pollWaitSeconds: 1,
          functionTimeoutMs: 120_000,
        }),
    );
    mappings.forEach((mapping) => mapping.start());
  });
  afterAll(() => Promise.all(mappings.map((mapping) => mapping.stop())));
  return {
    get runtime() {
      if (!runtime) throw new Error('useFunctions: the runtime is built in beforeAll');
      return runtime;
    },
    async run(action, parameters = {}, { context, timeoutMs = 30_000 } = {}) {
      const { execution } = await this.runtime.service.request({ action, parameters, ...(context ? { context } : {}) });
      return eventually(
        async () => {
          const current = (await this.runtime.store.get(execution.id))!;
          expect(isTerminal(current.status), `${execution.id} is ${current.status}`).toBe(true);
          return current;
        },
        { timeoutMs, intervalMs: 100 },
      );
    },
  };
}
