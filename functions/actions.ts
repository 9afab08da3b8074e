import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createRuntime } from '../src/dispatch/runtime.ts';
import { findInterpreters } from '../src/runners/interpreters.ts';
import { ActionsRuntimeRecord } from '../src/store/actions-runtime.ts';

// Built once per cold start: clients, pack catalog, the bounded pool.
export const runtime = createRuntime();

// Which interpreters this container has (python3 only in the container image), for the CLI's `action list`.
new ActionsRuntimeRecord({ doc: runtime.clients.doc, tableName: runtime.config.executionsTable })
  .report(findInterpreters())
  .catch((error: unknown) => runtime.log.warn('could not report the interpreters of this container', { error }));

/** Runs the actions of an SQS batch through the bounded pool; failed records are redelivered. */
export function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  return runtime.processor.process(event, context);
}
